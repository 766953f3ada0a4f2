package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleCollection_InsertOne() {
	ctx := context.Background()
	coll, done := exampleColl("example_insertone", "people")
	defer done()

	res, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "ann"}, {Key: "age", Value: 31}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.InsertedID)
	// Output: ann
}

func ExampleCollection_InsertMany() {
	ctx := context.Background()
	coll, done := exampleColl("example_insertmany", "people")
	defer done()

	res, err := coll.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "name", Value: "bob"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.InsertedIDs)
	// Output: [1 2]
}

func ExampleCollection_FindOne() {
	ctx := context.Background()
	coll, done := exampleColl("example_findone", "people")
	defer done()
	_, _ = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}})

	var person struct {
		Name string `bson:"name"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: 1}}).Decode(&person); err != nil {
		log.Fatal(err)
	}
	fmt.Println(person.Name)

	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: 2}}).Err()
	fmt.Println(err == mongo.ErrNoDocuments)
	// Output:
	// ann
	// true
}

func ExampleCollection_UpdateOne() {
	ctx := context.Background()
	coll, done := exampleColl("example_updateone", "counters")
	defer done()
	_, _ = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "hits"}, {Key: "n", Value: 1}})

	res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "hits"}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
	if err != nil {
		log.Fatal(err)
	}
	var c struct{ N int }
	_ = coll.FindOne(ctx, bson.D{}).Decode(&c)
	fmt.Println(res.MatchedCount, res.ModifiedCount, c.N)
	// Output: 1 1 2
}

func ExampleCollection_UpdateMany() {
	ctx := context.Background()
	coll, done := exampleColl("example_updatemany", "items")
	defer done()
	_, _ = coll.InsertMany(ctx, []any{bson.D{{Key: "qty", Value: 1}}, bson.D{{Key: "qty", Value: 5}}, bson.D{{Key: "qty", Value: 9}}})

	res, err := coll.UpdateMany(ctx, bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: 2}}}}, bson.D{{Key: "$set", Value: bson.D{{Key: "big", Value: true}}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ModifiedCount)
	// Output: 2
}

func ExampleCollection_ReplaceOne() {
	ctx := context.Background()
	coll, done := exampleColl("example_replaceone", "people")
	defer done()
	_, _ = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}})

	if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "name", Value: "anne"}, {Key: "age", Value: 32}}); err != nil {
		log.Fatal(err)
	}
	raw, _ := coll.FindOne(ctx, bson.D{}).Raw()
	fmt.Println(raw)
	// Output: {"_id": {"$numberInt":"1"},"name": "anne","age": {"$numberInt":"32"}}
}

func ExampleCollection_DeleteOne() {
	ctx := context.Background()
	coll, done := exampleColl("example_deleteone", "people")
	defer done()
	_, _ = coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}})

	res, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: 1}})
	if err != nil {
		log.Fatal(err)
	}
	n, _ := coll.CountDocuments(ctx, bson.D{})
	fmt.Println(res.DeletedCount, n)
	// Output: 1 1
}

func ExampleCollection_DeleteMany() {
	ctx := context.Background()
	coll, done := exampleColl("example_deletemany", "people")
	defer done()
	_, _ = coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}})

	res, err := coll.DeleteMany(ctx, bson.D{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.DeletedCount)
	// Output: 2
}

func ExampleCollection_CountDocuments() {
	ctx := context.Background()
	coll, done := exampleColl("example_count", "items")
	defer done()
	_, _ = coll.InsertMany(ctx, []any{bson.D{{Key: "qty", Value: 1}}, bson.D{{Key: "qty", Value: 5}}})

	n, err := coll.CountDocuments(ctx, bson.D{{Key: "qty", Value: bson.D{{Key: "$gte", Value: 5}}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output: 1
}

func ExampleCollection_Drop() {
	ctx := context.Background()
	db, done := exampleDB("example_drop")
	defer done()
	coll, _ := db.Collection("scratch")
	_, _ = coll.InsertOne(ctx, bson.D{})

	if err := coll.Drop(ctx); err != nil {
		log.Fatal(err)
	}
	names, _ := db.ListCollectionNames(ctx, nil)
	fmt.Println(len(names))
	// Output: 0
}

// Iterate a query one document at a time.
func ExampleCursor_Next() {
	ctx := context.Background()
	coll, done := exampleColl("example_cursor_next", "numbers")
	defer done()
	_, _ = coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}})

	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var doc struct {
			ID int `bson:"_id"`
		}
		if err := cur.Decode(&doc); err != nil {
			log.Fatal(err)
		}
		fmt.Println(doc.ID)
	}
	if err := cur.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1
	// 2
}

// A driver session travels in the context: every motor call made with ctx uses it.
func ExampleClient_StartSession() {
	ctx := context.Background()
	coll, done := exampleColl("example_session", "people")
	defer done()

	sess, err := coll.Database().Client().StartSession()
	if err != nil {
		log.Fatal(err)
	}
	defer sess.EndSession(ctx)
	sctx := mongo.NewSessionContext(ctx, sess)
	if _, err := coll.InsertOne(sctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
		log.Fatal(err)
	}
	n, _ := coll.CountDocuments(sctx, bson.D{})
	fmt.Println(n)
	// Output: 1
}

// Adopt motor in code that already has a driver client.
func ExampleNewClient() {
	ctx := context.Background()
	uri, _ := motortest.SharedURI()
	mc, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		log.Fatal(err)
	}
	client, err := motor.NewClient(mc)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx) // disconnects mc too

	db, _ := client.Database("example_newclient")
	fmt.Println(client.Mongo() == mc, db.Mongo().Name())
	// Output: true example_newclient
}

func ExampleClient_Disconnect() {
	ctx := context.Background()
	uri, _ := motortest.SharedURI()
	client, _ := motor.Connect(uri)
	db, _ := client.Database("example_disconnect")

	fmt.Println(client.Disconnect(ctx))
	_, err := db.Command(ctx, "ping", nil)
	fmt.Println(err)
	// Output:
	// <nil>
	// motor: command ping: client is disconnected
}

// Decode every remaining document into a slice.
func ExampleCursor_All() {
	ctx := context.Background()
	coll, done := exampleColl("example_cursor_all", "people")
	defer done()
	_, _ = coll.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "name", Value: "bob"}},
	})

	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		log.Fatal(err)
	}
	var people []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &people); err != nil {
		log.Fatal(err)
	}
	fmt.Println(people)
	// Output: [{ann} {bob}]
}

// TryNext does not wait for more results: it reports false when none is ready, and the cursor ID tells whether
// the server has more.
func ExampleCursor_TryNext() {
	ctx := context.Background()
	coll, done := exampleColl("example_cursor_trynext", "people")
	defer done()
	_, _ = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}})

	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	fmt.Println(cur.TryNext(ctx), cur.TryNext(ctx), cur.ID(), cur.Err())
	// Output: true false 0 <nil>
}

// A collection with other settings than its database's: here a majority write concern.
func ExampleCollection_WithOptions() {
	client, _ := motor.Connect("mongodb://127.0.0.1:27017/")
	defer client.Disconnect(context.Background())
	db, _ := client.Database("app")
	orders, _ := db.Collection("orders")
	safe, err := orders.WithOptions(motor.WithWriteConcern(writeconcern.Majority()), motor.WithReadConcern(readconcern.Majority()))
	fmt.Println(orders.WriteConcern().W, safe.WriteConcern().W, safe.ReadConcern().Level, err)
	// Output: <nil> majority majority <nil>
}

// Pass any driver option to Connect: here a command monitor that sees each command sent.
func ExampleWithClientOptions() {
	ctx := context.Background()
	uri, _ := motortest.SharedURI()
	var sent []string
	monitor := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		sent = append(sent, e.CommandName)
	}}
	client, err := motor.Connect(uri, motor.WithClientOptions(options.Client().SetMonitor(monitor)))
	if err != nil {
		log.Fatal(err)
	}
	db, _ := client.Database("example_clientoptions")
	_, _ = db.Command(ctx, "ping", nil)
	_ = client.Disconnect(ctx)
	fmt.Println(sent)
	// Output: [ping endSessions]
}

func ExampleNewUUID() {
	u := motor.NewUUID()
	fmt.Println(len(u.String()), u.String()[14:15]) // random, of version 4
	// Output: 36 4
}
