package motor_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Watch a collection: each insert comes as a change event.
func ExampleCollection_Watch() {
	ctx := context.Background()
	// Change streams need a replica set or a sharded cluster, and FerretDB has none: motortest's scripted
	// replica-set primary serves them from the inserts it receives. Against MongoDB the code reads the same.
	srv, err := motortest.StartChangeStreamServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	// A change event, as far as this program reads it.
	type change struct {
		OperationType string `bson:"operationType"`
		NS            struct {
			DB   string `bson:"db"`
			Coll string `bson:"coll"`
		} `bson:"ns"`
		FullDocument struct {
			ID   int    `bson:"_id"`
			Item string `bson:"item"`
		} `bson:"fullDocument"`
	}
	db := client.Database("shop")
	orders := db.Collection("orders")

	stream, err := orders.Watch(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "operationType", Value: "insert"}}}},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close(ctx)

	if _, err := orders.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "item", Value: "tea"}}, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := orders.InsertOne(ctx, bson.D{{Key: "_id", Value: 2}, {Key: "item", Value: "jam"}}, nil); err != nil {
		log.Fatal(err)
	}

	for i := 0; i < 2 && stream.Next(ctx); i++ { // a service would loop for as long as Next returns true
		var c change
		if err := stream.Decode(&c); err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.OperationType, c.FullDocument.ID, c.FullDocument.Item)
	}
	if err := stream.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// insert 1 tea
	// insert 2 jam
}

// Watch every collection of a database.
func ExampleDatabase_Watch() {
	ctx := context.Background()
	// Change streams need a replica set or a sharded cluster, and FerretDB has none: motortest's scripted
	// replica-set primary serves them from the inserts it receives. Against MongoDB the code reads the same.
	srv, err := motortest.StartChangeStreamServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	// A change event, as far as this program reads it.
	type change struct {
		OperationType string `bson:"operationType"`
		NS            struct {
			DB   string `bson:"db"`
			Coll string `bson:"coll"`
		} `bson:"ns"`
		FullDocument struct {
			ID   int    `bson:"_id"`
			Item string `bson:"item"`
		} `bson:"fullDocument"`
	}
	db := client.Database("shop")

	stream, err := db.Watch(ctx, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close(ctx)

	orders := db.Collection("orders")
	users := db.Collection("users")
	if _, err := orders.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "item", Value: "tea"}}, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := users.InsertOne(ctx, bson.D{{Key: "_id", Value: 7}}, nil); err != nil {
		log.Fatal(err)
	}

	for i := 0; i < 2 && stream.Next(ctx); i++ {
		var c change
		if err := stream.Decode(&c); err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.OperationType, c.NS.Coll, c.FullDocument.ID)
	}
	// Output:
	// insert orders 1
	// insert users 7
}

// Watch every database of the deployment.
func ExampleClient_Watch() {
	ctx := context.Background()
	// Change streams need a replica set or a sharded cluster, and FerretDB has none: motortest's scripted
	// replica-set primary serves them from the inserts it receives. Against MongoDB the code reads the same.
	srv, err := motortest.StartChangeStreamServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	// A change event, as far as this program reads it.
	type change struct {
		OperationType string `bson:"operationType"`
		NS            struct {
			DB   string `bson:"db"`
			Coll string `bson:"coll"`
		} `bson:"ns"`
		FullDocument struct {
			ID   int    `bson:"_id"`
			Item string `bson:"item"`
		} `bson:"fullDocument"`
	}

	stream, err := client.Watch(ctx, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close(ctx)

	shop := client.Database("shop")
	hr := client.Database("hr")
	orders := shop.Collection("orders")
	staff := hr.Collection("staff")
	if _, err := orders.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := staff.InsertOne(ctx, bson.D{{Key: "_id", Value: 2}}, nil); err != nil {
		log.Fatal(err)
	}

	for i := 0; i < 2 && stream.Next(ctx); i++ {
		var c change
		if err := stream.Decode(&c); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s.%s\n", c.OperationType, c.NS.DB, c.NS.Coll)
	}
	// Output:
	// insert shop.orders
	// insert hr.staff
}

// Keep the resume token of the last change handled, and later open a stream that continues after it: no change is
// lost in between, nor handled twice.
func ExampleChangeStream_ResumeToken() {
	ctx := context.Background()
	// Change streams need a replica set or a sharded cluster, and FerretDB has none: motortest's scripted
	// replica-set primary serves them from the inserts it receives. Against MongoDB the code reads the same.
	srv, err := motortest.StartChangeStreamServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	// A change event, as far as this program reads it.
	type change struct {
		OperationType string `bson:"operationType"`
		NS            struct {
			DB   string `bson:"db"`
			Coll string `bson:"coll"`
		} `bson:"ns"`
		FullDocument struct {
			ID   int    `bson:"_id"`
			Item string `bson:"item"`
		} `bson:"fullDocument"`
	}
	db := client.Database("shop")
	orders := db.Collection("orders")

	stream, err := orders.Watch(ctx, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := orders.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "item", Value: "tea"}}, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := orders.InsertOne(ctx, bson.D{{Key: "_id", Value: 2}, {Key: "item", Value: "jam"}}, nil); err != nil {
		log.Fatal(err)
	}
	if !stream.Next(ctx) {
		log.Fatal(stream.Err())
	}
	var c change
	if err := stream.Decode(&c); err != nil {
		log.Fatal(err)
	}
	fmt.Println("handled", c.FullDocument.Item)
	token := stream.ResumeToken() // a program would store it
	if err := stream.Close(ctx); err != nil {
		log.Fatal(err)
	}

	if _, err := orders.InsertOne(ctx, bson.D{{Key: "_id", Value: 3}, {Key: "item", Value: "oil"}}, nil); err != nil {
		log.Fatal(err)
	}

	resumed, err := orders.Watch(ctx, nil, &motor.WatchOptions{ResumeAfter: token})
	if err != nil {
		log.Fatal(err)
	}
	defer resumed.Close(ctx)
	for i := 0; i < 2 && resumed.Next(ctx); i++ {
		if err := resumed.Decode(&c); err != nil {
			log.Fatal(err)
		}
		fmt.Println("handled", c.FullDocument.Item)
	}
	// Output:
	// handled tea
	// handled jam
	// handled oil
}

// TryNext returns at once (after MaxAwaitTime on the server) when no change is ready, so that a loop can do other
// work between changes.
func ExampleChangeStream_TryNext() {
	ctx := context.Background()
	// Change streams need a replica set or a sharded cluster, and FerretDB has none: motortest's scripted
	// replica-set primary serves them from the inserts it receives. Against MongoDB the code reads the same.
	srv, err := motortest.StartChangeStreamServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	// A change event, as far as this program reads it.
	type change struct {
		OperationType string `bson:"operationType"`
		NS            struct {
			DB   string `bson:"db"`
			Coll string `bson:"coll"`
		} `bson:"ns"`
		FullDocument struct {
			ID   int    `bson:"_id"`
			Item string `bson:"item"`
		} `bson:"fullDocument"`
	}
	db := client.Database("shop")
	orders := db.Collection("orders")

	stream, err := orders.Watch(ctx, nil, &motor.WatchOptions{MaxAwaitTime: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close(ctx)

	for round := 1; round <= 3; round++ {
		if round == 2 {
			if _, err := orders.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "item", Value: "tea"}}, nil); err != nil {
				log.Fatal(err)
			}
		}
		if !stream.TryNext(ctx) {
			if err := stream.Err(); err != nil {
				log.Fatal(err)
			}
			fmt.Println(round, "no change yet")
			continue
		}
		var c change
		if err := stream.Decode(&c); err != nil {
			log.Fatal(err)
		}
		fmt.Println(round, c.OperationType, c.FullDocument.Item)
	}
	// Output:
	// 1 no change yet
	// 2 insert tea
	// 3 no change yet
}
