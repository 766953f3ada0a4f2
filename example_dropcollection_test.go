package motor_test

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Drop a collection by name (coll.Name() for a handle, or coll.Drop); a missing collection is not an error.
func ExampleDatabase_DropCollection() {
	ctx := context.Background()
	db, done := exampleDB("example_drop_collection")
	defer done()
	logs := db.Collection("logs")
	_, _ = logs.InsertOne(ctx, bson.D{{Key: "msg", Value: "hello"}})

	reply, err := db.DropCollection(ctx, logs.Name(), nil)
	fmt.Println(getField(reply, "ok"), err)

	reply, err = db.DropCollection(ctx, "never_created", nil)
	fmt.Println(err, reply != nil)

	names, _ := db.ListCollectionNames(ctx, nil)
	fmt.Println(names)
	// Output:
	// 1 <nil>
	// <nil> true
	// []
}
