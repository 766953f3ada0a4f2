package front

// The walks over the parts of a command that the rules share: its pipeline's stages, its query filters, its
// documents, its update statements and operator fields, and its index keys. A walk stops at the first error its
// function returns.

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// stages calls fn with each stage of an aggregate's pipeline: the stage name and its argument.
func stages(cmd *Command, fn func(name string, arg bsoncore.Value) *Error) *Error {
	arr, ok := cmd.Lookup("pipeline").ArrayOK()
	if !ok {
		return nil
	}
	var e *Error
	each(arr, func(el bsoncore.Element) bool {
		stage, ok := el.Value().DocumentOK()
		if !ok {
			return true
		}
		first, err := stage.IndexErr(0)
		if err != nil {
			return true
		}
		e = fn(first.Key(), first.Value())
		return e == nil
	})
	return e
}

// filters calls check with each query filter of the command, until it returns an error.
func filters(cmd *Command, check func(filter bsoncore.Document) *Error) *Error {
	switch cmd.Name {
	case "aggregate":
		return stages(cmd, func(name string, arg bsoncore.Value) *Error {
			if f, ok := arg.DocumentOK(); ok && name == "$match" {
				return check(f)
			}
			return nil
		})
	case "update", "delete":
		list := map[string]string{"update": "updates", "delete": "deletes"}[cmd.Name]
		return docs(cmd, list, func(stmt bsoncore.Document) *Error {
			if f, ok := stmt.Lookup("q").DocumentOK(); ok {
				return check(f)
			}
			return nil
		})
	}
	for _, field := range filterFields[cmd.Name] {
		if f, ok := cmd.Lookup(field).DocumentOK(); ok {
			if e := check(f); e != nil {
				return e
			}
		}
	}
	return nil
}

// docs calls fn with each document of the command's list key (a document sequence or an array field), until it
// returns an error.
func docs(cmd *Command, key string, fn func(d bsoncore.Document) *Error) *Error {
	var e *Error
	cmd.Docs(key, func(d bsoncore.Document) bool {
		e = fn(d)
		return e == nil
	})
	return e
}

// updateStatements calls fn with the query and the update document of each statement of an update command, or of a
// findAndModify (its query and update), until it returns an error. A statement whose update is not a document (a
// pipeline) is skipped; a missing query is an empty document.
func updateStatements(cmd *Command, fn func(q, u bsoncore.Document) *Error) *Error {
	if cmd.Name == "update" {
		return docs(cmd, "updates", func(stmt bsoncore.Document) *Error {
			q, _ := stmt.Lookup("q").DocumentOK()
			if u, ok := stmt.Lookup("u").DocumentOK(); ok {
				return fn(q, u)
			}
			return nil
		})
	}
	q, _ := cmd.Lookup("query").DocumentOK()
	if u, ok := cmd.Lookup("update").DocumentOK(); ok {
		return fn(q, u)
	}
	return nil
}

// updateDocs calls fn with each update document of an update or findAndModify command (not replacements or
// pipelines are skipped by the caller's checks).
func updateDocs(cmd *Command, fn func(u bsoncore.Document) *Error) *Error {
	return updateStatements(cmd, func(_, u bsoncore.Document) *Error { return fn(u) })
}

// operatorFields calls fn with each field of each update operator ($set: {field: ...}) of an update or findAndModify
// command, and the operator, until it returns an error. The fields of a replacement are skipped.
func operatorFields(cmd *Command, fn func(op string, f bsoncore.Element) *Error) *Error {
	return updateDocs(cmd, func(u bsoncore.Document) *Error {
		var e *Error
		each(u, func(op bsoncore.Element) bool {
			args, ok := op.Value().DocumentOK()
			if !ok || !strings.HasPrefix(op.Key(), "$") {
				return true
			}
			each(args, func(f bsoncore.Element) bool {
				e = fn(op.Key(), f)
				return e == nil
			})
			return e == nil
		})
		return e
	})
}

// indexKeys calls fn with each field of the key of each index that a createIndexes asks for, until it returns an
// error.
func indexKeys(cmd *Command, fn func(el bsoncore.Element) *Error) *Error {
	return docs(cmd, "indexes", func(spec bsoncore.Document) *Error {
		key, ok := spec.Lookup("key").DocumentOK()
		if !ok {
			return nil
		}
		var e *Error
		each(key, func(el bsoncore.Element) bool {
			e = fn(el)
			return e == nil
		})
		return e
	})
}
