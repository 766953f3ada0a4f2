package motor

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
)

// The executor: every command that the database API sends goes through Database.exec or Database.execCursor. An
// operation is a pure builder (a function from its arguments to a command document, table-tested without a server)
// plus one executor call. The executor owns what every command shares:
//
//   - the context check, with one message;
//   - the settings: the read preference (primary unless the call says otherwise, as Motor's command does), the write
//     concern unless a transaction runs (writeConcernFor), and the codec that encodes the command and decodes the
//     reply;
//   - the server error codes motor acts on (the table below);
//   - wrapping, so that every error reads "motor: <operation>: <cause>" (opError).

// The server error codes that motor acts on.
const (
	codeUnauthorized      = 13 // Unauthorized: AddUser creates the user anyway (the localhost exception)
	codeNamespaceNotFound = 26 // NamespaceNotFound: DropCollection ignores it ("ns not found")
	codeNamespaceExists   = 48 // NamespaceExists: CreateCollection reports ErrCollectionInvalid
	codeCommandNotFound   = 59 // CommandNotFound: removed commands, CurrentOp's fallback to $currentOp
)

// retryableReadCodes are the server error codes after which a read is retried once: PyMongo 3.11's
// _RETRYABLE_ERROR_CODES.
var retryableReadCodes = []int{6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436}

// call is one command as the executor sends it.
type call struct {
	// op and subject name the operation in errors: "motor: <op> <subject>: <cause>", e.g. "drop collection" and
	// "logs". subject may be empty.
	op, subject string

	// rp is the read preference; nil means primary, whatever the handle's (Motor's command ignores it).
	rp *readpref.ReadPref

	// codec encodes the command; nil means the database's codec options. A bson.Raw command is sent as it is.
	codec *codec

	// accept, when set, returns a failed reply (ok: 0) as the result instead of an error when it reports true:
	// Motor's check=False and allowable_errors.
	accept func(failed bson.Raw) bool

	// writeErrorsOK returns a reply with ok: 1 that reports writeErrors or a writeConcernError as the result, as
	// PyMongo's command does, instead of the driver's error.
	writeErrorsOK bool

	// retryRead retries once after a network error or a retryable server error, as PyMongo's _retryable_read does,
	// unless the client disables retryable reads, the context is done or a transaction runs.
	retryRead bool

	// explain, when set, rewrites the cause of an error from the server before it is wrapped, to say more than the
	// server does (for example which MongoDB version removed a command). It must wrap the error it is given.
	explain func(err error) error

	// invalid is the error of the handle the operation runs on (a bad name or option kept by a chained handle):
	// the operation fails with it before any I/O.
	invalid error

	// ownMaxTime says that the operation sends maxTimeMS itself, exactly as the caller asked (MaxTime): the door
	// then keeps the context's deadline from the driver, which would send a second maxTimeMS.
	ownMaxTime bool
}

// wrap wraps err as the error of c's operation: "motor: <op> <subject>: <cause>"; nil stays nil. It is the one
// place where an error gets its shape. An encoding error of the driver becomes an ErrInvalidOption error without the
// encoder's internals; the driver's internal write command error becomes the mongo.WriteException that its public
// operations return; a server selection failure and the driver's refusal to send past a deadline are told plainly
// (selectionError, deadlineError); explain applies to errors from the server or the network.
func (c call) wrap(err error) error {
	if err == nil {
		return nil
	}
	if e := plainEncodeError(err); e != nil {
		err = e
	} else {
		err = withServerDetails(asWriteException(plainSelection(plainDeadline(err))))
		if c.explain != nil && !errors.Is(err, ErrInvalidOption) && !errors.Is(err, ErrInvalidName) && !errors.Is(err, ErrClientDisconnected) {
			err = c.explain(err)
		}
	}
	op := c.op
	if c.subject != "" {
		op += " " + c.subject
	}
	return wrapOp(op, err)
}

// primaryRunCmd is the driver's run-command options for a primary read preference, made once.
var primaryRunCmd = options.RunCmd().SetReadPreference(readpref.Primary())

func (c *call) runCmdOptions() *options.RunCmdOptionsBuilder {
	if c.rp == nil {
		return primaryRunCmd
	}
	return options.RunCmd().SetReadPreference(c.rp)
}

// prepare returns cmd as the driver gets it: a bson.Raw as it is, never decoded; a document that the call encodes
// as the database would, as it is, for the driver to encode once; anything else encoded with the call's codec.
func (db *Database) prepare(c *call, cmd any) (any, error) {
	if _, ok := cmd.(bson.Raw); ok || c.codec == nil || c.codec == db.set.codec {
		return cmd, nil
	}
	return encodeDoc(c.codec.reg, cmd)
}

// exec sends cmd to db as c says and returns the raw reply. A failed reply (ok: 0) is an error wrapping the server's
// mongo.CommandError, whose Raw field holds the reply, unless c.accept takes it. Like PyMongo's Database.command, it
// applies neither the database's read concern nor its write concern: builders put writeConcern in the command (from
// writeConcernFor) where Motor does.
func (db *Database) exec(ctx context.Context, c call, cmd any) (bson.Raw, error) {
	if c.invalid == nil {
		c.invalid = db.err
	}
	reply, err := door(ctx, db.client, &c, func(ctx context.Context, cn *conn) (bson.Raw, error) {
		cmd, err := db.prepare(&c, cmd)
		if err != nil {
			return nil, err
		}
		return db.mongoDB(cn).RunCommand(ctx, cmd, c.runCmdOptions()).Raw()
	})
	if err == nil {
		return reply, nil
	}
	if failed, _ := failedReply(err); failed != nil && c.accept != nil && c.accept(failed) {
		return failed, nil
	}
	var we mongo.WriteException
	if c.writeErrorsOK && errors.As(err, &we) && len(we.Raw) > 0 {
		return we.Raw, nil
	}
	return nil, c.wrap(err)
}

// execCursor sends cmd, a command that returns a cursor, as c says, and returns the driver's cursor over its
// results (getMore, killCursors and the session are the driver's). The caller wraps it with the decoding it needs.
func (db *Database) execCursor(ctx context.Context, c call, cmd any) (*mongo.Cursor, error) {
	if c.invalid == nil {
		c.invalid = db.err
	}
	cur, err := door(ctx, db.client, &c, func(ctx context.Context, cn *conn) (*mongo.Cursor, error) {
		cmd, err := db.prepare(&c, cmd)
		if err != nil {
			return nil, err
		}
		return db.mongoDB(cn).RunCommandCursor(ctx, cmd, c.runCmdOptions())
	})
	return cur, c.wrap(err)
}

// door is the one way into the driver: every operation of every handle calls the driver from inside fn, which gets
// the driver client, held until fn returns, so that Disconnect and the deprecated Authenticate's client swap wait
// for it. door checks the error the handle carries (c.invalid) and the context (nil, or already done) before any
// I/O, retries a read once when c.retryRead allows it, and hides ctx's deadline from the driver when the operation
// sends its own maxTimeMS (c.ownMaxTime). Errors come back as the driver or the server gave them, except those of
// the checks, which are already wrapped: callers wrap the rest with c.wrap.
func door[T any](ctx context.Context, cl *Client, c *call, fn func(context.Context, *conn) (T, error)) (T, error) {
	var zero T
	if c.invalid != nil {
		return zero, c.wrap(c.invalid) // a bad name or option: no I/O
	}
	if ctx == nil {
		return zero, c.wrap(errNilContext)
	}
	if err := ctx.Err(); err != nil {
		// Done before it starts: the operation sends nothing, and its error is the context's, the same for every
		// operation (the driver's would be that of whichever step noticed first: server selection, the pool).
		return zero, c.wrap(err)
	}
	dctx := ctx
	if _, ok := ctx.Deadline(); ok && c.ownMaxTime {
		// The driver adds maxTimeMS from a context deadline, and a command must not carry two: the driver gets a
		// context without the deadline that is cancelled when ctx is done.
		var cancel context.CancelFunc
		dctx, cancel = context.WithCancel(context.WithoutCancel(ctx))
		stop := context.AfterFunc(ctx, cancel)
		defer func() {
			stop()
			cancel()
		}()
	}
	once := func() (T, error) {
		cn, err := cl.drv.acquire()
		if err != nil {
			return zero, err
		}
		defer cn.release()
		return fn(dctx, cn)
	}
	res, err := once()
	if err != nil && c.retryRead && cl.retryable(ctx, err) {
		res, err = once()
	}
	if err != nil && dctx != ctx && ctx.Err() != nil {
		err = ctx.Err() // the deadline that dctx hid, not the cancellation that carried it
	}
	return res, err
}

// iterate is the door of the iterators (Cursor, ChangeStream, RawBatchCursor): it runs next, the driver cursor's
// Next or TryNext, unless *stopped holds the error that ended iteration; a nil ctx ends it with c's error, the same
// on every iterator.
func iterate(ctx context.Context, c *call, stopped *error, next func(context.Context) bool) bool {
	if *stopped != nil {
		return false
	}
	if ctx == nil {
		*stopped = c.wrap(errNilContext)
		return false
	}
	return next(ctx)
}

// closeIter closes an iterator's driver cursor with close, as c's operation.
func closeIter(ctx context.Context, c *call, close func(context.Context) error) error {
	if ctx == nil {
		return c.wrap(errNilContext)
	}
	return c.wrap(close(ctx))
}

// cleanupTimeout bounds the killCursors that closes a cursor after its reader is done, whatever the reader's context.
const cleanupTimeout = 5 * time.Second

// closeAfter closes cur, a cursor that a call read from with ctx, when the call returns: with ctx's values (its
// session) but not its cancellation, so that the server's cursor is freed even after ctx ended, and bounded by
// cleanupTimeout, so that a stalled server cannot hold the call.
func closeAfter(ctx context.Context, cur interface {
	Close(context.Context) error
	ID() int64
}) {
	if cur.ID() == 0 { // the server holds nothing: Close sends nothing
		_ = cur.Close(context.WithoutCancel(ctx))
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = cur.Close(cctx)
}

// retryable reports whether a read that failed with err is retried once, as PyMongo's _retryable_read decides: a
// network error or a server error whose code is in retryableReadCodes, when the client retries reads, the context
// is not done and no transaction runs.
func (cl *Client) retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || inTransaction(ctx) || !cl.retryReads() {
		return false
	}
	if mongo.IsNetworkError(err) {
		return true
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		for _, code := range retryableReadCodes {
			if int(ce.Code) == code {
				return true
			}
		}
	}
	return false
}

// writeConcernFor returns wc, the write concern of the handle a command writes through, or nil when a transaction
// runs in the session of ctx: inside a transaction the transaction's write concern applies, and sending one is an
// error. PyMongo's _write_concern_for.
func writeConcernFor(ctx context.Context, wc *writeconcern.WriteConcern) *writeconcern.WriteConcern {
	if inTransaction(ctx) {
		return nil
	}
	return wc
}

// inTransaction reports whether a transaction is running in the session of ctx.
func inTransaction(ctx context.Context) bool {
	if ctx == nil {
		return false
	}
	s := mongo.SessionFromContext(ctx)
	return s != nil && s.TransactionRunning()
}

// asWriteException returns the driver's internal write command error (a writeConcernError or writeErrors in the
// reply of a command the driver runs for RunCommandCursor or Drop) as the mongo.WriteException that the driver's
// public operations return, so that errors.As reaches the same type whatever the operation. Any other error is
// returned as it is.
func asWriteException(err error) error {
	var wce driver.WriteCommandError
	if !errors.As(err, &wce) {
		return err
	}
	we := mongo.WriteException{Labels: wce.Labels, Raw: bson.Raw(wce.Raw)}
	if e := wce.WriteConcernError; e != nil {
		we.WriteConcernError = &mongo.WriteConcernError{
			Name: e.Name, Code: int(e.Code), Message: e.Message, Details: bson.Raw(e.Details), Raw: bson.Raw(e.Raw),
		}
	}
	for _, e := range wce.WriteErrors {
		we.WriteErrors = append(we.WriteErrors, mongo.WriteError{
			Index: int(e.Index), Code: int(e.Code), Message: e.Message, Details: bson.Raw(e.Details), Raw: bson.Raw(e.Raw),
		})
	}
	return we
}

// failedReply returns the server's error document when err is a command error with one, else nil.
func failedReply(err error) (bson.Raw, *mongo.CommandError) {
	var ce mongo.CommandError
	if errors.As(err, &ce) && len(ce.Raw) > 0 {
		return ce.Raw, &ce
	}
	return nil, nil
}

// withServerDetails returns the server's error as PyMongo's _check_command_response reads the reply: a legacy reply
// without ok gives the message of its $err field and its code (the driver says "command failed"), and a mongos
// reply with a "raw" document of shard replies gives the first failed shard's code, name and message. The result
// reads "(Name) message" and unwraps to a mongo.CommandError with those details and the whole reply in Raw. Any
// other error is returned as it is.
func withServerDetails(err error) error {
	var ce mongo.CommandError
	if !errors.As(err, &ce) || len(ce.Raw) == 0 {
		return err
	}
	details := ce.Raw
	out := mongo.CommandError{Code: ce.Code, Labels: ce.Labels, Wrapped: errors.Unwrap(ce.Wrapped), Raw: ce.Raw}
	if _, lerr := ce.Raw.LookupErr("ok"); lerr != nil {
		msg, ok := ce.Raw.Lookup("$err").StringValueOK()
		if !ok {
			return err
		}
		out.Message = msg
	} else if shard, ok := failedShard(ce.Raw); ok {
		details = shard
		out.Message, _ = shard.Lookup("errmsg").StringValueOK()
		out.Name, _ = shard.Lookup("codeName").StringValueOK()
	} else {
		return err
	}
	if code, ok := details.Lookup("code").AsInt64OK(); ok {
		out.Code = int32(code)
	}
	return &serverError{out}
}

// plainEncodeError returns an ErrInvalidOption error in place of the driver's error for a value it could not encode as a
// document, without the encoder's internals, or nil for any other error.
func plainEncodeError(err error) error {
	if errors.Is(err, mongo.ErrNilDocument) {
		return &optError{msg: "a document argument must not be nil"}
	}
	var me mongo.MarshalError
	if !errors.As(err, &me) {
		return nil
	}
	if errors.Is(me.Err, ErrInvalidOption) || errors.Is(me.Err, ErrDocumentTooLarge) {
		return me.Err // motor's own check, in a sizedDoc
	}
	if e := checkIsDocument("a document argument", me.Value); e != nil {
		return e
	}
	return &optError{msg: "cannot encode a document argument: " + me.Err.Error()}
}

// hasServerCode reports whether err is a server error with the given code.
func hasServerCode(err error, code int) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(code)
}

// The driver calls. These are the only places where motor calls a method of the driver's Client, Database or
// Collection (a test checks it), each through the door.

// mongoDB returns the driver database of db on the driver client cn, made once per driver client.
func (db *Database) mongoDB(cn *conn) *mongo.Database {
	if h := db.handle.Load(); h != nil && h.cn == cn {
		return h.mdb
	}
	mdb := cn.mc.Database(db.name, db.set.dbOptions())
	db.handle.Store(&dbHandle{cn: cn, mdb: mdb})
	return mdb
}

// mongoColl returns the driver collection of c on the driver client cn, made once per driver client.
func (c *Collection) mongoColl(cn *conn) *mongo.Collection {
	if h := c.handle.Load(); h != nil && h.cn == cn {
		return h.mc
	}
	var mc *mongo.Collection
	if c.set == c.db.set {
		mc = c.db.mongoDB(cn).Collection(c.name) // inherits the database's settings, at a fraction of the cost
	} else {
		mc = c.db.mongoDB(cn).Collection(c.name, c.set.collOptions())
	}
	c.handle.Store(&collHandle{cn: cn, mc: mc})
	return mc
}

// onColl runs fn, one driver call, on the driver collection beneath c through the door, and wraps its error as
// cl's. The result is fn's even with an error: a bulk write's partial result.
func onColl[T any](ctx context.Context, c *Collection, cl call, fn func(context.Context, *mongo.Collection) (T, error)) (T, error) {
	res, err := door(ctx, c.db.client, &cl, func(ctx context.Context, cn *conn) (T, error) {
		return fn(ctx, c.mongoColl(cn))
	})
	return res, cl.wrap(err)
}

func (c *Collection) insertOne(ctx context.Context, cl call, doc any, o *options.InsertOneOptionsBuilder) (*mongo.InsertOneResult, error) {
	return onColl(ctx, c, cl, func(ctx context.Context, mc *mongo.Collection) (*mongo.InsertOneResult, error) {
		if o == nil {
			return mc.InsertOne(ctx, doc)
		}
		return mc.InsertOne(ctx, doc, o)
	})
}

func (c *Collection) insertMany(ctx context.Context, cl call, docs any, o *options.InsertManyOptionsBuilder) (*mongo.InsertManyResult, error) {
	return onColl(ctx, c, cl, func(ctx context.Context, mc *mongo.Collection) (*mongo.InsertManyResult, error) {
		return mc.InsertMany(ctx, docs, o)
	})
}

func (c *Collection) updateOne(ctx context.Context, cl call, filter, update any, o *options.UpdateOneOptionsBuilder) (*mongo.UpdateResult, error) {
	return onColl(ctx, c, cl, func(ctx context.Context, mc *mongo.Collection) (*mongo.UpdateResult, error) {
		return mc.UpdateOne(ctx, filter, update, o)
	})
}

func (c *Collection) updateMany(ctx context.Context, cl call, filter, update any, o *options.UpdateManyOptionsBuilder) (*mongo.UpdateResult, error) {
	return onColl(ctx, c, cl, func(ctx context.Context, mc *mongo.Collection) (*mongo.UpdateResult, error) {
		return mc.UpdateMany(ctx, filter, update, o)
	})
}

func (c *Collection) replaceOne(ctx context.Context, cl call, filter, replacement any, o *options.ReplaceOptionsBuilder) (*mongo.UpdateResult, error) {
	return onColl(ctx, c, cl, func(ctx context.Context, mc *mongo.Collection) (*mongo.UpdateResult, error) {
		return mc.ReplaceOne(ctx, filter, replacement, o)
	})
}

func (c *Collection) deleteOne(ctx context.Context, cl call, filter any, o *options.DeleteOneOptionsBuilder) (*mongo.DeleteResult, error) {
	return onColl(ctx, c, cl, func(ctx context.Context, mc *mongo.Collection) (*mongo.DeleteResult, error) {
		return mc.DeleteOne(ctx, filter, o)
	})
}

func (c *Collection) deleteMany(ctx context.Context, cl call, filter any, o *options.DeleteManyOptionsBuilder) (*mongo.DeleteResult, error) {
	return onColl(ctx, c, cl, func(ctx context.Context, mc *mongo.Collection) (*mongo.DeleteResult, error) {
		return mc.DeleteMany(ctx, filter, o)
	})
}

func (c *Collection) bulkWrite(ctx context.Context, cl call, models []mongo.WriteModel, o *options.BulkWriteOptionsBuilder) (*mongo.BulkWriteResult, error) {
	return onColl(ctx, c, cl, func(ctx context.Context, mc *mongo.Collection) (*mongo.BulkWriteResult, error) {
		return mc.BulkWrite(ctx, models, o)
	})
}

// findOneAnd runs one of the driver's FindOneAnd calls; the result is the document's bytes, or
// mongo.ErrNoDocuments unwrapped.
func (c *Collection) findOneAnd(ctx context.Context, cl call, fn func(context.Context, *mongo.Collection) *mongo.SingleResult) *SingleResult {
	raw, err := door(ctx, c.db.client, &cl, func(ctx context.Context, cn *conn) (bson.Raw, error) {
		return fn(ctx, c.mongoColl(cn)).Raw()
	})
	if errors.Is(err, mongo.ErrNoDocuments) {
		return &SingleResult{err: mongo.ErrNoDocuments}
	}
	if err != nil {
		return &SingleResult{err: cl.wrap(err)}
	}
	return &SingleResult{raw: raw, coll: c}
}

func (c *Collection) findOneAndDelete(ctx context.Context, cl call, filter any, o *options.FindOneAndDeleteOptionsBuilder) *SingleResult {
	return c.findOneAnd(ctx, cl, func(ctx context.Context, mc *mongo.Collection) *mongo.SingleResult {
		return mc.FindOneAndDelete(ctx, filter, o)
	})
}

func (c *Collection) findOneAndReplace(ctx context.Context, cl call, filter, replacement any, o *options.FindOneAndReplaceOptionsBuilder) *SingleResult {
	return c.findOneAnd(ctx, cl, func(ctx context.Context, mc *mongo.Collection) *mongo.SingleResult {
		return mc.FindOneAndReplace(ctx, filter, replacement, o)
	})
}

func (c *Collection) findOneAndUpdate(ctx context.Context, cl call, filter, update any, o *options.FindOneAndUpdateOptionsBuilder) *SingleResult {
	return c.findOneAnd(ctx, cl, func(ctx context.Context, mc *mongo.Collection) *mongo.SingleResult {
		return mc.FindOneAndUpdate(ctx, filter, update, o)
	})
}

// watch opens the driver's change stream for s: on its collection, else on its database.
func (s *ChangeStream) watch(ctx context.Context, stages []bson.Raw, o *options.ChangeStreamOptionsBuilder) error {
	cs, err := door(ctx, s.db.client, &s.call, func(ctx context.Context, cn *conn) (*mongo.ChangeStream, error) {
		if s.coll != nil {
			return s.coll.mongoColl(cn).Watch(ctx, stages, o)
		}
		return s.db.mongoDB(cn).Watch(ctx, stages, o)
	})
	s.cs = cs
	return s.call.wrap(err)
}

// startSession starts a driver session on the driver client of c.
func (c *Client) startSession(ctx context.Context, o *options.SessionOptionsBuilder) (*mongo.Session, error) {
	cl := call{op: "start session"}
	s, err := door(ctx, c, &cl, func(_ context.Context, cn *conn) (*mongo.Session, error) {
		return cn.mc.StartSession(o)
	})
	return s, cl.wrap(err)
}
