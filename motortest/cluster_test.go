package motortest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// withoutDates replaces the values of localTime and lastWrite, which change from call to call.
func withoutDates(d bson.D) bson.D {
	out := append(bson.D(nil), d...)
	for i, e := range out {
		if e.Key == "localTime" || e.Key == "lastWrite" {
			out[i].Value = "(date)"
		}
	}

	return out
}

func TestReplicaSetHello(t *testing.T) {
	rs := NewReplicaSet(t, 2, &ReplicaSetOptions{Name: "set1", Arbiters: 1})
	h := rs.Hosts()
	limits := func(last ...bson.E) bson.D {
		return append(bson.D{
			{Key: "maxBsonObjectSize", Value: int32(16777216)},
			{Key: "maxMessageSizeBytes", Value: int32(48000000)},
			{Key: "maxWriteBatchSize", Value: int32(100000)},
			{Key: "localTime", Value: "(date)"},
			{Key: "logicalSessionTimeoutMinutes", Value: int32(30)},
			{Key: "connectionId", Value: int32(1)},
			{Key: "minWireVersion", Value: int32(0)},
			{Key: "maxWireVersion", Value: int32(21)},
			{Key: "readOnly", Value: false},
			{Key: "ok", Value: 1.0},
		}, last...)
	}
	set := bson.D{
		{Key: "hosts", Value: bson.A{h[0], h[1]}},
		{Key: "arbiters", Value: bson.A{h[2]}},
		{Key: "setName", Value: "set1"},
		{Key: "setVersion", Value: int32(1)},
	}
	join := func(parts ...bson.D) bson.D {
		var out bson.D
		for _, p := range parts {
			out = append(out, p...)
		}

		return out
	}

	tests := []struct {
		name   string
		member int
		cmd    bson.D
		want   bson.D
	}{
		{"primary, hello", 0, bson.D{{Key: "hello", Value: 1}, {Key: "helloOk", Value: true}}, join(
			bson.D{{Key: "helloOk", Value: true}}, set,
			bson.D{
				{Key: "isWritablePrimary", Value: true}, {Key: "secondary", Value: false}, {Key: "primary", Value: h[0]},
				{Key: "me", Value: h[0]}, {Key: "electionId", Value: electionID(1)}, {Key: "lastWrite", Value: "(date)"},
			},
			limits())},
		{"secondary, isMaster", 1, bson.D{{Key: "isMaster", Value: 1}}, join(
			set,
			bson.D{
				{Key: "ismaster", Value: false}, {Key: "secondary", Value: true}, {Key: "primary", Value: h[0]},
				{Key: "me", Value: h[1]}, {Key: "lastWrite", Value: "(date)"},
			},
			limits())},
		{"arbiter", 2, bson.D{{Key: "hello", Value: 1}}, join(
			set,
			bson.D{
				{Key: "isWritablePrimary", Value: false}, {Key: "secondary", Value: false}, {Key: "arbiterOnly", Value: true},
				{Key: "primary", Value: h[0]}, {Key: "me", Value: h[2]},
			},
			limits())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withoutDates(rs.hello(tt.member)(tt.cmd))
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("hello reply mismatch (-want +got):\n%s", d)
			}
		})
	}

	t.Run("after a step-down", func(t *testing.T) {
		if next := rs.StepDown(); next != rs.Members()[1] {
			t.Fatal("member 1 is not the new primary")
		}

		reply := rs.hello(1)(bson.D{{Key: "hello", Value: 1}})
		for k, want := range map[string]any{"isWritablePrimary": true, "primary": h[1], "electionId": electionID(2)} {
			if v, _ := fakeLookup(reply, k); v != want {
				t.Errorf("%s = %v, want %v", k, v, want)
			}
		}

		if v, _ := fakeLookup(rs.hello(0)(bson.D{{Key: "hello", Value: 1}}), "secondary"); v != true {
			t.Error("the old primary is not a secondary")
		}

		if electionID(2).Hex() <= electionID(1).Hex() {
			t.Error("electionId does not grow with the term")
		}
	})

	t.Run("no primary", func(t *testing.T) {
		rs.SetPrimary(-1)
		if rs.Primary() != nil || len(rs.Secondaries()) != 2 {
			t.Errorf("primary %v, %d secondaries", rs.Primary(), len(rs.Secondaries()))
		}

		if _, ok := fakeLookup(rs.hello(0)(bson.D{{Key: "hello", Value: 1}}), "primary"); ok {
			t.Error("a set without a primary names one")
		}

		rs.SetPrimary(0)
	})
}

func TestReplicaSetGuard(t *testing.T) {
	rs := NewReplicaSet(t, 2, &ReplicaSetOptions{Arbiters: 1})
	ok := func(bson.D) bson.D { return OK(bson.E{Key: "handled", Value: true}) }
	secondaryRP := bson.E{Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "secondaryPreferred"}}}
	primaryRP := bson.E{Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "primary"}}}
	notWritable := CommandError(10107, "NotWritablePrimary", "not primary")
	notSecondaryOK := CommandError(13435, "NotPrimaryNoSecondaryOk", "not primary and secondaryOk=false")

	tests := []struct {
		name   string
		member int
		cmd    bson.D
		want   bson.D
	}{
		{"primary write", 0, bson.D{{Key: "insert", Value: "c"}}, ok(nil)},
		{"primary read", 0, bson.D{{Key: "find", Value: "c"}}, ok(nil)},
		{"secondary write", 1, bson.D{{Key: "insert", Value: "c"}, secondaryRP}, notWritable},
		{"secondary retryable write", 1, bson.D{{Key: "update", Value: "c"}, {Key: "txnNumber", Value: int64(1)}},
			append(append(bson.D(nil), notWritable...), bson.E{Key: "errorLabels", Value: bson.A{"RetryableWriteError"}})},
		{"secondary read, no read preference", 1, bson.D{{Key: "find", Value: "c"}}, notSecondaryOK},
		{"secondary read, primary", 1, bson.D{{Key: "find", Value: "c"}, primaryRP}, notSecondaryOK},
		{"secondary read, secondaryPreferred", 1, bson.D{{Key: "find", Value: "c"}, secondaryRP}, ok(nil)},
		{"secondary getMore", 1, bson.D{{Key: "getMore", Value: int64(1)}}, ok(nil)},
		{"secondary ping", 1, bson.D{{Key: "ping", Value: 1}}, ok(nil)},
		{"arbiter read", 2, bson.D{{Key: "find", Value: "c"}, secondaryRP}, notWritable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, rs.guard(tt.member, ok)(tt.cmd)); d != "" {
				t.Errorf("reply mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestStartClusterErrors(t *testing.T) {
	if _, err := StartReplicaSet(0, nil); err == nil {
		t.Error("StartReplicaSet(0) succeeded")
	}

	if _, err := StartReplicaSet(1, &ReplicaSetOptions{Arbiters: -1}); err == nil {
		t.Error("StartReplicaSet with -1 arbiters succeeded")
	}

	if _, err := StartSharded(0); err == nil {
		t.Error("StartSharded(0) succeeded")
	}

	defer func() {
		if recover() == nil {
			t.Error("SetPrimary(2) on a set of 2 did not panic")
		}
	}()
	NewReplicaSet(t, 2, nil).SetPrimary(2)
}

// TestClusterDiscovery checks that the driver discovers the simulated deployments as what they claim to be.
func TestClusterDiscovery(t *testing.T) {
	kinds := func(t *testing.T, uri string, want string) *mongo.Client {
		t.Helper()

		kind := make(chan string, 100)
		mon := &event.ServerMonitor{TopologyDescriptionChanged: func(e *event.TopologyDescriptionChangedEvent) {
			select {
			case kind <- e.NewDescription.Kind:
			default:
			}
		}}

		client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerMonitor(mon).
			SetServerSelectionTimeout(fakeTimeout).SetHeartbeatInterval(500 * time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}

		t.Cleanup(func() { _ = client.Disconnect(context.Background()) })

		if err := client.Ping(fakeCtx(t), readpref.Primary()); err != nil {
			t.Fatal(err)
		}

		deadline := time.After(fakeTimeout)

		for {
			select {
			case k := <-kind:
				if k == want {
					return client
				}
			case <-deadline:
				t.Fatalf("the topology never became %s", want)
			}
		}
	}

	t.Run("replica set", func(t *testing.T) {
		rs := NewReplicaSet(t, 3, nil)
		rs.Handle("find", func(bson.D) bson.D {
			return OK(bson.E{Key: "cursor", Value: bson.D{{Key: "id", Value: int64(0)}, {Key: "ns", Value: "db.c"}, {Key: "firstBatch", Value: bson.A{}}}})
		})
		client := kinds(t, rs.URI(), "ReplicaSetWithPrimary")

		if got := fakeStrip(rs.Members()[0].Commands()); len(got) != 1 || got[0][0].Key != "ping" {
			t.Errorf("the primary got %v, want the ping", got)
		}

		rs.Reset()

		coll := client.Database("db").Collection("c", options.Collection().SetReadPreference(readpref.Secondary()))
		if err := coll.FindOne(fakeCtx(t), bson.D{}).Err(); err != mongo.ErrNoDocuments {
			t.Fatal(err)
		}

		if n := len(rs.Members()[0].Commands()); n != 0 {
			t.Errorf("the primary got %d commands, want none", n)
		}
	})

	t.Run("sharded", func(t *testing.T) {
		s := NewSharded(t, 2)
		kinds(t, s.URI(), "Sharded")
	})
}
