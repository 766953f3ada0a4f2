package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Start a FerretDB, connect, and use a database: the whole quick start.
func Example() {
	ctx := context.Background()

	// A MongoDB-wire server (FerretDB on SQLite) on 127.0.0.1; use your own MongoDB URI instead.
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

	db := client.Database("shop")
	orders := db.Collection("orders")
	if _, err := orders.InsertOne(ctx, bson.D{{Key: "item", Value: "tea"}, {Key: "qty", Value: 2}}, nil); err != nil {
		log.Fatal(err)
	}
	var order struct {
		Item string `bson:"item"`
		Qty  int    `bson:"qty"`
	}
	if err := orders.FindOne(ctx, bson.D{{Key: "item", Value: "tea"}}, nil).Decode(&order); err != nil {
		log.Fatal(err)
	}
	fmt.Println(db.Name(), orders.FullName(), order.Item, order.Qty)
	// Output: shop shop.orders tea 2
}
