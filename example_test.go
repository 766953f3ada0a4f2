package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

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

	db, err := client.Database("shop")
	if err != nil {
		log.Fatal(err)
	}
	orders, err := db.Collection("orders")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := orders.InsertOne(ctx, bson.D{{Key: "item", Value: "tea"}, {Key: "qty", Value: 2}}); err != nil {
		log.Fatal(err)
	}
	var order struct {
		Item string `bson:"item"`
		Qty  int    `bson:"qty"`
	}
	if err := orders.FindOne(ctx, bson.D{{Key: "item", Value: "tea"}}).Decode(&order); err != nil {
		log.Fatal(err)
	}
	fmt.Println(db.Name(), orders.FullName(), order.Item, order.Qty)
	// Output: shop shop.orders tea 2
}

func ExampleConnect() {
	client, err := motor.Connect("mongodb://127.0.0.1:27017/?readPreference=secondaryPreferred")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background()) // Connect does no I/O, but it starts monitoring the server
	fmt.Println(client, client.ReadPreference().Mode())
	// Output: motor.Client(127.0.0.1:27017) secondaryPreferred
}

func ExampleClient_Database() {
	client, _ := motor.Connect("mongodb://127.0.0.1:27017/")
	defer client.Disconnect(context.Background())
	db, err := client.Database("app", motor.WithReadPreference(readpref.Nearest()))
	fmt.Println(db.Name(), db.ReadPreference().Mode(), err)

	_, err = client.Database("my.app")
	fmt.Println(err)
	// Output:
	// app nearest <nil>
	// motor: invalid database name "my.app": must not contain the character '.'
}

func ExampleDatabase_Collection() {
	client, _ := motor.Connect("mongodb://127.0.0.1:27017/")
	defer client.Disconnect(context.Background())
	db, _ := client.Database("app")
	files, err := db.Collection("fs.files")
	fmt.Println(files.FullName(), err)

	_, err = db.Collection("fs..files")
	fmt.Println(err)
	// Output:
	// app.fs.files <nil>
	// motor: invalid collection name "fs..files": must not contain an empty segment ("..")
}

func ExampleDatabase_WithOptions() {
	client, _ := motor.Connect("mongodb://127.0.0.1:27017/")
	defer client.Disconnect(context.Background())
	db, _ := client.Database("app")
	secondary, _ := db.WithOptions(motor.WithReadPreference(readpref.Secondary()))
	fmt.Println(db.ReadPreference().Mode(), secondary.ReadPreference().Mode())
	// Output: primary secondary
}

func ExampleCollection_Find() {
	ctx := context.Background()
	db, done := exampleDB("example_find")
	defer done()
	coll, _ := db.Collection("numbers")
	_, _ = coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}})
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		log.Fatal(err)
	}
	var docs []struct {
		ID int `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		log.Fatal(err)
	}
	fmt.Println(docs)
	// Output: [{1} {2}]
}
