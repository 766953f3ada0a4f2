package motor_test

import (
	"context"
	"fmt"
	"log"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleClient_ListDatabaseNames() {
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
	coll := client.Database("example_listdbnames").Collection("people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "name", Value: "Ada"}}, nil); err != nil { // creates the database
		log.Fatal(err)
	}

	names, err := coll.Database().Client().ListDatabaseNames(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(slices.Contains(names, "example_listdbnames"))
	// Output: true
}

func ExampleClient_ListDatabases() {
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
	coll := client.Database("example_listdbs").Collection("people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "name", Value: "Ada"}}, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := coll.Database().Client().ListDatabases(ctx, &motor.ListDatabasesOptions{
		Filter: bson.D{{Key: "name", Value: "example_listdbs"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	var dbs []struct {
		Name       string
		SizeOnDisk int64
		Empty      bool
	}
	if err := cur.All(ctx, &dbs); err != nil {
		log.Fatal(err)
	}
	for _, d := range dbs {
		fmt.Println(d.Name, d.Empty)
	}
	// Output: example_listdbs false
}

func ExampleClient_DropDatabase() {
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
	coll := client.Database("example_dropdb").Collection("people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "name", Value: "Ada"}}, nil); err != nil {
		log.Fatal(err)
	}
	client = coll.Database().Client()

	if err := client.DropDatabase(ctx, "example_dropdb"); err != nil {
		log.Fatal(err)
	}
	names, err := client.ListDatabaseNames(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(slices.Contains(names, "example_dropdb"))
	// Output: false
}

func ExampleDatabase_Drop() {
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
	coll := client.Database("example_dbdrop").Collection("people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "name", Value: "Ada"}}, nil); err != nil {
		log.Fatal(err)
	}

	if err := coll.Database().Drop(ctx); err != nil {
		log.Fatal(err)
	}
	n, err := coll.CountDocuments(ctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output: 0
}

func ExampleClient_ServerInfo() {
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
	db := client.Database("example_serverinfo")

	info, err := db.Client().ServerInfo(ctx) // {buildinfo: 1} on admin
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range info {
		if e.Key == "version" {
			fmt.Println(e.Value != "")
		}
	}
	// Output: true
}

// The database named in the connection string's path, for programs configured by one URI.
func ExampleClient_DefaultDatabase() {
	client, err := motor.Connect("mongodb://127.0.0.1:27017/shop?w=majority")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background()) // Connect does no I/O, but it starts monitoring the server

	db, err := client.DefaultDatabase()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(db.Name())

	other, err := motor.Connect("mongodb://127.0.0.1:27017/")
	if err != nil {
		log.Fatal(err)
	}
	defer other.Disconnect(context.Background())
	_, err = other.DefaultDatabase()
	fmt.Println(err)
	// Output:
	// shop
	// motor: default database: the connection string names no database (mongodb://host/DATABASE)
}
