package front

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// The hooks of the rules that answer through FerretDB (Serve) or correct its reply (Repair); the table is in
// rules.go, the unique-index checks of inserts in unique.go.

// serveWithoutMaxTime sends the command without maxTimeMS and waits for the reply that long.
func serveWithoutMaxTime(x *Exchange) (bsoncore.Document, error) {
	d, _ := maxTime(x.Cmd)
	return x.RoundTrip(folded(x.Cmd, "maxTimeMS"), d)
}

// serveWithout returns a Serve hook that sends the command without the fields drop.
func serveWithout(drop ...string) func(x *Exchange) (bsoncore.Document, error) {
	return func(x *Exchange) (bsoncore.Document, error) {
		return x.RoundTrip(folded(x.Cmd, drop...), 0)
	}
}

// folded returns the command's body without the fields drop, with its document sequences appended as arrays: a
// command that [Exchange.RoundTrip] can send.
func folded(cmd *Command, drop ...string) bsoncore.Document {
	return without(cmd.Body, drop, func(dst []byte) []byte {
		for _, s := range cmd.Seqs {
			idx, out := bsoncore.AppendArrayElementStart(dst, s.ID)
			i := 0
			s.Each(func(d []byte) bool {
				out = bsoncore.AppendDocumentElement(out, strconv.Itoa(i), d)
				i++
				return true
			})
			dst, _ = bsoncore.AppendArrayEnd(out, idx)
		}
		return dst
	})
}

// splitUpdate reports whether serveUpdateStatements takes an update: one with several statements, none of which
// FerretDB refuses as a whole (a pipeline, arrayFilters, collation), so that splitting never applies some statements
// of a command that FerretDB would have refused before applying any.
func splitUpdate(cmd *Command) bool {
	n, refused := 0, false
	cmd.Docs("updates", func(stmt bsoncore.Document) bool {
		n++
		refused = stmt.Lookup("u").Type != bsoncore.TypeEmbeddedDocument ||
			stmt.Lookup("arrayFilters").Type != 0 || stmt.Lookup("collation").Type != 0
		return !refused
	})
	return n > 1 && !refused
}

// serveUpdateStatements runs an update's statements one at a time and builds MongoDB's reply from the answers.
func serveUpdateStatements(x *Exchange) (bsoncore.Document, error) {
	cmd := x.Cmd
	var stmts []bsoncore.Document
	cmd.Docs("updates", func(d bsoncore.Document) bool { stmts = append(stmts, d); return true })
	ordered := isOrdered(cmd)
	db, coll := cmd.DB(), cmd.Collection()

	var n, nModified int32
	var upserted, writeErrors [][]byte
	for i, stmt := range stmts {
		rep, err := x.RoundTrip(oneStatement(cmd, "updates", stmt), 0)
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
		var failed bool
		writeErrors, failed = stmtWriteErrors(writeErrors, rep, i, db, coll)
		if failed && ordered {
			break
		}
	}
	return updateReply(n, nModified, upserted, writeErrors), nil
}

// isOrdered reports whether a write command stops at its first failed statement: ordered, true unless false.
func isOrdered(cmd *Command) bool {
	if v, ok := cmd.Lookup("ordered").BooleanOK(); ok {
		return v
	}
	return true
}

// oneStatement returns the command's body with its list key (updates, documents) holding only stmt: one statement
// of a write, to send on its own.
func oneStatement(cmd *Command, key string, stmt bsoncore.Document) bsoncore.Document {
	return without(cmd.Body, []string{key}, func(dst []byte) []byte {
		idx, dst := bsoncore.AppendArrayElementStart(dst, key)
		dst = bsoncore.AppendDocumentElement(dst, "0", stmt)
		dst, _ = bsoncore.AppendArrayEnd(dst, idx)
		return dst
	})
}

// stmtWriteErrors appends the write errors of rep, the reply to statement i sent on its own, to writeErrors as
// statement i's, and reports whether there were any.
func stmtWriteErrors(writeErrors [][]byte, rep bsoncore.Document, i int, db, coll string) ([][]byte, bool) {
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
	return writeErrors, failed
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

// sqliteUniqueIndex finds the SQLite index in FerretDB's message "UNIQUE constraint failed: index 'TABLE_HASH_NAME'".
var sqliteUniqueIndex = regexp.MustCompile(`UNIQUE constraint failed: index '(?:.*?_[0-9a-f]{8}_)?([^']*)'`)

// isUniqueViolation reports whether an error is FerretDB's InternalError for a unique-index violation.
func isUniqueViolation(code int32, msg string) bool {
	return code == codeInternalError && strings.Contains(msg, "UNIQUE constraint failed")
}

// duplicateKeyMsg returns MongoDB's DuplicateKey message as far as FerretDB's tells: the collection and the index,
// not the key's value.
func duplicateKeyMsg(msg, db, coll string) string {
	s := "E11000 duplicate key error collection: " + db + "." + coll
	if m := sqliteUniqueIndex.FindStringSubmatch(msg); m != nil {
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

// listIndexes returns the index specifications of the command's collection; ok is false if the collection does not
// exist.
func listIndexes(x *Exchange) (specs []bsoncore.Document, ok bool, err error) {
	cmd := x.Cmd
	list := bsoncore.NewDocumentBuilder().
		AppendString("listIndexes", cmd.Collection()).
		AppendString("$db", cmd.DB()).
		Build()
	rep, err := x.RoundTrip(list, 0)
	if err != nil {
		return nil, false, err
	}
	if _, _, failed := errorReply(rep); failed {
		return nil, false, nil
	}
	if batch, found := rep.Lookup("cursor", "firstBatch").ArrayOK(); found {
		each(batch, func(el bsoncore.Element) bool {
			if ix, isDoc := el.Value().DocumentOK(); isDoc {
				specs = append(specs, append(bsoncore.Document(nil), ix...))
			}
			return true
		})
	}
	return specs, true, nil
}

// serveUniqueIndex refuses, as MongoDB does, a unique index whose name an existing non-unique index has, then
// forwards the command.
func serveUniqueIndex(x *Exchange) (bsoncore.Document, error) {
	cmd := x.Cmd
	specs, _, err := listIndexes(x)
	if err != nil {
		return nil, err
	}
	existing := map[string]bool{} // name: unique
	for _, ix := range specs {
		name, _ := ix.Lookup("name").StringValueOK()
		unique, _ := ix.Lookup("unique").BooleanOK()
		existing[name] = unique
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

func repairListDatabases(cmd *Command, reply bsoncore.Document) bsoncore.Document {
	nameOnly, _ := cmd.Lookup("nameOnly").BooleanOK()
	dbs, ok := reply.Lookup("databases").ArrayOK()
	if cmd.Lookup("filter").Type != 0 || !ok {
		return nil
	}
	type entry struct {
		name string
		doc  bsoncore.Document
	}
	var entries []entry
	each(dbs, func(el bsoncore.Element) bool {
		if d, ok := el.Value().DocumentOK(); ok {
			name, _ := d.Lookup("name").StringValueOK()
			entries = append(entries, entry{name, d})
		}
		return true
	})
	if slices.ContainsFunc(entries, func(e entry) bool { return e.name == "admin" }) {
		return nil
	}
	admin := bsoncore.NewDocumentBuilder().AppendString("name", "admin")
	if !nameOnly {
		admin.AppendInt64("sizeOnDisk", 0).AppendBoolean("empty", true)
	}
	entries = append(entries, entry{"admin", admin.Build()})
	slices.SortStableFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	ab := bsoncore.NewArrayBuilder()
	for _, e := range entries {
		ab.AppendDocument(e.doc)
	}
	arr := ab.Build()
	return withField(reply, "databases", func(dst []byte) []byte { return bsoncore.AppendArrayElement(dst, "databases", arr) })
}

// goLocations matches the Go source locations that start some of FerretDB's InternalError messages.
var goLocations = regexp.MustCompile(`^(?:\[[^\]]*\.go:\d+ [^\]]*\] )+`)

func repairStackLocations(_ *Command, reply bsoncore.Document) bsoncore.Document {
	code, msg, isErr := errorReply(reply)
	if !isErr || code != codeInternalError || !goLocations.MatchString(msg) || isUniqueViolation(code, msg) {
		return nil
	}
	return (&Error{Code: code, CodeName: "InternalError", Msg: goLocations.ReplaceAllString(msg, "")}).doc()
}
