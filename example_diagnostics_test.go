package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// exampleMongod starts a scripted stand-in for the parts of mongod that FerretDB lacks (motortest.Fake answers
// with the reply shapes MongoDB 7 documents): a profiler that keeps its level, one profiled query in system.profile,
// and currentOp. It returns the database "shop" on it and a function that stops everything.
func exampleMongod() (*motor.Database, func()) {
	f, db, stop := exampleFakeDB("shop")
	var mu sync.Mutex
	level, slowMS := int32(0), int32(100)
	f.Handle("profile", func(cmd bson.D) bson.D {
		mu.Lock()
		defer mu.Unlock()
		reply := motortest.OK(bson.E{Key: "was", Value: level}, bson.E{Key: "slowms", Value: slowMS}, bson.E{Key: "sampleRate", Value: 1.0})
		for _, e := range cmd {
			switch n, _ := e.Value.(int32); e.Key {
			case "profile":
				if n >= 0 {
					level = n
				}
			case "slowms":
				slowMS = n
			}
		}
		return reply
	})
	f.Handle("find", func(bson.D) bson.D {
		entry := bson.D{
			{Key: "op", Value: "query"},
			{Key: "ns", Value: "shop.orders"},
			{Key: "command", Value: bson.D{{Key: "find", Value: "orders"}, {Key: "filter", Value: bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: 1}}}}}}},
			{Key: "docsExamined", Value: int32(1000)},
			{Key: "nreturned", Value: int32(2)},
			{Key: "millis", Value: int32(120)},
			{Key: "planSummary", Value: "COLLSCAN"},
			{Key: "ts", Value: bson.NewDateTimeFromTime(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC))},
		}
		return motortest.OK(bson.E{Key: "cursor", Value: bson.D{
			{Key: "firstBatch", Value: bson.A{entry}}, {Key: "id", Value: int64(0)}, {Key: "ns", Value: "shop.system.profile"},
		}})
	})
	f.Handle("currentOp", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "inprog", Value: bson.A{bson.D{
			{Key: "type", Value: "op"},
			{Key: "active", Value: true},
			{Key: "opid", Value: int32(4711)},
			{Key: "secs_running", Value: int64(31)},
			{Key: "op", Value: "command"},
			{Key: "ns", Value: "shop.orders"},
			{Key: "command", Value: bson.D{{Key: "createIndexes", Value: "orders"}}},
			{Key: "msg", Value: "Index Build: scanning collection 5000/10000 50%"},
		}}})
	})
	return db, stop
}

func ExampleDatabase_ValidateCollection() {
	ctx := context.Background()
	db, done := exampleDB("example_validate")
	defer done()
	orders, _ := db.Collection("orders")
	_, _ = orders.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}})

	res, err := db.ValidateCollection(ctx, orders.Name(), &motor.ValidateCollectionOptions{Full: true})
	var invalid *motor.CollectionValidationError
	switch {
	case errors.As(err, &invalid):
		fmt.Println("invalid:", invalid.Result.Errors)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("valid:", res.Valid)
	}

	// A missing collection is the server's NamespaceNotFound.
	_, err = db.ValidateCollection(ctx, "missing", nil)
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		fmt.Println(ce.Code, ce.Name)
	}
	// Output:
	// valid: true
	// 26 NamespaceNotFound
}

func ExampleDatabase_ProfilingLevel() {
	ctx := context.Background()
	// FerretDB has no profiler: this example talks to a scripted stand-in for mongod.
	db, stop := exampleMongod()
	defer stop()

	level, err := db.ProfilingLevel(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(level, int(level))
	// Output: off 0
}

func ExampleDatabase_SetProfilingLevel() {
	ctx := context.Background()
	// FerretDB has no profiler: this example talks to a scripted stand-in for mongod.
	db, stop := exampleMongod()
	defer stop()

	slow := 50
	if err := db.SetProfilingLevel(ctx, motor.ProfilingSlowOnly, &motor.SetProfilingLevelOptions{SlowMS: &slow}); err != nil {
		log.Fatal(err)
	}
	level, err := db.ProfilingLevel(ctx)
	fmt.Println(level, err)

	// A level out of range fails before any I/O.
	err = db.SetProfilingLevel(ctx, 3, nil)
	fmt.Println(errors.Is(err, motor.ErrInvalidOption), err)
	// Output:
	// slowOnly <nil>
	// true motor: profiling level must be ProfilingOff (0), ProfilingSlowOnly (1) or ProfilingAll (2), not 3
}

func ExampleDatabase_ProfilingInfo() {
	ctx := context.Background()
	// This example talks to a scripted stand-in for mongod, whose system.profile holds one slow query.
	db, stop := exampleMongod()
	defer stop()

	entries, err := db.ProfilingInfo(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.TS.Format(time.RFC3339), e.Op, e.NS, e.PlanSummary, e.DocsExamined, e.NReturned, e.Millis)
	}
	// Output: 2024-05-06T07:08:09Z query shop.orders COLLSCAN 1000 2 120
}

func ExampleDatabase_CurrentOp() {
	ctx := context.Background()
	// What currentOp reports depends on the moment: this example talks to a scripted stand-in for mongod with one
	// index build running. (On FerretDB, CurrentOp reports no operations.)
	db, stop := exampleMongod()
	defer stop()

	res, err := db.CurrentOp(ctx, nil) //nolint:staticcheck // the example of a deprecated method
	if err != nil {
		log.Fatal(err)
	}
	for _, op := range res.InProg {
		fmt.Println(op.OpID, op.Op, op.NS, op.SecsRunning, op.Msg)
	}
	// Output: 4711 command shop.orders 31 Index Build: scanning collection 5000/10000 50%
}
