package motor_test

// Topologies beyond one server, simulated with wire fakes on loopback ports (motortest.ReplicaSet and
// motortest.Sharded): where each command goes, retries across a step-down, the $readPreference a mongos receives,
// and what the Client's topology accessors report.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// clusterHeartbeat is the heartbeat interval of the clients of simulated clusters: the driver's minimum, so that a
// client notices a step-down within about half a second.
const clusterHeartbeat = 500 * time.Millisecond

// clusterClient connects to a simulated cluster at uri with fast heartbeats and a bounded server selection; the
// client is disconnected at the end of the test, before the cluster closes.
func clusterClient(t testing.TB, uri string, opts ...motor.Option) *motor.Client {
	t.Helper()
	co := options.Client().SetHeartbeatInterval(clusterHeartbeat).SetServerSelectionTimeout(fakeTimeout)
	c, err := motor.Connect(uri, append([]motor.Option{motor.WithClientOptions(co)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

// eventually fails the test unless cond reports true within fakeTimeout, polling it.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(fakeTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, fakeTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// memberOf returns the index among members of the member that received the commands named (all when none), and
// fails the test unless exactly one member received any.
func memberOf(t testing.TB, members []*motortest.Fake, names ...string) int {
	t.Helper()
	got := -1
	for i, m := range members {
		if len(fakeCommands(m, names...)) == 0 {
			continue
		}
		if got >= 0 {
			t.Fatalf("members %d and %d both received %v", got, i, names)
		}
		got = i
	}
	if got < 0 {
		t.Fatalf("no member received %v", names)
	}
	return got
}

func findReply(cmd bson.D) bson.D {
	db, _ := getField(cmd, "$db").(string)
	coll, _ := getField(cmd, "find").(string)
	return cursorReply(0, db+"."+coll, "firstBatch", bson.D{{Key: "_id", Value: int32(1)}, {Key: "x", Value: int32(1)}})
}

// TestReplicaSetSecondaryReads checks that reads with a secondary read preference go to a secondary, with
// $readPreference, and that reads without one go to the primary, without.
func TestReplicaSetSecondaryReads(t *testing.T) {
	ctx := t.Context()
	rs := motortest.NewReplicaSet(t, 3, nil)
	rs.Handle("find", findReply)
	rs.Handle("count", func(bson.D) bson.D { return motortest.OK(bson.E{Key: "n", Value: int32(1)}) })
	c := clusterClient(t, rs.URI())
	db := c.Database("shop")
	secondary := bson.D{{Key: "mode", Value: "secondary"}}
	members := rs.Members()

	for _, tc := range []struct {
		desc   string
		do     func() error
		name   string
		wantRP any // the $readPreference sent, nil for none
	}{
		{"FindOne, primary", func() error { return db.Collection("c").FindOne(ctx, bson.D{}, nil).Err() }, "find", nil},
		{"FindOne, collection secondary", func() error {
			return db.Collection("c", motor.WithReadPreference(readpref.Secondary())).FindOne(ctx, bson.D{}, nil).Err()
		}, "find", secondary},
		{"FindOne, client secondary", func() error {
			c2 := clusterClient(t, rs.URI()+"&readPreference=secondary")
			return c2.Database("shop").Collection("c").FindOne(ctx, bson.D{}, nil).Err()
		}, "find", secondary},
		{"Command, ReadPreference secondary", func() error {
			_, err := db.Command(ctx, bson.D{{Key: "count", Value: "c"}}, &motor.CommandOptions{ReadPreference: readpref.Secondary()})
			return err
		}, "count", secondary},
		{"Command, database secondary (ignored)", func() error {
			_, err := c.Database("shop", motor.WithReadPreference(readpref.Secondary())).Command(ctx, bson.D{{Key: "count", Value: "c"}}, nil)
			return err
		}, "count", nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			for range 3 { // a secondary is chosen at random: never the primary
				rs.Reset()
				if err := tc.do(); err != nil {
					t.Fatal(err)
				}
				i := memberOf(t, members, tc.name)
				if isPrimary := members[i] == rs.Primary(); isPrimary != (tc.wantRP == nil) {
					t.Fatalf("sent to member %d (primary: %v)", i, isPrimary)
				}
				diff(t, "$readPreference", tc.wantRP, getField(fakeCommands(members[i], tc.name)[0], "$readPreference"))
			}
		})
	}
}

// TestReplicaSetStepDownDuringWrite checks that a write that the primary refuses because it stepped down in the
// middle of it (NotWritablePrimary) is retried once on the new primary, with the same session and transaction
// number, and that the document is written exactly once.
func TestReplicaSetStepDownDuringWrite(t *testing.T) {
	ctx := t.Context()
	rs := motortest.NewReplicaSet(t, 3, nil)
	var mu sync.Mutex
	written := map[int32]int{} // _id → times written
	rs.Handle("insert", func(cmd bson.D) bson.D {
		docs, _ := getField(cmd, "documents").(bson.A)
		mu.Lock()
		defer mu.Unlock()
		for _, d := range docs {
			id, _ := getField(d.(bson.D), "_id").(int32)
			written[id]++
		}
		return motortest.OK(bson.E{Key: "n", Value: int32(len(docs))})
	})
	members := rs.Members()
	old := members[0]
	var once sync.Once
	old.Handle("insert", func(cmd bson.D) bson.D {
		once.Do(func() { rs.StepDown() })
		return motortest.NotWritablePrimary(cmd)
	})
	c := clusterClient(t, rs.URI())
	coll := c.Database("shop").Collection("orders")
	if got, err := c.Address(ctx); err != nil || got != old.Addr() {
		t.Fatalf("Address = %q, %v before the step-down, want %s", got, err, old.Addr())
	}

	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: int32(1)}}, nil); err != nil {
		t.Fatalf("InsertOne across a step-down: %v", err)
	}
	newPrimary := rs.Primary()
	if newPrimary != members[1] {
		t.Fatalf("the new primary is not member 1")
	}
	first, retry := fakeCommands(old, "insert"), fakeCommands(newPrimary, "insert")
	if len(first) != 1 || len(retry) != 1 || len(fakeCommands(members[2], "insert")) != 0 {
		t.Fatalf("inserts: %d to the old primary, %d to the new, %d to the third member; want 1, 1, 0",
			len(first), len(retry), len(fakeCommands(members[2], "insert")))
	}
	for _, k := range []string{"txnNumber", "documents"} {
		diff(t, "the retry's "+k, getField(first[0], k), getField(retry[0], k))
	}
	if lsid := func(f *motortest.Fake) any { return getField(f.Commands()[0], "lsid") }; lsid(old) == nil ||
		!slices.Equal(rawDoc(t, lsid(old).(bson.D)), rawDoc(t, lsid(newPrimary).(bson.D))) {
		t.Error("the retry has another session")
	}
	mu.Lock()
	diff(t, "documents written", map[int32]int{1: 1}, written)
	mu.Unlock()

	// The old primary is Unknown until its next check says it is a secondary.
	eventually(t, "the new primary and both secondaries known", func() bool {
		return c.Primary() == newPrimary.Addr() && len(c.Secondaries()) == 2
	})
	if got, err := c.Address(ctx); err != nil || got != newPrimary.Addr() {
		t.Errorf("Address = %q, %v after the step-down, want %s", got, err, newPrimary.Addr())
	}
	diff(t, "Secondaries", sortedAddrs(old, members[2]), c.Secondaries())
}

// sortedAddrs returns the sorted addresses of fakes.
func sortedAddrs(fakes ...*motortest.Fake) []string {
	var out []string
	for _, f := range fakes {
		out = append(out, f.Addr())
	}
	slices.Sort(out)
	return out
}

// TestMongosReadPreference checks that a mongos receives $readPreference for every read whose mode is not primary,
// none for primary, and what the Client's accessors report of a sharded cluster.
func TestMongosReadPreference(t *testing.T) {
	ctx := t.Context()
	s := motortest.NewSharded(t, 2)
	s.Handle("find", findReply)
	s.Handle("listCollections", func(bson.D) bson.D { return cursorReply(0, "shop.$cmd.listCollections", "firstBatch") })
	c := clusterClient(t, s.URI())
	db := c.Database("shop")
	routers := s.Members()

	for _, tc := range []struct {
		desc   string
		do     func() error
		name   string
		wantRP any
	}{
		{"FindOne, primary", func() error { return db.Collection("c").FindOne(ctx, bson.D{}, nil).Err() }, "find", nil},
		{"FindOne, secondary", func() error {
			return db.Collection("c", motor.WithReadPreference(readpref.Secondary())).FindOne(ctx, bson.D{}, nil).Err()
		}, "find", bson.D{{Key: "mode", Value: "secondary"}}},
		{"FindOne, secondaryPreferred", func() error {
			return db.Collection("c", motor.WithReadPreference(readpref.SecondaryPreferred())).FindOne(ctx, bson.D{}, nil).Err()
		}, "find", bson.D{{Key: "mode", Value: "secondaryPreferred"}}},
		{"Command, nearest", func() error {
			_, err := db.Command(ctx, bson.D{{Key: "find", Value: "c"}}, &motor.CommandOptions{ReadPreference: readpref.Nearest()})
			return err
		}, "find", bson.D{{Key: "mode", Value: "nearest"}}},
		{"ProfilingInfo, database secondary", func() error {
			_, err := c.Database("shop", motor.WithReadPreference(readpref.Secondary())).ProfilingInfo(ctx)
			return err
		}, "find", bson.D{{Key: "mode", Value: "secondary"}}},
		{"ListCollectionNames, primary whatever the database's", func() error {
			_, err := c.Database("shop", motor.WithReadPreference(readpref.Secondary())).ListCollectionNames(ctx, nil)
			return err
		}, "listCollections", nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			s.Reset()
			if err := tc.do(); err != nil {
				t.Fatal(err)
			}
			i := memberOf(t, routers, tc.name)
			diff(t, "$readPreference", tc.wantRP, getField(fakeCommands(routers[i], tc.name)[0], "$readPreference"))
		})
	}

	t.Run("accessors", func(t *testing.T) {
		eventually(t, "both routers known", func() bool { return len(c.Nodes()) == 2 })
		diff(t, "Nodes", sortedAddrs(routers...), c.Nodes())
		if _, err := c.Address(ctx); !errors.Is(err, motor.ErrInvalidOperation) ||
			err.Error() != "motor: address: cannot use Address when load balancing among mongoses, use Nodes instead" {
			t.Errorf("Address = %v", err)
		}
		if ok, err := c.IsMongos(ctx); !ok || err != nil {
			t.Errorf("IsMongos = %v, %v", ok, err)
		}
		if ok, err := c.IsPrimary(ctx); !ok || err != nil {
			t.Errorf("IsPrimary = %v, %v", ok, err)
		}
		if c.Primary() != "" || c.Secondaries() != nil || c.Arbiters() != nil {
			t.Errorf("Primary %q, Secondaries %v, Arbiters %v", c.Primary(), c.Secondaries(), c.Arbiters())
		}
	})

	t.Run("one mongos", func(t *testing.T) {
		one := motortest.NewSharded(t, 1)
		c := clusterClient(t, one.URI())
		if got, err := c.Address(ctx); err != nil || got != one.Members()[0].Addr() {
			t.Errorf("Address = %q, %v", got, err)
		}
	})
}

// TestReplicaSetAccessors checks that the Client's topology accessors report what the members advertise.
func TestReplicaSetAccessors(t *testing.T) {
	ctx := t.Context()
	rs := motortest.NewReplicaSet(t, 3, &motortest.ReplicaSetOptions{Arbiters: 1})
	c := clusterClient(t, rs.URI())
	m := rs.Members()
	if got, err := c.Address(ctx); err != nil || got != m[0].Addr() {
		t.Errorf("Address = %q, %v, want %s", got, err, m[0].Addr())
	}
	eventually(t, "every member known", func() bool { return len(c.Nodes()) == 4 })
	diff(t, "Nodes", sortedAddrs(m...), c.Nodes())
	diff(t, "Primary", m[0].Addr(), c.Primary())
	diff(t, "Secondaries", sortedAddrs(m[1], m[2]), c.Secondaries())
	diff(t, "Arbiters", []string{m[3].Addr()}, c.Arbiters())
	for _, tc := range []struct {
		name string
		get  func(context.Context) (any, error)
		want any
	}{
		{"IsPrimary", func(ctx context.Context) (any, error) { return c.IsPrimary(ctx) }, true},
		{"IsMongos", func(ctx context.Context) (any, error) { return c.IsMongos(ctx) }, false},
		{"MaxBSONSize", func(ctx context.Context) (any, error) { return c.MaxBSONSize(ctx) }, 16777216},
		{"MaxMessageSize", func(ctx context.Context) (any, error) { return c.MaxMessageSize(ctx) }, 48000000},
		{"MaxWriteBatchSize", func(ctx context.Context) (any, error) { return c.MaxWriteBatchSize(ctx) }, 100000},
	} {
		got, err := tc.get(ctx)
		if err != nil || got != tc.want {
			t.Errorf("%s = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}

	t.Run("step-down noticed at the next heartbeat", func(t *testing.T) {
		next := rs.StepDown()
		eventually(t, "the new primary and both secondaries known", func() bool {
			return c.Primary() == next.Addr() && len(c.Secondaries()) == 2
		})
		diff(t, "Secondaries", sortedAddrs(m[0], m[2]), c.Secondaries())
	})

	t.Run("no primary", func(t *testing.T) {
		rs.SetPrimary(-1)
		eventually(t, "no primary", func() bool { return c.Primary() == "" && len(c.Secondaries()) == 3 })
		if got, err := c.Address(ctx); got != "" || err != nil {
			t.Errorf("Address = %q, %v; want no address, as Motor's None", got, err)
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := c.IsPrimary(short)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "motor: is primary: waiting for a server (topology ReplicaSetNoPrimary: ") {
			t.Errorf("IsPrimary without a primary = %v", err)
		}
		rs.SetPrimary(2)
		if ok, err := c.IsPrimary(ctx); !ok || err != nil { // waits for the election
			t.Errorf("IsPrimary after the election = %v, %v", ok, err)
		}
		diff(t, "Primary", m[2].Addr(), c.Primary())
	})
}

// TestReplicaSetRouting checks that each of the database API's commands goes to the member that PyMongo chooses:
// the primary for commands unless the call gives a read preference, whatever the database's; the database's read
// preference for the find-based helpers (ProfilingInfo, Dereference). The database reads from secondaries, so a
// command that followed it by mistake would land on a secondary.
func TestReplicaSetRouting(t *testing.T) {
	ctx := t.Context()
	rs := motortest.NewReplicaSet(t, 3, nil)
	list := func(bson.D) bson.D {
		return cursorReply(0, "shop.$cmd.listCollections", "firstBatch", bson.D{{Key: "name", Value: "c"}, {Key: "type", Value: "collection"}})
	}
	for name, reply := range map[string]motortest.Handler{
		"find":            findReply,
		"listCollections": list,
		"count":           func(bson.D) bson.D { return motortest.OK(bson.E{Key: "n", Value: int32(1)}) },
		"create":          func(bson.D) bson.D { return motortest.OK() },
		"drop":            func(bson.D) bson.D { return motortest.OK() },
		"dropDatabase":    func(bson.D) bson.D { return motortest.OK() },
		"validate":        func(bson.D) bson.D { return mongo7Validate("shop.c") },
		"profile": func(bson.D) bson.D {
			return motortest.OK(bson.E{Key: "was", Value: int32(0)}, bson.E{Key: "slowms", Value: int32(100)})
		},
		"currentOp":     func(bson.D) bson.D { return motortest.OK(bson.E{Key: "inprog", Value: bson.A{}}) },
		"usersInfo":     func(bson.D) bson.D { return motortest.OK(bson.E{Key: "users", Value: bson.A{}}) },
		"createUser":    func(bson.D) bson.D { return motortest.OK() },
		"dropUser":      func(bson.D) bson.D { return motortest.OK() },
		"$eval":         func(bson.D) bson.D { return motortest.OK(bson.E{Key: "retval", Value: 3.0}) },
		"getlasterror":  func(bson.D) bson.D { return motortest.OK(bson.E{Key: "err", Value: nil}) },
		"getpreverror":  func(bson.D) bson.D { return motortest.OK(bson.E{Key: "err", Value: nil}) },
		"reseterror":    func(bson.D) bson.D { return motortest.OK() },
		"listDatabases": func(bson.D) bson.D { return motortest.OK(bson.E{Key: "databases", Value: bson.A{}}) },
		"fsync":         func(bson.D) bson.D { return motortest.OK() },
		"fsyncUnlock":   func(bson.D) bson.D { return motortest.OK() },
	} {
		rs.Handle(name, reply)
	}
	c := clusterClient(t, rs.URI())
	db := c.Database("shop", motor.WithReadPreference(readpref.Secondary()))
	secondary := &motor.CommandOptions{ReadPreference: readpref.Secondary()}
	ref := motor.DBRef{Collection: "c", ID: int32(1)}
	const onPrimary, onSecondary = true, false

	for _, tc := range []struct {
		desc      string
		do        func() error
		toPrimary bool
	}{
		{"Command", func() error { _, err := db.Command(ctx, "count", &motor.CommandOptions{Value: "c"}); return err }, onPrimary},
		{"Command, ReadPreference", func() error {
			_, err := db.Command(ctx, "count", &motor.CommandOptions{Value: "c", ReadPreference: secondary.ReadPreference})
			return err
		}, onSecondary},
		{"CommandCursor", func() error {
			cur, err := db.CommandCursor(ctx, bson.D{{Key: "find", Value: "c"}}, nil)
			if err == nil {
				err = cur.Close(ctx)
			}
			return err
		}, onPrimary},
		{"CommandCursor, ReadPreference", func() error {
			cur, err := db.CommandCursor(ctx, bson.D{{Key: "find", Value: "c"}}, &motor.CommandCursorOptions{ReadPreference: readpref.Secondary()})
			if err == nil {
				err = cur.Close(ctx)
			}
			return err
		}, onSecondary},
		{"CreateCollection", func() error { _, err := db.CreateCollection(ctx, "new", nil); return err }, onPrimary},
		{"DropCollection", func() error { _, err := db.DropCollection(ctx, "c", nil); return err }, onPrimary},
		{"ListCollections", func() error {
			cur, err := db.ListCollections(ctx, nil)
			if err == nil {
				err = cur.Close(ctx)
			}
			return err
		}, onPrimary},
		{"ListCollectionNames", func() error { _, err := db.ListCollectionNames(ctx, nil); return err }, onPrimary},
		{"ValidateCollection", func() error { _, err := db.ValidateCollection(ctx, "c", nil); return err }, onPrimary},
		{"ProfilingLevel", func() error { _, err := db.ProfilingLevel(ctx); return err }, onPrimary},
		{"SetProfilingLevel", func() error { return db.SetProfilingLevel(ctx, motor.ProfilingOff, nil) }, onPrimary},
		{"ProfilingInfo", func() error { _, err := db.ProfilingInfo(ctx); return err }, onSecondary},
		{"CurrentOp", func() error { _, err := db.CurrentOp(ctx, nil); return err }, onPrimary},
		{"Dereference", func() error { return db.Dereference(ctx, ref, nil).Err() }, onSecondary},
		{"DereferenceMany", func() error {
			var docs []bson.D
			_, err := db.DereferenceMany(ctx, []motor.DBRef{ref}, &docs, nil)
			return err
		}, onSecondary},
		{"CollectionNames", func() error { _, err := db.CollectionNames(ctx, false); return err }, onPrimary},
		{"AddUser", func() error { return db.AddUser(ctx, "u", "pw", nil) }, onPrimary},
		{"RemoveUser", func() error { return db.RemoveUser(ctx, "u") }, onPrimary},
		{"Eval", func() error { _, err := db.Eval(ctx, bson.JavaScript("1 + 2")); return err }, onPrimary},
		{"Error", func() error { _, err := db.Error(ctx); return err }, onPrimary},
		{"LastStatus", func() error { _, err := db.LastStatus(ctx); return err }, onPrimary},
		{"PreviousError", func() error { _, err := db.PreviousError(ctx); return err }, onPrimary},
		{"ResetErrorHistory", func() error { return db.ResetErrorHistory(ctx) }, onPrimary},
		{"Client.ListDatabaseNames", func() error { _, err := c.ListDatabaseNames(ctx, nil); return err }, onPrimary},
		{"Client.DropDatabase", func() error { return c.DropDatabase(ctx, "shop") }, onPrimary},
		{"Database.Drop", func() error { return db.Drop(ctx) }, onPrimary},
		{"Client.ServerInfo", func() error { _, err := c.ServerInfo(ctx); return err }, onPrimary},
		{"Client.Fsync", func() error { return c.Fsync(ctx, nil) }, onPrimary},
		{"Client.Unlock", func() error { return c.Unlock(ctx) }, onPrimary},
		{"Client.Dereference", func() error {
			return c.Dereference(ctx, motor.DBRef{Collection: "c", ID: int32(1), Database: "shop"}, nil).Err()
		}, onPrimary}, // the client's read preference: primary
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rs.Reset()
			if err := tc.do(); err != nil {
				t.Fatal(err)
			}
			i := memberOf(t, rs.Members())
			if onPrimary := rs.Members()[i] == rs.Primary(); onPrimary != tc.toPrimary {
				t.Errorf("sent %v to member %d (primary: %v)", fakeNames(rs.Members()[i]), i, onPrimary)
			}
			for _, cmd := range fakeCommands(rs.Members()[i]) {
				want := any(nil)
				if !tc.toPrimary {
					want = bson.D{{Key: "mode", Value: "secondary"}}
				}
				diff(t, cmd[0].Key+" $readPreference", want, getField(cmd, "$readPreference"))
			}
		})
	}
}
