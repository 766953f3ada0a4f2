package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Group the orders of a collection by item, largest total first.
func ExampleCollection_Aggregate() {
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
	orders := client.Database("example_aggregate").Collection("orders")
	if _, err := orders.InsertMany(ctx, []any{
		bson.D{{Key: "item", Value: "tea"}, {Key: "qty", Value: 2}},
		bson.D{{Key: "item", Value: "jam"}, {Key: "qty", Value: 1}},
		bson.D{{Key: "item", Value: "tea"}, {Key: "qty", Value: 3}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := orders.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$item"}, {Key: "total", Value: bson.D{{Key: "$sum", Value: "$qty"}}}}}},
		{{Key: "$sort", Value: bson.D{{Key: "total", Value: -1}}}},
	}, &motor.AggregateOptions{AllowDiskUse: new(true), Comment: "totals by item"})
	if err != nil {
		log.Fatal(err)
	}
	type total struct {
		Item  string `bson:"_id"`
		Total int    `bson:"total"`
	}
	totals, err := motor.ToListAs[total](ctx, cur, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(totals)
	// Output: [{tea 5} {jam 1}]
}

// Run a pipeline that starts with its own documents: {aggregate: 1, pipeline: [{$documents: [...]}, ...]} on the
// database. FerretDB has no database-level aggregate, so a scripted server plays MongoDB here, answering the
// $documents stage.
func ExampleDatabase_Aggregate() {
	ctx := context.Background()
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("aggregate", func(cmd bson.D) bson.D { // a MongoDB 5.1+ server, as far as $documents goes
		pipeline := cmd[1].Value.(bson.A) // {aggregate: 1, pipeline: [{$documents: [...]}], ...}
		docs := pipeline[0].(bson.D)[0].Value
		return motortest.OK(bson.E{Key: "cursor", Value: bson.D{
			{Key: "id", Value: int64(0)}, {Key: "ns", Value: "app.$cmd.aggregate"}, {Key: "firstBatch", Value: docs},
		}})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("app")

	cur, err := db.Aggregate(ctx, bson.A{
		bson.D{{Key: "$documents", Value: bson.A{bson.D{{Key: "x", Value: 1}}, bson.D{{Key: "x", Value: 2}}}}},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	docs, err := motor.ToListAs[struct{ X int }](ctx, cur, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(docs)
	cmd := f.Commands()[0] // what motor sent
	fmt.Println(cmd[0].Key, cmd[0].Value, cmd[1].Key, cmd[2].Key)
	// Output:
	// [{1} {2}]
	// aggregate 1 pipeline cursor
}
