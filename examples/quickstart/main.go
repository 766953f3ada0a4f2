// Command quickstart starts an embedded MongoDB-wire server (FerretDB on SQLite) on 127.0.0.1, connects motor to it
// and uses a database: the whole library in one page. Run it from the repository root (whose go.work includes the
// examples module) with
//
//	go run ./examples/quickstart
//
// Set MONGODB_URI to run it against your own MongoDB instead.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/embedded"
)

func main() {
	// Ctrl-C or SIGTERM cancels the work; the deferred Disconnect and Close still run, so the server stops cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		log.Print(err)
		stop()
		cancel()
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	uri := os.Getenv("MONGODB_URI")
	if uri == "" {
		srv, err := embedded.Start(ctx, nil)
		if err != nil {
			return err
		}
		defer srv.Close()
		uri = srv.URI()
		fmt.Println("started", srv)
	}

	client, err := motor.Connect(uri)
	if err != nil {
		return err
	}
	defer client.Disconnect(context.Background())

	db := client.Database("quickstart")
	// Motor: await db.drop_collection("orders"); await db.create_collection("orders")
	if _, err := db.DropCollection(ctx, "orders", nil); err != nil {
		return err
	}
	orders, err := db.CreateCollection(ctx, "orders", nil)
	if err != nil {
		return err
	}
	docs := []any{
		bson.D{{Key: "item", Value: "tea"}, {Key: "qty", Value: 2}},
		bson.D{{Key: "item", Value: "coffee"}, {Key: "qty", Value: 1}},
	}
	if _, err := orders.InsertMany(ctx, docs, nil); err != nil {
		return err
	}
	n, err := orders.CountDocuments(ctx, bson.D{}, nil)
	if err != nil {
		return err
	}
	fmt.Printf("%s holds %d orders\n", orders.FullName(), n)

	cur, err := orders.Find(ctx, bson.D{{Key: "qty", Value: bson.D{{Key: "$gte", Value: 2}}}}, nil)
	if err != nil {
		return err
	}
	var big []struct {
		Item string `bson:"item"`
		Qty  int    `bson:"qty"`
	}
	if err := cur.All(ctx, &big); err != nil {
		return err
	}
	for _, o := range big {
		fmt.Printf("%s x%d\n", o.Item, o.Qty)
	}

	// Motor: await db.list_collection_names()
	names, err := db.ListCollectionNames(ctx, nil)
	if err != nil {
		return err
	}
	fmt.Println("collections:", names)

	// Motor: await db.command("buildinfo")
	info, err := motor.CommandAs[struct {
		Version string `bson:"version"`
	}](ctx, db, "buildInfo", nil)
	if err != nil {
		return err
	}
	fmt.Println("server version:", info.Version)
	return nil
}
