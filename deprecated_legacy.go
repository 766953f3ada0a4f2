package motor

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Eval runs JavaScript code on the server (sends $eval) and returns the value it returned: PyMongo's
// Database.eval(code, *args), which Motor 1.x wrapped. code is a string or a [bson.JavaScript], sent as BSON
// JavaScript, or a [bson.CodeWithScope], sent as JavaScript with scope; anything else is an error wrapping
// [ErrInvalidOption], before any I/O. args are passed to the code's function as its arguments; the command always has
// them, and is encoded with the default codec options (a [UUID] as Python legacy subtype 3), not the database's, as
// PyMongo's eval encodes it through command with DEFAULT_CODEC_OPTIONS:
//
//	{$eval: code, args: [args...]}
//
// It goes to the primary. The result is the reply's "retval" field; a zero [bson.RawValue] (Type 0) when the reply
// has none (PyMongo's None). Server errors are returned wrapped with %w.
//
// MongoDB 4.2 removed $eval: servers from 4.2 on answer CommandNotFound, and servers that cannot read BSON JavaScript
// at all (FerretDB) close the connection. Either way Eval returns an error that says so and wraps the server's (or
// the driver's network) error.
//
// Deprecated: MongoDB 3.0 deprecated $eval, because it held a global lock and ran outside the query engine, and
// MongoDB 4.2 removed it; PyMongo 4.0 and Motor 2.0 removed eval. Express the work as queries or aggregation
// pipelines ([Collection.Find], aggregate with $function on MongoDB 4.4+), or run the logic in Go.
func (db *Database) Eval(ctx context.Context, code any, args ...any) (bson.RawValue, error) {
	cmd, err := evalCmd(code, args)
	if err != nil {
		return bson.RawValue{}, err
	}
	raw, err := db.exec(ctx, call{op: "eval", codec: defaultCodec, explain: removedCommand("$eval", "4.2", true)}, cmd)
	if err != nil {
		return bson.RawValue{}, err
	}
	v, err := raw.LookupErr("retval")
	if err != nil {
		return bson.RawValue{}, nil
	}
	return v, nil
}

// evalCmd builds eval's $eval command.
func evalCmd(code any, args []any) (bson.D, error) {
	var js any
	switch c := code.(type) {
	case string:
		js = bson.JavaScript(c)
	case bson.JavaScript, bson.CodeWithScope:
		js = c
	case *bson.CodeWithScope:
		if c == nil {
			return nil, invalidOptionf("eval: code must not be a nil *bson.CodeWithScope")
		}
		js = *c
	default:
		return nil, invalidOptionf("eval: code must be a string, bson.JavaScript or bson.CodeWithScope, not %T", code)
	}
	a := bson.A{}
	a = append(a, args...)
	return bson.D{{Key: "$eval", Value: js}, {Key: "args", Value: a}}, nil
}

// Error returns the error status of the last operation on this connection (sends {getlasterror: 1} to the primary):
// PyMongo's Database.error(), obsolete in Motor 2.3. It returns (nil, nil) when the reply's "err" field is null (no
// error), and the whole reply, decoded with the default codec options, otherwise. (PyMongo also reset its view of the
// server when err starts with "not master"; the driver monitors the topology itself, so motor does not.)
//
// The last operation is that of the connection the command runs on, which the driver's pool chooses: the answer says
// little about your own operations. MongoDB 5.1 removed getLastError; such servers answer CommandNotFound, and Error
// returns an error that says so and wraps the server's.
//
// Deprecated: since MongoDB 2.6 every write command reports its own outcome and applies its write concern, and
// MongoDB 5.0 deprecated getLastError (5.1 removed it); PyMongo 4.0 and Motor 2.0 removed error(). Check the error
// and result of each write, and set the write concern with [WithWriteConcern].
func (db *Database) Error(ctx context.Context) (bson.D, error) {
	return errorReply(db.legacyCommand(ctx, "error", "getlasterror", "5.1"))
}

// LastStatus returns the reply of {getlasterror: 1}, sent to the primary and decoded with the default codec
// options, whatever it says: PyMongo's Database.last_status(), obsolete in Motor 2.3. As with [Database.Error], the
// status is that of the pooled connection the command runs on. MongoDB 5.1 removed getLastError; such servers answer
// CommandNotFound, and LastStatus returns an error that says so and wraps the server's.
//
// Deprecated: since MongoDB 2.6 every write command reports its own outcome, and MongoDB 5.0 deprecated
// getLastError (5.1 removed it); PyMongo 4.0 and Motor 2.0 removed last_status(). Use the result of each write.
func (db *Database) LastStatus(ctx context.Context) (bson.D, error) {
	reply, err := db.legacyCommand(ctx, "last status", "getlasterror", "5.1")
	if err != nil {
		return nil, err
	}
	return defaultCodec.decodeD(reply)
}

// PreviousError returns the last error reported on this connection since the error history was reset (sends
// {getpreverror: 1} to the primary): PyMongo's Database.previous_error(), obsolete in Motor 2.3. It returns
// (nil, nil) when the reply's "err" field is null, and the whole reply, decoded with the default codec options,
// otherwise (also when the reply has no "err"). MongoDB 4.2 removed getPrevError; such servers answer
// CommandNotFound, and PreviousError returns an error that says so and wraps the server's.
//
// Deprecated: MongoDB 1.6 deprecated getPrevError and 4.2 removed it; PyMongo 4.0 and Motor 2.0 removed
// previous_error(). Check the error of each operation as it returns.
func (db *Database) PreviousError(ctx context.Context) (bson.D, error) {
	return errorReply(db.legacyCommand(ctx, "previous error", "getpreverror", "4.2"))
}

// ResetErrorHistory clears the error history that [Database.PreviousError] reads (sends {reseterror: 1} to the
// primary): PyMongo's Database.reset_error_history(), obsolete in Motor 2.3. MongoDB 5.0 removed resetError; such
// servers answer CommandNotFound, and ResetErrorHistory returns an error that says so and wraps the server's.
//
// Deprecated: resetError served only getPrevError, which MongoDB 4.2 removed; MongoDB 5.0 removed resetError, and
// PyMongo 4.0 and Motor 2.0 removed reset_error_history(). There is nothing to replace it with: check the error of
// each operation as it returns.
func (db *Database) ResetErrorHistory(ctx context.Context) error {
	_, err := db.legacyCommand(ctx, "reset error history", "reseterror", "5.0")
	return err
}

// errorReply is the result of Error and PreviousError: nil when the reply's "err" field is null, else the whole reply
// decoded with the default codec options.
func errorReply(reply bson.Raw, err error) (bson.D, error) {
	if err != nil {
		return nil, err
	}
	if v, err := reply.LookupErr("err"); err == nil && v.Type == bson.TypeNull {
		return nil, nil
	}
	return defaultCodec.decodeD(reply)
}

// legacyCommand sends {command: 1} to the primary, as PyMongo's error helpers do (lower-case verbs).
func (db *Database) legacyCommand(ctx context.Context, method, command, removedIn string) (bson.Raw, error) {
	return db.exec(ctx, call{op: method, explain: removedCommand(command, removedIn, false)},
		bson.D{{Key: command, Value: int32(1)}})
}

// removedCommand explains the error of a command that MongoDB removed in version removedIn. When the server
// answered CommandNotFound (or, with dropsConnection, closed the connection, as servers that cannot decode the
// command do), the cause says which version removed the command. A network error that the client caused itself, by a
// context deadline or cancellation, is not the server closing the connection and is left as it is.
func removedCommand(command, removedIn string, dropsConnection bool) func(error) error {
	return func(err error) error {
		switch {
		case hasServerCode(err, codeCommandNotFound):
			return explainf(err, "the %s command was removed in MongoDB %s", command, removedIn)
		case dropsConnection && mongo.IsNetworkError(err) && !mongo.IsTimeout(err) && !errors.Is(err, context.Canceled):
			return explainf(err, "the server closed the connection; the %s command was removed in MongoDB %s, "+
				"and servers without JavaScript support drop it", command, removedIn)
		}
		return err
	}
}
