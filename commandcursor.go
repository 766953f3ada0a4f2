package motor

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// CommandCursorOptions are the options of [Database.CommandCursor]. The zero value (or a nil pointer) means value 1,
// primary read preference, the database's codec options, the server's batch sizes and no extra fields.
type CommandCursorOptions struct {
	// Value is the value of the command's verb when the command is given by name. nil means int32 1. Setting it with a
	// command given as a document is an error.
	Value any

	// ReadPreference is the read preference of this call (getMores go to the same server). nil means primary, whatever
	// the database's read preference is, as for [Database.Command].
	ReadPreference *readpref.ReadPref

	// CodecOptions say how the documents of the cursor are decoded (and how the command is encoded). nil means the
	// database's codec options: the cursor's documents are data, decoded like the database's query results.
	CodecOptions *CodecOptions

	// BatchSize is the batchSize of each getMore. 0 means the server's default. It does not change the first batch:
	// put cursor: {batchSize: n} in the command for that.
	BatchSize int32

	// MaxAwaitTime is sent as the maxTimeMS of each getMore (for a tailable awaitData cursor, how long the server
	// waits for new results). 0 means none is sent.
	MaxAwaitTime time.Duration

	// Comment is the comment of each getMore (MongoDB 4.4+): PyMongo's cursor_command(comment=...). nil means none.
	// The command's own comment goes in the command (or Extra).
	Comment any

	// Extra fields are appended to the command document in order, after the command's own fields. A key that the
	// command document already has, or that appears twice, is an error.
	Extra bson.D
}

// CommandCursor sends a command that returns a cursor (reply {cursor: {id, ns, firstBatch}, ok: 1}), such as
// aggregate, find, listIndexes or listCollections, and returns a cursor over its results; later batches are
// fetched with getMore on the namespace the server named. PyMongo 4.5 calls this cursor_command; Motor 2.3 has no
// public equivalent.
//
// cmd is given as for [Database.Command]: a command name, sent as {name: opts.Value}, or an ordered command
// document; opts.Extra fields are appended. The command is sent to this database with primary read preference
// unless opts.ReadPreference says otherwise; the database's read concern and write concern are not applied. A
// session in ctx is used for the command and its getMores.
//
// A failed reply (ok: 0) is an error wrapping the server's [mongo.CommandError]; a reply without a cursor document
// is an error too. Bad arguments are [ErrInvalidOption] errors before any I/O. The documents of the returned [Cursor]
// are decoded with opts.CodecOptions (the database's when nil) and through the database's outgoing document hooks.
//
// See https://www.mongodb.com/docs/manual/reference/command/getMore/.
func (db *Database) CommandCursor(ctx context.Context, cmd any, opts *CommandCursorOptions) (*Cursor, error) {
	if opts == nil {
		opts = &CommandCursorOptions{}
	}
	if opts.BatchSize < 0 {
		return nil, invalidOptionf("CommandCursorOptions.BatchSize must not be negative, got %d", opts.BatchSize)
	}
	if opts.MaxAwaitTime < 0 {
		return nil, invalidOptionf("CommandCursorOptions.MaxAwaitTime must not be negative, got %v", opts.MaxAwaitTime)
	}
	c := db.set.codec
	if opts.CodecOptions != nil {
		var err error
		if c, err = compileCodec(*opts.CodecOptions); err != nil {
			return nil, err
		}
	}
	doc, verb, err := commandCmd(cmd, opts.Value, opts.Extra, c.reg)
	if err != nil {
		return nil, err
	}
	op := "command " + verb
	cl := db.call(op, "")
	cl.rp, cl.codec = opts.ReadPreference, c
	cur, err := db.execCursor(ctx, cl, doc)
	if err != nil {
		return nil, err
	}
	if opts.BatchSize > 0 {
		cur.SetBatchSize(opts.BatchSize)
	}
	if opts.MaxAwaitTime > 0 {
		cur.SetMaxAwaitTime(opts.MaxAwaitTime)
	}
	if opts.Comment != nil {
		cur.SetComment(opts.Comment)
	}
	return db.commandCursor(cur, c, cl), nil
}

// commandCursor returns a cursor over the results of a command sent to db, decoding with c (and the database's
// document hooks, for the database itself rather than a collection); op names the operation in errors.
func (db *Database) commandCursor(cur *mongo.Cursor, c *codec, cl call) *Cursor {
	return &Cursor{mc: cur, db: db, codec: c, call: cl}
}
