package motortest

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.uber.org/goleak"
)

// Connection handling of the fake: the driver's handshake, goroutine leaks, closing with open connections.

// TestHandshake checks what the driver sends on each new connection.
func TestFakeHandshake(t *testing.T) {
	f := NewFake(t)

	type msg struct {
		opCode int32
		name   string
	}

	var mu sync.Mutex

	var msgs []msg

	var first bson.D

	f.mu.Lock()
	f.onMessage = func(opCode int32, cmd bson.Raw) {
		mu.Lock()
		defer mu.Unlock()

		if first == nil {
			first = fakeDecode(cmd)
		}

		msgs = append(msgs, msg{opCode, fakeCommandName(cmd)})
	}
	f.mu.Unlock()

	client := fakeConnect(t, f)

	if err := client.Ping(fakeCtx(t), nil); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()

	// monitoring and pool connections, each with an isMaster OP_QUERY, then ping
	if len(msgs) < 3 {
		t.Fatalf("messages: %v", msgs)
	}

	for _, m := range msgs[:2] {
		if m != (msg{wireOpQuery, "isMaster"}) {
			t.Errorf("messages: %v", msgs)
		}
	}

	if m := msgs[len(msgs)-1]; m != (msg{wireOpMsg, "ping"}) {
		t.Errorf("messages: %v", msgs)
	}

	// no $db: OP_QUERY carries the database in fullCollectionName ("admin.$cmd");
	// v2.10 also sends backpressure: "2", compression: [], client: {...}, and maxTimeMS (connectTimeout)
	if v, _ := fakeLookup(first, "helloOk"); v != true {
		t.Errorf("handshake: %v", first)
	}

	for _, key := range []string{"$db", "lsid"} {
		if _, ok := fakeLookup(first, key); ok {
			t.Errorf("handshake has %s: %v", key, first)
		}
	}
}

func TestFakeNoLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()

	f, err := StartFake()
	if err != nil {
		t.Fatal(err)
	}

	f.Handle("insert", func(bson.D) bson.D { return OK(bson.E{Key: "n", Value: int32(1)}) })

	client, err := mongo.Connect(options.Client().ApplyURI(f.URI()))
	if err != nil {
		t.Fatal(err)
	}

	if err = client.Ping(fakeCtx(t), nil); err != nil {
		t.Fatal(err)
	}

	if _, err = client.Database("test").Collection("c").InsertOne(fakeCtx(t), bson.D{{Key: "v", Value: 1}}); err != nil {
		t.Fatal(err)
	}

	if err = client.Disconnect(fakeCtx(t)); err != nil {
		t.Fatal(err)
	}

	// endSessions sent by Disconnect is not recorded
	for _, c := range f.Commands() {
		if c[0].Key == "endSessions" {
			t.Errorf("endSessions recorded: %v", c)
		}
	}

	f.Close()
	f.Close() // idempotent

	goleak.VerifyNone(t, ignore)
}

func TestFakeCloseWithOpenConnections(t *testing.T) {
	ignore := goleak.IgnoreCurrent()

	f, err := StartFake()
	if err != nil {
		t.Fatal(err)
	}

	conns := make([]net.Conn, 3)
	for i := range conns {
		if conns[i], err = net.Dial("tcp", f.l.Addr().String()); err != nil {
			t.Fatal(err)
		}

		defer conns[i].Close()
	}

	// make sure all connections were accepted
	for i, c := range conns {
		reply := wireRoundTrip(t, c, wireOpMsgMessage(int32(i+1), 0, fakeMarshal(t, bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}})))
		if reply.opCode != wireOpMsg {
			t.Fatalf("opCode = %d", reply.opCode)
		}
	}

	f.Close()

	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(fakeTimeout))
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("read after Close: %v", err)
		}
	}

	if _, err = net.Dial("tcp", f.l.Addr().String()); err == nil {
		t.Error("dial after Close succeeded")
	}

	goleak.VerifyNone(t, ignore)
}
