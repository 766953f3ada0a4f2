package motor_test

import (
	"context"
	"fmt"
	"log"
)

func ExampleDatabase_CurrentOp() {
	ctx := context.Background()
	// What currentOp reports depends on the moment: this example talks to a scripted stand-in for mongod with one
	// index build running. (On FerretDB, CurrentOp reports no operations.)
	db, stop := exampleMongod()
	defer stop()

	res, err := db.CurrentOp(ctx, nil) //nolint:staticcheck // the example of a deprecated method
	if err != nil {
		log.Fatal(err)
	}
	for _, op := range res.InProg {
		fmt.Println(op.OpID, op.Op, op.NS, op.SecsRunning, op.Msg)
	}
	// Output: 4711 command shop.orders 31 Index Build: scanning collection 5000/10000 50%
}
