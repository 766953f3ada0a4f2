package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// The distinct values of a field among the documents a filter matches.
func ExampleCollection_Distinct() {
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
	orders := client.Database("example_distinct").Collection("orders")
	if _, err := orders.InsertMany(ctx, []any{
		bson.D{{Key: "item", Value: "tea"}, {Key: "qty", Value: 2}},
		bson.D{{Key: "item", Value: "jam"}, {Key: "qty", Value: 0}},
		bson.D{{Key: "item", Value: "tea"}, {Key: "qty", Value: 3}},
		bson.D{{Key: "item", Value: "oil"}, {Key: "qty", Value: 1}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	items, err := orders.Distinct(ctx, "item", bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: 0}}}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(items), items)
	// Output: 2 [oil tea]
}

// Decode the distinct values into a Go type.
func ExampleDistinctAs() {
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
	orders := client.Database("example_distinct_as").Collection("orders")
	if _, err := orders.InsertMany(ctx, []any{
		bson.D{{Key: "item", Value: "tea"}, {Key: "qty", Value: 2}},
		bson.D{{Key: "item", Value: "jam"}, {Key: "qty", Value: 2}},
		bson.D{{Key: "item", Value: "oil"}, {Key: "qty", Value: int64(5)}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	quantities, err := motor.DistinctAs[int](ctx, orders, "qty", nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	sum := 0
	for _, q := range quantities {
		sum += q
	}
	fmt.Println(len(quantities), sum)
	// Output: 2 7
}

// Count the documents of a collection from its metadata.
func ExampleCollection_EstimatedDocumentCount() {
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
	orders := client.Database("example_estimated_count").Collection("orders")
	if _, err := orders.InsertMany(ctx, []any{bson.D{{Key: "item", Value: "tea"}}, bson.D{{Key: "item", Value: "jam"}}}, nil); err != nil {
		log.Fatal(err)
	}

	n, err := orders.EstimatedDocumentCount(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output: 2
}

// Read the options a collection was created with; a plain or missing collection has none.
func ExampleCollection_Options() {
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
	db := client.Database("example_collection_options")
	events, err := db.CreateCollection(ctx, "events", &motor.CreateCollectionOptions{Capped: true, Size: 4096})
	if err != nil {
		log.Fatal(err)
	}

	opts, err := events.Options(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range opts {
		fmt.Println(e.Key, e.Value)
	}
	missing := db.Collection("missing")
	none, err := missing.Options(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(none))
	// Output:
	// capped true
	// size 4096
	// 0
}
