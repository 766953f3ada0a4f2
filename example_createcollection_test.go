package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Create a capped collection; creating it again is ErrCollectionInvalid.
func ExampleDatabase_CreateCollection() {
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
	db := client.Database("example_create_collection")

	events, err := db.CreateCollection(ctx, "events", &motor.CreateCollectionOptions{
		Capped: true, Size: 1 << 20, Max: 1000,
		WriteConcern: writeconcern.Majority(), // also the returned collection's write concern
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(events.FullName(), events.WriteConcern().W)

	_, err = db.CreateCollection(ctx, "events", nil)
	fmt.Println(errors.Is(err, motor.ErrCollectionInvalid), err)

	_, err = db.CreateCollection(ctx, "bad..name", nil) // checked before any I/O
	fmt.Println(errors.Is(err, motor.ErrInvalidName))
	// Output:
	// example_create_collection.events majority
	// true motor: collection events already exists
	// true
}
