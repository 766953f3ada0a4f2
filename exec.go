package motor

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
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
}

// checkContext returns the error of op for a nil ctx.
func checkContext(ctx context.Context, op string) error {
	if ctx == nil {
		return opErr(op, errNilContext)
	}
	return nil
}

// primaryRunCmd is the driver's run-command options for a primary read preference, made once.
var primaryRunCmd = options.RunCmd().SetReadPreference(readpref.Primary())

func (c *call) runCmdOptions() *options.RunCmdOptionsBuilder {
	if c.rp == nil {
		return primaryRunCmd
	}
	return options.RunCmd().SetReadPreference(c.rp)
}

// fail wraps err as the error of c's operation. explain applies to errors from the server or the network; an
// encoding error of the driver becomes an ErrInvalidOption error without the encoder's internals.
func (c *call) fail(err error) error {
	if e := encodeError(err); e != nil {
		err = e
	} else {
		err = serverDetails(err)
		if c.explain != nil && !errors.Is(err, ErrInvalidOption) && !errors.Is(err, ErrInvalidName) &&
			!errors.Is(err, ErrClientDisconnected) {
			err = c.explain(err)
		}
	}
	op := c.op
	if c.subject != "" {
		op += " " + c.subject
	}
	return opErr(op, err)
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
	reply, err := send(ctx, db, &c, cmd, func(mdb *mongo.Database, cmd any) (bson.Raw, error) {
		return mdb.RunCommand(ctx, cmd, c.runCmdOptions()).Raw()
	})
	if err == nil {
		return reply, nil
	}
	if failed, _ := commandFailed(err); failed != nil && c.accept != nil && c.accept(failed) {
		return failed, nil
	}
	var we mongo.WriteException
	if c.writeErrorsOK && errors.As(err, &we) && len(we.Raw) > 0 {
		return we.Raw, nil
	}
	return nil, c.fail(err)
}

// execCursor sends cmd, a command that returns a cursor, as c says, and returns the driver's cursor over its
// results (getMore, killCursors and the session are the driver's). The caller wraps it with the decoding it needs.
func (db *Database) execCursor(ctx context.Context, c call, cmd any) (*mongo.Cursor, error) {
	cur, err := send(ctx, db, &c, cmd, func(mdb *mongo.Database, cmd any) (*mongo.Cursor, error) {
		return mdb.RunCommandCursor(ctx, cmd, c.runCmdOptions())
	})
	if err != nil {
		return nil, c.fail(err)
	}
	return cur, nil
}

// exec is Database.exec for an operation of the collection c: it fails with the collection's error
// ([Collection.Err]) before any I/O.
func (c *Collection) exec(ctx context.Context, cl call, cmd any) (bson.Raw, error) {
	if c.err != nil {
		return nil, cl.fail(c.err)
	}
	return c.db.exec(ctx, cl, cmd)
}

// execCursor is Database.execCursor for an operation of the collection c, as exec is.
func (c *Collection) execCursor(ctx context.Context, cl call, cmd any) (*mongo.Cursor, error) {
	if c.err != nil {
		return nil, cl.fail(c.err)
	}
	return c.db.execCursor(ctx, cl, cmd)
}

// send checks the handle and the context, prepares cmd and runs it through the driver database with run, once more
// if c retries reads and the error allows it. Errors are the handle's, the driver's or the server's, not yet wrapped.
func send[T any](ctx context.Context, db *Database, c *call, cmd any, run func(*mongo.Database, any) (T, error)) (T, error) {
	var zero T
	if db.err != nil {
		return zero, db.err // a bad name or option: no I/O
	}
	if ctx == nil {
		return zero, errNilContext
	}
	prepared, err := db.prepare(c, cmd)
	if err != nil {
		return zero, err
	}
	once := func() (T, error) {
		mdb, release, err := db.driver()
		if err != nil {
			return zero, err
		}
		defer release()
		return run(mdb, prepared)
	}
	res, err := once()
	if err != nil && c.retryRead && db.retryable(ctx, err) {
		res, err = once()
	}
	return res, err
}

// retryable reports whether a read that failed with err is retried once, as PyMongo's _retryable_read decides: a
// network error or a server error whose code is in retryableReadCodes, when the client retries reads, the context
// is not done and no transaction runs.
func (db *Database) retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || inTransaction(ctx) || !db.client.retryReads() {
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

// commandFailed returns the server's error document when err is a command error with one, else nil.
func commandFailed(err error) (bson.Raw, *mongo.CommandError) {
	var ce mongo.CommandError
	if errors.As(err, &ce) && len(ce.Raw) > 0 {
		return ce.Raw, &ce
	}
	return nil, nil
}

// serverDetails returns the server's error as PyMongo's _check_command_response reads the reply: a legacy reply
// without ok gives the message of its $err field and its code (the driver says "command failed"), and a mongos
// reply with a "raw" document of shard replies gives the first failed shard's code, name and message. The result
// reads "(Name) message" and unwraps to a mongo.CommandError with those details and the whole reply in Raw. Any
// other error is returned as it is.
func serverDetails(err error) error {
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

// encodeError returns an ErrInvalidOption error in place of the driver's error for a value it could not encode as a
// document, without the encoder's internals, or nil for any other error.
func encodeError(err error) error {
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

// serverErrHasCode reports whether err is a server error with the given code.
func serverErrHasCode(err error, code int) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(code)
}
