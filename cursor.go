package motor

import (
	"context"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Cursor iterates over the documents that an operation returns: [Collection.Find], [Collection.Aggregate],
// [Database.Aggregate], [Database.ListCollections], [Database.CommandCursor] and every other call that reads
// documents through a server cursor. It is Motor's AsyncIOMotorCursor, AsyncIOMotorCommandCursor and
// AsyncIOMotorLatentCommandCursor in one type: the server's find and command cursors behave the same once open.
//
// Next and TryNext fetch further batches with getMore when the current one is used up; Decode, All, ToList and
// [ToListAs] decode documents with the codec options of the handle that made the cursor (a collection's for Find and
// Aggregate, the database's for database-level cursors, or those the call was given), through the database's document
// hooks; Current gives the bytes as the server sent them. ID is the server's cursor
// id (0 once the server holds no more results), Err reports what stopped iteration, and Close sends killCursors when
// the server still holds the cursor. It wraps a driver cursor ([Cursor.Mongo]). A Cursor is not safe for concurrent
// use; always Close it (All, and ToList reading to the end, close it for you).
//
//	for cur.Next(ctx) {
//		var doc bson.D
//		if err := cur.Decode(&doc); err != nil { ... }
//	}
//	if err := cur.Err(); err != nil { ... }
//
// Unlike Motor, whose cursors send nothing until the first read, the call that returns a Cursor has already sent its
// command and reports its errors, as the driver does; and every call honours its context, where Motor 2.3's
// list_collections returns a blocking PyMongo cursor.
type Cursor struct {
	mc    *mongo.Cursor
	db    *Database   // decodes the documents (Database.decodeFrom)
	coll  *Collection // the collection read, nil for a database-level cursor
	codec *codec
	call  call // the operation that opened the cursor: its errors read "motor: OP SUBJECT: CAUSE"
	err   error
}

// decode decodes one document of the cursor into v.
func (c *Cursor) decode(raw bson.Raw, v any) error {
	return c.db.decodeFrom(c.coll, c.codec, raw, v)
}

// Mongo returns the driver cursor beneath.
func (c *Cursor) Mongo() *mongo.Cursor { return c.mc }

// ID returns the server's cursor id; 0 once the server has no more results.
func (c *Cursor) ID() int64 { return c.mc.ID() }

// Next moves to the next document, fetching a batch with getMore when needed. It returns false when the results are
// exhausted or an error happened; see [Cursor.Err].
func (c *Cursor) Next(ctx context.Context) bool {
	return iterate(ctx, &c.call, &c.err, c.mc.Next)
}

// TryNext is like Next but does not block waiting for a tailable cursor's next document: it returns false when no
// document is ready; check [Cursor.Err] and [Cursor.ID] to tell that from the end of the results.
func (c *Cursor) TryNext(ctx context.Context) bool {
	return iterate(ctx, &c.call, &c.err, c.mc.TryNext)
}

// Current returns the raw bytes of the current document. They are valid until the next call to Next or TryNext.
func (c *Cursor) Current() bson.Raw { return c.mc.Current }

// Decode decodes the current document into v with the cursor's codec options.
func (c *Cursor) Decode(v any) error {
	if c.mc.Current == nil {
		return c.call.wrap(errNoCurrent)
	}
	return c.call.wrap(c.decode(c.mc.Current, v))
}

// All decodes every remaining document into the slice that results points to, replacing its contents, then closes
// the cursor. On error the slice is left as it was.
func (c *Cursor) All(ctx context.Context, results any) error {
	if ctx == nil {
		return c.call.wrap(errNilContext)
	}
	rv := reflect.ValueOf(results)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Slice {
		return invalidOptionf("All needs a non-nil pointer to a slice, not %T", results)
	}
	sv := rv.Elem()
	et := sv.Type().Elem()
	out := reflect.MakeSlice(sv.Type(), 0, c.mc.RemainingBatchLength())
	defer closeAfter(ctx, c.mc)
	for c.Next(ctx) {
		ev := reflect.New(et)
		if err := c.decode(c.mc.Current, ev.Interface()); err != nil {
			c.err = c.call.wrap(err)
			return c.err
		}
		out = reflect.Append(out, ev.Elem())
	}
	if err := c.Err(); err != nil {
		return err
	}
	sv.Set(out)
	return nil
}

// ToList returns up to n of the remaining documents, each a [bson.D] decoded with the cursor's codec options and
// through its outgoing document hooks (nested documents have the codec options' DocumentType): Motor's
// to_list(length). n <= 0 means every remaining document, as Motor's length=None; the cursor is then closed, as All
// closes it. With n > 0 the cursor stays open, so that the next ToList or Next goes on where this one stopped; it
// fetches further batches only while it needs documents, and returns fewer than n only at the end of the results.
// The result is empty, not nil, when no document is left.
//
// Motor's to_list returns documents of the codec options' document_class; a Go method cannot choose its result
// type, so ToList returns bson.D, like [Database.Command], and the function [ToListAs] decodes into any type (use
// ToListAs[bson.M] for maps, or a struct). [Cursor.All] decodes every document into a slice the caller owns. Unlike
// Motor, length 0 means all (Motor returns an empty list), and a tailable cursor is not refused.
//
// An error from getMore, the context or decoding is returned, and reported by [Cursor.Err] afterwards, with no
// documents; a nil ctx is an [ErrInvalidOption] error.
//
// See https://motor.readthedocs.io/en/stable/api-asyncio/asyncio_motor_cursor.html.
func (c *Cursor) ToList(ctx context.Context, n int) ([]bson.D, error) {
	return toList[bson.D](ctx, c, n)
}

// ToListAs is [Cursor.ToList] with each document decoded into a T with the cursor's codec options, through its
// outgoing document hooks: any type a document decodes into, such as a struct, [bson.M] or [bson.Raw] (a copy of
// the document's bytes). It is a function because Go methods cannot have type parameters, like [CommandAs]. n <= 0
// means every remaining document, and the cursor is then closed. A nil cursor is an [ErrInvalidOption] error.
//
//	people, err := motor.ToListAs[Person](ctx, cur, 100)
func ToListAs[T any](ctx context.Context, cur *Cursor, n int) ([]T, error) {
	if cur == nil {
		return nil, invalidOptionf("ToListAs needs a non-nil *Cursor")
	}
	return toList[T](ctx, cur, n)
}

// toList decodes up to n documents of c (all when n <= 0) into Ts.
func toList[T any](ctx context.Context, c *Cursor, n int) ([]T, error) {
	if ctx == nil {
		c.err = c.call.wrap(errNilContext)
		return nil, c.err
	}
	size := c.mc.RemainingBatchLength()
	if n > 0 {
		size = min(size, n)
	} else {
		defer closeAfter(ctx, c.mc)
	}
	out := make([]T, 0, size)
	for (n <= 0 || len(out) < n) && c.Next(ctx) {
		var v T
		if err := c.decode(c.mc.Current, &v); err != nil {
			c.err = c.call.wrap(err)
			return nil, c.err
		}
		out = append(out, v)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Err returns the error that stopped iteration, if any: a failed getMore, an expired context, or a decoding error of
// All or ToList.
func (c *Cursor) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.call.wrap(c.mc.Err())
}

// Close closes the cursor; if the server still holds it, the driver sends killCursors. Closing twice is fine.
func (c *Cursor) Close(ctx context.Context) error { return closeIter(ctx, &c.call, c.mc.Close) }

// RemainingBatchLength returns how many documents are left in the current batch.
func (c *Cursor) RemainingBatchLength() int { return c.mc.RemainingBatchLength() }

// SingleResult is the result of [Collection.FindOne]: one document, or [mongo.ErrNoDocuments].
type SingleResult struct {
	raw  bson.Raw
	err  error
	coll *Collection
}

// Err returns the error of the operation: [mongo.ErrNoDocuments] when nothing matched.
func (r *SingleResult) Err() error { return r.err }

// Raw returns the document's bytes, or the error.
func (r *SingleResult) Raw() (bson.Raw, error) { return r.raw, r.err }

// Decode decodes the document into v with the codec options of the collection, or returns the error.
func (r *SingleResult) Decode(v any) error {
	if r.err != nil {
		return r.err
	}
	return r.coll.call("find").wrap(r.coll.decode(r.raw, v))
}
