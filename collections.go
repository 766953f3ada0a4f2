package motor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// CreateCollectionOptions are the options of [Database.CreateCollection]: the arguments of Motor's
// create_collection(name, codec_options, read_preference, write_concern, read_concern, session, **kwargs). The first
// four fields are the settings of the returned collection; the others are fields of the create command, typed where
// they are common, and Extra for the rest (idIndex, and whatever later servers add). The zero value (or a nil pointer)
// creates a plain collection with the database's settings. Numeric fields left at 0 and strings left empty are not
// sent.
type CreateCollectionOptions struct {
	// CodecOptions, ReadPreference, WriteConcern and ReadConcern are the settings of the returned collection; nil
	// inherits the database's, as for [Database.Collection]. The collection's write concern (this one, else the
	// database's) is also sent with the create command.
	CodecOptions   *CodecOptions
	ReadPreference *readpref.ReadPref
	WriteConcern   *writeconcern.WriteConcern
	ReadConcern    *readconcern.ReadConcern

	// Capped makes a capped collection of at most Size bytes (required by the server for capped collections) and,
	// when Max is set, at most Max documents. Size is sent as a double, as PyMongo sends it.
	Capped bool
	Size   int64
	Max    int64

	// Timeseries makes a time series collection (MongoDB 5.0+).
	Timeseries *TimeseriesOptions

	// ExpireAfterSeconds removes documents of a time series or clustered collection that many seconds old
	// (MongoDB 5.0+).
	ExpireAfterSeconds int64

	// ClusteredIndex is the clustered index document, e.g. {key: {_id: 1}, unique: true} (MongoDB 5.3+).
	ClusteredIndex any

	// ChangeStreamPreAndPostImages sends changeStreamPreAndPostImages: {enabled: true} (MongoDB 6.0+).
	ChangeStreamPreAndPostImages bool

	// StorageEngine is the storage engine configuration document, e.g. {wiredTiger: {configString: "..."}}.
	StorageEngine any

	// Validator is the validation document, e.g. {$jsonSchema: {...}}; ValidationLevel is "off", "strict" or
	// "moderate"; ValidationAction is "error", "warn" or (MongoDB 8.1+) "errorAndLog".
	Validator        any
	ValidationLevel  string
	ValidationAction string

	// IndexOptionDefaults is the default index configuration document, e.g. {storageEngine: {...}}.
	IndexOptionDefaults any

	// ViewOn and Pipeline make a view: the source collection or view, and the aggregation pipeline (an array).
	ViewOn   string
	Pipeline any

	// Collation is the default collation of the collection. It cannot be combined with an unacknowledged write
	// concern (PyMongo's ConfigurationError).
	Collation *options.Collation

	// EncryptedFields is the Queryable Encryption configuration document (MongoDB 7.0+). It is sent as it is: motor
	// does not create the auxiliary state collections that the driver's CreateCollection creates for it.
	EncryptedFields any

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the create command in order, after the typed ones: PyMongo's **kwargs. A key that
	// a typed field sends (sent or not, including writeConcern and collation), or that appears twice, is an error.
	Extra bson.D
}

// TimeseriesOptions is the timeseries document of the create command (MongoDB 5.0+).
type TimeseriesOptions struct {
	// TimeField is the name of the field that holds the date of each document. Required.
	TimeField string
	// MetaField is the name of the field that holds the metadata of each document. Empty means none.
	MetaField string
	// Granularity is "seconds", "minutes" or "hours". Empty means the server's default ("seconds").
	Granularity string
	// BucketMaxSpanSeconds and BucketRoundingSeconds set custom bucketing (MongoDB 6.3+); both must be given
	// together and equal. 0 means not sent.
	BucketMaxSpanSeconds  int64
	BucketRoundingSeconds int64
}

// createTyped are the keys that CreateCollectionOptions sends through typed fields.
var createTyped = []string{
	"create", "capped", "size", "max", "timeseries", "expireAfterSeconds", "clusteredIndex",
	"changeStreamPreAndPostImages", "storageEngine", "validator", "validationLevel", "validationAction",
	"indexOptionDefaults", "viewOn", "pipeline", "collation", "encryptedFields", "comment", "writeConcern",
}

// CreateCollection creates the collection name with the options of opts and returns a handle on it carrying the
// settings opts gives: Motor's create_collection. Collections are created on first use anyway, so it is only needed
// to set options (capped, validation, views, time series, ...).
//
// The name is checked as by [Database.Collection] before any I/O (Motor checks it after a round trip), and so are the
// options. Then, unless a transaction is running in the session of ctx, it sends listCollections {cursor: {},
// nameOnly: true, filter: {name: name}} as Motor does (primary, retried once like any listCollections), and an
// existing collection is an error that wraps [ErrCollectionInvalid] ("motor: collection NAME already exists"):
// MongoDB 7+ would accept an identical create silently. Otherwise it sends
//
//	{create: name, capped, size, max, timeseries, expireAfterSeconds, clusteredIndex, changeStreamPreAndPostImages,
//	 storageEngine, validator, validationLevel, validationAction, indexOptionDefaults, viewOn, pipeline,
//	 encryptedFields, comment, ...Extra, writeConcern, collation}
//
// with only the fields that are set, primary read preference and no read concern. writeConcern is the new
// collection's (opts.WriteConcern, else the database's), sent only when one is set and not inside a transaction, as
// PyMongo does; unlike Motor, an unacknowledged (w: 0) create still waits for the server's reply. The create is not
// retried.
//
// If the server reports the namespace exists (NamespaceExists, 48: a race with another client, or inside a
// transaction), the error wraps both [ErrCollectionInvalid] and the server's [mongo.CommandError]. Other server
// errors, such as NotImplemented (238) from servers lacking an option, are returned wrapped, reachable with
// errors.As. A writeConcernError in the reply is an error wrapping [mongo.WriteException].
//
// See https://www.mongodb.com/docs/manual/reference/command/create/.
func (db *Database) CreateCollection(ctx context.Context, name string, opts *CreateCollectionOptions) (*Collection, error) {
	if ctx == nil {
		return nil, optionError("create collection: nil context")
	}
	if opts == nil {
		opts = &CreateCollectionOptions{}
	}
	var hopts []Option
	if opts.CodecOptions != nil {
		hopts = append(hopts, WithCodecOptions(*opts.CodecOptions))
	}
	hopts = append(hopts, WithReadPreference(opts.ReadPreference), WithWriteConcern(opts.WriteConcern),
		WithReadConcern(opts.ReadConcern))
	s, err := db.set.derive(hopts)
	if err != nil {
		return nil, err
	}
	txn := inTransaction(ctx)
	wc := s.wc
	if txn {
		wc = nil
	}
	cmd, err := createCollectionCmd(name, opts, wc, s.codec.reg)
	if err != nil {
		return nil, err
	}
	raw, err := encodeDoc(s.codec.reg, cmd)
	if err != nil {
		return nil, err
	}
	if !txn {
		list, err := listCollectionNamesCmd(&ListCollectionNamesOptions{Filter: bson.D{{Key: "name", Value: name}}}, db.set.codec.reg)
		if err != nil {
			return nil, err
		}
		names, err := db.collectionNames(ctx, list)
		if err != nil {
			return nil, wrapNonFinal(err, "create collection %s: list collections", name)
		}
		for _, n := range names {
			if n == name {
				return nil, &collectionExistsError{name: name}
			}
		}
	}
	if _, err := db.runCommand(ctx, raw, nil); err != nil {
		if _, ce := commandFailed(err); ce != nil && ce.Code == 48 {
			return nil, &collectionExistsError{name: name, cause: err}
		}
		return nil, wrapf(err, "create collection %s", name)
	}
	return db.Collection(name, hopts...)
}

// collectionExistsError is PyMongo's CollectionInvalid("collection NAME already exists"). cause is the server's
// NamespaceExists error when the server said so.
type collectionExistsError struct {
	name  string
	cause error
}

func (e *collectionExistsError) Error() string {
	msg := "motor: collection " + e.name + " already exists"
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *collectionExistsError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrCollectionInvalid}
	}
	return []error{ErrCollectionInvalid, e.cause}
}

// createCollectionCmd builds the create command for name. wc is the write concern to send (nil: none); reg checks
// that document-valued options are documents.
func createCollectionCmd(name string, o *CreateCollectionOptions, wc *writeconcern.WriteConcern, reg *bson.Registry) (bson.D, error) {
	if err := validateCollectionName(name); err != nil {
		return nil, err
	}
	if o == nil {
		o = &CreateCollectionOptions{}
	}
	for _, f := range []struct {
		field string
		n     int64
	}{{"Size", o.Size}, {"Max", o.Max}, {"ExpireAfterSeconds", o.ExpireAfterSeconds}} {
		if f.n < 0 {
			return nil, optionError("CreateCollectionOptions.%s must not be negative, got %d", f.field, f.n)
		}
	}
	cmd := bson.D{{Key: "create", Value: name}}
	add := func(k string, v any) { cmd = append(cmd, bson.E{Key: k, Value: v}) }
	if o.Capped {
		add("capped", true)
	}
	if o.Size != 0 {
		add("size", float64(o.Size))
	}
	if o.Max != 0 {
		add("max", pyInt(o.Max))
	}
	if ts := o.Timeseries; ts != nil {
		d, err := timeseriesDoc(ts)
		if err != nil {
			return nil, err
		}
		add("timeseries", d)
	}
	if o.ExpireAfterSeconds != 0 {
		add("expireAfterSeconds", pyInt(o.ExpireAfterSeconds))
	}
	if o.ClusteredIndex != nil {
		if err := checkDocument(reg, "CreateCollectionOptions.ClusteredIndex", o.ClusteredIndex); err != nil {
			return nil, err
		}
		add("clusteredIndex", o.ClusteredIndex)
	}
	if o.ChangeStreamPreAndPostImages {
		add("changeStreamPreAndPostImages", bson.D{{Key: "enabled", Value: true}})
	}
	for _, f := range []struct {
		key, field string
		v          any
	}{
		{"storageEngine", "StorageEngine", o.StorageEngine},
		{"validator", "Validator", o.Validator},
	} {
		if f.v != nil {
			if err := checkDocument(reg, "CreateCollectionOptions."+f.field, f.v); err != nil {
				return nil, err
			}
			add(f.key, f.v)
		}
	}
	if o.ValidationLevel != "" {
		add("validationLevel", o.ValidationLevel)
	}
	if o.ValidationAction != "" {
		add("validationAction", o.ValidationAction)
	}
	if o.IndexOptionDefaults != nil {
		if err := checkDocument(reg, "CreateCollectionOptions.IndexOptionDefaults", o.IndexOptionDefaults); err != nil {
			return nil, err
		}
		add("indexOptionDefaults", o.IndexOptionDefaults)
	}
	if o.ViewOn != "" {
		add("viewOn", o.ViewOn)
	}
	if o.Pipeline != nil {
		if !isArray(o.Pipeline) {
			return nil, optionError("CreateCollectionOptions.Pipeline must be an array of stages, not a %T", o.Pipeline)
		}
		add("pipeline", o.Pipeline)
	}
	if o.EncryptedFields != nil {
		if err := checkDocument(reg, "CreateCollectionOptions.EncryptedFields", o.EncryptedFields); err != nil {
			return nil, err
		}
		add("encryptedFields", o.EncryptedFields)
	}
	if o.Comment != nil {
		add("comment", o.Comment)
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "CreateCollectionOptions", createTyped...)
	if err != nil {
		return nil, err
	}
	if wcd := writeConcernDoc(wc); wcd != nil {
		add("writeConcern", wcd)
	}
	if o.Collation != nil {
		if !wc.Acknowledged() {
			return nil, optionError("collation is unsupported for unacknowledged writes")
		}
		add("collation", collationDoc(o.Collation))
	}
	return cmd, nil
}

func timeseriesDoc(ts *TimeseriesOptions) (bson.D, error) {
	if ts.TimeField == "" {
		return nil, optionError("TimeseriesOptions.TimeField is required")
	}
	if ts.BucketMaxSpanSeconds < 0 || ts.BucketRoundingSeconds < 0 {
		return nil, optionError("TimeseriesOptions bucket seconds must not be negative")
	}
	d := bson.D{{Key: "timeField", Value: ts.TimeField}}
	if ts.MetaField != "" {
		d = append(d, bson.E{Key: "metaField", Value: ts.MetaField})
	}
	if ts.Granularity != "" {
		d = append(d, bson.E{Key: "granularity", Value: ts.Granularity})
	}
	if ts.BucketMaxSpanSeconds != 0 {
		d = append(d, bson.E{Key: "bucketMaxSpanSeconds", Value: pyInt(ts.BucketMaxSpanSeconds)})
	}
	if ts.BucketRoundingSeconds != 0 {
		d = append(d, bson.E{Key: "bucketRoundingSeconds", Value: pyInt(ts.BucketRoundingSeconds)})
	}
	return d, nil
}

// collationDoc is the collation document, with the driver's field order and omissions.
func collationDoc(c *options.Collation) bson.D {
	var d bson.D
	add := func(k string, v any) { d = append(d, bson.E{Key: k, Value: v}) }
	if c.Locale != "" {
		add("locale", c.Locale)
	}
	if c.CaseLevel {
		add("caseLevel", true)
	}
	if c.CaseFirst != "" {
		add("caseFirst", c.CaseFirst)
	}
	if c.Strength != 0 {
		add("strength", int32(c.Strength))
	}
	if c.NumericOrdering {
		add("numericOrdering", true)
	}
	if c.Alternate != "" {
		add("alternate", c.Alternate)
	}
	if c.MaxVariable != "" {
		add("maxVariable", c.MaxVariable)
	}
	if c.Normalization {
		add("normalization", true)
	}
	if c.Backwards {
		add("backwards", true)
	}
	if d == nil {
		d = bson.D{}
	}
	return d
}

// checkDocument reports an ErrInvalidOption error unless v encodes as a BSON document with reg.
func checkDocument(reg *bson.Registry, field string, v any) error {
	if isArray(v) {
		return optionError("%s must be a document, not a %T", field, v)
	}
	if _, err := encodeDoc(reg, v); err != nil {
		return optionError("%s must be a document: %v", field, err)
	}
	return nil
}

// isArray reports whether v is a Go slice or array that encodes as a BSON array (not bson.D, bson.Raw or []byte).
func isArray(v any) bool {
	switch v.(type) {
	case bson.D, bson.Raw, []byte:
		return false
	case bson.RawArray:
		return true
	}
	k := reflect.TypeOf(v).Kind()
	return k == reflect.Slice || k == reflect.Array
}

// DropCollectionOptions are the options of [Database.DropCollection]. The zero value (or a nil pointer) sends the
// plain drop command.
type DropCollectionOptions struct {
	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the drop command in order. A key that a typed field sends (drop, comment,
	// writeConcern) or that appears twice is an error.
	Extra bson.D
}

// DropCollection drops a collection and returns the server's reply: Motor's drop_collection(name_or_collection).
// coll is a [CollectionName] or a [*Collection] of this database; a nil coll, a collection of another database or
// an invalid name is an error before any I/O (Motor sends any name to the server).
//
// It sends {drop: name, comment, ...Extra, writeConcern} with primary read preference. writeConcern is the database's
// (not the collection's, as in PyMongo), sent only when one is set and not inside a transaction; with w: 0 the server
// still replies and that reply is returned (Motor returns a made-up {ok: 1}). It is not retried.
//
// A missing collection is not an error: when the server answers NamespaceNotFound (code 26 or errmsg "ns not found",
// as servers before 7.0 do; in a mongos reply with a "raw" document of shard replies, the first failed shard's, as
// PyMongo compares them) that failed reply is returned with a nil error, as Motor does; MongoDB 7+ and FerretDB
// answer ok: 1. A writeConcernError in the reply is an error wrapping [mongo.WriteException]; any other server error
// is returned wrapped, reachable with errors.As(err, &mongo.CommandError{}). The reply is a [bson.D] decoded with the
// default codec options, as Motor decodes it.
//
// See https://www.mongodb.com/docs/manual/reference/command/drop/.
func (db *Database) DropCollection(ctx context.Context, coll CollectionRef, opts *DropCollectionOptions) (bson.D, error) {
	if ctx == nil {
		return nil, optionError("drop collection: nil context")
	}
	name, err := db.refName(coll)
	if err != nil {
		return nil, err
	}
	wc := db.set.wc
	if inTransaction(ctx) {
		wc = nil
	}
	cmd, err := dropCollectionCmd(name, opts, wc)
	if err != nil {
		return nil, err
	}
	raw, err := encodeDoc(db.set.codec.reg, cmd)
	if err != nil {
		return nil, err
	}
	reply, err := db.runCommand(ctx, raw, nil)
	if err != nil {
		// PyMongo's allowable_errors=["ns not found", 26], compared like Command's (a mongos's first failed shard).
		failed, _ := commandFailed(err)
		if failed == nil || !allowable(failed, []int32{26}, []string{"ns not found"}) {
			return nil, wrapf(err, "drop collection %s", name)
		}
		if _, werr := failed.LookupErr("writeConcernError"); werr == nil {
			return nil, wrapf(err, "drop collection %s: writeConcernError", name)
		}
		reply = failed
	}
	return defaultCodec.decodeD(reply)
}

// dropCollectionCmd builds the drop command for name; wc is the write concern to send (nil: none).
func dropCollectionCmd(name string, o *DropCollectionOptions, wc *writeconcern.WriteConcern) (bson.D, error) {
	if err := validateCollectionName(name); err != nil {
		return nil, err
	}
	if o == nil {
		o = &DropCollectionOptions{}
	}
	cmd := bson.D{{Key: "drop", Value: name}}
	if o.Comment != nil {
		cmd = append(cmd, bson.E{Key: "comment", Value: o.Comment})
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "DropCollectionOptions", "drop", "comment", "writeConcern")
	if err != nil {
		return nil, err
	}
	if wcd := writeConcernDoc(wc); wcd != nil {
		cmd = append(cmd, bson.E{Key: "writeConcern", Value: wcd})
	}
	return cmd, nil
}

// ListCollectionsOptions are the options of [Database.ListCollections]: the filter and keyword arguments of Motor's
// list_collections(session, filter, **kwargs). The zero value (or a nil pointer) lists every collection with full
// information.
type ListCollectionsOptions struct {
	// Filter selects the collections by their listCollections document (name, type, options, info, idIndex): a
	// document such as bson.D{{Key: "type", Value: "view"}}. nil sends no filter.
	Filter any

	// NameOnly asks for {name, type} documents only, which is cheaper for the server (no collection locks).
	NameOnly bool

	// AuthorizedCollections, with NameOnly, lets a user without the listCollections privilege list the collections
	// it has privileges on (MongoDB 4.0+).
	AuthorizedCollections bool

	// BatchSize is the size of the first batch (sent as cursor: {batchSize}) and of each getMore. 0 means the
	// server's default.
	BatchSize int32

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command in order, before the filter: PyMongo's **kwargs. A key that a typed
	// field sends (listCollections, cursor, filter, nameOnly, authorizedCollections, comment), or that appears twice,
	// is an error.
	Extra bson.D
}

// listTyped are the keys that the listCollections options send through typed fields.
var listTyped = []string{"listCollections", "cursor", "filter", "nameOnly", "authorizedCollections", "comment"}

// ListCollections returns a cursor over the listCollections documents of this database's collections and views
// ({name, type, options, info, idIndex}): Motor's list_collections(session, filter, **kwargs).
//
// It sends {listCollections: 1, cursor: {} (or {batchSize}), authorizedCollections, comment, ...Extra, nameOnly,
// filter} with only the fields that are set, in Motor's order, with primary read preference whatever the database's
// is (as Motor does); a session in ctx is used. Like Motor, it retries once, with the same command, after a network
// error or a retryable server error (codes 6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436), unless
// the client disables retryable reads or a transaction is running. Later batches are fetched with getMore.
//
// Every document is decoded with the database's codec options: Motor decodes the first batch with the default codec
// options and only later batches with the database's, which motor does not copy. Bad options are [ErrInvalidOption]
// errors before any I/O; server errors are returned wrapped, reachable with errors.As(err, &mongo.CommandError{}).
//
// See https://www.mongodb.com/docs/manual/reference/command/listCollections/.
func (db *Database) ListCollections(ctx context.Context, opts *ListCollectionsOptions) (*CommandCursor, error) {
	if ctx == nil {
		return nil, optionError("list collections: nil context")
	}
	if opts == nil {
		opts = &ListCollectionsOptions{}
	}
	cmd, err := listCollectionsCmd(opts, db.set.codec.reg)
	if err != nil {
		return nil, err
	}
	cc, err := db.listCollections(ctx, cmd, opts.BatchSize)
	if err != nil {
		return nil, wrapf(err, "list collections")
	}
	return cc, nil
}

// listCollectionsCmd builds the listCollections command: {listCollections: 1, cursor, authorizedCollections, comment,
// ...Extra, nameOnly, filter}. That order gives Motor's documents for both list_collections (where nameOnly is a
// keyword argument) and list_collection_names (which adds nameOnly after the caller's keyword arguments), with the
// filter last.
func listCollectionsCmd(o *ListCollectionsOptions, reg *bson.Registry) (bson.D, error) {
	if o.BatchSize < 0 {
		return nil, optionError("ListCollectionsOptions.BatchSize must not be negative, got %d", o.BatchSize)
	}
	if o.Filter != nil {
		if err := checkDocument(reg, "the listCollections filter", o.Filter); err != nil {
			return nil, err
		}
	}
	cursor := bson.D{}
	if o.BatchSize > 0 {
		cursor = bson.D{{Key: "batchSize", Value: o.BatchSize}}
	}
	cmd := bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: cursor}}
	if o.AuthorizedCollections {
		cmd = append(cmd, bson.E{Key: "authorizedCollections", Value: true})
	}
	if o.Comment != nil {
		cmd = append(cmd, bson.E{Key: "comment", Value: o.Comment})
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "ListCollectionsOptions", listTyped...)
	if err != nil {
		return nil, err
	}
	if o.NameOnly {
		cmd = append(cmd, bson.E{Key: "nameOnly", Value: true})
	}
	if o.Filter != nil {
		cmd = append(cmd, bson.E{Key: "filter", Value: o.Filter})
	}
	return cmd, nil
}

// listCollections sends a listCollections command with primary read preference, retrying once as PyMongo's
// _retryable_read does, and returns a cursor decoding with the database's codec options. Errors are not wrapped.
func (db *Database) listCollections(ctx context.Context, cmd bson.D, batchSize int32) (*CommandCursor, error) {
	raw, err := encodeDoc(db.set.codec.reg, cmd)
	if err != nil {
		return nil, err
	}
	cc, err := db.runCursor(ctx, raw, nil, db.set.codec)
	if err != nil && db.client.retryReads() && retryableRead(err) && ctx.Err() == nil && !inTransaction(ctx) {
		cc, err = db.runCursor(ctx, raw, nil, db.set.codec)
	}
	if err != nil {
		return nil, err
	}
	if batchSize > 0 {
		cc.mc.SetBatchSize(batchSize)
	}
	return cc, nil
}

// finalError marks an error whose message is complete (a decoding error), so that wrapNonFinal returns it as is.
type finalError struct{ error }

func (e finalError) Unwrap() error { return e.error }

// wrapNonFinal is wrapf for errors that are not a finalError.
func wrapNonFinal(err error, format string, args ...any) error {
	var f finalError
	if errors.As(err, &f) {
		return f.error
	}
	return wrapf(err, format, args...)
}

// retryReads reports whether the client retries reads: the driver option, true unless disabled (and for a client
// made by NewClient, whose driver options motor cannot see).
func (c *Client) retryReads() bool {
	return c.base == nil || c.base.RetryReads == nil || *c.base.RetryReads
}

// retryableRead reports whether err is one PyMongo retries a read after: a network error, or a server error whose
// code is in PyMongo 3.11's _RETRYABLE_ERROR_CODES.
func retryableRead(err error) bool {
	if mongo.IsNetworkError(err) {
		return true
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436:
			return true
		}
	}
	return false
}

// ListCollectionNamesOptions are the options of [Database.ListCollectionNames]: the filter and keyword arguments of
// Motor's list_collection_names(session, filter, **kwargs). The zero value (or a nil pointer) lists every name.
type ListCollectionNamesOptions struct {
	// Filter selects the collections by their listCollections document: a document such as
	// bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^log"}}}}. nil sends no filter.
	Filter any

	// AuthorizedCollections lets a user without the listCollections privilege list the collections it has privileges
	// on (MongoDB 4.0+).
	AuthorizedCollections bool

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command in order, before nameOnly and the filter: PyMongo's **kwargs. A key
	// that motor sends itself (listCollections, cursor, filter, nameOnly, authorizedCollections, comment), or that
	// appears twice, is an error.
	Extra bson.D
}

// ListCollectionNames returns the names of this database's collections and views, in the server's order: Motor's
// list_collection_names(session, filter, **kwargs).
//
// It sends listCollections as [Database.ListCollections] does (same read preference, retry, session and errors),
// with nameOnly: true when the filter can be answered from names alone: no filter, an empty one, or one that tests
// nothing but "name" (also inside $and, $or and $nor; PyMongo only recognises {} and {name: ...}). A filter on any
// other field (type, options, info) is sent without nameOnly, because the server would filter {name, type}
// documents and miss; the driver's ListCollectionNames always sends nameOnly. Examples of what is sent:
//
//	nil                                   {listCollections: 1, cursor: {}, nameOnly: true}
//	Filter {name: "a"}                    {listCollections: 1, cursor: {}, nameOnly: true, filter: {name: "a"}}
//	Filter {name: "a", type: "view"}      {listCollections: 1, cursor: {}, filter: {name: "a", type: "view"}}
//	Filter {name: "a"}, Authorized...     {listCollections: 1, cursor: {}, authorizedCollections: true, nameOnly: true, filter: {...}}
//
// A document without a string name is an error.
//
// See https://www.mongodb.com/docs/manual/reference/command/listCollections/.
func (db *Database) ListCollectionNames(ctx context.Context, opts *ListCollectionNamesOptions) ([]string, error) {
	if ctx == nil {
		return nil, optionError("list collections: nil context")
	}
	cmd, err := listCollectionNamesCmd(opts, db.set.codec.reg)
	if err != nil {
		return nil, err
	}
	names, err := db.collectionNames(ctx, cmd)
	if err != nil {
		return nil, wrapNonFinal(err, "list collections")
	}
	return names, nil
}

// collectionNames sends the listCollections command cmd and returns the names of the collections it lists. Server
// errors are not wrapped; errors that already say what happened are finalError.
func (db *Database) collectionNames(ctx context.Context, cmd bson.D) ([]string, error) {
	cc, err := db.listCollections(ctx, cmd, 0)
	if err != nil {
		return nil, err
	}
	defer cc.Close(context.WithoutCancel(ctx))
	names := []string{}
	// Without outgoing SON manipulators (which could change the documents), the name is read from the reply's bytes
	// instead of decoding each document.
	fast := !db.hasOutgoing() && db.set.codec.opts.UnicodeDecodeErrorHandler == UnicodeStrict
	for cc.Next(ctx) {
		var doc struct {
			Name bson.RawValue `bson:"name"`
		}
		if fast {
			doc.Name = cc.Current().Lookup("name")
		} else if err := cc.Decode(&doc); err != nil {
			return nil, finalError{err}
		}
		name, ok := doc.Name.StringValueOK()
		if ok && fast && !utf8.ValidString(name) {
			return nil, finalError{fmt.Errorf("motor: list collections: invalid UTF-8 in collection name %q (UnicodeDecodeErrorHandler is strict)", name)}
		}
		if !ok {
			return nil, finalError{errors.New("motor: list collections: a listCollections document has no string name")}
		}
		names = append(names, name)
	}
	return names, cc.Err()
}

// listCollectionNamesCmd builds the listCollections command of ListCollectionNames, deciding nameOnly from the
// filter (encoded with reg to read its keys).
func listCollectionNamesCmd(o *ListCollectionNamesOptions, reg *bson.Registry) (bson.D, error) {
	if o == nil {
		o = &ListCollectionNamesOptions{}
	}
	nameOnly := true
	if o.Filter != nil {
		if err := checkDocument(reg, "the listCollections filter", o.Filter); err != nil {
			return nil, err
		}
		raw, _ := encodeDoc(reg, o.Filter)
		nameOnly = onlyName(raw)
	}
	return listCollectionsCmd(&ListCollectionsOptions{
		Filter:                o.Filter,
		NameOnly:              nameOnly,
		AuthorizedCollections: o.AuthorizedCollections,
		Comment:               o.Comment,
		Extra:                 o.Extra,
	}, reg)
}

// onlyName reports whether the query filter tests nothing but the field "name", directly or inside $and, $or and
// $nor, so that the {name, type} documents of nameOnly give the same answer.
func onlyName(filter bson.Raw) bool {
	elems, err := filter.Elements()
	if err != nil {
		return false
	}
	for _, e := range elems {
		switch e.Key() {
		case "name":
		case "$and", "$or", "$nor":
			arr, ok := e.Value().ArrayOK()
			if !ok {
				return false
			}
			vals, err := arr.Values()
			if err != nil {
				return false
			}
			for _, v := range vals {
				d, ok := v.DocumentOK()
				if !ok || !onlyName(d) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// CollectionNames returns the names of this database's collections, without those starting with "system." unless
// includeSystemCollections is true: PyMongo's collection_names(include_system_collections=True), which Motor 2.0
// removed.
//
// It sends {listCollections: 1, cursor: {}, nameOnly: true}, like [Database.ListCollectionNames] with no options.
// PyMongo filters system collections out on the server with {name: {$regex: "^(?!system\\.)"}}, a lookahead that
// FerretDB rejects (code 51091); motor filters them out of the result instead, which gives the same names on every
// server. It is not retried differently, decoded differently or checked differently from ListCollectionNames.
//
// See https://www.mongodb.com/docs/manual/reference/command/listCollections/.
//
// Deprecated: use [Database.ListCollectionNames], with a filter on name to leave out system collections.
// PyMongo 3.7 deprecated collection_names in favour of list_collection_names, which takes a filter and does not
// treat system collections specially.
func (db *Database) CollectionNames(ctx context.Context, includeSystemCollections bool) ([]string, error) {
	names, err := db.ListCollectionNames(ctx, nil)
	if err != nil || includeSystemCollections {
		return names, err
	}
	out := names[:0]
	for _, n := range names {
		if !strings.HasPrefix(n, "system.") {
			out = append(out, n)
		}
	}
	return out, nil
}
