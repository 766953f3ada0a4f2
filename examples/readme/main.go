// Command readme is the README's Quick start, verbatim: readme_test.go checks that the two stay the same.
package main

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/embedded"
)

type BuildInfo struct {
	Version string `bson:"version"`
}

func main() {
	ctx := context.Background()

	// FerretDB on SQLite in this process, on 127.0.0.1 and a free port, with its data in a temporary directory.
	// Use motor.Connect("mongodb://...") alone for a MongoDB of your own.
	srv, err := embedded.Start(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	db := client.Database("shop")     // Motor: client.shop / client["shop"]
	orders := db.Collection("orders") // Motor: db.orders / db["orders"]
	if _, err = orders.InsertOne(ctx, bson.D{{Key: "item", Value: "tea"}}, nil); err != nil {
		log.Fatal(err)
	}

	names, err := db.ListCollectionNames(ctx, nil) // Motor: await db.list_collection_names()
	if err != nil {
		log.Fatal(err)
	}
	reply, err := db.Command(ctx, "ping", nil) // Motor: await db.command("ping"); reply is a bson.D
	if err != nil {
		log.Fatal(err)
	}
	info, err := motor.CommandAs[BuildInfo](ctx, db, "buildInfo", nil) // decoded into your type
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("collections:", names)
	fmt.Println("ping:", reply[0].Key, reply[0].Value)
	fmt.Println("server version:", info.Version)
}
