package motor

import (
	"context"
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
type Collection struct {
	db   *Database
	name string
	set  settings

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

// WithOptions returns a copy of the collection with opts applied over its settings.
func (c *Collection) WithOptions(opts ...Option) (*Collection, error) {
	s, err := c.set.derive(opts)
	if err != nil {
		return nil, err
	}
	return &Collection{db: c.db, name: c.name, set: s}, nil
}

// Mongo returns the driver collection beneath, with this handle's settings. After the client is disconnected it
// returns nil.
func (c *Collection) Mongo() *mongo.Collection {
	cn := c.db.client.drv.load()
	if cn == nil {
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
// context check.
func (c *Collection) driver(ctx context.Context, op string) (*mongo.Collection, func(), error) {
	if ctx == nil {
		return nil, nil, c.fail(op, errNilContext)
	}
	cn, err := c.db.client.drv.acquire()
	if err != nil {
		return nil, nil, c.fail(op, err)
	}
	return c.mongoColl(cn), cn.release, nil
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
