package front

import (
	"bytes"
	"encoding/binary"
	"math"
	"regexp"
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
			// FerretDB v1 closes the connection on eval; MongoDB 4.2 removed it.
			Name:     "eval",
			Commands: []string{"eval", "$eval"},
			Refuse: func(cmd *Command) *Error {
				return &Error{Code: codeCommandNotFound, CodeName: "CommandNotFound",
					Msg: "no such command: '" + cmd.Name + "' (MongoDB 4.2 removed it, and " + ferret + " closes the connection on it)"}
			},
		},
		{
			// FerretDB issue #4616: a $group with more than one accumulator computes only the first; the others
			// come back as 0.
			Name:     "$group with several accumulators",
			Commands: []string{"aggregate"},
			Refuse:   refuseGroupAccumulators,
		},
		{
			// $project, $addFields and $set return a field path ("$qty") or an expression nested in a document or
			// an array as a literal, and take a nested document in $project as a literal rather than a
			// sub-projection. The same for a field path in find's projection.
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
			// create accepts a capped collection's max (a document count) and does not enforce it.
			Name:     "capped max",
			Commands: []string{"create"},
			Refuse: func(cmd *Command) *Error {
				if cmd.Lookup("max").Type == 0 {
					return nil
				}
				return notImplemented("%s does not enforce a capped collection's max (the document count); "+
					"create it without max (size is accepted) and trim the collection in the application", ferret)
			},
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
			// An update with several statements gets a wrong upserted index, loses n, nModified and upserted after
			// a write error, reports a write error at the wrong index, and fails as a whole (InternalError) on a
			// unique-index violation. The front runs the statements one at a time and adds up the replies.
			Name:     "bulk update replies",
			Commands: []string{"update"},
			Applies:  func(cmd *Command) bool { return countDocs(cmd, "updates") > 1 },
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

func refuseGroupAccumulators(cmd *Command) *Error {
	return stages(cmd, func(name string, arg bsoncore.Value) *Error {
		spec, ok := arg.DocumentOK()
		if name != "$group" || !ok {
			return nil
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

// expressionIn describes the first field of a projection or $addFields specification whose value FerretDB v1
// returns as a literal instead of evaluating it, or returns "". A top-level operator ({x: {$type: "$a"}}) is left to
// FerretDB, which evaluates it or answers NotImplemented; in a projection, a document without operators is a
// sub-projection in MongoDB and a literal in FerretDB.
func expressionIn(spec bsoncore.Document, projection bool) string {
	what := ""
	each(spec, func(el bsoncore.Element) bool {
		v := el.Value()
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
			case containsExpression(d):
				what = "an expression inside the document of field " + quote(el.Key())
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
	check := func(filter bsoncore.Document) *Error {
		if what := elemMatchProblem(filter); what != "" {
			return notImplemented("%s %s; filter the array in the application, or restructure the data", ferret, what)
		}
		return nil
	}
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
		var e *Error
		cmd.Docs(list, func(stmt bsoncore.Document) bool {
			if f, ok := stmt.Lookup("q").DocumentOK(); ok {
				e = check(f)
			}
			return e == nil
		})
		return e
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

// updateDocs calls fn with each update document of an update or findAndModify command (not replacements or
// pipelines are skipped by the caller's checks).
func updateDocs(cmd *Command, fn func(u bsoncore.Document) *Error) *Error {
	if cmd.Name == "update" {
		var e *Error
		cmd.Docs("updates", func(stmt bsoncore.Document) bool {
			if u, ok := stmt.Lookup("u").DocumentOK(); ok {
				e = fn(u)
			}
			return e == nil
		})
		return e
	}
	if u, ok := cmd.Lookup("update").DocumentOK(); ok {
		return fn(u)
	}
	return nil
}

func refuseUpdateOperators(cmd *Command) *Error {
	return updateDocs(cmd, func(u bsoncore.Document) *Error {
		var e *Error
		each(u, func(op bsoncore.Element) bool {
			args, ok := op.Value().DocumentOK()
			if !ok {
				return true
			}
			each(args, func(f bsoncore.Element) bool {
				field, v := f.Key(), f.Value()
				switch op.Key() {
				case "$push":
					if d, ok := v.DocumentOK(); ok && d.Lookup("$each").Type != 0 {
						for _, m := range []string{"$slice", "$sort", "$position"} {
							if d.Lookup(m).Type != 0 {
								e = notImplemented("%s ignores the %s modifier of $push (field %q); "+
									"read the array, change it and $set it", ferret, m, field)
								break
							}
						}
					}
				case "$pull":
					if v.Type == bsoncore.TypeEmbeddedDocument {
						e = notImplemented("%s removes nothing with a $pull condition or document pattern "+
							"(field %q); use $pullAll with the exact values, or read, filter and $set the array",
							ferret, field)
					}
				case "$unset":
					if hasIndexComponent(field) {
						e = notImplemented("%s removes the array element %q that $unset should set to null; "+
							"use $set with null", ferret, field)
					}
				}
				return e == nil
			})
			return e == nil
		})
		return e
	})
}

func refuseNegativeZero(cmd *Command) *Error {
	msg := func() *Error {
		return notImplemented("%s stores -0.0 as 0.0 and loses the sign; store 0.0, or keep the sign in another field", ferret)
	}
	if cmd.Name == "insert" {
		var e *Error
		cmd.Docs("documents", func(d bsoncore.Document) bool {
			if hasNegativeZero(d) {
				e = msg()
			}
			return e == nil
		})
		return e
	}
	return updateDocs(cmd, func(u bsoncore.Document) *Error {
		if hasNegativeZero(u) {
			return msg()
		}
		return nil
	})
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

// serveWithoutMaxTime sends the command without maxTimeMS and waits for the reply that long.
func serveWithoutMaxTime(x *Exchange) (bsoncore.Document, error) {
	d, _ := maxTime(x.Cmd)
	return x.RoundTrip(without(x.Cmd.Body, []string{"maxTimeMS"}), d)
}

// countDocs returns how many documents the array or sequence key holds.
func countDocs(cmd *Command, key string) int {
	n := 0
	cmd.Docs(key, func(bsoncore.Document) bool { n++; return true })
	return n
}

// serveUpdateStatements runs an update's statements one at a time and builds MongoDB's reply from the answers.
func serveUpdateStatements(x *Exchange) (bsoncore.Document, error) {
	cmd := x.Cmd
	var stmts []bsoncore.Document
	cmd.Docs("updates", func(d bsoncore.Document) bool { stmts = append(stmts, d); return true })
	ordered := true
	if v, ok := cmd.Lookup("ordered").BooleanOK(); ok {
		ordered = v
	}
	db, coll := cmd.DB(), cmd.Collection()

	var n, nModified int32
	var upserted, writeErrors [][]byte
	for i, stmt := range stmts {
		sub := without(cmd.Body, []string{"updates"}, func(dst []byte) []byte {
			idx, dst := bsoncore.AppendArrayElementStart(dst, "updates")
			dst = bsoncore.AppendDocumentElement(dst, "0", stmt)
			dst, _ = bsoncore.AppendArrayEnd(dst, idx)
			return dst
		})
		rep, err := x.RoundTrip(sub, 0)
		if err != nil {
			return nil, err
		}
		if code, msg, isErr := errorReply(rep); isErr {
			if i == 0 && !isUniqueViolation(code, msg) {
				return append(bsoncore.Document(nil), rep...), nil // nothing ran: the command's own error
			}
			writeErrors = append(writeErrors, writeError(int32(i), code, msg, db, coll))
			if ordered {
				break
			}
			continue
		}
		a, _ := numberOK(rep.Lookup("n"))
		m, _ := numberOK(rep.Lookup("nModified"))
		n += int32(a)
		nModified += int32(m)
		if arr, ok := rep.Lookup("upserted").ArrayOK(); ok {
			each(arr, func(el bsoncore.Element) bool {
				if u, ok := el.Value().DocumentOK(); ok {
					upserted = append(upserted, bsoncore.NewDocumentBuilder().
						AppendInt32("index", int32(i)).
						AppendValue("_id", u.Lookup("_id")).
						Build())
				}
				return true
			})
		}
		failed := false
		if arr, ok := rep.Lookup("writeErrors").ArrayOK(); ok {
			each(arr, func(el bsoncore.Element) bool {
				if we, ok := el.Value().DocumentOK(); ok {
					c, _ := numberOK(we.Lookup("code"))
					msg, _ := we.Lookup("errmsg").StringValueOK()
					writeErrors = append(writeErrors, writeError(int32(i), int32(c), msg, db, coll))
					failed = true
				}
				return true
			})
		}
		if failed && ordered {
			break
		}
	}
	return updateReply(n, nModified, upserted, writeErrors), nil
}

// updateReply builds an update command's reply.
func updateReply(n, nModified int32, upserted, writeErrors [][]byte) bsoncore.Document {
	b := bsoncore.NewDocumentBuilder().AppendInt32("n", n).AppendInt32("nModified", nModified)
	if len(upserted) > 0 {
		b.AppendArray("upserted", docArray(upserted))
	}
	if len(writeErrors) > 0 {
		b.AppendArray("writeErrors", docArray(writeErrors))
	}
	return b.AppendDouble("ok", 1).Build()
}

func docArray(docs [][]byte) bsoncore.Array {
	ab := bsoncore.NewArrayBuilder()
	for _, d := range docs {
		ab.AppendDocument(d)
	}
	return ab.Build()
}

// writeError builds a write error, with a unique-index violation turned into DuplicateKey.
func writeError(index, code int32, msg, db, coll string) []byte {
	if isUniqueViolation(code, msg) {
		code, msg = codeDuplicateKey, duplicateKeyMsg(msg, db, coll)
	}
	return bsoncore.NewDocumentBuilder().
		AppendInt32("index", index).
		AppendInt32("code", code).
		AppendString("errmsg", msg).
		Build()
}

// repairUpdateReply fixes a one-statement update's reply (several statements are served by serveUpdateStatements).
func repairUpdateReply(cmd *Command, reply bsoncore.Document) bsoncore.Document {
	if code, msg, isErr := errorReply(reply); isErr {
		if !isUniqueViolation(code, msg) {
			return nil
		}
		return updateReply(0, 0, nil, [][]byte{writeError(0, code, msg, cmd.DB(), cmd.Collection())})
	}
	if reply.Lookup("writeErrors").Type == 0 || reply.Lookup("nModified").Type != 0 {
		return nil
	}
	// a failed statement changed nothing: n and nModified are 0
	var writeErrors [][]byte
	if arr, ok := reply.Lookup("writeErrors").ArrayOK(); ok {
		each(arr, func(el bsoncore.Element) bool {
			if d, ok := el.Value().DocumentOK(); ok {
				writeErrors = append(writeErrors, d)
			}
			return true
		})
	}
	n, _ := numberOK(reply.Lookup("n"))
	return updateReply(int32(n), 0, nil, writeErrors)
}

// uniqueIndex finds the SQLite index in FerretDB's message "UNIQUE constraint failed: index 'TABLE_HASH_NAME'".
var uniqueIndex = regexp.MustCompile(`UNIQUE constraint failed: index '(?:.*?_[0-9a-f]{8}_)?([^']*)'`)

// isUniqueViolation reports whether an error is FerretDB's InternalError for a unique-index violation.
func isUniqueViolation(code int32, msg string) bool {
	return code == codeInternalError && strings.Contains(msg, "UNIQUE constraint failed")
}

// duplicateKeyMsg returns MongoDB's DuplicateKey message as far as FerretDB's tells: the collection and the index,
// not the key's value.
func duplicateKeyMsg(msg, db, coll string) string {
	s := "E11000 duplicate key error collection: " + db + "." + coll
	if m := uniqueIndex.FindStringSubmatch(msg); m != nil {
		s += " index: " + m[1]
	}
	return s
}

// repairDuplicateKey turns FerretDB's InternalError for a unique-index violation into DuplicateKey.
func repairDuplicateKey(cmd *Command, reply bsoncore.Document) bsoncore.Document {
	code, msg, isErr := errorReply(reply)
	if !isErr || !isUniqueViolation(code, msg) {
		return nil
	}
	return (&Error{Code: codeDuplicateKey, CodeName: "DuplicateKey", Msg: duplicateKeyMsg(msg, cmd.DB(), cmd.Collection())}).doc()
}

// requestsUniqueIndex reports whether a createIndexes asks for a unique index.
func requestsUniqueIndex(cmd *Command) bool {
	found := false
	cmd.Docs("indexes", func(spec bsoncore.Document) bool {
		found, _ = spec.Lookup("unique").BooleanOK()
		return !found
	})
	return found
}

// serveUniqueIndex refuses, as MongoDB does, a unique index whose name an existing non-unique index has, then
// forwards the command.
func serveUniqueIndex(x *Exchange) (bsoncore.Document, error) {
	cmd := x.Cmd
	list := bsoncore.NewDocumentBuilder().
		AppendString("listIndexes", cmd.Collection()).
		AppendString("$db", cmd.DB()).
		Build()
	rep, err := x.RoundTrip(list, 0)
	if err != nil {
		return nil, err
	}
	existing := map[string]bool{} // name: unique
	if batch, ok := rep.Lookup("cursor", "firstBatch").ArrayOK(); ok {
		each(batch, func(el bsoncore.Element) bool {
			if ix, ok := el.Value().DocumentOK(); ok {
				name, _ := ix.Lookup("name").StringValueOK()
				unique, _ := ix.Lookup("unique").BooleanOK()
				existing[name] = unique
			}
			return true
		})
	}
	var conflict string
	cmd.Docs("indexes", func(spec bsoncore.Document) bool {
		name, _ := spec.Lookup("name").StringValueOK()
		if unique, _ := spec.Lookup("unique").BooleanOK(); unique {
			if wasUnique, ok := existing[name]; ok && !wasUnique {
				conflict = name
			}
		}
		return conflict == ""
	})
	if conflict != "" {
		return (&Error{Code: codeIndexOptionsConflict, CodeName: "IndexOptionsConflict",
			Msg: "Index with name: " + conflict + " already exists with different options " +
				"(" + ferret + " would answer ok and keep it non-unique); drop it first"}).doc(), nil
	}
	return x.Forward(0)
}
