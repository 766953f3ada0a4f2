package main

// The bulk-write subcommand's models in Extended JSON: the names of the MongoDB shell and drivers
// (insertOne, updateOne, ...), read into motor's write models.

import (
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
)

// writeModel reads one bulk-write model: {insertOne: {document}}, {updateOne: {filter, update, upsert,
// arrayFilters, collation, hint}}, {updateMany: ...}, {replaceOne: {filter, replacement, upsert, collation, hint}},
// {deleteOne: {filter, collation, hint}} or {deleteMany: ...}, the names of the MongoDB shell and drivers.
func writeModel(d bson.D) (motor.WriteModel, error) {
	kinds := "insertOne, updateOne, updateMany, replaceOne, deleteOne or deleteMany"
	if len(d) != 1 {
		return nil, fmt.Errorf("a model is a document with one key, %s, not %d keys", kinds, len(d))
	}
	body, ok := d[0].Value.(bson.D)
	if !ok {
		return nil, fmt.Errorf("%s must be a document", d[0].Key)
	}
	f := map[string]any{}
	for _, e := range body {
		f[e.Key] = e.Value
	}
	allowed := map[string][]string{
		"insertOne":  {"document"},
		"updateOne":  {"filter", "update", "upsert", "arrayFilters", "collation", "hint"},
		"updateMany": {"filter", "update", "upsert", "arrayFilters", "collation", "hint"},
		"replaceOne": {"filter", "replacement", "upsert", "collation", "hint"},
		"deleteOne":  {"filter", "collation", "hint"},
		"deleteMany": {"filter", "collation", "hint"},
	}
	fields, ok := allowed[d[0].Key]
	if !ok {
		return nil, fmt.Errorf("unknown model %q: the models are %s", d[0].Key, kinds)
	}
	for k := range f {
		if !slices.Contains(fields, k) {
			return nil, fmt.Errorf("%s has no field %q (it has %s)", d[0].Key, k, strings.Join(fields, ", "))
		}
	}
	need := fields[:1]
	if d[0].Key != "insertOne" && d[0].Key != "deleteOne" && d[0].Key != "deleteMany" {
		need = fields[:2]
	}
	for _, k := range need {
		if _, ok := f[k]; !ok {
			return nil, fmt.Errorf("%s needs %s", d[0].Key, strings.Join(need, " and "))
		}
	}
	upsert, ok := f["upsert"].(bool)
	if _, set := f["upsert"]; set && !ok {
		return nil, fmt.Errorf("%s.upsert must be true or false", d[0].Key)
	}
	var collation *options.Collation
	if c, set := f["collation"]; set {
		cd, ok := c.(bson.D)
		if !ok {
			return nil, fmt.Errorf("%s.collation must be a document", d[0].Key)
		}
		var err error
		if collation, err = parseCollation("the collation of "+d[0].Key, cd); err != nil {
			return nil, err
		}
	}
	var arrayFilters []any
	if a, set := f["arrayFilters"]; set {
		arr, ok := a.(bson.A)
		if !ok {
			return nil, fmt.Errorf("%s.arrayFilters must be an array", d[0].Key)
		}
		arrayFilters = arr
	}
	hint := f["hint"]
	switch d[0].Key {
	case "insertOne":
		return motor.InsertOne{Document: f["document"]}, nil
	case "updateOne":
		return motor.UpdateOne{Filter: f["filter"], Update: f["update"], Upsert: upsert, Collation: collation, ArrayFilters: arrayFilters, Hint: hint}, nil
	case "updateMany":
		return motor.UpdateMany{Filter: f["filter"], Update: f["update"], Upsert: upsert, Collation: collation, ArrayFilters: arrayFilters, Hint: hint}, nil
	case "replaceOne":
		return motor.ReplaceOne{Filter: f["filter"], Replacement: f["replacement"], Upsert: upsert, Collation: collation, Hint: hint}, nil
	case "deleteOne":
		return motor.DeleteOne{Filter: f["filter"], Collation: collation, Hint: hint}, nil
	}
	return motor.DeleteMany{Filter: f["filter"], Collation: collation, Hint: hint}, nil
}
