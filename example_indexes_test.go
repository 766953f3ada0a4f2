package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Create a unique compound index; its name is generated from the keys as PyMongo generates it.
func ExampleCollection_CreateIndex() {
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
	users := client.Database("example_create_index").Collection("users")

	name, err := users.CreateIndex(ctx, bson.D{{Key: "email", Value: 1}, {Key: "created", Value: -1}}, &motor.CreateIndexOptions{
		IndexOptions: motor.IndexOptions{Unique: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(name)

	_, err = users.CreateIndex(ctx, bson.D{{Key: "email", Value: 1}}, &motor.CreateIndexOptions{
		IndexOptions: motor.IndexOptions{Name: "*"}, // checked before any I/O
	})
	fmt.Println(errors.Is(err, motor.ErrInvalidName))
	// Output:
	// email_1_created_-1
	// true
}

// Create several indexes with one command.
func ExampleCollection_CreateIndexes() {
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
	orders := client.Database("example_create_indexes").Collection("orders")

	names, err := orders.CreateIndexes(ctx, []motor.IndexModel{
		{Keys: bson.D{{Key: "customer", Value: 1}, {Key: "date", Value: -1}}},
		{Keys: bson.D{{Key: "sku", Value: 1}}, IndexOptions: motor.IndexOptions{Name: "by_sku", Sparse: true}},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)
	// Output:
	// [customer_1_date_-1 by_sku]
}

// Drop an index by name, or by its keys through IndexName.
func ExampleCollection_DropIndex() {
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
	orders := client.Database("example_drop_index").Collection("orders")
	if _, err := orders.CreateIndexes(ctx, []motor.IndexModel{
		{Keys: bson.D{{Key: "sku", Value: 1}}},
		{Keys: bson.D{{Key: "date", Value: -1}}, IndexOptions: motor.IndexOptions{Name: "recent"}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	if err := orders.DropIndex(ctx, "recent", nil); err != nil {
		log.Fatal(err)
	}
	name, err := motor.IndexName(bson.D{{Key: "sku", Value: 1}})
	if err != nil {
		log.Fatal(err)
	}
	if err := orders.DropIndex(ctx, name, nil); err != nil {
		log.Fatal(err)
	}
	info, err := orders.IndexInformation(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(info), info["_id_"] != nil)
	// Output:
	// 1 true
}

// Drop every index but the one on _id.
func ExampleCollection_DropIndexes() {
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
	orders := client.Database("example_drop_indexes").Collection("orders")
	if _, err := orders.CreateIndex(ctx, bson.D{{Key: "sku", Value: 1}}, nil); err != nil {
		log.Fatal(err)
	}

	if err := orders.DropIndexes(ctx, nil); err != nil {
		log.Fatal(err)
	}
	info, err := orders.IndexInformation(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(info))
	// Output:
	// 1
}

// Iterate over the listIndexes documents, decoded into a struct.
func ExampleCollection_ListIndexes() {
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
	users := client.Database("example_list_indexes").Collection("users")
	if _, err := users.CreateIndex(ctx, bson.D{{Key: "email", Value: 1}}, &motor.CreateIndexOptions{
		IndexOptions: motor.IndexOptions{Unique: true},
	}); err != nil {
		log.Fatal(err)
	}

	cur, err := users.ListIndexes(ctx)
	if err != nil {
		log.Fatal(err)
	}
	var indexes []struct {
		Name   string `bson:"name"`
		Key    bson.D `bson:"key"`
		Unique bool   `bson:"unique"`
	}
	if err := cur.All(ctx, &indexes); err != nil {
		log.Fatal(err)
	}
	for _, ix := range indexes {
		fmt.Println(ix.Name, ix.Key[0].Key, ix.Key[0].Value, ix.Unique)
	}
	// Output:
	// _id_ _id 1 false
	// email_1 email 1 true
}

// Read the indexes by name, each key in the order of the index.
func ExampleCollection_IndexInformation() {
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
	events := client.Database("example_index_information").Collection("events")
	if _, err := events.CreateIndex(ctx, bson.D{{Key: "user", Value: 1}, {Key: "at", Value: -1}}, nil); err != nil {
		log.Fatal(err)
	}

	info, err := events.IndexInformation(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range info["user_1_at_-1"] {
		if e.Key == "key" {
			for _, k := range e.Value.(bson.D) { // the fields of the index, in order
				fmt.Println("key:", k.Key, k.Value)
			}
		}
	}
	// Output:
	// key: user 1
	// key: at -1
}

// The name PyMongo generates for an index.
func ExampleIndexName() {
	name, err := motor.IndexName(bson.D{{Key: "loc", Value: "2dsphere"}, {Key: "at", Value: -1}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(name)
	// Output:
	// loc_2dsphere_at_-1
}
