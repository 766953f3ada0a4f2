package motor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// TestOutage kills the server behind a proxy in the middle of a client's work, checks that operations during the
// outage fail within their deadline with errors that say what happened, starts a server on the same data behind the
// same address, and checks that the same Client works again and that every acknowledged insert is there once.
func TestOutage(t *testing.T) {
	if motortest.Real() {
		t.Skip("kills the embedded server")
	}
	dir := t.TempDir()
	srv, err := motortest.StartServer(t.Context(), &motortest.ServerOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	proxy := motortest.NewProxy(t, srv.Addr())
	client, err := motor.Connect(proxy.URI(), motor.WithClientOptions(options.Client().
		SetHeartbeatInterval(500*time.Millisecond).SetServerSelectionTimeout(10*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database("outage")
	coll := db.Collection("c")

	var acked []int
	insert := func(ctx context.Context, id int) error {
		_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}}, nil)
		if err == nil {
			acked = append(acked, id)
		}
		return err
	}
	for id := range 100 {
		if err := insert(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}

	srv.Kill() // a crash, then the network notices
	proxy.ResetAll()
	const deadline = time.Second
	for _, tc := range []struct {
		op string
		do func(ctx context.Context) error
	}{
		{"insert outage.c", func(ctx context.Context) error { return insert(ctx, 1000) }},
		{"find outage.c", func(ctx context.Context) error { return coll.FindOne(ctx, bson.D{}, nil).Err() }},
		{"command ping", func(ctx context.Context) error { _, err := db.Command(ctx, "ping", nil); return err }},
		{"list collections", func(ctx context.Context) error { _, err := db.ListCollectionNames(ctx, nil); return err }},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		start := time.Now()
		err := tc.do(ctx)
		took := time.Since(start)
		cancel()
		switch {
		case err == nil:
			t.Errorf("%s succeeded during the outage", tc.op)
		case took > deadline+500*time.Millisecond:
			t.Errorf("%s took %v with a %v deadline", tc.op, took, deadline)
		case !strings.HasPrefix(err.Error(), "motor: "+tc.op+": "):
			t.Errorf("%s: %v, want it named", tc.op, err)
		case !errors.Is(err, context.DeadlineExceeded) && !mongo.IsNetworkError(err):
			t.Errorf("%s: %v, want the deadline or a network error", tc.op, err)
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	again, err := motortest.StartServer(t.Context(), &motortest.ServerOptions{Dir: dir})
	if err != nil {
		t.Fatalf("restart on the same data: %v", err)
	}
	t.Cleanup(func() { _ = again.Close() })
	proxy.SetTarget(again.Addr())
	for id := 100; id < 200; id++ { // the same Client, not a new one
		if err := insert(t.Context(), id); err != nil {
			t.Fatalf("insert %d after the restart: %v", id, err)
		}
	}

	cur, err := coll.Find(t.Context(), bson.D{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		ID int `bson:"_id"`
	}
	if err := cur.All(t.Context(), &docs); err != nil {
		t.Fatal(err)
	}
	stored := make([]int, len(docs))
	for i, d := range docs {
		stored[i] = d.ID
	}
	motortest.ExactlyOnce(t, acked, stored)
	n, err := coll.CountDocuments(t.Context(), bson.D{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(acked)) || len(docs) != len(acked) {
		t.Errorf("%d documents counted, %d found, %d inserts acknowledged", n, len(docs), len(acked))
	}
}

// TestRetryOnce checks through a proxy that resets the connection at the first reply that a read is retried once
// (the driver's find, and motor's own retry of listCollections) and that a write to a replica set is retried once,
// as the driver specifications say.
func TestRetryOnce(t *testing.T) {
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	f.Handle("find", func(bson.D) bson.D { return cursorReply(0, "shop.c", "firstBatch", bson.D{{Key: "_id", Value: 1}}) })
	f.Handle("listCollections", func(bson.D) bson.D {
		return cursorReply(0, "shop.$cmd.listCollections", "firstBatch", bson.D{{Key: "name", Value: "c"}, {Key: "type", Value: "collection"}})
	})
	f.Handle("insert", func(bson.D) bson.D { return motortest.OK(bson.E{Key: "n", Value: int32(1)}) })
	proxy := motortest.NewProxy(t, f.Addr())
	client, err := motor.Connect(proxy.URI(), motor.WithClientOptions(options.Client().SetHeartbeatInterval(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database("shop")
	coll := db.Collection("c")
	if _, err := db.Command(t.Context(), "ping", nil); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"find", func() error { return coll.FindOne(t.Context(), bson.D{}, nil).Err() }},
		{"listCollections", func() error { _, err := db.ListCollectionNames(t.Context(), nil); return err }},
		{"insert", func() error { _, err := coll.InsertOne(t.Context(), bson.D{{Key: "_id", Value: 1}}, nil); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.Reset()
			proxy.SetFault(motortest.FaultReset)
			if err := tc.do(); err != nil {
				t.Fatalf("%s with one reset: %v", tc.name, err)
			}
			sent := fakeCommands(f, tc.name)
			if len(sent) != 2 {
				t.Fatalf("sent %d %s commands, want 2 (one retry): %v", len(sent), tc.name, sent)
			}
			if tc.name == "insert" { // a retried write carries the same transaction number
				n1, n2 := getField(sent[0], "txnNumber"), getField(sent[1], "txnNumber")
				if n1 == nil || n1 != n2 {
					t.Errorf("txnNumber %v then %v, want the same", n1, n2)
				}
			}
		})
	}
}

// TestCancelInFlight cancels operations stalled in flight and checks that they end promptly with the context's
// error and that their connection is not leaked: with a pool of one connection, the next operation succeeds.
func TestCancelInFlight(t *testing.T) {
	f := motortest.NewFake(t)
	f.Handle("find", func(bson.D) bson.D { return cursorReply(0, "shop.c", "firstBatch") })
	f.Handle("listCollections", func(bson.D) bson.D { return cursorReply(0, "shop.$cmd.listCollections", "firstBatch") })
	proxy := motortest.NewProxy(t, f.Addr())
	client, err := motor.Connect(proxy.URI(), motor.WithClientOptions(options.Client().
		SetMaxPoolSize(1).SetHeartbeatInterval(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database("shop")
	coll := db.Collection("c")
	ops := []struct {
		name string
		do   func(ctx context.Context) error
	}{
		{"command", func(ctx context.Context) error { _, err := db.Command(ctx, "ping", nil); return err }},
		{"find", func(ctx context.Context) error { _, err := coll.Find(ctx, bson.D{}, nil); return err }},
		{"list collections", func(ctx context.Context) error { _, err := db.ListCollectionNames(ctx, nil); return err }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			proxy.SetFault(motortest.FaultStall)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- op.do(ctx) }()
			time.Sleep(100 * time.Millisecond) // in flight: sent, its reply held by the proxy
			start := time.Now()
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("cancelled %s: %v, want context.Canceled", op.name, err)
				}
				if took := time.Since(start); took > time.Second {
					t.Errorf("cancelled %s returned after %v", op.name, took)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("cancelled %s still runs after 5s", op.name)
			}
			proxy.SetFault(motortest.FaultNone)
			for _, next := range ops { // the one pooled connection is free again
				if err := next.do(t.Context()); err != nil {
					t.Errorf("%s after the cancelled %s: %v", next.name, op.name, err)
				}
			}
		})
	}
}
