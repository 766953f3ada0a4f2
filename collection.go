package motor

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

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
	full string // DB.NAME
	set  settings
	err  error // a bad name or option, returned by every operation

	handle atomic.Pointer[collHandle]
}

type collHandle struct {
	cn *conn
	mc *mongo.Collection
}

// newCollection returns the handle on the collection name of db, with settings s.
func newCollection(db *Database, name string, s settings) *Collection {
	return &Collection{db: db, name: name, full: db.name + "." + name, set: s}
}

// readCall returns the door's description of the read op on c, and the read concern its command sends: retried once
// as PyMongo's reads are, with the collection's read preference and read concern (primary and none inside a
// transaction, whose own apply), sending maxTimeMS itself when maxTime is set.
func (c *Collection) readCall(ctx context.Context, op string, maxTime time.Duration) (call, *readconcern.ReadConcern) {
	cl := c.call(op)
	cl.retryRead, cl.ownMaxTime = true, maxTime > 0
	var rc *readconcern.ReadConcern
	rc, cl.rp = c.set.forRead(ctx)
	return cl, rc
}

// call returns the door's description of the operation op on c: errors read "motor: OP DB.NAME: CAUSE", documents
// are encoded with c's codec options, and c's own error (a bad name or option) fails it before any I/O.
func (c *Collection) call(op string) call {
	return call{op: op, subject: c.full, codec: c.set.codec, invalid: c.err}
}

// Name returns the collection name.
func (c *Collection) Name() string { return c.name }

// FullName returns "database.collection" (PyMongo's full_name).
func (c *Collection) FullName() string { return c.full }

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
		bad := newCollection(c.db, c.name, c.set)
		bad.err = err
		return bad
	}
	return newCollection(c.db, c.name, s)
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

// decode decodes one result document with the collection's codec options.
func (c *Collection) decode(raw bson.Raw, v any) error {
	return c.db.decodeFrom(c, c.set.codec, raw, v)
}

// CountDocumentsOptions are the options of [Collection.CountDocuments]: the keyword arguments of Motor's
// count_documents(filter, session, **kwargs). The zero value (or a nil pointer) counts every document the filter
// matches.
type CountDocumentsOptions struct {
	// Skip is the number of matching documents to pass over before counting. Negative is an error.
	Skip int64

	// Limit is the most documents to count; 0 means no limit. Negative is an error.
	Limit int64

	// MaxTime limits the time the server spends on the count: PyMongo's maxTimeMS, sent exactly as asked, as for
	// [AggregateOptions.MaxTime]. Negative is an error.
	MaxTime time.Duration

	// Hint is the index to use: its name (a string) or its key document.
	Hint any

	// Collation is the collation of the filter's string comparisons (MongoDB 3.4+).
	Collation *options.Collation

	// Comment is attached to the command for the server's logs and profiler; any BSON value.
	Comment any

	// Extra fields are appended to the command in order, after the typed ones and before readConcern: PyMongo's
	// other **kwargs. A key that a typed field sends (aggregate, pipeline, cursor, hint, maxTimeMS, comment,
	// readConcern, collation), or one that appears twice, is an error.
	Extra bson.D
}

// countTyped are the keys of the count aggregation that motor sends itself.
var countDocumentsTyped = []string{"aggregate", "pipeline", "cursor", "hint", "maxTimeMS", "comment", "readConcern", "collation"}

// CountDocuments counts the documents that filter matches (nil: every document): Motor's count_documents(filter,
// **kwargs). Unlike [Collection.EstimatedDocumentCount] it reads the documents, so it is exact and runs in a
// transaction. It sends, as PyMongo 3.11 does,
//
//	{aggregate: NAME, pipeline: [{$match: filter}, {$skip}, {$limit}, {$group: {_id: 1, n: {$sum: 1}}}], cursor: {},
//	 hint, maxTimeMS, comment, ...Extra, readConcern, collation}
//
// with $skip, $limit and the options only when they are set; readConcern is the collection's when it has a level,
// outside a transaction. The collection's read preference applies, and the command is retried once as the other
// reads are. A filter that is not a document and bad options are [ErrInvalidOption] errors before any I/O; a failed
// reply is an error wrapping the server's [mongo.CommandError] ("motor: count documents DB.COLL: ...").
//
// See https://www.mongodb.com/docs/manual/reference/method/db.collection.countDocuments/.
func (c *Collection) CountDocuments(ctx context.Context, filter any, opts *CountDocumentsOptions) (int64, error) {
	if opts == nil {
		opts = &CountDocumentsOptions{}
	}
	cl, rc := c.readCall(ctx, "count documents", opts.MaxTime)
	cmd, err := countDocumentsCmd(c.name, filter, opts, rc, c.set.codec.reg)
	if err != nil {
		return 0, cl.wrap(err)
	}
	reply, err := c.db.exec(ctx, cl, cmd)
	if err != nil {
		return 0, err
	}
	var out struct {
		Cursor struct {
			FirstBatch []struct {
				N int64 `bson:"n"`
			} `bson:"firstBatch"`
		} `bson:"cursor"`
	}
	if err := defaultCodec.decode(reply, &out); err != nil {
		return 0, cl.wrap(err)
	}
	if len(out.Cursor.FirstBatch) == 0 { // nothing matched: $group has no group
		return 0, nil
	}
	return out.Cursor.FirstBatch[0].N, nil
}

// countDocumentsCmd builds the aggregation of CountDocuments on the collection name. rc is the read concern to send
// (nil or no level: none); reg checks the documents.
func countDocumentsCmd(name string, filter any, o *CountDocumentsOptions, rc *readconcern.ReadConcern, reg *bson.Registry) (bson.D, error) {
	switch {
	case o.Skip < 0:
		return nil, invalidOptionf("CountDocumentsOptions.Skip must not be negative, got %d", o.Skip)
	case o.Limit < 0:
		return nil, invalidOptionf("CountDocumentsOptions.Limit must not be negative, got %d", o.Limit)
	case o.MaxTime < 0:
		return nil, invalidOptionf("CountDocumentsOptions.MaxTime must not be negative, got %v", o.MaxTime)
	}
	if filter == nil {
		filter = bson.D{}
	} else if err := checkIsDocument("the filter", filter); err != nil { // the driver encodes it, once
		return nil, err
	}
	if err := checkHint(reg, "CountDocumentsOptions.Hint", o.Hint); err != nil {
		return nil, err
	}
	pipeline := bson.A{bson.D{{Key: "$match", Value: filter}}}
	if o.Skip > 0 {
		pipeline = append(pipeline, bson.D{{Key: "$skip", Value: pyInt(o.Skip)}})
	}
	if o.Limit > 0 {
		pipeline = append(pipeline, bson.D{{Key: "$limit", Value: pyInt(o.Limit)}})
	}
	pipeline = append(pipeline, bson.D{{Key: "$group", Value: bson.D{
		{Key: "_id", Value: int32(1)}, {Key: "n", Value: bson.D{{Key: "$sum", Value: int32(1)}}},
	}}})
	cmd := bson.D{{Key: "aggregate", Value: name}, {Key: "pipeline", Value: pipeline}, {Key: "cursor", Value: bson.D{}}}
	add := func(k string, v any) { cmd = append(cmd, bson.E{Key: k, Value: v}) }
	if o.Hint != nil {
		add("hint", o.Hint)
	}
	if ms := maxTimeMS(o.MaxTime); ms != nil {
		add("maxTimeMS", ms)
	}
	if o.Comment != nil {
		add("comment", o.Comment)
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "CountDocumentsOptions", countDocumentsTyped...)
	if err != nil {
		return nil, err
	}
	if rcd := readConcernDoc(rc); rcd != nil {
		add("readConcern", rcd)
	}
	if o.Collation != nil {
		add("collation", collationDoc(o.Collation))
	}
	return cmd, nil
}

// Drop drops the collection: Motor's drop(). It sends {drop: NAME, writeConcern} with the collection's write concern
// (none inside a transaction), as PyMongo's drop sends it through a database with the collection's settings, and
// everything else is as for [Database.DropCollection]: a missing collection is not an error, and a
// writeConcernError is an error wrapping [mongo.WriteException].
//
// See https://www.mongodb.com/docs/manual/reference/command/drop/.
func (c *Collection) Drop(ctx context.Context) error {
	cl := c.call("drop")
	_, err := c.db.dropCollection(ctx, cl, c.name, nil, c.set.wc)
	return err
}

// checked returns c, or its error when it has one: for code that needs a usable handle before it goes on.
func (c *Collection) checked() (*Collection, error) {
	if c.err != nil {
		return nil, c.err
	}
	return c, nil
}
