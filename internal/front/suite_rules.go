package front

import (
	"strconv"
	"strings"
	"sync"

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

// refuseReplacementID refuses a replacement document with an _id that the query does not name.
func refuseReplacementID(cmd *Command) *Error {
	return updateStatements(cmd, func(q, u bsoncore.Document) *Error {
		first, err := u.IndexErr(0)
		if err != nil || strings.HasPrefix(first.Key(), "$") {
			return nil
		}
		id := u.Lookup("_id")
		if id.Type == 0 {
			return nil
		}
		if qid := q.Lookup("_id"); qid.Type == id.Type && bytesEqual(qid.Data, id.Data) {
			return nil
		}
		return notImplemented("%s does not check a replacement's _id against the document's (it matches nothing "+
			"where MongoDB answers ImmutableField); leave _id out of the replacement, or name the same _id in the "+
			"query", ferret)
	})
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

func refuseWriteConcern(cmd *Command) *Error {
	wc, ok := cmd.Lookup("writeConcern").DocumentOK()
	if !ok {
		return nil
	}
	w := wc.Lookup("w")
	if n, ok := numberOK(w); ok && n > 1 {
		return notImplemented("%s is a standalone server and ignores write concerns: w: %v cannot be satisfied "+
			"(a standalone MongoDB answers an error); use w: 1 or \"majority\"", ferret, n)
	}
	if s, ok := w.StringValueOK(); ok && s != "majority" {
		return notImplemented("%s is a standalone server and ignores write concerns: w: %q cannot be satisfied "+
			"(a standalone MongoDB answers an error); use w: 1 or \"majority\"", ferret, s)
	}
	return nil
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

// storedKeyProblem returns a key of a document to be stored that FerretDB refuses: one that starts with '$' or
// contains '.', at any depth.
func storedKeyProblem(d []byte) string {
	return findKey(d, func(k string) bool { return strings.HasPrefix(k, "$") || strings.Contains(k, ".") })
}

// storedDocs calls fn with each document that a write stores whole (insert's documents, replacements) and each
// value that an update operator stores under a path ($set, $setOnInsert, $push, $addToSet and their $each).
func storedDocs(cmd *Command, whole func(d bsoncore.Document) *Error, value func(v bsoncore.Value) *Error) *Error {
	if cmd.Name == "insert" {
		return docs(cmd, "documents", whole)
	}
	return updateDocs(cmd, func(u bsoncore.Document) *Error {
		first, err := u.IndexErr(0)
		if err != nil {
			return nil
		}
		if !strings.HasPrefix(first.Key(), "$") {
			return whole(u) // a replacement
		}
		var e *Error
		each(u, func(op bsoncore.Element) bool {
			args, ok := op.Value().DocumentOK()
			if !ok {
				return true
			}
			switch op.Key() {
			case "$set", "$setOnInsert", "$push", "$addToSet":
			default:
				return true
			}
			each(args, func(f bsoncore.Element) bool {
				v := f.Value()
				if d, ok := v.DocumentOK(); ok && (op.Key() == "$push" || op.Key() == "$addToSet") {
					if vals, ok := d.Lookup("$each").ArrayOK(); ok {
						each(vals, func(el bsoncore.Element) bool {
							e = value(el.Value())
							return e == nil
						})
						return e == nil
					}
				}
				e = value(v)
				return e == nil
			})
			return e == nil
		})
		return e
	})
}

func refuseStoredKeys(cmd *Command) *Error {
	refuse := func(k string) *Error {
		if k == "" {
			return nil
		}
		return notImplemented("%s cannot store the key %q: keys that start with '$' (so DBRefs) or contain '.' "+
			"are not supported; rename the field (store a reference as {ref, id})", ferret, k)
	}
	return storedDocs(cmd,
		func(d bsoncore.Document) *Error { return refuse(storedKeyProblem(d)) },
		func(v bsoncore.Value) *Error {
			if v.Type == bsoncore.TypeEmbeddedDocument || v.Type == bsoncore.TypeArray {
				return refuse(storedKeyProblem(v.Data))
			}
			return nil
		})
}

// hasNestedArray reports whether d (a document, or an array if inArray) holds an array directly inside an array.
func hasNestedArray(d []byte, inArray bool) bool {
	found := false
	each(d, func(el bsoncore.Element) bool {
		v := el.Value()
		switch v.Type {
		case bsoncore.TypeArray:
			found = inArray || hasNestedArray(v.Data, true)
		case bsoncore.TypeEmbeddedDocument:
			found = hasNestedArray(v.Data, false)
		}
		return !found
	})
	return found
}

func refuseNestedArrays(cmd *Command) *Error {
	nested := func() *Error {
		return notImplemented("%s does not support an array directly inside an array ([[1, 2]]); wrap the inner "+
			"array in a document ([{v: [1, 2]}])", ferret)
	}
	// $push and $addToSet add their value as one element: an array value makes a nested array.
	e := operatorFields(cmd, func(op string, f bsoncore.Element) *Error {
		if op != "$push" && op != "$addToSet" {
			return nil
		}
		v := f.Value()
		if v.Type == bsoncore.TypeArray {
			return nested()
		}
		if d, ok := v.DocumentOK(); ok {
			if vals, ok := d.Lookup("$each").ArrayOK(); ok && hasNestedArray(vals, true) {
				return nested()
			}
		}
		return nil
	})
	if e != nil {
		return e
	}
	return storedDocs(cmd,
		func(d bsoncore.Document) *Error {
			if hasNestedArray(d, false) {
				return nested()
			}
			return nil
		},
		func(v bsoncore.Value) *Error {
			if (v.Type == bsoncore.TypeArray || v.Type == bsoncore.TypeEmbeddedDocument) && hasNestedArray(v.Data, v.Type == bsoncore.TypeArray) {
				return nested()
			}
			return nil
		})
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

func refusePositional(cmd *Command) *Error {
	return operatorFields(cmd, func(_ string, f bsoncore.Element) *Error {
		for part := range strings.SplitSeq(f.Key(), ".") {
			if part == "$" || strings.HasPrefix(part, "$[") {
				return notImplemented("%s does not support the positional operators $, $[] and "+
					"$[<identifier>] (path %q); read the document, change the array and $set it", ferret, f.Key())
			}
		}
		return nil
	})
}

func refuseIDPaths(cmd *Command) *Error {
	return operatorFields(cmd, func(op string, f bsoncore.Element) *Error {
		paths := []string{f.Key()}
		if op == "$rename" {
			to, _ := f.Value().StringValueOK()
			paths = append(paths, to)
		}
		var e *Error
		for _, p := range paths {
			if strings.HasPrefix(p, "_id.") {
				e = notImplemented("%s lets an update change a field inside _id (%q), which MongoDB refuses "+
					"(ImmutableField); leave _id as it is", ferret, p)
			}
		}
		return e
	})
}

func refuseMixedUpdate(cmd *Command) *Error {
	return updateDocs(cmd, func(u bsoncore.Document) *Error {
		first, err := u.IndexErr(0)
		if err != nil || !strings.HasPrefix(first.Key(), "$") {
			return nil
		}
		var field string
		each(u, func(el bsoncore.Element) bool {
			if !strings.HasPrefix(el.Key(), "$") {
				field = el.Key()
			}
			return field == ""
		})
		if field == "" {
			return nil
		}
		return &Error{Code: 9, CodeName: "FailedToParse", Msg: "Unknown modifier: " + field +
			". Expected a valid update modifier or pipeline-style update specified as an array"}
	})
}

func refusePipelineUpdate(cmd *Command) *Error {
	return docs(cmd, "updates", func(stmt bsoncore.Document) *Error {
		if stmt.Lookup("u").Type == bsoncore.TypeArray {
			return notImplemented("%s does not support pipeline-style updates (an array of stages as the update); "+
				"use update operators", ferret)
		}
		return nil
	})
}

// serveHint answers BadValue, as MongoDB does, for a hint that names no index of an existing collection, and
// forwards the command otherwise.
func serveHint(x *Exchange) (bsoncore.Document, error) {
	hint := x.Cmd.Lookup("hint")
	specs, exists, err := listIndexes(x)
	if err != nil {
		return nil, err
	}
	if exists {
		found := false
		for _, ix := range specs {
			if name, ok := hint.StringValueOK(); ok {
				n, _ := ix.Lookup("name").StringValueOK()
				found = n == name
			} else if h, ok := hint.DocumentOK(); ok {
				k, _ := ix.Lookup("key").DocumentOK()
				found = sameKey(k, h)
			} else {
				found = true // not a hint FerretDB or MongoDB takes; FerretDB answers for it
			}
			if found {
				break
			}
		}
		if !found {
			return badValue("error processing query: planner returned error :: caused by :: hint provided does not " +
				"correspond to an existing index").doc(), nil
		}
	}
	return x.Forward(0)
}

// sameKey reports whether two index key patterns name the same fields in the same order with the same values.
func sameKey(a, b bsoncore.Document) bool {
	ae, _ := a.Elements()
	be, _ := b.Elements()
	if len(ae) != len(be) {
		return false
	}
	for i := range ae {
		if ae[i].Key() != be[i].Key() {
			return false
		}
		av, bv := ae[i].Value(), be[i].Value()
		an, aNum := numberOK(av)
		bn, bNum := numberOK(bv)
		if aNum && bNum {
			if an != bn {
				return false
			}
		} else if !av.Equal(bv) {
			return false
		}
	}
	return true
}

// cappedKey names a collection behind one front.
type cappedKey struct {
	f  *Front
	ns string
}

// cappedMax holds the max of the capped collections created through a front: cappedKey -> int64.
var cappedMax sync.Map

func namespace(cmd *Command) string { return cmd.DB() + "." + cmd.Collection() }

// rememberCappedMax records the max of a capped collection that create made, forgets the collections that drop and
// dropDatabase remove, and follows renameCollection.
func rememberCappedMax(cmd *Command, reply bsoncore.Document) bsoncore.Document {
	if _, _, failed := errorReply(reply); failed {
		return nil
	}
	switch cmd.Name {
	case "create":
		max, ok := numberOK(cmd.Lookup("max"))
		if capped, _ := cmd.Lookup("capped").BooleanOK(); capped && ok && max > 0 {
			cappedMax.Store(cappedKey{cmd.front, namespace(cmd)}, int64(max))
		}
	case "drop":
		cappedMax.Delete(cappedKey{cmd.front, namespace(cmd)})
	case "dropDatabase", "dropdatabase":
		prefix := cmd.DB() + "."
		cappedMax.Range(func(k, _ any) bool {
			if key := k.(cappedKey); key.f == cmd.front && strings.HasPrefix(key.ns, prefix) {
				cappedMax.Delete(k)
			}
			return true
		})
	default: // renameCollection: the collection keeps its max under the new name
		from, _ := cmd.Lookup(cmd.Name).StringValueOK()
		to, _ := cmd.Lookup("to").StringValueOK()
		cappedMax.Delete(cappedKey{cmd.front, to})
		if max, ok := cappedMax.LoadAndDelete(cappedKey{cmd.front, from}); ok {
			cappedMax.Store(cappedKey{cmd.front, to}, max)
		}
	}
	return nil
}

// serveCappedInsert inserts (through the built-in insert rule) and then deletes the oldest documents beyond the
// collection's max.
func serveCappedInsert(x *Exchange) (bsoncore.Document, error) {
	cmd := x.Cmd
	v, ok := cappedMax.Load(cappedKey{cmd.front, namespace(cmd)})
	if !ok {
		return serveInsertUnique(x)
	}
	max := v.(int64)
	reply, err := serveInsertUnique(x)
	if err != nil {
		return nil, err
	}
	reply = append(bsoncore.Document(nil), reply...) // valid until the next round trip otherwise
	if n, _ := numberOK(reply.Lookup("n")); n == 0 {
		return reply, nil
	}
	count, err := x.RoundTrip(bsoncore.NewDocumentBuilder().
		AppendString("count", cmd.Collection()).
		AppendString("$db", cmd.DB()).
		Build(), 0)
	if err != nil {
		return nil, err
	}
	n, _ := numberOK(count.Lookup("n"))
	extra := int64(n) - max
	if extra <= 0 {
		return reply, nil
	}
	// The oldest documents come first in a capped collection's natural order.
	found, err := x.RoundTrip(bsoncore.NewDocumentBuilder().
		AppendString("find", cmd.Collection()).
		AppendDocument("projection", bsoncore.NewDocumentBuilder().AppendInt32("_id", 1).Build()).
		AppendInt64("limit", extra).
		AppendInt64("batchSize", extra).
		AppendBoolean("singleBatch", true).
		AppendString("$db", cmd.DB()).
		Build(), 0)
	if err != nil {
		return nil, err
	}
	ids, _ := found.Lookup("cursor", "firstBatch").ArrayOK()
	idx, in := bsoncore.AppendArrayStart(nil)
	i := 0
	each(ids, func(el bsoncore.Element) bool {
		if d, ok := el.Value().DocumentOK(); ok {
			if id, err := d.LookupErr("_id"); err == nil {
				in = bsoncore.AppendValueElement(in, strconv.Itoa(i), id)
				i++
			}
		}
		return true
	})
	in, _ = bsoncore.AppendArrayEnd(in, idx)
	del := bsoncore.NewDocumentBuilder().
		AppendString("delete", cmd.Collection()).
		AppendArray("deletes", bsoncore.NewArrayBuilder().AppendDocument(bsoncore.NewDocumentBuilder().
			AppendDocument("q", bsoncore.NewDocumentBuilder().
				AppendDocument("_id", bsoncore.NewDocumentBuilder().AppendArray("$in", in).Build()).Build()).
			AppendInt32("limit", 0).Build()).Build()).
		AppendString("$db", cmd.DB()).
		Build()
	if _, err := x.RoundTrip(del, 0); err != nil {
		return nil, err
	}
	return reply, nil
}
