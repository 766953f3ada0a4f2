package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Run a command that returns a cursor; later batches come with getMore.
func ExampleDatabase_CommandCursor() {
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
	db := client.Database("example_command_cursor")
	orders := db.Collection("orders")
	if _, err := orders.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "item", Value: "tea"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "item", Value: "jam"}},
		bson.D{{Key: "_id", Value: 3}, {Key: "item", Value: "oil"}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := db.CommandCursor(ctx, bson.D{
		{Key: "find", Value: "orders"},
		{Key: "sort", Value: bson.D{{Key: "_id", Value: 1}}},
		{Key: "batchSize", Value: 2},
	}, &motor.CommandCursorOptions{BatchSize: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var order struct {
			ID   int    `bson:"_id"`
			Item string `bson:"item"`
		}
		if err := cur.Decode(&order); err != nil {
			log.Fatal(err)
		}
		fmt.Println(order.ID, order.Item)
	}
	if err := cur.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1 tea
	// 2 jam
	// 3 oil
}
