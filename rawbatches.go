package motor

import (
	"context"
	"encoding/binary"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// RawBatchCursor iterates over the batches of a query or an aggregation as raw BSON, without decoding a document:
// Motor's AsyncIOMotorRawBatchCursor and AsyncIOMotorRawBatchCommandCursor, which [Collection.FindRawBatches] and
// [Collection.AggregateRawBatches] return. It suits code that hands BSON to another decoder, or stores or forwards
// it, and would waste time decoding.
//
// Each call to Next moves to the next batch the server sent (the first batch, then one per getMore), and Batch
// returns its documents concatenated, as PyMongo's raw batch cursors return them: one BSON document after the
// other, which Python's bson.decode_all reads and [RawBatchCursor.Documents] splits. Batches are never empty: the
// server's empty batches (a tailable cursor with no new data) are skipped. Batch sizes are the server's unless the
// operation sets one ([FindOptions.BatchSize], [AggregateOptions.BatchSize]).
//
// No codec options and no document hooks apply (PyMongo's raw batches ignore them too):
// the bytes are the server's. ID is the server's cursor id (0 once the server holds no more results), Err reports
// what stopped iteration ("motor: find DB.COLL: ..." or "motor: aggregate DB.COLL: ..."), and Close sends killCursors
// when the server still holds the cursor. It wraps a driver cursor ([RawBatchCursor.Mongo]); do not iterate that
// one as well. A RawBatchCursor is not safe for concurrent use; always Close it.
//
//	for cur.Next(ctx) {
//		for _, doc := range cur.Documents() { ... }
//	}
//	if err := cur.Err(); err != nil { ... }
type RawBatchCursor struct {
	mc    *mongo.Cursor
	call  call // the operation that opened the cursor: its errors read "motor: OP DB.COLL: CAUSE"
	batch []byte
	err   error
}

// Next moves to the next batch, fetching it with getMore when the current one is used up. It returns false when the
// results are exhausted or an error happened; see [RawBatchCursor.Err].
func (c *RawBatchCursor) Next(ctx context.Context) bool {
	c.batch = nil
	if !iterate(ctx, &c.call, &c.err, c.mc.Next) {
		return false
	}
	// The driver's cursor holds the whole batch: copy its first document, then the rest of the batch, which Next
	// serves without a getMore. (Each Current is valid only until the next Next, so each is copied at once.)
	batch := append([]byte(nil), c.mc.Current...)
	for c.mc.RemainingBatchLength() > 0 && c.mc.Next(ctx) {
		batch = append(batch, c.mc.Current...)
	}
	c.batch = batch
	return true
}

// Batch returns the documents of the current batch, concatenated, as PyMongo's raw batch cursors return them; nil
// before the first call to Next and after the last. The bytes are the caller's: the cursor does not reuse them.
func (c *RawBatchCursor) Batch() []byte { return c.batch }

// Documents returns the documents of the current batch, each a slice of [RawBatchCursor.Batch]; nil before the first
// call to Next and after the last.
func (c *RawBatchCursor) Documents() []bson.Raw {
	var docs []bson.Raw
	for b := c.batch; len(b) >= 5; {
		n := int(binary.LittleEndian.Uint32(b))
		docs = append(docs, bson.Raw(b[:n:n]))
		b = b[n:]
	}
	return docs
}

// ID returns the server's cursor id; 0 once the server has no more results.
func (c *RawBatchCursor) ID() int64 { return c.mc.ID() }

// Err returns the error that stopped iteration, if any: a failed getMore, an expired context, or a nil context.
func (c *RawBatchCursor) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.call.wrap(c.mc.Err())
}

// Close closes the cursor; if the server still holds it, the driver sends killCursors. Closing twice is fine.
func (c *RawBatchCursor) Close(ctx context.Context) error {
	c.batch = nil
	return closeIter(ctx, &c.call, c.mc.Close)
}

// Mongo returns the driver cursor beneath.
func (c *RawBatchCursor) Mongo() *mongo.Cursor { return c.mc }

// AggregateRawBatches runs the aggregation pipeline on this collection like [Collection.Aggregate] and returns a
// cursor over its batches as raw BSON: Motor's aggregate_raw_batches(pipeline, **kwargs). The command, options,
// checks, settings and errors are those of Aggregate; the documents are not decoded, so codec options and document
// hooks do not apply.
//
// PyMongo 3.11 asks for an empty first batch (cursor: {batchSize: 0}) so that it never decodes a document, then
// reads every batch with getMore, and refuses sessions. motor reads the first batch from the aggregate reply, which
// saves a round trip, sends cursor: {} (or the BatchSize asked for) as Aggregate does, and uses a session in ctx;
// [AggregateOptions.FirstBatchSize] 0 sends what PyMongo sends.
//
// See https://www.mongodb.com/docs/manual/reference/command/aggregate/.
func (c *Collection) AggregateRawBatches(ctx context.Context, pipeline any, opts *AggregateOptions) (*RawBatchCursor, error) {
	cur, err := c.db.aggregate(ctx, c.name, c.full, &c.set, c.err, pipeline, opts)
	if err != nil {
		return nil, err
	}
	return &RawBatchCursor{mc: cur, call: c.call("aggregate")}, nil
}
