package front

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// The rules that the conformance suite (embedded/conformance) found missing: each covers a FerretDB v1.24.2 answer
// that differs from MongoDB's documented one, and the suite's case named in its comment is its test
// (go test ./conformance -run 'TestConformance/cases/<area>/<feature>' in the embedded module;
// CONFORMANCE_RAW=1 shows FerretDB's own answer).

func init() {
	// FerretDB accepts a capped collection's max (a document count) and does not enforce it: a third insert into
	// a collection with max 2 keeps three documents, where MongoDB keeps the newest two. The front enforces it
	// for the collections created through it: it remembers their max (a Repair of create) and, after an insert
	// into one, deletes the oldest documents beyond it. Case: write/capped/max documents. The insert rule goes
	// first in the table, because the first Serve that applies answers, and the built-in insert rule
	// (serveInsertUnique) has no Applies; it calls that rule's Serve to insert. A collection created before the
	// front started, or through Options.Raw, is not trimmed.
	rules = append([]Rule{{
		Name:     "capped max on insert",
		Commands: []string{"insert"},
		Applies:  func(cmd *Command) bool { _, ok := cappedMax.Load(cappedKey{cmd.front, namespace(cmd)}); return ok },
		Serve:    serveCappedInsert,
	}}, rules...)

	register(
		Rule{
			Name:     "capped max on create",
			Commands: []string{"create", "drop", "dropDatabase", "dropdatabase", "renameCollection", "renamecollection"},
			Repair:   rememberCappedMax,
		},
		Rule{
			// FerretDB has no transactions, and says so only as FailedToParse ("insert: unknown field
			// \"startTransaction\""). The front refuses every command of a transaction (startTransaction or
			// autocommit), and commitTransaction and abortTransaction. Case: command/transactions.
			Name:   "transactions",
			Refuse: refuseTransactionFields,
		},
		Rule{
			Name:     "transaction commands",
			Commands: []string{"commitTransaction", "abortTransaction"},
			Refuse:   func(*Command) *Error { return noTransactions() },
		},
		Rule{
			// FerretDB answers BadValue "unknown operator" for query operators MongoDB has: $near, $nearSphere,
			// $geoWithin, $geoIntersects, $text, $where, $jsonSchema. Cases: query/$near, query/$text,
			// query/$geoWithin, query/$where, query/$jsonSchema.
			Name:     "query operators FerretDB does not know",
			Commands: []string{"find", "count", "distinct", "findAndModify", "findandmodify", "update", "delete", "aggregate"},
			Refuse:   refuseQueryOperators,
		},
		Rule{
			// FerretDB answers FailedToParse (9) for an unknown field of find, where MongoDB answers
			// IDLUnknownField (40415). Case: command/find/unknown field.
			Name:     "find's unknown fields",
			Commands: []string{"find"},
			Refuse:   refuseUnknownFindFields,
		},
		Rule{
			// FerretDB takes only a string comment on find, update, delete, findAndModify and distinct, and
			// answers TypeMismatch (14) for any other; MongoDB takes any value. Cases: command/comment,
			// find/comment.
			Name:     "comments that are not strings",
			Commands: []string{"find", "update", "delete", "findAndModify", "findandmodify", "distinct"},
			Refuse:   refuseComment,
		},
		Rule{
			// FerretDB ignores find's min and max (index bounds) and returns every document. Case: find/min and
			// max.
			Name:     "find's min and max",
			Commands: []string{"find"},
			Refuse:   refuseMinMax,
		},
		Rule{
			// FerretDB answers InvalidNamespace (73) for a database name that MongoDB takes but that is not
			// ASCII letters, digits, '_' and '-' (up to 63): "café", "a+b". Case: command/insert/a database name
			// with a non-ASCII letter.
			Name:   "database names",
			Refuse: refuseDatabaseName,
		},
		Rule{
			// listCollections with nameOnly leaves out each collection's type, which MongoDB always gives
			// ("collection": FerretDB has no views). Case: command/listCollections/filter by name.
			Name:     "listCollections nameOnly without type",
			Commands: []string{"listCollections", "listcollections"},
			Repair:   repairCollectionType,
		},
		Rule{
			// A replacement whose _id differs from the document's matches nothing and answers n: 0, where MongoDB
			// answers ImmutableField (66). The front lets a replacement's _id through only when the query names
			// the same _id. Case: update/replacement/with another _id.
			Name:     "replacement with another _id",
			Commands: []string{"update", "findAndModify", "findandmodify"},
			Refuse:   refuseReplacementID,
		},
		Rule{
			// An update operator on a field inside _id ("_id.k") changes the _id, where MongoDB answers
			// ImmutableField (66). Case: update/$set/a field inside _id.
			Name:     "paths inside _id",
			Commands: []string{"update", "findAndModify", "findandmodify"},
			Refuse:   refuseIDPaths,
		},
		Rule{
			// FerretDB is a standalone server that ignores writeConcern: w: 2 or a tag succeeds, where a standalone
			// MongoDB answers an error. Case: write concern/w: 2.
			Name:     "write concerns a standalone cannot satisfy",
			Commands: []string{"insert", "update", "delete", "findAndModify", "findandmodify", "create", "createIndexes", "createindexes", "drop", "dropIndexes", "dropindexes", "dropDatabase", "renameCollection"},
			Refuse:   refuseWriteConcern,
		},
		Rule{
			// FerretDB answers "Unrecognized expression" (31325, 168) for expression operators MongoDB has, such
			// as $mergeObjects, $first and $last on arrays, $firstN, $bitAnd. Case: expression/$mergeObjects.
			Name:     "expressions FerretDB does not know",
			Commands: []string{"aggregate", "find"},
			Refuse:   refuseUnknownExpressions,
		},
		Rule{
			// FerretDB answers an unknown stage name with code 40234, MongoDB with 40324; and it calls some of
			// MongoDB's stages unknown ($vectorSearch, $shardedDataDistribution, ...). Case:
			// aggregation/$match/unknown stage.
			Name:     "aggregation stages FerretDB does not know",
			Commands: []string{"aggregate"},
			Refuse:   refuseUnknownStages,
		},
		Rule{
			// FerretDB answers FailedToParse for a database-level aggregate (aggregate: 1), so $documents,
			// $currentOp and $listLocalSessions. Cases: aggregation/aggregate: 1, and the CRUD specification's
			// db-aggregate tests.
			Name:     "database-level aggregate",
			Commands: []string{"aggregate"},
			Refuse:   refuseDatabaseAggregate,
		},
		Rule{
			// FerretDB refuses to store a key that starts with '$' (so a DBRef) or contains '.', with BadValue
			// "invalid key", which MongoDB 5.0 and later store. Cases: value/$-prefixed keys, value/dotted keys.
			Name:     "$-prefixed and dotted keys",
			Commands: []string{"insert", "update", "findAndModify", "findandmodify"},
			Refuse:   refuseStoredKeys,
		},
		Rule{
			// FerretDB refuses an array directly inside an array with BadValue "nested arrays are not supported".
			// Case: update/$addToSet/array value is one element.
			Name:     "nested arrays",
			Commands: []string{"insert", "update", "findAndModify", "findandmodify"},
			Refuse:   refuseNestedArrays,
		},
		Rule{
			// FerretDB answers IndexNotFound "can't find index with key" for text, 2dsphere, 2d and hashed index
			// keys. Cases: index/text index, index/2dsphere index.
			Name:     "special index types",
			Commands: []string{"createIndexes", "createindexes"},
			Refuse:   refuseIndexTypes,
		},
		Rule{
			// FerretDB answers PathNotViable for the positional operators $, $[] and $[<identifier>] in update paths.
			// Cases: update/$ (positional), update/$[] (all positional).
			Name:     "positional update operators",
			Commands: []string{"update", "findAndModify", "findandmodify"},
			Refuse:   refusePositional,
		},
		Rule{
			// FerretDB takes an update document that starts with an operator and then has a field ({$set: ...,
			// b: 2}) for a replacement and answers DollarPrefixedFieldName (52); MongoDB answers FailedToParse
			// (9), "Unknown modifier". Case: update/replacement/with an operator.
			Name:     "operators mixed with fields",
			Commands: []string{"update", "findAndModify", "findandmodify"},
			Refuse:   refuseMixedUpdate,
		},
		Rule{
			// FerretDB answers TypeMismatch (14) for a pipeline-style update in the update command. Case:
			// update/pipeline.
			Name:     "pipeline updates",
			Commands: []string{"update"},
			Refuse:   refusePipelineUpdate,
		},
		Rule{
			// FerretDB ignores hint: a hint naming no index succeeds, where MongoDB answers BadValue. The front
			// checks the hint against listIndexes. Case: find/hint/unknown index.
			Name:     "hint",
			Commands: []string{"find", "count"},
			Applies:  func(cmd *Command) bool { return cmd.Lookup("hint").Type != 0 },
			Serve:    serveHint,
		},
	)
}

func noTransactions() *Error {
	return notImplemented("%s has no transactions (it would apply each write on its own); MongoDB needs a replica set "+
		"for them: write without a session transaction, or test transactions against MongoDB (MONGODB_URI)", ferret)
}

func refuseTransactionFields(cmd *Command) *Error {
	if cmd.Lookup("startTransaction").Type != 0 || cmd.Lookup("autocommit").Type != 0 {
		return noTransactions()
	}
	return nil
}

// unknownQueryOperators are MongoDB's query operators that FerretDB v1 answers "unknown operator" for, and what
// to use instead.
var unknownQueryOperators = map[string]string{
	"$near":          "compute distances in the application",
	"$nearSphere":    "compute distances in the application",
	"$geoWithin":     "compare coordinates with $gte and $lte",
	"$geoIntersects": "compare coordinates with $gte and $lte",
	"$within":        "compare coordinates with $gte and $lte",
	"$text":          "use $regex",
	"$where":         "use query operators, or filter in the application",
	"$jsonSchema":    "use $type and $exists",
}

func refuseQueryOperators(cmd *Command) *Error {
	return filters(cmd, func(filter bsoncore.Document) *Error {
		found := findKey(filter, func(k string) bool { return unknownQueryOperators[k] != "" })
		if found == "" {
			return nil
		}
		return notImplemented("%s does not support the query operator %s (it answers \"unknown operator\"); %s",
			ferret, found, unknownQueryOperators[found])
	})
}

// findKey returns the first key at any depth of d (a document or an array) for which match is true, or "".
func findKey(d []byte, match func(string) bool) string {
	found := ""
	each(d, func(el bsoncore.Element) bool {
		if match(el.Key()) {
			found = el.Key()
			return false
		}
		if v := el.Value(); v.Type == bsoncore.TypeEmbeddedDocument || v.Type == bsoncore.TypeArray {
			found = findKey(v.Data, match)
		}
		return found == ""
	})
	return found
}

// findFields are the fields of MongoDB 7.0's find command, and the generic ones every command may carry.
var findFields = map[string]bool{
	"find": true, "filter": true, "sort": true, "projection": true, "hint": true, "skip": true, "limit": true,
	"batchSize": true, "singleBatch": true, "comment": true, "maxTimeMS": true, "readConcern": true, "max": true,
	"min": true, "returnKey": true, "showRecordId": true, "tailable": true, "oplogReplay": true,
	"noCursorTimeout": true, "awaitData": true, "allowPartialResults": true, "collation": true, "allowDiskUse": true,
	"let": true, "$db": true, "lsid": true, "txnNumber": true, "$readPreference": true, "$clusterTime": true,
	"apiVersion": true, "apiStrict": true, "apiDeprecationErrors": true, "startTransaction": true, "autocommit": true,
	"readOnce": true, "term": true, "$audit": true, "$client": true, "mayBypassWriteBlocking": true,
	"maxTimeMSOpOnly": true, "$queryOptions": true, "rawData": true, "includeQueryStatsMetrics": true,
	"ntoreturn": true, "encryptionInformation": true, "isTimeseriesNamespace": true, "$_requestResumeToken": true,
	"$_resumeAfter": true, "$_startAt": true, "writeConcern": true,
}

func refuseUnknownFindFields(cmd *Command) *Error {
	var unknown string
	each(cmd.Body, func(el bsoncore.Element) bool {
		if !findFields[el.Key()] {
			unknown = el.Key()
		}
		return unknown == ""
	})
	if unknown == "" {
		return nil
	}
	return &Error{Code: 40415, CodeName: "Location40415", Msg: "BSON field 'find." + unknown + "' is an unknown field."}
}

func refuseComment(cmd *Command) *Error {
	if c := cmd.Lookup("comment"); c.Type != 0 && c.Type != bsoncore.TypeString {
		return notImplemented("%s takes only a string comment on %s (it answers TypeMismatch for any other type, "+
			"here %s); pass the comment as a string", ferret, cmd.Name, c.Type)
	}
	return nil
}

func refuseMinMax(cmd *Command) *Error {
	for _, f := range []string{"min", "max"} {
		if cmd.Lookup(f).Type != 0 {
			return notImplemented("%s ignores find's %s (an index bound) and returns every document; use a range "+
				"filter ($gte, $lt) instead", ferret, f)
		}
	}
	return nil
}

// refuseDatabaseName refuses a database name that MongoDB takes and FerretDB does not.
func refuseDatabaseName(cmd *Command) *Error {
	db := cmd.DB()
	if db == "" || len(db) >= 64 || strings.ContainsAny(db, "/\\. \"$*<>:|?\x00") {
		return nil // MongoDB refuses it too, and so does FerretDB (InvalidNamespace)
	}
	for i := 0; i < len(db); i++ {
		c := db[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return notImplemented("%s takes only database names of ASCII letters, digits, '_' and '-' (at most 63), "+
				"not %q; rename the database", ferret, db)
		}
	}
	return nil
}

// repairCollectionType adds type: "collection" to the entries of a nameOnly listCollections that lack it.
func repairCollectionType(cmd *Command, reply bsoncore.Document) bsoncore.Document {
	if nameOnly, _ := cmd.Lookup("nameOnly").BooleanOK(); !nameOnly {
		return nil
	}
	cursor, ok := reply.Lookup("cursor").DocumentOK()
	if !ok {
		return nil
	}
	batch, ok := cursor.Lookup("firstBatch").ArrayOK()
	if !ok {
		return nil
	}
	changed := false
	ab := bsoncore.NewArrayBuilder()
	each(batch, func(el bsoncore.Element) bool {
		d, ok := el.Value().DocumentOK()
		if !ok {
			ab.AppendValue(el.Value())
			return true
		}
		if d.Lookup("type").Type == 0 {
			d = without(d, nil, func(dst []byte) []byte { return bsoncore.AppendStringElement(dst, "type", "collection") })
			changed = true
		}
		ab.AppendDocument(d)
		return true
	})
	if !changed {
		return nil
	}
	newBatch := ab.Build()
	newCursor := without(cursor, []string{"firstBatch"}, func(dst []byte) []byte {
		return bsoncore.AppendArrayElement(dst, "firstBatch", newBatch)
	})
	return without(reply, []string{"cursor"}, func(dst []byte) []byte {
		return bsoncore.AppendDocumentElement(dst, "cursor", newCursor)
	})
}

// unknownExpressions are MongoDB's expression operators that FerretDB v1 answers "Unrecognized expression" for.
var unknownExpressions = map[string]bool{
	"$mergeObjects": true, "$first": true, "$last": true, "$firstN": true, "$lastN": true, "$maxN": true,
	"$median": true, "$percentile": true, "$bitAnd": true, "$bitOr": true, "$bitXor": true, "$bitNot": true,
	"$toUUID": true, "$toHashedIndexKey": true, "$top": true, "$topN": true, "$bottom": true, "$bottomN": true,
	"$sigmoid": true, "$createObjectId": true, "$accumulator": true,
}

func refuseUnknownExpressions(cmd *Command) *Error {
	match := func(k string) bool { return unknownExpressions[k] }
	var found string
	if cmd.Name == "find" {
		if p, ok := cmd.Lookup("projection").DocumentOK(); ok {
			found = findKey(p, match)
		}
	} else {
		_ = stages(cmd, func(name string, arg bsoncore.Value) *Error {
			if arg.Type == bsoncore.TypeEmbeddedDocument || arg.Type == bsoncore.TypeArray {
				found = findKey(arg.Data, match)
			}
			if found != "" {
				return &Error{}
			}
			return nil
		})
	}
	if found == "" {
		return nil
	}
	return notImplemented("%s does not implement the expression operator %s (it answers \"Unrecognized "+
		"expression\"); compute the value in the application", ferret, found)
}

// ferretStages are the stage names FerretDB v1 knows: it runs some and answers NotImplemented for the others.
var ferretStages = map[string]bool{
	"$addFields": true, "$collStats": true, "$count": true, "$group": true, "$limit": true, "$match": true,
	"$project": true, "$set": true, "$skip": true, "$sort": true, "$unset": true, "$unwind": true,
	"$bucket": true, "$bucketAuto": true, "$changeStream": true, "$currentOp": true, "$densify": true,
	"$documents": true, "$facet": true, "$fill": true, "$geoNear": true, "$graphLookup": true, "$indexStats": true,
	"$listLocalSessions": true, "$listSessions": true, "$lookup": true, "$merge": true, "$out": true,
	"$planCacheStats": true, "$redact": true, "$replaceRoot": true, "$replaceWith": true, "$sample": true,
	"$search": true, "$searchMeta": true, "$setWindowFields": true, "$sortByCount": true, "$unionWith": true,
}

// mongoStages are MongoDB's other stages, which FerretDB v1 calls unrecognized.
var mongoStages = map[string]bool{
	"$shardedDataDistribution": true, "$vectorSearch": true, "$changeStreamSplitLargeEvent": true,
	"$listSampledQueries": true, "$listSearchIndexes": true, "$querySettings": true, "$queryStats": true,
	"$listClusterCatalog": true, "$rankFusion": true, "$scoreFusion": true, "$score": true,
	"$listCachedAndActiveUsers": true, "$listCatalog": true,
}

func refuseUnknownStages(cmd *Command) *Error {
	return stages(cmd, func(name string, _ bsoncore.Value) *Error {
		switch {
		case ferretStages[name]:
			return nil
		case mongoStages[name]:
			return notImplemented("%s does not implement the aggregation stage %s", ferret, name)
		}
		return &Error{Code: 40324, CodeName: "Location40324", Msg: "Unrecognized pipeline stage name: '" + name + "'"}
	})
}

func refuseDatabaseAggregate(cmd *Command) *Error {
	if cmd.Lookup("aggregate").Type == bsoncore.TypeString {
		return nil
	}
	return notImplemented("%s has no database-level aggregate (aggregate: 1), so no $documents, $currentOp or "+
		"$listLocalSessions; aggregate a collection instead", ferret)
}

func refuseIndexTypes(cmd *Command) *Error {
	return indexKeys(cmd, func(el bsoncore.Element) *Error {
		if t, ok := el.Value().StringValueOK(); ok {
			return notImplemented("%s has no %s indexes (it answers \"can't find index with key\"); use an "+
				"ascending (1) or descending (-1) index, and $regex for text", ferret, t)
		}
		return nil
	})
}
