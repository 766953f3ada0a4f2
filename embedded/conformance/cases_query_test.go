package conformance_test

import (
	"fmt"
	"strings"
)

// The cases' answers are MongoDB's, as its manual documents them (https://www.mongodb.com/docs/manual/reference/),
// for MongoDB 7.0, the version that the embedded server reports.

// inventory is the query cases' collection, after the manual's examples.
const inventory = `[
 {"_id": 1, "item": "journal", "qty": 25, "tags": ["blank", "red"], "size": {"h": 14, "w": 21, "uom": "cm"}, "status": "A"},
 {"_id": 2, "item": "notebook", "qty": 50, "tags": ["red", "blank"], "size": {"h": 8.5, "w": 11, "uom": "in"}, "status": "A"},
 {"_id": 3, "item": "paper", "qty": 100, "tags": ["red", "blank", "plain"], "size": {"h": 8.5, "w": 11, "uom": "in"}, "status": "D"},
 {"_id": 4, "item": "planner", "qty": 75, "tags": ["blank", "red"], "size": {"h": 22.85, "w": 30, "uom": "cm"}, "status": "D"},
 {"_id": 5, "item": "postcard", "qty": 45, "tags": ["blue"], "size": {"h": 10, "w": 15.25, "uom": "cm"}, "status": "A"},
 {"_id": 6, "item": "eraser"}
]`

// survey holds arrays of numbers and of documents, for $elemMatch and paths into arrays.
const survey = `[
 {"_id": 1, "scores": [82, 85, 88], "results": [{"product": "abc", "score": 10}, {"product": "xyz", "score": 5}]},
 {"_id": 2, "scores": [75, 88, 89], "results": [{"product": "abc", "score": 8}, {"product": "xyz", "score": 7}]},
 {"_id": 3, "scores": [60, 70], "results": [{"product": "abc", "score": 7}, {"product": "xyz", "score": 8}]}
]`

// ids returns the documents {"_id": id} as a JSON array.
func ids(ids ...int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf(`{"_id": %d}`, id)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// query is a find with filter on docs that must return the documents with the given _ids.
func query(feature, name, docs, filter string, want ...int) tcase {
	return tcase{area: "query", feature: feature, name: name, docs: docs,
		cmd:  `{"find": "c", "filter": ` + filter + `, "projection": {"_id": 1}, "sort": {"_id": 1}}`,
		want: ids(want...), ordered: true}
}

// queryErr is a find with filter on inventory that MongoDB answers with an error.
func queryErr(feature, name, filter string, code int32) tcase {
	return tcase{area: "query", feature: feature, name: name, docs: inventory,
		cmd: `{"find": "c", "filter": ` + filter + `}`, code: code}
}

func queryCases() []tcase {
	const bits = `[{"_id": 1, "a": 54}, {"_id": 2, "a": 20}, {"_id": 3, "a": 20.0}, {"_id": 4, "a": 102}]`
	const points = `[{"_id": 1, "loc": [1, 1]}, {"_id": 2, "loc": [5, 5]}, {"_id": 3, "loc": [20, 20]}]`
	return []tcase{
		query("$eq", "explicit", inventory, `{"qty": {"$eq": 25}}`, 1),
		query("$eq", "implicit", inventory, `{"qty": 25}`, 1),
		query("$eq", "embedded field", inventory, `{"size.uom": "in"}`, 2, 3),
		query("$eq", "array contains the value", inventory, `{"tags": "blue"}`, 5),
		query("$eq", "whole array, in order", inventory, `{"tags": ["blank", "red"]}`, 1, 4),
		query("$eq", "whole embedded document", inventory, `{"size": {"h": 14, "w": 21, "uom": "cm"}}`, 1),
		query("$eq", "embedded document in another field order", inventory, `{"size": {"w": 21, "h": 14, "uom": "cm"}}`),
		query("$eq", "null matches a missing field", inventory, `{"qty": null}`, 6),
		query("$eq", "array element by index", inventory, `{"tags.0": "red"}`, 2, 3),
		query("$eq", "path through an array of documents", survey, `{"results.product": "xyz"}`, 1, 2, 3),
		query("$ne", "includes documents without the field", inventory, `{"qty": {"$ne": 25}}`, 2, 3, 4, 5, 6),
		query("$ne", "array holding the value", inventory, `{"tags": {"$ne": "red"}}`, 5, 6),
		query("$gt", "numbers", inventory, `{"qty": {"$gt": 50}}`, 3, 4),
		query("$gt", "other types do not match", inventory, `{"qty": {"$gt": "a"}}`),
		query("$gt", "any element of an array", survey, `{"scores": {"$gt": 88}}`, 2),
		query("$gt", "path through an array of documents", survey, `{"results.score": {"$gt": 9}}`, 1),
		query("$gte", "numbers", inventory, `{"qty": {"$gte": 50}}`, 2, 3, 4),
		query("$lt", "numbers", inventory, `{"qty": {"$lt": 45}}`, 1),
		query("$lte", "numbers and doubles", inventory, `{"size.h": {"$lte": 10}}`, 2, 3, 5),
		query("$lt", "range on an array: different elements may match", survey, `{"scores": {"$gt": 80, "$lt": 81}}`, 2),
		query("$in", "values", inventory, `{"qty": {"$in": [25, 75]}}`, 1, 4),
		query("$in", "array field", inventory, `{"tags": {"$in": ["blue", "plain"]}}`, 3, 5),
		query("$in", "null matches a missing field", inventory, `{"qty": {"$in": [null, 100]}}`, 3, 6),
		query("$in", "regular expression", inventory, `{"item": {"$in": [{"$regularExpression": {"pattern": "^p", "options": ""}}]}}`, 3, 4, 5),
		query("$nin", "includes documents without the field", inventory, `{"qty": {"$nin": [25, 75]}}`, 2, 3, 5, 6),
		query("$and", "explicit", inventory, `{"$and": [{"qty": {"$gt": 25}}, {"qty": {"$lt": 75}}]}`, 2, 5),
		query("$and", "implicit, two fields", inventory, `{"status": "A", "qty": {"$lt": 30}}`, 1),
		query("$or", "two clauses", inventory, `{"$or": [{"qty": {"$lt": 30}}, {"status": "D"}]}`, 1, 3, 4),
		query("$nor", "neither clause", inventory, `{"$nor": [{"status": "A"}, {"qty": {"$gt": 80}}]}`, 4, 6),
		query("$not", "operator expression", inventory, `{"qty": {"$not": {"$gt": 50}}}`, 1, 2, 5, 6),
		query("$not", "regular expression", inventory, `{"item": {"$not": {"$regularExpression": {"pattern": "^p", "options": ""}}}}`, 1, 2, 6),
		query("$exists", "true", inventory, `{"qty": {"$exists": true}}`, 1, 2, 3, 4, 5),
		query("$exists", "false", inventory, `{"qty": {"$exists": false}}`, 6),
		query("$exists", "embedded field", inventory, `{"size.uom": {"$exists": true}}`, 1, 2, 3, 4, 5),
		query("$type", "double", inventory, `{"size.h": {"$type": "double"}}`, 2, 3, 4),
		query("$type", "int", inventory, `{"qty": {"$type": "int"}}`, 1, 2, 3, 4, 5),
		query("$type", "number alias", inventory, `{"size.w": {"$type": "number"}}`, 1, 2, 3, 4, 5),
		query("$type", "numeric code", inventory, `{"item": {"$type": 2}}`, 1, 2, 3, 4, 5, 6),
		query("$type", "array", inventory, `{"tags": {"$type": "array"}}`, 1, 2, 3, 4, 5),
		query("$type", "list of types", inventory, `{"size.h": {"$type": ["double", "string"]}}`, 2, 3, 4),
		query("$regex", "anchored", inventory, `{"item": {"$regex": "^p"}}`, 3, 4, 5),
		query("$regex", "case-insensitive option", inventory, `{"item": {"$regex": "^P", "$options": "i"}}`, 3, 4, 5),
		query("$regex", "BSON regular expression", inventory, `{"item": {"$regularExpression": {"pattern": "ER$", "options": "i"}}}`, 3, 4, 6),
		query("$regex", "array elements", inventory, `{"tags": {"$regex": "^pl"}}`, 3),
		query("$mod", "divisor and remainder", inventory, `{"qty": {"$mod": [25, 0]}}`, 1, 2, 3, 4),
		query("$all", "values", inventory, `{"tags": {"$all": ["red", "blank"]}}`, 1, 2, 3, 4),
		query("$all", "with $elemMatch", survey, `{"results": {"$all": [{"$elemMatch": {"product": "xyz", "score": {"$gte": 7}}}]}}`, 2, 3),
		query("$size", "array length", inventory, `{"tags": {"$size": 2}}`, 1, 2, 4),
		query("$elemMatch", "two range conditions on one element", survey, `{"scores": {"$elemMatch": {"$gte": 80, "$lt": 85}}}`, 1),
		query("$elemMatch", "two range conditions, no element satisfies both", survey, `{"scores": {"$elemMatch": {"$gt": 80, "$lt": 82}}}`),
		query("$elemMatch", "documents", survey, `{"results": {"$elemMatch": {"product": "xyz", "score": {"$gte": 8}}}}`, 3),
		query("$bitsAllSet", "positions", bits, `{"a": {"$bitsAllSet": [1, 5]}}`, 1, 4),
		query("$bitsAnySet", "positions", bits, `{"a": {"$bitsAnySet": [1, 5]}}`, 1, 4),
		query("$bitsAllClear", "positions", bits, `{"a": {"$bitsAllClear": [1, 5]}}`, 2, 3),
		query("$bitsAnyClear", "bitmask", bits, `{"a": {"$bitsAnyClear": 35}}`, 1, 2, 3, 4),
		query("$comment", "ignored by matching", inventory, `{"qty": 25, "$comment": "the journal"}`, 1),
		query("$expr", "compares two fields", `[{"_id": 1, "a": 5, "b": 3}, {"_id": 2, "a": 1, "b": 3}]`, `{"$expr": {"$gt": ["$a", "$b"]}}`, 1),
		query("$jsonSchema", "required field", inventory, `{"$jsonSchema": {"required": ["qty"]}}`, 1, 2, 3, 4, 5),
		query("$where", "JavaScript", inventory, `{"$where": "this.qty > 80"}`, 3),
		query("$geoWithin", "$box on legacy points", points, `{"loc": {"$geoWithin": {"$box": [[0, 0], [10, 10]]}}}`, 1, 2),
		query("$geoWithin", "$center on legacy points", points, `{"loc": {"$geoWithin": {"$center": [[0, 0], 3]}}}`, 1),
		{area: "query", feature: "$text", name: "needs a text index", docs: inventory,
			cmd: `{"find": "c", "filter": {"$text": {"$search": "paper"}}}`, code: 27},
		{area: "query", feature: "$near", name: "needs a geospatial index", docs: points,
			cmd: `{"find": "c", "filter": {"loc": {"$near": [0, 0]}}}`, code: anyError}, // the manual: $near requires a geospatial index
		queryErr("$eq", "unknown operator", `{"qty": {"$foo": 1}}`, 2),
		queryErr("$and", "unknown top-level operator", `{"$foo": [{"qty": 1}]}`, 2),
		queryErr("$and", "empty array", `{"$and": []}`, 2),
		queryErr("$or", "not an array", `{"$or": {"qty": 1}}`, 2),
		queryErr("$in", "not an array", `{"qty": {"$in": 5}}`, 2),
		queryErr("$size", "not a number", `{"tags": {"$size": "two"}}`, 2),
		queryErr("$mod", "one element", `{"qty": {"$mod": [5]}}`, 2),
		queryErr("$regex", "invalid pattern", `{"item": {"$regex": "("}}`, 51091),
		queryErr("$type", "unknown alias", `{"qty": {"$type": "foo"}}`, 2),
		queryErr("$not", "a value, not an expression", `{"qty": {"$not": 5}}`, 2),
		queryErr("$exists", "$exists at the top level", `{"$exists": true}`, 2),
		queryErr("$elemMatch", "not a document", `{"tags": {"$elemMatch": 1}}`, 2),
	}
}

// find is a find on inventory with the command's other fields opts, which must return want in order.
func find(feature, name, opts, want string) tcase {
	return tcase{area: "find", feature: feature, name: name, docs: inventory,
		cmd: `{"find": "c", ` + opts + `}`, want: want, ordered: true}
}

// findCases are the find command's options.
func findCases() []tcase {
	findErr := func(feature, name, opts string, code int32) tcase {
		return tcase{area: "find", feature: feature, name: name, docs: inventory, cmd: `{"find": "c", ` + opts + `}`, code: code}
	}
	return []tcase{
		find("sort", "descending, missing field last", `"sort": {"qty": -1}, "projection": {"_id": 1}`, ids(3, 4, 2, 5, 1, 6)),
		find("sort", "array field ascending uses the smallest element", `"sort": {"tags": 1, "_id": 1}, "projection": {"_id": 1}`, ids(6, 1, 2, 3, 4, 5)),
		find("sort", "array field descending uses the largest element", `"sort": {"tags": -1, "_id": -1}, "projection": {"_id": 1}`, ids(4, 3, 2, 1, 5, 6)),
		find("sort", "embedded field, then _id", `"sort": {"size.h": 1, "_id": -1}, "projection": {"_id": 1}`, ids(6, 3, 2, 5, 1, 4)),
		find("skip", "skip and limit", `"sort": {"_id": 1}, "skip": 1, "limit": 2, "projection": {"_id": 1}`, ids(2, 3)),
		find("limit", "limit larger than the result", `"sort": {"_id": 1}, "limit": 10, "filter": {"qty": {"$gt": 70}}, "projection": {"_id": 1}`, ids(3, 4)),
		find("projection", "inclusion keeps _id", `"filter": {"_id": 1}, "projection": {"item": 1, "qty": 1}`, `[{"_id": 1, "item": "journal", "qty": 25}]`),
		find("projection", "exclusion", `"filter": {"_id": 5}, "projection": {"tags": 0, "size": 0, "status": 0}`, `[{"_id": 5, "item": "postcard", "qty": 45}]`),
		find("projection", "embedded field", `"filter": {"_id": 2}, "projection": {"_id": 0, "size.uom": 1}`, `[{"size": {"uom": "in"}}]`),
		find("projection", "$slice", `"filter": {"_id": 3}, "projection": {"item": 1, "tags": {"$slice": 2}}`, `[{"_id": 3, "item": "paper", "tags": ["red", "blank"]}]`),
		find("projection", "$slice with skip", `"filter": {"_id": 3}, "projection": {"_id": 0, "tags": {"$slice": [1, 1]}, "item": 1}`, `[{"item": "paper", "tags": ["blank"]}]`),
		find("projection", "field path", `"filter": {"_id": 1}, "projection": {"_id": 0, "q": "$qty"}`, `[{"q": 25}]`),
		find("projection", "expression", `"filter": {"_id": 1}, "projection": {"_id": 0, "twice": {"$multiply": ["$qty", 2]}}`, `[{"twice": 50}]`),
		find("projection", "literal value", `"filter": {"_id": 1}, "projection": {"_id": 0, "qty": 1, "x": {"$literal": 5}}`, `[{"qty": 25, "x": 5}]`),
		{area: "find", feature: "projection", name: "$elemMatch", docs: survey,
			cmd:  `{"find": "c", "filter": {"_id": 2}, "projection": {"results": {"$elemMatch": {"score": {"$gt": 7}}}}}`,
			want: `[{"_id": 2, "results": [{"product": "abc", "score": 8}]}]`},
		{area: "find", feature: "projection", name: "positional $", docs: survey,
			cmd:  `{"find": "c", "filter": {"_id": 1, "scores": {"$gt": 83}}, "projection": {"scores.$": 1}}`,
			want: `[{"_id": 1, "scores": [85]}]`},
		find("batchSize", "with comment and maxTimeMS", `"filter": {"qty": {"$gte": 75}}, "batchSize": 1, "comment": "c", "maxTimeMS": 60000, "projection": {"_id": 1}, "sort": {"_id": 1}`, ids(3, 4)),
		findErr("projection", "inclusion and exclusion mixed", `"projection": {"item": 1, "qty": 0}`, 31254),
		findErr("limit", "negative", `"limit": -2`, 51024),
		findErr("skip", "negative", `"skip": -1`, 51024),
		{area: "find", feature: "hint", name: "unknown index", docs: inventory,
			cmd: `{"find": "c", "hint": {"nosuch": 1}}`, code: 2},
		{area: "command", feature: "count", name: "with query", docs: inventory,
			cmd: `{"count": "c", "query": {"status": "A"}}`, want: `{"n": 3}`},
		{area: "command", feature: "count", name: "skip and limit", docs: inventory,
			cmd: `{"count": "c", "query": {}, "skip": 2, "limit": 3}`, want: `{"n": 3}`},
		{area: "command", feature: "distinct", name: "one value", docs: inventory,
			cmd: `{"distinct": "c", "key": "status", "query": {"_id": {"$lte": 2}}}`, want: `{"values": ["A"]}`},
		{area: "command", feature: "distinct", name: "array elements", docs: inventory,
			cmd: `{"distinct": "c", "key": "tags", "query": {"_id": 5}}`, want: `{"values": ["blue"]}`},
		{area: "command", feature: "maxTimeMS", name: "distinct", docs: inventory,
			cmd: `{"distinct": "c", "key": "status", "query": {"_id": 1}, "maxTimeMS": 60000}`, want: `{"values": ["A"]}`},
		{area: "command", feature: "maxTimeMS", name: "find", docs: inventory,
			cmd: `{"find": "c", "filter": {"_id": 1}, "projection": {"_id": 1}, "maxTimeMS": 60000}`, want: ids(1)},
		{area: "command", feature: "maxTimeMS", name: "count", docs: inventory,
			cmd: `{"count": "c", "maxTimeMS": 60000}`, want: `{"n": 6}`},
		{area: "command", feature: "maxTimeMS", name: "aggregate", docs: inventory,
			cmd: `{"aggregate": "c", "pipeline": [{"$count": "n"}], "cursor": {}, "maxTimeMS": 60000}`, want: `[{"n": 6}]`},
		{area: "command", feature: "collation", name: "find, case-insensitive", docs: inventory,
			cmd:  `{"find": "c", "filter": {"item": "JOURNAL"}, "projection": {"_id": 1}, "collation": {"locale": "en", "strength": 2}}`,
			want: ids(1)},
	}
}
