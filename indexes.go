package motor

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// IndexOptions are the options of one index: the keyword arguments of PyMongo's create_index and IndexModel that
// go into the index document of createIndexes. The zero value makes a plain index with the generated name. Fields
// left at their zero value are not sent.
type IndexOptions struct {
	// Name is the index name. Empty means the name PyMongo generates from the keys ([IndexName]: "a_1_b_-1"). It
	// must not be "*" (which dropIndexes reads as every index) or contain NUL.
	Name string

	// Unique rejects a second document with the same key values.
	Unique bool

	// Sparse leaves out the documents that lack the indexed fields.
	Sparse bool

	// Background builds the index in the background; servers from MongoDB 4.2 on ignore it.
	Background bool

	// Hidden hides the index from the query planner (MongoDB 4.4+).
	Hidden bool

	// ExpireAfterSeconds makes a TTL index: documents are removed that many seconds after the date in the indexed
	// field. nil means no TTL; a pointer to 0 removes documents at the date itself. It must not be negative.
	ExpireAfterSeconds *int64

	// PartialFilterExpression indexes only the documents it matches: a filter document (MongoDB 3.2+).
	PartialFilterExpression any

	// Collation is the collation of the index (MongoDB 3.4+).
	Collation *options.Collation

	// WildcardProjection includes or excludes fields of a wildcard index ({"$**": 1}): a document (MongoDB 4.2+).
	WildcardProjection any

	// StorageEngine configures the storage engine for this index: a document, e.g. {wiredTiger: {configString: ...}}.
	StorageEngine any

	// Weights, DefaultLanguage and LanguageOverride configure a text index: the weights document, and the
	// default_language and language_override fields.
	Weights          any
	DefaultLanguage  string
	LanguageOverride string

	// Bits, Min and Max configure a 2d index: the precision of the geohash and the bounds of the coordinates. 0 and
	// nil are not sent.
	Bits     int32
	Min, Max *float64

	// Extra fields are appended to the index document in order, after the typed ones and before name, key and
	// collation: PyMongo's **kwargs of create_index (for example textIndexVersion, 2dsphereIndexVersion, v). A key
	// that a typed field sends (sent or not), or that appears twice, is an error.
	Extra bson.D
}

// indexTyped are the keys of the index document that IndexOptions sends through typed fields.
var indexTyped = []string{
	"name", "key", "unique", "sparse", "background", "hidden", "expireAfterSeconds", "partialFilterExpression",
	"collation", "wildcardProjection", "storageEngine", "weights", "default_language", "language_override", "bits",
	"min", "max",
}

// IndexModel is one index to create with [Collection.CreateIndexes]: PyMongo's IndexModel(keys, **kwargs).
type IndexModel struct {
	// Keys are the indexed fields and their directions or types, in order: 1 or -1 (any Go integer type), or a
	// string such as "2d", "2dsphere", "text", "hashed" or "columnstore". A bson.D keeps the order, which is the
	// order of the index: PyMongo's list of (key, direction) pairs.
	Keys bson.D

	IndexOptions
}

// CreateIndexOptions are the options of [Collection.CreateIndex]: the index's own options (see [IndexOptions]) and
// the fields that PyMongo's create_index moves to the command. The zero value (or a nil pointer) makes a plain
// index with the generated name.
type CreateIndexOptions struct {
	IndexOptions

	// MaxTime bounds the command, PyMongo's maxTimeMS: the call's context gets this much time, and the driver sends
	// maxTimeMS, computed from the context's deadline, with the command. 0 means no bound but the context's own. It
	// must not be negative.
	MaxTime time.Duration

	// CommitQuorum is how many data-bearing voting members of a replica set must be ready before the index is
	// committed (MongoDB 4.4+): an integer, "majority", "votingMembers" or a replica set tag name. nil means the
	// server's default.
	CommitQuorum any

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value. (PyMongo
	// 3.11's create_index would put it in the index document.)
	Comment any
}

// CreateIndexesOptions are the options of [Collection.CreateIndexes]: the keyword arguments of PyMongo's
// create_indexes(indexes, session, **kwargs), which all go to the command. The zero value (or a nil pointer) sends
// only the indexes.
type CreateIndexesOptions struct {
	// MaxTime, CommitQuorum and Comment are as for [CreateIndexOptions].
	MaxTime      time.Duration
	CommitQuorum any
	Comment      any

	// Extra fields are appended to the createIndexes command in order, after commitQuorum and comment: PyMongo's
	// **kwargs. A key that motor sends itself (createIndexes, indexes, commitQuorum, comment, maxTimeMS,
	// writeConcern), or that appears twice, is an error.
	Extra bson.D
}

// createIndexesTyped are the keys of the createIndexes command that motor sends itself.
var createIndexesTyped = []string{"createIndexes", "indexes", "commitQuorum", "comment", "maxTimeMS", "writeConcern"}

// DropIndexOptions are the options of [Collection.DropIndex] and [Collection.DropIndexes]: the keyword arguments of
// PyMongo's drop_index(index_or_name, session, **kwargs) and drop_indexes(session, **kwargs). The zero value (or a
// nil pointer) sends only the index name.
type DropIndexOptions struct {
	// MaxTime bounds the command, as for [CreateIndexOptions].
	MaxTime time.Duration

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the dropIndexes command in order: PyMongo's **kwargs. A key that motor sends
	// itself (dropIndexes, index, comment, maxTimeMS, writeConcern), or that appears twice, is an error.
	Extra bson.D
}

// IndexName returns the name that PyMongo gives an index on keys when none is given: each field and its direction
// or type joined by "_", so bson.D{{Key: "a", Value: 1}, {Key: "b", Value: -1}} is "a_1_b_-1" and
// bson.D{{Key: "loc", Value: "2dsphere"}} is "loc_2dsphere" (PyMongo's helpers._gen_index_name). Pass it to
// [Collection.DropIndex] to drop an index by its keys.
//
// keys must not be empty; each field name must be non-empty valid UTF-8 without NUL, and each value a Go integer
// or a string. Anything else is an [ErrInvalidOption] error. PyMongo's _index_document refuses empty keys and a
// float too, but it sends an empty field name ({"": 1}, named "_1"), a bool (True is an int in Python: {a: true},
// named "a_True") and a document as the direction, all of which MongoDB refuses (and FerretDB v1.24 fails on);
// motor refuses them before any I/O.
func IndexName(keys bson.D) (string, error) {
	if len(keys) == 0 {
		return "", invalidOptionf("index keys must not be empty")
	}
	var b strings.Builder
	for i, e := range keys {
		if e.Key == "" || strings.IndexByte(e.Key, 0) >= 0 || !utf8.ValidString(e.Key) {
			return "", invalidOptionf("index key %q: a field name must be non-empty valid UTF-8 without NUL", e.Key)
		}
		if i > 0 {
			b.WriteByte('_')
		}
		b.WriteString(e.Key)
		b.WriteByte('_')
		switch v := reflect.ValueOf(e.Value); v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			b.WriteString(strconv.FormatInt(v.Int(), 10))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			b.WriteString(strconv.FormatUint(v.Uint(), 10))
		case reflect.String:
			b.WriteString(v.String())
		default:
			return "", invalidOptionf("index key %q: the direction must be 1, -1 or a string such as \"2dsphere\", not %T",
				e.Key, e.Value)
		}
	}
	return b.String(), nil
}

// validateIndexName checks an index name before any I/O: not empty, not "*", valid UTF-8 without NUL.
func validateIndexName(name string) error {
	bad := func(reason string) error { return &NameError{Kind: "index", Name: name, Reason: reason} }
	switch {
	case name == "":
		return bad("must not be empty")
	case name == "*":
		return bad(`must not be "*", which names every index (use DropIndexes)`)
	case !utf8.ValidString(name):
		return bad("must be valid UTF-8")
	case strings.IndexByte(name, 0) >= 0:
		return bad("must not contain the null character")
	}
	return nil
}

// indexDoc builds the index document of createIndexes for keys, as PyMongo's IndexModel does: the options, then
// name, key and collation. It returns the document and the index name.
func indexDoc(keys bson.D, o *IndexOptions, reg *bson.Registry) (bson.D, string, error) {
	name := o.Name
	generated, err := IndexName(keys)
	if err != nil {
		return nil, "", err
	}
	if name == "" {
		name = generated
	}
	if err := validateIndexName(name); err != nil {
		return nil, "", err
	}
	d := bson.D{}
	add := func(k string, v any) { d = append(d, bson.E{Key: k, Value: v}) }
	for _, f := range []struct {
		key string
		on  bool
	}{{"unique", o.Unique}, {"sparse", o.Sparse}, {"background", o.Background}, {"hidden", o.Hidden}} {
		if f.on {
			add(f.key, true)
		}
	}
	if o.ExpireAfterSeconds != nil {
		if *o.ExpireAfterSeconds < 0 {
			return nil, "", invalidOptionf("IndexOptions.ExpireAfterSeconds must not be negative, got %d", *o.ExpireAfterSeconds)
		}
		add("expireAfterSeconds", pyInt(*o.ExpireAfterSeconds))
	}
	for _, f := range []struct {
		key, field string
		v          any
	}{
		{"partialFilterExpression", "PartialFilterExpression", o.PartialFilterExpression},
		{"wildcardProjection", "WildcardProjection", o.WildcardProjection},
		{"storageEngine", "StorageEngine", o.StorageEngine},
		{"weights", "Weights", o.Weights},
	} {
		if f.v != nil {
			if err := checkDocument(reg, "IndexOptions."+f.field, f.v); err != nil {
				return nil, "", err
			}
			add(f.key, f.v)
		}
	}
	if o.DefaultLanguage != "" {
		add("default_language", o.DefaultLanguage)
	}
	if o.LanguageOverride != "" {
		add("language_override", o.LanguageOverride)
	}
	if o.Bits != 0 {
		add("bits", o.Bits)
	}
	if o.Min != nil {
		add("min", *o.Min)
	}
	if o.Max != nil {
		add("max", *o.Max)
	}
	if d, err = appendExtraFields(d, o.Extra, "IndexOptions", indexTyped...); err != nil {
		return nil, "", err
	}
	d = append(d, bson.E{Key: "name", Value: name}, bson.E{Key: "key", Value: keys})
	if o.Collation != nil {
		add("collation", collationDoc(o.Collation))
	}
	return d, name, nil
}

// createIndexesCmd builds the createIndexes command for models: {createIndexes: coll, indexes: [...],
// commitQuorum, comment, ...Extra, writeConcern}. It returns the command and the names of the indexes.
func createIndexesCmd(coll string, models []IndexModel, o *CreateIndexesOptions, wc *writeconcern.WriteConcern, reg *bson.Registry) (bson.D, []string, error) {
	if len(models) == 0 {
		return nil, nil, invalidOptionf("CreateIndexes needs at least one index")
	}
	if o == nil {
		o = &CreateIndexesOptions{}
	}
	if o.MaxTime < 0 {
		return nil, nil, invalidOptionf("MaxTime must not be negative, got %v", o.MaxTime)
	}
	indexes := make(bson.A, len(models))
	names := make([]string, len(models))
	for i := range models {
		d, name, err := indexDoc(models[i].Keys, &models[i].IndexOptions, reg)
		if err != nil {
			if len(models) > 1 {
				err = &itemError{what: "index", index: i, err: err}
			}
			return nil, nil, err
		}
		indexes[i], names[i] = d, name
	}
	cmd := bson.D{{Key: "createIndexes", Value: coll}, {Key: "indexes", Value: indexes}}
	if q := o.CommitQuorum; q != nil {
		switch reflect.ValueOf(q).Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		default:
			return nil, nil, invalidOptionf("CommitQuorum must be an integer or a string, not %T", q)
		}
		cmd = append(cmd, bson.E{Key: "commitQuorum", Value: q})
	}
	if o.Comment != nil {
		cmd = append(cmd, bson.E{Key: "comment", Value: o.Comment})
	}
	if ms := maxTimeMS(o.MaxTime); ms != nil {
		cmd = append(cmd, bson.E{Key: "maxTimeMS", Value: ms})
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "CreateIndexesOptions", createIndexesTyped...)
	if err != nil {
		return nil, nil, err
	}
	return appendWriteConcern(cmd, wc), names, nil
}

// dropIndexesCmd builds the dropIndexes command for the index name ("*" for every index): {dropIndexes: coll,
// index: name, comment, ...Extra, writeConcern}.
func dropIndexesCmd(coll, name string, o *DropIndexOptions, wc *writeconcern.WriteConcern) (bson.D, error) {
	if o == nil {
		o = &DropIndexOptions{}
	}
	if o.MaxTime < 0 {
		return nil, invalidOptionf("DropIndexOptions.MaxTime must not be negative, got %v", o.MaxTime)
	}
	cmd := bson.D{{Key: "dropIndexes", Value: coll}, {Key: "index", Value: name}}
	if o.Comment != nil {
		cmd = append(cmd, bson.E{Key: "comment", Value: o.Comment})
	}
	if ms := maxTimeMS(o.MaxTime); ms != nil {
		cmd = append(cmd, bson.E{Key: "maxTimeMS", Value: ms})
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "DropIndexOptions", "dropIndexes", "index", "comment", "maxTimeMS", "writeConcern")
	if err != nil {
		return nil, err
	}
	return appendWriteConcern(cmd, wc), nil
}

// appendWriteConcern appends the writeConcern field PyMongo sends for wc (none for nil or the server default).
func appendWriteConcern(cmd bson.D, wc *writeconcern.WriteConcern) bson.D {
	if wcd := writeConcernDoc(wc); wcd != nil {
		cmd = append(cmd, bson.E{Key: "writeConcern", Value: wcd})
	}
	return cmd
}

// CreateIndex creates an index on keys and returns its name: Motor's create_index(keys, session, **kwargs).
//
// keys are the indexed fields and their directions or types, in order (see [IndexModel.Keys]); the name is
// opts.Name, else the generated one ([IndexName]). It sends, with primary read preference,
//
//	{createIndexes: coll, indexes: [{unique, sparse, background, hidden, expireAfterSeconds,
//	 partialFilterExpression, wildcardProjection, storageEngine, weights, default_language, language_override,
//	 bits, min, max, ...Extra, name, key, collation}], commitQuorum, comment, writeConcern}
//
// with only the fields that are set: the options before name and key, as PyMongo sends them. writeConcern is the
// collection's, sent unless it is the server default or a transaction runs in the session of ctx. opts.MaxTime
// bounds the call (the driver sends maxTimeMS). The command is not retried. Creating an index that exists with the
// same keys and options is not an error.
//
// Bad keys, a bad name ("*", NUL: an [ErrInvalidName] error) and bad options ([ErrInvalidOption]) are errors before
// any I/O. Server errors are returned wrapped, reachable with errors.As(err, &mongo.CommandError{}); for example
// IndexOptionsConflict (85) or IndexKeySpecsConflict (86) for an index that exists with other options or another
// name. A writeConcernError in the reply is an error wrapping [mongo.WriteException].
//
// See https://www.mongodb.com/docs/manual/reference/command/createIndexes/.
func (c *Collection) CreateIndex(ctx context.Context, keys bson.D, opts *CreateIndexOptions) (string, error) {
	if opts == nil {
		opts = &CreateIndexOptions{}
	}
	names, err := c.createIndexes(ctx, "create index", []IndexModel{{Keys: keys, IndexOptions: opts.IndexOptions}},
		&CreateIndexesOptions{MaxTime: opts.MaxTime, CommitQuorum: opts.CommitQuorum, Comment: opts.Comment})
	if err != nil {
		return "", err
	}
	return names[0], nil
}

// CreateIndexes creates the indexes of models with one createIndexes command and returns their names, in the order
// of models: Motor's create_indexes(indexes, session, **kwargs).
//
// It sends {createIndexes: coll, indexes: [...], commitQuorum, comment, ...Extra, writeConcern}, each index document
// as [Collection.CreateIndex] builds it, with the same read preference, write concern, bound and errors. An empty
// models is an [ErrInvalidOption] error before any I/O, as is a bad model, whose index the error names. (PyMongo
// 3.11 sends {createIndexes: coll, indexes: []} and raises the server's refusal, BadValue "Must specify at least
// one index to create".)
//
// See https://www.mongodb.com/docs/manual/reference/command/createIndexes/.
func (c *Collection) CreateIndexes(ctx context.Context, models []IndexModel, opts *CreateIndexesOptions) ([]string, error) {
	return c.createIndexes(ctx, "create indexes", models, opts)
}

func (c *Collection) createIndexes(ctx context.Context, op string, models []IndexModel, opts *CreateIndexesOptions) ([]string, error) {
	cl := c.call(op)
	cmd, names, err := createIndexesCmd(c.name, models, opts, writeConcernFor(ctx, c.set.wc), c.set.codec.reg)
	if err != nil {
		return nil, cl.wrap(err)
	}
	cl.ownMaxTime = opts != nil && opts.MaxTime > 0
	if _, err := c.db.exec(ctx, cl, cmd); err != nil {
		return nil, err
	}
	return names, nil
}

// DropIndex drops the index called name: Motor's drop_index(index_or_name, session, **kwargs). To drop an index by
// its keys, as Motor also allows, pass [IndexName] of the keys: motor takes the name only, as a string, so that a
// name and keys cannot be confused.
//
// It sends {dropIndexes: coll, index: name, comment, ...Extra, writeConcern} with primary read preference;
// writeConcern is the collection's, sent unless it is the server default or a transaction runs. opts.MaxTime bounds
// the call. The command is not retried.
//
// A name that is empty, "*" (PyMongo 4 rejects it too: use [Collection.DropIndexes]) or not valid UTF-8 is an
// [ErrInvalidName] error before any I/O. As in Motor, a missing collection is not an error (the server's
// NamespaceNotFound is ignored); a missing index is: IndexNotFound (27), returned wrapped, reachable with
// errors.As(err, &mongo.CommandError{}).
//
// See https://www.mongodb.com/docs/manual/reference/command/dropIndexes/.
func (c *Collection) DropIndex(ctx context.Context, name string, opts *DropIndexOptions) error {
	if err := validateIndexName(name); err != nil {
		return c.call("drop index").wrap(err)
	}
	return c.dropIndexes(ctx, "drop index", name, opts)
}

// DropIndexes drops every index of the collection but the one on _id: Motor's drop_indexes(session, **kwargs). It
// sends {dropIndexes: coll, index: "*", comment, ...Extra, writeConcern}, with everything else as for
// [Collection.DropIndex]. A missing collection is not an error.
//
// See https://www.mongodb.com/docs/manual/reference/command/dropIndexes/.
func (c *Collection) DropIndexes(ctx context.Context, opts *DropIndexOptions) error {
	return c.dropIndexes(ctx, "drop indexes", "*", opts)
}

func (c *Collection) dropIndexes(ctx context.Context, op, name string, opts *DropIndexOptions) error {
	cl := c.call(op)
	cl.accept = namespaceNotFound
	cmd, err := dropIndexesCmd(c.name, name, opts, writeConcernFor(ctx, c.set.wc))
	if err != nil {
		return cl.wrap(err)
	}
	cl.ownMaxTime = opts != nil && opts.MaxTime > 0
	_, err = c.db.exec(ctx, cl, cmd)
	return err
}

// ListIndexes returns a cursor over the listIndexes documents of the collection's indexes ({v, key, name, ...}):
// Motor's list_indexes(session).
//
// It sends {listIndexes: coll, cursor: {}} with primary read preference and, like Motor, retries it once after a
// network error or a retryable server error (see [Database.ListCollections]). Later batches are fetched with
// getMore. As in Motor, a missing collection gives an empty cursor, not an error.
//
// Every document is decoded with the collection's codec options and outgoing document hooks (Motor decodes them
// with the default codec options into SON). Server errors are returned wrapped, reachable with errors.As(err,
// &mongo.CommandError{}).
//
// See https://www.mongodb.com/docs/manual/reference/command/listIndexes/.
func (c *Collection) ListIndexes(ctx context.Context) (*Cursor, error) {
	const op = "list indexes"
	cur, err := c.listIndexes(ctx, op)
	if err != nil {
		return nil, err
	}
	return c.cursor(cur, op), nil
}

// listIndexes sends listIndexes, retried once as a read; a missing collection gives an empty driver cursor.
func (c *Collection) listIndexes(ctx context.Context, op string) (*mongo.Cursor, error) {
	cmd := bson.D{{Key: "listIndexes", Value: c.name}, {Key: "cursor", Value: bson.D{}}}
	cl := c.call(op)
	cl.retryRead = true
	cur, err := c.db.execCursor(ctx, cl, cmd)
	if err != nil {
		if hasServerCode(err, codeNamespaceNotFound) {
			return mongo.NewCursorFromDocuments(nil, nil, nil)
		}
		return nil, err
	}
	return cur, nil
}

// cursor returns a cursor over the results of a command on c, decoding with the collection's codec options and
// document hooks; op names the operation in errors.
func (c *Collection) cursor(cur *mongo.Cursor, op string) *Cursor {
	return &Cursor{mc: cur, db: c.db, coll: c, codec: c.set.codec, call: c.call(op)}
}

// IndexInformation returns the collection's indexes by name: Motor's index_information(session). Each value is
// the index's listIndexes document without its name, in the server's order, for example
//
//	{"_id_": {v: 2, key: {_id: 1}}, "a_1_b_-1": {v: 2, key: {a: 1, b: -1}, unique: true}}
//
// where key, like every nested document, is a [bson.D], so that the fields keep the order of the index (PyMongo
// gives key as a list of (field, direction) pairs). It sends what [Collection.ListIndexes] sends, with the same
// retry, and a missing collection gives an empty map. The documents are decoded with the collection's codec options
// and outgoing document hooks, but always into bson.D whatever DocumentType says (PyMongo decodes them into SON).
// A document without a string name is an error.
//
// See https://www.mongodb.com/docs/manual/reference/command/listIndexes/.
func (c *Collection) IndexInformation(ctx context.Context) (map[string]bson.D, error) {
	const op = "index information"
	cur, err := c.listIndexes(ctx, op)
	if err != nil {
		return nil, err
	}
	defer closeAfter(ctx, cur)
	ordered := c.set.codec
	if ordered.opts.DocumentType != nil && ordered.opts.DocumentType != tD {
		co := ordered.opts
		co.DocumentType = nil
		if ordered, err = compileCodec(co); err != nil {
			return nil, c.call(op).wrap(err)
		}
	}
	info := make(map[string]bson.D, cur.RemainingBatchLength())
	for cur.Next(ctx) {
		var d bson.D
		if err := c.db.decodeFrom(c, ordered, cur.Current, &d); err != nil {
			return nil, c.call(op).wrap(err)
		}
		var name string
		rest := d[:0:0]
		for _, e := range d {
			if s, ok := e.Value.(string); ok && e.Key == "name" && name == "" {
				name = s
				continue
			}
			rest = append(rest, e)
		}
		if name == "" {
			return nil, c.call(op).wrap(errors.New("a listIndexes document has no string name"))
		}
		info[name] = rest
	}
	if err := cur.Err(); err != nil {
		return nil, c.call(op).wrap(err)
	}
	return info, nil
}
