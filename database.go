package motor

import (
	"fmt"
	"sync/atomic"

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
	err    error     // a bad name or option, returned by every operation

	handle  atomic.Pointer[dbHandle]
	lastRef atomic.Pointer[Collection] // the collection of the last reference dereferenced, reused by the next
}

// dbHandle caches the driver database of one driver client.
type dbHandle struct {
	cn  *conn
	mdb *mongo.Database
}

// call returns the door's description of the operation op on subject (the database's name, or a collection's name
// in it): db's own error (a bad name or option) fails it before any I/O.
func (db *Database) call(op, subject string) call {
	return call{op: op, subject: subject, invalid: db.err}
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
	c := newCollection(db, name, db.set)
	if c.err = db.err; c.err == nil {
		c.err = validateCollectionName(name)
	}
	if c.err == nil {
		if s, err := db.set.derive(opts); err != nil {
			c.err = err
		} else {
			c.set = s
		}
	}
	return c
}
