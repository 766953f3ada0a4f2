package motor_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// asSent is d as the server receives it: encoded and decoded again, so that pre-encoded stages (bson.Raw) compare
// equal to the documents they came from.
func asSent(t testing.TB, d bson.D) bson.D {
	t.Helper()
	var out bson.D
	if err := bson.Unmarshal(rawDoc(t, d), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAggregateCmd(t *testing.T) {
	match := bson.D{{Key: "$match", Value: bson.D{{Key: "x", Value: int32(1)}}}}
	out := bson.D{{Key: "$out", Value: "copy"}}
	merge := bson.D{{Key: "$merge", Value: bson.D{{Key: "into", Value: "copy"}}}}
	majority := readconcern.Majority()
	w2 := &writeconcern.WriteConcern{W: 2}
	w0 := &writeconcern.WriteConcern{W: 0}
	agg := func(target any, pipeline bson.A, rest ...bson.E) bson.D {
		return append(bson.D{{Key: "aggregate", Value: target}, {Key: "pipeline", Value: pipeline}}, rest...)
	}
	cursor := bson.E{Key: "cursor", Value: bson.D{}}
	for _, tc := range []struct {
		desc      string
		target    any
		pipeline  any
		opts      motor.AggregateOptions
		rc        *readconcern.ReadConcern
		wc        *writeconcern.WriteConcern
		want      bson.D
		wantWrite bool
		wantErr   string
	}{
		{desc: "empty pipeline", target: "c", pipeline: bson.A{}, want: agg("c", bson.A{}, cursor)},
		{desc: "database level", target: int32(1), pipeline: mongo.Pipeline{{{Key: "$documents", Value: bson.A{bson.D{{Key: "a", Value: int32(1)}}}}}},
			want: agg(int32(1), bson.A{bson.D{{Key: "$documents", Value: bson.A{bson.D{{Key: "a", Value: int32(1)}}}}}}, cursor)},
		{desc: "stages of every kind", target: "c",
			pipeline: []any{match, bson.M{"$limit": int32(2)}, struct {
				Skip int32 `bson:"$skip"`
			}{3}, rawDoc(t, bson.D{{Key: "$count", Value: "n"}})},
			want: agg("c", bson.A{match, bson.D{{Key: "$limit", Value: int32(2)}}, bson.D{{Key: "$skip", Value: int32(3)}}, bson.D{{Key: "$count", Value: "n"}}}, cursor)},
		{desc: "a pointer to a pipeline", target: "c", pipeline: &mongo.Pipeline{match}, want: agg("c", bson.A{match}, cursor)},
		{desc: "a raw array", target: "c", pipeline: bson.RawArray(rawDoc(t, bson.D{{Key: "0", Value: match}})),
			want: agg("c", bson.A{match}, cursor)},
		{desc: "every option, in PyMongo's order", target: "c", pipeline: bson.A{match},
			opts: motor.AggregateOptions{
				AllowDiskUse: boolPtr(false), BatchSize: 5, MaxTime: 1500 * time.Millisecond, Comment: "hi",
				Let: bson.D{{Key: "v", Value: int32(1)}}, Hint: "x_1", Collation: &options.Collation{Locale: "fr", Strength: 1},
				Extra: bson.D{{Key: "bypassDocumentValidation", Value: true}},
			},
			rc: majority, wc: w2,
			want: agg("c", bson.A{match},
				bson.E{Key: "allowDiskUse", Value: false},
				bson.E{Key: "maxTimeMS", Value: int32(1500)},
				bson.E{Key: "comment", Value: "hi"},
				bson.E{Key: "let", Value: bson.D{{Key: "v", Value: int32(1)}}},
				bson.E{Key: "hint", Value: "x_1"},
				bson.E{Key: "bypassDocumentValidation", Value: true},
				bson.E{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(5)}}},
				bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: "majority"}}},
				bson.E{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}, {Key: "strength", Value: int32(1)}}},
			)},
		{desc: "hint as a key document; a sub-millisecond MaxTime is 1 ms", target: "c", pipeline: bson.A{},
			opts: motor.AggregateOptions{Hint: bson.D{{Key: "x", Value: int32(1)}}, MaxTime: time.Microsecond},
			want: agg("c", bson.A{}, bson.E{Key: "maxTimeMS", Value: int32(1)}, bson.E{Key: "hint", Value: bson.D{{Key: "x", Value: int32(1)}}}, cursor)},
		{desc: "$out writes: no batchSize, the write concern, the read concern", target: "c", pipeline: bson.A{match, out},
			opts: motor.AggregateOptions{BatchSize: 5}, rc: majority, wc: w2, wantWrite: true,
			want: agg("c", bson.A{match, out}, cursor,
				bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(2)}}},
				bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: "majority"}}})},
		{desc: "FirstBatchSize 0 sends batchSize: 0, as Motor's batchSize=0", target: "c", pipeline: bson.A{},
			opts: motor.AggregateOptions{FirstBatchSize: new(int32(0))},
			want: agg("c", bson.A{}, bson.E{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(0)}}})},
		{desc: "FirstBatchSize sizes the first batch, BatchSize the getMores", target: "c", pipeline: bson.A{},
			opts: motor.AggregateOptions{FirstBatchSize: new(int32(1)), BatchSize: 3},
			want: agg("c", bson.A{}, bson.E{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(1)}}})},
		{desc: "FirstBatchSize is sent when the pipeline writes, as PyMongo's cursor keyword", target: "c", pipeline: bson.A{out},
			opts: motor.AggregateOptions{FirstBatchSize: new(int32(2)), BatchSize: 3}, wantWrite: true,
			want: agg("c", bson.A{out}, bson.E{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(2)}}})},
		{desc: "$merge writes", target: "c", pipeline: []bson.D{merge}, wc: w2, wantWrite: true,
			want: agg("c", bson.A{merge}, cursor, bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(2)}}})},
		{desc: "a read sends no write concern", target: "c", pipeline: bson.A{match}, wc: w2, want: agg("c", bson.A{match}, cursor)},
		{desc: "$out not last: a read", target: "c", pipeline: bson.A{out, match}, wc: w2, want: agg("c", bson.A{out, match}, cursor)},
		{desc: "the server default write and read concerns are not sent", target: "c", pipeline: bson.A{out},
			rc: readconcern.Local(), wc: &writeconcern.WriteConcern{}, wantWrite: true,
			want: agg("c", bson.A{out}, cursor, bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}})},
		{desc: "Extra readConcern and writeConcern replace the handle's", target: "c", pipeline: bson.A{out}, rc: majority, wc: w2,
			opts: motor.AggregateOptions{Extra: bson.D{
				{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}},
				{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}},
			}}, wantWrite: true,
			want: agg("c", bson.A{out},
				bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}},
				bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}}, cursor)},
		{desc: "collation with an unacknowledged read is fine", target: "c", pipeline: bson.A{}, wc: w0,
			opts: motor.AggregateOptions{Collation: &options.Collation{}},
			want: agg("c", bson.A{}, cursor, bson.E{Key: "collation", Value: bson.D{}})},
		{desc: "collation with an unacknowledged write", target: "c", pipeline: bson.A{out}, wc: w0,
			opts: motor.AggregateOptions{Collation: &options.Collation{Locale: "fr"}}, wantErr: "collation is unsupported for unacknowledged writes"},
		{desc: "nil pipeline", target: "c", wantErr: "the pipeline must be an array of stages (documents), not nil"},
		{desc: "a document as pipeline", target: "c", pipeline: match, wantErr: "the pipeline must be an array of stages (documents), not a bson.D"},
		{desc: "a map as pipeline", target: "c", pipeline: bson.M{"$match": 1}, wantErr: "not a bson.M"},
		{desc: "a string as pipeline", target: "c", pipeline: "[]", wantErr: "not a string"},
		{desc: "a stage that is a string", target: "c", pipeline: bson.A{match, "$out"}, wantErr: "pipeline stage 1 must be a document, not a string"},
		{desc: "a nil stage", target: "c", pipeline: []any{nil}, wantErr: "pipeline stage 0 must be a document, not nil"},
		{desc: "a raw array with a number", target: "c", pipeline: bson.RawArray(rawDoc(t, bson.D{{Key: "0", Value: int32(1)}})),
			wantErr: "pipeline stage 0 must be a document, not BSON 32-bit integer"},
		{desc: "a raw array with trailing bytes", target: "c", pipeline: bson.RawArray(append(rawDoc(t, bson.D{}), 0)),
			wantErr: "invalid pipeline: it is 5 bytes long, and 1 more follow it"},
		{desc: "a raw array with a broken stage", target: "c",
			pipeline: bson.RawArray(" \x00\x00\x00\x030\x00 \x00\x00\x0000000000000000000000\x000000000\x00000000"),
			wantErr:  "invalid pipeline"},
		{desc: "a stage that cannot be encoded", target: "c", pipeline: bson.A{bson.D{{Key: "$match", Value: make(chan int)}}},
			wantErr: "cannot encode pipeline stage 0"},
		{desc: "negative BatchSize", target: "c", pipeline: bson.A{}, opts: motor.AggregateOptions{BatchSize: -1}, wantErr: "AggregateOptions.BatchSize must not be negative"},
		{desc: "negative FirstBatchSize", target: "c", pipeline: bson.A{}, opts: motor.AggregateOptions{FirstBatchSize: new(int32(-1))},
			wantErr: "AggregateOptions.FirstBatchSize must not be negative, got -1"},
		{desc: "negative MaxTime", target: "c", pipeline: bson.A{}, opts: motor.AggregateOptions{MaxTime: -time.Second}, wantErr: "AggregateOptions.MaxTime must not be negative"},
		{desc: "Let not a document", target: "c", pipeline: bson.A{}, opts: motor.AggregateOptions{Let: 3}, wantErr: "AggregateOptions.Let must be a document"},
		{desc: "Hint neither name nor document", target: "c", pipeline: bson.A{}, opts: motor.AggregateOptions{Hint: 1},
			wantErr: "AggregateOptions.Hint must be an index name (a string) or an index key document, not a int"},
		{desc: "Hint an empty name", target: "c", pipeline: bson.A{}, opts: motor.AggregateOptions{Hint: ""},
			wantErr: "AggregateOptions.Hint must not be an empty index name"},
		{desc: "Extra duplicates a typed field", target: "c", pipeline: bson.A{}, opts: motor.AggregateOptions{Extra: bson.D{{Key: "cursor", Value: bson.D{}}}},
			wantErr: `AggregateOptions.Extra key "cursor" duplicates a typed field`},
		{desc: "Extra twice", target: "c", pipeline: bson.A{}, opts: motor.AggregateOptions{Extra: bson.D{{Key: "a", Value: 1}, {Key: "a", Value: 2}}},
			wantErr: `AggregateOptions.Extra key "a" appears twice`},
		{desc: "explain", target: "c", pipeline: bson.A{}, opts: motor.AggregateOptions{Extra: bson.D{{Key: "explain", Value: true}}},
			wantErr: "the explain option is not supported"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, write, err := motor.AggregateCmd(tc.target, tc.pipeline, &tc.opts, tc.rc, tc.wc, motor.DefaultRegistry)
			if wantInvalidOption(t, err, tc.wantErr) {
				return
			}
			diff(t, "command", tc.want, asSent(t, got))
			if write != tc.wantWrite {
				t.Errorf("write = %v, want %v", write, tc.wantWrite)
			}
		})
	}
}

// TestAggregate runs pipelines on the test server and checks the commands sent and the documents decoded.
func TestAggregate(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	dbn := db.Name()
	coll := db.Collection("c")
	insertN(t, coll, 5)
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: int32(1)}}}}}},
		{{Key: "$sort", Value: bson.D{{Key: "_id", Value: int32(1)}}}},
	}
	want := func(from, to int) []bson.D {
		var out []bson.D
		for i := from; i <= to; i++ {
			out = append(out, bson.D{{Key: "_id", Value: int32(i)}, {Key: "sub", Value: bson.M{"i": int32(i)}}})
		}
		return out
	}
	sentPipeline := bson.A{
		bson.D{{Key: "$match", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: int32(1)}}}}}},
		bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: int32(1)}}}},
	}

	t.Run("batches", func(t *testing.T) {
		rec.Reset()
		cur, err := coll.Aggregate(ctx, pipeline, &motor.AggregateOptions{BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		var got []bson.D
		if err := cur.All(ctx, &got); err != nil {
			t.Fatal(err)
		}
		diff(t, "documents, decoded with the collection's codec options", want(2, 5), got)
		cmds := rec.Commands("aggregate", "getMore")
		diff(t, "aggregate", withDB(dbn, bson.D{
			{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: sentPipeline},
			{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(2)}}},
		}), cmds[0])
		if len(cmds) != 3 || getField(cmds[1], "batchSize") != int32(2) || getField(cmds[1], "collection") != "c" {
			t.Errorf("getMores: %v", cmds[1:])
		}
	})

	t.Run("FirstBatchSize: getMores without batchSize, or with BatchSize", func(t *testing.T) {
		for _, tc := range []struct {
			desc        string
			opts        motor.AggregateOptions
			first       int32
			getMores    int
			getMoreSize any // nil: not sent
		}{
			{"Motor's batchSize=0: an empty first batch", motor.AggregateOptions{FirstBatchSize: new(int32(0))}, 0, 1, nil},
			{"Motor's cursor={batchSize: 1}", motor.AggregateOptions{FirstBatchSize: new(int32(1))}, 1, 1, nil},
			{"a first batch of 1, then batches of 2", motor.AggregateOptions{FirstBatchSize: new(int32(1)), BatchSize: 2}, 1, 2, int32(2)},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				rec.Reset()
				cur, err := coll.Aggregate(ctx, pipeline, &tc.opts)
				if err != nil {
					t.Fatal(err)
				}
				if n := cur.RemainingBatchLength(); n != int(tc.first) {
					t.Errorf("first batch of %d documents, want %d", n, tc.first)
				}
				var got []bson.D
				if err := cur.All(ctx, &got); err != nil {
					t.Fatal(err)
				}
				diff(t, "documents", want(2, 5), got)
				cmds := rec.Commands("aggregate", "getMore")
				diff(t, "aggregate", withDB(dbn, bson.D{
					{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: sentPipeline},
					{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: tc.first}}},
				}), cmds[0])
				if len(cmds) != 1+tc.getMores {
					t.Fatalf("sent %v, want %d getMores", cmds, tc.getMores)
				}
				for _, gm := range cmds[1:] {
					if got := getField(gm, "batchSize"); got != tc.getMoreSize {
						t.Errorf("getMore batchSize %v, want %v: %v", got, tc.getMoreSize, gm)
					}
				}
			})
		}
	})

	t.Run("options", func(t *testing.T) {
		rc := coll.WithOptions(motor.WithReadConcern(readconcern.Local()))
		rec.Reset()
		cur, err := rc.Aggregate(ctx, pipeline, &motor.AggregateOptions{
			AllowDiskUse: boolPtr(true), MaxTime: 5 * time.Second, Comment: "why", Hint: "_id_",
			Extra: bson.D{{Key: "bypassDocumentValidation", Value: false}},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := cur.ToList(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "documents", want(2, 5), got)
		diff(t, "aggregate", []bson.D{withDB(dbn, bson.D{
			{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: sentPipeline},
			{Key: "allowDiskUse", Value: true}, {Key: "maxTimeMS", Value: int32(5000)}, {Key: "comment", Value: "why"},
			{Key: "hint", Value: "_id_"}, {Key: "bypassDocumentValidation", Value: false}, {Key: "cursor", Value: bson.D{}},
			{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}},
		})}, rec.Commands("aggregate"))
	})

	t.Run("MaxTime with a context deadline: one maxTimeMS, exactly MaxTime", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		rec.Reset()
		cur, err := coll.Aggregate(dctx, pipeline, &motor.AggregateOptions{MaxTime: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_ = cur.Close(ctx)
		cmd := rec.Commands("aggregate")[0]
		n := 0
		for _, e := range cmd {
			if e.Key == "maxTimeMS" {
				n++
				if e.Value != int32(30000) {
					t.Errorf("maxTimeMS = %#v, want int32(30000): MaxTime exactly, not the deadline's", e.Value)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d maxTimeMS fields in %v", n, cmd)
		}
	})

	t.Run("an empty pipeline; the database's settings by default", func(t *testing.T) {
		cur, err := coll.Aggregate(ctx, bson.A{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := motor.ToListAs[bson.M](ctx, cur, 0)
		if err != nil || len(docs) != 5 {
			t.Errorf("docs %v, err %v", docs, err)
		}
	})

	t.Run("what FerretDB refuses: $out, $merge, let, collation, database pipelines", func(t *testing.T) {
		docs := bson.D{{Key: "$documents", Value: bson.A{bson.D{{Key: "n", Value: int32(1)}}}}}
		for _, tc := range []struct {
			desc string
			agg  func() (*motor.Cursor, error)
			want []bson.D // from MongoDB
			code int32    // from FerretDB
			op   string
		}{
			{"$out", func() (*motor.Cursor, error) {
				return coll.Aggregate(ctx, mongo.Pipeline{{{Key: "$out", Value: "copy"}}}, nil)
			}, []bson.D{}, 238, "aggregate " + dbn + ".c"},
			{"$merge", func() (*motor.Cursor, error) {
				return coll.Aggregate(ctx, mongo.Pipeline{{{Key: "$merge", Value: bson.D{{Key: "into", Value: "copy"}}}}}, nil)
			}, []bson.D{}, 238, "aggregate " + dbn + ".c"},
			{"let", func() (*motor.Cursor, error) {
				return coll.Aggregate(ctx, mongo.Pipeline{
					{{Key: "$match", Value: bson.D{{Key: "$expr", Value: bson.D{{Key: "$eq", Value: bson.A{"$_id", "$$id"}}}}}}},
				}, &motor.AggregateOptions{Let: bson.D{{Key: "id", Value: int32(3)}}})
			}, want(3, 3), 238, "aggregate " + dbn + ".c"},
			{"collation", func() (*motor.Cursor, error) {
				return coll.Aggregate(ctx, pipeline, &motor.AggregateOptions{Collation: &options.Collation{Locale: "en"}})
			}, want(2, 5), 238, "aggregate " + dbn + ".c"},
			{"$documents", func() (*motor.Cursor, error) {
				return db.Aggregate(ctx, bson.A{docs}, nil)
			}, []bson.D{{{Key: "n", Value: int32(1)}}}, 9, "aggregate " + dbn},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				cur, err := tc.agg()
				if !motortest.Real() {
					var ce mongo.CommandError
					if !errors.As(err, &ce) || ce.Code != tc.code || !strings.HasPrefix(err.Error(), "motor: "+tc.op+": ") {
						t.Errorf("FerretDB: want code %d, got %v", tc.code, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got, err := cur.ToList(ctx, 0)
				if err != nil {
					t.Fatal(err)
				}
				diff(t, "documents", tc.want, got)
			})
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := coll.Aggregate(ctx, bson.A{bson.D{{Key: "$noSuchStage", Value: 1}}}, nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "motor: aggregate "+dbn+".c: ") {
			t.Errorf("server error: %v", err)
		}
		rec.Reset()
		var nilCtx context.Context
		if _, err := coll.Aggregate(nilCtx, bson.A{}, nil); fmtErr(err) != "motor: aggregate "+dbn+".c: nil context" || !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil context: %v", err)
		}
		if _, err := db.Aggregate(nilCtx, bson.A{}, nil); fmtErr(err) != "motor: aggregate "+dbn+": nil context" {
			t.Errorf("nil context: %v", err)
		}
		if _, err := coll.Aggregate(ctx, bson.A{}, &motor.AggregateOptions{FirstBatchSize: new(int32(-1))}); fmtErr(err) !=
			"motor: aggregate "+dbn+".c: AggregateOptions.FirstBatchSize must not be negative, got -1" || !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("negative FirstBatchSize: %v", err)
		}
		for _, p := range []any{nil, bson.D{}, "x", bson.A{1}} {
			if _, err := coll.Aggregate(ctx, p, nil); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("pipeline %#v: %v", p, err)
			}
			if _, err := db.Aggregate(ctx, p, nil); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("database pipeline %#v: %v", p, err)
			}
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

// TestAggregateFake checks what FerretDB cannot show: read preferences, $out and $merge, write and read concerns,
// retries, database-level pipelines and transactions.
func TestAggregateFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	client := fakeClient(t, f)
	db := client.Database("app", motor.WithReadPreference(readpref.SecondaryPreferred()),
		motor.WithReadConcern(readconcern.Majority()), motor.WithWriteConcern(&writeconcern.WriteConcern{W: 2}))
	coll := db.Collection("c")
	calls := 0
	f.Handle("aggregate", func(cmd bson.D) bson.D {
		calls++
		ns := "app.c"
		if getField(cmd, "aggregate") == int32(1) {
			ns = "app.$cmd.aggregate"
		}
		return cursorReply(7, ns, "firstBatch", bson.D{{Key: "n", Value: int32(1)}})
	})
	f.Handle("getMore", func(cmd bson.D) bson.D {
		ns := "app." + getField(cmd, "collection").(string)
		return cursorReply(0, ns, "nextBatch", bson.D{{Key: "n", Value: int32(2)}})
	})
	secondaryPreferred := bson.E{Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "secondaryPreferred"}}}
	majority := bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: "majority"}}}
	w2 := bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(2)}}}
	out := bson.D{{Key: "$out", Value: "copy"}}

	run := func(t *testing.T, agg func() (*motor.Cursor, error)) []bson.D {
		t.Helper()
		f.Reset()
		cur, err := agg()
		if err != nil {
			t.Fatal(err)
		}
		got, err := cur.ToList(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "documents", []bson.D{{{Key: "n", Value: int32(1)}}, {{Key: "n", Value: int32(2)}}}, got)
		return fakeCommands(f, "aggregate", "getMore")
	}

	t.Run("a read: the handle's read preference and read concern, batchSize on getMore", func(t *testing.T) {
		cmds := run(t, func() (*motor.Cursor, error) {
			return coll.Aggregate(ctx, bson.A{}, &motor.AggregateOptions{BatchSize: 3})
		})
		diff(t, "commands", []bson.D{
			{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: bson.A{}}, {Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(3)}}},
				majority, {Key: "$db", Value: "app"}, secondaryPreferred},
			{{Key: "getMore", Value: int64(7)}, {Key: "collection", Value: "c"}, {Key: "batchSize", Value: int32(3)}, {Key: "$db", Value: "app"}},
		}, cmds)
	})

	t.Run("$out: primary, the write concern, no batchSize", func(t *testing.T) {
		cmds := run(t, func() (*motor.Cursor, error) {
			return coll.Aggregate(ctx, []bson.D{out}, &motor.AggregateOptions{BatchSize: 3})
		})
		diff(t, "aggregate", bson.D{
			{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: bson.A{out}}, {Key: "cursor", Value: bson.D{}},
			w2, majority, {Key: "$db", Value: "app"}, primaryRP,
		}, cmds[0])
	})

	t.Run("Database.Aggregate", func(t *testing.T) {
		docs := bson.D{{Key: "$documents", Value: bson.A{bson.D{{Key: "n", Value: int32(1)}}}}}
		cmds := run(t, func() (*motor.Cursor, error) { return db.Aggregate(ctx, bson.A{docs}, nil) })
		diff(t, "commands", []bson.D{
			{{Key: "aggregate", Value: int32(1)}, {Key: "pipeline", Value: bson.A{docs}}, {Key: "cursor", Value: bson.D{}},
				majority, {Key: "$db", Value: "app"}, secondaryPreferred},
			{{Key: "getMore", Value: int64(7)}, {Key: "collection", Value: "$cmd.aggregate"}, {Key: "$db", Value: "app"}},
		}, cmds)
		cmds = run(t, func() (*motor.Cursor, error) { return db.Aggregate(ctx, bson.A{docs, out}, nil) })
		diff(t, "$merge on the database", bson.D{
			{Key: "aggregate", Value: int32(1)}, {Key: "pipeline", Value: bson.A{docs, out}}, {Key: "cursor", Value: bson.D{}},
			w2, majority, {Key: "$db", Value: "app"}, primaryRP,
		}, cmds[0])
	})

	t.Run("retries", func(t *testing.T) {
		for _, tc := range []struct {
			desc     string
			pipeline bson.A
			sent     int
		}{
			{"a read is retried once", bson.A{}, 2},
			{"a write is not retried", bson.A{out}, 1},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				calls = 0
				f.Handle("aggregate", func(bson.D) bson.D {
					calls++
					if calls == 1 {
						return motortest.CommandError(91, "ShutdownInProgress", "shutting down")
					}
					return cursorReply(0, "app.c", "firstBatch")
				})
				f.Reset()
				_, err := coll.Aggregate(ctx, tc.pipeline, nil)
				if (err != nil) != (tc.sent == 1) {
					t.Errorf("err = %v", err)
				}
				if n := len(fakeCommands(f, "aggregate")); n != tc.sent {
					t.Errorf("sent aggregate %d times, want %d", n, tc.sent)
				}
			})
		}
	})

	t.Run("in a transaction: primary, no read or write concern", func(t *testing.T) {
		f.Handle("aggregate", func(bson.D) bson.D { return cursorReply(0, "app.c", "firstBatch") })
		f.Handle("abortTransaction", func(bson.D) bson.D { return motortest.OK() })
		sess, err := client.Mongo().StartSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.EndSession(ctx)
		if err := sess.StartTransaction(); err != nil {
			t.Fatal(err)
		}
		tctx := mongo.NewSessionContext(ctx, sess)
		f.Reset()
		for _, p := range []bson.A{{}, {out}} {
			cur, err := coll.Aggregate(tctx, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			_ = cur.Close(tctx)
		}
		for i, cmd := range fakeCommands(f, "aggregate") {
			if getField(cmd, "writeConcern") != nil || !cmp.Equal(getField(cmd, "$readPreference"), primaryRP.Value) {
				t.Errorf("aggregate %d in a transaction: %v", i, cmd)
			}
			if rc := getField(cmd, "readConcern"); rc != nil && i > 0 {
				t.Errorf("aggregate %d in a transaction has a readConcern: %v", i, cmd)
			}
		}
		_ = sess.AbortTransaction(ctx)
	})
}

// FuzzAggregateCmd builds aggregate commands from arbitrary bytes given as a bson.RawArray pipeline: it must return,
// never panic; a refusal is an ErrInvalidOption error, and a command it accepts must encode as valid BSON whose
// pipeline holds only documents.
func FuzzAggregateCmd(f *testing.F) {
	stages, _ := bson.Marshal(bson.D{{Key: "0", Value: bson.D{{Key: "$match", Value: bson.D{}}}}, {Key: "1", Value: bson.D{{Key: "$out", Value: "x"}}}})
	f.Add([]byte(stages))
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Add([]byte{12, 0, 0, 0, 0x10, '0', 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		cmd, write, err := motor.AggregateCmd("c", bson.RawArray(data), &motor.AggregateOptions{BatchSize: 2}, nil, nil, motor.DefaultRegistry)
		if err != nil {
			if !errors.Is(err, motor.ErrInvalidOption) {
				t.Fatalf("refused with %v, not ErrInvalidOption", err)
			}
			return
		}
		raw, err := motor.EncodeDoc(motor.DefaultRegistry, cmd)
		if err != nil {
			t.Fatalf("accepted a pipeline it cannot encode: %v", err)
		}
		if err := raw.Validate(); err != nil {
			t.Fatalf("built an invalid document from % x: %v", data, err)
		}
		vals, err := raw.Lookup("pipeline").Array().Values()
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if v.Type != bson.TypeEmbeddedDocument {
				t.Errorf("stage %d is a %v", i, v.Type)
			}
		}
		if _, err := raw.LookupErr("cursor", "batchSize"); (err == nil) == write {
			t.Errorf("write %v, command %v", write, raw)
		}
	})
}
