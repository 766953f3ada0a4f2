package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleDatabase_AddSONManipulator() {
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
	db := client.Database("example_son")

	// Stamp each inserted document with its collection's name, and hide the stamp when reading.
	err = db.AddSONManipulator(motor.SONManipulator{
		Name: "NamespaceInjector",
		Incoming: func(doc bson.D, coll *motor.Collection) (bson.D, error) {
			return append(doc, bson.E{Key: "_ns", Value: coll.Name()}), nil
		},
		Outgoing: func(doc bson.D, _ *motor.Collection) (bson.D, error) {
			out := doc[:0]
			for _, e := range doc {
				if e.Key != "_ns" {
					out = append(out, e)
				}
			}
			return out, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	people := db.Collection("people")
	if _, err := people.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}}, nil); err != nil {
		log.Fatal(err)
	}
	var doc bson.D
	if err := people.FindOne(ctx, bson.D{}, nil).Decode(&doc); err != nil {
		log.Fatal(err)
	}
	fmt.Println("through the database:", doc)

	// Another handle on the same database has no manipulators: it shows what is stored.
	other := client.Database(db.Name())
	otherPeople := other.Collection("people")
	if err := otherPeople.FindOne(ctx, bson.D{}, nil).Decode(&doc); err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored:", doc)
	// Output:
	// through the database: {"_id":{"$numberInt":"1"},"name":"ann"}
	// stored: {"_id":{"$numberInt":"1"},"name":"ann","_ns":"people"}
}

func ExampleDatabase_IncomingManipulators() {
	// Connect does no I/O, and the manipulators live in the database handle: no server is needed.
	client, err := motor.Connect("mongodb://127.0.0.1:27017/")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database("app")
	// A, B, a copying C and an incoming-only D, as PyMongo's own check registers them.
	keep := func(doc bson.D, _ *motor.Collection) (bson.D, error) { return doc, nil }
	for _, m := range []motor.SONManipulator{
		{Name: "A", Incoming: keep, Outgoing: keep},
		{Name: "B", Incoming: keep, Outgoing: keep},
		{Name: "C", Incoming: keep, Outgoing: keep, Copying: true},
		{Name: "D", Incoming: keep},
	} {
		if err := db.AddSONManipulator(m); err != nil {
			log.Fatal(err)
		}
	}

	fmt.Println(db.IncomingManipulators()) // newest first
	// Output: [D B A]
}

func ExampleDatabase_IncomingCopyingManipulators() {
	// Connect does no I/O, and the manipulators live in the database handle: no server is needed.
	client, err := motor.Connect("mongodb://127.0.0.1:27017/")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database("app")
	// A, B, a copying C and an incoming-only D, as PyMongo's own check registers them.
	keep := func(doc bson.D, _ *motor.Collection) (bson.D, error) { return doc, nil }
	for _, m := range []motor.SONManipulator{
		{Name: "A", Incoming: keep, Outgoing: keep},
		{Name: "B", Incoming: keep, Outgoing: keep},
		{Name: "C", Incoming: keep, Outgoing: keep, Copying: true},
		{Name: "D", Incoming: keep},
	} {
		if err := db.AddSONManipulator(m); err != nil {
			log.Fatal(err)
		}
	}

	fmt.Println(db.IncomingCopyingManipulators())
	// Output: [C]
}

func ExampleDatabase_OutgoingManipulators() {
	// Connect does no I/O, and the manipulators live in the database handle: no server is needed.
	client, err := motor.Connect("mongodb://127.0.0.1:27017/")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database("app")
	// A, B, a copying C and an incoming-only D, as PyMongo's own check registers them.
	keep := func(doc bson.D, _ *motor.Collection) (bson.D, error) { return doc, nil }
	for _, m := range []motor.SONManipulator{
		{Name: "A", Incoming: keep, Outgoing: keep},
		{Name: "B", Incoming: keep, Outgoing: keep},
		{Name: "C", Incoming: keep, Outgoing: keep, Copying: true},
		{Name: "D", Incoming: keep},
	} {
		if err := db.AddSONManipulator(m); err != nil {
			log.Fatal(err)
		}
	}

	fmt.Println(db.OutgoingManipulators()) // oldest first: the order they run in
	// Output: [A B]
}

func ExampleDatabase_OutgoingCopyingManipulators() {
	// Connect does no I/O, and the manipulators live in the database handle: no server is needed.
	client, err := motor.Connect("mongodb://127.0.0.1:27017/")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database("app")
	// A, B, a copying C and an incoming-only D, as PyMongo's own check registers them.
	keep := func(doc bson.D, _ *motor.Collection) (bson.D, error) { return doc, nil }
	for _, m := range []motor.SONManipulator{
		{Name: "A", Incoming: keep, Outgoing: keep},
		{Name: "B", Incoming: keep, Outgoing: keep},
		{Name: "C", Incoming: keep, Outgoing: keep, Copying: true},
		{Name: "D", Incoming: keep},
	} {
		if err := db.AddSONManipulator(m); err != nil {
			log.Fatal(err)
		}
	}

	fmt.Println(db.OutgoingCopyingManipulators())
	// Output: [C]
}
