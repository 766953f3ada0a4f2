package motor

// The queries: Find and FindOne.

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

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
