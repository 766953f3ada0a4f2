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
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func int64Ptr(n int64) *int64       { return &n }
func float64Ptr(f float64) *float64 { return &f }

func TestIndexName(t *testing.T) {
	for _, tt := range []struct {
		desc    string
		keys    bson.D
		want    string
		wantErr string
	}{
		{desc: "PyMongo's example", keys: bson.D{{Key: "a", Value: 1}, {Key: "b", Value: -1}}, want: "a_1_b_-1"},
		{desc: "every integer type", keys: bson.D{{Key: "a", Value: int32(1)}, {Key: "b", Value: int64(-1)}, {Key: "c", Value: uint8(1)}}, want: "a_1_b_-1_c_1"},
		{desc: "index types", keys: bson.D{{Key: "loc", Value: "2dsphere"}, {Key: "t", Value: "text"}}, want: "loc_2dsphere_t_text"},
		{desc: "dotted and wildcard fields", keys: bson.D{{Key: "a.b", Value: 1}, {Key: "$**", Value: 1}}, want: "a.b_1_$**_1"},
		{desc: "empty", keys: bson.D{}, wantErr: "must not be empty"},
		{desc: "nil", wantErr: "must not be empty"},
		{desc: "a float, as PyMongo refuses", keys: bson.D{{Key: "a", Value: 1.0}}, wantErr: `index key "a": the direction must be`},
		{desc: "a bool", keys: bson.D{{Key: "a", Value: true}}, wantErr: "not bool"},
		{desc: "a document", keys: bson.D{{Key: "a", Value: bson.D{}}}, wantErr: "not bson.D"},
		{desc: "nil direction", keys: bson.D{{Key: "a", Value: nil}}, wantErr: "not <nil>"},
		{desc: "empty field", keys: bson.D{{Key: "", Value: 1}}, wantErr: "field name must be non-empty"},
		{desc: "NUL in a field", keys: bson.D{{Key: "a\x00", Value: 1}}, wantErr: "without NUL"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.IndexName(tt.keys)
			if wantInvalidOption(t, err, tt.wantErr) {
				return
			}
			diff(t, "name", tt.want, got)
		})
	}
}

func TestCreateIndexesCmd(t *testing.T) {
	ab := bson.D{{Key: "a", Value: 1}, {Key: "b", Value: -1}}
	tests := []struct {
		desc      string
		models    []motor.IndexModel
		opts      *motor.CreateIndexesOptions
		wc        *writeconcern.WriteConcern
		want      bson.D
		wantNames []string
		wantErr   error
		errText   string
	}{
		{
			desc: "generated name; options before name and key", models: []motor.IndexModel{{Keys: ab, IndexOptions: motor.IndexOptions{Unique: true}}},
			want: bson.D{{Key: "createIndexes", Value: "c"}, {Key: "indexes", Value: bson.A{bson.D{
				{Key: "unique", Value: true}, {Key: "name", Value: "a_1_b_-1"}, {Key: "key", Value: ab},
			}}}},
			wantNames: []string{"a_1_b_-1"},
		},
		{
			desc: "every typed option in order, then Extra, name, key and collation; command fields; write concern",
			models: []motor.IndexModel{{Keys: bson.D{{Key: "loc", Value: "2d"}}, IndexOptions: motor.IndexOptions{
				Name: "geo", Unique: true, Sparse: true, Background: true, Hidden: true, ExpireAfterSeconds: int64Ptr(0),
				PartialFilterExpression: bson.D{{Key: "x", Value: bson.D{{Key: "$gt", Value: 1}}}},
				Collation:               &options.Collation{Locale: "fr"},
				WildcardProjection:      bson.D{{Key: "a", Value: 1}},
				StorageEngine:           bson.D{{Key: "wiredTiger", Value: bson.D{}}},
				Weights:                 bson.D{{Key: "t", Value: 2}}, DefaultLanguage: "english", LanguageOverride: "lang",
				Bits: 26, Min: float64Ptr(-180), Max: float64Ptr(180),
				Extra: bson.D{{Key: "textIndexVersion", Value: 3}},
			}}},
			opts: &motor.CreateIndexesOptions{CommitQuorum: "majority", Comment: "why", Extra: bson.D{{Key: "foo", Value: 1}}},
			wc:   writeconcern.Majority(),
			want: bson.D{
				{Key: "createIndexes", Value: "c"},
				{Key: "indexes", Value: bson.A{bson.D{
					{Key: "unique", Value: true}, {Key: "sparse", Value: true}, {Key: "background", Value: true}, {Key: "hidden", Value: true},
					{Key: "expireAfterSeconds", Value: int32(0)},
					{Key: "partialFilterExpression", Value: bson.D{{Key: "x", Value: bson.D{{Key: "$gt", Value: 1}}}}},
					{Key: "wildcardProjection", Value: bson.D{{Key: "a", Value: 1}}},
					{Key: "storageEngine", Value: bson.D{{Key: "wiredTiger", Value: bson.D{}}}},
					{Key: "weights", Value: bson.D{{Key: "t", Value: 2}}},
					{Key: "default_language", Value: "english"}, {Key: "language_override", Value: "lang"},
					{Key: "bits", Value: int32(26)}, {Key: "min", Value: -180.0}, {Key: "max", Value: 180.0},
					{Key: "textIndexVersion", Value: 3},
					{Key: "name", Value: "geo"}, {Key: "key", Value: bson.D{{Key: "loc", Value: "2d"}}},
					{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}}},
				}}},
				{Key: "commitQuorum", Value: "majority"},
				{Key: "comment", Value: "why"},
				{Key: "foo", Value: 1},
				{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}},
			},
			wantNames: []string{"geo"},
		},
		{
			desc:   "several indexes, integer commit quorum, unacknowledged write concern sent",
			models: []motor.IndexModel{{Keys: bson.D{{Key: "a", Value: 1}}}, {Keys: bson.D{{Key: "b", Value: "hashed"}}, IndexOptions: motor.IndexOptions{Name: "h"}}},
			opts:   &motor.CreateIndexesOptions{CommitQuorum: 2},
			wc:     writeconcern.Unacknowledged(),
			want: bson.D{
				{Key: "createIndexes", Value: "c"},
				{Key: "indexes", Value: bson.A{
					bson.D{{Key: "name", Value: "a_1"}, {Key: "key", Value: bson.D{{Key: "a", Value: 1}}}},
					bson.D{{Key: "name", Value: "h"}, {Key: "key", Value: bson.D{{Key: "b", Value: "hashed"}}}},
				}},
				{Key: "commitQuorum", Value: 2},
				{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(0)}}},
			},
			wantNames: []string{"a_1", "h"},
		},
		{desc: "no models", wantErr: motor.ErrInvalidOption, errText: "at least one index"},
		{desc: "no keys", models: []motor.IndexModel{{}}, wantErr: motor.ErrInvalidOption, errText: "index keys must not be empty"},
		{
			desc: "the bad model of several is named", models: []motor.IndexModel{{Keys: ab}, {Keys: bson.D{{Key: "x", Value: 1.5}}}},
			wantErr: motor.ErrInvalidOption, errText: `motor: index 1: index key "x": the direction must be 1, -1 or a string`,
		},
		{desc: "name *", models: []motor.IndexModel{{Keys: ab, IndexOptions: motor.IndexOptions{Name: "*"}}}, wantErr: motor.ErrInvalidName, errText: `invalid index name "*"`},
		{desc: "NUL in name", models: []motor.IndexModel{{Keys: ab, IndexOptions: motor.IndexOptions{Name: "a\x00"}}}, wantErr: motor.ErrInvalidName},
		{desc: "negative TTL", models: []motor.IndexModel{{Keys: ab, IndexOptions: motor.IndexOptions{ExpireAfterSeconds: int64Ptr(-1)}}}, wantErr: motor.ErrInvalidOption},
		{desc: "partial filter not a document", models: []motor.IndexModel{{Keys: ab, IndexOptions: motor.IndexOptions{PartialFilterExpression: "x"}}}, wantErr: motor.ErrInvalidOption},
		{desc: "weights an array", models: []motor.IndexModel{{Keys: ab, IndexOptions: motor.IndexOptions{Weights: bson.A{1}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "index Extra duplicates a typed field", models: []motor.IndexModel{{Keys: ab, IndexOptions: motor.IndexOptions{Extra: bson.D{{Key: "unique", Value: true}}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "index Extra sets name", models: []motor.IndexModel{{Keys: ab, IndexOptions: motor.IndexOptions{Extra: bson.D{{Key: "name", Value: "x"}}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "command Extra sets maxTimeMS", models: []motor.IndexModel{{Keys: ab}}, opts: &motor.CreateIndexesOptions{Extra: bson.D{{Key: "maxTimeMS", Value: 5}}}, wantErr: motor.ErrInvalidOption},
		{desc: "command Extra sets writeConcern", models: []motor.IndexModel{{Keys: ab}}, opts: &motor.CreateIndexesOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "commit quorum of another type", models: []motor.IndexModel{{Keys: ab}}, opts: &motor.CreateIndexesOptions{CommitQuorum: true}, wantErr: motor.ErrInvalidOption},
		{desc: "negative MaxTime", models: []motor.IndexModel{{Keys: ab}}, opts: &motor.CreateIndexesOptions{MaxTime: -time.Second}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, names, err := motor.CreateIndexesCmd("c", tt.models, tt.opts, tt.wc, motor.DefaultRegistry)
			if !errors.Is(err, tt.wantErr) || tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText)) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.errText)
			}
			diff(t, "command", tt.want, got)
			diff(t, "names", tt.wantNames, names)
		})
	}
}

func TestDropIndexesCmd(t *testing.T) {
	for _, tt := range []struct {
		desc    string
		opts    *motor.DropIndexOptions
		wc      *writeconcern.WriteConcern
		want    bson.D
		wantErr string
	}{
		{desc: "plain", want: bson.D{{Key: "dropIndexes", Value: "c"}, {Key: "index", Value: "a_1"}}},
		{
			desc: "comment, Extra, write concern", opts: &motor.DropIndexOptions{Comment: "x", Extra: bson.D{{Key: "foo", Value: true}}}, wc: writeconcern.W1(),
			want: bson.D{
				{Key: "dropIndexes", Value: "c"}, {Key: "index", Value: "a_1"}, {Key: "comment", Value: "x"}, {Key: "foo", Value: true},
				{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}},
			},
		},
		{desc: "Extra sets index", opts: &motor.DropIndexOptions{Extra: bson.D{{Key: "index", Value: "*"}}}, wantErr: "duplicates a typed field"},
		{desc: "negative MaxTime", opts: &motor.DropIndexOptions{MaxTime: -1}, wantErr: "must not be negative"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.DropIndexesCmd("c", "a_1", tt.opts, tt.wc)
			if wantInvalidOption(t, err, tt.wantErr) {
				return
			}
			diff(t, "command", tt.want, got)
		})
	}
}

// TestIndexes runs every index operation against the test server and checks the commands sent and the results.
func TestIndexes(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	coll := db.Collection("people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}, {Key: "age", Value: 30}}, nil); err != nil {
		t.Fatal(err)
	}
	rec.Reset()

	name, err := coll.CreateIndex(ctx, bson.D{{Key: "name", Value: 1}, {Key: "age", Value: -1}}, &motor.CreateIndexOptions{
		IndexOptions: motor.IndexOptions{Unique: true},
	})
	if err != nil || name != "name_1_age_-1" {
		t.Fatalf("CreateIndex = %q, %v", name, err)
	}
	names, err := coll.CreateIndexes(ctx, []motor.IndexModel{
		{Keys: bson.D{{Key: "age", Value: 1}}, IndexOptions: motor.IndexOptions{Name: "by_age", Sparse: true}},
		{Keys: bson.D{{Key: "tags", Value: 1}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "names", []string{"by_age", "tags_1"}, names)
	diff(t, "createIndexes", []bson.D{
		withDB(dbn, bson.D{{Key: "createIndexes", Value: "people"}, {Key: "indexes", Value: bson.A{bson.D{
			{Key: "unique", Value: true}, {Key: "name", Value: "name_1_age_-1"}, {Key: "key", Value: bson.D{{Key: "name", Value: int32(1)}, {Key: "age", Value: int32(-1)}}},
		}}}}),
		withDB(dbn, bson.D{{Key: "createIndexes", Value: "people"}, {Key: "indexes", Value: bson.A{
			bson.D{{Key: "sparse", Value: true}, {Key: "name", Value: "by_age"}, {Key: "key", Value: bson.D{{Key: "age", Value: int32(1)}}}},
			bson.D{{Key: "name", Value: "tags_1"}, {Key: "key", Value: bson.D{{Key: "tags", Value: int32(1)}}}},
		}}}),
	}, rec.Commands("createIndexes"))

	t.Run("list indexes", func(t *testing.T) {
		rec.Reset()
		cur, err := coll.ListIndexes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var all []struct {
			Name   string `bson:"name"`
			Key    bson.D `bson:"key"`
			Unique bool   `bson:"unique"`
		}
		if err := cur.All(ctx, &all); err != nil {
			t.Fatal(err)
		}
		got := map[string]bson.D{}
		for _, ix := range all {
			got[ix.Name] = ix.Key
		}
		diff(t, "keys", map[string]bson.D{
			"_id_":          {{Key: "_id", Value: int32(1)}},
			"name_1_age_-1": {{Key: "name", Value: int32(1)}, {Key: "age", Value: int32(-1)}},
			"by_age":        {{Key: "age", Value: int32(1)}},
			"tags_1":        {{Key: "tags", Value: int32(1)}},
		}, got)
		diff(t, "listIndexes", []bson.D{withDB(dbn, bson.D{{Key: "listIndexes", Value: "people"}, {Key: "cursor", Value: bson.D{}}})}, rec.Commands("listIndexes"))
	})

	t.Run("index information", func(t *testing.T) {
		// With documents as bson.M, the key still keeps its order, as PyMongo's list of pairs does.
		m := db.Collection("people", motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
		info, err := m.IndexInformation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "name_1_age_-1", bson.D{
			{Key: "v", Value: int32(2)},
			{Key: "key", Value: bson.D{{Key: "name", Value: int32(1)}, {Key: "age", Value: int32(-1)}}},
			{Key: "unique", Value: true},
		}, info["name_1_age_-1"])
		if len(info) != 4 || getField(info["_id_"], "name") != nil {
			t.Errorf("info = %v", info)
		}
	})

	t.Run("drop index by name and by keys", func(t *testing.T) {
		rec.Reset()
		if err := coll.DropIndex(ctx, "by_age", nil); err != nil {
			t.Fatal(err)
		}
		byKeys, err := motor.IndexName(bson.D{{Key: "tags", Value: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if err := coll.DropIndex(ctx, byKeys, nil); err != nil {
			t.Fatal(err)
		}
		err = coll.DropIndex(ctx, "nope", nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 27 || !strings.Contains(err.Error(), "motor: drop index "+dbn+".people: (IndexNotFound)") {
			t.Errorf("missing index: %v", err)
		}
		diff(t, "dropIndexes", []bson.D{
			withDB(dbn, bson.D{{Key: "dropIndexes", Value: "people"}, {Key: "index", Value: "by_age"}}),
			withDB(dbn, bson.D{{Key: "dropIndexes", Value: "people"}, {Key: "index", Value: "tags_1"}}),
			withDB(dbn, bson.D{{Key: "dropIndexes", Value: "people"}, {Key: "index", Value: "nope"}}),
		}, rec.Commands("dropIndexes"))
	})

	t.Run("drop indexes", func(t *testing.T) {
		rec.Reset()
		if err := coll.DropIndexes(ctx, nil); err != nil {
			t.Fatal(err)
		}
		diff(t, "dropIndexes", []bson.D{withDB(dbn, bson.D{{Key: "dropIndexes", Value: "people"}, {Key: "index", Value: "*"}})}, rec.Commands("dropIndexes"))
		info, err := coll.IndexInformation(ctx)
		if err != nil || len(info) != 1 || info["_id_"] == nil {
			t.Errorf("after DropIndexes: %v, %v", info, err)
		}
	})

	t.Run("missing collection", func(t *testing.T) {
		missing := db.Collection("missing")
		cur, err := missing.ListIndexes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.D
		if err := cur.All(ctx, &docs); err != nil || len(docs) != 0 {
			t.Errorf("ListIndexes of a missing collection: %v, %v", docs, err)
		}
		if info, err := missing.IndexInformation(ctx); err != nil || len(info) != 0 {
			t.Errorf("IndexInformation of a missing collection: %v, %v", info, err)
		}
		if err := missing.DropIndex(ctx, "a_1", nil); err != nil {
			t.Errorf("DropIndex on a missing collection: %v", err)
		}
		if err := missing.DropIndexes(ctx, nil); err != nil {
			t.Errorf("DropIndexes on a missing collection: %v", err)
		}
	})

	t.Run("options FerretDB lacks", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opts motor.IndexOptions
		}{
			{"ttl", motor.IndexOptions{ExpireAfterSeconds: int64Ptr(3600)}},
			{"partial", motor.IndexOptions{PartialFilterExpression: bson.D{{Key: "age", Value: bson.D{{Key: "$gt", Value: 18}}}}}},
			{"collated", motor.IndexOptions{Collation: &options.Collation{Locale: "en", Strength: 2}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.opts.Name = tc.name
				_, err := coll.CreateIndex(ctx, bson.D{{Key: "age", Value: 1}}, &motor.CreateIndexOptions{IndexOptions: tc.opts})
				var ce mongo.CommandError
				switch {
				case motortest.Real() && err != nil:
					t.Errorf("MongoDB: %v", err)
				case !motortest.Real() && (!errors.As(err, &ce) || ce.Code != 238):
					t.Errorf("FerretDB: want NotImplemented, got %v", err)
				}
			})
		}
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		var nilCtx context.Context
		for _, tc := range []struct {
			desc string
			err  error
			want error
		}{
			{"drop index *", coll.DropIndex(ctx, "*", nil), motor.ErrInvalidName},
			{"drop index empty", coll.DropIndex(ctx, "", nil), motor.ErrInvalidName},
			{"create index no keys", func() error { _, err := coll.CreateIndex(ctx, nil, nil); return err }(), motor.ErrInvalidOption},
			{"create index float", func() error { _, err := coll.CreateIndex(ctx, bson.D{{Key: "a", Value: 1.0}}, nil); return err }(), motor.ErrInvalidOption},
			{"create indexes empty", func() error { _, err := coll.CreateIndexes(ctx, nil, nil); return err }(), motor.ErrInvalidOption},
			{"create indexes with no models", func() error { _, err := coll.CreateIndexes(ctx, []motor.IndexModel{}, nil); return err }(), motor.ErrInvalidOption},
			{"create index on an empty field name", func() error { _, err := coll.CreateIndex(ctx, bson.D{{Key: "", Value: 1}}, nil); return err }(), motor.ErrInvalidOption},
			{"create index with a bool direction", func() error { _, err := coll.CreateIndex(ctx, bson.D{{Key: "a", Value: true}}, nil); return err }(), motor.ErrInvalidOption},
			{"nil context", func() error { _, err := coll.CreateIndex(nilCtx, bson.D{{Key: "a", Value: 1}}, nil); return err }(), motor.ErrInvalidOption},
			{"list nil context", func() error { _, err := coll.ListIndexes(nilCtx); return err }(), motor.ErrInvalidOption},
			{"drop nil context", coll.DropIndexes(nilCtx, nil), motor.ErrInvalidOption},
			{"information nil context", func() error { _, err := coll.IndexInformation(nilCtx); return err }(), motor.ErrInvalidOption},
		} {
			if !errors.Is(tc.err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.desc, tc.err, tc.want)
			}
		}
		if got := rec.Names(); len(got) != 0 {
			t.Errorf("sent %v", got)
		}
		err := coll.DropIndex(ctx, "*", nil)
		diff(t, "error", `motor: drop index `+dbn+`.people: invalid index name "*": must not be "*", which names every index (use DropIndexes)`, fmtErr(err))
	})
}

// TestIndexesWriteConcern checks on the scripted fake that createIndexes and dropIndexes carry the collection's write
// concern, and that the options are sent as built.
func TestIndexesWriteConcern(t *testing.T) {
	f := motortest.NewFake(t)
	f.Handle("createIndexes", func(bson.D) bson.D { return motortest.OK() })
	f.Handle("dropIndexes", func(bson.D) bson.D { return motortest.OK() })
	db := fakeDB(t, f, "shop")
	coll := db.Collection("orders", motor.WithWriteConcern(writeconcern.Majority()))
	ctx := t.Context()
	if _, err := coll.CreateIndex(ctx, bson.D{{Key: "at", Value: 1}}, &motor.CreateIndexOptions{
		IndexOptions: motor.IndexOptions{ExpireAfterSeconds: int64Ptr(60)},
		CommitQuorum: "votingMembers",
		MaxTime:      time.Minute,
	}); err != nil {
		t.Fatal(err)
	}
	if err := coll.DropIndex(ctx, "at_1", nil); err != nil {
		t.Fatal(err)
	}
	if err := coll.DropIndexes(ctx, &motor.DropIndexOptions{Comment: "cleanup"}); err != nil {
		t.Fatal(err)
	}
	wc := bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}
	diff(t, "commands", []bson.D{
		{
			{Key: "createIndexes", Value: "orders"},
			{Key: "indexes", Value: bson.A{bson.D{{Key: "expireAfterSeconds", Value: int32(60)}, {Key: "name", Value: "at_1"}, {Key: "key", Value: bson.D{{Key: "at", Value: int32(1)}}}}}},
			{Key: "commitQuorum", Value: "votingMembers"}, wc, {Key: "$db", Value: "shop"},
		},
		{{Key: "dropIndexes", Value: "orders"}, {Key: "index", Value: "at_1"}, wc, {Key: "$db", Value: "shop"}},
		{{Key: "dropIndexes", Value: "orders"}, {Key: "index", Value: "*"}, {Key: "comment", Value: "cleanup"}, wc, {Key: "$db", Value: "shop"}},
	}, fakeCommands(f, "createIndexes", "dropIndexes"))
	// MaxTime is sent exactly, as PyMongo sends maxTimeMS.
	if ms := getField(f.Commands()[0], "maxTimeMS"); ms != int32(60000) {
		t.Errorf("maxTimeMS = %#v, want int32(60000)", ms)
	}
}

// TestListIndexesHooks checks that the documents of ListIndexes and IndexInformation go through the database's
// outgoing document hooks (here an outgoing SON manipulator), as every document read does.
func TestListIndexesHooks(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t)
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "mark", Outgoing: func(doc bson.D, coll *motor.Collection) (bson.D, error) {
		return append(doc, bson.E{Key: "from", Value: coll.Name()}), nil
	}}); err != nil {
		t.Fatal(err)
	}
	coll := db.Collection("c")
	if _, err := coll.CreateIndex(ctx, bson.D{{Key: "a", Value: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	cur, err := coll.ListIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.D
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || getField(docs[1], "from") != "c" {
		t.Errorf("ListIndexes: %v", docs)
	}
	info, err := coll.IndexInformation(ctx)
	if err != nil || getField(info["a_1"], "from") != "c" {
		t.Errorf("IndexInformation: %v, %v", info, err)
	}
}
