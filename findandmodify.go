package motor

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/xoptions"

	"github.com/gomotor/motor/internal/bsonutil"
)

// The FindOneAnd methods send findAndModify through the driver's FindOneAndDelete, FindOneAndReplace and
// FindOneAndUpdate, so that they are retryable writes (sent with a transaction number and retried once after a
// network error or a retryable server error, as PyMongo's are) with the collection's write concern. motor's options
// structs are translated into the driver's option builders, Extra into the command fields that the driver appends
// after its own (xoptions' addCommandFields; no exported type of the driver's x packages is used).

// ReturnDocument says which version of the document the FindOneAndReplace and FindOneAndUpdate methods return:
// Motor's ReturnDocument.BEFORE and ReturnDocument.AFTER.
type ReturnDocument int

const (
	// ReturnDocumentBefore returns the document as it was before the change (the default; findAndModify's new:
	// false). With an upsert that inserted, nothing is returned.
	ReturnDocumentBefore ReturnDocument = iota
	// ReturnDocumentAfter returns the document as it is after the change, the inserted one after an upsert
	// (findAndModify's new: true).
	ReturnDocumentAfter
)

// String returns "before" or "after".
func (r ReturnDocument) String() string {
	switch r {
	case ReturnDocumentBefore:
		return "before"
	case ReturnDocumentAfter:
		return "after"
	}
	return fmt.Sprintf("ReturnDocument(%d)", int(r))
}

// FindOneAndOptions are the options that [Collection.FindOneAndDelete], [Collection.FindOneAndReplace] and
// [Collection.FindOneAndUpdate] share, embedded in each one's options: the keyword arguments projection, sort,
// hint and **kwargs of Motor's find_one_and_* methods.
type FindOneAndOptions struct {
	// Projection selects the fields of the returned document, sent as fields: a document such as
	// bson.D{{Key: "_id", Value: 0}, {Key: "name", Value: 1}}, or a list of the field names to return, as PyMongo
	// takes it: a []string, or a slice or array of strings such as bson.A{"name", "qty"}, sent as {name: 1, qty:
	// 1} (a name given twice is sent once, where it first appears; an empty list sends {}, which returns every
	// field). With a list, _id is returned too. nil returns every field. A string alone is an error (PyMongo reads
	// it as a list of one-letter names), as is a list with anything but strings.
	Projection any

	// Sort picks the document when the filter matches several: fields and directions in order, e.g.
	// bson.D{{Key: "created", Value: -1}}.
	Sort bson.D

	// Collation is the collation of the filter and sort (MongoDB 3.4+).
	Collation *options.Collation

	// Hint is the index to use: its name (a string) or its keys (an ordered document such as a bson.D) (MongoDB
	// 4.4+ for delete, 4.2+ for update and replace).
	Hint any

	// MaxTime limits the time the server spends on the command: PyMongo's maxTimeMS, sent exactly as asked, as for
	// [AggregateOptions.MaxTime]. Negative is an error.
	MaxTime time.Duration

	// Let defines variables for the filter and, in an update pipeline, the update: a document (MongoDB 5.0+).
	Let any

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the findAndModify command in order, after the typed ones: PyMongo's **kwargs. A
	// key that motor sends itself (findAndModify, query, new, remove, update, fields, sort, upsert, arrayFilters,
	// hint, collation, bypassDocumentValidation, let, comment, maxTimeMS, writeConcern), or that appears twice, is an
	// error.
	Extra bson.D
}

// FindOneAndDeleteOptions are the options of [Collection.FindOneAndDelete]: the keyword arguments of Motor's
// find_one_and_delete(filter, projection, sort, hint, session, **kwargs). The zero value (or a nil pointer) deletes
// the first document the filter matches, in the server's order, and returns it whole.
//
//	opts := &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Sort: bson.D{{Key: "queued", Value: 1}}}}
type FindOneAndDeleteOptions struct {
	FindOneAndOptions
}

// FindOneAndReplaceOptions are the options of [Collection.FindOneAndReplace]: the keyword arguments of Motor's
// find_one_and_replace(filter, replacement, projection, sort, upsert, return_document, hint, session, **kwargs). The
// zero value (or a nil pointer) replaces the first document the filter matches and returns it as it was.
type FindOneAndReplaceOptions struct {
	FindOneAndOptions

	// Upsert inserts the replacement when the filter matches nothing. upsert is always sent (false by default), as
	// PyMongo sends it.
	Upsert bool

	// ReturnDocument says which version of the document to return: before the change (the default) or after it.
	ReturnDocument ReturnDocument

	// BypassDocumentValidation lets the write skip the collection's validation rules.
	BypassDocumentValidation bool
}

// FindOneAndUpdateOptions are the options of [Collection.FindOneAndUpdate]: the keyword arguments of Motor's
// find_one_and_update(filter, update, projection, sort, upsert, return_document, array_filters, hint, session,
// **kwargs). The zero value (or a nil pointer) updates the first document the filter matches and returns it as it
// was.
//
//	opts := &motor.FindOneAndUpdateOptions{Upsert: true, ReturnDocument: motor.ReturnDocumentAfter}
type FindOneAndUpdateOptions struct {
	FindOneAndOptions

	// Upsert inserts a document made from the filter and the update when the filter matches nothing. upsert is
	// always sent (false by default), as PyMongo sends it.
	Upsert bool

	// ReturnDocument says which version of the document to return: before the change (the default) or after it.
	ReturnDocument ReturnDocument

	// ArrayFilters select the array elements that an update operator with $[identifier] changes: filter documents
	// (MongoDB 3.6+).
	ArrayFilters []any

	// BypassDocumentValidation lets the write skip the collection's validation rules.
	BypassDocumentValidation bool
}

// famTyped are the keys of the findAndModify command that motor or the driver sends itself.
var famTyped = []string{
	"findAndModify", "query", "new", "remove", "update", "fields", "sort", "upsert", "arrayFilters", "hint",
	"collation", "bypassDocumentValidation", "let", "comment", "maxTimeMS", "writeConcern",
}

// famOptions are the options that the three FindOneAnd methods share, checked.
type famOptions struct {
	projection any
	sort       bson.D
	collation  *options.Collation
	hint       any
	let        any
	comment    any
	extra      bson.D // encoded: every value a bson.RawValue
}

// famBuilder is what the driver's three FindOneAnd option builders have in common.
type famBuilder[B any] interface {
	SetProjection(any) B
	SetSort(any) B
	SetCollation(*options.Collation) B
	SetComment(any) B
	SetHint(any) B
	SetLet(any) B
}

// newFamOptions checks the shared options of a FindOneAnd method (what names the options struct in errors); wc is
// the write concern the command goes with (nil inside a transaction) and reg the collection's registry.
func newFamOptions(what string, o *FindOneAndOptions, wc *writeconcern.WriteConcern, reg *bson.Registry) (*famOptions, error) {
	projection, sort, collation, hint, maxTime, let, comment, extra := o.Projection, o.Sort, o.Collation, o.Hint, o.MaxTime, o.Let, o.Comment, o.Extra
	if maxTime < 0 {
		return nil, invalidOptionf("%s.MaxTime must not be negative, got %v", what, maxTime)
	}
	projection, err := projectionDoc(what+".Projection", projection)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		field string
		v     any
	}{{"Projection", projection}, {"Let", let}} {
		if f.v != nil {
			if err := checkDocument(reg, what+"."+f.field, f.v); err != nil {
				return nil, err
			}
		}
	}
	if err := checkHint(reg, what+".Hint", hint); err != nil {
		return nil, err
	}
	if !wc.Acknowledged() && (collation != nil || hint != nil) {
		return nil, invalidOptionf("collation and hint are unsupported for unacknowledged writes")
	}
	if _, err := appendExtraFields(nil, extra, what, famTyped...); err != nil {
		return nil, err
	}
	if ms := maxTimeMS(maxTime); ms != nil { // the driver has no maxTime option: sent as PyMongo sends it
		extra = append(bson.D{{Key: "maxTimeMS", Value: ms}}, extra...)
	}
	raw, err := encodeFields(reg, extra)
	if err != nil {
		return nil, invalidOptionf("cannot encode %s.Extra: %v", what, err)
	}
	return &famOptions{projection: projection, sort: sort, collation: collation, hint: hint, let: let, comment: comment, extra: raw}, nil
}

// checkHint reports an error unless hint, the option field, is nil, an index name or an ordered document of index
// keys.
func checkHint(reg *bson.Registry, field string, hint any) error {
	switch h := hint.(type) {
	case nil:
		return nil
	case string:
		if h == "" {
			return invalidOptionf("%s must not be an empty index name", field)
		}
		return nil
	}
	if reflect.TypeOf(hint).Kind() == reflect.Map && reflect.ValueOf(hint).Len() > 1 {
		return invalidOptionf("%s must be an index name or an ordered document (bson.D), not a %T with several keys", field, hint)
	}
	return checkDocument(reg, field, hint)
}

// encodeFields returns fields with every value encoded with reg, so that the driver, which appends extra command
// fields with its default registry, sends them as the collection's codec encodes them. nil stays nil.
func encodeFields(reg *bson.Registry, fields bson.D) (bson.D, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	raw, err := bsonutil.Encode(reg, fields)
	if err != nil {
		return nil, err
	}
	elems, err := raw.Elements()
	if err != nil {
		return nil, err
	}
	out := make(bson.D, len(elems))
	for i, e := range elems {
		out[i] = bson.E{Key: e.Key(), Value: e.Value()}
	}
	return out, nil
}

// famWriteBuilder is what the driver's FindOneAndReplace and FindOneAndUpdate option builders have beyond
// famBuilder.
type famWriteBuilder[B any] interface {
	famBuilder[B]
	SetReturnDocument(options.ReturnDocument) B
	SetUpsert(bool) B
	SetBypassDocumentValidation(bool) B
}

// buildFam sets the shared options o on the driver's builder b, Extra through setInternal (the xoptions setter of
// b's type).
func buildFam[B famBuilder[B]](b B, o *famOptions, setInternal func(B, string, any) error) B {
	if o.projection != nil {
		b.SetProjection(o.projection)
	}
	if o.sort != nil {
		b.SetSort(o.sort)
	}
	if o.collation != nil {
		b.SetCollation(o.collation)
	}
	if o.comment != nil {
		b.SetComment(o.comment)
	}
	if o.hint != nil {
		b.SetHint(o.hint)
	}
	if o.let != nil {
		b.SetLet(o.let)
	}
	if o.extra != nil {
		_ = setInternal(b, "addCommandFields", o.extra) // a bson.D: cannot fail
	}
	return b
}

// buildFamWrite sets the options of a replace or an update on b: new and upsert, always sent as PyMongo sends them,
// and bypassDocumentValidation when set. what names the options struct in errors.
func buildFamWrite[B famWriteBuilder[B]](b B, what string, r ReturnDocument, upsert, bypass bool) (B, error) {
	switch r {
	case ReturnDocumentBefore:
		b.SetReturnDocument(options.Before)
	case ReturnDocumentAfter:
		b.SetReturnDocument(options.After)
	default:
		return b, invalidOptionf("%s.ReturnDocument must be ReturnDocumentBefore or ReturnDocumentAfter, not %d", what, int(r))
	}
	b.SetUpsert(upsert)
	if bypass {
		b.SetBypassDocumentValidation(true)
	}
	return b, nil
}

// findOneAndDeleteOpts translates FindOneAndDeleteOptions into the driver's builder.
func findOneAndDeleteOpts(o *FindOneAndDeleteOptions, wc *writeconcern.WriteConcern, reg *bson.Registry) (*options.FindOneAndDeleteOptionsBuilder, error) {
	f, err := newFamOptions("FindOneAndDeleteOptions", &o.FindOneAndOptions, wc, reg)
	if err != nil {
		return nil, err
	}
	return buildFam(options.FindOneAndDelete(), f, xoptions.SetInternalFindOneAndDeleteOptions), nil
}

// findOneAndReplaceOpts translates FindOneAndReplaceOptions into the driver's builder.
func findOneAndReplaceOpts(o *FindOneAndReplaceOptions, wc *writeconcern.WriteConcern, reg *bson.Registry) (*options.FindOneAndReplaceOptionsBuilder, error) {
	const what = "FindOneAndReplaceOptions"
	f, err := newFamOptions(what, &o.FindOneAndOptions, wc, reg)
	if err != nil {
		return nil, err
	}
	b := buildFam(options.FindOneAndReplace(), f, xoptions.SetInternalFindOneAndReplaceOptions)
	return buildFamWrite(b, what, o.ReturnDocument, o.Upsert, o.BypassDocumentValidation)
}

// findOneAndUpdateOpts translates FindOneAndUpdateOptions into the driver's builder.
func findOneAndUpdateOpts(o *FindOneAndUpdateOptions, wc *writeconcern.WriteConcern, reg *bson.Registry) (*options.FindOneAndUpdateOptionsBuilder, error) {
	const what = "FindOneAndUpdateOptions"
	f, err := newFamOptions(what, &o.FindOneAndOptions, wc, reg)
	if err != nil {
		return nil, err
	}
	if o.ArrayFilters != nil && !wc.Acknowledged() {
		return nil, invalidOptionf("arrayFilters is unsupported for unacknowledged writes")
	}
	for i, af := range o.ArrayFilters {
		if err := checkDocument(reg, fmt.Sprintf("%s.ArrayFilters[%d]", what, i), af); err != nil {
			return nil, err
		}
	}
	b := buildFam(options.FindOneAndUpdate(), f, xoptions.SetInternalFindOneAndUpdateOptions)
	if o.ArrayFilters != nil {
		b.SetArrayFilters(o.ArrayFilters)
	}
	return buildFamWrite(b, what, o.ReturnDocument, o.Upsert, o.BypassDocumentValidation)
}

// checkFilter reports an error unless filter is a document.
func checkFilter(filter any) error { return checkIsDocument("the filter", filter) }

// updateDoc returns update as it is sent: a pipeline (a slice or array of stages) as it is, a document encoded
// with the collection's codec options and checked to hold only update operators, as PyMongo's
// validate_ok_for_update requires (PyMongo checks the first key; motor checks every key). An empty document or
// pipeline is an error.
func (c *Collection) updateDoc(update any) (any, error) {
	if update != nil && isArray(update) {
		if v := reflect.ValueOf(update); v.Kind() != reflect.Slice && v.Kind() != reflect.Array || v.Len() == 0 {
			return nil, invalidOptionf("the update pipeline must not be empty")
		}
		return update, nil
	}
	raw, err := encodeArg(c.set.codec.reg, "the update", update)
	if err != nil {
		return nil, err
	}
	elems, err := raw.Elements()
	if err != nil {
		return nil, invalidOptionf("the update is not a valid document: %v", err)
	}
	if len(elems) == 0 {
		return nil, invalidOptionf("the update must not be empty")
	}
	for _, e := range elems {
		if !strings.HasPrefix(e.Key(), "$") {
			return nil, invalidOptionf("the update must only have update operators ($set, $inc, ...), not %q "+
				"(to replace the whole document, use a replace operation)", e.Key())
		}
	}
	return raw, nil
}

// replacementDoc returns replacement as it is sent: through the database's replacing hook, encoded with the
// collection's codec options, checked to hold no update operator (PyMongo's validate_ok_for_replace, which checks
// the first key; motor checks every key), with the size check of [Collection.InsertOne].
func (c *Collection) replacementDoc(replacement any) (any, error) {
	if err := checkIsDocument("the replacement", replacement); err != nil {
		return nil, err
	}
	doc, err := c.db.writing(c, replacement, true)
	if err != nil {
		return nil, err
	}
	raw, err := encodeArg(c.set.codec.reg, "the replacement", doc)
	if err != nil {
		return nil, err
	}
	elems, err := raw.Elements()
	if err != nil {
		return nil, invalidOptionf("the replacement is not a valid document: %v", err)
	}
	for _, e := range elems {
		if strings.HasPrefix(e.Key(), "$") {
			return nil, invalidOptionf("the replacement must not have update operators, got %q (to update fields, use an update operation)", e.Key())
		}
	}
	return c.sized(raw), nil
}

// FindOneAndDelete deletes the first document that filter matches (in opts.Sort's order) and returns it: Motor's
// find_one_and_delete(filter, projection, sort, hint, session, **kwargs).
//
// It sends findAndModify through the driver, as a retryable write with the collection's write concern (none inside
// a transaction), to the primary:
//
//	{findAndModify: coll, collation, comment, fields: projection, query: filter, remove: true, sort, hint, let,
//	 ...Extra, writeConcern}
//
// with only the options that are set. (PyMongo sends the same fields in another order, plus new: false.)
// opts.MaxTime bounds the call.
//
// The returned [SingleResult] decodes the document with the collection's codec options and outgoing document hooks;
// its Err is [mongo.ErrNoDocuments], unwrapped, when nothing matched. A filter that is not a document and bad
// options are [ErrInvalidOption] errors before any I/O, as are collation and hint with an unacknowledged write
// concern. Server errors are returned wrapped, reachable with errors.As(err, &mongo.CommandError{}); a
// writeConcernError is an error wrapping [mongo.WriteException].
//
// See https://www.mongodb.com/docs/manual/reference/command/findAndModify/.
func (c *Collection) FindOneAndDelete(ctx context.Context, filter any, opts *FindOneAndDeleteOptions) *SingleResult {
	if opts == nil {
		opts = &FindOneAndDeleteOptions{}
	}
	var b *options.FindOneAndDeleteOptionsBuilder
	return c.findAndModify(ctx, "find one and delete", filter, opts.MaxTime, func(wc *writeconcern.WriteConcern) (err error) {
		b, err = findOneAndDeleteOpts(opts, wc, c.set.codec.reg)
		return err
	}, func(ctx context.Context, cl call) *SingleResult {
		return c.findOneAndDelete(ctx, cl, filter, b)
	})
}

// FindOneAndReplace replaces the first document that filter matches (in opts.Sort's order) with replacement and
// returns the document as it was, or as it is after the change with [ReturnDocumentAfter]: Motor's
// find_one_and_replace(filter, replacement, projection, sort, upsert, return_document, hint, session, **kwargs).
//
// The replacement goes through the incoming document hooks (without an _id added) and is refused before any I/O
// when it has a key starting with '$' (an update operator: use [Collection.FindOneAndUpdate]) or is larger than the
// server accepts ([ErrDocumentTooLarge]). It sends findAndModify through the driver, as a retryable write with the
// collection's write concern (none inside a transaction), to the primary:
//
//	{findAndModify: coll, bypassDocumentValidation, collation, comment, fields: projection, new, query: filter, sort,
//	 update: replacement, upsert, hint, let, ...Extra, writeConcern}
//
// new and upsert are always sent, as PyMongo sends them; the other options only when they are set. opts.MaxTime
// bounds the call. The result and errors are as for [Collection.FindOneAndDelete]; with ReturnDocumentBefore, an
// upsert that inserted returns [mongo.ErrNoDocuments].
//
// See https://www.mongodb.com/docs/manual/reference/command/findAndModify/.
func (c *Collection) FindOneAndReplace(ctx context.Context, filter, replacement any, opts *FindOneAndReplaceOptions) *SingleResult {
	if opts == nil {
		opts = &FindOneAndReplaceOptions{}
	}
	var b *options.FindOneAndReplaceOptionsBuilder
	return c.findAndModify(ctx, "find one and replace", filter, opts.MaxTime, func(wc *writeconcern.WriteConcern) (err error) {
		if b, err = findOneAndReplaceOpts(opts, wc, c.set.codec.reg); err != nil {
			return err
		}
		replacement, err = c.replacementDoc(replacement)
		return err
	}, func(ctx context.Context, cl call) *SingleResult {
		return c.findOneAndReplace(ctx, cl, filter, replacement, b)
	})
}

// FindOneAndUpdate applies update to the first document that filter matches (in opts.Sort's order) and returns the
// document as it was, or as it is after the change with [ReturnDocumentAfter]: Motor's find_one_and_update(filter,
// update, projection, sort, upsert, return_document, array_filters, hint, session, **kwargs).
//
// update is a document of update operators ({$set: {...}, $inc: {...}}), encoded with the collection's codec
// options, or an aggregation pipeline (a slice of stages, MongoDB 4.2+). A document with a key that does not start
// with '$' (a replacement: use [Collection.FindOneAndReplace]), an empty one and an empty pipeline are
// [ErrInvalidOption] errors before any I/O. Update documents do not go through the document hooks. It sends
// findAndModify through the driver, as a retryable write with the collection's write concern (none inside a
// transaction), to the primary:
//
//	{findAndModify: coll, arrayFilters, bypassDocumentValidation, collation, comment, fields: projection, new,
//	 query: filter, sort, update, upsert, hint, let, ...Extra, writeConcern}
//
// new and upsert are always sent, as PyMongo sends them; the other options only when they are set. arrayFilters,
// like collation and hint, is refused with an unacknowledged write concern. opts.MaxTime bounds the call. The result
// and errors are as for [Collection.FindOneAndDelete].
//
// See https://www.mongodb.com/docs/manual/reference/command/findAndModify/.
func (c *Collection) FindOneAndUpdate(ctx context.Context, filter, update any, opts *FindOneAndUpdateOptions) *SingleResult {
	if opts == nil {
		opts = &FindOneAndUpdateOptions{}
	}
	var b *options.FindOneAndUpdateOptionsBuilder
	return c.findAndModify(ctx, "find one and update", filter, opts.MaxTime, func(wc *writeconcern.WriteConcern) (err error) {
		if b, err = findOneAndUpdateOpts(opts, wc, c.set.codec.reg); err != nil {
			return err
		}
		update, err = c.updateDoc(update)
		return err
	}, func(ctx context.Context, cl call) *SingleResult {
		return c.findOneAndUpdate(ctx, cl, filter, update, b)
	})
}

// findAndModify runs a FindOneAnd method: prepare checks its options and documents with the write concern the
// command goes with (running the document hooks before the driver client is held), then run sends it.
func (c *Collection) findAndModify(ctx context.Context, op string, filter any, maxTime time.Duration,
	prepare func(wc *writeconcern.WriteConcern) error, run func(context.Context, call) *SingleResult,
) *SingleResult {
	cl := c.call(op)
	cl.ownMaxTime = maxTime > 0
	err := checkFilter(filter)
	if err == nil {
		err = prepare(writeConcernFor(ctx, c.set.wc))
	}
	if err != nil {
		return &SingleResult{err: cl.wrap(err)}
	}
	return run(ctx, cl)
}
