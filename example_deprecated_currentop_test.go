package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleDatabase_CurrentOp() {
	ctx := context.Background()
	// What currentOp reports depends on the moment: this example talks to a scripted wire-level server that answers
	// like a mongod with one index build running. (On FerretDB, CurrentOp reports no operations.)
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("currentOp", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "inprog", Value: bson.A{bson.D{
			{Key: "type", Value: "op"},
			{Key: "active", Value: true},
			{Key: "opid", Value: int32(4711)},
			{Key: "secs_running", Value: int64(31)},
			{Key: "op", Value: "command"},
			{Key: "ns", Value: "shop.orders"},
			{Key: "command", Value: bson.D{{Key: "createIndexes", Value: "orders"}}},
			{Key: "msg", Value: "Index Build: scanning collection 5000/10000 50%"},
		}}})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("shop")

	res, err := db.CurrentOp(ctx, nil) //nolint:staticcheck // the example of a deprecated method
	if err != nil {
		log.Fatal(err)
	}
	for _, op := range res.InProg {
		fmt.Println(op.OpID, op.Op, op.NS, op.SecsRunning, op.Msg)
	}
	// Output: 4711 command shop.orders 31 Index Build: scanning collection 5000/10000 50%
}
