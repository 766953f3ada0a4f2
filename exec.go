package motor

import (
	"context"
	"errors"
	"fmt"
	"math"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// CollectionRef names a collection for the helpers that take "a name or a collection" (Motor's
// name_or_collection): a [*Collection] of the same database, or a [CollectionName].
type CollectionRef interface {
	collectionRef() (name string, db *Database)
}

// CollectionName is a collection name used as a [CollectionRef]: db.DropCollection(ctx, motor.CollectionName("x")).
type CollectionName string

func (n CollectionName) collectionRef() (string, *Database) { return string(n), nil }

func (c *Collection) collectionRef() (string, *Database) {
	if c == nil {
		return "", nil
	}
	return c.name, c.db
}

// refName resolves ref to a collection name of db. A nil ref, an invalid name, or a *Collection of another
// database is an error before any I/O (PyMongo only reads the collection's name, whatever its database).
func (db *Database) refName(ref CollectionRef) (string, error) {
	if ref == nil {
		return "", optionError("a collection name or *Collection is required")
	}
	name, other := ref.collectionRef()
	if c, ok := ref.(*Collection); ok && c == nil {
		return "", optionError("a collection name or *Collection is required, not a nil *Collection")
	}
	if other != nil && other.name != db.name {
		return "", optionError("collection %q belongs to database %q, not %q", name, other.name, db.name)
	}
	if err := validateCollectionName(name); err != nil {
		return "", err
	}
	return name, nil
}

// runCommand sends cmd to this database with read preference rp (primary when nil) and returns the raw reply.
// Like PyMongo's Database.command it applies neither the database's read concern nor its write concern: callers add
// those to cmd where Motor does. A failed reply (ok: 0) is returned as a mongo.CommandError, whose Raw field holds
// the reply.
func (db *Database) runCommand(ctx context.Context, cmd any, rp *readpref.ReadPref) (bson.Raw, error) {
	mdb, release, err := db.driver(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if rp == nil {
		rp = readpref.Primary()
	}
	return mdb.RunCommand(ctx, cmd, options.RunCmd().SetReadPreference(rp)).Raw()
}

// commandFailed returns the server's error document when err is a command error with one, else nil.
func commandFailed(err error) (bson.Raw, *mongo.CommandError) {
	var ce mongo.CommandError
	if errors.As(err, &ce) && len(ce.Raw) > 0 {
		return ce.Raw, &ce
	}
	return nil, nil
}

// wrapf wraps a server or driver error with context, keeping it reachable through errors.As and errors.Is. motor's
// own errors from before any I/O (bad options, a nil context, a disconnected client), whose messages are complete,
// pass unchanged.
func wrapf(err error, format string, args ...any) error {
	if err == nil || errors.Is(err, ErrInvalidOption) || errors.Is(err, ErrClientDisconnected) {
		return err
	}
	return fmt.Errorf("motor: "+format+": %w", append(args, err)...)
}

// appendExtraFields appends extra to cmd. A key of extra that is one of typed (the fields the options struct what
// sends itself, sent or not) or that appears twice in extra is an ErrInvalidOption error.
func appendExtraFields(cmd, extra bson.D, what string, typed ...string) (bson.D, error) {
	seen := make(map[string]bool, len(extra))
	for _, e := range extra {
		for _, k := range typed {
			if e.Key == k {
				return nil, optionError("%s.Extra key %q duplicates a typed field", what, e.Key)
			}
		}
		if seen[e.Key] {
			return nil, optionError("%s.Extra key %q appears twice", what, e.Key)
		}
		seen[e.Key] = true
		cmd = append(cmd, e)
	}
	return cmd, nil
}

// writeConcernDoc is the writeConcern field PyMongo sends for wc: nil for no write concern or the server default
// (nothing set), else {j, w} in PyMongo's key order (wtimeout, j, fsync, w), w as an int32 when it is a number.
func writeConcernDoc(wc *writeconcern.WriteConcern) bson.D {
	if wc == nil || (wc.W == nil && wc.Journal == nil) {
		return nil
	}
	var d bson.D
	if wc.Journal != nil {
		d = append(d, bson.E{Key: "j", Value: *wc.Journal})
	}
	switch w := wc.W.(type) {
	case nil:
	case int:
		d = append(d, bson.E{Key: "w", Value: pyInt(int64(w))})
	default:
		d = append(d, bson.E{Key: "w", Value: w})
	}
	return d
}

// pyInt is n as PyMongo encodes a Python int: an int32 when it fits, else an int64.
func pyInt(n int64) any {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		return int32(n)
	}
	return n
}

// inTransaction reports whether a transaction is running in the session of ctx.
func inTransaction(ctx context.Context) bool {
	if ctx == nil {
		return false
	}
	s := mongo.SessionFromContext(ctx)
	return s != nil && s.TransactionRunning()
}
