package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Pass any driver option to Connect: here a command monitor that sees each command sent.
func ExampleWithClientOptions() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	uri := srv.URI()
	var sent []string
	monitor := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		sent = append(sent, e.CommandName)
	}}
	client, err := motor.Connect(uri, motor.WithClientOptions(options.Client().SetMonitor(monitor)))
	if err != nil {
		log.Fatal(err)
	}
	db := client.Database("example_clientoptions")
	if _, err := db.Command(ctx, "ping", nil); err != nil {
		log.Fatal(err)
	}
	if err := client.Disconnect(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(sent)
	// Output: [ping endSessions]
}
