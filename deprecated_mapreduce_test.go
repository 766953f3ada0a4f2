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
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

const (
	mrMap    = "function () { emit(this.sku, this.qty); }"
	mrReduce = "function (k, vs) { return Array.sum(vs); }"
)

func TestMapReduceCmd(t *testing.T) {
	head := func(out any) bson.D {
		return bson.D{
			{Key: "mapReduce", Value: "c"}, {Key: "map", Value: mrMap}, {Key: "reduce", Value: mrReduce},
			{Key: "out", Value: out},
		}
	}
	inline := bson.D{{Key: "inline", Value: int32(1)}}
	majority := bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}
	local := bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}}
	tests := []struct {
		desc       string
		mapF       any // nil: mrMap
		reduceF    any // nil: mrReduce
		out        any
		opts       *motor.MapReduceOptions
		wc         *writeconcern.WriteConcern
		want       bson.D
		wantInline bool
		wantErr    error
	}{
		{desc: "output to a collection: write concern, no read concern", out: "totals", wc: writeconcern.Majority(), want: append(head("totals"), majority)},
		{desc: "inline: read concern, no write concern", out: inline, wc: writeconcern.Majority(), want: append(head(inline), local), wantInline: true},
		{
			desc: "every option in order, then Extra, the write concern and collation", out: bson.D{{Key: "merge", Value: "t"}, {Key: "db", Value: "o"}},
			opts: &motor.MapReduceOptions{
				Query: bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: 0}}}}, Sort: bson.D{{Key: "sku", Value: 1}}, Limit: 100,
				Finalize: "function (k, v) { return v; }", Scope: bson.D{{Key: "f", Value: 2}}, JSMode: true, Verbose: true,
				BypassDocumentValidation: true, Collation: &options.Collation{Locale: "en"}, Comment: "c",
				Extra: bson.D{{Key: "custom", Value: 1}},
			},
			wc: writeconcern.W1(),
			want: append(head(bson.D{{Key: "merge", Value: "t"}, {Key: "db", Value: "o"}}),
				bson.E{Key: "query", Value: bson.D{{Key: "qty", Value: bson.D{{Key: "$gt", Value: 0}}}}},
				bson.E{Key: "sort", Value: bson.D{{Key: "sku", Value: 1}}},
				bson.E{Key: "limit", Value: int32(100)},
				bson.E{Key: "finalize", Value: "function (k, v) { return v; }"},
				bson.E{Key: "scope", Value: bson.D{{Key: "f", Value: 2}}},
				bson.E{Key: "jsMode", Value: true}, bson.E{Key: "verbose", Value: true},
				bson.E{Key: "bypassDocumentValidation", Value: true}, bson.E{Key: "comment", Value: "c"},
				bson.E{Key: "custom", Value: 1},
				bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}},
				bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "en"}}},
			),
		},
		{desc: "functions as BSON JavaScript and JavaScript with scope, as PyMongo's Code", out: "t",
			mapF: bson.JavaScript(mrMap), reduceF: bson.CodeWithScope{Code: bson.JavaScript(mrReduce), Scope: bson.D{{Key: "n", Value: 1}}},
			opts: &motor.MapReduceOptions{Finalize: bson.CodeWithScope{Code: "function (k, v) { return v * m; }", Scope: bson.M{"m": 2}}},
			want: bson.D{
				{Key: "mapReduce", Value: "c"}, {Key: "map", Value: bson.JavaScript(mrMap)},
				{Key: "reduce", Value: bson.CodeWithScope{Code: bson.JavaScript(mrReduce), Scope: bson.D{{Key: "n", Value: 1}}}},
				{Key: "out", Value: "t"},
				{Key: "finalize", Value: bson.CodeWithScope{Code: "function (k, v) { return v * m; }", Scope: bson.M{"m": 2}}},
			}},
		{desc: "an empty Finalize is none", out: "t", opts: &motor.MapReduceOptions{Finalize: ""}, want: head("t")},
		{desc: "no map function", out: "t", wantErr: motor.ErrInvalidOption, mapF: ""},
		{desc: "an empty JavaScript reduce function", out: "t", wantErr: motor.ErrInvalidOption, reduceF: bson.JavaScript("")},
		{desc: "a map function of another type", out: "t", wantErr: motor.ErrInvalidOption, mapF: []byte("function () {}")},
		{desc: "code with a scope that is not a document", out: "t", wantErr: motor.ErrInvalidOption,
			reduceF: bson.CodeWithScope{Code: bson.JavaScript(mrReduce), Scope: 1}},
		{desc: "a Finalize of another type", out: "t", opts: &motor.MapReduceOptions{Finalize: 1}, wantErr: motor.ErrInvalidOption},
		{desc: "out a number", out: 5, wantErr: motor.ErrInvalidOption},
		{desc: "out a bad name", out: "a..b", wantErr: motor.ErrInvalidName},
		{desc: "negative limit", out: "t", opts: &motor.MapReduceOptions{Limit: -1}, wantErr: motor.ErrInvalidOption},
		{desc: "scope not a document", out: "t", opts: &motor.MapReduceOptions{Scope: "x"}, wantErr: motor.ErrInvalidOption},
		{desc: "query not a document", out: "t", opts: &motor.MapReduceOptions{Query: 1}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra sets out", out: "t", opts: &motor.MapReduceOptions{Extra: bson.D{{Key: "out", Value: "u"}}}, wantErr: motor.ErrInvalidOption},
		{desc: "collation with w: 0 to a collection", out: "t", opts: &motor.MapReduceOptions{Collation: &options.Collation{Locale: "en"}}, wc: writeconcern.Unacknowledged(), wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			mapF, reduceF := tt.mapF, tt.reduceF
			if mapF == nil {
				mapF = mrMap
			}
			if reduceF == nil {
				reduceF = mrReduce
			}
			got, isInline, err := motor.MapReduceCmd("c", mapF, reduceF, tt.out, tt.opts, readconcern.Local(), tt.wc, motor.DefaultRegistry)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			diff(t, "command", tt.want, got)
			if isInline != tt.wantInline {
				t.Errorf("inline = %v", isInline)
			}
		})
	}
}

// TestMapReduce checks MapReduce and InlineMapReduce on the scripted fake (FerretDB has no mapReduce): the commands
// sent, with their read preference, and the results.
func TestMapReduce(t *testing.T) {
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	f.Handle("mapReduce", func(cmd bson.D) bson.D {
		switch out := getField(cmd, "out").(type) {
		case string:
			return motortest.OK(bson.E{Key: "result", Value: out}, bson.E{Key: "timeMillis", Value: int32(3)})
		case bson.D:
			if getField(out, "inline") != nil {
				return motortest.OK(bson.E{Key: "results", Value: bson.A{
					bson.D{{Key: "_id", Value: "a"}, {Key: "value", Value: 5.0}},
					bson.D{{Key: "_id", Value: "b"}, {Key: "value", Value: 7.0}},
				}})
			}
			return motortest.OK(bson.E{Key: "result", Value: bson.D{{Key: "db", Value: getField(out, "db")}, {Key: "collection", Value: getField(out, "merge")}}})
		}
		return motortest.CommandError(9, "FailedToParse", "bad out")
	})
	db := fakeDB(t, f, "shop")
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "mark", Outgoing: func(doc bson.D, _ *motor.Collection) (bson.D, error) {
		return append(doc, bson.E{Key: "seen", Value: true}), nil
	}}); err != nil {
		t.Fatal(err)
	}
	coll := db.Collection("orders", motor.WithReadPreference(readpref.SecondaryPreferred()),
		motor.WithWriteConcern(writeconcern.Majority()), motor.WithReadConcern(readconcern.Majority()),
		motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	ctx := t.Context()

	res, err := coll.MapReduce(ctx, mrMap, mrReduce, "totals", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Collection == nil || res.Collection.FullName() != "shop.totals" || res.Results != nil || getField(res.Reply, "timeMillis") != int32(3) {
		t.Errorf("to a collection: %+v", res)
	}
	res, err = coll.MapReduce(ctx, mrMap, mrReduce, bson.D{{Key: "merge", Value: "totals"}, {Key: "db", Value: "reports"}}, nil)
	if err != nil || res.Collection == nil || res.Collection.FullName() != "reports.totals" {
		t.Errorf("to another database: %+v, %v", res, err)
	}
	res, err = coll.InlineMapReduce(ctx, mrMap, mrReduce, &motor.MapReduceOptions{MaxTime: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "inline results, through the codec and the outgoing manipulator", []bson.D{
		{{Key: "_id", Value: "a"}, {Key: "value", Value: 5.0}, {Key: "seen", Value: true}},
		{{Key: "_id", Value: "b"}, {Key: "value", Value: 7.0}, {Key: "seen", Value: true}},
	}, res.Results)
	if res.Collection != nil || len(res.Reply) != 2 {
		t.Errorf("inline: %+v", res)
	}

	// The functions given as strings are sent as strings, as Motor sends them.
	head := bson.D{{Key: "mapReduce", Value: "orders"}, {Key: "map", Value: mrMap}, {Key: "reduce", Value: mrReduce}}
	wc := bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}
	diff(t, "commands", []bson.D{
		append(append(head[:3:3], bson.E{Key: "out", Value: "totals"}, wc, bson.E{Key: "$db", Value: "shop"}), primaryRP),
		append(append(head[:3:3], bson.E{Key: "out", Value: bson.D{{Key: "merge", Value: "totals"}, {Key: "db", Value: "reports"}}}, wc,
			bson.E{Key: "$db", Value: "shop"}), primaryRP),
		// Inline: the collection's read preference and read concern, as Motor's inline_map_reduce sends them.
		append(head[:3:3], bson.E{Key: "out", Value: bson.D{{Key: "inline", Value: int32(1)}}},
			bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: "majority"}}}, bson.E{Key: "$db", Value: "shop"},
			bson.E{Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "secondaryPreferred"}}}),
	}, fakeCommands(f, "mapReduce"))

	t.Run("bson.JavaScript and bson.CodeWithScope: JavaScript and JavaScript with scope, as Motor sends Code", func(t *testing.T) {
		f.Reset()
		scope := bson.D{{Key: "n", Value: int32(1)}}
		if _, err := coll.InlineMapReduce(ctx, bson.JavaScript(mrMap), bson.CodeWithScope{Code: bson.JavaScript(mrReduce), Scope: scope}, nil); err != nil {
			t.Fatal(err)
		}
		cmds := fakeCommands(f, "mapReduce")
		if len(cmds) != 1 {
			t.Fatalf("sent %v", cmds)
		}
		diff(t, "map", bson.JavaScript(mrMap), getField(cmds[0], "map"))
		diff(t, "reduce", bson.CodeWithScope{Code: bson.JavaScript(mrReduce), Scope: scope}, getField(cmds[0], "reduce"))
	})

	t.Run("a server without mapReduce", func(t *testing.T) {
		f.Handle("mapReduce", nil) // the fake's default: CommandNotFound
		_, err := coll.InlineMapReduce(ctx, mrMap, mrReduce, nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 59 ||
			!strings.HasPrefix(err.Error(), "motor: inline map reduce shop.orders: the server has no mapReduce command, which MongoDB deprecated in 5.0: ") {
			t.Errorf("CommandNotFound: %v", err)
		}
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		f.Reset()
		var nilCtx context.Context
		if _, err := coll.MapReduce(ctx, "", mrReduce, "t", nil); !errors.Is(err, motor.ErrInvalidOption) ||
			!strings.HasPrefix(err.Error(), "motor: map reduce shop.orders: ") {
			t.Errorf("no map: %v", err)
		}
		if _, err := coll.InlineMapReduce(nilCtx, mrMap, mrReduce, nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil context: %v", err)
		}
		if got := fakeCommands(f, "mapReduce"); len(got) != 0 {
			t.Errorf("sent %v", got)
		}
	})
}

// TestMapReduceServer runs MapReduce against the test server: MongoDB maps and reduces; FerretDB answers
// CommandNotFound to functions given as strings and closes the connection at BSON JavaScript, and the error says
// why.
func TestMapReduceServer(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	coll := db.Collection("orders")
	if _, err := coll.InsertMany(ctx, []any{
		bson.D{{Key: "sku", Value: "a"}, {Key: "qty", Value: 2}},
		bson.D{{Key: "sku", Value: "a"}, {Key: "qty", Value: 3}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc          string
		mapF, reduceF any
	}{
		{"strings, sent as strings", mrMap, mrReduce},
		{"BSON JavaScript", bson.JavaScript(mrMap), bson.JavaScript(mrReduce)},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rec.Reset()
			res, err := coll.InlineMapReduce(ctx, tc.mapF, tc.reduceF, nil)
			cmds := rec.Commands("mapReduce")
			if len(cmds) == 0 {
				t.Fatal("no mapReduce sent")
			}
			diff(t, "map and reduce as sent", []any{tc.mapF, tc.reduceF}, []any{getField(cmds[0], "map"), getField(cmds[0], "reduce")})
			var ce mongo.CommandError
			switch {
			case motortest.Real():
				if err != nil {
					t.Fatal(err)
				}
				diff(t, "results", []bson.D{{{Key: "_id", Value: "a"}, {Key: "value", Value: 5.0}}}, res.Results)
			// FerretDB answers CommandNotFound to strings and closes the connection on JavaScript; the conformance
			// front answers CommandNotFound to both.
			case !errors.As(err, &ce) || ce.Code != 59 ||
				!strings.Contains(err.Error(), "the server has no mapReduce command, which MongoDB deprecated in 5.0"):
				t.Errorf("FerretDB: want CommandNotFound, got %v", err)
			}
		})
	}
}

func TestReindex(t *testing.T) {
	f := motortest.NewFake(t)
	f.Handle("reIndex", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "nIndexesWas", Value: int32(2)}, bson.E{Key: "nIndexes", Value: int32(2)})
	})
	coll := fakeDB(t, f, "shop").Collection("orders", motor.WithWriteConcern(writeconcern.Majority()))
	ctx := t.Context()
	reply, err := coll.Reindex(ctx, &motor.ReindexOptions{Extra: bson.D{{Key: "comment", Value: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "reply", bson.D{{Key: "nIndexesWas", Value: int32(2)}, {Key: "nIndexes", Value: int32(2)}, {Key: "ok", Value: 1.0}}, reply)
	// No write concern, as PyMongo sends it.
	diff(t, "command", []bson.D{{{Key: "reIndex", Value: "orders"}, {Key: "comment", Value: "x"}, {Key: "$db", Value: "shop"}}}, fakeCommands(f, "reIndex"))

	f.Handle("reIndex", func(bson.D) bson.D {
		return motortest.CommandError(20, "IllegalOperation", "reIndex is only allowed on a standalone mongod instance")
	})
	_, err = coll.Reindex(ctx, nil)
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 20 ||
		!strings.HasPrefix(err.Error(), "motor: reindex shop.orders: from MongoDB 5.0 on, reIndex runs only on a standalone mongod: ") {
		t.Errorf("a replica set member: %v", err)
	}

	if _, err := coll.Reindex(ctx, &motor.ReindexOptions{Extra: bson.D{{Key: "reIndex", Value: "x"}}}); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("Extra sets reIndex: %v", err)
	}

	t.Run("FerretDB has no reIndex", func(t *testing.T) {
		db, _ := newDB(t)
		_, err := db.Collection("c").Reindex(t.Context(), nil)
		switch {
		case motortest.Real():
			if err != nil && !errors.As(err, &ce) {
				t.Errorf("MongoDB: %v", err)
			}
		case !errors.As(err, &ce) || ce.Code != 59 || !strings.Contains(err.Error(), "the server has no reIndex command, which MongoDB deprecated in 6.0"):
			t.Errorf("FerretDB: %v", err)
		}
	})
}
