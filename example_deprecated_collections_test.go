package motor_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// The deprecated collection_names, with and without system collections.
func ExampleDatabase_CollectionNames() {
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
	db := client.Database("example_collection_names")
	if _, err := db.CreateCollection(ctx, "orders", nil); err != nil {
		log.Fatal(err)
	}

	names, err := db.CollectionNames(ctx, false) //nolint:staticcheck // the deprecated helper itself
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)
	// Output: [orders]
}
