package motor

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Client.fsync and Client.unlock, which PyMongo 3.11 deprecated (and 4.0 removed) in favour of running the
// commands.

// codeNotLocked is the code (CommandFailed, 125) of the server's answer to fsyncUnlock when it is not locked, which
// Unlock ignores as PyMongo does.
const codeNotLocked = 125

// FsyncOptions are the options of [Client.Fsync]: the keyword arguments of Motor's fsync(**kwargs). The zero value
// (or a nil pointer) flushes without locking.
type FsyncOptions struct {
	// Lock locks the server against writes after the flush, until [Client.Unlock] (lock: true).
	Lock bool

	// Async returns at once and flushes in the background (async: true). Servers refuse it with Lock.
	Async bool

	// Extra fields are appended to the command in order: PyMongo's **kwargs (fsyncLockAcquisitionTimeoutMillis, for
	// one). A key that a typed field sends (fsync, lock, async), or that appears twice, is an error.
	Extra bson.D
}

// fsyncCmd builds the fsync command: {fsync: 1, lock, async, ...Extra}, with lock and async only when true.
func fsyncCmd(o *FsyncOptions) (bson.D, error) {
	if o == nil {
		o = &FsyncOptions{}
	}
	cmd := bson.D{{Key: "fsync", Value: int32(1)}}
	if o.Lock {
		cmd = append(cmd, bson.E{Key: "lock", Value: true})
	}
	if o.Async {
		cmd = append(cmd, bson.E{Key: "async", Value: true})
	}
	return appendExtraFields(cmd, o.Extra, "FsyncOptions", "fsync", "lock", "async")
}

// Fsync flushes the server's pending writes to disk, and with opts.Lock locks it against writes until
// [Client.Unlock]: Motor's fsync(**kwargs).
//
// As PyMongo does, it sends {fsync: 1, lock, async, ...Extra} (lock and async only when true) to the admin database
// with primary read preference, whatever the client's is; a session in ctx is used, and it is not retried. The
// reply is dropped, as Motor returns None. Bad options are [ErrInvalidOption] errors before any I/O; server errors
// are returned wrapped, reachable with errors.As(err, &mongo.CommandError{}) (FerretDB has no fsync command:
// CommandNotFound).
//
// See https://www.mongodb.com/docs/manual/reference/command/fsync/.
//
// Deprecated: PyMongo 3.11 deprecated fsync and 4.0 removed it. Run the command instead, which also returns its
// reply (lockCount, ...): admin.Command(ctx, "fsync", &motor.CommandOptions{Extra: bson.D{{Key: "lock", Value:
// true}}}) on admin, the client's [Client.Database]("admin").
func (c *Client) Fsync(ctx context.Context, opts *FsyncOptions) error {
	cmd, err := fsyncCmd(opts)
	if err != nil {
		return err
	}
	_, err = c.adminDB().exec(ctx, call{op: "fsync"}, cmd)
	return err
}

// Unlock unlocks a server that [Client.Fsync] locked: Motor's unlock(session).
//
// As PyMongo does on MongoDB 3.2 and later, it sends {fsyncUnlock: 1} to the admin database with primary read
// preference; a session in ctx is used, and it is not retried. MongoDB 3.2 added the fsyncUnlock command and
// deprecated the old form, a query on the admin database's $cmd.sys.unlock collection, which PyMongo sends to older
// servers; motor never sends it (the driver needs MongoDB 4.4 or later). As PyMongo does, the server's answer that
// it is not locked (code 125) is not an error; a server locked more than once (lockCount > 1) stays locked until
// as many unlocks. Other server errors are returned wrapped, reachable with errors.As(err, &mongo.CommandError{})
// (FerretDB has no fsyncUnlock command: CommandNotFound).
//
// See https://www.mongodb.com/docs/manual/reference/command/fsyncUnlock/.
//
// Deprecated: PyMongo 3.11 deprecated unlock and 4.0 removed it. Run the command instead, which also returns its
// reply (lockCount): admin.Command(ctx, "fsyncUnlock", nil) on admin, the client's [Client.Database]("admin").
func (c *Client) Unlock(ctx context.Context) error {
	notLocked := func(failed bson.Raw) bool { return allowable(failed, []int32{codeNotLocked}, nil) }
	_, err := c.adminDB().exec(ctx, call{op: "unlock", accept: notLocked}, bson.D{{Key: "fsyncUnlock", Value: int32(1)}})
	return err
}
