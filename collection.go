package motor

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Collection is a handle on one collection: Motor's AsyncIOMotorCollection, with the operations a user of the
// database API needs next. Make one with [Database.Collection]. It holds settings inherited from its database unless
// overridden, encodes values and decodes results with its codec options, and is safe for concurrent use. Operation
// options are the driver's own option builders, passed through unchanged.
//
// A handle made with a bad name or option, or from a database with an error, holds that error instead of returning
// it: [Collection.Err] reports it at once, and every operation returns it, wrapped, before any I/O.
type Collection struct {
	db   *Database
	name string
	set  settings
	err  error // the bad name or option the handle was made with, or its database's; every operation fails with it (Err)

	handle atomic.Pointer[collHandle]
}

type collHandle struct {
	cn *conn
	mc *mongo.Collection
}

// Name returns the collection name.
func (c *Collection) Name() string { return c.name }

// FullName returns "database.collection" (PyMongo's full_name).
func (c *Collection) FullName() string { return c.db.name + "." + c.name }

// Database returns the database the collection belongs to.
func (c *Collection) Database() *Database { return c.db }

// CodecOptions returns the codec options in force.
func (c *Collection) CodecOptions() CodecOptions { return c.set.codec.opts }

// ReadPreference returns the read preference in force; primary when none is set anywhere.
func (c *Collection) ReadPreference() *readpref.ReadPref { return c.set.readPreference() }

// ReadConcern returns the read concern in force; the empty (server default) read concern when none is set.
func (c *Collection) ReadConcern() *readconcern.ReadConcern { return c.set.readConcern() }

// WriteConcern returns the write concern in force; the empty (server default) write concern when none is set.
func (c *Collection) WriteConcern() *writeconcern.WriteConcern { return c.set.writeConcern() }

// String returns "motor.Collection(DB.NAME)".
func (c *Collection) String() string { return fmt.Sprintf("motor.Collection(%s)", c.FullName()) }

// WithOptions returns a copy of the collection with opts applied over its settings. A bad option gives a handle that
// holds the [ErrInvalidOption] error (see [Collection.Err]); a handle with an error keeps it.
func (c *Collection) WithOptions(opts ...Option) *Collection {
	if c.err != nil {
		return c
	}
	s, err := c.set.derive(opts)
	if err != nil {
		return &Collection{db: c.db, name: c.name, set: c.set, err: err}
	}
	return &Collection{db: c.db, name: c.name, set: s}
}

// Err returns the error the handle was made with: a [*NameError] wrapping [ErrInvalidName] for a bad name (its own or
// its database's), an [ErrInvalidOption] error for a bad option, nil for a usable handle. Every operation on a handle
// with an error returns that error, wrapped, before any I/O; Err reports it at once, like bufio.Scanner.Err and
// mongo.SingleResult.Err.
func (c *Collection) Err() error { return c.err }

// Mongo returns the driver collection beneath, with this handle's settings. After the client is disconnected, or when
// the handle has an error ([Collection.Err]), it returns nil.
func (c *Collection) Mongo() *mongo.Collection {
	cn := c.db.client.drv.load()
	if cn == nil || c.err != nil {
		return nil
	}
	return c.mongoColl(cn)
}

func (c *Collection) mongoColl(cn *conn) *mongo.Collection {
	if h := c.handle.Load(); h != nil && h.cn == cn {
		return h.mc
	}
	var mc *mongo.Collection
	if c.set == c.db.set {
		mc = c.db.mongoDB(cn).Collection(c.name) // inherits the database's settings, at a fraction of the cost
	} else {
		mc = c.db.mongoDB(cn).Collection(c.name, c.set.collOptions())
	}
	c.handle.Store(&collHandle{cn: cn, mc: mc})
	return mc
}

// driver returns the driver collection for the operation op, held usable until release is called, after the
// handle and context checks.
func (c *Collection) driver(ctx context.Context, op string) (*mongo.Collection, func(), error) {
	if c.err != nil {
		return nil, nil, c.fail(op, c.err) // a bad name or option: no I/O
	}
	if ctx == nil {
		return nil, nil, c.fail(op, errNilContext)
	}
	cn, err := c.db.client.drv.acquire()
	if err != nil {
		return nil, nil, c.fail(op, err)
	}
	return c.mongoColl(cn), cn.release, nil
}

// checked returns c, or its error when it has one.
func (c *Collection) checked() (*Collection, error) {
	if c.err != nil {
		return nil, c.err
	}
	return c, nil
}

// fail wraps err as the error of the operation op on this collection: "motor: OP DB.COLL: CAUSE". nil stays nil.
func (c *Collection) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if e := encodeError(err); e != nil {
		err = e
	}
	return opErr(op+" "+c.FullName(), err)
}

// decode decodes one result document with the collection's codec options.
func (c *Collection) decode(raw bson.Raw, v any) error {
	return c.db.decodeFrom(c, c.set.codec, raw, v)
}

// InsertOne inserts document (sends insert) and returns the driver's result with the inserted _id, which the driver
// generates when the document has none. A document larger than the server accepts is an [ErrDocumentTooLarge]
// error before anything is sent.
func (c *Collection) InsertOne(ctx context.Context, document any, opts ...options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error) {
	const op = "insert"
	if ctx == nil {
		return nil, c.fail(op, errNilContext)
	}
	// Hooks run before the driver client is held: one that does I/O must not wait on a swap that waits on us.
	document, err := c.db.incoming(c, document)
	if err != nil {
		return nil, c.fail(op, err)
	}
	mc, release, err := c.driver(ctx, op)
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := mc.InsertOne(ctx, c.sized(document), opts...)
	return res, c.fail(op, err)
}

// InsertMany inserts documents (sends insert, batched as the server allows). A document larger than the server
// accepts is an [ErrDocumentTooLarge] error before anything is sent.
func (c *Collection) InsertMany(ctx context.Context, documents any, opts ...options.Lister[options.InsertManyOptions]) (*mongo.InsertManyResult, error) {
	const op = "insert"
	if ctx == nil {
		return nil, c.fail(op, errNilContext)
	}
	documents, err := c.db.incomingMany(c, documents)
	if err != nil {
		return nil, c.fail(op, err)
	}
	mc, release, err := c.driver(ctx, op)
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := mc.InsertMany(ctx, c.sizedMany(documents), opts...)
	return res, c.fail(op, err)
}

// Find runs a query (sends find, then getMore as needed) and returns a cursor that decodes with the collection's codec
// options. The collection's read preference and read concern apply.
func (c *Collection) Find(ctx context.Context, filter any, opts ...options.Lister[options.FindOptions]) (*Cursor, error) {
	cur, err := c.find(ctx, filter, opts)
	if err != nil {
		return nil, err
	}
	return &Cursor{mc: cur, db: c.db, coll: c, codec: c.set.codec, op: "find"}, nil
}

// find sends the query of Find and FindRawBatches and returns the driver's cursor.
func (c *Collection) find(ctx context.Context, filter any, opts []options.Lister[options.FindOptions]) (*mongo.Cursor, error) {
	const op = "find"
	mc, release, err := c.driver(ctx, op)
	if err != nil {
		return nil, err
	}
	defer release()
	cur, err := mc.Find(ctx, filter, opts...)
	if err != nil {
		return nil, c.fail(op, err)
	}
	return cur, nil
}

// FindOne returns the first document that filter matches (sends find with limit 1 and singleBatch), decoded with the
// collection's codec options; [SingleResult.Err] is [mongo.ErrNoDocuments], unwrapped, when nothing matches.
func (c *Collection) FindOne(ctx context.Context, filter any, opts ...options.Lister[options.FindOneOptions]) *SingleResult {
	const op = "find"
	mc, release, err := c.driver(ctx, op)
	if err != nil {
		return &SingleResult{err: err}
	}
	defer release()
	raw, err := mc.FindOne(ctx, filter, opts...).Raw()
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		err = c.fail(op, err)
	}
	return &SingleResult{raw: raw, err: err, coll: c}
}

// ReplaceOne replaces the first document that filter matches (sends update with one replacement). The database's
// incoming document hooks apply to the replacement, without adding an _id. A replacement larger than the server
// accepts is an [ErrDocumentTooLarge] error before anything is sent.
func (c *Collection) ReplaceOne(ctx context.Context, filter, replacement any, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	if ctx == nil {
		return nil, c.fail("replace", errNilContext)
	}
	// Hooks run before the driver client is held, as for inserts.
	replacement, err := c.db.replacement(c, replacement)
	if err != nil {
		return nil, c.fail("replace", err)
	}
	mc, release, err := c.driver(ctx, "replace")
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := mc.ReplaceOne(ctx, filter, c.sized(replacement), opts...)
	return res, c.fail("replace", err)
}

// UpdateOne applies update to the first document that filter matches (sends update).
func (c *Collection) UpdateOne(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	mc, release, err := c.driver(ctx, "update")
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := mc.UpdateOne(ctx, filter, update, opts...)
	return res, c.fail("update", err)
}

// UpdateMany applies update to every document that filter matches (sends update with multi).
func (c *Collection) UpdateMany(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateManyOptions]) (*mongo.UpdateResult, error) {
	mc, release, err := c.driver(ctx, "update")
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := mc.UpdateMany(ctx, filter, update, opts...)
	return res, c.fail("update", err)
}

// DeleteOne deletes the first document that filter matches (sends delete with limit 1).
func (c *Collection) DeleteOne(ctx context.Context, filter any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	mc, release, err := c.driver(ctx, "delete")
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := mc.DeleteOne(ctx, filter, opts...)
	return res, c.fail("delete", err)
}

// DeleteMany deletes every document that filter matches (sends delete with limit 0).
func (c *Collection) DeleteMany(ctx context.Context, filter any, opts ...options.Lister[options.DeleteManyOptions]) (*mongo.DeleteResult, error) {
	mc, release, err := c.driver(ctx, "delete")
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := mc.DeleteMany(ctx, filter, opts...)
	return res, c.fail("delete", err)
}

// CountDocuments counts the documents that filter matches (sends an aggregate with $match and $group).
func (c *Collection) CountDocuments(ctx context.Context, filter any, opts ...options.Lister[options.CountOptions]) (int64, error) {
	mc, release, err := c.driver(ctx, "count")
	if err != nil {
		return 0, err
	}
	defer release()
	n, err := mc.CountDocuments(ctx, filter, opts...)
	return n, c.fail("count", err)
}

// Drop drops the collection (sends drop with the collection's write concern). A missing collection is not an error.
func (c *Collection) Drop(ctx context.Context) error {
	mc, release, err := c.driver(ctx, "drop")
	if err != nil {
		return err
	}
	defer release()
	return c.fail("drop", mc.Drop(ctx))
}
