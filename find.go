package motor

// The queries: Find, FindOne and FindRawBatches, and the find command they send.

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
)

// FindOptions are the options of [Collection.Find] and [Collection.FindRawBatches]: the keyword arguments of Motor's
// find(filter, projection, skip, limit, no_cursor_timeout, cursor_type, sort, allow_partial_results, batch_size,
// collation, hint, max_time_ms, max, min, return_key, show_record_id, comment, allow_disk_use, ...). The zero value
// (or a nil pointer) sends {find: NAME, filter} and reads every matching document in the server's order. Fields
// left at their zero value are not sent.
//
//	cur, err := orders.Find(ctx, bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: 0}}}}, &motor.FindOptions{
//		Sort:       bson.D{{Key: "qty", Value: -1}},      // the largest quantities first
//		Skip:       20,                                   // the third page of 10
//		Limit:      10,
//		Projection: []string{"item", "qty"},              // or bson.D{{Key: "item", Value: 1}, ...}
//	})
type FindOptions struct {
	// Projection says which fields the documents carry: a document ({item: 1, _id: 0}) or the names of the fields
	// to include, as PyMongo's list form (["item", "qty"] is sent as {item: 1, qty: 1}).
	Projection any

	// Sort orders the documents: the keys and their directions, in order (1 ascending, -1 descending, or
	// {$meta: "textScore"}).
	Sort bson.D

	// Skip is the number of matching documents to pass over before the first one returned. Negative is an error.
	Skip int64

	// Limit is the most documents to return; 0 means no limit. Negative is an error: PyMongo's negative limit is
	// Limit with SingleBatch.
	Limit int64

	// SingleBatch closes the cursor after the first batch (PyMongo's negative limit), so that the server keeps
	// nothing open: what Limit documents fit in one reply is all.
	SingleBatch bool

	// BatchSize is the number of documents in each batch, the first one and each getMore's; 0 means the server's
	// default (101 documents, then 16 MiB batches). Negative is an error.
	BatchSize int32

	// CursorType makes a tailable cursor on a capped collection: options.Tailable, or options.TailableAwait, whose
	// getMore waits up to MaxAwaitTime for new documents. The zero value is an ordinary cursor.
	CursorType options.CursorType

	// MaxAwaitTime is how long a getMore of an options.TailableAwait cursor waits for new documents (sent as its
	// maxTimeMS); 0 means the server's default (1 s). Negative is an error.
	MaxAwaitTime time.Duration

	// NoCursorTimeout keeps the server from closing the cursor after 10 minutes without a getMore.
	NoCursorTimeout bool

	// AllowPartialResults returns what the reachable shards have when some shards of a sharded cluster are down,
	// instead of an error.
	AllowPartialResults bool

	// Collation is the collation of the query's string comparisons (MongoDB 3.4+).
	Collation *options.Collation

	// Hint is the index to use: its name (a string) or its key document, such as bson.D{{Key: "qty", Value: 1}}.
	Hint any

	// MaxTime limits the time the server spends on the query: PyMongo's max_time_ms, sent as maxTimeMS exactly as
	// asked, as for [AggregateOptions.MaxTime]. Negative is an error.
	MaxTime time.Duration

	// Max and Min are the exclusive upper and inclusive lower bounds of the index keys to scan: documents such as
	// bson.D{{Key: "qty", Value: 100}}, used with Hint.
	Max, Min any

	// ReturnKey returns the index keys of the documents instead of the documents.
	ReturnKey bool

	// ShowRecordID adds the server's record id to each document as $recordId.
	ShowRecordID bool

	// Comment is attached to the query for the server's logs and profiler; any BSON value.
	Comment any

	// AllowDiskUse lets a sort that needs much memory write temporary files (MongoDB 4.4+). nil sends nothing, so
	// the server's default applies; a pointer to false sends allowDiskUse: false.
	AllowDiskUse *bool

	// Let is a document of variables that the filter reads as $$name with $expr (MongoDB 5.0+).
	Let any

	// Extra fields are appended to the command in order, after every other field: anything the struct does not
	// name. A key that the struct sends (see [Collection.Find]), or one that appears twice, is an error.
	Extra bson.D
}

// FindOneOptions are the options of [Collection.FindOne], [Database.Dereference] and [Client.Dereference]: those of
// [FindOptions] that mean something for one document. FindOne sends limit: 1 and singleBatch: true itself.
type FindOneOptions struct {
	// Projection, Sort, Skip, Collation, Hint, MaxTime, Max, Min, ReturnKey, ShowRecordID, Comment,
	// AllowPartialResults, AllowDiskUse, Let and Extra are as for [FindOptions].
	Projection          any
	Sort                bson.D
	Skip                int64
	Collation           *options.Collation
	Hint                any
	MaxTime             time.Duration
	Max, Min            any
	ReturnKey           bool
	ShowRecordID        bool
	Comment             any
	AllowPartialResults bool
	AllowDiskUse        *bool
	Let                 any
	Extra               bson.D
}

// findOptions returns o as the options of the find command that FindOne sends: PyMongo's find_one is find with
// limit -1, which is limit: 1 and singleBatch: true.
func (o *FindOneOptions) findOptions() *FindOptions {
	if o == nil {
		return &FindOptions{Limit: 1, SingleBatch: true}
	}
	return &FindOptions{
		Projection: o.Projection, Sort: o.Sort, Skip: o.Skip, Limit: 1, SingleBatch: true, Collation: o.Collation,
		Hint: o.Hint, MaxTime: o.MaxTime, Max: o.Max, Min: o.Min, ReturnKey: o.ReturnKey, ShowRecordID: o.ShowRecordID,
		Comment: o.Comment, AllowPartialResults: o.AllowPartialResults, AllowDiskUse: o.AllowDiskUse, Let: o.Let,
		Extra: o.Extra,
	}
}

// findTyped are the keys of the find command that motor sends itself.
var findTyped = []string{
	"find", "filter", "sort", "hint", "comment", "maxTimeMS", "max", "min", "returnKey", "showRecordId", "projection",
	"skip", "limit", "singleBatch", "batchSize", "readConcern", "collation", "allowDiskUse", "let", "tailable",
	"noCursorTimeout", "awaitData", "allowPartialResults",
}

// Find runs a query and returns a cursor over the documents that filter matches: Motor's find(filter, **kwargs). The
// documents are decoded with the collection's codec options and outgoing document hooks.
//
// filter is a document (bson.D, bson.M, a struct, bson.Raw); nil matches every document. opts sort, skip, limit
// and project, as [FindOptions] shows. It sends, in PyMongo 3.11's order and with only the fields that are set,
//
//	{find: NAME, filter, sort, hint, comment, maxTimeMS, max, min, returnKey, showRecordId, projection, skip, limit,
//	 singleBatch, batchSize, readConcern, collation, allowDiskUse, let, tailable, noCursorTimeout, awaitData,
//	 allowPartialResults, ...Extra}
//
// readConcern is the collection's when it has a level, outside a transaction. The collection's read preference
// applies (primary inside a transaction), and the query is retried once after a network error or a retryable server
// error, as PyMongo's reads are, unless the client disables retryable reads. Later batches come with getMore (with
// batchSize when BatchSize is set). A session in ctx is used.
//
// Unlike Motor, whose cursor sends nothing until the first read, Find sends the query at once and returns its
// error. A filter that is not a document and bad options are [ErrInvalidOption] errors before any I/O; a failed
// reply is an error wrapping the server's [mongo.CommandError] ("motor: find DB.COLL: ...").
//
// See https://www.mongodb.com/docs/manual/reference/command/find/.
func (c *Collection) Find(ctx context.Context, filter any, opts *FindOptions) (*Cursor, error) {
	cur, err := c.find(ctx, filter, opts)
	if err != nil {
		return nil, err
	}
	return &Cursor{mc: cur, db: c.db, coll: c, codec: c.set.codec, call: c.call("find")}, nil
}

// FindOne returns the first document that filter matches, in opts.Sort's order: Motor's find_one(filter, **kwargs).
// It sends the find command of [Collection.Find] with limit: 1 and singleBatch: true, with the same settings and
// retry. filter is a document, or nil for any document; any other value is taken as the _id to find, as PyMongo's
// find_one takes it ({_id: filter}).
//
// The [SingleResult] decodes the document with the collection's codec options and outgoing document hooks; its Err
// is [mongo.ErrNoDocuments], unwrapped, when nothing matches, and otherwise the error of [Collection.Find].
func (c *Collection) FindOne(ctx context.Context, filter any, opts *FindOneOptions) *SingleResult {
	if filter != nil && checkIsDocument("the filter", filter) != nil {
		filter = bson.D{{Key: "_id", Value: filter}}
	}
	cur, err := c.find(ctx, filter, opts.findOptions())
	if err != nil {
		return &SingleResult{err: err}
	}
	return c.first(ctx, &Cursor{mc: cur, call: c.call("find")})
}

// first is the result of a query for one document: the first document of cur, or mongo.ErrNoDocuments.
func (c *Collection) first(ctx context.Context, cur *Cursor) *SingleResult {
	defer closeAfter(ctx, cur)
	if cur.Next(ctx) {
		return &SingleResult{raw: cur.Current(), coll: c}
	}
	if err := cur.Err(); err != nil {
		return &SingleResult{err: err}
	}
	return &SingleResult{err: mongo.ErrNoDocuments}
}

// FindRawBatches runs a query like [Collection.Find] and returns a cursor over its batches as raw BSON: Motor's
// find_raw_batches. filter, opts, the command and the settings are those of Find. The documents are not decoded:
// codec options and document hooks do not apply.
//
// PyMongo 3.11 sends a legacy OP_QUERY find for raw batches (which MongoDB 5.1 and FerretDB refuse) and refuses
// sessions; motor sends the find command, and a session in ctx is used.
//
// See https://www.mongodb.com/docs/manual/reference/command/find/.
func (c *Collection) FindRawBatches(ctx context.Context, filter any, opts *FindOptions) (*RawBatchCursor, error) {
	cur, err := c.find(ctx, filter, opts)
	if err != nil {
		return nil, err
	}
	return &RawBatchCursor{mc: cur, call: c.call("find")}, nil
}

// find sends the find command of Find, FindOne and FindRawBatches and returns the driver's cursor.
func (c *Collection) find(ctx context.Context, filter any, o *FindOptions) (*mongo.Cursor, error) {
	if o == nil {
		o = &FindOptions{}
	}
	cl, rc := c.readCall(ctx, "find", o.MaxTime)
	cmd, err := findCmd(c.name, filter, o, rc, c.set.codec.reg)
	if err != nil {
		return nil, cl.wrap(err)
	}
	cur, err := c.db.execCursor(ctx, cl, cmd)
	if err != nil {
		return nil, err
	}
	if o.BatchSize > 0 {
		cur.SetBatchSize(o.BatchSize)
	}
	if o.MaxAwaitTime > 0 {
		cur.SetMaxAwaitTime(o.MaxAwaitTime)
	}
	return cur, nil
}

// findCmd builds the find command on the collection name, in PyMongo 3.11's order (see [Collection.Find]). rc is
// the read concern to send (nil or no level: none); reg checks the document arguments.
func findCmd(name string, filter any, o *FindOptions, rc *readconcern.ReadConcern, reg *bson.Registry) (bson.D, error) {
	switch {
	case o.Skip < 0:
		return nil, invalidOptionf("FindOptions.Skip must not be negative, got %d", o.Skip)
	case o.Limit < 0:
		return nil, invalidOptionf("FindOptions.Limit must not be negative, got %d (for PyMongo's negative limit, set SingleBatch)", o.Limit)
	case o.BatchSize < 0:
		return nil, invalidOptionf("FindOptions.BatchSize must not be negative, got %d", o.BatchSize)
	case o.MaxTime < 0:
		return nil, invalidOptionf("FindOptions.MaxTime must not be negative, got %v", o.MaxTime)
	case o.MaxAwaitTime < 0:
		return nil, invalidOptionf("FindOptions.MaxAwaitTime must not be negative, got %v", o.MaxAwaitTime)
	case o.CursorType != options.NonTailable && o.CursorType != options.Tailable && o.CursorType != options.TailableAwait:
		return nil, invalidOptionf("FindOptions.CursorType must be options.NonTailable, options.Tailable or options.TailableAwait, got %d", o.CursorType)
	}
	if filter == nil {
		filter = bson.D{}
	} else if err := checkIsDocument("the filter", filter); err != nil { // the driver encodes it, once
		return nil, err
	}
	cmd := make(bson.D, 0, 4)
	cmd = append(cmd, bson.E{Key: "find", Value: name}, bson.E{Key: "filter", Value: filter})
	add := func(k string, v any) { cmd = append(cmd, bson.E{Key: k, Value: v}) }
	if o.Sort != nil {
		add("sort", o.Sort)
	}
	if err := checkHint(reg, "FindOptions.Hint", o.Hint); err != nil {
		return nil, err
	}
	if o.Hint != nil {
		add("hint", o.Hint)
	}
	if o.Comment != nil {
		add("comment", o.Comment)
	}
	if ms := maxTimeMS(o.MaxTime); ms != nil {
		add("maxTimeMS", ms)
	}
	for _, f := range []struct {
		key, field string
		v          any
	}{{"max", "FindOptions.Max", o.Max}, {"min", "FindOptions.Min", o.Min}} {
		if f.v == nil {
			continue
		}
		if err := checkDocument(reg, f.field, f.v); err != nil {
			return nil, err
		}
		add(f.key, f.v)
	}
	if o.ReturnKey {
		add("returnKey", true)
	}
	if o.ShowRecordID {
		add("showRecordId", true)
	}
	if o.Projection != nil {
		p, err := projectionDoc("FindOptions.Projection", o.Projection)
		if err != nil {
			return nil, err
		}
		if err := checkDocument(reg, "FindOptions.Projection", p); err != nil {
			return nil, err
		}
		add("projection", p)
	}
	if o.Skip > 0 {
		add("skip", pyInt(o.Skip))
	}
	if o.Limit > 0 {
		add("limit", pyInt(o.Limit))
	}
	if o.SingleBatch {
		add("singleBatch", true)
	}
	if o.BatchSize > 0 {
		add("batchSize", o.BatchSize)
	}
	if rcd := readConcernDoc(rc); rcd != nil {
		add("readConcern", rcd)
	}
	if o.Collation != nil {
		add("collation", collationDoc(o.Collation))
	}
	if o.AllowDiskUse != nil {
		add("allowDiskUse", *o.AllowDiskUse)
	}
	if o.Let != nil {
		if err := checkDocument(reg, "FindOptions.Let", o.Let); err != nil {
			return nil, err
		}
		add("let", o.Let)
	}
	if o.CursorType != options.NonTailable {
		add("tailable", true)
	}
	if o.NoCursorTimeout {
		add("noCursorTimeout", true)
	}
	if o.CursorType == options.TailableAwait {
		add("awaitData", true)
	}
	if o.AllowPartialResults {
		add("allowPartialResults", true)
	}
	return appendExtraFields(cmd, o.Extra, "FindOptions", findTyped...)
}
