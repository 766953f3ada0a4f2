package motor_test

import (
	"context"
	"fmt"
)

// The deprecated collection_names, with and without system collections.
func ExampleDatabase_CollectionNames() {
	ctx := context.Background()
	db, done := exampleDB("example_collection_names")
	defer done()
	_, _ = db.CreateCollection(ctx, "orders", nil)

	names, err := db.CollectionNames(ctx, false) //nolint:staticcheck // the deprecated helper itself
	fmt.Println(names, err)
	// Output: [orders] <nil>
}
