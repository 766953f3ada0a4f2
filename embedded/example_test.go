package embedded_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor/embedded"
)

// Start a server, connect to it with the driver, write and read a document.
func ExampleStart() {
	ctx := context.Background()

	srv, err := embedded.Start(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	pets := client.Database("example").Collection("pets")
	if _, err = pets.InsertOne(ctx, bson.D{{Key: "name", Value: "Rex"}, {Key: "kind", Value: "dog"}}); err != nil {
		log.Fatal(err)
	}

	var pet struct {
		Name string `bson:"name"`
		Kind string `bson:"kind"`
	}
	if err = pets.FindOne(ctx, bson.D{{Key: "name", Value: "Rex"}}).Decode(&pet); err != nil {
		log.Fatal(err)
	}
	fmt.Println(pet.Name, "is a", pet.Kind)
	// Output: Rex is a dog
}

// With Options.Dir the data outlives the server: a later server on the same directory sees it.
func ExampleOptions_dir() {
	ctx := context.Background()

	dir, err := os.MkdirTemp("", "example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	count := func(insert bool) int64 {
		srv, err := embedded.Start(ctx, &embedded.Options{Dir: dir})
		if err != nil {
			log.Fatal(err)
		}
		defer srv.Close()

		client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
		if err != nil {
			log.Fatal(err)
		}
		defer client.Disconnect(ctx)

		visits := client.Database("example").Collection("visits")
		if insert {
			if _, err = visits.InsertOne(ctx, bson.D{{Key: "page", Value: "/"}}); err != nil {
				log.Fatal(err)
			}
		}
		n, err := visits.CountDocuments(ctx, bson.D{})
		if err != nil {
			log.Fatal(err)
		}
		return n
	}

	fmt.Println("first server:", count(true))
	fmt.Println("second server:", count(true))
	fmt.Println("third server, read only:", count(false))
	// Output:
	// first server: 1
	// second server: 2
	// third server, read only: 2
}
