package motor

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
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

	// CheckExists, when false, skips the listCollections round trip that looks for an existing collection first
	// (PyMongo 4.2's check_exists): the create alone is sent, and a server that reports the namespace exists still
	// gives an error wrapping [ErrCollectionInvalid]; MongoDB 7+ accepts an identical create silently. nil means
	// true, as Motor 2.3 always checks.
	CheckExists *bool

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
// options. Then, unless a transaction is running in the session of ctx or opts.CheckExists is false, it sends
// listCollections {cursor: {},
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
	const op = "create collection"
	cl := db.call(op, name)
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
		return nil, cl.wrap(err)
	}
	cmd, err := createCollectionCmd(name, opts, writeConcernFor(ctx, s.wc), s.codec.reg)
	if err != nil {
		return nil, cl.wrap(err)
	}
	if !inTransaction(ctx) && (opts.CheckExists == nil || *opts.CheckExists) {
		list, err := listCollectionNamesCmd(&ListCollectionNamesOptions{Filter: bson.D{{Key: "name", Value: name}}}, db.set.codec.reg)
		if err != nil {
			return nil, cl.wrap(err)
		}
		names, err := db.collectionNames(ctx, db.call(op, name+": list collections"), list)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if n == name {
				return nil, &collectionExistsError{name: name}
			}
		}
	}
	cl.codec = s.codec
	if _, err := db.exec(ctx, cl, cmd); err != nil {
		if hasServerCode(err, codeNamespaceExists) {
			return nil, &collectionExistsError{name: name, cause: errors.Unwrap(err)}
		}
		return nil, err
	}
	return db.Collection(name, hopts...), nil
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
			return nil, invalidOptionf("CreateCollectionOptions.%s must not be negative, got %d", f.field, f.n)
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
			return nil, invalidOptionf("CreateCollectionOptions.Pipeline must be an array of stages, not a %T", o.Pipeline)
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
			return nil, invalidOptionf("collation is unsupported for unacknowledged writes")
		}
		add("collation", collationDoc(o.Collation))
	}
	return cmd, nil
}

func timeseriesDoc(ts *TimeseriesOptions) (bson.D, error) {
	if ts.TimeField == "" {
		return nil, invalidOptionf("TimeseriesOptions.TimeField is required")
	}
	if ts.BucketMaxSpanSeconds < 0 || ts.BucketRoundingSeconds < 0 {
		return nil, invalidOptionf("TimeseriesOptions bucket seconds must not be negative")
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
