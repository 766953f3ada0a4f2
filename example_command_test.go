package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Send commands by name, with a value and extra fields, or as an ordered document.
func ExampleDatabase_Command() {
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
	db := client.Database("example_command")
	orders := db.Collection("orders")
	if _, err := orders.InsertMany(ctx, []any{bson.D{{Key: "qty", Value: 1}}, bson.D{{Key: "qty", Value: 5}}}, nil); err != nil {
		log.Fatal(err)
	}

	// {ping: 1}
	reply, err := db.Command(ctx, "ping", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply[0].Key, reply[0].Value) // the reply is a bson.D

	// {count: "orders", query: {qty: {$gt: 2}}}: Motor's db.command("count", "orders", query={...})
	reply, err = db.Command(ctx, "count", &motor.CommandOptions{
		Value: "orders",
		Extra: bson.D{{Key: "query", Value: bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: 2}}}}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply[0].Key, reply[0].Value)

	// A failed command is an error that keeps the server's code.
	_, err = db.Command(ctx, bson.D{{Key: "noSuchCommand", Value: 1}}, nil)
	var ce mongo.CommandError
	fmt.Println(errors.As(err, &ce), ce.Code, ce.Name)

	// Allowable errors come back as the reply.
	reply, err = db.Command(ctx, "noSuchCommand", &motor.CommandOptions{AllowableCodes: []int32{59}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply[0])

	// A map with several keys has no order: rejected before any I/O.
	_, err = db.Command(ctx, bson.M{"count": "orders", "limit": 1}, nil)
	fmt.Println(errors.Is(err, motor.ErrInvalidOption))
	// Output:
	// ok 1
	// n 1
	// true 59 CommandNotFound
	// {ok 0}
	// true
}

// Decode a command's reply into a Go type.
func ExampleCommandAs() {
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
	db := client.Database("example_command_as")
	orders := db.Collection("orders")
	if _, err := orders.InsertMany(ctx, []any{bson.D{{Key: "qty", Value: 1}}, bson.D{{Key: "qty", Value: 5}}}, nil); err != nil {
		log.Fatal(err)
	}

	type countReply struct {
		N  int     `bson:"n"`
		OK float64 `bson:"ok"`
	}
	res, err := motor.CommandAs[countReply](ctx, db, bson.D{{Key: "count", Value: "orders"}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", res)
	// Output: {N:2 OK:1}
}
