package motor

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// CurrentOpOptions are the options of [Database.CurrentOp]. A nil *CurrentOpOptions means the zero value.
type CurrentOpOptions struct {
	// IncludeAll also reports idle connections and system operations: PyMongo's include_all, sent as the command's
	// $all (and as the $currentOp stage's idleConnections when CurrentOp falls back to it).
	IncludeAll bool
}

// CurrentOpResult is the reply of the currentOp command, as [Database.CurrentOp] reads it.
type CurrentOpResult struct {
	// InProg are the operations reported (the reply's inprog), in reply order.
	InProg []CurrentOperation

	// Aggregated is true when the server has no currentOp command and the operations come from the $currentOp
	// aggregation stage instead.
	Aggregated bool

	// Raw is the whole reply; when Aggregated, a document {inprog: [...], ok: 1.0} built from the aggregation's
	// results, the shape the command returns.
	Raw bson.Raw
}

// CurrentOperation is one entry of a currentOp reply: the fields most often read, typed, plus the whole entry. A
// field the entry lacks is zero.
//
// See https://www.mongodb.com/docs/manual/reference/command/currentOp/#output-fields for every field.
type CurrentOperation struct {
	Type             string `bson:"type"`              // "op", "idleSession", "idleConnection", "idleCursor"
	Host             string `bson:"host"`              // the server's host:port
	Desc             string `bson:"desc"`              // the connection's description, e.g. "conn12"
	ConnectionID     int64  `bson:"connectionId"`      // the connection's id
	Client           string `bson:"client"`            // the client's address (mongod)
	AppName          string `bson:"appName"`           // the client's application name
	Active           bool   `bson:"active"`            // whether the operation has started
	OpID             any    `bson:"opid"`              // a number on mongod, a "shard:number" string through mongos
	SecsRunning      int64  `bson:"secs_running"`      // duration in seconds
	MicrosecsRunning int64  `bson:"microsecs_running"` // duration in microseconds
	Op               string `bson:"op"`                // "none", "update", "insert", "query", "command", "getmore", "remove", "killcursors"
	NS               string `bson:"ns"`                // "database.collection"
	Command          bson.D `bson:"command"`           // the command running
	PlanSummary      string `bson:"planSummary"`       // e.g. "COLLSCAN"
	NumYields        int64  `bson:"numYields"`         // times the operation yielded
	WaitingForLock   bool   `bson:"waitingForLock"`    // whether it waits for a lock
	Msg              string `bson:"msg"`               // progress message of a long operation

	// Document is the whole entry, decoded with the database's codec options.
	Document bson.D `bson:"-"`
	// Raw is the entry as the server sent it.
	Raw bson.Raw `bson:"-"`
}

// CurrentOp reports the operations running on the server: Motor's current_op(include_all).
//
// As Motor does, it sends {currentOp: 1, $all: INCLUDE_ALL} to the admin database, whatever database it is called
// on, with a primary read preference, and decodes the reply with this database's codec options (without SON
// manipulators: it is a command reply, not documents of the database). nil opts means IncludeAll false. If the
// server has no currentOp command (CommandNotFound, 59), it sends {aggregate: 1, pipeline: [{$currentOp: {allUsers:
// true, idleConnections: INCLUDE_ALL}}], cursor: {}} to the admin database instead (with getMore as needed) and
// reports the same entries with [CurrentOpResult.Aggregated] set. Server errors are returned wrapped, so
// errors.As(err, &mongo.CommandError{}) sees them; when the fallback fails too, its error is the one returned.
// FerretDB answers the command with no operations.
//
// See https://www.mongodb.com/docs/manual/reference/command/currentOp/.
//
// Deprecated: Run the $currentOp aggregation stage on the admin database instead (MongoDB 3.6+), for example with
// admin.Aggregate(ctx, bson.A{bson.D{{Key: "$currentOp", Value: bson.D{{Key: "allUsers", Value: true}}}}}, nil).
// It returns a cursor, while the command's single reply is capped at 16 MB, and it can filter and project with
// later stages. PyMongo deprecated current_op in 3.9 and removed it in 4.0; MongoDB deprecated the currentOp command
// in 6.2.
func (db *Database) CurrentOp(ctx context.Context, opts *CurrentOpOptions) (*CurrentOpResult, error) {
	if opts == nil {
		opts = &CurrentOpOptions{}
	}
	const op = "currentOp"
	if db.err != nil {
		return nil, wrapOp(op, db.err)
	}
	admin := db.client.Database("admin")
	raw, err := admin.exec(ctx, call{op: op}, currentOpCmd(opts))
	if err == nil {
		return db.parseCurrentOp(raw, false)
	}
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != codeCommandNotFound {
		return nil, err
	}
	raw, err = admin.currentOpAggregate(ctx, call{op: op, explain: func(err error) error {
		return explainf(err, "the server has no currentOp command, and the $currentOp stage failed")
	}}, opts)
	if err != nil {
		return nil, err
	}
	return db.parseCurrentOp(raw, true)
}

// currentOpCmd builds the currentOp command that Motor sends.
func currentOpCmd(opts *CurrentOpOptions) bson.D {
	return bson.D{{Key: "currentOp", Value: int32(1)}, {Key: "$all", Value: opts.IncludeAll}}
}

// currentOpAggregateCmd builds the aggregation equivalent of currentOpCmd (what the server itself runs for the
// command, less its truncation of large operations).
func currentOpAggregateCmd(opts *CurrentOpOptions) bson.D {
	return bson.D{
		{Key: "aggregate", Value: int32(1)},
		{Key: "pipeline", Value: bson.A{bson.D{{Key: "$currentOp", Value: bson.D{
			{Key: "allUsers", Value: true},
			{Key: "idleConnections", Value: opts.IncludeAll},
		}}}}},
		{Key: "cursor", Value: bson.D{}},
	}
}

// currentOpAggregate runs the aggregation equivalent of the currentOp command on this (admin) database, as c says,
// and returns its results as a reply of the currentOp command.
func (db *Database) currentOpAggregate(ctx context.Context, c call, opts *CurrentOpOptions) (bson.Raw, error) {
	cur, err := db.execCursor(ctx, c, currentOpAggregateCmd(opts))
	if err != nil {
		return nil, err
	}
	defer closeAfter(ctx, cur)
	inprog := bson.A{}
	for cur.Next(ctx) {
		inprog = append(inprog, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, c.wrap(err)
	}
	return bson.Marshal(bson.D{{Key: "inprog", Value: inprog}, {Key: "ok", Value: 1.0}})
}

// parseCurrentOp decodes a currentOp reply with the database's codec options.
func (db *Database) parseCurrentOp(raw bson.Raw, aggregated bool) (*CurrentOpResult, error) {
	res := &CurrentOpResult{Aggregated: aggregated, Raw: raw, InProg: []CurrentOperation{}}
	v, err := raw.LookupErr("inprog")
	if err != nil {
		return res, nil
	}
	arr, ok := v.ArrayOK()
	if !ok {
		return nil, wrapOp("currentOp", errors.New("the reply's inprog is not an array"))
	}
	vals, err := arr.Values()
	if err != nil {
		return nil, wrapOp("currentOp", fmt.Errorf("reading the reply: %w", err))
	}
	for i, v := range vals {
		doc, ok := v.DocumentOK()
		if !ok {
			return nil, wrapOp("currentOp", fmt.Errorf("the reply's inprog.%d is not a document", i))
		}
		var op CurrentOperation
		if err := db.set.codec.decode(doc, &op); err != nil {
			return nil, wrapOp("currentOp", err)
		}
		op.Raw = doc
		if err := db.set.codec.decode(doc, &op.Document); err != nil {
			return nil, wrapOp("currentOp", err)
		}
		res.InProg = append(res.InProg, op)
	}
	return res, nil
}
