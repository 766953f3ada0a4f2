package front

// The conformance suite's rules about what a write stores or changes: keys and values FerretDB stores wrongly,
// updates it applies wrongly, and write concerns it cannot satisfy. suite_rules.go registers them.

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

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
