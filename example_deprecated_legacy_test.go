package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// firstKeys returns the keys of cmd, without the driver's session and read preference fields.
func firstKeys(cmd bson.D) []string {
	var keys []string
	for _, e := range cmd {
		if e.Key != "lsid" && e.Key != "$readPreference" {
			keys = append(keys, e.Key)
		}
	}
	return keys
}

func ExampleDatabase_Eval() {
	ctx := context.Background()
	// MongoDB before 4.2 runs $eval; this scripted server answers like one.
	f, db, stop := exampleFake("$eval", motortest.OK(bson.E{Key: "retval", Value: 3.0}))
	defer stop()

	v, err := db.Eval(ctx, "function (x, y) { return x + y; }", 1, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Double())
	cmd := f.Commands()[0]
	fmt.Println(firstKeys(cmd), cmd[0].Value, cmd[1].Value)

	// MongoDB 4.2 and later answer CommandNotFound.
	f.Handle("$eval", nil)
	_, err = db.Eval(ctx, "1")
	fmt.Println(err)
	// Output:
	// 3
	// [$eval args $db] function (x, y) { return x + y; } [1 2]
	// motor: eval: the $eval command was removed in MongoDB 4.2: (CommandNotFound) no such command: '$eval'
}

func ExampleDatabase_Error() {
	ctx := context.Background()
	// MongoDB before 5.1 answers getLastError; this scripted server answers like one with no error.
	_, db, stop := exampleFake("getLastError", motortest.OK(bson.E{Key: "err", Value: nil}, bson.E{Key: "n", Value: int32(0)}))
	defer stop()
	reply, err := db.Error(ctx)
	fmt.Println(reply == nil, err)

	// The embedded FerretDB, like MongoDB 5.1+, has no getLastError.
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	fdb := client.Database("example_error")
	_, err = fdb.Error(ctx)
	fmt.Println(err)
	// Output:
	// true <nil>
	// motor: error: the getlasterror command was removed in MongoDB 5.1: (CommandNotFound) no such command: 'getlasterror'
}

func ExampleDatabase_LastStatus() {
	ctx := context.Background()
	_, db, stop := exampleFake("getLastError", motortest.OK(bson.E{Key: "err", Value: nil}, bson.E{Key: "n", Value: int32(1)},
		bson.E{Key: "updatedExisting", Value: true}))
	defer stop()
	status, err := db.LastStatus(ctx)
	fmt.Println(status, err)
	// Output: {"err":null,"n":{"$numberInt":"1"},"updatedExisting":true,"ok":{"$numberDouble":"1.0"}} <nil>
}

func ExampleDatabase_PreviousError() {
	ctx := context.Background()
	_, db, stop := exampleFake("getPrevError", motortest.OK(bson.E{Key: "err", Value: "E11000 duplicate key error"},
		bson.E{Key: "code", Value: int32(11000)}, bson.E{Key: "nPrev", Value: int32(1)}))
	defer stop()
	prev, err := db.PreviousError(ctx)
	fmt.Println(prev, err)
	// Output: {"err":"E11000 duplicate key error","code":{"$numberInt":"11000"},"nPrev":{"$numberInt":"1"},"ok":{"$numberDouble":"1.0"}} <nil>
}

func ExampleDatabase_ResetErrorHistory() {
	ctx := context.Background()
	f, db, stop := exampleFake("resetError", motortest.OK())
	defer stop()
	fmt.Println(db.ResetErrorHistory(ctx), firstKeys(f.Commands()[0]))

	// The embedded FerretDB, like MongoDB 5.0+, has no resetError.
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	fdb := client.Database("example_reset_error")
	fmt.Println(fdb.ResetErrorHistory(ctx))
	// Output:
	// <nil> [reseterror $db]
	// motor: reset error history: the reseterror command was removed in MongoDB 5.0: (CommandNotFound) no such command: 'reseterror'
}
