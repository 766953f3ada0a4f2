package motor

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Database is a handle on one MongoDB database: Motor's AsyncIOMotorDatabase. Make one with [Client.Database]. It
// holds a name and settings (read preference, read concern, write concern, codec options), inherited from its client
// unless overridden; it does no I/O by itself. Every method that talks to the server takes a context first, blocks
// only the calling goroutine and honours the context's deadline and cancellation; a driver session travels in the
// context ([mongo.NewSessionContext]). A Database is immutable and safe for concurrent use.
//
// A handle made with a bad name or option holds that error instead of returning it, so that handles chain as the
// driver's do: client.Database("blog").Collection("posts"). [Database.Err] reports it at once, and every operation
// returns it, wrapped, before any I/O.
type Database struct {
	client *Client
	name   string
	set    settings
	hooks  *hookSlot // document hooks, shared with every handle derived from this one
	err    error     // the bad name or option the handle was made with; every operation fails with it (Err)

	handle  atomic.Pointer[dbHandle]
	lastRef atomic.Pointer[Collection] // the collection of the last reference dereferenced, reused by the next
}

// dbHandle caches the driver database of one driver client.
type dbHandle struct {
	cn  *conn
	mdb *mongo.Database
}

// Name returns the database name (Motor's name property).
func (db *Database) Name() string { return db.name }

// Client returns the client this database belongs to (Motor's client property).
func (db *Database) Client() *Client { return db.client }

// CodecOptions returns the codec options in force (Motor's codec_options property).
func (db *Database) CodecOptions() CodecOptions { return db.set.codec.opts }

// ReadPreference returns the read preference in force (Motor's read_preference property): the one set on the
// database, else the client's, else primary.
func (db *Database) ReadPreference() *readpref.ReadPref { return db.set.readPreference() }

// ReadConcern returns the read concern in force (Motor's read_concern property); the empty read concern, meaning
// the server's default, when none is set.
func (db *Database) ReadConcern() *readconcern.ReadConcern { return db.set.readConcern() }

// WriteConcern returns the write concern in force (Motor's write_concern property); the empty write concern, meaning
// the server's default, when none is set.
func (db *Database) WriteConcern() *writeconcern.WriteConcern { return db.set.writeConcern() }

// String returns "motor.Database(NAME)".
func (db *Database) String() string { return fmt.Sprintf("motor.Database(%s)", db.name) }

// WithOptions returns a copy of the database with opts applied over its settings: Motor's with_options(codec_options,
// read_preference, write_concern, read_concern). The receiver is unchanged. No I/O happens. A bad option gives a
// handle that holds the [ErrInvalidOption] error (see [Database.Err]); a handle with an error keeps it.
func (db *Database) WithOptions(opts ...Option) *Database {
	if db.err != nil {
		return db
	}
	s, err := db.set.derive(opts)
	if err != nil {
		d := db.derived(db.set)
		d.err = err
		return d
	}
	return db.derived(s)
}

// Err returns the error the handle was made with: a [*NameError] wrapping [ErrInvalidName] for a bad name, an
// [ErrInvalidOption] error for a bad option, nil for a usable handle. Every operation on a handle with an error
// returns that error, wrapped, before any I/O; Err reports it at once, like bufio.Scanner.Err and
// mongo.SingleResult.Err.
func (db *Database) Err() error { return db.err }

// derived returns a database like db with settings s. Keep every per-database field here.
func (db *Database) derived(s settings) *Database {
	return &Database{client: db.client, name: db.name, set: s, hooks: db.hooks, err: db.err}
}

// Mongo returns the driver database beneath, with this handle's settings, for anything motor does not offer. After
// the client is disconnected, or when the handle has an error ([Database.Err]), it returns nil.
func (db *Database) Mongo() *mongo.Database {
	cn := db.client.drv.load()
	if cn == nil || db.err != nil {
		return nil
	}
	return db.mongoDB(cn)
}

func (db *Database) mongoDB(cn *conn) *mongo.Database {
	if h := db.handle.Load(); h != nil && h.cn == cn {
		return h.mdb
	}
	mdb := cn.mc.Database(db.name, db.set.dbOptions())
	db.handle.Store(&dbHandle{cn: cn, mdb: mdb})
	return mdb
}

// driver returns the driver database, held usable until release is called.
func (db *Database) driver() (mdb *mongo.Database, release func(), err error) {
	cn, err := db.client.drv.acquire()
	if err != nil {
		return nil, nil, err
	}
	return db.mongoDB(cn), cn.release, nil
}

// Collection returns a handle on the collection name in this database: Motor's db[name], db.name and
// get_collection(name, codec_options, read_preference, write_concern, read_concern). The collection inherits the
// database's settings, which opts override. No I/O happens.
//
// The name is checked with PyMongo's rules: it must not be empty, contain NUL, start or end with '.', contain an
// empty segment (".."), or contain '$' unless it starts with "$cmd" or "oplog.$main". A bad name gives a handle that
// holds a [*NameError], which wraps [ErrInvalidName] and says what is wrong (PyMongo calls "a..b" "empty"; motor
// does not); a bad option, one that holds an [ErrInvalidOption] error; a database with an error, a collection that
// holds the database's error. [Collection.Err] reports it, and every operation returns it before any I/O. Names of
// sub-collections are plain dotted names: db.Collection("fs.files").
func (db *Database) Collection(name string, opts ...Option) *Collection {
	c := &Collection{db: db, name: name, set: db.set, err: db.err}
	if c.err == nil {
		c.err = validateCollectionName(name)
	}
	if c.err == nil {
		c.set, c.err = db.set.derive(opts)
		if c.err != nil {
			c.set = db.set
		}
	}
	return c
}

// hookSlot holds the document hooks of a database and the handles derived from it: nil until a deprecated feature
// installs them (AddSONManipulator). A database without hooks pays one atomic load per document.
type hookSlot struct {
	mu sync.Mutex // serialises installs
	p  atomic.Pointer[docHooks]
}

// docHooks transform the whole documents that a database's handles insert and the documents they decode.
type docHooks struct {
	// incoming returns the document to insert into coll in place of doc.
	incoming func(coll *Collection, doc any) (any, error)
	// replacing returns the replacement document to write to coll in place of doc: like incoming, but it never adds
	// an _id (the server keeps the replaced document's).
	replacing func(coll *Collection, doc any) (any, error)
	// outgoing returns the bytes to decode with c in place of raw, read from coll of db (nil: from db itself, such
	// as a command cursor's documents).
	outgoing func(db *Database, coll *Collection, c *codec, raw bson.Raw) (bson.Raw, error)
	// state is what the installer keeps with the hooks (the SON manipulator lists).
	state any
}

func (h *hookSlot) load() *docHooks {
	if h == nil {
		return nil
	}
	return h.p.Load()
}

// rewritesReads reports whether db has an outgoing hook, which may change the documents it reads.
func (db *Database) rewritesReads() bool {
	h := db.hooks.load()
	return h != nil && h.outgoing != nil
}

// decodeFrom decodes raw, read from coll (nil: from the database itself), into v with the codec c, through the
// database's outgoing hook if it has one. Every document a handle decodes for the caller goes through here.
func (db *Database) decodeFrom(coll *Collection, c *codec, raw bson.Raw, v any) error {
	if h := db.hooks.load(); h != nil && h.outgoing != nil {
		var err error
		if raw, err = h.outgoing(db, coll, c, raw); err != nil {
			return err
		}
	}
	return c.decode(raw, v)
}

// incoming returns the document to insert into coll in place of doc, through the database's incoming hook if it has
// one.
func (db *Database) incoming(coll *Collection, doc any) (any, error) {
	if h := db.hooks.load(); h != nil && h.incoming != nil {
		return h.incoming(coll, doc)
	}
	return doc, nil
}

// replacement returns the replacement document to write to coll in place of doc, through the database's replacing
// hook if it has one.
func (db *Database) replacement(coll *Collection, doc any) (any, error) {
	if h := db.hooks.load(); h != nil && h.replacing != nil {
		return h.replacing(coll, doc)
	}
	return doc, nil
}

// incomingMany is incoming for each document of a slice or array to insert. Anything else goes to the driver as it
// is (the driver reports the error).
func (db *Database) incomingMany(coll *Collection, docs any) (any, error) {
	h := db.hooks.load()
	if h == nil || h.incoming == nil {
		return docs, nil
	}
	rv := reflect.ValueOf(docs)
	if k := rv.Kind(); k != reflect.Slice && k != reflect.Array {
		return docs, nil
	}
	out := make([]any, rv.Len())
	for i := range out {
		d, err := h.incoming(coll, rv.Index(i).Interface())
		if err != nil {
			return nil, fmt.Errorf("%w (document %d)", err, i)
		}
		out[i] = d
	}
	return out, nil
}
