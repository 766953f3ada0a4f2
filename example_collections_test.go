package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
)

// Create a capped collection; creating it again is ErrCollectionInvalid.
func ExampleDatabase_CreateCollection() {
	ctx := context.Background()
	db, done := exampleDB("example_create_collection")
	defer done()

	events, err := db.CreateCollection(ctx, "events", &motor.CreateCollectionOptions{
		Capped: true, Size: 1 << 20, Max: 1000,
		WriteConcern: writeconcern.Majority(), // also the returned collection's write concern
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(events.FullName(), events.WriteConcern().W)

	_, err = db.CreateCollection(ctx, "events", nil)
	fmt.Println(errors.Is(err, motor.ErrCollectionInvalid), err)

	_, err = db.CreateCollection(ctx, "bad..name", nil) // checked before any I/O
	fmt.Println(errors.Is(err, motor.ErrInvalidName))
	// Output:
	// example_create_collection.events majority
	// true motor: collection events already exists
	// true
}

// Drop a collection by name (coll.Name() for a handle, or coll.Drop); a missing collection is not an error.
func ExampleDatabase_DropCollection() {
	ctx := context.Background()
	db, done := exampleDB("example_drop_collection")
	defer done()
	logs, _ := db.Collection("logs")
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

// List the collections with their information, filtered on their options.
func ExampleDatabase_ListCollections() {
	ctx := context.Background()
	db, done := exampleDB("example_list_collections")
	defer done()
	_, _ = db.CreateCollection(ctx, "events", &motor.CreateCollectionOptions{Capped: true, Size: 4096})
	_, _ = db.CreateCollection(ctx, "users", nil)

	cur, err := db.ListCollections(ctx, &motor.ListCollectionsOptions{
		Filter: bson.D{{Key: "options.capped", Value: true}},
	})
	if err != nil {
		log.Fatal(err)
	}
	var infos []struct {
		Name    string `bson:"name"`
		Type    string `bson:"type"`
		Options struct {
			Capped bool `bson:"capped"`
		} `bson:"options"`
	}
	if err := cur.All(ctx, &infos); err != nil {
		log.Fatal(err)
	}
	for _, info := range infos {
		fmt.Println(info.Name, info.Type, info.Options.Capped)
	}
	// Output: events collection true
}

// List collection names, all or by a filter on the name.
func ExampleDatabase_ListCollectionNames() {
	ctx := context.Background()
	db, done := exampleDB("example_list_collection_names")
	defer done()
	for _, name := range []string{"orders", "order_lines", "users"} {
		_, _ = db.CreateCollection(ctx, name, nil)
	}

	names, err := db.ListCollectionNames(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(names) // the server's order is unspecified
	fmt.Println(names)

	names, err = db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{
		Filter: bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^order"}}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(names)
	fmt.Println(names)
	// Output:
	// [order_lines orders users]
	// [order_lines orders]
}

// The deprecated collection_names, with and without system collections.
func ExampleDatabase_CollectionNames() {
	ctx := context.Background()
	db, done := exampleDB("example_collection_names")
	defer done()
	_, _ = db.CreateCollection(ctx, "orders", nil)

	names, err := db.CollectionNames(ctx, false) //nolint:staticcheck // the deprecated helper itself
	fmt.Println(names, err)
	// Output: [orders] <nil>
}
