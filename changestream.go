package motor

// Change streams: Collection.Watch, Database.Watch and Client.Watch check their arguments, build the driver's
// change stream options with a pure builder (watchArgs) and open the stream through the driver, which sends the
// aggregate with a $changeStream first stage, fetches events with getMore and resumes after a network error or a
// resumable server error as the change streams specification says. ChangeStream decodes each event with the codec
// options of the handle that opened it, through the database's document hooks.

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor/internal/bsonutil"
)

// WatchOptions are the options of [Collection.Watch], [Database.Watch] and [Client.Watch]: the keyword arguments of
// Motor's watch(pipeline, full_document, resume_after, max_await_time_ms, batch_size, collation,
// start_at_operation_time, session, start_after), with the ones later servers added (PyMongo 4's
// full_document_before_change, show_expanded_events and comment). The session travels in the context
// ([mongo.NewSessionContext]). The zero value (or a nil pointer) opens a stream from now on with the server's
// defaults. Fields left at their zero value are not sent.
//
// There is no Extra field: Motor's watch takes no **kwargs. For a $changeStream option that motor does not type, use
// the driver's options with [Collection.Mongo] (options.ChangeStream().SetCustomPipeline).
type WatchOptions struct {
	// FullDocument is the fullDocument of $changeStream: [options.UpdateLookup] adds the current version of the
	// document to update events, [options.WhenAvailable] and [options.Required] the post-image (MongoDB 6.0+).
	// Empty, or [options.Default] (the server's default), is not sent.
	FullDocument options.FullDocument

	// FullDocumentBeforeChange is the fullDocumentBeforeChange of $changeStream (MongoDB 6.0+):
	// [options.WhenAvailable], [options.Required] or [options.Off]. Empty is not sent.
	FullDocumentBeforeChange options.FullDocument

	// ResumeAfter starts the stream after the event whose resume token it is: a document, such as the value of
	// [ChangeStream.ResumeToken] or an event's _id. It is encoded with the handle's codec options.
	ResumeAfter any

	// StartAfter is like ResumeAfter, but also starts after an invalidate event (MongoDB 4.2+).
	StartAfter any

	// StartAtOperationTime starts the stream at this cluster time (MongoDB 4.0+).
	StartAtOperationTime *bson.Timestamp

	// MaxAwaitTime is how long the server waits for new events before it answers a getMore with an empty batch: the
	// maxTimeMS of each getMore (PyMongo's max_await_time_ms). 0 means the server's default (one second). A
	// context given to [ChangeStream.Next] must leave at least this much time, or Next fails.
	MaxAwaitTime time.Duration

	// BatchSize is the most events per batch: cursor.batchSize of the aggregate and the batchSize of each getMore.
	// 0 means the server's default.
	BatchSize int32

	// Collation is the collation of the aggregate, for the comparisons of the pipeline's stages, sent as its
	// collation field (and again when the stream resumes). Unlike Motor 2.3, whose PyMongo 3.11 checks the
	// collation keyword and then leaves it out of the command, so that the stages compare without it, motor sends
	// it, as the change streams specification and the Go driver do.
	Collation *options.Collation

	// ShowExpandedEvents asks for DDL events such as createIndexes and create (MongoDB 6.0+).
	ShowExpandedEvents bool

	// Comment is attached to the aggregate and every getMore for the server's logs and profiler (MongoDB 4.4+ for
	// getMore); any BSON value. nil means none.
	Comment any
}

// ChangeStream iterates over the change events of a collection, a database or a whole deployment: Motor's
// AsyncIOMotorChangeStream, PyMongo's ChangeStream. Make one with [Collection.Watch], [Database.Watch] or
// [Client.Watch]. It wraps the driver's change stream (see [ChangeStream.Mongo]), which fetches events with getMore,
// keeps the resume token of the last event returned (or the server's postBatchResumeToken after a batch), and after a
// network error or a resumable server error sends the aggregate again with resumeAfter set to that token, so that no
// event is lost or repeated.
//
// Events decode with the codec options of the handle that opened the stream, through the database's document hooks
// ([ChangeStream.Decode]). Every error reads "motor: watch <namespace>: <cause>", the namespace being
// "db.collection", "db", or "cluster" for [Client.Watch]. A ChangeStream is not safe for concurrent use; always
// Close it, which kills the server's cursor.
//
//	for stream.Next(ctx) {
//		var event bson.M
//		if err := stream.Decode(&event); err != nil { ... }
//		token := stream.ResumeToken() // to resume later, with WatchOptions.ResumeAfter
//	}
//	if err := stream.Err(); err != nil { ... }
//
// Motor's next and the async for loop are Next; try_next is TryNext; resume_token is ResumeToken; alive is Alive;
// close is Close.
type ChangeStream struct {
	cs    *mongo.ChangeStream
	db    *Database   // decodes the events (Database.decodeFrom)
	coll  *Collection // the collection watched, nil for a database or cluster stream
	codec *codec
	call  call  // the watch: its errors read "motor: watch NS: CAUSE"
	err   error // motor's own error (a nil context), which ends iteration
}

// Watch opens a change stream on the collection: Motor's AsyncIOMotorCollection.watch. It sends, to the
// collection's database,
//
//	{aggregate: COLL, collation, comment, pipeline: [{$changeStream: {fullDocument, fullDocumentBeforeChange,
//	    resumeAfter, showExpandedEvents, startAfter, startAtOperationTime}}, ...pipeline], cursor: {batchSize},
//	    readConcern}
//
// with the fields of opts that are set, then getMore {getMore: ID, collection: COLL, batchSize, maxTimeMS, comment}
// each time the events fetched are used up. The collection's read preference, read concern and codec options apply
// (the codec encodes the pipeline and the resume token, and decodes the events); a session in ctx is used for the
// aggregate and its getMores.
//
// pipeline is the list of stages that follow $changeStream, such as $match and $project: a slice or array of
// documents ([mongo.Pipeline], []bson.D, bson.A, ...) or a [bson.RawArray]; nil means none. Anything else, a stage
// that is not a document, and bad options are [ErrInvalidOption] errors before any I/O. Unlike Motor, whose stream
// sends nothing until the first next, Watch sends the aggregate at once and returns its error (for example that the
// server is not a replica set member or mongos: change streams need MongoDB 3.6+ on a replica set or a sharded
// cluster).
//
// See https://www.mongodb.com/docs/manual/changeStreams/.
func (c *Collection) Watch(ctx context.Context, pipeline any, opts *WatchOptions) (*ChangeStream, error) {
	return watch(ctx, &ChangeStream{db: c.db, coll: c, codec: c.set.codec, call: c.call("watch")}, pipeline, opts, false)
}

// Watch opens a change stream on every collection of the database (MongoDB 4.0+): Motor's
// AsyncIOMotorDatabase.watch. It sends {aggregate: 1, pipeline: [{$changeStream: {...}}, ...pipeline], cursor: {}}
// to the database, then getMore on the namespace the server names, as [Collection.Watch] describes; the database's
// read preference, read concern, codec options and document hooks apply (the hooks get the database's "$cmd"
// collection).
//
// See https://www.mongodb.com/docs/manual/changeStreams/.
func (db *Database) Watch(ctx context.Context, pipeline any, opts *WatchOptions) (*ChangeStream, error) {
	return watch(ctx, &ChangeStream{db: db, codec: db.set.codec, call: db.call("watch", db.name)}, pipeline, opts, false)
}

// Watch opens a change stream on every database of the deployment but admin, local and config (MongoDB 4.0+):
// Motor's AsyncIOMotorClient.watch. It sends {aggregate: 1, pipeline: [{$changeStream: {..., allChangesForCluster:
// true}}, ...pipeline], cursor: {}} to the admin database, allChangesForCluster last as PyMongo sends it, then
// getMore, as [Collection.Watch] describes. The client's read preference, read concern and codec options apply (a
// read preference given to [Connect] as an option included, which the driver client beneath does not know). Errors
// read "motor: watch cluster: <cause>".
//
// See https://www.mongodb.com/docs/manual/changeStreams/.
func (c *Client) Watch(ctx context.Context, pipeline any, opts *WatchOptions) (*ChangeStream, error) {
	admin := c.adminDB()
	return watch(ctx, &ChangeStream{db: admin, codec: c.set.codec, call: admin.call("watch", "cluster")}, pipeline, opts, true)
}

// watch opens the change stream s describes: on s.coll, else on s.db; cluster watches the whole deployment through
// the admin database s.db.
func watch(ctx context.Context, s *ChangeStream, pipeline any, opts *WatchOptions, cluster bool) (*ChangeStream, error) {
	stages, wo, err := watchArgs(s.codec.reg, pipeline, opts, cluster)
	if err != nil {
		return nil, s.call.wrap(err)
	}
	if err := s.watch(ctx, stages, wo); err != nil {
		return nil, err
	}
	return s, nil
}

// watchArgs is the pure builder of a change stream: the pipeline stages after $changeStream, encoded with reg, and
// the driver's options for o. cluster adds allChangesForCluster: true to $changeStream, for a stream on the admin
// database that watches the whole deployment. Bad arguments are ErrInvalidOption errors.
//
// motor gives the driver its change stream options rather than building the aggregate itself: the driver must
// rebuild the $changeStream stage when it resumes (with resumeAfter set to the last token), which it only does
// for a stream it opened.
func watchArgs(reg *bson.Registry, pipeline any, o *WatchOptions, cluster bool) ([]bson.Raw, *options.ChangeStreamOptionsBuilder, error) {
	stages, err := watchPipeline(reg, pipeline)
	if err != nil {
		return nil, nil, err
	}
	b := options.ChangeStream()
	if o == nil {
		o = &WatchOptions{}
	}
	if o.BatchSize < 0 {
		return nil, nil, invalidOptionf("WatchOptions.BatchSize must not be negative, got %d", o.BatchSize)
	}
	if o.MaxAwaitTime < 0 {
		return nil, nil, invalidOptionf("WatchOptions.MaxAwaitTime must not be negative, got %v", o.MaxAwaitTime)
	}
	starts := 0
	for _, set := range []bool{o.ResumeAfter != nil, o.StartAfter != nil, o.StartAtOperationTime != nil} {
		if set {
			starts++
		}
	}
	if starts > 1 { // the server refuses it
		return nil, nil, invalidOptionf("WatchOptions: set at most one of ResumeAfter, StartAfter and StartAtOperationTime")
	}
	if o.FullDocument != "" {
		b.SetFullDocument(o.FullDocument)
	}
	if o.FullDocumentBeforeChange != "" {
		b.SetFullDocumentBeforeChange(o.FullDocumentBeforeChange)
	}
	for _, tok := range []struct {
		field string
		v     any
		set   func(any) *options.ChangeStreamOptionsBuilder
	}{
		{"WatchOptions.ResumeAfter", o.ResumeAfter, b.SetResumeAfter},
		{"WatchOptions.StartAfter", o.StartAfter, b.SetStartAfter},
	} {
		if tok.v == nil {
			continue
		}
		raw, err := encodeArg(reg, tok.field, tok.v)
		if err != nil {
			return nil, nil, err
		}
		tok.set(raw)
	}
	if o.ShowExpandedEvents {
		b.SetShowExpandedEvents(true)
	}
	if o.StartAtOperationTime != nil {
		b.SetStartAtOperationTime(o.StartAtOperationTime)
	}
	if cluster {
		b.SetCustomPipeline(bson.M{"allChangesForCluster": true})
	}
	if o.BatchSize > 0 {
		b.SetBatchSize(o.BatchSize)
	}
	if o.MaxAwaitTime > 0 {
		b.SetMaxAwaitTime(o.MaxAwaitTime)
	}
	if o.Collation != nil {
		b.SetCollation(*o.Collation)
	}
	if o.Comment != nil {
		v, err := bsonutil.EncodeValue(reg, o.Comment)
		if err != nil {
			return nil, nil, invalidOptionf("cannot encode WatchOptions.Comment: %v", err)
		}
		b.SetComment(v)
	}
	return stages, b, nil
}

// watchPipeline returns the stages of pipeline, each a document encoded with reg: nil is no stage; a Go slice or
// array, or a bson.RawArray, of documents is a pipeline; anything else is an ErrInvalidOption error.
func watchPipeline(reg *bson.Registry, pipeline any) ([]bson.Raw, error) {
	if pipeline == nil {
		return []bson.Raw{}, nil
	}
	return pipelineStages(reg, pipeline)
}

// Next moves to the next event, blocking until one arrives: Motor's next (and async for). It sends getMore when the
// events fetched are used up, again and again while the server answers with empty batches, and resumes the stream
// after a resumable error. It returns false when ctx is done, an error happened or the stream was closed or
// invalidated; see [ChangeStream.Err]. After it returns false, the stream is over and later calls return false too,
// even after ctx ended (the driver tries to resume with it): to go on, open a new stream with
// WatchOptions.ResumeAfter set to [ChangeStream.ResumeToken], which loses no event. A ctx with a deadline must leave
// more than [WatchOptions.MaxAwaitTime], or Next fails at once.
func (s *ChangeStream) Next(ctx context.Context) bool {
	return iterate(ctx, &s.call, &s.err, s.cs.Next)
}

// TryNext moves to the next event if one is ready, sending at most one getMore (which waits up to
// [WatchOptions.MaxAwaitTime] on the server): Motor's try_next, which returns None when no change is ready. It
// returns false when no event is ready, and then [ChangeStream.Err] is nil, [ChangeStream.Alive] is true and TryNext
// may be called again; the resume token advances even when no event is ready. It also returns false, for good, when
// an error happened, ctx ended or the stream is over, as for [ChangeStream.Next].
func (s *ChangeStream) TryNext(ctx context.Context) bool {
	return iterate(ctx, &s.call, &s.err, s.cs.TryNext)
}

// Current returns the raw bytes of the current event, as the server sent them. They are valid until the next call
// to Next or TryNext.
func (s *ChangeStream) Current() bson.Raw { return s.cs.Current }

// Decode decodes the current event into v with the codec options of the handle that opened the stream, through the
// database's document hooks: into a bson.M, bson.D or any, or a struct such as
//
//	struct {
//		OperationType string `bson:"operationType"`
//		FullDocument  order  `bson:"fullDocument"`
//	}
func (s *ChangeStream) Decode(v any) error {
	if s.cs.Current == nil {
		return s.call.wrap(errors.New("Decode called without a current event (call Next first)"))
	}
	return s.call.wrap(s.db.decodeFrom(s.coll, s.codec, s.cs.Current, v))
}

// ResumeToken returns the resume token of the stream: Motor's resume_token. It is the _id of the last event
// returned, or the server's postBatchResumeToken once the events of a batch are used up (which advances even when
// no event comes), or the token the stream was opened with; nil when there is none yet. Pass it as
// [WatchOptions.ResumeAfter] (or StartAfter) to open a stream later that continues where this one stopped. The
// result is a copy.
func (s *ChangeStream) ResumeToken() bson.Raw {
	if t := s.cs.ResumeToken(); t != nil {
		return slices.Clone(t)
	}
	return nil
}

// Err returns the error that stopped iteration, if any: a failed getMore or resume, an invalidated stream, an
// expired context, a nil context.
func (s *ChangeStream) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.call.wrap(s.cs.Err())
}

// Alive reports whether the stream may return more events: it is not closed and no error ended it (PyMongo's
// alive). A stream that the server closed (after an invalidate event) is not alive once its events are used up.
func (s *ChangeStream) Alive() bool {
	return s.err == nil && s.cs.Err() == nil && (s.cs.ID() != 0 || s.cs.RemainingBatchLength() > 0)
}

// ID returns the server's cursor id; 0 once the stream is closed.
func (s *ChangeStream) ID() int64 { return s.cs.ID() }

// RemainingBatchLength returns how many events of the last batch fetched are left; Next and TryNext send getMore
// when it is 0.
func (s *ChangeStream) RemainingBatchLength() int { return s.cs.RemainingBatchLength() }

// Close closes the stream: Motor's close. If the server still holds its cursor, the driver sends {killCursors: COLL,
// cursors: [ID]}. Closing twice is fine; Next and TryNext return false after Close.
func (s *ChangeStream) Close(ctx context.Context) error {
	return closeIter(ctx, &s.call, s.cs.Close)
}

// Mongo returns the driver change stream beneath.
func (s *ChangeStream) Mongo() *mongo.ChangeStream { return s.cs }
