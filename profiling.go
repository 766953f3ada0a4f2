package motor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ProfilingLevel is a database profiler level: PyMongo's pymongo.OFF, SLOW_ONLY and ALL.
type ProfilingLevel int

const (
	// ProfilingOff turns the profiler off (level 0).
	ProfilingOff ProfilingLevel = 0
	// ProfilingSlowOnly profiles operations slower than the slowms threshold (level 1).
	ProfilingSlowOnly ProfilingLevel = 1
	// ProfilingAll profiles every operation (level 2).
	ProfilingAll ProfilingLevel = 2
)

// String returns "off", "slowOnly" or "all", or "ProfilingLevel(N)" for a value out of range.
func (l ProfilingLevel) String() string {
	switch l {
	case ProfilingOff:
		return "off"
	case ProfilingSlowOnly:
		return "slowOnly"
	case ProfilingAll:
		return "all"
	}
	return fmt.Sprintf("ProfilingLevel(%d)", int(l))
}

func (l ProfilingLevel) valid() bool { return l >= ProfilingOff && l <= ProfilingAll }

// SetProfilingLevelOptions are the optional settings of [Database.SetProfilingLevel]. A nil
// *SetProfilingLevelOptions means the zero value: only the level is sent, and the server keeps its other settings.
type SetProfilingLevelOptions struct {
	// SlowMS is the threshold in milliseconds above which an operation counts as slow (profile's slowms; PyMongo's
	// slow_ms). It also sets the slow-query log threshold of the whole server. nil leaves it out.
	SlowMS *int

	// SampleRate is the fraction of slow operations to profile, from 0 to 1 (profile's sampleRate; MongoDB 3.6+). A
	// value outside [0, 1] is an [ErrInvalidOption] error before any I/O. nil leaves it out.
	SampleRate *float64

	// Filter is a query document: the operations it matches are profiled, instead of those chosen by SlowMS and
	// SampleRate (profile's filter; MongoDB 4.4.2+). The string "unset" removes a filter. It is sent as given; nil
	// leaves it out.
	Filter any
}

// ProfilingLevel returns the database's profiler level: Motor's profiling_level().
//
// It sends {profile: -1} to this database with a primary read preference, whatever the database's read preference
// (as Motor does). The reply's "was" field is the level; a reply without it, or with a value other than 0, 1 or 2,
// is an error (PyMongo's failed assertion). A server error is returned wrapped, so
// errors.As(err, &mongo.CommandError{}) sees it; servers without a profiler (FerretDB, mongos) answer
// CommandNotFound (59).
//
// See https://www.mongodb.com/docs/manual/reference/command/profile/.
func (db *Database) ProfilingLevel(ctx context.Context) (ProfilingLevel, error) {
	raw, err := db.exec(ctx, call{op: "profile"}, bson.D{{Key: "profile", Value: int32(-1)}})
	if err != nil {
		return 0, err
	}
	v, err := raw.LookupErr("was")
	if err != nil {
		return 0, wrapOp("profile", fmt.Errorf("the reply has no \"was\" field: %s", raw))
	}
	var level any = v // a non-number shows as extended JSON
	switch v.Type {
	case bson.TypeInt32:
		level = v.Int32()
	case bson.TypeInt64:
		level = v.Int64()
	case bson.TypeDouble:
		level = v.Double()
	}
	if n, ok := v.AsFloat64OK(); ok && (n == 0 || n == 1 || n == 2) {
		return ProfilingLevel(n), nil
	}
	return 0, wrapOp("profile", fmt.Errorf("the reply has level %v, not 0, 1 or 2", level))
}

// SetProfilingLevel sets the database's profiler level: Motor's set_profiling_level(level, slow_ms).
//
// It sends {profile: LEVEL[, slowms][, sampleRate][, filter]} to this database with a primary read preference and
// returns nil once the server accepts it. A level other than [ProfilingOff], [ProfilingSlowOnly] or [ProfilingAll],
// or a bad option, is an [ErrInvalidOption] error before any I/O; nil opts sends the level alone. A server error is
// returned wrapped, so errors.As(err, &mongo.CommandError{}) sees it; servers without a profiler (FerretDB, mongos)
// answer CommandNotFound (59).
//
// See https://www.mongodb.com/docs/manual/reference/command/profile/.
func (db *Database) SetProfilingLevel(ctx context.Context, level ProfilingLevel, opts *SetProfilingLevelOptions) error {
	cmd, err := profileCmd(level, opts)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, call{op: "profile", subject: strconv.Itoa(int(level))}, cmd)
	return err
}

// profileCmd builds the profile command that sets level.
func profileCmd(level ProfilingLevel, opts *SetProfilingLevelOptions) (bson.D, error) {
	if !level.valid() {
		return nil, invalidOptionf("profiling level must be ProfilingOff (0), ProfilingSlowOnly (1) or ProfilingAll (2), not %d", int(level))
	}
	cmd := bson.D{{Key: "profile", Value: int32(level)}}
	if opts == nil {
		return cmd, nil
	}
	if opts.SlowMS != nil {
		cmd = append(cmd, bson.E{Key: "slowms", Value: pyInt(int64(*opts.SlowMS))})
	}
	if opts.SampleRate != nil {
		r := *opts.SampleRate
		if math.IsNaN(r) || r < 0 || r > 1 {
			return nil, invalidOptionf("SampleRate must be between 0 and 1, not %v", r)
		}
		cmd = append(cmd, bson.E{Key: "sampleRate", Value: r})
	}
	if opts.Filter != nil {
		cmd = append(cmd, bson.E{Key: "filter", Value: opts.Filter})
	}
	return cmd, nil
}

// ProfilingEntry is one document of a database's system.profile collection, as [Database.ProfilingInfo] returns it:
// the fields most often read, typed, plus the whole document. A field the document lacks is zero.
//
// See https://www.mongodb.com/docs/manual/reference/database-profiler/ for every field.
type ProfilingEntry struct {
	Op             string    `bson:"op"`             // "query", "insert", "update", "remove", "getmore", "command"
	NS             string    `bson:"ns"`             // "database.collection"
	Command        bson.D    `bson:"command"`        // the command, as the profiler recorded it
	KeysExamined   int64     `bson:"keysExamined"`   // index keys scanned
	DocsExamined   int64     `bson:"docsExamined"`   // documents scanned
	NReturned      int64     `bson:"nreturned"`      // documents returned
	NMatched       int64     `bson:"nMatched"`       // documents an update matched
	NModified      int64     `bson:"nModified"`      // documents an update modified
	NInserted      int64     `bson:"ninserted"`      // documents inserted
	NDeleted       int64     `bson:"ndeleted"`       // documents deleted
	NumYield       int64     `bson:"numYield"`       // times the operation yielded
	ResponseLength int64     `bson:"responseLength"` // bytes of the reply
	Millis         int64     `bson:"millis"`         // duration in milliseconds
	PlanSummary    string    `bson:"planSummary"`    // e.g. "COLLSCAN", "IXSCAN { x: 1 }"
	TS             time.Time `bson:"ts"`             // when the operation ran
	Client         string    `bson:"client"`         // the client's address
	AppName        string    `bson:"appName"`        // the client's application name
	User           string    `bson:"user"`           // the authenticated user, if any

	// Document is the whole entry, decoded with the database's codec options.
	Document bson.D `bson:"-"`
	// Raw is the entry as the server sent it.
	Raw bson.Raw `bson:"-"`
}

// ProfilingInfo returns the documents of the database's system.profile collection, oldest first: Motor's
// profiling_info().
//
// It sends {find: "system.profile", filter: {}} (with getMore as needed) with the database's read preference, read
// concern and codec options, as Motor does, and decodes each document with the database's codec options into a
// [ProfilingEntry]. With no profile data it returns an empty slice and no error. For a filter, a sort or a limit,
// query the collection yourself: db.Collection("system.profile"). Server and decoding errors are returned wrapped.
//
// See https://www.mongodb.com/docs/manual/tutorial/manage-the-database-profiler/.
func (db *Database) ProfilingInfo(ctx context.Context) ([]ProfilingEntry, error) {
	const op = "profiling info"
	coll := db.Collection("system.profile")
	cur, err := coll.Find(ctx, bson.D{}, nil)
	if err != nil {
		return nil, wrapOp(op, errors.Unwrap(err))
	}
	defer closeAfter(ctx, cur)
	entries := []ProfilingEntry{}
	for cur.Next(ctx) {
		// Decode once through the database's decoding (so the document hooks run once per document), then
		// read the result twice.
		var doc bson.Raw
		if err := cur.decode(cur.Current(), &doc); err != nil {
			return nil, wrapOp(op, err)
		}
		var e ProfilingEntry
		if err := coll.set.codec.decode(doc, &e); err != nil {
			return nil, wrapOp(op, err)
		}
		if err := coll.set.codec.decode(doc, &e.Document); err != nil {
			return nil, wrapOp(op, err)
		}
		e.Raw = append(bson.Raw(nil), cur.Current()...)
		entries = append(entries, e)
	}
	if err := cur.mc.Err(); err != nil {
		return nil, wrapOp(op, err)
	}
	return entries, nil
}
