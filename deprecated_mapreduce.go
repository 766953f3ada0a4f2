package motor

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// codeIllegalOperation is the server's IllegalOperation (20): reIndex on a replica set member from MongoDB 5.0 on.
const codeIllegalOperation = 20

// MapReduceOptions are the options of [Collection.MapReduce] and [Collection.InlineMapReduce]: the keyword
// arguments of Motor's map_reduce and inline_map_reduce that are fields of the mapReduce command. The zero value (or
// a nil pointer) maps every document of the collection.
type MapReduceOptions struct {
	// Query selects the documents to map: a filter document. nil maps every document.
	Query any

	// Sort orders the documents before they are mapped, e.g. to go with Limit: fields and directions in order.
	Sort bson.D

	// Limit maps at most that many documents. 0 means no limit.
	Limit int64

	// Finalize is the JavaScript function that finishes each reduced value, given and sent as the map and reduce
	// functions of [Collection.MapReduce] are: a string (sent as a BSON string), a [bson.JavaScript] or a
	// [bson.CodeWithScope]. nil or "" means none.
	Finalize any

	// Scope holds global variables for the map, reduce and finalize functions: a document.
	Scope any

	// JSMode keeps the intermediate results in JavaScript objects; Verbose adds timing information to the reply.
	JSMode  bool
	Verbose bool

	// BypassDocumentValidation lets the output skip the output collection's validation rules.
	BypassDocumentValidation bool

	// Collation is the collation of the query and sort (MongoDB 3.4+). It cannot be combined with an
	// unacknowledged write concern for an output collection.
	Collation *options.Collation

	// MaxTime limits the time the server spends on the command: PyMongo's maxTimeMS, sent exactly as asked, as
	// for [AggregateOptions.MaxTime]. Negative is an error.
	MaxTime time.Duration

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the mapReduce command in order, after the typed ones: PyMongo's **kwargs. A key
	// that motor sends itself (mapReduce, map, reduce, out, query, sort, limit, finalize, scope, jsMode, verbose,
	// bypassDocumentValidation, comment, maxTimeMS, readConcern, writeConcern, collation), or that appears twice, is
	// an error.
	Extra bson.D
}

// mapReduceTyped are the keys of the mapReduce command that motor sends itself.
var mapReduceTyped = []string{
	"mapReduce", "map", "reduce", "out", "query", "sort", "limit", "finalize", "scope", "jsMode", "verbose",
	"bypassDocumentValidation", "comment", "maxTimeMS", "readConcern", "writeConcern", "collation",
}

// MapReduceResult is the result of [Collection.MapReduce] and [Collection.InlineMapReduce].
type MapReduceResult struct {
	// Collection is the output collection, a handle of the collection's database (or of the client, for output to
	// another database) with its settings; nil for inline output. PyMongo's map_reduce returns it.
	Collection *Collection

	// Results are the documents of inline output ({_id, value}), decoded with the collection's codec options and
	// outgoing document hooks; nil for output to a collection. PyMongo's inline_map_reduce returns them.
	Results []bson.D

	// Reply is the whole reply (counts, timing with Verbose, the results of inline output), decoded with the
	// collection's codec options: PyMongo's full_response=True.
	Reply bson.D
}

// mapReduceCmd builds the mapReduce command: {mapReduce: coll, map, reduce, out, query, sort, limit, finalize,
// scope, jsMode, verbose, bypassDocumentValidation, comment, ...Extra, readConcern, writeConcern, collation}. rc is
// sent for inline output and wc for output to a collection, as PyMongo sends them; nil sends none. It reports
// whether the output is inline.
func mapReduceCmd(coll string, mapFunc, reduceFunc, out any, o *MapReduceOptions, rc *readconcern.ReadConcern, wc *writeconcern.WriteConcern, reg *bson.Registry) (bson.D, bool, error) {
	mapFunc, err := jsFunction(reg, "the map function", mapFunc)
	if err != nil {
		return nil, false, err
	}
	if reduceFunc, err = jsFunction(reg, "the reduce function", reduceFunc); err != nil {
		return nil, false, err
	}
	if o == nil {
		o = &MapReduceOptions{}
	}
	var finalize any
	if o.Finalize != nil && o.Finalize != "" {
		if finalize, err = jsFunction(reg, "MapReduceOptions.Finalize", o.Finalize); err != nil {
			return nil, false, err
		}
	}
	inline := false
	switch v := out.(type) {
	case string:
		if err := validateCollectionName(v); err != nil {
			return nil, false, err
		}
	default:
		raw, err := encodeArg(reg, "out", out)
		if err != nil {
			return nil, false, invalidOptionf("out must be a collection name or a document such as {inline: 1} or {replace: name}: %v", err)
		}
		_, lerr := raw.LookupErr("inline")
		inline = lerr == nil
	}
	if o.Limit < 0 {
		return nil, false, invalidOptionf("MapReduceOptions.Limit must not be negative, got %d", o.Limit)
	}
	if o.MaxTime < 0 {
		return nil, false, invalidOptionf("MapReduceOptions.MaxTime must not be negative, got %v", o.MaxTime)
	}
	cmd := bson.D{
		{Key: "mapReduce", Value: coll},
		{Key: "map", Value: mapFunc},
		{Key: "reduce", Value: reduceFunc},
		{Key: "out", Value: out},
	}
	add := func(k string, v any) { cmd = append(cmd, bson.E{Key: k, Value: v}) }
	if o.Query != nil {
		if err := checkDocument(reg, "MapReduceOptions.Query", o.Query); err != nil {
			return nil, false, err
		}
		add("query", o.Query)
	}
	if o.Sort != nil {
		add("sort", o.Sort)
	}
	if o.Limit != 0 {
		add("limit", pyInt(o.Limit))
	}
	if finalize != nil {
		add("finalize", finalize)
	}
	if o.Scope != nil {
		if err := checkDocument(reg, "MapReduceOptions.Scope", o.Scope); err != nil {
			return nil, false, err
		}
		add("scope", o.Scope)
	}
	if o.JSMode {
		add("jsMode", true)
	}
	if o.Verbose {
		add("verbose", true)
	}
	if o.BypassDocumentValidation {
		add("bypassDocumentValidation", true)
	}
	if o.Comment != nil {
		add("comment", o.Comment)
	}
	if ms := maxTimeMS(o.MaxTime); ms != nil {
		add("maxTimeMS", ms)
	}
	cmd, err = appendExtraFields(cmd, o.Extra, "MapReduceOptions", mapReduceTyped...)
	if err != nil {
		return nil, false, err
	}
	if inline {
		if rc != nil && rc.Level != "" {
			add("readConcern", bson.D{{Key: "level", Value: rc.Level}})
		}
	} else {
		cmd = appendWriteConcern(cmd, wc)
	}
	if o.Collation != nil {
		if !inline && !wc.Acknowledged() {
			return nil, false, invalidOptionf("collation is unsupported for unacknowledged writes")
		}
		add("collation", collationDoc(o.Collation))
	}
	return cmd, inline, nil
}

// jsFunction returns f, the JavaScript function field of a map-reduce, as PyMongo sends it: a string as a BSON
// string, a bson.JavaScript as JavaScript, a bson.CodeWithScope as JavaScript with scope, its scope checked as a
// document encoded with reg. An empty function, or a value of another type, is an ErrInvalidOption error.
func jsFunction(reg *bson.Registry, field string, f any) (any, error) {
	var code string
	switch v := f.(type) {
	case string:
		code = v
	case bson.JavaScript:
		code = string(v)
	case bson.CodeWithScope:
		code = string(v.Code)
		if err := checkDocument(reg, "the scope of "+field, v.Scope); err != nil {
			return nil, err
		}
	default:
		return nil, invalidOptionf("%s must be a string, a bson.JavaScript or a bson.CodeWithScope, not %T", field, f)
	}
	if code == "" {
		return nil, invalidOptionf("%s must not be empty", field)
	}
	return f, nil
}

// MapReduce runs a map-reduce over the collection (sends mapReduce) and returns the output collection, the inline
// results or both with the whole reply: Motor's map_reduce(map, reduce, out, full_response, session, **kwargs).
//
// mapFunc and reduceFunc are JavaScript functions, sent as Motor sends them: a string as a BSON string (the server
// compiles it), a [bson.JavaScript] (PyMongo's Code) as BSON JavaScript, a [bson.CodeWithScope] (PyMongo's Code
// with a scope) as JavaScript with scope; anything else, or an empty function, is an [ErrInvalidOption] error.
// opts.Scope gives the functions variables. out is the output: the name of a collection of this database
// (replaced), or a document such as {replace: name}, {merge: name, db: other}, {reduce: name} or {inline: 1}. It
// sends, to the primary,
//
//	{mapReduce: coll, map, reduce, out, query, sort, limit, finalize, scope, jsMode, verbose,
//	 bypassDocumentValidation, comment, ...Extra, readConcern, writeConcern, collation}
//
// with the options that are set, the collection's write concern for output to a collection and its read concern
// for inline output (none inside a transaction), as PyMongo sends them. opts.MaxTime bounds the call.
//
// The result's Collection is the output collection named by the reply's result field; for inline output, Results
// holds the documents. Bad arguments are [ErrInvalidOption] errors before any I/O. Server errors are returned
// wrapped, reachable with errors.As(err, &mongo.CommandError{}); a server without mapReduce (CommandNotFound) gives
// an error that says MongoDB deprecated it in 5.0, and so does a server that closes the connection at BSON
// JavaScript (FerretDB answers CommandNotFound to functions given as strings, and closes the connection at a
// bson.JavaScript or a bson.CodeWithScope).
//
// See https://www.mongodb.com/docs/manual/reference/command/mapReduce/.
//
// Deprecated: MongoDB 5.0 deprecated map-reduce: an aggregation pipeline does the same work faster ($group,
// $merge or $out for the output, $accumulator and $function where JavaScript is needed, MongoDB 4.4+); PyMongo 4.0
// and Motor 3.0 removed map_reduce. Run the pipeline with the driver's Aggregate ([Collection.Mongo]) or motor's
// aggregate.
func (c *Collection) MapReduce(ctx context.Context, mapFunc, reduceFunc, out any, opts *MapReduceOptions) (*MapReduceResult, error) {
	return c.mapReduce(ctx, "map reduce", mapFunc, reduceFunc, out, opts, nil)
}

// InlineMapReduce runs a map-reduce with inline output (sends mapReduce with out: {inline: 1}) and returns the
// results: Motor's inline_map_reduce(map, reduce, full_response, session, **kwargs). It is [Collection.MapReduce]
// with that output, but that it goes with the collection's read preference (Motor's inline_map_reduce does; its
// map_reduce goes to the primary). The result's Results are the documents and Reply the whole reply (PyMongo's
// full_response).
//
// See https://www.mongodb.com/docs/manual/reference/command/mapReduce/.
//
// Deprecated: MongoDB 5.0 deprecated map-reduce in favour of aggregation pipelines, which return their results
// through a cursor instead of one reply capped at 16 MB; PyMongo 4.0 and Motor 3.0 removed inline_map_reduce. Run
// the pipeline with the driver's Aggregate ([Collection.Mongo]) or motor's aggregate.
func (c *Collection) InlineMapReduce(ctx context.Context, mapFunc, reduceFunc any, opts *MapReduceOptions) (*MapReduceResult, error) {
	return c.mapReduce(ctx, "inline map reduce", mapFunc, reduceFunc, bson.D{{Key: "inline", Value: int32(1)}}, opts,
		c.set.readPreference())
}

func (c *Collection) mapReduce(ctx context.Context, op string, mapFunc, reduceFunc, out any, opts *MapReduceOptions, rp *readpref.ReadPref) (*MapReduceResult, error) {
	cl := c.call(op)
	cl.rp, cl.explain = rp, deprecatedCommand("mapReduce", "5.0", true)
	if opts == nil {
		opts = &MapReduceOptions{}
	}
	cl.ownMaxTime = opts.MaxTime > 0
	var rc *readconcern.ReadConcern
	if !inTransaction(ctx) {
		rc = c.set.rc
	}
	cmd, inline, err := mapReduceCmd(c.name, mapFunc, reduceFunc, out, opts, rc, writeConcernFor(ctx, c.set.wc), c.set.codec.reg)
	if err != nil {
		return nil, cl.wrap(err)
	}
	raw, err := c.db.exec(ctx, cl, cmd)
	if err != nil {
		return nil, err
	}
	res := &MapReduceResult{}
	if res.Reply, err = c.set.codec.decodeD(raw); err != nil {
		return nil, c.call(op).wrap(err)
	}
	if inline {
		if res.Results, err = c.mapReduceResults(raw); err != nil {
			return nil, c.call(op).wrap(err)
		}
		return res, nil
	}
	if res.Collection, err = c.mapReduceOutput(raw.Lookup("result")); err != nil {
		return nil, c.call(op).wrap(err)
	}
	return res, nil
}

// mapReduceResults decodes the results array of an inline map-reduce reply.
func (c *Collection) mapReduceResults(reply bson.Raw) ([]bson.D, error) {
	arr, ok := reply.Lookup("results").ArrayOK()
	if !ok {
		return nil, errors.New("the mapReduce reply has no results array")
	}
	vals, err := arr.Values()
	if err != nil {
		return nil, err
	}
	out := make([]bson.D, 0, len(vals))
	for _, v := range vals {
		doc, ok := v.DocumentOK()
		if !ok {
			return nil, errors.New("a mapReduce result is not a document")
		}
		var d bson.D
		if err := c.decode(doc, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// mapReduceOutput returns a handle on the output collection that the result field of a mapReduce reply names: a
// collection name of this database, or {db, collection}. A reply without it gives nil, as PyMongo returns the reply.
func (c *Collection) mapReduceOutput(result bson.RawValue) (*Collection, error) {
	if name, ok := result.StringValueOK(); ok {
		return c.db.Collection(name).checked()
	}
	doc, ok := result.DocumentOK()
	if !ok {
		return nil, nil
	}
	dbName, _ := doc.Lookup("db").StringValueOK()
	collName, _ := doc.Lookup("collection").StringValueOK()
	db := c.db
	if dbName != "" && dbName != db.name {
		db = c.db.client.Database(dbName)
	}
	return db.Collection(collName).checked()
}

// ReindexOptions are the options of [Collection.Reindex]: the keyword arguments of Motor's reindex(session,
// **kwargs).
//
// Deprecated: see [Collection.Reindex].
type ReindexOptions struct {
	// Extra fields are appended to the reIndex command in order. A key reIndex, or one that appears twice, is an
	// error.
	Extra bson.D
}

// Reindex rebuilds every index of the collection (sends {reIndex: coll, ...Extra} to the primary, without a write
// concern, as PyMongo sends it) and returns the server's reply, decoded with the collection's codec options: Motor's
// reindex(session, **kwargs).
//
// From MongoDB 5.0 on, reIndex runs only on a standalone mongod: a replica set member answers IllegalOperation, and
// Reindex returns an error that says so and wraps the server's. A server without the command (CommandNotFound, as
// FerretDB answers) gives an error that says MongoDB deprecated it in 6.0. Other server errors are returned wrapped,
// reachable with errors.As(err, &mongo.CommandError{}).
//
// See https://www.mongodb.com/docs/manual/reference/command/reIndex/.
//
// Deprecated: MongoDB 6.0 deprecated reIndex, which 5.0 had already restricted to standalone servers; PyMongo 3.11
// deprecated reindex and PyMongo 4.0 removed it, as Motor 3.0 did. Indexes do not need rebuilding; to rebuild one
// anyway, drop it and create it again ([Collection.DropIndex], [Collection.CreateIndex]), or send the command
// yourself with [Database.Command].
func (c *Collection) Reindex(ctx context.Context, opts *ReindexOptions) (bson.D, error) {
	const op = "reindex"
	if opts == nil {
		opts = &ReindexOptions{}
	}
	cmd, err := appendExtraFields(bson.D{{Key: "reIndex", Value: c.name}}, opts.Extra, "ReindexOptions", "reIndex")
	if err != nil {
		return nil, c.call(op).wrap(err)
	}
	explain := deprecatedCommand("reIndex", "6.0", false)
	cl := c.call(op)
	cl.explain = func(err error) error {
		if hasServerCode(err, codeIllegalOperation) {
			return explainf(err, "from MongoDB 5.0 on, reIndex runs only on a standalone mongod")
		}
		return explain(err)
	}
	raw, err := c.db.exec(ctx, cl, cmd)
	if err != nil {
		return nil, err
	}
	d, err := c.set.codec.decodeD(raw)
	return d, c.call(op).wrap(err)
}

// deprecatedCommand explains the error of a command that MongoDB deprecated in version deprecatedIn, for servers
// that lack it: when the server answered CommandNotFound (or, with dropsConnection, closed the connection, as
// servers without JavaScript do for a command that carries JavaScript), the cause says that MongoDB deprecated the
// command. A network error that the client caused itself (a deadline, a cancellation) is left as it is.
func deprecatedCommand(command, deprecatedIn string, dropsConnection bool) func(error) error {
	return func(err error) error {
		switch {
		case hasServerCode(err, codeCommandNotFound):
			return explainf(err, "the server has no %s command, which MongoDB deprecated in %s", command, deprecatedIn)
		case dropsConnection && mongo.IsNetworkError(err) && !mongo.IsTimeout(err) && !errors.Is(err, context.Canceled):
			return explainf(err, "the server closed the connection; MongoDB deprecated the %s command in %s, "+
				"and servers without JavaScript support drop it", command, deprecatedIn)
		}
		return err
	}
}
