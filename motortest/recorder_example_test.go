package motortest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor/motortest"
)

// Record the commands a client sends and compare them, key order included.
func ExampleRecorder() {
	ctx := context.Background()
	uri, err := motortest.SharedURI() // FerretDB as a child process, or $MONGODB_URI
	if err != nil {
		log.Fatal(err)
	}
	rec := motortest.NewRecorder()
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetMonitor(rec.Monitor()))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	coll := client.Database("example_recorder").Collection("things")
	err = coll.FindOne(ctx, bson.D{{Key: "x", Value: 1}}).Err()
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) { // an empty collection is fine: the command was sent
		log.Fatal(err)
	}
	fmt.Println(rec.Names())
	fmt.Println(rec.Commands("find")[0])
	// Output:
	// [find]
	// {"find":"things","filter":{"x":{"$numberInt":"1"}},"limit":{"$numberLong":"1"},"singleBatch":true,"$db":"example_recorder"}
}
