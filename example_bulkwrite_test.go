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

// Send inserts, updates, a replacement and a delete in one call, with PyMongo's model names; a driver model fits
// in too. A duplicate key stops an ordered bulk write, and the error keeps the driver's BulkWriteException.
func ExampleCollection_BulkWrite() {
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
	stock := client.Database("example_bulk_write").Collection("stock")

	res, err := stock.BulkWrite(ctx, []motor.WriteModel{
		motor.InsertOne{Document: bson.D{{Key: "_id", Value: "apple"}, {Key: "qty", Value: 5}}},
		motor.InsertOne{Document: bson.D{{Key: "_id", Value: "pear"}, {Key: "qty", Value: 0}}},
		motor.ReplaceOne{Filter: bson.D{{Key: "_id", Value: "plum"}}, Replacement: bson.D{{Key: "qty", Value: 7}}, Upsert: true},
		motor.UpdateOne{Filter: bson.D{{Key: "_id", Value: "apple"}}, Update: bson.D{{Key: "$inc", Value: bson.D{{Key: "qty", Value: 3}}}}},
		motor.DeleteMany{Filter: bson.D{{Key: "qty", Value: 0}}},
		motor.DriverModel{Model: mongo.NewInsertOneModel().SetDocument(bson.D{{Key: "_id", Value: "fig"}, {Key: "qty", Value: 1}})},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("inserted", res.InsertedCount, "modified", res.ModifiedCount, "upserted", res.UpsertedIDs, "deleted", res.DeletedCount)

	_, err = stock.BulkWrite(ctx, []motor.WriteModel{
		motor.InsertOne{Document: bson.D{{Key: "_id", Value: "kiwi"}}},
		motor.InsertOne{Document: bson.D{{Key: "_id", Value: "apple"}}}, // taken
		motor.InsertOne{Document: bson.D{{Key: "_id", Value: "lime"}}},  // not sent: the bulk write is ordered
	}, nil)
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) {
		fmt.Println("failed model", bwe.WriteErrors[0].Index, "duplicate key", mongo.IsDuplicateKeyError(err))
	}
	n, err := stock.CountDocuments(ctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output:
	// inserted 3 modified 1 upserted map[2:plum] deleted 1
	// failed model 1 duplicate key true
	// 4
}
