package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Read the results of a query batch by batch as raw BSON, without decoding them.
func ExampleCollection_FindRawBatches() {
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
	coll := client.Database("example_find_raw_batches").Collection("numbers")
	if _, err := coll.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}, bson.D{{Key: "_id", Value: 3}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := coll.FindRawBatches(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}, BatchSize: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		fmt.Print(len(cur.Batch()), " bytes:")
		for _, doc := range cur.Documents() {
			fmt.Print(" ", doc.Lookup("_id").Int32())
		}
		fmt.Println()
	}
	if err := cur.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 28 bytes: 1 2
	// 14 bytes: 3
}

// Read the results of a pipeline batch by batch as raw BSON.
func ExampleCollection_AggregateRawBatches() {
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
	coll := client.Database("example_aggregate_raw_batches").Collection("orders")
	if _, err := coll.InsertMany(ctx, []any{
		bson.D{{Key: "item", Value: "tea"}, {Key: "qty", Value: 2}},
		bson.D{{Key: "item", Value: "jam"}, {Key: "qty", Value: 1}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := coll.AggregateRawBatches(ctx, bson.A{
		bson.D{{Key: "$project", Value: bson.D{{Key: "_id", Value: 0}, {Key: "item", Value: 1}}}},
		bson.D{{Key: "$sort", Value: bson.D{{Key: "item", Value: 1}}}},
	}, &motor.AggregateOptions{BatchSize: 10})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		for _, doc := range cur.Documents() {
			fmt.Println(doc)
		}
	}
	if err := cur.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {"item": "jam"}
	// {"item": "tea"}
}
