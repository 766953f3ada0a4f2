package motor

import (
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor/internal/bsonutil"
)

// SONManipulator transforms documents on their way into and out of a database: PyMongo's SONManipulator, which
// Motor 1.x registered with add_son_manipulator. Register one with [Database.AddSONManipulator].
//
// Each transform receives a document as a bson.D of plain BSON values (nested documents are bson.D, arrays bson.A,
// numbers int32/int64/float64, dates bson.DateTime, binaries bson.Binary, and so on) and the collection it is going
// to or coming from, and returns the document to use instead; it may change doc in place and return it. An error
// fails the operation. Transforms may run concurrently, from every goroutine that uses the database.
//
// Deprecated: PyMongo 3.x deprecated SON manipulators, because they ran only on its legacy insert/save/update and
// made reads depend on per-handle state, and PyMongo 4.0 removed them; Motor 2.0 removed add_son_manipulator. Transform documents in your own code before [Collection.InsertOne] and after
// [Cursor.Decode], or register per-type conversions with [WithCodecOptions] and a [TypeRegistry].
type SONManipulator struct {
	// Name identifies the manipulator in the lists that [Database.IncomingManipulators] and the other three
	// properties return (PyMongo returns class names). It must not be empty.
	Name string

	// Incoming, when set, transforms each document that the database's collections insert
	// ([Collection.InsertOne], [Collection.InsertMany], [InsertOne] models of [Collection.BulkWrite]) and each
	// replacement document they write ([Collection.FindOneAndReplace], [ReplaceOne] models). coll is the collection
	// written to.
	Incoming func(doc bson.D, coll *Collection) (bson.D, error)

	// Outgoing, when set, transforms each document read from the database as it is decoded: results of
	// [Collection.Find], [Collection.FindOne], [Collection.Aggregate], the FindOneAnd methods, the documents among
	// the values of [Collection.Distinct], dereferenced documents, command cursor batches and change stream events ([ChangeStream.Decode]). coll is the collection read from or watched; for
	// database-level command cursors (listCollections, database aggregate) and database change streams it is the
	// database's "$cmd" collection, as in PyMongo. None run for [Client.Watch], whose events belong to no database.
	Outgoing func(doc bson.D, coll *Collection) (bson.D, error)

	// Copying puts the manipulator in the copying lists (PyMongo's will_copy() returning True): its transforms run
	// after the non-copying ones, and incoming ones after the _id is added.
	Copying bool
}

// sonLists are the four lists of SON manipulators of one database handle and the handles derived from it, each in
// application order. AddSONManipulator installs them as the database's document hooks; they are replaced, never
// changed.
type sonLists struct {
	in, inCopy   []SONManipulator // newest first
	out, outCopy []SONManipulator // oldest first
}

// sonLoad returns the SON manipulators of db, nil when none was added.
func (db *Database) sonLoad() *sonLists {
	if h := db.hooks.load(); h != nil {
		l, _ := h.state.(*sonLists)
		return l
	}
	return nil
}

// AddSONManipulator registers m with this database: PyMongo's Database.add_son_manipulator(manipulator). "Newly
// added manipulators will be applied before existing ones" holds for incoming manipulators, as in PyMongo; outgoing
// ones run oldest first. A manipulator counts in a direction only when its transform for that direction is set (a
// SONManipulator with neither is accepted and registered nowhere, like PyMongo's bare SONManipulator()).
//
// The order on insert ([Collection.InsertOne], [Collection.InsertMany]), as PyMongo's insert: the non-copying
// incoming manipulators, newest first; then, if the document has no _id, a new [bson.ObjectID] as its first field;
// then the copying incoming manipulators, newest first. The order on read: the non-copying outgoing manipulators,
// oldest first, then the copying ones, oldest first. PyMongo ran incoming manipulators only in its legacy
// insert/save/update (never insert_one or insert_many); motor has no legacy writers, so its inserts take their
// place. A replacement document of [Collection.ReplaceOne], [Collection.FindOneAndReplace] or a [ReplaceOne] model
// of [Collection.BulkWrite] goes through the incoming manipulators as PyMongo's update(manipulate=True) sent it: the
// non-copying ones, then the copying ones, and no _id is added. Update documents are never manipulated. Outgoing
// manipulators apply where a document is decoded ([Cursor.Decode], [Cursor.All], [SingleResult.Decode], also for
// the documents that FindOneAndDelete, FindOneAndReplace and FindOneAndUpdate return); [Cursor.Current] and
// [SingleResult.Raw] return the bytes as the server sent them.
//
// Scope: manipulators belong to the handle they are added to and to every handle derived from it, before or after the
// call: its [Database.WithOptions] copies and the collections made from it or from those. Another
// [Client.Database] call, even with the same name, starts with none, like each client[name] in Motor. (PyMongo's
// with_options also started with none; here a copy keeps them, so that changing a setting does not drop them.) The
// registry is safe for concurrent use; documents already being decoded or inserted keep the lists they started with.
//
// It returns an error wrapping [ErrInvalidOption] when m.Name is empty.
//
// Deprecated: PyMongo 3.x deprecated add_son_manipulator and PyMongo 4.0 removed it; Motor 2.0 removed it.
// Transform documents in your own code, or register per-type conversions with [WithCodecOptions].
func (db *Database) AddSONManipulator(m SONManipulator) error {
	if db.err != nil {
		return wrapOp("AddSONManipulator "+db.name, db.err)
	}
	if m.Name == "" {
		return invalidOptionf("AddSONManipulator: the manipulator needs a Name")
	}
	if db.hooks == nil {
		return invalidOptionf("AddSONManipulator: %s was not made by Client.Database", db)
	}
	h := db.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	next := &sonLists{}
	if cur := db.sonLoad(); cur != nil {
		*next = *cur
	}
	if m.Incoming != nil {
		if m.Copying {
			next.inCopy = append([]SONManipulator{m}, next.inCopy...)
		} else {
			next.in = append([]SONManipulator{m}, next.in...)
		}
	}
	if m.Outgoing != nil {
		if m.Copying {
			next.outCopy = append(next.outCopy[:len(next.outCopy):len(next.outCopy)], m)
		} else {
			next.out = append(next.out[:len(next.out):len(next.out)], m)
		}
	}
	hooks := &docHooks{state: next}
	if len(next.in)+len(next.inCopy) > 0 {
		hooks.write = next.transformIncoming
	}
	if len(next.out)+len(next.outCopy) > 0 {
		hooks.read = next.outgoing
	}
	h.p.Store(hooks)
	return nil
}

// IncomingManipulators returns the names of the non-copying incoming manipulators in the order they run: newest
// first, as PyMongo's incoming_manipulators property lists them.
//
// Deprecated: PyMongo deprecated the property in 3.5 along with SON manipulators (see [SONManipulator]); Motor 2.0
// removed it. Keep track of your own transforms.
func (db *Database) IncomingManipulators() []string {
	return sonNames(db.sonLoad(), func(l *sonLists) []SONManipulator { return l.in })
}

// IncomingCopyingManipulators returns the names of the copying incoming manipulators in the order they run: newest
// first, as PyMongo's incoming_copying_manipulators property lists them.
//
// Deprecated: PyMongo deprecated the property in 3.5 along with SON manipulators (see [SONManipulator]); Motor 2.0
// removed it. Keep track of your own transforms.
func (db *Database) IncomingCopyingManipulators() []string {
	return sonNames(db.sonLoad(), func(l *sonLists) []SONManipulator { return l.inCopy })
}

// OutgoingManipulators returns the names of the non-copying outgoing manipulators in the order they run: oldest
// first. PyMongo's outgoing_manipulators property lists them newest first, the reverse of the order it applies
// them in; motor lists every property in application order.
//
// Deprecated: PyMongo deprecated the property in 3.5 along with SON manipulators (see [SONManipulator]); Motor 2.0
// removed it. Keep track of your own transforms.
func (db *Database) OutgoingManipulators() []string {
	return sonNames(db.sonLoad(), func(l *sonLists) []SONManipulator { return l.out })
}

// OutgoingCopyingManipulators returns the names of the copying outgoing manipulators in the order they run: oldest
// first. PyMongo's outgoing_copying_manipulators property lists them newest first, the reverse of the order it
// applies them in; motor lists every property in application order.
//
// Deprecated: PyMongo deprecated the property in 3.5 along with SON manipulators (see [SONManipulator]); Motor 2.0
// removed it. Keep track of your own transforms.
func (db *Database) OutgoingCopyingManipulators() []string {
	return sonNames(db.sonLoad(), func(l *sonLists) []SONManipulator { return l.outCopy })
}

func sonNames(l *sonLists, pick func(*sonLists) []SONManipulator) []string {
	names := []string{}
	if l == nil {
		return names
	}
	for _, m := range pick(l) {
		names = append(names, m.Name)
	}
	return names
}

// outgoing runs the outgoing manipulators over raw, read from coll of db (nil: from db itself, which PyMongo calls
// its "$cmd" collection), and returns the document to decode with c.
func (l *sonLists) outgoing(db *Database, coll *Collection, c *codec, raw bson.Raw) (bson.Raw, error) {
	if coll == nil {
		coll = newCollection(db, "$cmd", db.set)
	}
	raw, err := fixUTF8(raw, c.opts.UnicodeDecodeErrorHandler)
	if err != nil {
		return nil, err
	}
	var doc bson.D
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("motor: decoding document: %w", err)
	}
	for _, list := range [][]SONManipulator{l.out, l.outCopy} {
		for _, m := range list {
			if doc, err = m.Outgoing(doc, coll); err != nil {
				return nil, fmt.Errorf("motor: outgoing SON manipulator %q: %w", m.Name, err)
			}
		}
	}
	raw, err = bsonutil.Encode(c.reg, doc)
	if err != nil {
		return nil, fmt.Errorf("motor: encoding the document from outgoing SON manipulators: %w", err)
	}
	return raw, nil
}

// transformIncoming runs the incoming manipulators over document, as PyMongo's insert sequence does: the non-copying
// ones, then an _id when the document has none, then the copying ones. A replacement gets no _id, as PyMongo's
// _fix_incoming runs them for update(manipulate=True).
func (l *sonLists) transformIncoming(coll *Collection, document any, replace bool) (any, error) {
	addID := !replace
	raw, err := bsonutil.Encode(coll.set.codec.reg, document)
	if err != nil {
		return nil, fmt.Errorf("motor: encoding a document for the incoming SON manipulators: %w", err)
	}
	var doc bson.D
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("motor: encoding a document for the incoming SON manipulators: %w", err)
	}
	for _, m := range l.in {
		if doc, err = m.Incoming(doc, coll); err != nil {
			return nil, fmt.Errorf("motor: incoming SON manipulator %q: %w", m.Name, err)
		}
	}
	if addID && !slices.ContainsFunc(doc, func(e bson.E) bool { return e.Key == "_id" }) {
		doc = append(bson.D{{Key: "_id", Value: bson.NewObjectID()}}, doc...)
	}
	for _, m := range l.inCopy {
		if doc, err = m.Incoming(doc, coll); err != nil {
			return nil, fmt.Errorf("motor: incoming SON manipulator %q: %w", m.Name, err)
		}
	}
	return doc, nil
}
