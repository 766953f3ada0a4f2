package motortest_test

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor/motortest"
)

func ExampleFake() {
	// in tests, use motortest.NewFake(t), which closes the fake on cleanup
	f, err := motortest.StartFake()
	if err != nil {
		panic(err)
	}
	defer f.Close()

	f.Handle("profile", func(cmd bson.D) bson.D {
		return motortest.OK(
			bson.E{Key: "was", Value: int32(0)},
			bson.E{Key: "slowms", Value: int32(100)},
			bson.E{Key: "sampleRate", Value: 1.0},
		)
	})

	ctx := context.Background()

	client, err := mongo.Connect(options.Client().ApplyURI(f.URI()))
	if err != nil {
		panic(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // runs before f.Close

	db := client.Database("test")

	var res struct {
		Was    int32 `bson:"was"`
		SlowMS int32 `bson:"slowms"`
	}
	if err = db.RunCommand(ctx, bson.D{{Key: "profile", Value: -1}}).Decode(&res); err != nil {
		panic(err)
	}

	fmt.Printf("profile: was=%d slowms=%d\n", res.Was, res.SlowMS)

	var ce mongo.CommandError
	err = db.RunCommand(ctx, bson.D{{Key: "getLastError", Value: 1}}).Err()
	if errors.As(err, &ce) {
		fmt.Printf("getLastError: %d %s: %s\n", ce.Code, ce.Name, ce.Message)
	}

	// recorded commands keep the driver's key order; lsid is a random session id
	for _, cmd := range f.Commands() {
		var keys []string
		for _, e := range cmd {
			keys = append(keys, e.Key)
		}

		fmt.Println(keys)
	}

	// Output:
	// profile: was=0 slowms=100
	// getLastError: 59 CommandNotFound: no such command: 'getLastError'
	// [profile lsid $db]
	// [getLastError lsid $db]
}
