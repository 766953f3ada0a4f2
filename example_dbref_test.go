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

func ExampleDBRef() {
	// A document that references another, as MongoDB's DBRef convention stores it.
	type post struct {
		Title  string       `bson:"title"`
		Author motor.DBRef  `bson:"author"`
		Editor *motor.DBRef `bson:"editor,omitempty"`
	}
	p := post{Title: "hello", Author: motor.DBRef{Collection: "people", ID: 1, Database: "hr"}}
	doc, err := bson.MarshalExtJSON(p, false, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(doc))

	var back post
	if err := bson.UnmarshalExtJSON(doc, false, &back); err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Author, back.Editor)
	// Output:
	// {"title":"hello","author":{"$ref":"people","$id":1,"$db":"hr"}}
	// DBRef(people, 1, hr) <nil>
}

func ExampleDatabase_Dereference() {
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
	db := client.Database("example_dereference")
	people := db.Collection("people")
	if _, err := people.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ada"}, {Key: "team", Value: "db"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "name", Value: "bob"}, {Key: "team", Value: "ui"}},
		bson.D{{Key: "_id", Value: 3}, {Key: "name", Value: "cy"}, {Key: "team", Value: "db"}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	var person struct {
		Name string `bson:"name"`
	}
	err = db.Dereference(ctx, motor.DBRef{Collection: "people", ID: 2}, nil).Decode(&person)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(person.Name)

	// Find options pass through.
	var doc bson.M
	err = db.Dereference(ctx, motor.DBRef{Collection: "people", ID: 3}, &motor.FindOneOptions{Projection: bson.D{{Key: "team", Value: 1}}}).Decode(&doc)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(doc), doc["_id"], doc["team"])

	// A reference to no document: mongo.ErrNoDocuments, as from FindOne.
	err = db.Dereference(ctx, motor.DBRef{Collection: "people", ID: 9}, nil).Decode(&person)
	fmt.Println(errors.Is(err, mongo.ErrNoDocuments))

	// A reference to another database fails before any I/O: use Client.Dereference.
	err = db.Dereference(ctx, motor.DBRef{Collection: "people", ID: 2, Database: "hr"}, nil).Err()
	fmt.Println(errors.Is(err, motor.ErrInvalidOption))
	// Output:
	// bob
	// 2 3 db
	// true
	// true
}

func ExampleDatabase_DereferenceMany() {
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
	db := client.Database("example_dereference_many")
	people := db.Collection("people")
	if _, err := people.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ada"}, {Key: "team", Value: "db"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "name", Value: "bob"}, {Key: "team", Value: "ui"}},
		bson.D{{Key: "_id", Value: 3}, {Key: "name", Value: "cy"}, {Key: "team", Value: "db"}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	// One query for all four references, however many there are.
	refs := []motor.DBRef{
		{Collection: "people", ID: 3},
		{Collection: "people", ID: 1},
		{Collection: "people", ID: 9},
		{Collection: "people", ID: 3},
	}
	var found []*struct {
		Name string `bson:"name"`
	}
	missing, err := db.DereferenceMany(ctx, refs, &found, nil)
	if err != nil {
		log.Fatal(err)
	}
	for i, p := range found {
		if p == nil {
			fmt.Println(i, refs[i], "is dangling")
			continue
		}
		fmt.Println(i, refs[i], p.Name)
	}
	fmt.Println("missing:", missing)
	// Output:
	// 0 DBRef(people, 3) cy
	// 1 DBRef(people, 1) ada
	// 2 DBRef(people, 9) is dangling
	// 3 DBRef(people, 3) cy
	// missing: [2]
}

func ExampleClient_Dereference() {
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
	hr := client.Database("example_client_dereference")
	people := hr.Collection("people")
	if _, err := people.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ada"}, {Key: "team", Value: "db"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "name", Value: "bob"}, {Key: "team", Value: "ui"}},
		bson.D{{Key: "_id", Value: 3}, {Key: "name", Value: "cy"}, {Key: "team", Value: "db"}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	// A client resolves references that name their database.
	var person bson.M
	err = client.Dereference(ctx, motor.DBRef{Collection: "people", ID: 1, Database: "example_client_dereference"}, nil).Decode(&person)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(person["name"])

	// A reference without a database needs a Database.
	err = client.Dereference(ctx, motor.DBRef{Collection: "people", ID: 1}, nil).Err()
	fmt.Println(err)
	// Output:
	// ada
	// motor: cannot dereference DBRef(people, 1) from a Client: it names no database (use Database.Dereference)
}

func ExampleClient_DereferenceMany() {
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
	hr := client.Database("example_client_dereference_hr")
	people := hr.Collection("people")
	if _, err := people.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ada"}, {Key: "team", Value: "db"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "name", Value: "bob"}, {Key: "team", Value: "ui"}},
		bson.D{{Key: "_id", Value: 3}, {Key: "name", Value: "cy"}, {Key: "team", Value: "db"}},
	}, nil); err != nil {
		log.Fatal(err)
	}
	shop := client.Database("example_client_dereference_shop")
	orders := shop.Collection("orders")
	if _, err := orders.InsertOne(ctx, bson.D{{Key: "_id", Value: "o-1"}, {Key: "item", Value: "tea"}}, nil); err != nil {
		log.Fatal(err)
	}

	// One query per database and collection.
	var docs []bson.M
	missing, err := client.DereferenceMany(ctx, []motor.DBRef{
		{Collection: "orders", ID: "o-1", Database: "example_client_dereference_shop"},
		{Collection: "people", ID: 2, Database: "example_client_dereference_hr"},
		{Collection: "orders", ID: "o-2", Database: "example_client_dereference_shop"},
	}, &docs, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(docs[0]["item"], docs[1]["name"], docs[2] == nil, missing)
	// Output: tea bob true [2]
}
