package motor

// The writes of single documents and of many: insert, update, replace and delete, with their options.

import (
	"context"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/xoptions"
)

// InsertOneOptions are the options of [Collection.InsertOne]: the keyword arguments of Motor's
// insert_one(document, bypass_document_validation, session). The zero value (or a nil pointer) sends {insert: NAME,
// ordered: true, documents: [document]} with the collection's write concern.
type InsertOneOptions struct {
	// BypassDocumentValidation lets the write skip the collection's validation rules. With an unacknowledged write
	// concern it is an error, as in PyMongo.
	BypassDocumentValidation bool

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command: anything the struct does not name. A key the driver sends itself
	// (insert, documents, ordered, bypassDocumentValidation, comment, writeConcern, lsid, txnNumber) or one that
	// appears twice is an error.
	Extra bson.D
}

// InsertManyOptions are the options of [Collection.InsertMany]: the keyword arguments of Motor's
// insert_many(documents, ordered, bypass_document_validation, session). The zero value (or a nil pointer) is an
// ordered insert.
type InsertManyOptions struct {
	// Ordered, when false, lets the server insert the documents in any order and go on after an error. nil means
	// true, Motor's default: the documents are inserted in order and the first error stops them.
	Ordered *bool

	// BypassDocumentValidation, Comment and Extra are as for [InsertOneOptions].
	BypassDocumentValidation bool
	Comment                  any
	Extra                    bson.D
}

// UpdateOptions are the options of [Collection.UpdateOne] and [Collection.UpdateMany]: the keyword arguments of
// Motor's update_one and update_many(filter, update, upsert, bypass_document_validation, collation, array_filters,
// hint, session). The zero value (or a nil pointer) updates what the filter matches and inserts nothing.
type UpdateOptions struct {
	// Upsert inserts a document made from the filter and the update when the filter matches nothing.
	Upsert bool

	// BypassDocumentValidation lets the write skip the collection's validation rules. With an unacknowledged write
	// concern it is an error, as in PyMongo.
	BypassDocumentValidation bool

	// Collation is the collation of the filter's string comparisons (MongoDB 3.4+).
	Collation *options.Collation

	// ArrayFilters select the array elements that an update operator with $[identifier] changes: filter documents
	// (MongoDB 3.6+).
	ArrayFilters []any

	// Hint is the index to use: its name (a string) or its key document (MongoDB 4.2+).
	Hint any

	// Let is a document of variables that the filter and an update pipeline read as $$name (MongoDB 5.0+).
	Let any

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command, as for [InsertOneOptions].
	Extra bson.D
}

// ReplaceOptions are the options of [Collection.ReplaceOne]: the keyword arguments of Motor's replace_one(filter,
// replacement, upsert, bypass_document_validation, collation, hint, session). The fields are as for
// [UpdateOptions].
type ReplaceOptions struct {
	Upsert                   bool
	BypassDocumentValidation bool
	Collation                *options.Collation
	Hint                     any
	Let                      any
	Comment                  any
	Extra                    bson.D
}

// DeleteOptions are the options of [Collection.DeleteOne] and [Collection.DeleteMany]: the keyword arguments of
// Motor's delete_one and delete_many(filter, collation, hint, session). The fields are as for [UpdateOptions].
type DeleteOptions struct {
	Collation *options.Collation
	Hint      any
	Let       any
	Comment   any
	Extra     bson.D
}

// writeTyped are the keys of the write commands that the driver sends itself.
var writeTyped = []string{
	"insert", "update", "delete", "documents", "updates", "deletes", "ordered", "bypassDocumentValidation",
	"comment", "let", "writeConcern", "lsid", "txnNumber",
}

// writeOptions are the options every write has, checked.
type writeOptions struct {
	bypass  bool
	comment any
	let     any
	extra   bson.D // encoded: every value a bson.RawValue
}

// newWriteOptions checks the options of a write (what names the options struct in errors) against whether its write
// concern is acknowledged.
func newWriteOptions(c *Collection, what string, acknowledged, bypass bool, comment, let any, extra bson.D) (*writeOptions, error) {
	if bypass && !acknowledged {
		return nil, invalidOptionf("cannot set %s.BypassDocumentValidation with an unacknowledged write concern", what)
	}
	if let != nil {
		if err := checkDocument(c.set.codec.reg, what+".Let", let); err != nil {
			return nil, err
		}
	}
	if _, err := appendExtraFields(nil, extra, what, writeTyped...); err != nil {
		return nil, err
	}
	enc, err := encodeFields(c.set.codec.reg, extra)
	if err != nil {
		return nil, invalidOptionf("cannot encode %s.Extra: %v", what, err)
	}
	return &writeOptions{bypass: bypass, comment: comment, let: let, extra: enc}, nil
}

// writeBuilder is what the driver's insert, update, replace and delete option builders have in common.
type writeBuilder[B any] interface {
	SetComment(any) B
}

// buildWrite sets the shared options o on the driver's builder b: comment, and Extra through setInternal (the xoptions
// setter of b's type).
func buildWrite[B writeBuilder[B]](b B, o *writeOptions, setInternal func(B, string, any) error) B {
	if o.comment != nil {
		b.SetComment(o.comment)
	}
	if o.extra != nil {
		_ = setInternal(b, "addCommandFields", o.extra) // a bson.D: cannot fail
	}
	return b
}

// InsertOne inserts document, which goes through the incoming document hooks, and returns the driver's result with
// the inserted _id, which the driver generates when the document has none: Motor's insert_one(document,
// bypass_document_validation). It sends {insert: NAME, ordered: true, documents: [document], bypassDocumentValidation,
// comment, ...Extra, writeConcern} to the primary, as a retryable write with the collection's write concern (none
// inside a transaction).
//
// A document larger than the server accepts is an [ErrDocumentTooLarge] error, and bad options are
// [ErrInvalidOption] errors, before anything is sent. A write error (a duplicate key) is an error wrapping
// [mongo.WriteException], reachable with errors.As; so is a writeConcernError.
//
// See https://www.mongodb.com/docs/manual/reference/command/insert/.
func (c *Collection) InsertOne(ctx context.Context, document any, opts *InsertOneOptions) (*mongo.InsertOneResult, error) {
	cl := c.call("insert")
	var b *options.InsertOneOptionsBuilder // nil: the driver's defaults, without a builder to read
	if opts != nil && (opts.BypassDocumentValidation || opts.Comment != nil || opts.Extra != nil) {
		wo, err := newWriteOptions(c, "InsertOneOptions", writeConcernFor(ctx, c.set.wc).Acknowledged(),
			opts.BypassDocumentValidation, opts.Comment, nil, opts.Extra)
		if err != nil {
			return nil, cl.wrap(err)
		}
		b = buildWrite(options.InsertOne(), wo, xoptions.SetInternalInsertOneOptions)
		if wo.bypass {
			b.SetBypassDocumentValidation(true)
		}
	}
	// Hooks run before the driver client is held: one that does I/O must not wait on a swap that waits on us.
	document, err := c.db.writing(c, document, false)
	if err != nil {
		return nil, cl.wrap(err)
	}
	return c.insertOne(ctx, cl, c.sized(document), b)
}

// InsertMany inserts documents, a slice or an array of documents, each through the incoming document hooks: Motor's
// insert_many(documents, ordered, bypass_document_validation). The driver sends them in as few insert commands as
// the server's limits allow, each as InsertOne describes, with ordered as opts says.
//
// documents that are not a slice or an array, or are empty (PyMongo's "documents must be a non-empty list"), a
// document larger than the server accepts ([ErrDocumentTooLarge]) and bad options are errors before anything is
// sent. When writes fail, the error wraps the driver's [mongo.BulkWriteException] (each of its WriteErrors has the
// index of its document) and the result holds the _ids of the documents that were inserted.
//
// See https://www.mongodb.com/docs/manual/reference/command/insert/.
func (c *Collection) InsertMany(ctx context.Context, documents any, opts *InsertManyOptions) (*mongo.InsertManyResult, error) {
	cl := c.call("insert")
	if opts == nil {
		opts = &InsertManyOptions{}
	}
	if documents == nil || !isArray(documents) {
		return nil, cl.wrap(invalidOptionf("the documents to insert must be a slice or an array, not %T", documents))
	}
	if reflect.ValueOf(documents).Len() == 0 {
		return nil, cl.wrap(invalidOptionf("the documents to insert must not be empty"))
	}
	wo, err := newWriteOptions(c, "InsertManyOptions", writeConcernFor(ctx, c.set.wc).Acknowledged(),
		opts.BypassDocumentValidation, opts.Comment, nil, opts.Extra)
	if err != nil {
		return nil, cl.wrap(err)
	}
	b := buildWrite(options.InsertMany(), wo, xoptions.SetInternalInsertManyOptions)
	if wo.bypass {
		b.SetBypassDocumentValidation(true)
	}
	if opts.Ordered != nil {
		b.SetOrdered(*opts.Ordered)
	}
	if documents, err = c.db.writingMany(c, documents); err != nil {
		return nil, cl.wrap(err)
	}
	return c.insertMany(ctx, cl, c.sizedMany(documents), b)
}

// updateArgs checks the filter, the update and the options of UpdateOne and UpdateMany, and returns the update as it
// is sent and the checked options.
func (c *Collection) updateArgs(ctx context.Context, filter, update any, o *UpdateOptions) (any, *writeOptions, error) {
	if o == nil {
		o = &UpdateOptions{}
	}
	ack := writeConcernFor(ctx, c.set.wc).Acknowledged()
	if err := checkWrite(c, ack, filter, o.Collation, o.ArrayFilters, o.Hint); err != nil {
		return nil, nil, err
	}
	if err := checkHint(c.set.codec.reg, "UpdateOptions.Hint", o.Hint); err != nil {
		return nil, nil, err
	}
	wo, err := newWriteOptions(c, "UpdateOptions", ack, o.BypassDocumentValidation, o.Comment, o.Let, o.Extra)
	if err != nil {
		return nil, nil, err
	}
	update, err = c.updateDoc(update)
	return update, wo, err
}

// updateBuilder is what the driver's UpdateOne and UpdateMany option builders have in common.
type updateBuilder[B any] interface {
	writeBuilder[B]
	SetUpsert(bool) B
	SetBypassDocumentValidation(bool) B
	SetCollation(*options.Collation) B
	SetArrayFilters([]any) B
	SetHint(any) B
	SetLet(any) B
}

// buildUpdate sets o and the checked wo on the driver's update builder b.
func buildUpdate[B updateBuilder[B]](b B, o *UpdateOptions, wo *writeOptions, setInternal func(B, string, any) error) B {
	b = buildWrite(b, wo, setInternal)
	if o == nil {
		return b
	}
	if o.Upsert {
		b.SetUpsert(true)
	}
	if wo.bypass {
		b.SetBypassDocumentValidation(true)
	}
	if o.Collation != nil {
		b.SetCollation(o.Collation)
	}
	if o.ArrayFilters != nil {
		b.SetArrayFilters(o.ArrayFilters)
	}
	if o.Hint != nil {
		b.SetHint(o.Hint)
	}
	if wo.let != nil {
		b.SetLet(wo.let)
	}
	return b
}

// UpdateOne applies update to the first document that filter matches: Motor's update_one(filter, update, upsert,
// bypass_document_validation, collation, array_filters, hint). It sends {update: NAME, ordered: true, updates: [{q:
// filter, u: update, upsert, collation, arrayFilters, hint}], bypassDocumentValidation, comment, let, ...Extra,
// writeConcern} to the primary, as a retryable write with the collection's write concern (none inside a
// transaction).
//
// update is a document of update operators ({$set: {...}, $inc: {...}}), encoded with the collection's codec
// options, or an aggregation pipeline (a slice of stages, MongoDB 4.2+). A filter that is not a document, an update
// document with a key that does not start with '$' (a replacement: use [Collection.ReplaceOne]), an empty update,
// collation, arrayFilters or hint with an unacknowledged write concern, and bad options are [ErrInvalidOption]
// errors before any I/O, as PyMongo raises them. Update documents do not go through the document hooks. A write
// error is an error wrapping [mongo.WriteException]; so is a writeConcernError.
//
// See https://www.mongodb.com/docs/manual/reference/command/update/.
func (c *Collection) UpdateOne(ctx context.Context, filter, update any, opts *UpdateOptions) (*mongo.UpdateResult, error) {
	cl := c.call("update")
	update, wo, err := c.updateArgs(ctx, filter, update, opts)
	if err != nil {
		return nil, cl.wrap(err)
	}
	return c.updateOne(ctx, cl, filter, update, buildUpdate(options.UpdateOne(), opts, wo, xoptions.SetInternalUpdateOneOptions))
}

// UpdateMany applies update to every document that filter matches: Motor's update_many. It sends the update command
// of [Collection.UpdateOne] with multi: true, with the same checks, settings and errors; it is not a retryable
// write.
//
// See https://www.mongodb.com/docs/manual/reference/command/update/.
func (c *Collection) UpdateMany(ctx context.Context, filter, update any, opts *UpdateOptions) (*mongo.UpdateResult, error) {
	cl := c.call("update")
	update, wo, err := c.updateArgs(ctx, filter, update, opts)
	if err != nil {
		return nil, cl.wrap(err)
	}
	return c.updateMany(ctx, cl, filter, update, buildUpdate(options.UpdateMany(), opts, wo, xoptions.SetInternalUpdateManyOptions))
}

// ReplaceOne replaces the first document that filter matches with replacement: Motor's replace_one(filter,
// replacement, upsert, bypass_document_validation, collation, hint). It sends {update: NAME, ordered: true,
// updates: [{q: filter, u: replacement, upsert, collation, hint}], bypassDocumentValidation, comment, let, ...Extra,
// writeConcern}, as [Collection.UpdateOne] does.
//
// The replacement goes through the incoming document hooks (without an _id added). A replacement with a key that
// starts with '$' (an update operator: use [Collection.UpdateOne]) or larger than the server accepts
// ([ErrDocumentTooLarge]), and the other bad input of UpdateOne, are errors before any I/O.
//
// See https://www.mongodb.com/docs/manual/reference/command/update/.
func (c *Collection) ReplaceOne(ctx context.Context, filter, replacement any, opts *ReplaceOptions) (*mongo.UpdateResult, error) {
	cl := c.call("replace")
	if opts == nil {
		opts = &ReplaceOptions{}
	}
	ack := writeConcernFor(ctx, c.set.wc).Acknowledged()
	if err := checkWrite(c, ack, filter, opts.Collation, nil, opts.Hint); err != nil {
		return nil, cl.wrap(err)
	}
	if err := checkHint(c.set.codec.reg, "ReplaceOptions.Hint", opts.Hint); err != nil {
		return nil, cl.wrap(err)
	}
	wo, err := newWriteOptions(c, "ReplaceOptions", ack, opts.BypassDocumentValidation, opts.Comment, opts.Let, opts.Extra)
	if err != nil {
		return nil, cl.wrap(err)
	}
	b := buildWrite(options.Replace(), wo, xoptions.SetInternalReplaceOptions)
	if opts.Upsert {
		b.SetUpsert(true)
	}
	if wo.bypass {
		b.SetBypassDocumentValidation(true)
	}
	if opts.Collation != nil {
		b.SetCollation(opts.Collation)
	}
	if opts.Hint != nil {
		b.SetHint(opts.Hint)
	}
	if wo.let != nil {
		b.SetLet(wo.let)
	}
	// Hooks run before the driver client is held, as for inserts.
	if replacement, err = c.replacementDoc(replacement); err != nil {
		return nil, cl.wrap(err)
	}
	return c.replaceOne(ctx, cl, filter, replacement, b)
}

// deleteArgs checks the filter and the options of DeleteOne and DeleteMany.
func (c *Collection) deleteArgs(ctx context.Context, filter any, o *DeleteOptions) (*writeOptions, error) {
	if o == nil {
		o = &DeleteOptions{}
	}
	ack := writeConcernFor(ctx, c.set.wc).Acknowledged()
	if err := checkWrite(c, ack, filter, o.Collation, nil, o.Hint); err != nil {
		return nil, err
	}
	if err := checkHint(c.set.codec.reg, "DeleteOptions.Hint", o.Hint); err != nil {
		return nil, err
	}
	return newWriteOptions(c, "DeleteOptions", ack, false, o.Comment, o.Let, o.Extra)
}

// deleteBuilder is what the driver's DeleteOne and DeleteMany option builders have in common.
type deleteBuilder[B any] interface {
	writeBuilder[B]
	SetCollation(*options.Collation) B
	SetHint(any) B
	SetLet(any) B
}

// buildDelete sets o and the checked wo on the driver's delete builder b.
func buildDelete[B deleteBuilder[B]](b B, o *DeleteOptions, wo *writeOptions, setInternal func(B, string, any) error) B {
	b = buildWrite(b, wo, setInternal)
	if o == nil {
		return b
	}
	if o.Collation != nil {
		b.SetCollation(o.Collation)
	}
	if o.Hint != nil {
		b.SetHint(o.Hint)
	}
	if wo.let != nil {
		b.SetLet(wo.let)
	}
	return b
}

// DeleteOne deletes the first document that filter matches: Motor's delete_one(filter, collation, hint). It sends
// {delete: NAME, ordered: true, deletes: [{q: filter, limit: 1, collation, hint}], comment, let, ...Extra,
// writeConcern} to the primary, as a retryable write with the collection's write concern (none inside a
// transaction).
//
// A filter that is not a document, collation or hint with an unacknowledged write concern, and bad options are
// [ErrInvalidOption] errors before any I/O. A write error is an error wrapping [mongo.WriteException]; so is a
// writeConcernError.
//
// See https://www.mongodb.com/docs/manual/reference/command/delete/.
func (c *Collection) DeleteOne(ctx context.Context, filter any, opts *DeleteOptions) (*mongo.DeleteResult, error) {
	cl := c.call("delete")
	wo, err := c.deleteArgs(ctx, filter, opts)
	if err != nil {
		return nil, cl.wrap(err)
	}
	return c.deleteOne(ctx, cl, filter, buildDelete(options.DeleteOne(), opts, wo, xoptions.SetInternalDeleteOneOptions))
}

// DeleteMany deletes every document that filter matches: Motor's delete_many. It sends the delete command of
// [Collection.DeleteOne] with limit: 0, with the same checks, settings and errors; it is not a retryable write.
//
// See https://www.mongodb.com/docs/manual/reference/command/delete/.
func (c *Collection) DeleteMany(ctx context.Context, filter any, opts *DeleteOptions) (*mongo.DeleteResult, error) {
	cl := c.call("delete")
	wo, err := c.deleteArgs(ctx, filter, opts)
	if err != nil {
		return nil, cl.wrap(err)
	}
	return c.deleteMany(ctx, cl, filter, buildDelete(options.DeleteMany(), opts, wo, xoptions.SetInternalDeleteManyOptions))
}
