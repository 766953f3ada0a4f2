package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/gomotor/motor"
)

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
