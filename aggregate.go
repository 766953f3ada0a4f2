package motor

import (
	"context"
	"encoding/binary"
	"reflect"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor/internal/bsonutil"
)

// AggregateOptions are the options of [Collection.Aggregate], [Database.Aggregate] and
// [Collection.AggregateRawBatches]: the keyword arguments of PyMongo's aggregate(pipeline, session, **kwargs), typed
// where they are common. The zero value (or a nil pointer) sends {aggregate, pipeline, cursor: {}} with the handle's
// settings. Fields left at their zero value are not sent.
type AggregateOptions struct {
	// AllowDiskUse lets the stages that need much memory ($sort, $group, ...) write temporary files. nil sends
	// nothing, so the server's default applies (allowDiskUseByDefault, true since MongoDB 6.0); a pointer to false
	// sends allowDiskUse: false.
	AllowDiskUse *bool

	// BatchSize is the number of documents of the first batch (sent as cursor: {batchSize}) and of each getMore
	// (sent as its batchSize): PyMongo's batchSize keyword. 0 means the server's default (101 documents, then
	// 16 MiB batches); to send batchSize: 0, use FirstBatchSize. It is not sent in cursor when the pipeline writes
	// ($out or $merge last), as in PyMongo: such a pipeline returns no documents. Negative is an error. Unlike
	// PyMongo, which sends batchSize 1 as 2 on getMore (a leftover of the legacy OP_QUERY, where 1 closed the
	// cursor), BatchSize 1 sends getMores with batchSize 1.
	BatchSize int32

	// FirstBatchSize, when not nil, is the size of the first batch alone: PyMongo's cursor={"batchSize": n}
	// keyword. It is sent as cursor: {batchSize: n}, 0 included, also when the pipeline writes. getMores then
	// carry BatchSize when it is set, else no batchSize (the server's default), as PyMongo sends them. A pointer
	// to 0 opens the cursor without reading a document, which is what Motor's batchSize=0 sends too (cursor:
	// {batchSize: 0}, then getMores without batchSize). With both set, motor sizes the first batch with
	// FirstBatchSize and the getMores with BatchSize, where PyMongo lets batchSize replace the cursor's. Negative
	// is an error.
	FirstBatchSize *int32

	// MaxTime limits the time the server spends on the command: PyMongo's maxTimeMS, sent exactly as asked, in
	// whole milliseconds (an int32, as PyMongo sends it; under a millisecond is 1). The context's deadline still
	// ends the call on the client, but is not sent as well. 0 sends nothing, and then the driver sends the time
	// left before the context's deadline, if any. Negative is an error.
	MaxTime time.Duration

	// Comment is attached to the command for the server's logs and profiler (MongoDB 3.6+); any BSON value.
	Comment any

	// Let is a document of variables that the pipeline reads as $$name (MongoDB 5.0+).
	Let any

	// Hint is the index to use: its name (a string) or its key document, such as bson.D{{Key: "qty", Value: 1}}.
	Hint any

	// Collation is the collation of the pipeline's string comparisons (MongoDB 3.4+). It cannot be combined with an
	// unacknowledged write concern on a pipeline that writes (PyMongo's ConfigurationError).
	Collation *options.Collation

	// Extra fields are appended to the command in order, after the typed ones and before cursor: PyMongo's
	// **kwargs, such as bypassDocumentValidation. A readConcern or writeConcern given here replaces the handle's,
	// as in PyMongo. A key that a typed field sends (aggregate, pipeline, allowDiskUse, maxTimeMS, comment, let,
	// hint, cursor, collation), explain (use [Database.Command] to explain a pipeline, as PyMongo says), or a key
	// that appears twice is an error.
	Extra bson.D
}

// aggregateTyped are the keys that AggregateOptions sends through typed fields.
var aggregateTyped = []string{"aggregate", "pipeline", "allowDiskUse", "maxTimeMS", "comment", "let", "hint", "cursor",
	"collation"}

// Aggregate runs the aggregation pipeline on this collection and returns a cursor over its results: Motor's
// aggregate(pipeline, **kwargs). The documents are decoded with the collection's codec options and through its
// document hooks, as for [Collection.Find].
//
// pipeline is an array of stages, each a document: [mongo.Pipeline], []bson.D, [bson.A], a slice of structs or
// maps with one key, or a [bson.RawArray]. It is checked before any I/O: anything else, or a stage that is not a
// document, is an [ErrInvalidOption] error, as PyMongo raises TypeError for a pipeline that is not a list. The
// stages are encoded with the collection's codec options. It sends
//
//	{aggregate: NAME, pipeline, allowDiskUse, maxTimeMS, comment, let, hint, ...Extra, cursor: {batchSize},
//	 writeConcern, readConcern, collation}
//
// with only the fields that are set, in PyMongo's order (keyword arguments, then cursor, then what the handle
// adds); cursor.batchSize is opts.FirstBatchSize, else opts.BatchSize, and each getMore carries opts.BatchSize
// (see [AggregateOptions]). It follows PyMongo's rules:
//
//   - A read pipeline goes with the collection's read preference and is retried once after a network error or a
//     retryable server error, as PyMongo's reads are, unless the client disables retryable reads or a transaction
//     runs.
//   - A pipeline whose last stage is $out or $merge writes: it goes to the primary, is not retried, carries no
//     cursor batchSize but FirstBatchSize, and carries the collection's write concern unless it is the server
//     default or a transaction runs (PyMongo's _write_concern_for).
//   - readConcern is the collection's read concern, sent when it has a level, for a read and for a write (PyMongo
//     omits it for $out only before MongoDB 4.2, which the driver no longer supports), and never inside a
//     transaction, whose read concern applies.
//   - Inside a transaction the read preference is primary, as transactions require.
//
// A session in ctx is used for the command and its getMores. Unlike Motor, whose aggregate returns a latent cursor
// that sends nothing until the first read, Aggregate sends the command at once and returns its error: a failed
// reply is an error wrapping the server's [mongo.CommandError] ("motor: aggregate DB.COLL: ..."). Bad options are
// [ErrInvalidOption] errors before any I/O.
//
// See https://www.mongodb.com/docs/manual/reference/command/aggregate/.
func (c *Collection) Aggregate(ctx context.Context, pipeline any, opts *AggregateOptions) (*Cursor, error) {
	cur, err := c.db.aggregate(ctx, c.name, c.full, &c.set, c.err, pipeline, opts)
	if err != nil {
		return nil, err
	}
	return &Cursor{mc: cur, db: c.db, coll: c, codec: c.set.codec, call: c.call("aggregate")}, nil
}

// Aggregate runs a database-level aggregation pipeline, one whose first stage makes its own documents, such as
// $documents (MongoDB 5.1+), $currentOp and $listLocalSessions (on admin), or $changeStream: Motor's
// AsyncIOMotorDatabase.aggregate(pipeline, **kwargs) (MongoDB 3.6+). It sends {aggregate: 1, pipeline, ...} to
// this database, with the options, checks and rules of [Collection.Aggregate] and the database's settings (read
// preference, read concern, write concern for $out or $merge). The documents are decoded with the database's
// codec options and through its outgoing document hooks, for the database itself rather than a collection (the
// "$cmd" collection, as in PyMongo). Errors read "motor: aggregate DB: ...".
//
// See https://www.mongodb.com/docs/manual/reference/command/aggregate/.
func (db *Database) Aggregate(ctx context.Context, pipeline any, opts *AggregateOptions) (*Cursor, error) {
	cur, err := db.aggregate(ctx, int32(1), db.name, &db.set, db.err, pipeline, opts)
	if err != nil {
		return nil, err
	}
	return db.commandCursor(cur, db.set.codec, db.call("aggregate", db.name)), nil
}

// aggregate builds and sends the aggregate command on target (a collection name, or int32 1 for the database) with
// the settings s of the handle named subject, and returns the driver's cursor.
func (db *Database) aggregate(ctx context.Context, target any, subject string, s *settings, invalid error, pipeline any, o *AggregateOptions) (*mongo.Cursor, error) {
	c := call{op: "aggregate", subject: subject, codec: s.codec, invalid: invalid}
	if o == nil {
		o = &AggregateOptions{}
	}
	c.ownMaxTime = o.MaxTime > 0
	rc, rp := s.forRead(ctx)
	cmd, write, err := aggregateCmd(target, pipeline, o, rc, writeConcernFor(ctx, s.wc), s.codec.reg)
	if err != nil {
		return nil, c.wrap(err)
	}
	if !write {
		c.rp = rp
		c.retryRead = true
	}
	cur, err := db.execCursor(ctx, c, cmd)
	if err != nil {
		return nil, err
	}
	if o.BatchSize > 0 {
		cur.SetBatchSize(o.BatchSize)
	}
	return cur, nil
}

// forRead returns the read concern and the read preference that a read through a handle with settings s sends: the
// handle's, or none and primary (nil) inside a transaction, whose own read concern applies and which must read from
// the primary.
func (s *settings) forRead(ctx context.Context) (*readconcern.ReadConcern, *readpref.ReadPref) {
	if inTransaction(ctx) {
		return nil, nil
	}
	return s.rc, s.rp
}

// aggregateCmd builds the aggregate command on target (a collection name, or int32 1):
//
//	{aggregate, pipeline, allowDiskUse, maxTimeMS, comment, let, hint, ...Extra, cursor, writeConcern, readConcern,
//	 collation}
//
// rc is the read concern to send (nil or no level: none), wc the write concern to send when the pipeline writes (nil
// or the server default: none); reg encodes the stages and checks the documents. It reports whether the pipeline
// writes: whether its last stage has a $out or $merge key, PyMongo's test.
func aggregateCmd(target any, pipeline any, o *AggregateOptions, rc *readconcern.ReadConcern, wc *writeconcern.WriteConcern, reg *bson.Registry) (cmd bson.D, write bool, err error) {
	if o.BatchSize < 0 {
		return nil, false, invalidOptionf("AggregateOptions.BatchSize must not be negative, got %d", o.BatchSize)
	}
	if o.FirstBatchSize != nil && *o.FirstBatchSize < 0 {
		return nil, false, invalidOptionf("AggregateOptions.FirstBatchSize must not be negative, got %d", *o.FirstBatchSize)
	}
	if o.MaxTime < 0 {
		return nil, false, invalidOptionf("AggregateOptions.MaxTime must not be negative, got %v", o.MaxTime)
	}
	stages, err := pipelineStages(reg, pipeline)
	if err != nil {
		return nil, false, err
	}
	write = pipelineWrites(stages)
	cmd = bson.D{{Key: "aggregate", Value: target}, {Key: "pipeline", Value: stages}}
	add := func(k string, v any) { cmd = append(cmd, bson.E{Key: k, Value: v}) }
	if o.AllowDiskUse != nil {
		add("allowDiskUse", *o.AllowDiskUse)
	}
	if ms := maxTimeMS(o.MaxTime); ms != nil {
		add("maxTimeMS", ms)
	}
	if o.Comment != nil {
		add("comment", o.Comment)
	}
	if o.Let != nil {
		if err := checkDocument(reg, "AggregateOptions.Let", o.Let); err != nil {
			return nil, false, err
		}
		add("let", o.Let)
	}
	switch h := o.Hint.(type) {
	case nil:
	case string:
		if h == "" {
			return nil, false, invalidOptionf("AggregateOptions.Hint must not be an empty index name")
		}
		add("hint", h)
	default:
		if checkDocument(reg, "AggregateOptions.Hint", h) != nil {
			return nil, false, invalidOptionf("AggregateOptions.Hint must be an index name (a string) or an index key document, not a %T", h)
		}
		add("hint", h)
	}
	for _, e := range o.Extra {
		if e.Key == "explain" {
			return nil, false, invalidOptionf("AggregateOptions.Extra: the explain option is not supported; explain the aggregate command with Database.Command instead")
		}
	}
	if cmd, err = appendExtraFields(cmd, o.Extra, "AggregateOptions", aggregateTyped...); err != nil {
		return nil, false, err
	}
	cursor := bson.D{}
	switch {
	case o.FirstBatchSize != nil:
		cursor = bson.D{{Key: "batchSize", Value: *o.FirstBatchSize}}
	case o.BatchSize > 0 && !write:
		cursor = bson.D{{Key: "batchSize", Value: o.BatchSize}}
	}
	add("cursor", cursor)
	if write && !hasKey(o.Extra, "writeConcern") {
		if wcd := writeConcernDoc(wc); wcd != nil {
			add("writeConcern", wcd)
		}
	}
	if rcd := readConcernDoc(rc); rcd != nil && !hasKey(o.Extra, "readConcern") {
		add("readConcern", rcd)
	}
	if o.Collation != nil {
		if write && !wc.Acknowledged() {
			return nil, false, invalidOptionf("collation is unsupported for unacknowledged writes")
		}
		add("collation", collationDoc(o.Collation))
	}
	return cmd, write, nil
}

// pipelineStages returns the stages of pipeline, each a document encoded with reg; the stages of a bson.RawArray are
// validated and kept as they are. A pipeline that is not an array (nil included: a caller for which nil means no
// stage says so first), a stage that is not a document, or invalid BSON is an ErrInvalidOption error.
func pipelineStages(reg *bson.Registry, pipeline any) ([]bson.Raw, error) {
	switch p := pipeline.(type) {
	case nil:
		return nil, invalidOptionf("the pipeline must be an array of stages (documents), not nil")
	case bson.RawArray:
		if err := p.Validate(); err != nil {
			return nil, invalidOptionf("invalid pipeline: %v", err)
		}
		if n := int(binary.LittleEndian.Uint32(p)); n != len(p) {
			return nil, invalidOptionf("invalid pipeline: it is %d bytes long, and %d more follow it", n, len(p)-n)
		}
		vals, err := p.Values()
		if err != nil {
			return nil, invalidOptionf("invalid pipeline: %v", err)
		}
		stages := make([]bson.Raw, len(vals))
		for i, v := range vals {
			doc, ok := v.DocumentOK()
			if !ok {
				return nil, invalidOptionf("pipeline stage %d must be a document, not BSON %v", i, v.Type)
			}
			if err := doc.Validate(); err != nil {
				return nil, invalidOptionf("invalid pipeline stage %d: %v", i, err)
			}
			stages[i] = doc
		}
		return stages, nil
	}
	rv := reflect.ValueOf(pipeline)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if k := rv.Kind(); (k != reflect.Slice && k != reflect.Array) || !isArray(rv.Interface()) {
		return nil, invalidOptionf("the pipeline must be an array of stages (documents), not a %T", pipeline)
	}
	stages := make([]bson.Raw, rv.Len())
	for i := range stages {
		stage := rv.Index(i).Interface()
		if err := checkIsDocument("pipeline stage "+strconv.Itoa(i), stage); err != nil {
			return nil, err
		}
		raw, err := bsonutil.Encode(reg, stage)
		if err != nil {
			return nil, invalidOptionf("cannot encode pipeline stage %d: %v", i, err)
		}
		stages[i] = raw
	}
	return stages, nil
}

// pipelineWrites reports whether a pipeline writes: whether its last stage has a $out or $merge key, PyMongo's test.
func pipelineWrites(stages []bson.Raw) bool {
	if len(stages) == 0 {
		return false
	}
	last := stages[len(stages)-1]
	_, out := last.LookupErr("$out")
	_, merge := last.LookupErr("$merge")
	return out == nil || merge == nil
}

// maxTimeMS is d as PyMongo sends maxTimeMS (whole milliseconds, an int32 when it fits), nil for 0. A positive d
// under a millisecond is sent as 1, not as 0 (which would mean no limit).
func maxTimeMS(d time.Duration) any {
	if d <= 0 {
		return nil
	}
	return pyInt(max(d.Milliseconds(), 1))
}

// readConcernDoc is the readConcern field PyMongo sends for rc: {level} when rc has a level, else nil.
func readConcernDoc(rc *readconcern.ReadConcern) bson.D {
	if rc == nil || rc.Level == "" {
		return nil
	}
	return bson.D{{Key: "level", Value: rc.Level}}
}

// hasKey reports whether d has the key k.
func hasKey(d bson.D, k string) bool {
	for _, e := range d {
		if e.Key == k {
			return true
		}
	}
	return false
}
