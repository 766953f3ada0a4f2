package motor_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// mustWatch returns a function that takes the results of a Watch call and returns the stream, closed at the end of
// the test: s := mustWatch(t)(coll.Watch(ctx, nil, nil)).
func mustWatch(t testing.TB) func(*motor.ChangeStream, error) *motor.ChangeStream {
	return func(s *motor.ChangeStream, err error) *motor.ChangeStream {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		return s
	}
}

// nextEvents reads n events with Next, decoded into bson.D, and the resume token after each.
func nextEvents(t testing.TB, s *motor.ChangeStream, n int) (events []bson.D, tokens []bson.D) {
	t.Helper()
	for range n {
		if !s.Next(t.Context()) {
			t.Fatalf("Next after %d events: false, Err %v", len(events), s.Err())
		}
		var ev bson.D
		if err := s.Decode(&ev); err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
		tokens = append(tokens, tokenDoc(t, s.ResumeToken()))
	}
	return events, tokens
}

// tokenDoc decodes a resume token.
func tokenDoc(t testing.TB, raw bson.Raw) bson.D {
	t.Helper()
	if raw == nil {
		return nil
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// fullDocuments returns the fullDocument of each event.
func fullDocuments(events []bson.D) []any {
	var out []any
	for _, ev := range events {
		out = append(out, getField(ev, "fullDocument"))
	}
	return out
}

// orderDocs returns the documents {_id: i} for the given ids.
func orderDocs(ids ...int) []bson.D {
	var out []bson.D
	for _, id := range ids {
		out = append(out, bson.D{{Key: "_id", Value: int32(id)}})
	}
	return out
}

// changeStreamStage is the pipeline's first stage with these $changeStream options.
func changeStreamStage(opts ...bson.E) bson.D {
	return bson.D{{Key: "$changeStream", Value: append(bson.D{}, opts...)}}
}

// TestWatch follows a collection change stream against the stream server: the aggregate with $changeStream and
// the options, each getMore with batchSize and maxTimeMS from MaxAwaitTime, the events of each batch in order, the
// resume token after each event and each batch (the postBatchResumeToken once a batch is used up, which advances
// even when no event comes), TryNext without an event, and killCursors on Close.
func TestWatch(t *testing.T) {
	ctx := t.Context()
	srv := motortest.NewChangeStreamServer(t)
	db := fakeDB(t, srv.Fake, "shop")
	orders := db.Collection("orders")
	srv.Insert("shop", "other", orderDocs(100)...) // oplog position 1, before the stream opens
	match := bson.D{{Key: "$match", Value: bson.D{{Key: "operationType", Value: "insert"}}}}

	s := mustWatch(t)(orders.Watch(ctx, mongo.Pipeline{match}, &motor.WatchOptions{
		FullDocument: options.UpdateLookup, BatchSize: 2, MaxAwaitTime: 50 * time.Millisecond,
	}))
	diff(t, "aggregate", []bson.D{{
		{Key: "aggregate", Value: "orders"},
		{Key: "pipeline", Value: bson.A{changeStreamStage(bson.E{Key: "fullDocument", Value: "updateLookup"}), match}},
		{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(2)}}},
		{Key: "$db", Value: "shop"},
		primaryRP,
	}}, fakeCommands(srv.Fake, "aggregate"))
	diff(t, "resume token after the aggregate (its postBatchResumeToken)", motortest.StreamToken(1), tokenDoc(t, s.ResumeToken()))
	if s.ID() == 0 || !s.Alive() || s.RemainingBatchLength() != 0 {
		t.Errorf("after the aggregate: ID %d, Alive %v, RemainingBatchLength %d", s.ID(), s.Alive(), s.RemainingBatchLength())
	}
	if err := s.Decode(new(bson.D)); err == nil || !strings.HasPrefix(err.Error(), "motor: watch shop.orders: Decode called without") {
		t.Errorf("Decode before Next: %v", err)
	}

	srv.Insert("shop", "orders", orderDocs(1, 2, 3)...) // positions 2, 3, 4
	srv.Insert("shop", "other", orderDocs(101)...)      // position 5: not for this stream
	events, tokens := nextEvents(t, s, 3)
	diff(t, "full documents", []any{orderDocs(1)[0], orderDocs(2)[0], orderDocs(3)[0]}, fullDocuments(events))
	diff(t, "event ids", []any{motortest.StreamToken(2), motortest.StreamToken(3), motortest.StreamToken(4)},
		[]any{getField(events[0], "_id"), getField(events[1], "_id"), getField(events[2], "_id")})
	// The first batch holds two events: after the first, the token is its _id; after the second, the batch's
	// postBatchResumeToken. The second batch holds the last event and reads to the end of the oplog.
	diff(t, "resume tokens", []bson.D{motortest.StreamToken(2), motortest.StreamToken(3), motortest.StreamToken(5)}, tokens)
	var raw bson.D
	if err := bson.Unmarshal(s.Current(), &raw); err != nil || !reflect.DeepEqual(raw, events[2]) {
		t.Errorf("Current = %v (%v), want the last event", raw, err)
	}

	srv.Insert("hr", "staff", orderDocs(102)...) // position 6
	if s.TryNext(ctx) {
		t.Fatal("TryNext without an event: true")
	}
	if err := s.Err(); err != nil || !s.Alive() {
		t.Fatalf("after TryNext without an event: Err %v, Alive %v", err, s.Alive())
	}
	diff(t, "resume token after an empty batch", motortest.StreamToken(6), tokenDoc(t, s.ResumeToken()))

	id := s.ID()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if s.Next(ctx) || s.TryNext(ctx) || s.Alive() || s.ID() != 0 {
		t.Errorf("after Close: Alive %v, ID %d, or Next/TryNext true", s.Alive(), s.ID())
	}
	getMore := bson.D{{Key: "getMore", Value: id}, {Key: "collection", Value: "orders"}, {Key: "batchSize", Value: int32(2)}, {Key: "$db", Value: "shop"}}
	diff(t, "commands", []bson.D{
		fakeCommands(srv.Fake, "aggregate")[0], getMore, getMore, getMore,
		{{Key: "killCursors", Value: "orders"}, {Key: "cursors", Value: bson.A{id}}, {Key: "$db", Value: "shop"}},
	}, fakeCommands(srv.Fake))
	for _, cmd := range srv.Fake.Commands() {
		if cmd[0].Key == "getMore" && getField(cmd, "maxTimeMS") != int64(50) {
			t.Errorf("getMore without maxTimeMS 50 from MaxAwaitTime: %v", cmd)
		}
	}
}

// TestWatchDatabaseAndCluster follows a database stream and a cluster stream: the aggregate: 1 on the database and
// on admin with allChangesForCluster, getMore on the namespace the server names, and the events of every collection
// of the database or of every database.
func TestWatchDatabaseAndCluster(t *testing.T) {
	ctx := t.Context()
	srv := motortest.NewChangeStreamServer(t)
	client := fakeClient(t, srv.Fake)
	shop := client.Database("shop")
	dbStream := mustWatch(t)(shop.Watch(ctx, nil, nil))
	cluster := mustWatch(t)(client.Watch(ctx, bson.A{}, &motor.WatchOptions{FullDocument: options.UpdateLookup}))
	diff(t, "aggregates", []bson.D{
		{
			{Key: "aggregate", Value: int32(1)}, {Key: "pipeline", Value: bson.A{changeStreamStage()}},
			{Key: "cursor", Value: bson.D{}}, {Key: "$db", Value: "shop"}, primaryRP,
		},
		{
			{Key: "aggregate", Value: int32(1)},
			{Key: "pipeline", Value: bson.A{changeStreamStage(
				bson.E{Key: "fullDocument", Value: "updateLookup"}, bson.E{Key: "allChangesForCluster", Value: true},
			)}},
			{Key: "cursor", Value: bson.D{}}, {Key: "$db", Value: "admin"}, primaryRP,
		},
	}, fakeCommands(srv.Fake, "aggregate"))

	srv.Insert("shop", "orders", orderDocs(1)...)
	srv.Insert("hr", "staff", orderDocs(2)...)
	srv.Insert("shop", "users", orderDocs(3)...)
	events, _ := nextEvents(t, dbStream, 2)
	diff(t, "database stream", []any{orderDocs(1)[0], orderDocs(3)[0]}, fullDocuments(events))
	events, _ = nextEvents(t, cluster, 3)
	diff(t, "cluster stream", []any{orderDocs(1)[0], orderDocs(2)[0], orderDocs(3)[0]}, fullDocuments(events))
	getMores := fakeCommands(srv.Fake, "getMore")
	if len(getMores) != 2 {
		t.Fatalf("getMores: %v", getMores)
	}
	diff(t, "getMores", []bson.D{
		{{Key: "getMore", Value: dbStream.ID()}, {Key: "collection", Value: "$cmd.aggregate"}, {Key: "$db", Value: "shop"}},
		{{Key: "getMore", Value: cluster.ID()}, {Key: "collection", Value: "$cmd.aggregate"}, {Key: "$db", Value: "admin"}},
	}, getMores)
	if err := cluster.Close(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "killCursors", []bson.D{{{Key: "killCursors", Value: "$cmd.aggregate"}, {Key: "cursors", Value: bson.A{int64(2)}}, {Key: "$db", Value: "admin"}}},
		fakeCommands(srv.Fake, "killCursors"))
}

// TestWatchOptionsSent checks the aggregate that each option and handle setting gives.
func TestWatchOptionsSent(t *testing.T) {
	ctx := t.Context()
	srv := motortest.NewChangeStreamServer(t)
	srv.Insert("shop", "orders", orderDocs(1, 2, 3)...)
	client := fakeClient(t, srv.Fake)
	db := client.Database("shop")
	orders := db.Collection("orders")
	secondary := db.Collection("orders", motor.WithReadPreference(readpref.SecondaryPreferred()), motor.WithReadConcern(readconcern.Majority()))
	startAt := bson.Timestamp{T: motortest.StreamEpoch + 2, I: 1}
	base := func(fields ...bson.E) bson.D {
		return append(bson.D{{Key: "aggregate", Value: "orders"}}, fields...)
	}
	tail := []bson.E{{Key: "$db", Value: "shop"}, primaryRP}
	for _, tc := range []struct {
		desc string
		coll *motor.Collection
		opts *motor.WatchOptions
		want bson.D
	}{
		{"nil options", orders, nil, append(base(
			bson.E{Key: "pipeline", Value: bson.A{changeStreamStage()}}, bson.E{Key: "cursor", Value: bson.D{}}), tail...)},
		{"zero options", orders, &motor.WatchOptions{FullDocument: options.Default}, append(base(
			bson.E{Key: "pipeline", Value: bson.A{changeStreamStage()}}, bson.E{Key: "cursor", Value: bson.D{}}), tail...)},
		{"every option, the handle's read preference and read concern", secondary, &motor.WatchOptions{
			FullDocument: options.WhenAvailable, FullDocumentBeforeChange: options.Required,
			StartAfter: bson.M{"_data": "0001"}, ShowExpandedEvents: true, BatchSize: 5, MaxAwaitTime: time.Second,
			Collation: &options.Collation{Locale: "fr", Strength: 2}, Comment: "audit",
		}, base(
			bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}, {Key: "strength", Value: int32(2)}}},
			bson.E{Key: "comment", Value: "audit"},
			bson.E{Key: "pipeline", Value: bson.A{changeStreamStage(
				bson.E{Key: "fullDocument", Value: "whenAvailable"},
				bson.E{Key: "fullDocumentBeforeChange", Value: "required"},
				bson.E{Key: "showExpandedEvents", Value: true},
				bson.E{Key: "startAfter", Value: motortest.StreamToken(1)},
			)}},
			bson.E{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(5)}}},
			bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: "majority"}}},
			bson.E{Key: "$db", Value: "shop"},
			bson.E{Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "secondaryPreferred"}}},
		)},
		{"resumeAfter", orders, &motor.WatchOptions{ResumeAfter: struct {
			Data string `bson:"_data"`
		}{"0002"}}, append(base(
			bson.E{Key: "pipeline", Value: bson.A{changeStreamStage(bson.E{Key: "resumeAfter", Value: motortest.StreamToken(2)})}},
			bson.E{Key: "cursor", Value: bson.D{}}), tail...)},
		{"startAtOperationTime", orders, &motor.WatchOptions{StartAtOperationTime: &startAt}, append(base(
			bson.E{Key: "pipeline", Value: bson.A{changeStreamStage(bson.E{Key: "startAtOperationTime", Value: startAt})}},
			bson.E{Key: "cursor", Value: bson.D{}}), tail...)},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			srv.Fake.Reset()
			s, err := tc.coll.Watch(ctx, nil, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(ctx)
			diff(t, "aggregate", []bson.D{tc.want}, fakeCommands(srv.Fake, "aggregate"))
		})
	}

	t.Run("where the stream starts", func(t *testing.T) {
		for _, tc := range []struct {
			desc string
			opts *motor.WatchOptions
			want []any
		}{
			{"now", &motor.WatchOptions{MaxAwaitTime: time.Millisecond}, nil},
			{"resumeAfter", &motor.WatchOptions{ResumeAfter: motortest.StreamToken(1), MaxAwaitTime: time.Millisecond}, []any{orderDocs(2)[0], orderDocs(3)[0]}},
			{"startAfter", &motor.WatchOptions{StartAfter: motortest.StreamToken(2), MaxAwaitTime: time.Millisecond}, []any{orderDocs(3)[0]}},
			{"startAtOperationTime", &motor.WatchOptions{StartAtOperationTime: &startAt, MaxAwaitTime: time.Millisecond}, []any{orderDocs(2)[0], orderDocs(3)[0]}},
		} {
			s := mustWatch(t)(orders.Watch(ctx, nil, tc.opts))
			var got []any
			for s.TryNext(ctx) {
				var ev bson.D
				if err := s.Decode(&ev); err != nil {
					t.Fatal(err)
				}
				got = append(got, getField(ev, "fullDocument"))
			}
			if err := s.Err(); err != nil {
				t.Fatal(err)
			}
			diff(t, tc.desc, tc.want, got)
		}
	})

	t.Run("a client's read preference", func(t *testing.T) {
		c := fakeClient(t, srv.Fake, motor.WithReadPreference(readpref.Nearest()))
		srv.Fake.Reset()
		_ = mustWatch(t)(c.Watch(ctx, nil, nil))
		diff(t, "$readPreference", bson.D{{Key: "mode", Value: "nearest"}}, getField(fakeCommands(srv.Fake, "aggregate")[0], "$readPreference"))
	})
}

// TestWatchDecoding shows that codec options and outgoing SON manipulators apply to change events through Watch:
// the database's on a database stream (the manipulators get its "$cmd" collection), the collection's own codec
// options and its name on a collection stream, while Current stays the bytes the server sent.
func TestWatchDecoding(t *testing.T) {
	ctx := t.Context()
	srv := motortest.NewChangeStreamServer(t)
	tokyo := time.FixedZone("JST", 9*3600)
	db := fakeDB(t, srv.Fake, "shop", motor.WithCodecOptions(motor.CodecOptions{
		DocumentType: reflect.TypeOf(bson.M{}), TZAware: true, TZInfo: tokyo,
	}))
	//nolint:staticcheck // the deprecated SON manipulators are what this test checks
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "source", Outgoing: func(doc bson.D, coll *motor.Collection) (bson.D, error) {
		return append(doc, bson.E{Key: "source", Value: coll.FullName()}), nil
	}}); err != nil {
		t.Fatal(err)
	}
	orders := db.Collection("orders", motor.WithCodecOptions(motor.CodecOptions{}))
	dbStream := mustWatch(t)(db.Watch(ctx, nil, nil))
	collStream := mustWatch(t)(orders.Watch(ctx, nil, nil))
	srv.Insert("shop", "orders", bson.D{{Key: "_id", Value: int32(1)}, {Key: "item", Value: bson.D{{Key: "sku", Value: "tea"}}}})
	wall := time.Unix(motortest.StreamEpoch+1, 0)

	if !dbStream.Next(ctx) {
		t.Fatal(dbStream.Err())
	}
	var ev any
	if err := dbStream.Decode(&ev); err != nil {
		t.Fatal(err)
	}
	m, ok := ev.(bson.M)
	if !ok {
		t.Fatalf("database stream: decoded a %T, want bson.M (DocumentType)", ev)
	}
	diff(t, "database stream, DocumentType bson.M", bson.M{"_id": int32(1), "item": bson.M{"sku": "tea"}}, m["fullDocument"])
	if wt, ok := m["wallTime"].(time.Time); !ok || !wt.Equal(wall) || wt.Location() != tokyo {
		t.Errorf("database stream, TZAware: wallTime = %#v, want %v in JST", m["wallTime"], wall)
	}
	diff(t, "database stream, SON manipulator", "shop.$cmd", m["source"])

	if !collStream.Next(ctx) {
		t.Fatal(collStream.Err())
	}
	var d bson.D
	if err := collStream.Decode(&d); err != nil {
		t.Fatal(err)
	}
	diff(t, "collection stream, the collection's codec options", bson.D{{Key: "_id", Value: int32(1)}, {Key: "item", Value: bson.D{{Key: "sku", Value: "tea"}}}}, getField(d, "fullDocument"))
	if wt, ok := getField(d, "wallTime").(bson.DateTime); !ok || !wt.Time().Equal(wall) {
		t.Errorf("collection stream, not TZAware: wallTime = %#v, want a bson.DateTime", getField(d, "wallTime"))
	}
	diff(t, "collection stream, SON manipulator", "shop.orders", getField(d, "source"))
	var typed struct {
		OperationType string    `bson:"operationType"`
		WallTime      time.Time `bson:"wallTime"`
		FullDocument  struct {
			ID int `bson:"_id"`
		} `bson:"fullDocument"`
	}
	if err := collStream.Decode(&typed); err != nil || typed.OperationType != "insert" || typed.FullDocument.ID != 1 || !typed.WallTime.Equal(wall) {
		t.Errorf("decoding into a struct: %+v, %v", typed, err)
	}
	if _, err := collStream.Current().LookupErr("source"); err == nil {
		t.Error("Current has the manipulator's field, want the bytes the server sent")
	}
}

// TestWatchResume resets the connection through a proxy when a getMore's reply comes back and checks that the
// driver sends the aggregate again with resumeAfter set to the last resume token and everything else as before, and
// that no event is lost or repeated, for a stream opened from now and one opened with startAfter.
func TestWatchResume(t *testing.T) {
	for _, tc := range []struct {
		desc       string
		opts       *motor.WatchOptions
		wantFirst  bson.D // the $changeStream of the first aggregate
		wantResume bson.D // and of the second
	}{
		{
			"from now", &motor.WatchOptions{BatchSize: 2},
			changeStreamStage(), changeStreamStage(bson.E{Key: "resumeAfter", Value: motortest.StreamToken(3)}),
		},
		{
			"startAfter", &motor.WatchOptions{BatchSize: 2, StartAfter: motortest.StreamToken(1), FullDocument: options.UpdateLookup},
			changeStreamStage(bson.E{Key: "fullDocument", Value: "updateLookup"}, bson.E{Key: "startAfter", Value: motortest.StreamToken(1)}),
			changeStreamStage(bson.E{Key: "fullDocument", Value: "updateLookup"}, bson.E{Key: "resumeAfter", Value: motortest.StreamToken(3)}),
		},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			ctx := t.Context()
			srv := motortest.NewChangeStreamServer(t)
			srv.Insert("shop", "other", orderDocs(100)...) // position 1
			proxy := motortest.NewProxy(t, srv.Fake.Addr())
			client, err := motor.Connect(proxy.URI(), motor.WithClientOptions(options.Client().SetHeartbeatInterval(time.Minute)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
			orders := client.Database("shop").Collection("orders")
			s := mustWatch(t)(orders.Watch(ctx, nil, tc.opts))
			srv.Insert("shop", "orders", orderDocs(1, 2, 3, 4, 5)...) // positions 2 to 6

			events, tokens := nextEvents(t, s, 2)
			proxy.SetFault(motortest.FaultReset) // the reply to the next getMore, events 3 and 4, never arrives
			more, moreTokens := nextEvents(t, s, 3)
			if proxy.Faults() != 1 {
				t.Fatalf("%d faults applied, want 1", proxy.Faults())
			}
			diff(t, "events, none lost or repeated", []any{orderDocs(1)[0], orderDocs(2)[0], orderDocs(3)[0], orderDocs(4)[0], orderDocs(5)[0]},
				fullDocuments(append(events, more...)))
			diff(t, "resume tokens", []bson.D{motortest.StreamToken(2), motortest.StreamToken(3), motortest.StreamToken(4), motortest.StreamToken(5), motortest.StreamToken(6)},
				append(tokens, moreTokens...))

			aggregate := func(stage bson.D) bson.D {
				return bson.D{
					{Key: "aggregate", Value: "orders"}, {Key: "pipeline", Value: bson.A{stage}},
					{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(2)}}}, {Key: "$db", Value: "shop"}, primaryRP,
				}
			}
			getMore := func(id int64) bson.D {
				return bson.D{{Key: "getMore", Value: id}, {Key: "collection", Value: "orders"}, {Key: "batchSize", Value: int32(2)}, {Key: "$db", Value: "shop"}}
			}
			// The first cursor is 1: its getMore fetches events 1 and 2, the reply to the next one is lost. The
			// driver leaves cursor 1 to the server (its connection is gone) and opens cursor 2 after event 2, whose
			// first batch has events 3 and 4; a getMore fetches event 5.
			diff(t, "commands", []bson.D{
				aggregate(tc.wantFirst), getMore(1), getMore(1), aggregate(tc.wantResume), getMore(2),
			}, fakeCommands(srv.Fake))
		})
	}
}

// TestWatchArgs table-tests the change stream builder: the pipeline stages and the driver's options.
func TestWatchArgs(t *testing.T) {
	match := bson.D{{Key: "$match", Value: bson.D{{Key: "x", Value: 1}}}}
	matchRaw := rawDoc(t, match)
	arr := bson.RawArray(rawDoc(t, bson.D{{Key: "0", Value: match}}))
	ts := &bson.Timestamp{T: 5, I: 1}
	batch, wait := int32(10), 2*time.Second
	fd, yes := options.UpdateLookup, true
	for _, tc := range []struct {
		desc       string
		pipeline   any
		opts       *motor.WatchOptions
		cluster    bool
		wantStages []bson.Raw
		want       *options.ChangeStreamOptions
		wantErr    string
	}{
		{desc: "nil", wantStages: []bson.Raw{}, want: &options.ChangeStreamOptions{}},
		{desc: "mongo.Pipeline", pipeline: mongo.Pipeline{match}, wantStages: []bson.Raw{matchRaw}, want: &options.ChangeStreamOptions{}},
		{desc: "[]any of bson.M", pipeline: []any{bson.M{"$match": bson.M{"x": 1}}}, wantStages: []bson.Raw{matchRaw}, want: &options.ChangeStreamOptions{}},
		{desc: "array", pipeline: [1]bson.D{match}, wantStages: []bson.Raw{matchRaw}, want: &options.ChangeStreamOptions{}},
		{desc: "bson.RawArray", pipeline: arr, wantStages: []bson.Raw{matchRaw}, want: &options.ChangeStreamOptions{}},
		{desc: "empty", pipeline: []bson.D{}, wantStages: []bson.Raw{}, want: &options.ChangeStreamOptions{}},
		{desc: "cluster", cluster: true, wantStages: []bson.Raw{}, want: &options.ChangeStreamOptions{CustomPipeline: bson.M{"allChangesForCluster": true}}},
		{
			desc: "options",
			opts: &motor.WatchOptions{
				FullDocument: options.UpdateLookup, FullDocumentBeforeChange: options.UpdateLookup, ResumeAfter: bson.M{"_data": "01"},
				MaxAwaitTime: wait, BatchSize: batch, Collation: &options.Collation{Locale: "fr"}, ShowExpandedEvents: true, Comment: int32(7),
			},
			wantStages: []bson.Raw{},
			want: &options.ChangeStreamOptions{
				FullDocument: &fd, FullDocumentBeforeChange: &fd, ResumeAfter: rawDoc(t, bson.M{"_data": "01"}), MaxAwaitTime: &wait,
				BatchSize: &batch, Collation: &options.Collation{Locale: "fr"}, ShowExpandedEvents: &yes,
				Comment: bson.RawValue{Type: bson.TypeInt32, Value: []byte{7, 0, 0, 0}},
			},
		},
		{desc: "startAfter", opts: &motor.WatchOptions{StartAfter: bson.D{{Key: "_data", Value: "01"}}}, wantStages: []bson.Raw{},
			want: &options.ChangeStreamOptions{StartAfter: rawDoc(t, bson.M{"_data": "01"})}},
		{desc: "startAtOperationTime", opts: &motor.WatchOptions{StartAtOperationTime: ts}, wantStages: []bson.Raw{},
			want: &options.ChangeStreamOptions{StartAtOperationTime: ts}},
		{desc: "a document", pipeline: match, wantErr: "the pipeline must be an array of stages (documents), not a bson.D"},
		{desc: "a string", pipeline: "$match", wantErr: "the pipeline must be an array of stages (documents), not a string"},
		{desc: "a number stage", pipeline: bson.A{match, 1}, wantErr: "pipeline stage 1 must be a document, not a int"},
		{desc: "a nil stage", pipeline: []any{nil}, wantErr: "pipeline stage 0 must be a document, not nil"},
		{desc: "an array stage", pipeline: []bson.A{{match}}, wantErr: "pipeline stage 0 must be a document, not a bson.A"},
		{desc: "a raw array of numbers", pipeline: bson.RawArray(rawDoc(t, bson.D{{Key: "0", Value: 1}})), wantErr: "pipeline stage 0 must be a document, not BSON 32-bit integer"},
		{desc: "a bad raw array", pipeline: bson.RawArray{1, 2}, wantErr: "invalid pipeline: "},
		{desc: "an unencodable stage", pipeline: []any{map[string]any{"$match": make(chan int)}}, wantErr: "cannot encode pipeline stage 0"},
		{desc: "negative batch size", opts: &motor.WatchOptions{BatchSize: -1}, wantErr: "WatchOptions.BatchSize must not be negative, got -1"},
		{desc: "negative wait", opts: &motor.WatchOptions{MaxAwaitTime: -time.Second}, wantErr: "WatchOptions.MaxAwaitTime must not be negative, got -1s"},
		{desc: "resumeAfter and startAfter", opts: &motor.WatchOptions{ResumeAfter: bson.D{}, StartAfter: bson.D{}}, wantErr: "set at most one of ResumeAfter, StartAfter and StartAtOperationTime"},
		{desc: "startAfter and a time", opts: &motor.WatchOptions{StartAfter: bson.D{}, StartAtOperationTime: ts}, wantErr: "set at most one of"},
		{desc: "resumeAfter and a time", opts: &motor.WatchOptions{ResumeAfter: bson.D{}, StartAtOperationTime: ts}, wantErr: "set at most one of"},
		{desc: "a string token", opts: &motor.WatchOptions{ResumeAfter: "8263"}, wantErr: "WatchOptions.ResumeAfter must be a document, not a string"},
		{desc: "an array token", opts: &motor.WatchOptions{StartAfter: bson.A{}}, wantErr: "WatchOptions.StartAfter must be a document, not a bson.A"},
		{desc: "an unencodable comment", opts: &motor.WatchOptions{Comment: make(chan int)}, wantErr: "cannot encode WatchOptions.Comment"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			stages, got, err := motor.WatchArgs(tc.pipeline, tc.opts, tc.cluster)
			if wantInvalidOption(t, err, tc.wantErr) {
				return
			}
			diff(t, "stages", tc.wantStages, stages)
			diff(t, "options", tc.want, got)
		})
	}
}

// TestWatchErrors checks that bad arguments fail before any I/O, and that every error, from motor, the driver or
// the server, reads "motor: watch <namespace>: <cause>" with the cause reachable.
func TestWatchErrors(t *testing.T) {
	ctx := t.Context()
	srv := motortest.NewChangeStreamServer(t)
	client := fakeClient(t, srv.Fake)
	db := client.Database("shop")
	orders := db.Collection("orders")
	var nilCtx context.Context

	t.Run("before any I/O", func(t *testing.T) {
		srv.Fake.Reset()
		for _, tc := range []struct {
			desc string
			do   func() (*motor.ChangeStream, error)
			want string
		}{
			{"nil context", func() (*motor.ChangeStream, error) { return orders.Watch(nilCtx, nil, nil) }, "motor: watch shop.orders: nil context"},
			{"database, bad pipeline", func() (*motor.ChangeStream, error) { return db.Watch(ctx, bson.D{}, nil) }, "motor: watch shop: the pipeline must be an array"},
			{"cluster, bad option", func() (*motor.ChangeStream, error) {
				return client.Watch(ctx, nil, &motor.WatchOptions{BatchSize: -2})
			}, "motor: watch cluster: WatchOptions.BatchSize must not be negative"},
		} {
			s, err := tc.do()
			if s != nil || !errors.Is(err, motor.ErrInvalidOption) || !strings.HasPrefix(fmtErr(err), tc.want) {
				t.Errorf("%s: %v, want ErrInvalidOption %q", tc.desc, err, tc.want)
			}
		}
		if names := fakeNames(srv.Fake); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})

	t.Run("nil context while iterating", func(t *testing.T) {
		s := mustWatch(t)(orders.Watch(ctx, nil, nil))
		if err := s.Close(nilCtx); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("Close(nil): %v", err)
		}
		if s.TryNext(nilCtx) || s.Next(ctx) {
			t.Error("TryNext(nil) or Next after it: true")
		}
		if err := s.Err(); fmtErr(err) != "motor: watch shop.orders: nil context" || !errors.Is(err, motor.ErrInvalidOption) || s.Alive() {
			t.Errorf("Err = %v, Alive %v", err, s.Alive())
		}
	})

	t.Run("the server refuses the aggregate", func(t *testing.T) {
		srv.Fake.Handle("aggregate", func(bson.D) bson.D {
			return motortest.CommandError(40573, "Location40573", "The $changeStream stage is only supported on replica sets")
		})
		defer srv.Serve()
		_, err := orders.Watch(ctx, nil, nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 40573 || fmtErr(err) != "motor: watch shop.orders: (Location40573) The $changeStream stage is only supported on replica sets" {
			t.Errorf("Watch: %v", err)
		}
	})

	t.Run("a getMore fails", func(t *testing.T) {
		s := mustWatch(t)(orders.Watch(ctx, nil, nil))
		srv.Fake.Handle("getMore", func(bson.D) bson.D { return motortest.CommandError(13, "Unauthorized", "not authorized") })
		defer srv.Serve()
		if s.Next(ctx) {
			t.Fatal("Next: true")
		}
		err := s.Err()
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 13 || !strings.HasPrefix(fmtErr(err), "motor: watch shop.orders: ") || s.Alive() {
			t.Errorf("Err = %v, Alive %v", err, s.Alive())
		}
	})

	t.Run("a context that ends the stream, and a new stream from its token", func(t *testing.T) {
		s := mustWatch(t)(orders.Watch(ctx, nil, &motor.WatchOptions{MaxAwaitTime: 10 * time.Millisecond}))
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if s.Next(short) {
			t.Fatal("Next without an event: true")
		}
		if err := s.Err(); !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(fmtErr(err), "motor: watch shop.orders: ") {
			t.Errorf("Err = %v, want the deadline", err)
		}
		srv.Insert("shop", "orders", orderDocs(7)...)
		if s.Next(ctx) || s.Alive() {
			t.Fatal("Next after the stream ended: true, or Alive")
		}
		again := mustWatch(t)(orders.Watch(ctx, nil, &motor.WatchOptions{ResumeAfter: s.ResumeToken()}))
		events, _ := nextEvents(t, again, 1)
		diff(t, "the event that came in between", []any{orderDocs(7)[0]}, fullDocuments(events))
	})

	t.Run("a deadline shorter than MaxAwaitTime", func(t *testing.T) {
		s := mustWatch(t)(orders.Watch(ctx, nil, &motor.WatchOptions{MaxAwaitTime: time.Minute}))
		short, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if s.Next(short) {
			t.Fatal("Next: true")
		}
		if err := s.Err(); fmtErr(err) != "motor: watch shop.orders: MaxAwaitTime must be less than the operation timeout" {
			t.Errorf("Err = %v", err)
		}
	})

	t.Run("a disconnected client", func(t *testing.T) {
		c := fakeClient(t, srv.Fake)
		if err := c.Disconnect(ctx); err != nil {
			t.Fatal(err)
		}
		_, err := c.Watch(ctx, nil, nil)
		if !errors.Is(err, motor.ErrClientDisconnected) || !strings.HasPrefix(fmtErr(err), "motor: watch cluster: ") {
			t.Errorf("Watch: %v", err)
		}
	})
}

// TestWatchServer watches a collection of the test server. With MONGODB_URI set (a replica set or mongos), it
// inserts documents and reads their events, then resumes a new stream after the first; FerretDB, which has no
// change streams, refuses the aggregate, and the error is named.
func TestWatchServer(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t)
	coll := db.Collection("c")
	s, err := coll.Watch(ctx, nil, &motor.WatchOptions{MaxAwaitTime: 100 * time.Millisecond})
	if !motortest.Real() {
		if err == nil || !strings.HasPrefix(err.Error(), "motor: watch "+coll.FullName()+": ") {
			t.Fatalf("FerretDB: Watch = %v, want a named error", err)
		}
		return
	}
	if serverErrCode(err) == 40573 { // a standalone
		t.Skipf("the server has no change streams: %v", err)
	}
	s = mustWatch(t)(s, err)
	insertN(t, coll, 3)
	events, tokens := nextEvents(t, s, 3)
	var ids []any
	for _, ev := range events {
		ids = append(ids, getField(getField(ev, "fullDocument").(bson.D), "_id"))
		if getField(ev, "operationType") != "insert" {
			t.Errorf("event %v", ev)
		}
	}
	diff(t, "inserted ids", []any{int32(1), int32(2), int32(3)}, ids)
	resumed := mustWatch(t)(coll.Watch(ctx, nil, &motor.WatchOptions{ResumeAfter: tokens[0]}))
	events, _ = nextEvents(t, resumed, 2)
	diff(t, "events after the first", []any{int32(2), int32(3)}, []any{
		getField(getField(events[0], "fullDocument").(bson.D), "_id"), getField(getField(events[1], "fullDocument").(bson.D), "_id"),
	})
}

// serverErrCode is the code of a server error, or 0.
func serverErrCode(err error) int32 {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}
