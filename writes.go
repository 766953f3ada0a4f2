package motor

// The writes of single documents and of many: insert, update, replace and delete.

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

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
