package motor

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"

	"github.com/gomotor/motor/internal/bsonutil"
)

// The collection reads that are one command and one reply: distinct, the estimated count (count) and the
// collection's options (listCollections).

// DistinctOptions are the options of [Collection.Distinct] and [DistinctAs]: the keyword arguments of PyMongo's
// distinct(key, filter, session, **kwargs), typed where they are common. The zero value (or a nil pointer) sends
// {distinct, key} (and query when a filter is given) with the collection's settings.
type DistinctOptions struct {
	// Collation is the collation of the string comparisons (MongoDB 3.4+).
	Collation *options.Collation

	// MaxTime limits the time the server spends on the command: PyMongo's maxTimeMS, sent exactly as asked, as
	// for [AggregateOptions.MaxTime]. Negative is an error.
	MaxTime time.Duration

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command in order, after the typed ones and before query: PyMongo's
	// **kwargs. A readConcern given here replaces the collection's. A key that a typed field or argument sends
	// (distinct, key, query, maxTimeMS, comment, collation), or that appears twice, is an error.
	Extra bson.D
}

// distinctTyped are the keys that Distinct sends through its arguments and typed options.
var distinctTyped = []string{"distinct", "key", "query", "maxTimeMS", "comment", "collation"}

// Distinct returns the distinct values of the field key (a dotted path for a nested field) among the documents
// that filter matches, in the server's order: Motor's distinct(key, filter, **kwargs). Values are decoded with the
// collection's codec options, as PyMongo decodes them: documents have its DocumentType, datetimes follow TZAware,
// binaries of subtypes 3 and 4 its UUIDRepresentation. The result is empty, not nil, when nothing matches. Use
// [DistinctAs] to decode the values into a Go type.
//
// It sends {distinct: NAME, key, maxTimeMS, comment, ...Extra, query, readConcern, collation} with only the fields
// that are set, in PyMongo's order; query is the filter, sent only when filter is not nil (any document: bson.D,
// bson.M, a struct); readConcern is the collection's when it has a level, outside a transaction. The collection's
// read preference applies (primary inside a transaction), and the command is retried once after a network error or
// a retryable server error, as PyMongo's reads are, unless the client disables retryable reads or a transaction
// runs. A session in ctx is used.
//
// The database's document hooks run on each value that is a document, as on a document
// read from the collection; PyMongo's distinct runs none, but motor applies them on every read of documents.
//
// An empty key, a filter that is not a document, or bad options are [ErrInvalidOption] errors before any I/O. A
// failed reply is an error wrapping the server's [mongo.CommandError] ("motor: distinct DB.COLL: ...").
//
// See https://www.mongodb.com/docs/manual/reference/command/distinct/.
func (c *Collection) Distinct(ctx context.Context, key string, filter any, opts *DistinctOptions) ([]any, error) {
	var out struct {
		Values []any `bson:"values"`
	}
	if err := c.distinct(ctx, key, filter, opts, &out); err != nil {
		return nil, err
	}
	if out.Values == nil {
		out.Values = []any{}
	}
	return out.Values, nil
}

// DistinctAs is [Collection.Distinct] with the values decoded into Ts with the collection's codec options: string
// for a field of strings, int64 for numbers of any integer type, a struct or [bson.M] for documents, [bson.RawValue]
// to keep each value's BSON. A value that does not decode into a T is an error, and no values are returned. It is
// a function because Go methods cannot have type parameters, like [CommandAs]; everything else (what is sent, read
// preference, retries, hooks, errors) is as for Distinct, Motor's distinct. A nil coll is an [ErrInvalidOption]
// error.
//
//	skus, err := motor.DistinctAs[string](ctx, orders, "sku", bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: 0}}}}, nil)
//
// See https://www.mongodb.com/docs/manual/reference/command/distinct/.
func DistinctAs[T any](ctx context.Context, coll *Collection, key string, filter any, opts *DistinctOptions) ([]T, error) {
	if coll == nil {
		return nil, invalidOptionf("DistinctAs needs a non-nil *Collection")
	}
	var out struct {
		Values []T `bson:"values"`
	}
	if err := coll.distinct(ctx, key, filter, opts, &out); err != nil {
		return nil, err
	}
	if out.Values == nil {
		out.Values = []T{}
	}
	return out.Values, nil
}

// distinct sends the distinct command and decodes its reply into v, a struct with a Values field.
func (c *Collection) distinct(ctx context.Context, key string, filter any, o *DistinctOptions, v any) error {
	if o == nil {
		o = &DistinctOptions{}
	}
	cl, rc := c.readCall(ctx, "distinct", o.MaxTime)
	cmd, err := distinctCmd(c.name, key, filter, o, rc, c.set.codec.reg)
	if err != nil {
		return cl.wrap(err)
	}
	reply, err := c.db.exec(ctx, cl, cmd)
	if err != nil {
		return err
	}
	if reply, err = c.outgoingValues(reply); err != nil {
		return cl.wrap(err)
	}
	if err := c.set.codec.decode(reply, v); err != nil {
		return cl.wrap(err)
	}
	return nil
}

// distinctCmd builds the distinct command on the collection name: {distinct, key, maxTimeMS, comment, ...Extra,
// query, readConcern, collation}. rc is the read concern to send (nil or no level: none); reg checks the filter.
func distinctCmd(name, key string, filter any, o *DistinctOptions, rc *readconcern.ReadConcern, reg *bson.Registry) (bson.D, error) {
	if key == "" {
		return nil, invalidOptionf("the distinct key must not be empty")
	}
	if o.MaxTime < 0 {
		return nil, invalidOptionf("DistinctOptions.MaxTime must not be negative, got %v", o.MaxTime)
	}
	cmd := bson.D{{Key: "distinct", Value: name}, {Key: "key", Value: key}}
	add := func(k string, v any) { cmd = append(cmd, bson.E{Key: k, Value: v}) }
	if ms := maxTimeMS(o.MaxTime); ms != nil {
		add("maxTimeMS", ms)
	}
	if o.Comment != nil {
		add("comment", o.Comment)
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "DistinctOptions", distinctTyped...)
	if err != nil {
		return nil, err
	}
	if filter != nil {
		if err := checkDocument(reg, "the distinct filter", filter); err != nil {
			return nil, err
		}
		add("query", filter)
	}
	if rcd := readConcernDoc(rc); rcd != nil && !hasKey(o.Extra, "readConcern") {
		add("readConcern", rcd)
	}
	if o.Collation != nil {
		add("collation", collationDoc(o.Collation))
	}
	return cmd, nil
}

// outgoingValues returns the distinct reply with each value that is a document passed through the database's
// outgoing hook, as a document read from c; without a hook, the reply as it is.
func (c *Collection) outgoingValues(reply bson.Raw) (bson.Raw, error) {
	h := c.db.hooks.load()
	if h == nil || h.read == nil {
		return reply, nil
	}
	arr, ok := reply.Lookup("values").ArrayOK()
	if !ok {
		return reply, nil
	}
	vals, err := arr.Values()
	if err != nil {
		return nil, err
	}
	out := make(bson.A, len(vals))
	for i, v := range vals {
		out[i] = v
		if doc, ok := v.DocumentOK(); ok {
			if out[i], err = h.read(c.db, c, c.set.codec, doc); err != nil {
				return nil, err
			}
		}
	}
	return bson.Marshal(bson.D{{Key: "values", Value: out}})
}

// EstimatedDocumentCountOptions are the options of [Collection.EstimatedDocumentCount]: the keyword arguments of
// PyMongo's estimated_document_count(**kwargs). The zero value (or a nil pointer) sends {count: NAME}.
type EstimatedDocumentCountOptions struct {
	// MaxTime limits the time the server spends on the command: PyMongo's maxTimeMS, sent exactly as asked, as
	// for [AggregateOptions.MaxTime]. Negative is an error.
	MaxTime time.Duration

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command in order, after the typed ones: PyMongo's **kwargs, such as query
	// (which PyMongo passes through, making the count no longer an estimate). A readConcern given here replaces the
	// collection's. count, maxTimeMS, comment or a key that appears twice is an error.
	Extra bson.D
}

var countTyped = []string{"count", "maxTimeMS", "comment"}

// EstimatedDocumentCount returns the number of documents in the collection from its metadata, without scanning
// it: Motor's estimated_document_count(**kwargs). A missing collection counts 0.
//
// It sends {count: NAME, maxTimeMS, comment, ...Extra, readConcern} with only the fields that are set, as PyMongo
// 3.11 does (and as the Go driver does again since the count command returned to the Stable API): the count command
// with no query answers from the collection's metadata on every server version, where the $collStats aggregation
// that some drivers used for a while fails on views and older servers. readConcern is the collection's when it
// has a level. The collection's read preference applies, and the command is retried once after a network error or
// a retryable server error, as PyMongo's reads are, unless the client disables retryable reads. A failed reply
// with errmsg "ns missing" (servers before 4.0) or NamespaceNotFound (26) counts 0, as in PyMongo.
//
// The count may be off after an unclean shutdown, and on a sharded cluster it counts orphaned documents.
//
// Sessions: a session in ctx is used for the command (its causal consistency applies), as the driver does. Inside a
// transaction, which the server refuses count in (OperationNotSupportedInTransaction, and the failure would abort the
// transaction), EstimatedDocumentCount is an error wrapping [ErrInvalidOperation] before any I/O, and the transaction
// goes on: use [Collection.CountDocuments] there. Motor 2.3 refuses every session, in a transaction or not: PyMongo
// 3.11's estimated_document_count has no session parameter and raises ConfigurationError("estimated_document_count does
// not support sessions") for a session keyword, which its **kwargs would otherwise copy into the command. In Go the
// session travels in the context with the calls around it, so motor refuses only what cannot work.
//
// Bad options are [ErrInvalidOption] errors before any I/O; a failed reply is an error wrapping the server's
// [mongo.CommandError] ("motor: count DB.COLL: ..."), and so is a reply without a number n.
//
// See https://www.mongodb.com/docs/manual/reference/command/count/.
func (c *Collection) EstimatedDocumentCount(ctx context.Context, opts *EstimatedDocumentCountOptions) (int64, error) {
	if opts == nil {
		opts = &EstimatedDocumentCountOptions{}
	}
	cl, rc := c.readCall(ctx, "count", opts.MaxTime)
	cl.accept = nsMissing
	if inTransaction(ctx) {
		return 0, cl.wrap(&invalidOpError{msg: "the count command cannot run in a transaction; use CountDocuments"})
	}
	cmd, err := countCmd(c.name, opts, rc)
	if err != nil {
		return 0, cl.wrap(err)
	}
	reply, err := c.db.exec(ctx, cl, cmd)
	if err != nil {
		return 0, err
	}
	if !bsonutil.Truthy(reply.Lookup("ok")) { // a failed reply that nsMissing accepted
		return 0, nil
	}
	n, ok := reply.Lookup("n").AsInt64OK()
	if !ok {
		return 0, cl.wrap(errors.New("the count reply has no number n"))
	}
	return n, nil
}

// countCmd builds the count command of EstimatedDocumentCount on the collection name: {count, maxTimeMS, comment,
// ...Extra, readConcern}. rc is the read concern to send (nil or no level: none).
func countCmd(name string, o *EstimatedDocumentCountOptions, rc *readconcern.ReadConcern) (bson.D, error) {
	if o.MaxTime < 0 {
		return nil, invalidOptionf("EstimatedDocumentCountOptions.MaxTime must not be negative, got %v", o.MaxTime)
	}
	cmd := bson.D{{Key: "count", Value: name}}
	if ms := maxTimeMS(o.MaxTime); ms != nil {
		cmd = append(cmd, bson.E{Key: "maxTimeMS", Value: ms})
	}
	if o.Comment != nil {
		cmd = append(cmd, bson.E{Key: "comment", Value: o.Comment})
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "EstimatedDocumentCountOptions", countTyped...)
	if err != nil {
		return nil, err
	}
	if rcd := readConcernDoc(rc); rcd != nil && !hasKey(o.Extra, "readConcern") {
		cmd = append(cmd, bson.E{Key: "readConcern", Value: rcd})
	}
	return cmd, nil
}

// nsMissing reports whether a failed count reply says the collection does not exist: PyMongo's allowable error
// "ns missing", or NamespaceNotFound.
func nsMissing(failed bson.Raw) bool {
	if msg, _ := failed.Lookup("errmsg").StringValueOK(); msg == "ns missing" {
		return true
	}
	code, _ := failed.Lookup("code").AsInt64OK()
	return code == codeNamespaceNotFound
}

// Options returns the options the collection was created with (capped, size, validator, viewOn, pipeline,
// collation, ...), as a [bson.D] decoded with the collection's codec options (nested documents have its
// DocumentType): Motor's options(). A collection created without options gives an empty document, and so does a
// collection that does not exist, as in PyMongo. The "create" field that servers before 3.0 kept is left out, as
// PyMongo leaves it out.
//
// It sends {listCollections: 1, cursor: {}, filter: {name: NAME}} to the database, as PyMongo does, with primary
// read preference whatever the collection's is, retried once like [Database.ListCollections], and reads the
// options field of the first document. Outgoing document hooks do not apply: the options describe the collection,
// they are not one of its documents (PyMongo applies none either). A failed reply is an error
// wrapping the server's [mongo.CommandError] ("motor: options DB.COLL: ...").
//
// See https://www.mongodb.com/docs/manual/reference/command/listCollections/.
func (c *Collection) Options(ctx context.Context) (bson.D, error) {
	cl := c.call("options")
	cl.retryRead = true
	cmd, err := listCollectionsCmd(&ListCollectionsOptions{Filter: bson.D{{Key: "name", Value: c.name}}}, c.set.codec.reg)
	if err != nil {
		return nil, cl.wrap(err)
	}
	cur, err := c.db.execCursor(ctx, cl, cmd)
	if err != nil {
		return nil, err
	}
	defer closeAfter(ctx, cur)
	var info struct {
		Options bson.D `bson:"options"`
	}
	if cur.Next(ctx) {
		if err := c.set.codec.decode(cur.Current, &info); err != nil {
			return nil, cl.wrap(err)
		}
	} else if err := cur.Err(); err != nil {
		return nil, cl.wrap(err)
	}
	opts := bson.D{}
	for _, e := range info.Options {
		if e.Key != "create" {
			opts = append(opts, e)
		}
	}
	return opts, nil
}
