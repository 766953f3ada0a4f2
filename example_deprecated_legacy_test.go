package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleDatabase_Eval() {
	ctx := context.Background()
	// MongoDB before 4.2 runs $eval, and FerretDB has none: a scripted wire-level server answers like an old mongod.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("$eval", func(bson.D) bson.D { return motortest.OK(bson.E{Key: "retval", Value: 3.0}) })
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("app")

	v, err := db.Eval(ctx, "function (x, y) { return x + y; }", 1, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Double())
	cmd := f.Commands()[0] // what motor sent
	fmt.Println(cmd[0].Key, cmd[0].Value, cmd[1].Key, cmd[1].Value)

	// MongoDB 4.2 and later answer CommandNotFound.
	f.Handle("$eval", nil)
	_, err = db.Eval(ctx, "1")
	fmt.Println(err)
	// Output:
	// 3
	// $eval function (x, y) { return x + y; } args [1 2]
	// motor: eval: the $eval command was removed in MongoDB 4.2: (CommandNotFound) no such command: '$eval'
}

func ExampleDatabase_Error() {
	ctx := context.Background()
	// MongoDB before 5.1 answers getLastError: a scripted wire-level server answers like one, with no error.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("getLastError", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "err", Value: nil}, bson.E{Key: "n", Value: int32(0)})
	})
	old, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer old.Disconnect(ctx)
	reply, err := old.Database("app").Error(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply == nil)

	// FerretDB, like MongoDB 5.1+, has no getLastError.
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
	_, err = client.Database("app").Error(ctx)
	fmt.Println(err)
	// Output:
	// true
	// motor: error: the getlasterror command was removed in MongoDB 5.1: (CommandNotFound) no such command: 'getlasterror'
}

func ExampleDatabase_LastStatus() {
	ctx := context.Background()
	// MongoDB before 5.1 answers getLastError: a scripted wire-level server answers like one.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("getLastError", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "err", Value: nil}, bson.E{Key: "n", Value: int32(1)}, bson.E{Key: "updatedExisting", Value: true})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	status, err := client.Database("app").LastStatus(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(status)
	// Output: {"err":null,"n":{"$numberInt":"1"},"updatedExisting":true,"ok":{"$numberDouble":"1.0"}}
}

func ExampleDatabase_PreviousError() {
	ctx := context.Background()
	// MongoDB before 5.0 answers getPrevError: a scripted wire-level server answers like one.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("getPrevError", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "err", Value: "E11000 duplicate key error"}, bson.E{Key: "code", Value: int32(11000)},
			bson.E{Key: "nPrev", Value: int32(1)})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	prev, err := client.Database("app").PreviousError(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(prev)
	// Output: {"err":"E11000 duplicate key error","code":{"$numberInt":"11000"},"nPrev":{"$numberInt":"1"},"ok":{"$numberDouble":"1.0"}}
}

func ExampleDatabase_ResetErrorHistory() {
	ctx := context.Background()
	// MongoDB before 5.0 answers resetError: a scripted wire-level server answers like one.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("resetError", func(bson.D) bson.D { return motortest.OK() })
	old, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer old.Disconnect(ctx)
	if err := old.Database("app").ResetErrorHistory(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Commands()[0][0].Key) // what motor sent

	// FerretDB, like MongoDB 5.0+, has no resetError.
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
	fmt.Println(client.Database("app").ResetErrorHistory(ctx))
	// Output:
	// reseterror
	// motor: reset error history: the reseterror command was removed in MongoDB 5.0: (CommandNotFound) no such command: 'reseterror'
}
