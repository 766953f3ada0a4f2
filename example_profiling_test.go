package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleDatabase_ProfilingLevel() {
	ctx := context.Background()
	// FerretDB has no profiler: a scripted wire-level server answers like a mongod whose profiler is off.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("profile", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "was", Value: int32(0)}, bson.E{Key: "slowms", Value: int32(100)}, bson.E{Key: "sampleRate", Value: 1.0})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("shop")

	level, err := db.ProfilingLevel(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(level, int(level))
	// Output: off 0
}

func ExampleDatabase_SetProfilingLevel() {
	ctx := context.Background()
	// FerretDB has no profiler: a scripted wire-level server answers like a mongod, keeping the level it is given.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var mu sync.Mutex // handlers run on the fake's goroutines
	was := int32(0)
	f.Handle("profile", func(cmd bson.D) bson.D { // {profile: LEVEL, slowms, ...}; -1 reads the level
		mu.Lock()
		defer mu.Unlock()
		reply := motortest.OK(bson.E{Key: "was", Value: was}, bson.E{Key: "slowms", Value: int32(100)}, bson.E{Key: "sampleRate", Value: 1.0})
		if n := cmd[0].Value.(int32); n >= 0 {
			was = n
		}
		return reply
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("shop")

	slow := 50
	if err := db.SetProfilingLevel(ctx, motor.ProfilingSlowOnly, &motor.SetProfilingLevelOptions{SlowMS: &slow}); err != nil {
		log.Fatal(err)
	}
	level, err := db.ProfilingLevel(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(level)

	// A level out of range fails before any I/O.
	err = db.SetProfilingLevel(ctx, 3, nil)
	fmt.Println(errors.Is(err, motor.ErrInvalidOption), err)
	// Output:
	// slowOnly
	// true motor: profiling level must be ProfilingOff (0), ProfilingSlowOnly (1) or ProfilingAll (2), not 3
}

func ExampleDatabase_ProfilingInfo() {
	ctx := context.Background()
	// FerretDB has no profiler: a scripted wire-level server answers like a mongod whose system.profile holds one
	// slow query.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("find", func(bson.D) bson.D { // {find: "system.profile", filter: {}}
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
			{Key: "id", Value: int64(0)}, {Key: "ns", Value: "shop.system.profile"}, {Key: "firstBatch", Value: bson.A{entry}},
		}})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("shop")

	entries, err := db.ProfilingInfo(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.TS.Format(time.RFC3339), e.Op, e.NS, e.PlanSummary, e.DocsExamined, e.NReturned, e.Millis)
	}
	// Output: 2024-05-06T07:08:09Z query shop.orders COLLSCAN 1000 2 120
}
