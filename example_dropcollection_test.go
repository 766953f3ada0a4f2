package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Drop a collection by name (coll.Name() for a handle, or coll.Drop); a missing collection is not an error.
func ExampleDatabase_DropCollection() {
	ctx := context.Background()
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
	db := client.Database("example_drop_collection")
	logs := db.Collection("logs")
	if _, err := logs.InsertOne(ctx, bson.D{{Key: "msg", Value: "hello"}}, nil); err != nil {
		log.Fatal(err)
	}

	reply, err := db.DropCollection(ctx, logs.Name(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply.String())

	reply, err = db.DropCollection(ctx, "never_created", nil)
	fmt.Println(err, reply != nil)

	names, err := db.ListCollectionNames(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)
	// Output:
	// {"nIndexesWas":{"$numberInt":"1"},"ns":"example_drop_collection.logs","ok":{"$numberDouble":"1.0"}}
	// <nil> true
	// []
}
