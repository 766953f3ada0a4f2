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

// Map-reduce into a collection. FerretDB has no mapReduce: a scripted wire-level server answers like MongoDB.
func ExampleCollection_MapReduce() {
	ctx := context.Background()
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("mapReduce", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "result", Value: "totals"})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	orders := client.Database("app").Collection("orders")

	res, err := orders.MapReduce(ctx,
		"function () { emit(this.sku, this.qty); }",
		"function (key, values) { return Array.sum(values); }",
		"totals", &motor.MapReduceOptions{Query: bson.D{{Key: "status", Value: "paid"}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Collection.FullName())
	cmd := f.Commands()[0] // what motor sent
	fmt.Println(cmd[0].Key, cmd[0].Value, cmd[3].Key, cmd[3].Value, cmd[4].Key, cmd[4].Value)

	// Servers without mapReduce answer CommandNotFound, and the error says what became of it.
	f.Handle("mapReduce", nil)
	_, err = orders.MapReduce(ctx, "function () {}", "function () {}", "totals", nil)
	fmt.Println(errors.As(err, &mongo.CommandError{}), err)
	// Output:
	// app.totals
	// mapReduce orders out totals query {"status":"paid"}
	// true motor: map reduce app.orders: the server has no mapReduce command, which MongoDB deprecated in 5.0: (CommandNotFound) no such command: 'mapReduce'
}

// Map-reduce with the results in the reply, from a scripted wire-level server that answers like MongoDB.
func ExampleCollection_InlineMapReduce() {
	ctx := context.Background()
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("mapReduce", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "results", Value: bson.A{
			bson.D{{Key: "_id", Value: "apple"}, {Key: "value", Value: 8.0}},
			bson.D{{Key: "_id", Value: "pear"}, {Key: "value", Value: 3.0}},
		}})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	orders := client.Database("app").Collection("orders")

	res, err := orders.InlineMapReduce(ctx,
		"function () { emit(this.sku, this.qty); }",
		"function (key, values) { return Array.sum(values); }", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range res.Results {
		fmt.Println(d[0].Value, d[1].Value)
	}
	// Output:
	// apple 8
	// pear 3
}

// Rebuild the indexes of a collection on a standalone server, here a scripted one (FerretDB has no reIndex).
func ExampleCollection_Reindex() {
	ctx := context.Background()
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("reIndex", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "nIndexesWas", Value: int32(2)}, bson.E{Key: "nIndexes", Value: int32(2)})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	orders := client.Database("app").Collection("orders")

	reply, err := orders.Reindex(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply[1].Key, reply[1].Value)
	fmt.Println(f.Commands()[0][0]) // what motor sent

	// A replica set member (MongoDB 5.0+) refuses.
	f.Handle("reIndex", func(bson.D) bson.D {
		return motortest.CommandError(20, "IllegalOperation", "reIndex is only allowed on a standalone mongod instance")
	})
	_, err = orders.Reindex(ctx, nil)
	fmt.Println(err)
	// Output:
	// nIndexes 2
	// {reIndex orders}
	// motor: reindex app.orders: from MongoDB 5.0 on, reIndex runs only on a standalone mongod: (IllegalOperation) reIndex is only allowed on a standalone mongod instance
}
