package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// A driver session travels in the context: every motor call made with ctx uses it.
func ExampleClient_StartSession() {
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
	coll := client.Database("example_session").Collection("people")

	sess, err := coll.Database().Client().StartSession(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer sess.EndSession(ctx)
	sctx := mongo.NewSessionContext(ctx, sess)
	if _, err := coll.InsertOne(sctx, bson.D{{Key: "_id", Value: 1}}, nil); err != nil {
		log.Fatal(err)
	}
	n, err := coll.CountDocuments(sctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output: 1
}

// Adopt motor in code that already has a driver client.
func ExampleNewClient() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	uri := srv.URI()
	mc, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		log.Fatal(err)
	}
	client, err := motor.NewClient(mc)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx) // disconnects mc too

	db := client.Database("example_newclient")
	fmt.Println(client.Mongo() == mc, db.Mongo().Name())
	// Output: true example_newclient
}

func ExampleClient_Disconnect() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	uri := srv.URI()
	client, err := motor.Connect(uri)
	if err != nil {
		log.Fatal(err)
	}
	db := client.Database("example_disconnect")

	fmt.Println(client.Disconnect(ctx))
	_, err = db.Command(ctx, "ping", nil)
	fmt.Println(err)
	// Output:
	// <nil>
	// motor: command ping: client is disconnected
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

// Handles chain as the driver's do. A bad name stays in the handle: Err reports it, and every operation on the
// handle, or on its collections, returns it before any I/O.
func ExampleClient_Database() {
	client, err := motor.Connect("mongodb://127.0.0.1:27017/") // no I/O here, nor below
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database("app", motor.WithReadPreference(readpref.Nearest()))
	fmt.Println(db.Name(), db.ReadPreference().Mode(), db.Collection("posts").FullName())

	bad := client.Database("my.app")
	fmt.Println(bad.Err())
	_, err = bad.Collection("posts").CountDocuments(context.Background(), bson.D{}, nil)
	fmt.Println(errors.Is(err, motor.ErrInvalidName), err)
	// Output:
	// app nearest app.posts
	// motor: invalid database name "my.app": must not contain the character '.'
	// true motor: count documents my.app.posts: invalid database name "my.app": must not contain the character '.'
}
