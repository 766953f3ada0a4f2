package motor_test

import (
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// The currentOp entries of a MongoDB 7.0 standalone: the currentOp command itself, and a system operation that
// $all: true adds.
var (
	opCurrentOp = bson.D{
		{Key: "type", Value: "op"},
		{Key: "host", Value: "db1:27017"},
		{Key: "desc", Value: "conn12"},
		{Key: "connectionId", Value: int32(12)},
		{Key: "client", Value: "127.0.0.1:53412"},
		{Key: "appName", Value: "motor-test"},
		{Key: "clientMetadata", Value: bson.D{{Key: "driver", Value: bson.D{{Key: "name", Value: "mongo-go-driver"}}}}},
		{Key: "active", Value: true},
		{Key: "currentOpTime", Value: "2024-05-06T07:08:09.123+00:00"},
		{Key: "threaded", Value: true},
		{Key: "opid", Value: int32(4711)},
		{Key: "secs_running", Value: int64(0)},
		{Key: "microsecs_running", Value: int64(57)},
		{Key: "op", Value: "command"},
		{Key: "ns", Value: "admin.$cmd.aggregate"},
		{Key: "redacted", Value: false},
		{Key: "command", Value: bson.D{{Key: "currentOp", Value: int32(1)}, {Key: "$all", Value: false}, {Key: "$db", Value: "admin"}}},
		{Key: "numYields", Value: int32(0)},
		{Key: "locks", Value: bson.D{}},
		{Key: "waitingForLock", Value: false},
		{Key: "lockStats", Value: bson.D{}},
		{Key: "waitingForFlowControl", Value: false},
		{Key: "flowControlStats", Value: bson.D{}},
	}
	opIndexBuild = bson.D{
		{Key: "type", Value: "op"},
		{Key: "host", Value: "db1:27017"},
		{Key: "desc", Value: "IndexBuildsCoordinatorMongod-0"},
		{Key: "active", Value: true},
		{Key: "opid", Value: "shard01:12"}, // through mongos, an opid is a string
		{Key: "secs_running", Value: int64(31)},
		{Key: "microsecs_running", Value: int64(31000042)},
		{Key: "op", Value: "command"},
		{Key: "ns", Value: "shop.orders"},
		{Key: "command", Value: bson.D{{Key: "createIndexes", Value: "orders"}, {Key: "indexes", Value: bson.A{bson.D{{Key: "key", Value: bson.D{{Key: "x", Value: int32(1)}}}, {Key: "name", Value: "x_1"}}}}}},
		{Key: "msg", Value: "Index Build: scanning collection Index Build: scanning collection: 5000/10000 50%"},
		{Key: "progress", Value: bson.D{{Key: "done", Value: int32(5000)}, {Key: "total", Value: int32(10000)}}},
		{Key: "numYields", Value: int64(78)},
		{Key: "waitingForLock", Value: true},
		{Key: "started", Value: bson.NewDateTimeFromTime(time.Date(2024, 5, 6, 7, 7, 38, 0, time.UTC))},
	}
	wantCurrentOp = motor.CurrentOperation{
		Type: "op", Host: "db1:27017", Desc: "conn12", ConnectionID: 12, Client: "127.0.0.1:53412", AppName: "motor-test",
		Active: true, OpID: int32(4711), MicrosecsRunning: 57, Op: "command", NS: "admin.$cmd.aggregate",
		Command: bson.D{{Key: "currentOp", Value: int32(1)}, {Key: "$all", Value: false}, {Key: "$db", Value: "admin"}},
	}
	wantIndexBuild = motor.CurrentOperation{
		Type: "op", Host: "db1:27017", Desc: "IndexBuildsCoordinatorMongod-0", Active: true, OpID: "shard01:12",
		SecsRunning: 31, MicrosecsRunning: 31000042, Op: "command", NS: "shop.orders",
		Command: bson.D{{Key: "createIndexes", Value: "orders"}, {Key: "indexes", Value: bson.A{bson.D{{Key: "key", Value: bson.D{{Key: "x", Value: int32(1)}}}, {Key: "name", Value: "x_1"}}}}},
		Msg:     "Index Build: scanning collection Index Build: scanning collection: 5000/10000 50%", NumYields: 78, WaitingForLock: true,
	}
)

// checkOps compares the operations of res with want, and their Raw and Document with the entries sent.
func checkOps(t *testing.T, res *motor.CurrentOpResult, sent []bson.D, want []motor.CurrentOperation) {
	t.Helper()
	if len(res.InProg) != len(sent) {
		t.Fatalf("got %d operations, want %d", len(res.InProg), len(sent))
	}
	got := make([]motor.CurrentOperation, len(res.InProg))
	for i, op := range res.InProg {
		diff(t, "entry raw", rawDoc(t, sent[i]), op.Raw)
		if len(op.Document) != len(sent[i]) || op.Document[0].Key != "type" {
			t.Errorf("entry %d Document = %v", i, op.Document)
		}
		op.Raw, op.Document = nil, nil
		got[i] = op
	}
	diff(t, "operations", want, got)
}

// TestCurrentOpFake checks what CurrentOp sends, where, and how it reads the reply, on a scripted server.
func TestCurrentOpFake(t *testing.T) {
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	ops := []bson.D{opCurrentOp}
	f.Handle("currentOp", func(bson.D) bson.D { return motortest.OK(bson.E{Key: "inprog", Value: ops}) })
	// currentOp goes to admin and to the primary whatever the database and its read preference, as in Motor.
	db := fakeDB(t, f, "shop", motor.WithReadPreference(readpref.SecondaryPreferred()))
	ctx := t.Context()

	res, err := db.CurrentOp(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Aggregated {
		t.Error("Aggregated without a fallback")
	}
	diff(t, "raw reply", rawDoc(t, motortest.OK(bson.E{Key: "inprog", Value: ops})), res.Raw)
	checkOps(t, res, ops, []motor.CurrentOperation{wantCurrentOp})

	ops = []bson.D{opCurrentOp, opIndexBuild}
	res, err = db.CurrentOp(ctx, &motor.CurrentOpOptions{IncludeAll: true})
	if err != nil {
		t.Fatal(err)
	}
	checkOps(t, res, ops, []motor.CurrentOperation{wantCurrentOp, wantIndexBuild})

	ops = []bson.D{}
	res, err = db.CurrentOp(ctx, &motor.CurrentOpOptions{})
	if err != nil || res.InProg == nil || len(res.InProg) != 0 {
		t.Fatalf("no operations: %+v, %v", res, err)
	}
	diff(t, "commands", []bson.D{
		{{Key: "currentOp", Value: int32(1)}, {Key: "$all", Value: false}, {Key: "$db", Value: "admin"}, primaryRP},
		{{Key: "currentOp", Value: int32(1)}, {Key: "$all", Value: true}, {Key: "$db", Value: "admin"}, primaryRP},
		{{Key: "currentOp", Value: int32(1)}, {Key: "$all", Value: false}, {Key: "$db", Value: "admin"}, primaryRP},
	}, fakeCommands(f))

	// Other server errors pass through, wrapped, without a fallback.
	f.Reset()
	f.Handle("currentOp", func(bson.D) bson.D {
		return motortest.CommandError(13, "Unauthorized", "not authorized on admin to execute command { currentOp: 1 }")
	})
	_, err = db.CurrentOp(ctx, nil)
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 13 || err.Error() != "motor: currentOp: (Unauthorized) not authorized on admin to execute command { currentOp: 1 }" {
		t.Errorf("err = %v", err)
	}
	if names := fakeCommands(f); len(names) != 1 {
		t.Errorf("commands: %v", names)
	}
	if _, err := db.CurrentOp(nil, nil); !errors.Is(err, motor.ErrInvalidOption) { //nolint:staticcheck // a nil ctx is the point
		t.Errorf("nil ctx: %v", err)
	}
}

// TestCurrentOpFallback checks the $currentOp aggregation that CurrentOp runs when the server has no currentOp
// command, with getMore, on a scripted server.
func TestCurrentOpFallback(t *testing.T) {
	f := motortest.NewFake(t)
	fakeReplicaSet(f) // the fake's default reply to currentOp is CommandNotFound
	f.Handle("aggregate", func(bson.D) bson.D {
		return cursorReply(7, "admin.$cmd.aggregate", "firstBatch", opCurrentOp)
	})
	f.Handle("getMore", func(bson.D) bson.D {
		return cursorReply(0, "admin.$cmd.aggregate", "nextBatch", opIndexBuild)
	})
	db := fakeDB(t, f, "shop")
	ctx := t.Context()

	for _, all := range []bool{false, true} {
		f.Reset()
		res, err := db.CurrentOp(ctx, &motor.CurrentOpOptions{IncludeAll: all})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Aggregated {
			t.Error("Aggregated not set")
		}
		diff(t, "commands", []bson.D{
			{{Key: "currentOp", Value: int32(1)}, {Key: "$all", Value: all}, {Key: "$db", Value: "admin"}, primaryRP},
			{
				{Key: "aggregate", Value: int32(1)},
				{Key: "pipeline", Value: bson.A{bson.D{{Key: "$currentOp", Value: bson.D{{Key: "allUsers", Value: true}, {Key: "idleConnections", Value: all}}}}}},
				{Key: "cursor", Value: bson.D{}},
				{Key: "$db", Value: "admin"}, primaryRP,
			},
			{{Key: "getMore", Value: int64(7)}, {Key: "collection", Value: "$cmd.aggregate"}, {Key: "$db", Value: "admin"}},
		}, fakeCommands(f))
		diff(t, "synthesised reply", rawDoc(t, motortest.OK(bson.E{Key: "inprog", Value: bson.A{opCurrentOp, opIndexBuild}})), res.Raw)
		checkOps(t, res, []bson.D{opCurrentOp, opIndexBuild}, []motor.CurrentOperation{wantCurrentOp, wantIndexBuild})
	}

	// When the stage is missing too, its error is returned.
	f.Handle("aggregate", func(bson.D) bson.D {
		return motortest.CommandError(40324, "Location40324", "Unrecognized pipeline stage name: '$currentOp'")
	})
	_, err := db.CurrentOp(ctx, nil)
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 40324 ||
		err.Error() != "motor: currentOp: the server has no currentOp command, and the $currentOp stage failed: (Location40324) Unrecognized pipeline stage name: '$currentOp'" {
		t.Errorf("err = %v", err)
	}
}

// TestCurrentOp runs CurrentOp on the test server. FerretDB answers with no operations.
func TestCurrentOp(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	res, err := db.CurrentOp(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Aggregated || res.InProg == nil || len(res.Raw) == 0 {
		t.Errorf("result = %+v", res)
	}
	if !motortest.Real() && len(res.InProg) != 0 {
		t.Errorf("FerretDB reported operations: %+v", res.InProg)
	}
	if _, err := db.CurrentOp(ctx, &motor.CurrentOpOptions{IncludeAll: true}); err != nil {
		t.Fatal(err)
	}
	diff(t, "commands", []bson.D{
		{{Key: "currentOp", Value: int32(1)}, {Key: "$all", Value: false}, {Key: "$db", Value: "admin"}},
		{{Key: "currentOp", Value: int32(1)}, {Key: "$all", Value: true}, {Key: "$db", Value: "admin"}},
	}, rec.Commands("currentOp"))
}
