package motortest_test

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor/motortest"
)

// A proxy between a client and a server resets the connection at the next reply: the client sees a network error,
// and works again on a new connection.
func ExampleProxy() {
	// in tests, use motortest.NewFake(t) and motortest.NewProxy(t, addr), which close on cleanup
	f, err := motortest.StartFake()
	if err != nil {
		panic(err)
	}
	defer f.Close()
	p, err := motortest.StartProxy(f.Addr())
	if err != nil {
		panic(err)
	}
	defer p.Close()

	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(p.URI()).SetHeartbeatInterval(time.Minute))
	if err != nil {
		panic(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // runs before p.Close
	ping := func() error { return client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err() }

	fmt.Println("ping:", ping())
	p.SetFault(motortest.FaultReset)
	err = ping()
	fmt.Println("ping through a reset, a network error:", mongo.IsNetworkError(err))
	fmt.Println("ping again:", ping(), "- faults applied:", p.Faults())
	// Output:
	// ping: <nil>
	// ping through a reset, a network error: true
	// ping again: <nil> - faults applied: 1
}
