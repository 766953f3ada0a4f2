package motor_test

import (
	"context"
	"fmt"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// exampleFsync starts a scripted stand-in for the fsync commands of mongod (FerretDB has none), which keeps its lock
// count, and returns a client of it and a function that stops both.
func exampleFsync() (*motor.Client, func()) {
	f, db, stop := exampleFakeDB("admin")
	var locks atomic.Int32
	f.Handle("fsync", func(cmd bson.D) bson.D {
		if getField(cmd, "lock") == true {
			return motortest.OK(bson.E{Key: "numFiles", Value: int32(1)}, bson.E{Key: "lockCount", Value: locks.Add(1)},
				bson.E{Key: "info", Value: "now locked against writes, use db.fsyncUnlock() to unlock"})
		}
		return motortest.OK(bson.E{Key: "numFiles", Value: int32(1)})
	})
	f.Handle("fsyncUnlock", func(bson.D) bson.D {
		if locks.Load() == 0 {
			return motortest.CommandError(125, "CommandFailed", "fsyncUnlock called when not locked")
		}
		return motortest.OK(bson.E{Key: "info", Value: "fsyncUnlock completed"}, bson.E{Key: "lockCount", Value: locks.Add(-1)})
	})
	return db.Client(), stop
}

func ExampleClient_Fsync() {
	ctx := context.Background()
	client, stop := exampleFsync()
	defer stop()

	// Flush and lock against writes, for a backup of the data files; then unlock.
	err := client.Fsync(ctx, &motor.FsyncOptions{Lock: true}) //nolint:staticcheck // the example of a deprecated method
	fmt.Println(err)
	fmt.Println(client.Unlock(ctx)) //nolint:staticcheck // the example of a deprecated method

	// The replacement: run the command, which returns its reply.
	admin := client.Database("admin")
	reply, err := admin.Command(ctx, "fsync", &motor.CommandOptions{Extra: bson.D{{Key: "lock", Value: true}}})
	fmt.Println("lockCount", getField(reply, "lockCount"), err)
	reply, err = admin.Command(ctx, "fsyncUnlock", nil)
	fmt.Println("lockCount", getField(reply, "lockCount"), err)
	// Output:
	// <nil>
	// <nil>
	// lockCount 1 <nil>
	// lockCount 0 <nil>
}

// Unlock is not an error when the server is not locked, as in PyMongo.
func ExampleClient_Unlock() {
	ctx := context.Background()
	client, stop := exampleFsync()
	defer stop()

	fmt.Println(client.Unlock(ctx)) //nolint:staticcheck // the example of a deprecated method
	// Output: <nil>
}
