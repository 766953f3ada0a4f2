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

func ExampleDatabase_ValidateCollection() {
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
	db := client.Database("example_validate")
	orders := db.Collection("orders")
	if _, err := orders.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}}, nil); err != nil {
		log.Fatal(err)
	}

	res, err := db.ValidateCollection(ctx, orders.Name(), &motor.ValidateCollectionOptions{Full: true})
	var invalid *motor.CollectionValidationError
	switch {
	case errors.As(err, &invalid):
		fmt.Println("invalid:", invalid.Result.Errors)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("valid:", res.Valid)
	}

	// A missing collection is the server's NamespaceNotFound.
	_, err = db.ValidateCollection(ctx, "missing", nil)
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		fmt.Println(ce.Code, ce.Name)
	}
	// Output:
	// valid: true
	// 26 NamespaceNotFound
}
