package motor

// The document hooks: the two seams where documents meet the server, one where they are written and one where they
// are decoded. A database has none until a deprecated feature installs them from its own file; a database without
// hooks pays one atomic load per document.

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// hookSlot holds the document hooks of a database and the handles derived from it: nil until installed.
type hookSlot struct {
	mu sync.Mutex // serialises installs
	p  atomic.Pointer[docHooks]
}

// docHooks transform the whole documents that a database's handles write and the documents they decode.
type docHooks struct {
	// write returns the document to write to coll in place of doc: a document to insert, or with replace a
	// replacement, which must not get an _id (the server keeps the replaced document's).
	write func(coll *Collection, doc any, replace bool) (any, error)
	// read returns the bytes to decode with c in place of raw, read from coll of db (nil: from db itself, such as a
	// command cursor's documents).
	read func(db *Database, coll *Collection, c *codec, raw bson.Raw) (bson.Raw, error)
	// state is what the installer keeps with the hooks.
	state any
}

func (h *hookSlot) load() *docHooks {
	if h == nil {
		return nil
	}
	return h.p.Load()
}

// rewritesReads reports whether db has a read hook, which may change the documents it reads.
func (db *Database) rewritesReads() bool {
	h := db.hooks.load()
	return h != nil && h.read != nil
}

// decodeFrom decodes raw, read from coll (nil: from the database itself), into v with the codec c, through the
// database's read hook if it has one. Every document a handle decodes for the caller goes through here.
func (db *Database) decodeFrom(coll *Collection, c *codec, raw bson.Raw, v any) error {
	if h := db.hooks.load(); h != nil && h.read != nil {
		var err error
		if raw, err = h.read(db, coll, c, raw); err != nil {
			return err
		}
	}
	return c.decode(raw, v)
}

// writing returns the document to write to coll in place of doc (a replacement with replace), through the database's
// write hook if it has one. Every whole document a handle writes goes through here.
func (db *Database) writing(coll *Collection, doc any, replace bool) (any, error) {
	if h := db.hooks.load(); h != nil && h.write != nil {
		return h.write(coll, doc, replace)
	}
	return doc, nil
}

// writingMany is writing for each document of a slice or array to insert. Anything else goes to the driver as it is
// (the driver reports the error).
func (db *Database) writingMany(coll *Collection, docs any) (any, error) {
	h := db.hooks.load()
	if h == nil || h.write == nil {
		return docs, nil
	}
	rv := reflect.ValueOf(docs)
	if k := rv.Kind(); k != reflect.Slice && k != reflect.Array {
		return docs, nil
	}
	out := make([]any, rv.Len())
	for i := range out {
		d, err := h.write(coll, rv.Index(i).Interface(), false)
		if err != nil {
			return nil, fmt.Errorf("%w (document %d)", err, i)
		}
		out[i] = d
	}
	return out, nil
}
