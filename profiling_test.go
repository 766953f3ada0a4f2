package motor_test

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestProfilingLevelString(t *testing.T) {
	for l, want := range map[motor.ProfilingLevel]string{
		motor.ProfilingOff:      "off",
		motor.ProfilingSlowOnly: "slowOnly",
		motor.ProfilingAll:      "all",
		3:                       "ProfilingLevel(3)",
		-1:                      "ProfilingLevel(-1)",
	} {
		if got := l.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(l), got, want)
		}
	}
	if motor.ProfilingOff != 0 || motor.ProfilingSlowOnly != 1 || motor.ProfilingAll != 2 {
		t.Error("the levels must be the server's numbers")
	}
}

// TestSetProfilingLevelCommand checks the command each level and option set sends, on a scripted server, and that
// bad arguments fail before any I/O.
func TestSetProfilingLevelCommand(t *testing.T) {
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	f.Handle("profile", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "was", Value: int32(0)}, bson.E{Key: "slowms", Value: int32(100)}, bson.E{Key: "sampleRate", Value: 1.0})
	})
	// The database's read preference does not apply: profile goes to the primary, as in Motor.
	db := fakeDB(t, f, "shop", motor.WithReadPreference(readpref.Nearest()))
	ctx := t.Context()
	ms := func(n int) *int { return &n }
	rate := func(r float64) *float64 { return &r }
	tests := []struct {
		desc    string
		level   motor.ProfilingLevel
		opts    *motor.SetProfilingLevelOptions
		want    bson.D // without $db and $readPreference
		wantErr error
	}{
		{desc: "off", level: motor.ProfilingOff, want: bson.D{{Key: "profile", Value: int32(0)}}},
		{desc: "slow only", level: motor.ProfilingSlowOnly, want: bson.D{{Key: "profile", Value: int32(1)}}},
		{desc: "all, zero options", level: motor.ProfilingAll, opts: &motor.SetProfilingLevelOptions{}, want: bson.D{{Key: "profile", Value: int32(2)}}},
		{
			desc: "slowms", level: motor.ProfilingSlowOnly, opts: &motor.SetProfilingLevelOptions{SlowMS: ms(50)},
			want: bson.D{{Key: "profile", Value: int32(1)}, {Key: "slowms", Value: int32(50)}},
		},
		{
			desc: "slowms zero is sent", level: motor.ProfilingOff, opts: &motor.SetProfilingLevelOptions{SlowMS: ms(0)},
			want: bson.D{{Key: "profile", Value: int32(0)}, {Key: "slowms", Value: int32(0)}},
		},
		{
			desc: "slowms beyond int32 is an int64", level: motor.ProfilingSlowOnly, opts: &motor.SetProfilingLevelOptions{SlowMS: ms(1 << 40)},
			want: bson.D{{Key: "profile", Value: int32(1)}, {Key: "slowms", Value: int64(1 << 40)}},
		},
		{
			desc:  "every option, in order",
			level: motor.ProfilingSlowOnly,
			opts: &motor.SetProfilingLevelOptions{
				SlowMS: ms(20), SampleRate: rate(0.5),
				Filter: bson.D{{Key: "op", Value: "query"}, {Key: "millis", Value: bson.D{{Key: "$gt", Value: 2000}}}},
			},
			want: bson.D{
				{Key: "profile", Value: int32(1)}, {Key: "slowms", Value: int32(20)}, {Key: "sampleRate", Value: 0.5},
				{Key: "filter", Value: bson.D{{Key: "op", Value: "query"}, {Key: "millis", Value: bson.D{{Key: "$gt", Value: int32(2000)}}}}},
			},
		},
		{
			desc: "sample rate bounds are allowed", level: motor.ProfilingSlowOnly, opts: &motor.SetProfilingLevelOptions{SampleRate: rate(0)},
			want: bson.D{{Key: "profile", Value: int32(1)}, {Key: "sampleRate", Value: 0.0}},
		},
		{
			desc: "filter unset", level: motor.ProfilingOff, opts: &motor.SetProfilingLevelOptions{Filter: "unset"},
			want: bson.D{{Key: "profile", Value: int32(0)}, {Key: "filter", Value: "unset"}},
		},
		{desc: "level 3", level: 3, wantErr: motor.ErrInvalidOption},
		{desc: "level -1 (profile -1 only reads)", level: -1, wantErr: motor.ErrInvalidOption},
		{desc: "sample rate above 1", level: motor.ProfilingAll, opts: &motor.SetProfilingLevelOptions{SampleRate: rate(1.5)}, wantErr: motor.ErrInvalidOption},
		{desc: "negative sample rate", level: motor.ProfilingAll, opts: &motor.SetProfilingLevelOptions{SampleRate: rate(-0.1)}, wantErr: motor.ErrInvalidOption},
		{desc: "NaN sample rate", level: motor.ProfilingAll, opts: &motor.SetProfilingLevelOptions{SampleRate: rate(math.NaN())}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			f.Reset()
			err := db.SetProfilingLevel(ctx, tt.level, tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var want []bson.D
			if tt.want != nil {
				want = []bson.D{append(withDB("shop", tt.want), primaryRP)}
			}
			diff(t, "commands", want, fakeCommands(f))
		})
	}

	// Server errors pass through, wrapped.
	f.Handle("profile", func(bson.D) bson.D {
		return motortest.CommandError(2, "BadValue", "'sampleRate' must be between 0.0 and 1.0 inclusive")
	})
	err := db.SetProfilingLevel(ctx, motor.ProfilingAll, nil)
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 2 || err.Error() != "motor: profile 2: (BadValue) 'sampleRate' must be between 0.0 and 1.0 inclusive" {
		t.Errorf("err = %v", err)
	}
	if err := db.SetProfilingLevel(nil, motor.ProfilingAll, nil); !errors.Is(err, motor.ErrInvalidOption) { //nolint:staticcheck // a nil ctx is the point
		t.Errorf("nil ctx: %v", err)
	}
}

// TestProfilingLevelFake checks what ProfilingLevel sends and how it reads each reply, on a scripted server.
func TestProfilingLevelFake(t *testing.T) {
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	var reply bson.D
	f.Handle("profile", func(bson.D) bson.D { return reply })
	db := fakeDB(t, f, "shop", motor.WithReadPreference(readpref.SecondaryPreferred()))
	ctx := t.Context()

	status := func(was any) bson.D {
		return motortest.OK(bson.E{Key: "was", Value: was}, bson.E{Key: "slowms", Value: int32(100)}, bson.E{Key: "sampleRate", Value: 1.0})
	}
	tests := []struct {
		desc    string
		reply   bson.D
		want    motor.ProfilingLevel
		wantErr string
	}{
		{desc: "off", reply: status(int32(0)), want: motor.ProfilingOff},
		{desc: "slow only", reply: status(int32(1)), want: motor.ProfilingSlowOnly},
		{desc: "all", reply: status(int32(2)), want: motor.ProfilingAll},
		{desc: "int64", reply: status(int64(1)), want: motor.ProfilingSlowOnly},
		{desc: "double", reply: status(2.0), want: motor.ProfilingAll},
		{
			desc: "with a filter (MongoDB 4.4.2+)",
			reply: motortest.OK(
				bson.E{Key: "was", Value: int32(1)}, bson.E{Key: "slowms", Value: int32(100)}, bson.E{Key: "sampleRate", Value: 1.0},
				bson.E{Key: "filter", Value: bson.D{{Key: "op", Value: "query"}}},
				bson.E{Key: "note", Value: "When a filter expression is set, slowms and sampleRate are not used for profiling and slow-query log lines."},
			),
			want: motor.ProfilingSlowOnly,
		},
		{desc: "out of range", reply: status(int32(3)), wantErr: `motor: profile: the reply has level 3, not 0, 1 or 2`},
		{desc: "negative", reply: status(int32(-1)), wantErr: `motor: profile: the reply has level -1, not 0, 1 or 2`},
		{desc: "not a number", reply: status("1"), wantErr: `motor: profile: the reply has level "1", not 0, 1 or 2`},
		{desc: "fractional", reply: status(1.5), wantErr: `motor: profile: the reply has level 1.5, not 0, 1 or 2`},
		{desc: "no was", reply: motortest.OK(bson.E{Key: "slowms", Value: int32(100)}), wantErr: `motor: profile: the reply has no "was" field: {"slowms": {"$numberInt":"100"},"ok": {"$numberDouble":"1.0"}}`},
		{
			desc:    "no profiler (FerretDB, mongos)",
			reply:   motortest.CommandError(59, "CommandNotFound", "no such command: 'profile'"),
			wantErr: `motor: profile: (CommandNotFound) no such command: 'profile'`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			reply = tt.reply
			f.Reset()
			got, err := db.ProfilingLevel(ctx)
			diff(t, "command", []bson.D{{{Key: "profile", Value: int32(-1)}, {Key: "$db", Value: "shop"}, primaryRP}}, fakeCommands(f))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v\nwant %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ProfilingLevel = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	var ce mongo.CommandError
	reply = motortest.CommandError(59, "CommandNotFound", "no such command: 'profile'")
	if _, err := db.ProfilingLevel(ctx); !errors.As(err, &ce) || ce.Code != 59 {
		t.Errorf("err = %v", err)
	}
}

// TestProfiling runs the profiling members on the test server: FerretDB has no profile command; a real MongoDB
// profiles.
func TestProfiling(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)

	level, err := db.ProfilingLevel(ctx)
	var ce mongo.CommandError
	if motortest.Real() {
		if err != nil || level != motor.ProfilingOff {
			t.Fatalf("ProfilingLevel = %v, %v", level, err)
		}
	} else if !errors.As(err, &ce) || ce.Code != 59 {
		t.Fatalf("ProfilingLevel on FerretDB: %v", err)
	}
	err = db.SetProfilingLevel(ctx, motor.ProfilingOff, nil)
	if motortest.Real() != (err == nil) {
		t.Fatalf("SetProfilingLevel: %v", err)
	}
	diff(t, "profile commands", []bson.D{
		withDB(db.Name(), bson.D{{Key: "profile", Value: int32(-1)}}),
		withDB(db.Name(), bson.D{{Key: "profile", Value: int32(0)}}),
	}, rec.Commands("profile"))

	// Nothing profiled: an empty, non-nil slice.
	rec.Reset()
	entries, err := db.ProfilingInfo(ctx)
	if err != nil || entries == nil || len(entries) != 0 {
		t.Fatalf("ProfilingInfo = %v, %v", entries, err)
	}
	diff(t, "find", []bson.D{withDB(db.Name(), bson.D{{Key: "find", Value: "system.profile"}, {Key: "filter", Value: bson.D{}}})}, rec.Commands("find"))

	// The database's read concern applies to profiling info.
	rec.Reset()
	local := db.WithOptions(motor.WithReadConcern(readconcern.Local()))
	if _, err := local.ProfilingInfo(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "find with read concern", []bson.D{withDB(db.Name(), bson.D{
		{Key: "find", Value: "system.profile"}, {Key: "filter", Value: bson.D{}},
		{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}},
	})}, rec.Commands("find"))

	// A bad level fails before any I/O.
	rec.Reset()
	if err := db.SetProfilingLevel(ctx, 7, nil); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("level 7: %v", err)
	}
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("commands sent: %v", names)
	}

	if !motortest.Real() {
		return
	}
	// A real server profiles a query.
	coll := db.Collection("profiled")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SetProfilingLevel(ctx, motor.ProfilingAll, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.SetProfilingLevel(ctx, motor.ProfilingOff, nil) })
	if level, err := db.ProfilingLevel(ctx); err != nil || level != motor.ProfilingAll {
		t.Fatalf("ProfilingLevel = %v, %v", level, err)
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	entries, err = db.ProfilingInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var saw bool
	for _, e := range entries {
		if e.Op == "query" && e.NS == db.Name()+".profiled" && e.NReturned == 1 && !e.TS.IsZero() && len(e.Document) > 0 && len(e.Raw) > 0 {
			saw = true
		}
	}
	if !saw {
		t.Errorf("no profiled query in %+v", entries)
	}
}

// TestProfilingInfoFake checks the decoding of profiler documents, with getMore, on a scripted server.
func TestProfilingInfoFake(t *testing.T) {
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	ist := time.FixedZone("IST", 5*3600+1800)
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)
	query := bson.D{
		{Key: "op", Value: "query"},
		{Key: "ns", Value: "shop.orders"},
		{Key: "command", Value: bson.D{{Key: "find", Value: "orders"}, {Key: "filter", Value: bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: int32(1)}}}}}, {Key: "$db", Value: "shop"}}},
		{Key: "keysExamined", Value: int32(0)},
		{Key: "docsExamined", Value: int32(3)},
		{Key: "cursorExhausted", Value: true},
		{Key: "numYield", Value: int32(0)},
		{Key: "nreturned", Value: int32(2)},
		{Key: "queryHash", Value: "8F1B4E7C"},
		{Key: "locks", Value: bson.D{{Key: "Global", Value: bson.D{{Key: "acquireCount", Value: bson.D{{Key: "r", Value: int64(1)}}}}}}},
		{Key: "responseLength", Value: int32(250)},
		{Key: "protocol", Value: "op_msg"},
		{Key: "millis", Value: int32(4)},
		{Key: "planSummary", Value: "COLLSCAN"},
		{Key: "ts", Value: bson.NewDateTimeFromTime(ts)},
		{Key: "client", Value: "127.0.0.1"},
		{Key: "appName", Value: "motor-test"},
		{Key: "allUsers", Value: bson.A{}},
		{Key: "user", Value: ""},
	}
	update := bson.D{
		{Key: "op", Value: "update"},
		{Key: "ns", Value: "shop.orders"},
		{Key: "command", Value: bson.D{{Key: "q", Value: bson.D{}}, {Key: "u", Value: bson.D{{Key: "$inc", Value: bson.D{{Key: "qty", Value: int32(1)}}}}}, {Key: "multi", Value: true}}},
		{Key: "keysExamined", Value: int32(0)},
		{Key: "docsExamined", Value: int32(3)},
		{Key: "nMatched", Value: int32(3)},
		{Key: "nModified", Value: int32(3)},
		{Key: "numYield", Value: int64(1)},
		{Key: "millis", Value: int32(1)},
		{Key: "ts", Value: bson.NewDateTimeFromTime(ts.Add(time.Second))},
		{Key: "client", Value: "127.0.0.1"},
		{Key: "user", Value: "app@shop"},
	}
	f.Handle("find", func(bson.D) bson.D {
		return cursorReply(42, "shop.system.profile", "firstBatch", query)
	})
	f.Handle("getMore", func(bson.D) bson.D {
		return cursorReply(0, "shop.system.profile", "nextBatch", update)
	})
	db := fakeDB(t, f, "shop",
		motor.WithReadPreference(readpref.SecondaryPreferred()),
		motor.WithReadConcern(readconcern.Local()),
		motor.WithCodecOptions(motor.CodecOptions{TZAware: true, TZInfo: ist, DocumentType: reflect.TypeOf(bson.M{})}))
	entries, err := db.ProfilingInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The database's read preference and read concern apply, as in Motor.
	diff(t, "commands", []bson.D{
		{
			{Key: "find", Value: "system.profile"}, {Key: "filter", Value: bson.D{}},
			{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}},
			{Key: "$db", Value: "shop"}, {Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "secondaryPreferred"}}},
		},
		{
			{Key: "getMore", Value: int64(42)}, {Key: "collection", Value: "system.profile"}, {Key: "$db", Value: "shop"},
		},
	}, fakeCommands(f, "find", "getMore"))

	if len(entries) != 2 {
		t.Fatalf("got %d entries", len(entries))
	}
	// Typed fields; nested documents follow the codec's DocumentType, datetimes its zone.
	want := []motor.ProfilingEntry{
		{
			Op: "query", NS: "shop.orders",
			Command:      bson.D{{Key: "find", Value: "orders"}, {Key: "filter", Value: bson.M{"qty": bson.M{"$gt": int32(1)}}}, {Key: "$db", Value: "shop"}},
			DocsExamined: 3, NReturned: 2, ResponseLength: 250, Millis: 4, PlanSummary: "COLLSCAN",
			TS: ts.In(ist), Client: "127.0.0.1", AppName: "motor-test",
		},
		{
			Op: "update", NS: "shop.orders",
			Command:      bson.D{{Key: "q", Value: bson.M{}}, {Key: "u", Value: bson.M{"$inc": bson.M{"qty": int32(1)}}}, {Key: "multi", Value: true}},
			DocsExamined: 3, NMatched: 3, NModified: 3, NumYield: 1, Millis: 1,
			TS: ts.Add(time.Second).In(ist), Client: "127.0.0.1", User: "app@shop",
		},
	}
	for i, raw := range []bson.D{query, update} {
		diff(t, "raw", rawDoc(t, raw), entries[i].Raw)
		doc := entries[i].Document
		if len(doc) != len(raw) || doc[0].Key != "op" {
			t.Errorf("Document %d = %v", i, doc)
		}
		for _, e := range doc {
			if ts, ok := e.Value.(time.Time); e.Key == "ts" && (!ok || ts.Location() != ist) {
				t.Errorf("Document ts = %#v, want a time in IST", e.Value)
			}
		}
		entries[i].Raw, entries[i].Document = nil, nil
		if entries[i].TS.Location() != ist {
			t.Errorf("TS location = %v", entries[i].TS.Location())
		}
	}
	diff(t, "entries", want, entries)

	// Server errors pass through, wrapped.
	f.Handle("find", func(bson.D) bson.D {
		return motortest.CommandError(13, "Unauthorized", "not authorized on shop to execute command")
	})
	_, err = db.ProfilingInfo(t.Context())
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 13 {
		t.Errorf("err = %v", err)
	}
}
