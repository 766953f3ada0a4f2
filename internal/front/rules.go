package front

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// The built-in rules, one per FerretDB v1.24.2 behaviour that gives a wrong answer or breaks the connection, each
// checked against the real server in front_test.go. The text of a refusal says what FerretDB gets wrong and what
// to use instead.

// ferret names the server in refusals.
const ferret = "FerretDB v1.24.2"

// Commands whose documents carry a query filter, and where.
var filterFields = map[string][]string{
	"find":          {"filter"},
	"count":         {"query"},
	"distinct":      {"query"},
	"findAndModify": {"query"},
	"findandmodify": {"query"},
}

func builtinRules() []Rule {
	return []Rule{
		{
			// FerretDB v1 closes the connection, without a reply, on a command that holds a Decimal128, a NaN
			// double, MinKey, MaxKey, JavaScript code (with or without scope), a symbol, undefined or a DBPointer
			// anywhere, and on a document with the same operator key twice ({$gt: 1, $gt: 2}, {$set: ..., $set:
			// ...}). The client sees a network error and loses the connection.
			Name:   "values that close the connection",
			Refuse: refuseClosingValues,
		},
		{
			// FerretDB v1 closes the connection on eval and on mapReduce with its JavaScript functions; it has
			// neither command (MongoDB 4.2 removed eval). Answer CommandNotFound, as FerretDB does for a
			// mapReduce without JavaScript.
			Name:     "eval and mapReduce",
			Commands: []string{"eval", "$eval", "mapReduce", "mapreduce"},
			Refuse: func(cmd *Command) *Error {
				return &Error{Code: codeCommandNotFound, CodeName: "CommandNotFound",
					Msg: "no such command: '" + cmd.Name + "' (" + ferret + " has no JavaScript and would close the connection on it)"}
			},
		},
		{
			// FerretDB issue #4616: a $group with more than one accumulator computes only the first; the others
			// come back as 0. And a field path inside an array of the _id ({_id: ["$k"]}) is kept as a literal.
			Name:     "$group with several accumulators",
			Commands: []string{"aggregate"},
			Refuse:   refuseGroupAccumulators,
		},
		{
			// $project, $addFields and $set return a field path ("$qty") or an expression nested in a document or
			// an array as a literal, and take a nested document in $project as a literal rather than a
			// sub-projection. The same for a field path in find's projection. $addFields and $set replace a field
			// with an embedded document instead of merging, and add a dotted field ("specs.fuel") as a top-level
			// field of that name.
			Name:     "expressions in $project, $addFields, $set and projections",
			Commands: []string{"aggregate", "find"},
			Refuse:   refuseProjectionExpressions,
		},
		{
			// {$elemMatch: {$gt: 3, $lt: 7}} matches when different elements satisfy the conditions, and the
			// document form {$elemMatch: {x: 1}} matches nothing.
			Name:     "$elemMatch with several conditions or fields",
			Commands: []string{"find", "count", "distinct", "findAndModify", "findandmodify", "aggregate", "update", "delete"},
			Refuse:   refuseElemMatch,
		},
		{
			// Equality with a document ({d: {x: 1}}, $eq, $in, $ne, $nin) ignores the documents inside an array
			// field: {d: [{x: 1}]} does not match. _id holds no array, so {_id: {...}} passes.
			Name:     "equality with documents",
			Commands: []string{"find", "count", "distinct", "findAndModify", "findandmodify", "aggregate", "update", "delete"},
			Refuse:   refuseCompositeEquality,
		},
		{
			// $push ignores $slice, $sort and $position; $pull with a condition or a document pattern removes
			// nothing; $unset of an array element ("a.0") removes it instead of setting it to null.
			Name:     "update operators applied wrongly",
			Commands: []string{"update", "findAndModify", "findandmodify"},
			Refuse:   refuseUpdateOperators,
		},
		{
			// -0.0 is stored as 0.0: the sign is lost.
			Name:     "negative zero",
			Commands: []string{"insert", "update", "findAndModify", "findandmodify"},
			Refuse:   refuseNegativeZero,
		},
		{
			// distinct refuses maxTimeMS (FailedToParse: distinct: unknown field "maxTimeMS"), which the Go driver
			// sends whenever the context has a deadline. The front strips it and enforces it.
			Name:     "maxTimeMS on distinct",
			Commands: []string{"distinct"},
			Applies:  func(cmd *Command) bool { return cmd.Lookup("maxTimeMS").Type != 0 },
			Serve:    serveWithoutMaxTime,
		},
		{
			// delete refuses bypassDocumentValidation (FailedToParse: delete: unknown field), which PyMongo's bulk
			// writes send and MongoDB ignores for deletes (they validate nothing). The front strips it.
			Name:     "bypassDocumentValidation on delete",
			Commands: []string{"delete"},
			Applies:  func(cmd *Command) bool { return cmd.Lookup("bypassDocumentValidation").Type != 0 },
			Serve:    serveWithout("bypassDocumentValidation"),
		},
		{
			// An update with several statements gets a wrong upserted index, loses n, nModified and upserted after
			// a write error, reports a write error at the wrong index, and fails as a whole (InternalError) on a
			// unique-index violation. The front runs the statements one at a time and adds up the replies.
			Name:     "bulk update replies",
			Commands: []string{"update"},
			Applies:  splitUpdate,
			Serve:    serveUpdateStatements,
		},
		{
			// A one-statement update that fails on a unique index answers InternalError (1) instead of a write
			// error with DuplicateKey (11000), and a failed update leaves n and nModified out.
			Name:     "update write errors",
			Commands: []string{"update"},
			Repair:   repairUpdateReply,
		},
		{
			// findAndModify and createIndexes report a unique-index violation as InternalError (1) with a Go stack
			// in the message instead of DuplicateKey (11000).
			Name:     "unique violations as InternalError",
			Commands: []string{"findAndModify", "findandmodify", "createIndexes", "createindexes"},
			Repair:   repairDuplicateKey,
		},
		{
			// A unique index lets any number of documents miss its field or hold null there, and does not
			// compare array elements (unique.go). Inserts only: an update that unsets the field or sets an array
			// is not checked.
			Name:     "unique indexes and missing, null or array values",
			Commands: []string{"insert"},
			Serve:    serveInsertUnique,
		},
		{
			// What unique.go learned about a collection's indexes is forgotten on any command that may change
			// them.
			Name: "forget unique indexes",
			Commands: []string{"createIndexes", "createindexes", "dropIndexes", "dropindexes", "deleteIndexes",
				"drop", "dropDatabase", "dropdatabase", "renameCollection", "renamecollection", "create"},
			Repair: forgetUniqueIndexes,
		},
		{
			// listDatabases leaves out admin until something is written there; MongoDB always lists it. Without
			// a filter the front adds it: {name: "admin"} with nameOnly, else an empty database of size 0, which
			// is what it holds.
			Name:     "listDatabases without admin",
			Commands: []string{"listDatabases", "listdatabases"},
			Repair:   repairListDatabases,
		},
		{
			// createIndexes accepts key fields that MongoDB refuses: "", "$a" and "a.$" (an empty or $-prefixed
			// part). MongoDB answers CannotCreateIndex (67).
			Name:     "illegal index key fields",
			Commands: []string{"createIndexes", "createindexes"},
			Refuse:   refuseIndexKeyFields,
		},
		{
			// A few malformed index specifications get an InternalError whose message starts with Go source
			// locations ("[msg_createindexes.go:155 handler.(*Handler).MsgCreateIndexes] ..."): they are cut.
			Name:     "Go stack in createIndexes errors",
			Commands: []string{"createIndexes", "createindexes"},
			Repair:   repairStackLocations,
		},
		{
			// createIndexes with the name of an existing non-unique index and unique: true answers "all indexes
			// already exist" and leaves the index non-unique. The front checks listIndexes first.
			Name:     "unique index over an existing name",
			Commands: []string{"createIndexes", "createindexes"},
			Applies:  requestsUniqueIndex,
			Serve:    serveUniqueIndex,
		},
	}
}

// refuseClosingValues refuses values on which FerretDB closes the connection.
func refuseClosingValues(cmd *Command) *Error {
	if e := scanValues(cmd.Body); e != nil {
		return e
	}
	for _, s := range cmd.Seqs {
		var e *Error
		s.Each(func(d []byte) bool {
			e = scanValues(d)
			return e == nil
		})
		if e != nil {
			return e
		}
	}
	return nil
}

// scanValues walks a document for values on which FerretDB closes the connection. It allocates nothing unless it
// finds one.
func scanValues(doc []byte) *Error {
	var ops [8][]byte // the operator keys seen in this document, to find a repeated one
	nops := 0
	var found *Error
	each(doc, func(el bsoncore.Element) bool {
		t := bsoncore.Type(el[0])
		switch t {
		case bsoncore.TypeDouble:
			if v := el.Value(); len(v.Data) == 8 && math.IsNaN(math.Float64frombits(binary.LittleEndian.Uint64(v.Data))) {
				found = closing("a NaN double")
			}
		case bsoncore.TypeDecimal128:
			found = closing("a Decimal128 value")
		case bsoncore.TypeMaxKey:
			found = closing("MaxKey")
		case bsoncore.TypeMinKey:
			found = closing("MinKey")
		case bsoncore.TypeJavaScript, bsoncore.TypeCodeWithScope:
			found = closing("JavaScript code")
		case bsoncore.TypeSymbol:
			found = closing("a symbol")
		case bsoncore.TypeUndefined:
			found = closing("undefined")
		case bsoncore.TypeDBPointer:
			found = closing("a DBPointer")
		case bsoncore.TypeEmbeddedDocument, bsoncore.TypeArray:
			found = scanValues(el.Value().Data)
		}
		if found != nil {
			return false
		}
		if key := el.KeyBytes(); len(key) > 1 && key[0] == '$' {
			for _, k := range ops[:nops] {
				if bytes.Equal(k, key) {
					found = badValue("%s would close the connection on a document with the key %q twice; "+
						"combine the conditions under one key", ferret, key)
					return false
				}
			}
			if nops < len(ops) {
				ops[nops] = key
				nops++
			}
		}
		return true
	})
	return found
}

func closing(what string) *Error {
	return badValue("%s cannot handle %s and would close the connection on it; "+
		"store the value another way (a double, a string, null) or use MongoDB", ferret, what)
}

func refuseGroupAccumulators(cmd *Command) *Error {
	return stages(cmd, func(name string, arg bsoncore.Value) *Error {
		spec, ok := arg.DocumentOK()
		if name != "$group" || !ok {
			return nil
		}
		if id := spec.Lookup("_id"); arrayExpression(id) {
			return notImplemented("%s returns an expression inside an array of a $group _id as a literal "+
				"instead of evaluating it; group by a document ({a: \"$a\", b: \"$b\"}) instead", ferret)
		}
		var accs []string
		each(spec, func(el bsoncore.Element) bool {
			if k := el.Key(); k != "_id" {
				accs = append(accs, k)
			}
			return true
		})
		if len(accs) < 2 {
			return nil
		}
		return notImplemented("%s computes only the first accumulator of a $group (FerretDB issue #4616), "+
			"here %q of %q; use one $group stage per accumulator", ferret, accs[0], accs)
	})
}

// arrayExpression reports whether v holds, at any depth, an array with a field path or an operator in it.
func arrayExpression(v bsoncore.Value) bool {
	switch v.Type {
	case bsoncore.TypeArray:
		return containsExpression(v.Data)
	case bsoncore.TypeEmbeddedDocument:
		found := false
		each(v.Data, func(el bsoncore.Element) bool {
			found = arrayExpression(el.Value())
			return !found
		})
		return found
	}
	return false
}

func refuseProjectionExpressions(cmd *Command) *Error {
	if cmd.Name == "find" {
		if p, ok := cmd.Lookup("projection").DocumentOK(); ok {
			if what := expressionIn(p, true); what != "" {
				return notImplemented("%s returns %s in find's projection as a literal instead of evaluating it; "+
					"project the field by name (1) or compute it in the application", ferret, what)
			}
		}
		return nil
	}
	return stages(cmd, func(name string, arg bsoncore.Value) *Error {
		spec, ok := arg.DocumentOK()
		if !ok {
			return nil
		}
		switch name {
		case "$project", "$addFields", "$set":
			if what := expressionIn(spec, name == "$project"); what != "" {
				return notImplemented("%s returns %s in %s as a literal instead of evaluating it; "+
					"use inclusion (1) or exclusion (0), a top-level operator it implements, "+
					"or compute the field in the application", ferret, what, name)
			}
		}
		return nil
	})
}

// expressionIn describes the first field of a projection or $addFields specification that FerretDB v1 gets wrong,
// or returns "": a field path or an expression nested in a document or an array, which it returns as a literal. A
// top-level operator ({x: {$type: "$a"}}) is left to FerretDB, which evaluates it or answers NotImplemented. In a
// projection, a document without operators is a sub-projection in MongoDB and a literal in FerretDB; in $addFields
// and $set, FerretDB replaces a field with an embedded document where MongoDB merges it into the field's document,
// and takes a dotted field ("a.b") as a top-level name.
func expressionIn(spec bsoncore.Document, projection bool) string {
	what := ""
	each(spec, func(el bsoncore.Element) bool {
		v := el.Value()
		if !projection && strings.Contains(el.Key(), ".") {
			what = "the dotted field " + quote(el.Key()) + " (it adds a top-level field of that name)"
			return false
		}
		switch v.Type {
		case bsoncore.TypeString:
			if s := v.StringValue(); strings.HasPrefix(s, "$") {
				what = "the field path " + quote(s) + " of field " + quote(el.Key())
			}
		case bsoncore.TypeEmbeddedDocument:
			d := v.Document()
			first, err := d.IndexErr(0)
			switch {
			case err == nil && isOperator(first.Key()):
			case projection && err == nil:
				what = "the nested document of field " + quote(el.Key())
			case err == nil:
				what = "the embedded document of field " + quote(el.Key()) +
					" (it replaces the field, where MongoDB merges the document into an embedded one)"
			}
		case bsoncore.TypeArray:
			if containsExpression(v.Data) {
				what = "an expression inside the array of field " + quote(el.Key())
			}
		}
		return what == ""
	})
	return what
}

// containsExpression reports whether a document or array holds a field path or an operator at any depth.
func containsExpression(d []byte) bool {
	found := false
	each(d, func(el bsoncore.Element) bool {
		if isOperator(el.Key()) {
			found = true
			return false
		}
		v := el.Value()
		switch v.Type {
		case bsoncore.TypeString:
			found = strings.HasPrefix(v.StringValue(), "$")
		case bsoncore.TypeEmbeddedDocument, bsoncore.TypeArray:
			found = containsExpression(v.Data)
		}
		return !found
	})
	return found
}

func quote(s string) string { return `"` + s + `"` }

// refuseElemMatch refuses $elemMatch queries that FerretDB v1 answers wrongly, in every filter of the command.
func refuseElemMatch(cmd *Command) *Error {
	return filters(cmd, func(filter bsoncore.Document) *Error {
		if what := elemMatchProblem(filter); what != "" {
			return notImplemented("%s %s; filter the array in the application, or restructure the data", ferret, what)
		}
		return nil
	})
}

// refuseCompositeEquality refuses equality with a document value, in every filter of the command.
func refuseCompositeEquality(cmd *Command) *Error {
	return filters(cmd, func(filter bsoncore.Document) *Error {
		if field := compositeEquality(filter); field != "" {
			return notImplemented("%s does not compare a document value with the elements of an array field "+
				"(field %q); query the embedded fields instead (\"d.x\": 1), or $elemMatch with one condition "+
				"on them", ferret, field)
		}
		return nil
	})
}

// compositeEquality returns the first field of a filter compared for equality ($eq, $ne, $in, $nin or a plain
// value) with a document, or "". _id is left out: it can hold no array, so a document compares right. (Equality
// with an array value is right: FerretDB compares whole arrays.)
func compositeEquality(filter []byte) string {
	field := ""
	composite := func(k string, v bsoncore.Value) bool {
		return v.Type == bsoncore.TypeEmbeddedDocument && k != "_id"
	}
	each(filter, func(el bsoncore.Element) bool {
		k, v := el.Key(), el.Value()
		switch {
		case k == "$and" || k == "$or" || k == "$nor":
			each(v.Data, func(c bsoncore.Element) bool {
				if d, ok := c.Value().DocumentOK(); ok {
					field = compositeEquality(d)
				}
				return field == ""
			})
		case isOperator(k):
			// $expr, $text, $where, $comment: not equality
		case v.Type == bsoncore.TypeEmbeddedDocument && isOperator(firstKeyString(v.Data)):
			field = operatorEquality(k, v.Document(), composite)
		case composite(k, v):
			field = k
		}
		return field == ""
	})
	return field
}

// operatorEquality checks the operators of one field's condition for equality with a composite value.
func operatorEquality(field string, ops bsoncore.Document, composite func(string, bsoncore.Value) bool) string {
	found := ""
	each(ops, func(op bsoncore.Element) bool {
		v := op.Value()
		switch op.Key() {
		case "$eq", "$ne":
			if composite(field, v) {
				found = field
			}
		case "$in", "$nin":
			if arr, ok := v.ArrayOK(); ok {
				each(arr, func(el bsoncore.Element) bool {
					if composite(field, el.Value()) {
						found = field
					}
					return found == ""
				})
			}
		case "$not":
			if d, ok := v.DocumentOK(); ok {
				found = operatorEquality(field, d, composite)
			}
		}
		return found == ""
	})
	return found
}

// firstKeyString returns the first key of a document, or "".
func firstKeyString(d []byte) string { return string(firstKey(d)) }

// elemMatchProblem describes the first $elemMatch in a filter that FerretDB v1 answers wrongly, or returns "".
func elemMatchProblem(filter []byte) string {
	what := ""
	each(filter, func(el bsoncore.Element) bool {
		v := el.Value()
		if el.Key() == "$elemMatch" {
			if d, ok := v.DocumentOK(); ok {
				n, fields := 0, false
				each(d, func(c bsoncore.Element) bool {
					n++
					fields = fields || !isOperator(c.Key())
					return true
				})
				switch {
				case fields:
					what = "matches nothing with a document-form $elemMatch ({field: condition})"
				case n > 1:
					what = "lets different array elements satisfy the conditions of one $elemMatch"
				}
			}
		}
		if what == "" && (v.Type == bsoncore.TypeEmbeddedDocument || v.Type == bsoncore.TypeArray) {
			what = elemMatchProblem(v.Data)
		}
		return what == ""
	})
	return what
}

func refuseUpdateOperators(cmd *Command) *Error {
	return operatorFields(cmd, func(op string, f bsoncore.Element) *Error {
		field, v := f.Key(), f.Value()
		switch op {
		case "$push":
			if d, ok := v.DocumentOK(); ok && d.Lookup("$each").Type != 0 {
				for _, m := range []string{"$slice", "$sort", "$position"} {
					if d.Lookup(m).Type != 0 {
						return notImplemented("%s ignores the %s modifier of $push (field %q); "+
							"read the array, change it and $set it", ferret, m, field)
					}
				}
			}
		case "$pull":
			if v.Type == bsoncore.TypeEmbeddedDocument {
				return notImplemented("%s removes nothing with a $pull condition or document pattern "+
					"(field %q); use $pullAll with the exact values, or read, filter and $set the array",
					ferret, field)
			}
		case "$unset":
			if hasIndexComponent(field) {
				return notImplemented("%s removes the array element %q that $unset should set to null; "+
					"use $set with null", ferret, field)
			}
		}
		return nil
	})
}

func refuseNegativeZero(cmd *Command) *Error {
	msg := func() *Error {
		return notImplemented("%s stores -0.0 as 0.0 and loses the sign; store 0.0, or keep the sign in another field", ferret)
	}
	check := func(d bsoncore.Document) *Error {
		if hasNegativeZero(d) {
			return msg()
		}
		return nil
	}
	if cmd.Name == "insert" {
		return docs(cmd, "documents", check)
	}
	return updateDocs(cmd, check)
}

// hasNegativeZero reports whether a document holds the double -0.0 at any depth.
func hasNegativeZero(d []byte) bool {
	found := false
	each(d, func(el bsoncore.Element) bool {
		v := el.Value()
		switch v.Type {
		case bsoncore.TypeDouble:
			found = len(v.Data) == 8 && binary.LittleEndian.Uint64(v.Data) == 1<<63
		case bsoncore.TypeEmbeddedDocument, bsoncore.TypeArray:
			found = hasNegativeZero(v.Data)
		}
		return !found
	})
	return found
}

func refuseIndexKeyFields(cmd *Command) *Error {
	return indexKeys(cmd, func(el bsoncore.Element) *Error {
		field := el.Key()
		if field == "$**" || strings.HasSuffix(field, ".$**") {
			return nil // a wildcard index: FerretDB answers for itself
		}
		for part := range strings.SplitSeq(field, ".") {
			if part == "" || part[0] == '$' {
				return &Error{Code: codeCannotCreateIndex, CodeName: "CannotCreateIndex",
					Msg: "Index key contains an illegal field name: " + quote(field) + " (" + ferret + " would accept it)"}
			}
		}
		return nil
	})
}
