package motortest

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.uber.org/goleak"
)

// fakeTimeout limits every driver operation and raw read, so a broken fake fails instead of hanging.
const fakeTimeout = 10 * time.Second

// fakeCtx returns a context for driver operations in a test.
func fakeCtx(tb testing.TB) context.Context {
	tb.Helper()

	ctx, cancel := context.WithTimeout(tb.Context(), fakeTimeout)
	tb.Cleanup(cancel)

	return ctx
}

// fakeConnect returns a driver client connected to f and registers its disconnection.
// Because NewFake registered f.Close earlier, the client is disconnected before the fake closes.
func fakeConnect(tb testing.TB, f *Fake) *mongo.Client {
	tb.Helper()

	client, err := mongo.Connect(options.Client().ApplyURI(f.URI()).SetServerSelectionTimeout(fakeTimeout))
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(func() {
		if err := client.Disconnect(context.Background()); err != nil {
			tb.Error(err)
		}
	})

	return client
}

// fakeStrip returns commands without the fields the driver adds on its own:
// lsid (the fake reports logicalSessionTimeoutMinutes), $clusterTime,
// and maxTimeMS (derived from the context deadline).
func fakeStrip(cmds []bson.D) []bson.D {
	res := make([]bson.D, 0, len(cmds))
	for _, cmd := range cmds {
		res = append(res, slices.DeleteFunc(cmd, func(e bson.E) bool {
			return e.Key == "lsid" || e.Key == "$clusterTime" || e.Key == "maxTimeMS"
		}))
	}

	return res
}

// fakeWaitCommands waits until at least n commands are recorded and returns them.
func fakeWaitCommands(tb testing.TB, f *Fake, n int) []bson.D {
	tb.Helper()

	deadline := time.Now().Add(fakeTimeout)
	for {
		cmds := f.Commands()
		if len(cmds) >= n {
			return cmds
		}

		if time.Now().After(deadline) {
			tb.Fatalf("got %d commands, want %d: %v", len(cmds), n, cmds)
		}

		time.Sleep(10 * time.Millisecond)
	}
}

func TestFakePing(t *testing.T) {
	f := NewFake(t)
	client := fakeConnect(t, f)

	if err := client.Ping(fakeCtx(t), nil); err != nil {
		t.Fatal(err)
	}

	var res bson.D
	if err := client.Database("admin").RunCommand(fakeCtx(t), bson.D{{Key: "ping", Value: 1}}).Decode(&res); err != nil {
		t.Fatal(err)
	}

	if diff := cmp.Diff(bson.D{{Key: "ok", Value: 1.0}}, res); diff != "" {
		t.Errorf("ping reply (-want +got):\n%s", diff)
	}

	want := []bson.D{
		{{Key: "ping", Value: int32(1)}, {Key: "$db", Value: "admin"}},
		{{Key: "ping", Value: int32(1)}, {Key: "$db", Value: "admin"}},
	}
	if diff := cmp.Diff(want, fakeStrip(f.Commands())); diff != "" {
		t.Errorf("Commands (-want +got):\n%s", diff)
	}
}

func TestFakeHandleProfile(t *testing.T) {
	f := NewFake(t)
	client := fakeConnect(t, f)

	var got bson.D

	f.Handle("profile", func(cmd bson.D) bson.D {
		got = cmd
		return OK(
			bson.E{Key: "was", Value: int32(0)},
			bson.E{Key: "slowms", Value: int32(100)},
			bson.E{Key: "sampleRate", Value: 1.0},
		)
	})

	var res struct {
		Was        int32   `bson:"was"`
		SlowMS     int32   `bson:"slowms"`
		SampleRate float64 `bson:"sampleRate"`
		OK         float64 `bson:"ok"`
	}

	err := client.Database("test").RunCommand(fakeCtx(t), bson.D{{Key: "profile", Value: -1}}).Decode(&res)
	if err != nil {
		t.Fatal(err)
	}

	if res.Was != 0 || res.SlowMS != 100 || res.SampleRate != 1 || res.OK != 1 {
		t.Errorf("unexpected reply %+v", res)
	}

	// the handler gets the whole command as sent
	if len(got) == 0 || got[0].Key != "profile" {
		t.Fatalf("handler got %v", got)
	}

	if db, _ := fakeLookup(got, "$db"); db != "test" {
		t.Errorf("$db = %v", db)
	}

	if _, ok := fakeLookup(got, "lsid"); !ok {
		t.Errorf("no lsid in %v", got)
	}
}

func TestFakeCommandNotFound(t *testing.T) {
	f := NewFake(t)
	client := fakeConnect(t, f)

	err := client.Database("test").RunCommand(fakeCtx(t), bson.D{{Key: "getLastError", Value: 1}}).Err()

	var ce mongo.CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("got %T %v, want mongo.CommandError", err, err)
	}

	if ce.Code != 59 || ce.Name != "CommandNotFound" || ce.Message != "no such command: 'getLastError'" {
		t.Errorf("got %+v", ce)
	}
}

func TestFakeHandleCaseInsensitive(t *testing.T) {
	f := NewFake(t)
	client := fakeConnect(t, f)

	f.Handle("getLastError", func(bson.D) bson.D { return OK(bson.E{Key: "n", Value: int32(1)}) })
	f.Handle("getLastError", func(bson.D) bson.D { return OK(bson.E{Key: "n", Value: int32(2)}) }) // replaces

	for _, name := range []string{"getLastError", "getlasterror"} {
		var res bson.D
		if err := client.Database("test").RunCommand(fakeCtx(t), bson.D{{Key: name, Value: 1}}).Decode(&res); err != nil {
			t.Fatal(err)
		}

		if diff := cmp.Diff(OK(bson.E{Key: "n", Value: int32(2)}), res); diff != "" {
			t.Errorf("%s reply (-want +got):\n%s", name, diff)
		}
	}

	// a nil handler restores the default
	f.Handle("getlasterror", nil)

	var ce mongo.CommandError
	if err := client.Database("test").RunCommand(fakeCtx(t), bson.D{{Key: "getLastError", Value: 1}}).Err(); !errors.As(err, &ce) || ce.Code != 59 {
		t.Errorf("got %v", err)
	}
}

func TestFakeCommands(t *testing.T) {
	f := NewFake(t)
	client := fakeConnect(t, f)

	f.Handle("getLastError", func(bson.D) bson.D { return OK() })

	cmd := bson.D{
		{Key: "getLastError", Value: 1},
		{Key: "w", Value: "majority"},
		{Key: "wtimeout", Value: int64(100)},
		{Key: "j", Value: true},
		{Key: "nested", Value: bson.D{{Key: "b", Value: 1}, {Key: "a", Value: bson.A{"x", 2.5}}}},
	}
	// without a context deadline, so that the driver doesn't add maxTimeMS
	if err := client.Database("test").RunCommand(t.Context(), cmd).Err(); err != nil {
		t.Fatal(err)
	}

	if err := client.Database("test").RunCommand(t.Context(), bson.D{{Key: "resetError", Value: 1}}).Err(); err == nil {
		t.Fatal("expected error")
	}

	cmds := f.Commands()
	if len(cmds) != 2 {
		t.Fatalf("got %d commands: %v", len(cmds), cmds)
	}

	// the driver adds a session id since the fake reports logicalSessionTimeoutMinutes
	for _, c := range cmds {
		if lsid, ok := fakeLookup(c, "lsid"); !ok {
			t.Errorf("no lsid in %v", c)
		} else if _, ok := lsid.(bson.D); !ok {
			t.Errorf("lsid is %T, want bson.D", lsid)
		}
	}

	want := []bson.D{
		{
			{Key: "getLastError", Value: int32(1)},
			{Key: "w", Value: "majority"},
			{Key: "wtimeout", Value: int64(100)},
			{Key: "j", Value: true},
			{Key: "nested", Value: bson.D{{Key: "b", Value: int32(1)}, {Key: "a", Value: bson.A{"x", 2.5}}}},
			{Key: "$db", Value: "test"},
		},
		{
			{Key: "resetError", Value: int32(1)},
			{Key: "$db", Value: "test"},
		},
	}
	got := make([]bson.D, 0, len(cmds))
	for _, c := range cmds {
		got = append(got, slices.DeleteFunc(slices.Clone(c), func(e bson.E) bool { return e.Key == "lsid" }))
	}

	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Commands (-want +got):\n%s", diff)
	}

	// modifying the returned commands does not affect the fake
	cmds[0][0].Key = "changed"
	if got := f.Commands()[0][0].Key; got != "getLastError" {
		t.Errorf("got %q", got)
	}

	f.Reset()

	if cmds := f.Commands(); len(cmds) != 0 {
		t.Errorf("after Reset: %v", cmds)
	}

	if err := client.Ping(fakeCtx(t), nil); err != nil {
		t.Fatal(err)
	}

	if cmds := f.Commands(); len(cmds) != 1 {
		t.Errorf("after Reset and ping: %v", cmds)
	}
}

func TestFakeInsertDocumentSequence(t *testing.T) {
	f := NewFake(t)
	client := fakeConnect(t, f)

	f.Handle("insert", func(cmd bson.D) bson.D {
		docs, _ := fakeLookup(cmd, "documents")
		return OK(bson.E{Key: "n", Value: int32(len(docs.(bson.A)))})
	})

	coll := client.Database("test").Collection("c")

	if _, err := coll.InsertOne(fakeCtx(t), bson.D{{Key: "_id", Value: 1}, {Key: "v", Value: "a"}}); err != nil {
		t.Fatal(err)
	}

	res, err := coll.InsertMany(fakeCtx(t), []any{
		bson.D{{Key: "_id", Value: 2}},
		bson.D{{Key: "_id", Value: 3}, {Key: "v", Value: bson.D{{Key: "x", Value: int64(1)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}

	if len(res.InsertedIDs) != 2 {
		t.Errorf("InsertedIDs = %v", res.InsertedIDs)
	}

	want := []bson.D{
		{
			{Key: "insert", Value: "c"},
			{Key: "ordered", Value: true},
			{Key: "$db", Value: "test"},
			{Key: "documents", Value: bson.A{
				bson.D{{Key: "_id", Value: int32(1)}, {Key: "v", Value: "a"}},
			}},
		},
		{
			{Key: "insert", Value: "c"},
			{Key: "ordered", Value: true},
			{Key: "$db", Value: "test"},
			{Key: "documents", Value: bson.A{
				bson.D{{Key: "_id", Value: int32(2)}},
				bson.D{{Key: "_id", Value: int32(3)}, {Key: "v", Value: bson.D{{Key: "x", Value: int64(1)}}}},
			}},
		},
	}
	if diff := cmp.Diff(want, fakeStrip(f.Commands())); diff != "" {
		t.Errorf("Commands (-want +got):\n%s", diff)
	}
}

func TestFakeNilHandlerNetworkError(t *testing.T) {
	f := NewFake(t)
	client := fakeConnect(t, f)

	f.Handle("$eval", func(bson.D) bson.D { return nil })

	err := client.Database("test").RunCommand(fakeCtx(t), bson.D{{Key: "$eval", Value: "1"}}).Err()
	if !mongo.IsNetworkError(err) {
		t.Fatalf("got %T %v, want network error", err, err)
	}

	// the command was still recorded
	if cmds := f.Commands(); len(cmds) != 1 || cmds[0][0].Key != "$eval" {
		t.Errorf("Commands = %v", cmds)
	}

	// the driver reconnects
	if err := client.Ping(fakeCtx(t), nil); err != nil {
		t.Fatal(err)
	}
}

func TestFakeUnacknowledgedWrite(t *testing.T) {
	f := NewFake(t)
	client := fakeConnect(t, f)

	var calls int

	var mu sync.Mutex

	f.Handle("insert", func(bson.D) bson.D {
		mu.Lock()
		defer mu.Unlock()

		calls++

		return OK(bson.E{Key: "n", Value: int32(1)})
	})

	// a distinctive reply, to detect a stray reply to the unacknowledged write read instead
	f.Handle("ping", func(bson.D) bson.D { return OK(bson.E{Key: "marker", Value: "ping"}) })

	coll := client.Database("test").Collection("c", options.Collection().SetWriteConcern(writeconcern.Unacknowledged()))

	for i := range 3 {
		res, err := coll.InsertOne(fakeCtx(t), bson.D{{Key: "_id", Value: i}})
		if err != nil {
			t.Fatal(err)
		}

		if res.Acknowledged {
			t.Error("write is acknowledged")
		}

		var reply bson.D
		if err = client.Database("admin").RunCommand(fakeCtx(t), bson.D{{Key: "ping", Value: 1}}).Decode(&reply); err != nil {
			t.Fatal(err)
		}

		if diff := cmp.Diff(OK(bson.E{Key: "marker", Value: "ping"}), reply); diff != "" {
			t.Fatalf("ping reply (-want +got):\n%s", diff)
		}
	}

	cmds := fakeStrip(fakeWaitCommands(t, f, 6))

	var inserts []bson.D

	for _, c := range cmds {
		if c[0].Key == "insert" {
			inserts = append(inserts, c)
		}
	}

	want := bson.D{
		{Key: "insert", Value: "c"},
		{Key: "ordered", Value: true},
		{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(0)}}},
		{Key: "$db", Value: "test"},
		{Key: "documents", Value: bson.A{bson.D{{Key: "_id", Value: int32(0)}}}},
	}
	if len(inserts) != 3 {
		t.Fatalf("inserts = %v", inserts)
	}

	if diff := cmp.Diff(want, inserts[0]); diff != "" {
		t.Errorf("insert (-want +got):\n%s", diff)
	}

	mu.Lock()
	defer mu.Unlock()

	if calls != 3 {
		t.Errorf("insert handler called %d times", calls)
	}
}

func TestFakeBuiltins(t *testing.T) {
	f := NewFake(t)
	client := fakeConnect(t, f)

	var info struct {
		Version      string  `bson:"version"`
		VersionArray []int32 `bson:"versionArray"`
	}

	for _, name := range []string{"buildInfo", "buildinfo"} {
		err := client.Database("admin").RunCommand(fakeCtx(t), bson.D{{Key: name, Value: 1}}).Decode(&info)
		if err != nil {
			t.Fatal(err)
		}

		if info.Version != "7.0.0" || !slices.Equal(info.VersionArray, []int32{7, 0, 0, 0}) {
			t.Errorf("%s: %+v", name, info)
		}
	}

	// killCursors is sent when a cursor that is not exhausted is closed
	f.Handle("find", func(cmd bson.D) bson.D {
		return OK(bson.E{Key: "cursor", Value: bson.D{
			{Key: "firstBatch", Value: bson.A{bson.D{{Key: "_id", Value: 1}}}},
			{Key: "id", Value: int64(42)},
			{Key: "ns", Value: "test.c"},
		}})
	})

	cur, err := client.Database("test").Collection("c").Find(fakeCtx(t), bson.D{})
	if err != nil {
		t.Fatal(err)
	}

	if !cur.Next(fakeCtx(t)) {
		t.Fatal(cur.Err())
	}

	if err = cur.Close(fakeCtx(t)); err != nil {
		t.Fatal(err)
	}

	cmds := fakeStrip(f.Commands())
	last := cmds[len(cmds)-1]

	want := bson.D{
		{Key: "killCursors", Value: "c"},
		{Key: "cursors", Value: bson.A{int64(42)}},
		{Key: "$db", Value: "test"},
	}
	if diff := cmp.Diff(want, last); diff != "" {
		t.Errorf("killCursors (-want +got):\n%s", diff)
	}

	var kc bson.D

	reply := fakeDefaultReply("killCursors", last, 1)
	if err = bson.Unmarshal(fakeMust(bson.Marshal(reply)), &kc); err != nil {
		t.Fatal(err)
	}

	wantReply := bson.D{
		{Key: "cursorsKilled", Value: bson.A{int64(42)}},
		{Key: "cursorsNotFound", Value: bson.A{}},
		{Key: "cursorsAlive", Value: bson.A{}},
		{Key: "cursorsUnknown", Value: bson.A{}},
		{Key: "ok", Value: 1.0},
	}
	if diff := cmp.Diff(wantReply, kc); diff != "" {
		t.Errorf("killCursors reply (-want +got):\n%s", diff)
	}
}

func TestFakeHelloOverride(t *testing.T) {
	f := NewFake(t)

	var mu sync.Mutex

	names := map[string]int{}

	f.Handle("hello", func(cmd bson.D) bson.D {
		mu.Lock()
		names[cmd[0].Key]++
		mu.Unlock()

		res := fakeHelloReply(cmd[0].Key, cmd, 1)
		for i, e := range res {
			if e.Key == "maxWireVersion" {
				res[i].Value = int32(25) // MongoDB 8.0
			}
		}

		return res
	})

	client := fakeConnect(t, f)

	if err := client.Ping(fakeCtx(t), nil); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()

	// every connection starts with a legacy isMaster handshake
	if names["isMaster"] == 0 {
		t.Errorf("hello handler calls: %v", names)
	}

	// the handshake is not recorded
	if diff := cmp.Diff([]bson.D{{{Key: "ping", Value: int32(1)}, {Key: "$db", Value: "admin"}}}, fakeStrip(f.Commands())); diff != "" {
		t.Errorf("Commands (-want +got):\n%s", diff)
	}
}

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

// Raw wire protocol tests.

// wireReply is a parsed server reply.
type wireReply struct {
	responseTo int32
	opCode     int32
	flags      uint32
	doc        bson.D
}

func fakeMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}

	return v
}

func fakeMarshal(tb testing.TB, d bson.D) []byte {
	tb.Helper()

	b, err := bson.Marshal(d)
	if err != nil {
		tb.Fatal(err)
	}

	return b
}

// wireOpMsgMessage builds an OP_MSG from a body and optional sections (already encoded, kind byte included).
func wireOpMsgMessage(requestID int32, flags uint32, body []byte, sections ...[]byte) []byte {
	msg := appendWireHeader(nil, requestID, 0, wireOpMsg)
	msg = binary.LittleEndian.AppendUint32(msg, flags)
	msg = append(msg, 0)
	msg = append(msg, body...)

	for _, s := range sections {
		msg = append(msg, s...)
	}

	if flags&wireFlagChecksumPresent != 0 {
		msg = append(msg, 0xde, 0xad, 0xbe, 0xef) // not verified by the fake
	}

	return finishWireMessage(msg)
}

// wireDocSequence builds a kind 1 section.
func wireDocSequence(id string, docs ...[]byte) []byte {
	s := []byte{1, 0, 0, 0, 0}
	s = append(s, id...)
	s = append(s, 0)

	for _, d := range docs {
		s = append(s, d...)
	}

	binary.LittleEndian.PutUint32(s[1:], uint32(len(s)-1))

	return s
}

// wireRoundTrip sends a message and reads the reply.
func wireRoundTrip(tb testing.TB, c net.Conn, msg []byte) wireReply {
	tb.Helper()

	if _, err := c.Write(msg); err != nil {
		tb.Fatal(err)
	}

	return wireReadReply(tb, c)
}

// wireReadReply reads and parses one OP_MSG or OP_REPLY.
func wireReadReply(tb testing.TB, c net.Conn) wireReply {
	tb.Helper()

	_ = c.SetReadDeadline(time.Now().Add(fakeTimeout))

	b, err := readWireMessage(c)
	if err != nil {
		tb.Fatal(err)
	}

	r := wireReply{
		responseTo: int32(binary.LittleEndian.Uint32(b[8:])),
		opCode:     int32(binary.LittleEndian.Uint32(b[12:])),
	}

	var doc []byte

	switch r.opCode {
	case wireOpMsg:
		r.flags = binary.LittleEndian.Uint32(b[16:])
		if b[20] != 0 {
			tb.Fatalf("section kind %d", b[20])
		}

		doc = b[21:]
	case wireOpReply:
		r.flags = binary.LittleEndian.Uint32(b[16:])
		if n := binary.LittleEndian.Uint32(b[32:]); n != 1 {
			tb.Fatalf("numberReturned = %d", n)
		}

		doc = b[36:]
	default:
		tb.Fatalf("unexpected opCode %d", r.opCode)
	}

	if err = bson.Unmarshal(doc, &r.doc); err != nil {
		tb.Fatal(err)
	}

	return r
}

func wireDial(tb testing.TB, f *Fake) net.Conn {
	tb.Helper()

	c, err := net.Dial("tcp", f.l.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(func() { _ = c.Close() })

	return c
}

func TestFakeRawOpMsg(t *testing.T) {
	f := NewFake(t)
	c := wireDial(t, f)

	f.Handle("insert", func(cmd bson.D) bson.D {
		docs, _ := fakeLookup(cmd, "documents")
		return OK(bson.E{Key: "n", Value: int32(len(docs.(bson.A)))})
	})

	body := fakeMarshal(t, bson.D{{Key: "insert", Value: "c"}, {Key: "$db", Value: "test"}})
	seq1 := wireDocSequence("documents", fakeMarshal(t, bson.D{{Key: "a", Value: 1}}), fakeMarshal(t, bson.D{{Key: "a", Value: 2}}))
	seq2 := wireDocSequence("other")

	// checksum, and sequences both before and after the body
	reply := wireRoundTrip(t, c, wireOpMsgMessage(7, wireFlagChecksumPresent, body, seq1, seq2))

	want := wireReply{responseTo: 7, opCode: wireOpMsg, doc: OK(bson.E{Key: "n", Value: int32(2)})}
	if diff := cmp.Diff(want, reply, cmp.AllowUnexported(wireReply{})); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}

	// moreToCome: recorded, handler called, no reply; the next reply answers the next request
	reply = wireRoundTrip(t, c, append(
		wireOpMsgMessage(8, wireFlagMoreToCome, body, seq1),
		wireOpMsgMessage(9, 0, fakeMarshal(t, bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}}))...,
	))

	want = wireReply{responseTo: 9, opCode: wireOpMsg, doc: OK()}
	if diff := cmp.Diff(want, reply, cmp.AllowUnexported(wireReply{})); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}

	insert := bson.D{
		{Key: "insert", Value: "c"},
		{Key: "$db", Value: "test"},
		{Key: "documents", Value: bson.A{bson.D{{Key: "a", Value: int32(1)}}, bson.D{{Key: "a", Value: int32(2)}}}},
	}
	wantCmds := []bson.D{
		append(slices.Clone(insert), bson.E{Key: "other", Value: bson.A{}}),
		insert,
		{{Key: "ping", Value: int32(1)}, {Key: "$db", Value: "admin"}},
	}
	if diff := cmp.Diff(wantCmds, f.Commands()); diff != "" {
		t.Errorf("Commands (-want +got):\n%s", diff)
	}
}

func TestFakeRawOpQuery(t *testing.T) {
	f := NewFake(t)
	c := wireDial(t, f)

	query := func(requestID int32, doc []byte) []byte {
		msg := appendWireHeader(nil, requestID, 0, wireOpQuery)
		msg = binary.LittleEndian.AppendUint32(msg, 0)
		msg = append(msg, "admin.$cmd\x00"...)
		msg = binary.LittleEndian.AppendUint32(msg, 0)
		msg = binary.LittleEndian.AppendUint32(msg, uint32(0xffffffff)) // -1

		return finishWireMessage(append(msg, doc...))
	}

	wrapped := fakeMarshal(t, bson.D{
		{Key: "$query", Value: bson.D{{Key: "isMaster", Value: 1}, {Key: "helloOk", Value: true}}},
		{Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "primaryPreferred"}}},
	})

	reply := wireRoundTrip(t, c, query(42, wrapped))
	if reply.opCode != wireOpReply || reply.responseTo != 42 || reply.flags != 0 {
		t.Errorf("reply %+v", reply)
	}

	var keys []string
	for _, e := range reply.doc {
		keys = append(keys, e.Key)
	}

	wantKeys := []string{
		"helloOk", "ismaster", "maxBsonObjectSize", "maxMessageSizeBytes", "maxWriteBatchSize", "localTime",
		"logicalSessionTimeoutMinutes", "connectionId", "minWireVersion", "maxWireVersion", "readOnly", "ok",
	}
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("isMaster reply keys (-want +got):\n%s", diff)
	}

	// hello over OP_MSG, without helloOk
	reply = wireRoundTrip(t, c, wireOpMsgMessage(43, 0, fakeMarshal(t, bson.D{{Key: "hello", Value: 1}, {Key: "$db", Value: "admin"}})))
	if reply.opCode != wireOpMsg || reply.responseTo != 43 || reply.doc[0].Key != "isWritablePrimary" {
		t.Errorf("reply %+v", reply)
	}

	// unwrapped query, any command
	reply = wireRoundTrip(t, c, query(44, fakeMarshal(t, bson.D{{Key: "foo", Value: 1}})))
	want := wireReply{responseTo: 44, opCode: wireOpReply, doc: CommandError(59, "CommandNotFound", "no such command: 'foo'")}

	if diff := cmp.Diff(want, reply, cmp.AllowUnexported(wireReply{})); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}

	if diff := cmp.Diff([]bson.D{{{Key: "foo", Value: int32(1)}}}, f.Commands()); diff != "" {
		t.Errorf("Commands (-want +got):\n%s", diff)
	}
}

func TestFakeRawInvalid(t *testing.T) {
	f := NewFake(t)

	noBody := appendWireHeader(nil, 1, 0, wireOpMsg)
	noBody = binary.LittleEndian.AppendUint32(noBody, 0)
	noBody = finishWireMessage(append(noBody, wireDocSequence("documents")...))

	for name, msg := range map[string][]byte{
		"OP_COMPRESSED": finishWireMessage(append(appendWireHeader(nil, 1, 0, wireOpCompressed), make([]byte, 9)...)),
		"OP_INSERT":     finishWireMessage(append(appendWireHeader(nil, 1, 0, 2002), make([]byte, 9)...)),
		"NoBody":        noBody,
		"BadLength":     {3, 0, 0, 0},
		"BadKind":       wireOpMsgMessage(1, 0, fakeMarshal(t, bson.D{{Key: "ping", Value: 1}}), []byte{2, 5, 0, 0, 0, 0}),
	} {
		t.Run(name, func(t *testing.T) {
			c := wireDial(t, f)

			if _, err := c.Write(msg); err != nil {
				t.Fatal(err)
			}

			_ = c.SetReadDeadline(time.Now().Add(fakeTimeout))
			if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
				t.Errorf("got %v, want EOF", err)
			}
		})
	}

	if cmds := f.Commands(); len(cmds) != 0 {
		t.Errorf("Commands = %v", cmds)
	}
}
