package motor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// TestServerErrorDetails checks that a command error gives the server's message and code as PyMongo's
// _check_command_response reads them: a legacy reply without ok gives its $err, and a mongos reply gives the first
// failed shard's, while Raw keeps the whole reply.
func TestServerErrorDetails(t *testing.T) {
	f := motortest.NewFake(t)
	db := fakeDB(t, f, "shop")
	for _, tc := range []struct {
		desc     string
		reply    bson.D
		wantMsg  string
		wantCode int32
		wantName string
	}{
		{
			desc:     "legacy $err",
			reply:    bson.D{{Key: "$err", Value: "unauthorized for this"}, {Key: "code", Value: int32(13)}},
			wantMsg:  "motor: command legacy: unauthorized for this",
			wantCode: 13,
		},
		{
			desc: "mongos raw: the failed shard's",
			reply: bson.D{
				{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "outer message"}, {Key: "code", Value: int32(1)},
				{Key: "raw", Value: bson.D{
					{Key: "rs0/a:27018", Value: bson.D{{Key: "ok", Value: 1.0}}},
					{Key: "rs1/b:27018", Value: bson.D{
						{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "ns not found"}, {Key: "code", Value: int32(26)},
						{Key: "codeName", Value: "NamespaceNotFound"},
					}},
				}},
			},
			wantMsg:  "motor: command legacy: (NamespaceNotFound) ns not found",
			wantCode: 26,
			wantName: "NamespaceNotFound",
		},
		{
			desc:     "plain failure: as the driver reads it",
			reply:    motortest.CommandError(2, "BadValue", "bad value"),
			wantMsg:  "motor: command legacy: (BadValue) bad value",
			wantCode: 2,
			wantName: "BadValue",
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			f.Handle("legacy", func(bson.D) bson.D { return tc.reply })
			_, err := db.Command(t.Context(), "legacy", nil)
			var ce mongo.CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a mongo.CommandError", err)
			}
			if err.Error() != tc.wantMsg || ce.Code != tc.wantCode || ce.Name != tc.wantName {
				t.Errorf("err = %q (code %d, name %q), want %q (code %d, name %q)", err, ce.Code, ce.Name, tc.wantMsg, tc.wantCode, tc.wantName)
			}
			diff(t, "Raw", tc.reply, bsonD(t, ce.Raw))
		})
	}
}

func bsonD(t testing.TB, raw bson.Raw) bson.D {
	t.Helper()
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDisconnectHonoursContext checks that Disconnect returns by its context's deadline while another goroutine's
// operation waits on server selection, and that the operation then ends.
func TestDisconnectHonoursContext(t *testing.T) {
	ln := motortest.NewProxy(t, "127.0.0.1:1") // a server nobody answers for: every dial is refused
	c, err := motor.Connect(ln.URI(), motor.WithClientOptions(options.Client().SetServerSelectionTimeout(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database("shop")
	opDone := make(chan error, 1)
	go func() {
		// The driver's server selection does not notice the client closing (it spins on the closed subscription),
		// so the ping ends by its own deadline.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, err := db.Command(ctx, "ping", nil)
		opDone <- err
	}()
	time.Sleep(100 * time.Millisecond) // the ping is now waiting on server selection

	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_ = c.Disconnect(ctx)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Disconnect with a 500ms context took %v", took)
	}
	select {
	case err := <-opDone:
		if err == nil {
			t.Error("the ping succeeded against no server")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the ping still waits 10s after Disconnect")
	}
}
