package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Rename a collection; the new name is checked before any I/O.
func ExampleCollection_Rename() {
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
	staging := client.Database("example_rename").Collection("staging")
	if _, err := staging.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil); err != nil {
		log.Fatal(err)
	}

	live, err := staging.Rename(ctx, "live", nil)
	if err != nil {
		log.Fatal(err)
	}
	n, err := live.CountDocuments(ctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(live.FullName(), n)

	_, err = live.Rename(ctx, "bad..name", nil)
	fmt.Println(errors.Is(err, motor.ErrInvalidName))
	// Output:
	// example_rename.live 1
	// true
}
