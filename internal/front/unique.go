package front

import (
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// FerretDB v1 keeps a unique index in SQLite, where NULL never equals NULL and an array is one value: it lets any
// number of documents miss the indexed field (or hold null there), and it does not compare array elements. MongoDB
// indexes a missing field as null, so a second such document is a duplicate key, and it indexes each element of an
// array. The rules here catch that on insert, with the collection's unique indexes looked up once (listIndexes) and
// forgotten whenever a command changes indexes or collections.

// uniqueIndex is a unique index other than _id_: its name and its key's fields.
type uniqueIndex struct {
	name string
	keys []string
}

// uniqueCache holds the unique indexes of the namespaces the front has looked up.
type uniqueCache struct {
	mu sync.Mutex
	m  map[string][]uniqueIndex // namespace: indexes, nil for none
}

func (u *uniqueCache) get(ns string) ([]uniqueIndex, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	idx, ok := u.m[ns]
	return idx, ok
}

func (u *uniqueCache) put(ns string, idx []uniqueIndex) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = map[string][]uniqueIndex{}
	}
	u.m[ns] = idx
}

func (u *uniqueCache) reset() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.m = nil
}

// forgetUniqueIndexes is the Repair hook of the commands that change indexes or collections.
func forgetUniqueIndexes(cmd *Command, _ bsoncore.Document) bsoncore.Document {
	cmd.front.uniques.reset()
	return nil
}

// uniqueIndexes returns the unique indexes of the command's collection, asking FerretDB the first time.
func uniqueIndexes(x *Exchange) ([]uniqueIndex, error) {
	cmd := x.Cmd
	ns := cmd.DB() + "." + cmd.Collection()
	if idx, ok := cmd.front.uniques.get(ns); ok {
		return idx, nil
	}
	specs, _, err := listIndexes(x)
	if err != nil {
		return nil, err
	}
	var idx []uniqueIndex
	for _, spec := range specs {
		if unique, _ := spec.Lookup("unique").BooleanOK(); !unique {
			continue
		}
		ix := uniqueIndex{}
		ix.name, _ = spec.Lookup("name").StringValueOK()
		if key, ok := spec.Lookup("key").DocumentOK(); ok {
			each(key, func(k bsoncore.Element) bool {
				ix.keys = append(ix.keys, k.Key())
				return true
			})
		}
		idx = append(idx, ix)
	}
	// a missing collection (NamespaceNotFound) has none
	cmd.front.uniques.put(ns, idx)
	return idx, nil
}

// keyValues returns the values of an index's key fields in doc: the zero Value for a missing one.
func keyValues(doc bsoncore.Document, ix uniqueIndex) []bsoncore.Value {
	vals := make([]bsoncore.Value, len(ix.keys))
	for i, k := range ix.keys {
		v, err := doc.LookupErr(strings.Split(k, ".")...)
		if err == nil {
			vals[i] = v
		}
	}
	return vals
}

// nullish reports whether a key value is missing or null.
func nullish(v bsoncore.Value) bool {
	return v.Type == 0 || v.Type == bsoncore.TypeNull || v.Type == bsoncore.TypeUndefined
}

// serveInsertUnique inserts documents whose unique key is missing or null one at a time, after checking that no
// stored document has the same key, and refuses array values in a unique key.
func serveInsertUnique(x *Exchange) (bsoncore.Document, error) {
	cmd := x.Cmd
	idx, err := uniqueIndexes(x)
	if err != nil {
		return nil, err
	}
	if len(idx) == 0 {
		return x.Forward(0)
	}
	var docs []bsoncore.Document
	nulls := false
	var refusal *Error
	cmd.Docs("documents", func(doc bsoncore.Document) bool {
		docs = append(docs, doc)
		for _, ix := range idx {
			for i, v := range keyValues(doc, ix) {
				switch {
				case v.Type == bsoncore.TypeArray:
					refusal = notImplemented("%s does not enforce the unique index %q across array values (field %q); "+
						"store one value per document, or use MongoDB", ferret, ix.name, ix.keys[i])
					return false
				case nullish(v):
					nulls = true
				}
			}
		}
		return true
	})
	if refusal != nil {
		return refusal.doc(), nil
	}
	if !nulls {
		return x.Forward(0)
	}

	ordered := isOrdered(cmd)
	db, coll := cmd.DB(), cmd.Collection()
	var n int32
	var writeErrors [][]byte
	for i, doc := range docs {
		dup, err := duplicateNull(x, doc, idx)
		if err != nil {
			return nil, err
		}
		if dup != "" {
			writeErrors = append(writeErrors, bsoncore.NewDocumentBuilder().
				AppendInt32("index", int32(i)).
				AppendInt32("code", codeDuplicateKey).
				AppendString("errmsg", "E11000 duplicate key error collection: "+db+"."+coll+" "+dup).
				Build())
			if ordered {
				break
			}
			continue
		}
		rep, err := x.RoundTrip(oneStatement(cmd, "documents", doc), 0)
		if err != nil {
			return nil, err
		}
		if code, msg, isErr := errorReply(rep); isErr {
			if i == 0 {
				return append(bsoncore.Document(nil), rep...), nil // nothing ran: the command's own error
			}
			writeErrors = append(writeErrors, writeError(int32(i), code, msg, db, coll))
			if ordered {
				break
			}
			continue
		}
		m, _ := numberOK(rep.Lookup("n"))
		n += int32(m)
		var failed bool
		writeErrors, failed = stmtWriteErrors(writeErrors, rep, i, db, coll)
		if failed && ordered {
			break
		}
	}
	b := bsoncore.NewDocumentBuilder().AppendInt32("n", n)
	if len(writeErrors) > 0 {
		b.AppendArray("writeErrors", docArray(writeErrors))
	}
	return b.AppendDouble("ok", 1).Build(), nil
}

// duplicateNull checks, for each unique index where doc's key is missing or null, whether a stored document has the
// same key (MongoDB indexes a missing field as null), and returns "index: NAME dup key: { ... }" for the first
// duplicate, or "".
func duplicateNull(x *Exchange, doc bsoncore.Document, idx []uniqueIndex) (string, error) {
	for _, ix := range idx {
		vals := keyValues(doc, ix)
		hasNull := false
		for _, v := range vals {
			hasNull = hasNull || nullish(v)
		}
		if !hasNull {
			continue
		}
		fb := bsoncore.NewDocumentBuilder()
		var shown []string
		for i, k := range ix.keys {
			if nullish(vals[i]) {
				fb.AppendNull(k)
				shown = append(shown, k+": null")
			} else {
				fb.AppendValue(k, vals[i])
				shown = append(shown, k+": "+vals[i].String())
			}
		}
		rep, err := x.RoundTrip(bsoncore.NewDocumentBuilder().
			AppendString("count", x.Cmd.Collection()).
			AppendDocument("query", fb.Build()).
			AppendInt32("limit", 1).
			AppendString("$db", x.Cmd.DB()).
			Build(), 0)
		if err != nil {
			return "", err
		}
		if n, _ := numberOK(rep.Lookup("n")); n > 0 {
			return "index: " + ix.name + " dup key: { " + strings.Join(shown, ", ") + " }", nil
		}
	}
	return "", nil
}
