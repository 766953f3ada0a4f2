package motortest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
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
