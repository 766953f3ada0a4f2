package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleCollection_InsertOne() {
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
	coll := client.Database("example_insertone").Collection("people")

	res, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "ann"}, {Key: "age", Value: 31}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.InsertedID)
	// Output: ann
}

func ExampleCollection_InsertMany() {
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
	coll := client.Database("example_insertmany").Collection("people")

	res, err := coll.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "name", Value: "bob"}},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.InsertedIDs)
	// Output: [1 2]
}

func ExampleCollection_FindOne() {
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
	coll := client.Database("example_findone").Collection("people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}}, nil); err != nil {
		log.Fatal(err)
	}

	var person struct {
		Name string `bson:"name"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil).Decode(&person); err != nil {
		log.Fatal(err)
	}
	fmt.Println(person.Name)

	err = coll.FindOne(ctx, bson.D{{Key: "_id", Value: 2}}, nil).Err()
	fmt.Println(err == mongo.ErrNoDocuments)
	// Output:
	// ann
	// true
}

func ExampleCollection_UpdateOne() {
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
	coll := client.Database("example_updateone").Collection("counters")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "hits"}, {Key: "n", Value: 1}}, nil); err != nil {
		log.Fatal(err)
	}

	res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "hits"}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	var c struct{ N int }
	if err := coll.FindOne(ctx, bson.D{}, nil).Decode(&c); err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.MatchedCount, res.ModifiedCount, c.N)
	// Output: 1 1 2
}

func ExampleCollection_UpdateMany() {
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
	coll := client.Database("example_updatemany").Collection("items")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "qty", Value: 1}}, bson.D{{Key: "qty", Value: 5}}, bson.D{{Key: "qty", Value: 9}}}, nil); err != nil {
		log.Fatal(err)
	}

	res, err := coll.UpdateMany(ctx, bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: 2}}}}, bson.D{{Key: "$set", Value: bson.D{{Key: "big", Value: true}}}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ModifiedCount)
	// Output: 2
}

func ExampleCollection_ReplaceOne() {
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
	coll := client.Database("example_replaceone").Collection("people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}}, nil); err != nil {
		log.Fatal(err)
	}

	if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "name", Value: "anne"}, {Key: "age", Value: 32}}, nil); err != nil {
		log.Fatal(err)
	}
	raw, err := coll.FindOne(ctx, bson.D{}, nil).Raw()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(raw)
	// Output: {"_id": {"$numberInt":"1"},"name": "anne","age": {"$numberInt":"32"}}
}

func ExampleCollection_DeleteOne() {
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
	coll := client.Database("example_deleteone").Collection("people")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}}, nil); err != nil {
		log.Fatal(err)
	}

	res, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	n, err := coll.CountDocuments(ctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.DeletedCount, n)
	// Output: 1 1
}

func ExampleCollection_DeleteMany() {
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
	coll := client.Database("example_deletemany").Collection("people")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}}, nil); err != nil {
		log.Fatal(err)
	}

	res, err := coll.DeleteMany(ctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.DeletedCount)
	// Output: 2
}

func ExampleCollection_CountDocuments() {
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
	coll := client.Database("example_count").Collection("items")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "qty", Value: 1}}, bson.D{{Key: "qty", Value: 5}}}, nil); err != nil {
		log.Fatal(err)
	}

	n, err := coll.CountDocuments(ctx, bson.D{{Key: "qty", Value: bson.D{{Key: "$gte", Value: 5}}}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output: 1
}

func ExampleCollection_Drop() {
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
	db := client.Database("example_drop")
	coll := db.Collection("scratch")
	if _, err := coll.InsertOne(ctx, bson.D{}, nil); err != nil {
		log.Fatal(err)
	}

	if err := coll.Drop(ctx); err != nil {
		log.Fatal(err)
	}
	names, err := db.ListCollectionNames(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(names))
	// Output: 0
}

// A collection with other settings than its database's: here a majority write concern.
func ExampleCollection_WithOptions() {
	client, err := motor.Connect("mongodb://127.0.0.1:27017/")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database("app")
	orders := db.Collection("orders")
	safe := orders.WithOptions(motor.WithWriteConcern(writeconcern.Majority()), motor.WithReadConcern(readconcern.Majority()))
	err = safe.Err()
	fmt.Println(orders.WriteConcern().W, safe.WriteConcern().W, safe.ReadConcern().Level, err)
	// Output: <nil> majority majority <nil>
}

func ExampleCollection_Find() {
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
	db := client.Database("example_find")
	coll := db.Collection("numbers")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}}, nil); err != nil {
		log.Fatal(err)
	}
	cur, err := coll.Find(ctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	var docs []struct {
		ID int `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		log.Fatal(err)
	}
	fmt.Println(docs)
	// Output: [{1} {2}]
}
