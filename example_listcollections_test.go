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

// List the collections with their information, filtered on their options.
func ExampleDatabase_ListCollections() {
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
	db := client.Database("example_list_collections")
	if _, err := db.CreateCollection(ctx, "events", &motor.CreateCollectionOptions{Capped: true, Size: 4096}); err != nil {
		log.Fatal(err)
	}
	if _, err := db.CreateCollection(ctx, "users", nil); err != nil {
		log.Fatal(err)
	}

	cur, err := db.ListCollections(ctx, &motor.ListCollectionsOptions{
		Filter: bson.D{{Key: "options.capped", Value: true}},
	})
	if err != nil {
		log.Fatal(err)
	}
	var infos []struct {
		Name    string `bson:"name"`
		Type    string `bson:"type"`
		Options struct {
			Capped bool `bson:"capped"`
		} `bson:"options"`
	}
	if err := cur.All(ctx, &infos); err != nil {
		log.Fatal(err)
	}
	for _, info := range infos {
		fmt.Println(info.Name, info.Type, info.Options.Capped)
	}
	// Output: events collection true
}

// List collection names, all or by a filter on the name.
func ExampleDatabase_ListCollectionNames() {
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
	db := client.Database("example_list_collection_names")
	for _, name := range []string{"orders", "order_lines", "users"} {
		if _, err := db.CreateCollection(ctx, name, nil); err != nil {
			log.Fatal(err)
		}
	}

	names, err := db.ListCollectionNames(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(names) // the server's order is unspecified
	fmt.Println(names)

	names, err = db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{
		Filter: bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^order"}}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(names)
	fmt.Println(names)
	// Output:
	// [order_lines orders users]
	// [order_lines orders]
}
