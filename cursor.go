package motor

import (
	"context"
	"errors"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Cursor iterates over the documents of a query, decoding each with the codec options of the handle that made it.
// It wraps a driver cursor, which fetches further batches with getMore and kills the server cursor on an early
// Close. A Cursor is not safe for concurrent use.
//
//	for cur.Next(ctx) {
//		var doc bson.D
//		if err := cur.Decode(&doc); err != nil { ... }
//	}
//	if err := cur.Err(); err != nil { ... }
type Cursor struct {
	mc    *mongo.Cursor
	db    *Database   // decodes the documents (Database.decodeFrom)
	coll  *Collection // the collection read, nil for a command cursor
	codec *codec
	op    string // the operation, for errors
	err   error
}

// decode decodes one document of the cursor into v.
func (c *Cursor) decode(raw bson.Raw, v any) error {
	return c.db.decodeFrom(c.coll, c.codec, raw, v)
}

// fail wraps err as the error of the cursor's operation.
func (c *Cursor) fail(err error) error {
	if c.coll != nil {
		return c.coll.fail(c.op, err)
	}
	return opErr(c.op, err)
}

// Mongo returns the driver cursor beneath.
func (c *Cursor) Mongo() *mongo.Cursor { return c.mc }

// ID returns the server's cursor id; 0 once the server has no more results.
func (c *Cursor) ID() int64 { return c.mc.ID() }

// Next moves to the next document, fetching a batch with getMore when needed. It returns false when the results are
// exhausted or an error happened; see [Cursor.Err].
func (c *Cursor) Next(ctx context.Context) bool {
	if c.err != nil {
		return false
	}
	return c.mc.Next(ctx)
}

// TryNext is like Next but does not block waiting for a tailable cursor's next document: it returns false when no
// document is ready; check [Cursor.Err] and [Cursor.ID] to tell that from the end of the results.
func (c *Cursor) TryNext(ctx context.Context) bool {
	if c.err != nil {
		return false
	}
	return c.mc.TryNext(ctx)
}

// Current returns the raw bytes of the current document. They are valid until the next call to Next or TryNext.
func (c *Cursor) Current() bson.Raw { return c.mc.Current }

// Decode decodes the current document into v with the cursor's codec options.
func (c *Cursor) Decode(v any) error {
	if c.mc.Current == nil {
		return c.fail(errors.New("Decode called without a current document (call Next first)"))
	}
	return c.fail(c.decode(c.mc.Current, v))
}

// All decodes every remaining document into the slice that results points to, replacing its contents, then closes
// the cursor. On error the slice is left as it was.
func (c *Cursor) All(ctx context.Context, results any) error {
	rv := reflect.ValueOf(results)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Slice {
		return optionError("All needs a non-nil pointer to a slice, not %T", results)
	}
	sv := rv.Elem()
	et := sv.Type().Elem()
	out := reflect.MakeSlice(sv.Type(), 0, c.mc.RemainingBatchLength())
	defer c.mc.Close(context.WithoutCancel(ctx))
	for c.Next(ctx) {
		ev := reflect.New(et)
		if err := c.decode(c.mc.Current, ev.Interface()); err != nil {
			c.err = c.fail(err)
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

// Err returns the error that stopped iteration, if any: a failed getMore, an expired context, or a decoding error of
// All.
func (c *Cursor) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.fail(c.mc.Err())
}

// Close closes the cursor; if the server still holds it, the driver sends killCursors. Closing twice is fine.
func (c *Cursor) Close(ctx context.Context) error { return c.fail(c.mc.Close(ctx)) }

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
	return r.coll.fail("find", r.coll.decode(r.raw, v))
}
