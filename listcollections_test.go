package motor_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestListCollectionsCmd(t *testing.T) {
	type nameFilter struct {
		Name string `bson:"name"`
	}
	tests := []struct {
		desc    string
		opts    *motor.ListCollectionsOptions
		want    bson.D
		wantErr error
	}{
		{desc: "zero", opts: &motor.ListCollectionsOptions{}, want: bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}}},
		{
			desc: "Motor's list_collections(filter=..., nameOnly=True)",
			opts: &motor.ListCollectionsOptions{Filter: bson.D{{Key: "name", Value: "a"}}, NameOnly: true},
			want: bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}, {Key: "nameOnly", Value: true}, {Key: "filter", Value: bson.D{{Key: "name", Value: "a"}}}},
		},
		{
			desc: "every option",
			opts: &motor.ListCollectionsOptions{
				Filter: bson.M{"type": "view"}, NameOnly: true, AuthorizedCollections: true, BatchSize: 2,
				Comment: "c", Extra: bson.D{{Key: "rawData", Value: true}},
			},
			want: bson.D{
				{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(2)}}},
				{Key: "authorizedCollections", Value: true}, {Key: "comment", Value: "c"}, {Key: "rawData", Value: true},
				{Key: "nameOnly", Value: true}, {Key: "filter", Value: bson.M{"type": "view"}},
			},
		},
		{
			desc: "an empty filter is sent", opts: &motor.ListCollectionsOptions{Filter: bson.D{}},
			want: bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}, {Key: "filter", Value: bson.D{}}},
		},
		{
			desc: "a struct filter", opts: &motor.ListCollectionsOptions{Filter: nameFilter{"a"}},
			want: bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}, {Key: "filter", Value: nameFilter{"a"}}},
		},
		{desc: "filter not a document", opts: &motor.ListCollectionsOptions{Filter: "a"}, wantErr: motor.ErrInvalidOption},
		{desc: "filter an array", opts: &motor.ListCollectionsOptions{Filter: bson.A{}}, wantErr: motor.ErrInvalidOption},
		{desc: "negative batch size", opts: &motor.ListCollectionsOptions{BatchSize: -1}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra repeats filter", opts: &motor.ListCollectionsOptions{Extra: bson.D{{Key: "filter", Value: bson.D{}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra repeats nameOnly", opts: &motor.ListCollectionsOptions{Extra: bson.D{{Key: "nameOnly", Value: true}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra sets cursor", opts: &motor.ListCollectionsOptions{Extra: bson.D{{Key: "cursor", Value: bson.D{}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra key twice", opts: &motor.ListCollectionsOptions{Extra: bson.D{{Key: "x", Value: 1}, {Key: "x", Value: 1}}}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.ListCollectionsCmd(tt.opts, motor.DefaultRegistry)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			diff(t, "command", tt.want, got)
		})
	}
}

func TestListCollectionNamesCmd(t *testing.T) {
	head := bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}}
	with := func(es ...bson.E) bson.D { return append(append(bson.D(nil), head...), es...) }
	nameOnly := bson.E{Key: "nameOnly", Value: true}
	filter := func(v any) bson.E { return bson.E{Key: "filter", Value: v} }
	byName := bson.D{{Key: "name", Value: "a"}}
	tests := []struct {
		desc    string
		opts    *motor.ListCollectionNamesOptions
		want    bson.D
		wantErr error
	}{
		{desc: "nil: nameOnly", want: with(nameOnly)},
		{desc: "empty filter: nameOnly, filter sent", opts: &motor.ListCollectionNamesOptions{Filter: bson.D{}}, want: with(nameOnly, filter(bson.D{}))},
		{desc: "name only", opts: &motor.ListCollectionNamesOptions{Filter: byName}, want: with(nameOnly, filter(byName))},
		{desc: "name and type: no nameOnly", opts: &motor.ListCollectionNamesOptions{Filter: bson.M{"name": "a", "type": "collection"}}, want: with(filter(bson.M{"name": "a", "type": "collection"}))},
		{desc: "type: no nameOnly", opts: &motor.ListCollectionNamesOptions{Filter: bson.D{{Key: "type", Value: "view"}}}, want: with(filter(bson.D{{Key: "type", Value: "view"}}))},
		{desc: "options: no nameOnly", opts: &motor.ListCollectionNamesOptions{Filter: bson.D{{Key: "options.capped", Value: true}}}, want: with(filter(bson.D{{Key: "options.capped", Value: true}}))},
		{
			desc: "$or of names: nameOnly",
			opts: &motor.ListCollectionNamesOptions{Filter: bson.D{{Key: "$or", Value: bson.A{byName, bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^b"}}}}}}}},
			want: with(nameOnly, filter(bson.D{{Key: "$or", Value: bson.A{byName, bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^b"}}}}}}})),
		},
		{
			desc: "$and with a type test: no nameOnly",
			opts: &motor.ListCollectionNamesOptions{Filter: bson.D{{Key: "$and", Value: bson.A{byName, bson.D{{Key: "type", Value: "view"}}}}}},
			want: with(filter(bson.D{{Key: "$and", Value: bson.A{byName, bson.D{{Key: "type", Value: "view"}}}}})),
		},
		{
			desc: "Motor's (filter={name}, authorizedCollections=True) order",
			opts: &motor.ListCollectionNamesOptions{Filter: byName, AuthorizedCollections: true, Comment: "c", Extra: bson.D{{Key: "x", Value: 1}}},
			want: with(bson.E{Key: "authorizedCollections", Value: true}, bson.E{Key: "comment", Value: "c"}, bson.E{Key: "x", Value: 1}, nameOnly, filter(byName)),
		},
		{desc: "filter not a document", opts: &motor.ListCollectionNamesOptions{Filter: 3}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra sets nameOnly", opts: &motor.ListCollectionNamesOptions{Extra: bson.D{{Key: "nameOnly", Value: false}}}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.ListCollectionNamesCmd(tt.opts, motor.DefaultRegistry)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			diff(t, "command", tt.want, got)
		})
	}
}

func TestOnlyName(t *testing.T) {
	tests := []struct {
		filter bson.D
		want   bool
	}{
		{bson.D{}, true},
		{bson.D{{Key: "name", Value: "a"}}, true},
		{bson.D{{Key: "name", Value: bson.D{{Key: "$in", Value: bson.A{"a", "b"}}}}}, true},
		{bson.D{{Key: "$nor", Value: bson.A{bson.D{{Key: "name", Value: "a"}}, bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "name", Value: "b"}}}}}}}}, true},
		{bson.D{{Key: "type", Value: "view"}}, false},
		{bson.D{{Key: "info.readOnly", Value: true}}, false},
		{bson.D{{Key: "$or", Value: "not an array"}}, false},
		{bson.D{{Key: "$or", Value: bson.A{"not a document"}}}, false},
		{bson.D{{Key: "$expr", Value: bson.D{{Key: "$eq", Value: bson.A{"$name", "a"}}}}}, false},
		{bson.D{{Key: "name", Value: "a"}, {Key: "$comment", Value: "x"}}, false},
	}
	for _, tt := range tests {
		if got := motor.OnlyName(rawDoc(t, tt.filter)); got != tt.want {
			t.Errorf("onlyName(%v) = %v, want %v", tt.filter, got, tt.want)
		}
	}
}

func collInfo(name string) bson.D {
	return bson.D{{Key: "name", Value: name}, {Key: "type", Value: "collection"}}
}

func TestListCollections(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithReadPreference(readpref.SecondaryPreferred()),
		motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	dbn := db.Name()
	for _, name := range []string{"b", "a"} {
		insertN(t, db.Collection(name), 1)
	}
	if _, err := db.CreateCollection(ctx, "capped", &motor.CreateCollectionOptions{Capped: true, Size: 4096}); err != nil {
		t.Fatal(err)
	}
	rec.Reset()

	cur, err := db.ListCollections(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var all []bson.M
	if err := cur.All(ctx, &all); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, info := range all {
		names = append(names, info["name"].(string))
		if info["type"] != "collection" {
			t.Errorf("type of %v", info)
		}
		if info["name"] == "capped" {
			// The database's codec options, from the first batch on (Motor decodes the first batch with defaults).
			if opts, ok := info["options"].(bson.M); !ok || opts["capped"] != true {
				t.Errorf("options of capped: %#v", info["options"])
			}
		}
	}
	slices.Sort(names)
	diff(t, "names", []string{"a", "b", "capped"}, names)

	cur, err = db.ListCollections(ctx, &motor.ListCollectionsOptions{
		Filter: bson.D{{Key: "name", Value: "a"}}, NameOnly: true, Comment: "c",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !cur.Next(ctx) {
		t.Fatal(cur.Err())
	}
	var info bson.D
	if err := cur.Decode(&info); err != nil {
		t.Fatal(err)
	}
	if getField(info, "name") != "a" || cur.Next(ctx) || cur.Err() != nil || cur.ID() != 0 {
		t.Errorf("name filter: %v, err %v", info, cur.Err())
	}
	_ = cur.Close(ctx)

	cur, err = db.ListCollections(ctx, &motor.ListCollectionsOptions{Filter: bson.D{{Key: "options.capped", Value: true}}, AuthorizedCollections: true})
	if err != nil {
		t.Fatal(err)
	}
	var capped []struct{ Name string }
	if err := cur.All(ctx, &capped); err != nil || len(capped) != 1 || capped[0].Name != "capped" {
		t.Errorf("options filter: %+v, %v", capped, err)
	}

	head := bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}}
	with := func(es ...bson.E) bson.D {
		return append(slices.Clone(head), append(es, bson.E{Key: "$db", Value: dbn})...)
	}
	// Primary, not the database's secondaryPreferred: no $readPreference on a standalone.
	diff(t, "commands", []bson.D{
		with(),
		with(bson.E{Key: "comment", Value: "c"}, bson.E{Key: "nameOnly", Value: true}, bson.E{Key: "filter", Value: bson.D{{Key: "name", Value: "a"}}}),
		with(bson.E{Key: "authorizedCollections", Value: true}, bson.E{Key: "filter", Value: bson.D{{Key: "options.capped", Value: true}}}),
	}, rec.Commands())

	t.Run("ListCollectionNames", func(t *testing.T) {
		rec.Reset()
		names, err := db.ListCollectionNames(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(names)
		diff(t, "all", []string{"a", "b", "capped"}, names)

		names, err = db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{Filter: bson.D{{Key: "name", Value: "b"}}})
		diff(t, "by name", []string{"b"}, names)
		if err != nil {
			t.Fatal(err)
		}
		// A filter on options must not be sent with nameOnly (the driver's ListCollectionNames gets this wrong).
		names, err = db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{Filter: bson.M{"options.capped": true}})
		diff(t, "by options", []string{"capped"}, names)
		if err != nil {
			t.Fatal(err)
		}
		names, err = db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{Filter: bson.D{{Key: "name", Value: "nothing"}}})
		if err != nil || names == nil || len(names) != 0 {
			t.Errorf("none: %#v, %v", names, err)
		}
		diff(t, "commands", []bson.D{
			with(bson.E{Key: "nameOnly", Value: true}),
			with(bson.E{Key: "nameOnly", Value: true}, bson.E{Key: "filter", Value: bson.D{{Key: "name", Value: "b"}}}),
			with(bson.E{Key: "filter", Value: bson.D{{Key: "options.capped", Value: true}}}),
			with(bson.E{Key: "nameOnly", Value: true}, bson.E{Key: "filter", Value: bson.D{{Key: "name", Value: "nothing"}}}),
		}, rec.Commands())
	})

	t.Run("CollectionNames", func(t *testing.T) {
		rec.Reset()
		for _, include := range []bool{true, false} {
			names, err := db.CollectionNames(ctx, include) //nolint:staticcheck // testing the deprecated helper
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(names)
			diff(t, "names", []string{"a", "b", "capped"}, names)
		}
		// The same command either way: system collections are left out on the client.
		diff(t, "commands", []bson.D{with(bson.E{Key: "nameOnly", Value: true}), with(bson.E{Key: "nameOnly", Value: true})}, rec.Commands())
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		for _, opts := range []*motor.ListCollectionsOptions{
			{Filter: "a"}, {BatchSize: -1}, {Extra: bson.D{{Key: "filter", Value: bson.D{}}}},
		} {
			if _, err := db.ListCollections(ctx, opts); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("%+v: %v", opts, err)
			}
		}
		for _, opts := range []*motor.ListCollectionNamesOptions{{Filter: 1}, {Extra: bson.D{{Key: "nameOnly", Value: false}}}} {
			if _, err := db.ListCollectionNames(ctx, opts); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("%+v: %v", opts, err)
			}
		}
		var nilCtx context.Context
		if _, err := db.ListCollections(nilCtx, nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil ctx: %v", err)
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

// TestListCollectionsFake checks getMore batches, killCursors on early close, the retry of a retryable failure,
// system collections and a document without a name: FerretDB always answers listCollections in one batch.
func TestListCollectionsFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	db := fakeDB(t, f, "shop")
	const ns = "shop.$cmd.listCollections"
	f.Handle("listCollections", func(bson.D) bson.D {
		return cursorReply(42, ns, "firstBatch", collInfo("a"), collInfo("system.views"))
	})
	f.Handle("getMore", func(bson.D) bson.D {
		return cursorReply(0, ns, "nextBatch", collInfo("system.profile"), collInfo("b"))
	})

	t.Run("getMore", func(t *testing.T) {
		f.Reset()
		cur, err := db.ListCollections(ctx, &motor.ListCollectionsOptions{BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for cur.Next(ctx) {
			var info struct{ Name string }
			if err := cur.Decode(&info); err != nil {
				t.Fatal(err)
			}
			names = append(names, info.Name)
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		diff(t, "names", []string{"a", "system.views", "system.profile", "b"}, names)
		diff(t, "commands", []bson.D{
			{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(2)}}}, {Key: "$db", Value: "shop"}},
			{{Key: "getMore", Value: int64(42)}, {Key: "collection", Value: "$cmd.listCollections"}, {Key: "batchSize", Value: int32(2)}, {Key: "$db", Value: "shop"}},
		}, fakeCommands(f))
	})

	t.Run("names across batches; CollectionNames leaves system collections out", func(t *testing.T) {
		names, err := db.ListCollectionNames(ctx, nil)
		diff(t, "ListCollectionNames", []string{"a", "system.views", "system.profile", "b"}, names)
		if err != nil {
			t.Fatal(err)
		}
		names, err = db.CollectionNames(ctx, false) //nolint:staticcheck // testing the deprecated helper
		diff(t, "CollectionNames(false)", []string{"a", "b"}, names)
		if err != nil {
			t.Fatal(err)
		}
		names, err = db.CollectionNames(ctx, true) //nolint:staticcheck // testing the deprecated helper
		diff(t, "CollectionNames(true)", []string{"a", "system.views", "system.profile", "b"}, names)
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("early Close sends killCursors", func(t *testing.T) {
		cur, err := db.ListCollections(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.Reset()
		if err := cur.Close(ctx); err != nil {
			t.Fatal(err)
		}
		diff(t, "killCursors", []bson.D{{{Key: "killCursors", Value: "$cmd.listCollections"}, {Key: "cursors", Value: bson.A{int64(42)}}, {Key: "$db", Value: "shop"}}}, fakeCommands(f))
	})

	t.Run("a getMore failure", func(t *testing.T) {
		f.Handle("getMore", func(bson.D) bson.D { return motortest.CommandError(43, "CursorNotFound", "cursor id 42 not found") })
		defer f.Handle("getMore", nil)
		_, err := db.ListCollectionNames(ctx, nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 43 || !strings.HasPrefix(err.Error(), "motor: list collections: ") {
			t.Errorf("getMore failure: %v", err)
		}
	})

	t.Run("a name that is not a string", func(t *testing.T) {
		f.Handle("listCollections", func(bson.D) bson.D {
			return cursorReply(0, ns, "firstBatch", bson.D{{Key: "name", Value: 1}})
		})
		_, err := db.ListCollectionNames(ctx, nil)
		if got := fmtErr(err); got != "motor: list collections: a listCollections document has no string name" {
			t.Errorf("err = %s", got)
		}
	})

	t.Run("retry", func(t *testing.T) {
		for _, tc := range []struct {
			desc  string
			first bson.D
			db    *motor.Database
			sent  int
			err   bool
		}{
			{"retryable code: retried once", motortest.CommandError(9001, "SocketException", "socket"), db, 2, false},
			{"other failure: not retried", motortest.CommandError(13, "Unauthorized", "no"), db, 1, true},
			{"retryReads off: not retried", motortest.CommandError(9001, "SocketException", "socket"),
				fakeClient(t, f, motor.WithClientOptions(options.Client().SetRetryReads(false))).Database("shop"), 1, true},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				calls := 0
				f.Handle("listCollections", func(bson.D) bson.D {
					calls++
					if calls == 1 {
						return tc.first
					}
					return cursorReply(0, ns, "firstBatch", collInfo("a"))
				})
				f.Reset()
				names, err := tc.db.ListCollectionNames(ctx, nil)
				if (err != nil) != tc.err {
					t.Errorf("names %v, err %v", names, err)
				}
				if n := len(fakeCommands(f, "listCollections")); n != tc.sent {
					t.Errorf("sent listCollections %d times, want %d", n, tc.sent)
				}
			})
		}
	})
}
