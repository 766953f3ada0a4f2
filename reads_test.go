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

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestDistinctCmd(t *testing.T) {
	filter := bson.D{{Key: "x", Value: int32(1)}}
	for _, tc := range []struct {
		desc    string
		key     string
		filter  any
		opts    motor.DistinctOptions
		rc      *readconcern.ReadConcern
		want    bson.D
		wantErr string
	}{
		{desc: "no filter", key: "k", want: bson.D{{Key: "distinct", Value: "c"}, {Key: "key", Value: "k"}}},
		{desc: "an empty filter is sent", key: "a.b", filter: bson.M{},
			want: bson.D{{Key: "distinct", Value: "c"}, {Key: "key", Value: "a.b"}, {Key: "query", Value: bson.M{}}}},
		{desc: "every option, in PyMongo's order", key: "k", filter: filter, rc: readconcern.Majority(),
			opts: motor.DistinctOptions{
				Collation: &options.Collation{Locale: "fr"}, MaxTime: 2 * time.Second, Comment: "c",
				Extra: bson.D{{Key: "hint", Value: "x_1"}},
			},
			want: bson.D{
				{Key: "distinct", Value: "c"}, {Key: "key", Value: "k"}, {Key: "maxTimeMS", Value: int32(2000)},
				{Key: "comment", Value: "c"}, {Key: "hint", Value: "x_1"}, {Key: "query", Value: filter},
				{Key: "readConcern", Value: bson.D{{Key: "level", Value: "majority"}}},
				{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}}},
			}},
		{desc: "Extra readConcern replaces the collection's", key: "k", rc: readconcern.Majority(),
			opts: motor.DistinctOptions{Extra: bson.D{{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}}}},
			want: bson.D{{Key: "distinct", Value: "c"}, {Key: "key", Value: "k"}, {Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}}}},
		{desc: "empty key", wantErr: "the distinct key must not be empty"},
		{desc: "filter not a document", key: "k", filter: "x", wantErr: "the distinct filter must be a document, not a string"},
		{desc: "filter an array", key: "k", filter: bson.A{}, wantErr: "the distinct filter must be a document"},
		{desc: "negative MaxTime", key: "k", opts: motor.DistinctOptions{MaxTime: -1}, wantErr: "DistinctOptions.MaxTime must not be negative"},
		{desc: "Extra query", key: "k", opts: motor.DistinctOptions{Extra: bson.D{{Key: "query", Value: filter}}},
			wantErr: `DistinctOptions.Extra key "query" duplicates a typed field`},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := motor.DistinctCmd("c", tc.key, tc.filter, &tc.opts, tc.rc, motor.DefaultRegistry)
			if wantInvalidOption(t, err, tc.wantErr) {
				return
			}
			diff(t, "command", tc.want, got)
		})
	}
}

func TestCountCmd(t *testing.T) {
	for _, tc := range []struct {
		desc    string
		opts    motor.EstimatedDocumentCountOptions
		rc      *readconcern.ReadConcern
		want    bson.D
		wantErr string
	}{
		{desc: "zero", want: bson.D{{Key: "count", Value: "c"}}},
		{desc: "the server default read concern is not sent", rc: &readconcern.ReadConcern{}, want: bson.D{{Key: "count", Value: "c"}}},
		{desc: "every option", rc: readconcern.Available(),
			opts: motor.EstimatedDocumentCountOptions{MaxTime: time.Minute, Comment: bson.D{{Key: "why", Value: "test"}},
				Extra: bson.D{{Key: "query", Value: bson.D{}}}},
			want: bson.D{{Key: "count", Value: "c"}, {Key: "maxTimeMS", Value: int32(60000)},
				{Key: "comment", Value: bson.D{{Key: "why", Value: "test"}}}, {Key: "query", Value: bson.D{}},
				{Key: "readConcern", Value: bson.D{{Key: "level", Value: "available"}}}}},
		{desc: "negative MaxTime", opts: motor.EstimatedDocumentCountOptions{MaxTime: -1}, wantErr: "MaxTime must not be negative"},
		{desc: "Extra count", opts: motor.EstimatedDocumentCountOptions{Extra: bson.D{{Key: "count", Value: "d"}}},
			wantErr: `EstimatedDocumentCountOptions.Extra key "count" duplicates a typed field`},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := motor.CountCmd("c", &tc.opts, tc.rc)
			if wantInvalidOption(t, err, tc.wantErr) {
				return
			}
			diff(t, "command", tc.want, got)
		})
	}
}

// TestDistinct runs distinct on the test server.
func TestDistinct(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	coll := db.Collection("c")
	insertN(t, coll, 5)
	gt2 := bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: int32(2)}}}}

	rec.Reset()
	got, err := coll.Distinct(ctx, "sub.i", gt2, &motor.DistinctOptions{Comment: "c"})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "values", []any{int32(3), int32(4), int32(5)}, got)
	diff(t, "distinct", []bson.D{withDB(dbn, bson.D{
		{Key: "distinct", Value: "c"}, {Key: "key", Value: "sub.i"}, {Key: "comment", Value: "c"}, {Key: "query", Value: gt2},
	})}, rec.Commands("distinct"))

	subs, err := coll.Distinct(ctx, "sub", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 5 || !reflect.DeepEqual(subs[0], bson.D{{Key: "i", Value: int32(1)}}) {
		t.Errorf("documents, decoded as bson.D by default: %#v", subs)
	}
	none, err := coll.Distinct(ctx, "nosuchfield", nil, nil)
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("no values: %#v, %v", none, err)
	}

	t.Run("DistinctAs", func(t *testing.T) {
		ids, err := motor.DistinctAs[int](ctx, coll, "_id", gt2, nil)
		diff(t, "ints", []int{3, 4, 5}, ids)
		if err != nil {
			t.Fatal(err)
		}
		type sub struct{ I int }
		structs, err := motor.DistinctAs[sub](ctx, coll, "sub", bson.M{"_id": 1}, nil)
		diff(t, "structs", []sub{{1}}, structs)
		if err != nil {
			t.Fatal(err)
		}
		strs, err := motor.DistinctAs[string](ctx, coll, "_id", nil, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "motor: distinct "+dbn+".c: ") || strs != nil {
			t.Errorf("ints into strings: %v, %v", strs, err)
		}
		empty, err := motor.DistinctAs[string](ctx, coll, "nosuchfield", nil, nil)
		if err != nil || empty == nil || len(empty) != 0 {
			t.Errorf("no values: %#v, %v", empty, err)
		}
	})

	t.Run("collation: FerretDB refuses it", func(t *testing.T) {
		got, err := coll.Distinct(ctx, "sub.i", nil, &motor.DistinctOptions{Collation: &options.Collation{Locale: "en"}})
		var ce mongo.CommandError
		switch {
		case motortest.Real() && err != nil:
			t.Errorf("MongoDB: %v", err)
		case motortest.Real():
			diff(t, "values", []any{int32(1), int32(2), int32(3), int32(4), int32(5)}, got)
		case !errors.As(err, &ce) || ce.Code != 238 || !strings.HasPrefix(err.Error(), "motor: distinct "+dbn+".c: "):
			t.Errorf("FerretDB: want NotImplemented, got %v", err)
		}
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		var nilCtx context.Context
		_, err := coll.Distinct(nilCtx, "k", nil, nil)
		if fmtErr(err) != "motor: distinct "+dbn+".c: nil context" || !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil context: %v", err)
		}
		for _, tc := range []struct {
			key    string
			filter any
			opts   *motor.DistinctOptions
		}{
			{"", nil, nil}, {"k", 1, nil}, {"k", nil, &motor.DistinctOptions{MaxTime: -time.Second}},
			{"k", nil, &motor.DistinctOptions{Extra: bson.D{{Key: "key", Value: "j"}}}},
		} {
			if _, err := coll.Distinct(ctx, tc.key, tc.filter, tc.opts); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("%+v: %v", tc, err)
			}
			if _, err := motor.DistinctAs[any](ctx, coll, tc.key, tc.filter, tc.opts); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("DistinctAs %+v: %v", tc, err)
			}
		}
		if _, err := motor.DistinctAs[any](ctx, nil, "k", nil, nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil collection: %v", err)
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

// TestEstimatedDocumentCount counts on the test server.
func TestEstimatedDocumentCount(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithReadConcern(readconcern.Local()))
	dbn := db.Name()
	coll := db.Collection("c")
	insertN(t, coll, 5)

	rec.Reset()
	n, err := coll.EstimatedDocumentCount(ctx, &motor.EstimatedDocumentCountOptions{MaxTime: time.Second, Comment: "c"})
	if err != nil || n != 5 {
		t.Errorf("count = %d, %v", n, err)
	}
	diff(t, "count", []bson.D{withDB(dbn, bson.D{
		{Key: "count", Value: "c"}, {Key: "maxTimeMS", Value: int32(1000)}, {Key: "comment", Value: "c"},
		{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}},
	})}, rec.Commands("count"))

	if n, err := db.Collection("missing").EstimatedDocumentCount(ctx, nil); err != nil || n != 0 {
		t.Errorf("missing collection: %d, %v", n, err)
	}

	rec.Reset()
	var nilCtx context.Context
	if _, err := coll.EstimatedDocumentCount(nilCtx, nil); fmtErr(err) != "motor: count "+dbn+".c: nil context" {
		t.Errorf("nil context: %v", err)
	}
	if _, err := coll.EstimatedDocumentCount(ctx, &motor.EstimatedDocumentCountOptions{MaxTime: -1}); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("negative MaxTime: %v", err)
	}
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("sent %v", names)
	}
}

// TestCollectionOptions reads the options of collections on the test server.
func TestCollectionOptions(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithReadPreference(readpref.SecondaryPreferred()))
	dbn := db.Name()
	if _, err := db.CreateCollection(ctx, "capped", &motor.CreateCollectionOptions{Capped: true, Size: 4096}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateCollection(ctx, "plain", nil); err != nil {
		t.Fatal(err)
	}
	capped := db.Collection("capped", motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))

	rec.Reset()
	opts, err := capped.Options(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if getField(opts, "capped") != true || getField(opts, "size") == nil {
		t.Errorf("capped options: %v", opts)
	}
	diff(t, "listCollections, primary", []bson.D{withDB(dbn, bson.D{
		{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}, {Key: "filter", Value: bson.D{{Key: "name", Value: "capped"}}},
	})}, rec.Commands("listCollections"))

	for _, name := range []string{"plain", "missing"} {
		opts, err := db.Collection(name).Options(ctx)
		if err != nil || opts == nil || len(opts) != 0 {
			t.Errorf("%s: %#v, %v", name, opts, err)
		}
	}
	var nilCtx context.Context
	if _, err := capped.Options(nilCtx); fmtErr(err) != "motor: options "+dbn+".capped: nil context" {
		t.Errorf("nil context: %v", err)
	}
}

// TestReadsFake checks what FerretDB cannot show: read preferences, retries, failed and odd replies.
func TestReadsFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	db := fakeClient(t, f).Database("app", motor.WithReadPreference(readpref.Nearest()), motor.WithReadConcern(readconcern.Majority()))
	coll := db.Collection("c")
	nearest := bson.E{Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "nearest"}}}
	majority := bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: "majority"}}}
	// flaky answers a command with first, then with reply.
	flaky := func(name string, first, reply bson.D) {
		calls := 0
		f.Handle(name, func(bson.D) bson.D {
			if calls++; calls == 1 && first != nil {
				return first
			}
			return reply
		})
		f.Reset()
	}
	shutdown := motortest.CommandError(91, "ShutdownInProgress", "shutting down")

	t.Run("distinct: the read preference and read concern, retried once", func(t *testing.T) {
		flaky("distinct", shutdown, motortest.OK(bson.E{Key: "values", Value: bson.A{"a", int64(2)}}))
		got, err := coll.Distinct(ctx, "k", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "values", []any{"a", int64(2)}, got)
		cmd := bson.D{{Key: "distinct", Value: "c"}, {Key: "key", Value: "k"}, majority, {Key: "$db", Value: "app"}, nearest}
		diff(t, "distinct, sent twice", []bson.D{cmd, cmd}, fakeCommands(f, "distinct"))
	})

	t.Run("distinct: a failure", func(t *testing.T) {
		flaky("distinct", nil, motortest.CommandError(2, "BadValue", "bad key"))
		_, err := coll.Distinct(ctx, "k", nil, nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 2 || fmtErr(err) != "motor: distinct app.c: (BadValue) bad key" {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("distinct: MaxTime under a context deadline", func(t *testing.T) {
		flaky("distinct", nil, motortest.OK(bson.E{Key: "values", Value: bson.A{}}))
		dctx, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		if _, err := coll.Distinct(dctx, "k", nil, &motor.DistinctOptions{MaxTime: time.Minute}); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range f.Commands()[0] {
			if e.Key == "maxTimeMS" {
				n++
			}
		}
		if ms := getField(f.Commands()[0], "maxTimeMS"); ms != int32(60000) || n != 1 {
			t.Errorf("maxTimeMS = %#v (%d fields), want one, int32(60000): MaxTime exactly, not the deadline's", ms, n)
		}
	})

	t.Run("count: retried once; ns missing and NamespaceNotFound count 0; n of any number type", func(t *testing.T) {
		flaky("count", shutdown, motortest.OK(bson.E{Key: "n", Value: 7.0}))
		n, err := coll.EstimatedDocumentCount(ctx, nil)
		if err != nil || n != 7 {
			t.Errorf("count = %d, %v", n, err)
		}
		cmd := bson.D{{Key: "count", Value: "c"}, majority, {Key: "$db", Value: "app"}, nearest}
		diff(t, "count, sent twice", []bson.D{cmd, cmd}, fakeCommands(f, "count"))
		for _, reply := range []bson.D{
			{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "ns missing"}},
			motortest.CommandError(26, "NamespaceNotFound", "ns not found"),
			motortest.OK(bson.E{Key: "n", Value: int64(0)}),
		} {
			flaky("count", nil, reply)
			if n, err := coll.EstimatedDocumentCount(ctx, nil); err != nil || n != 0 {
				t.Errorf("%v: %d, %v", reply, n, err)
			}
		}
		flaky("count", nil, motortest.CommandError(13, "Unauthorized", "no"))
		if _, err := coll.EstimatedDocumentCount(ctx, nil); fmtErr(err) != "motor: count app.c: (Unauthorized) no" {
			t.Errorf("failure: %v", err)
		}
		flaky("count", nil, motortest.OK())
		if _, err := coll.EstimatedDocumentCount(ctx, nil); fmtErr(err) != "motor: count app.c: the count reply has no number n" {
			t.Errorf("no n: %v", err)
		}
	})

	t.Run("count: a session in ctx is used; in a transaction, an error before any I/O", func(t *testing.T) {
		flaky("count", nil, motortest.OK(bson.E{Key: "n", Value: int32(3)}))
		f.Handle("abortTransaction", func(bson.D) bson.D { return motortest.OK() })
		sess, err := coll.Database().Client().Mongo().StartSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.EndSession(ctx)
		sctx := mongo.NewSessionContext(ctx, sess)
		if n, err := coll.EstimatedDocumentCount(sctx, nil); err != nil || n != 3 {
			t.Fatalf("count in a session = %d, %v", n, err)
		}
		var id bson.D
		if err := bson.Unmarshal(sess.ID(), &id); err != nil {
			t.Fatal(err)
		}
		cmds := f.Commands()
		if len(cmds) != 1 || !cmp.Equal(getField(cmds[0], "lsid"), id) {
			t.Errorf("sent %v, want count with the lsid %v", cmds, id)
		}
		if err := sess.StartTransaction(); err != nil {
			t.Fatal(err)
		}
		f.Reset()
		_, err = coll.EstimatedDocumentCount(sctx, nil)
		if !errors.Is(err, motor.ErrInvalidOperation) ||
			fmtErr(err) != "motor: count app.c: the count command cannot run in a transaction; use CountDocuments" {
			t.Errorf("in a transaction: %v", err)
		}
		if names := fakeNames(f); len(names) != 0 {
			t.Errorf("sent %v in a transaction", names)
		}
		_ = sess.AbortTransaction(ctx)
	})

	t.Run("options: primary, without create, decoded with the codec options", func(t *testing.T) {
		info := bson.D{{Key: "name", Value: "c"}, {Key: "type", Value: "collection"}, {Key: "options", Value: bson.D{
			{Key: "create", Value: "c"}, {Key: "validator", Value: bson.D{{Key: "x", Value: bson.D{{Key: "$gt", Value: int32(1)}}}}},
			{Key: "validationLevel", Value: "strict"},
		}}}
		flaky("listCollections", shutdown, cursorReply(0, "app.$cmd.listCollections", "firstBatch", info))
		mc := db.Collection("c", motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
		got, err := mc.Options(ctx)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "options", bson.D{
			{Key: "validator", Value: bson.M{"x": bson.M{"$gt": int32(1)}}}, {Key: "validationLevel", Value: "strict"},
		}, got)
		cmd := bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}},
			{Key: "filter", Value: bson.D{{Key: "name", Value: "c"}}}, {Key: "$db", Value: "app"}, primaryRP}
		diff(t, "listCollections, sent twice", []bson.D{cmd, cmd}, fakeCommands(f, "listCollections"))

		flaky("listCollections", nil, motortest.CommandError(13, "Unauthorized", "no"))
		if _, err := coll.Options(ctx); fmtErr(err) != "motor: options app.c: (Unauthorized) no" {
			t.Errorf("failure: %v", err)
		}
	})
}

// TestReadsCodecAndHooks shows that the collection's codec options and outgoing document hooks (a SON manipulator)
// apply to what Aggregate, Database.Aggregate's cursors and Distinct return.
func TestReadsCodecAndHooks(t *testing.T) {
	ctx := t.Context()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	db, _ := newDB(t)
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	plain := db.Collection("c")
	if _, err := plain.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "at", Value: when}, {Key: "sub", Value: bson.D{{Key: "at", Value: when}}}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // the deprecated SON manipulators are the document hooks under test
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "Seen", Outgoing: func(doc bson.D, coll *motor.Collection) (bson.D, error) {
		return append(doc, bson.E{Key: "seen", Value: coll.Name()}), nil
	}}); err != nil {
		t.Fatal(err)
	}
	coll := db.Collection("c", motor.WithCodecOptions(motor.CodecOptions{
		DocumentType: reflect.TypeOf(bson.M{}), TZAware: true, TZInfo: paris,
	}))
	local := when.In(paris)

	cur, err := coll.Aggregate(ctx, bson.A{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := motor.ToListAs[any](ctx, cur, 0)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Aggregate: DocumentType, TZAware with TZInfo, the hook", []any{bson.M{
		"_id": int32(1), "at": local, "sub": bson.M{"at": local}, "seen": "c",
	}}, docs)

	vals, err := coll.Distinct(ctx, "sub", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Distinct of documents: DocumentType, TZAware, the hook", []any{bson.M{"at": local, "seen": "c"}}, vals)
	vals, err = coll.Distinct(ctx, "at", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "Distinct of dates: TZAware", []any{local}, vals)
	subs, err := motor.DistinctAs[bson.D](ctx, plain, "sub", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "DistinctAs with the default codec options and the hook", []bson.D{{{Key: "at", Value: bson.NewDateTimeFromTime(when)}, {Key: "seen", Value: "c"}}}, subs)
}
