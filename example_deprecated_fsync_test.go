package motor_test

import (
	"context"
	"fmt"
	"log"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleClient_Fsync() {
	ctx := context.Background()
	// FerretDB has no fsync: a scripted wire-level server answers like mongod, keeping its lock count.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var locks atomic.Int32 // handlers run on the fake's goroutines
	f.Handle("fsync", func(cmd bson.D) bson.D {
		for _, e := range cmd {
			if e.Key == "lock" && e.Value == true {
				return motortest.OK(bson.E{Key: "numFiles", Value: int32(1)}, bson.E{Key: "lockCount", Value: locks.Add(1)},
					bson.E{Key: "info", Value: "now locked against writes, use db.fsyncUnlock() to unlock"})
			}
		}
		return motortest.OK(bson.E{Key: "numFiles", Value: int32(1)})
	})
	f.Handle("fsyncUnlock", func(bson.D) bson.D {
		if locks.Load() == 0 {
			return motortest.CommandError(125, "CommandFailed", "fsyncUnlock called when not locked")
		}
		return motortest.OK(bson.E{Key: "info", Value: "fsyncUnlock completed"}, bson.E{Key: "lockCount", Value: locks.Add(-1)})
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	// Flush and lock against writes, for a backup of the data files; then unlock.
	if err := client.Fsync(ctx, &motor.FsyncOptions{Lock: true}); err != nil { //nolint:staticcheck // the example of a deprecated method
		log.Fatal(err)
	}
	if err := client.Unlock(ctx); err != nil { //nolint:staticcheck // the example of a deprecated method
		log.Fatal(err)
	}

	// The replacement: run the command, which returns its reply.
	admin := client.Database("admin")
	reply, err := admin.Command(ctx, "fsync", &motor.CommandOptions{Extra: bson.D{{Key: "lock", Value: true}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply.String())
	reply, err = admin.Command(ctx, "fsyncUnlock", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply.String())
	// Output:
	// {"numFiles":{"$numberInt":"1"},"lockCount":{"$numberInt":"1"},"info":"now locked against writes, use db.fsyncUnlock() to unlock","ok":{"$numberDouble":"1.0"}}
	// {"info":"fsyncUnlock completed","lockCount":{"$numberInt":"0"},"ok":{"$numberDouble":"1.0"}}
}

// Unlock is not an error when the server is not locked, as in PyMongo.
func ExampleClient_Unlock() {
	ctx := context.Background()
	// FerretDB has no fsyncUnlock: a scripted wire-level server answers like a mongod that is not locked.
	f, err := motortest.StartFake()
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Handle("fsyncUnlock", func(bson.D) bson.D {
		return motortest.CommandError(125, "CommandFailed", "fsyncUnlock called when not locked")
	})
	client, err := motor.Connect(f.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	fmt.Println(client.Unlock(ctx)) //nolint:staticcheck // the example of a deprecated method
	// Output: <nil>
}
