package motor_test

import (
	"errors"
	"math"
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

func TestCreateCollectionCmd(t *testing.T) {
	j := true
	tests := []struct {
		desc    string
		name    string
		opts    *motor.CreateCollectionOptions
		wc      *writeconcern.WriteConcern
		want    bson.D
		wantErr error
	}{
		{desc: "nil options", name: "c", want: bson.D{{Key: "create", Value: "c"}}},
		{
			desc: "capped: size as a double, as PyMongo sends it; max as int32",
			name: "c", opts: &motor.CreateCollectionOptions{Capped: true, Size: 4096, Max: 10},
			want: bson.D{{Key: "create", Value: "c"}, {Key: "capped", Value: true}, {Key: "size", Value: 4096.0}, {Key: "max", Value: int32(10)}},
		},
		{
			desc: "a max beyond int32 is an int64", name: "c", opts: &motor.CreateCollectionOptions{Capped: true, Size: 1 << 40, Max: math.MaxInt32 + 1},
			want: bson.D{{Key: "create", Value: "c"}, {Key: "capped", Value: true}, {Key: "size", Value: float64(1 << 40)}, {Key: "max", Value: int64(math.MaxInt32 + 1)}},
		},
		{
			desc: "every typed option, in order, then Extra, writeConcern and collation",
			name: "every",
			opts: &motor.CreateCollectionOptions{
				Capped: true, Size: 1, Max: 2,
				Timeseries: &motor.TimeseriesOptions{
					TimeField: "t", MetaField: "m", Granularity: "hours", BucketMaxSpanSeconds: 60, BucketRoundingSeconds: 60,
				},
				ExpireAfterSeconds:           3600,
				ClusteredIndex:               bson.D{{Key: "key", Value: bson.D{{Key: "_id", Value: 1}}}, {Key: "unique", Value: true}},
				ChangeStreamPreAndPostImages: true,
				StorageEngine:                bson.M{"wiredTiger": bson.M{}},
				Validator:                    bson.D{{Key: "$jsonSchema", Value: bson.D{{Key: "bsonType", Value: "object"}}}},
				ValidationLevel:              "moderate",
				ValidationAction:             "warn",
				IndexOptionDefaults:          bson.D{{Key: "storageEngine", Value: bson.D{}}},
				ViewOn:                       "src",
				Pipeline:                     bson.A{bson.D{{Key: "$match", Value: bson.D{}}}},
				Collation:                    &options.Collation{Locale: "en_US", Strength: 2},
				EncryptedFields:              bson.D{{Key: "fields", Value: bson.A{}}},
				Comment:                      "why",
				Extra:                        bson.D{{Key: "idIndex", Value: bson.D{{Key: "key", Value: bson.D{{Key: "_id", Value: 1}}}, {Key: "name", Value: "_id_"}}}, {Key: "flags", Value: 1}},
			},
			wc: writeconcern.Majority(),
			want: bson.D{
				{Key: "create", Value: "every"},
				{Key: "capped", Value: true},
				{Key: "size", Value: 1.0},
				{Key: "max", Value: int32(2)},
				{Key: "timeseries", Value: bson.D{
					{Key: "timeField", Value: "t"}, {Key: "metaField", Value: "m"}, {Key: "granularity", Value: "hours"},
					{Key: "bucketMaxSpanSeconds", Value: int32(60)}, {Key: "bucketRoundingSeconds", Value: int32(60)},
				}},
				{Key: "expireAfterSeconds", Value: int32(3600)},
				{Key: "clusteredIndex", Value: bson.D{{Key: "key", Value: bson.D{{Key: "_id", Value: 1}}}, {Key: "unique", Value: true}}},
				{Key: "changeStreamPreAndPostImages", Value: bson.D{{Key: "enabled", Value: true}}},
				{Key: "storageEngine", Value: bson.M{"wiredTiger": bson.M{}}},
				{Key: "validator", Value: bson.D{{Key: "$jsonSchema", Value: bson.D{{Key: "bsonType", Value: "object"}}}}},
				{Key: "validationLevel", Value: "moderate"},
				{Key: "validationAction", Value: "warn"},
				{Key: "indexOptionDefaults", Value: bson.D{{Key: "storageEngine", Value: bson.D{}}}},
				{Key: "viewOn", Value: "src"},
				{Key: "pipeline", Value: bson.A{bson.D{{Key: "$match", Value: bson.D{}}}}},
				{Key: "encryptedFields", Value: bson.D{{Key: "fields", Value: bson.A{}}}},
				{Key: "comment", Value: "why"},
				{Key: "idIndex", Value: bson.D{{Key: "key", Value: bson.D{{Key: "_id", Value: 1}}}, {Key: "name", Value: "_id_"}}},
				{Key: "flags", Value: 1},
				{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}},
				{Key: "collation", Value: bson.D{{Key: "locale", Value: "en_US"}, {Key: "strength", Value: int32(2)}}},
			},
		},
		{
			desc: "write concern: j before w, w as int32", name: "c", wc: &writeconcern.WriteConcern{W: 1, Journal: &j},
			want: bson.D{{Key: "create", Value: "c"}, {Key: "writeConcern", Value: bson.D{{Key: "j", Value: true}, {Key: "w", Value: int32(1)}}}},
		},
		{
			desc: "unacknowledged write concern is sent", name: "c", wc: writeconcern.Unacknowledged(),
			want: bson.D{{Key: "create", Value: "c"}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(0)}}}},
		},
		{desc: "the server default write concern is not sent", name: "c", wc: &writeconcern.WriteConcern{}, want: bson.D{{Key: "create", Value: "c"}}},
		{
			desc: "an empty collation", name: "c", opts: &motor.CreateCollectionOptions{Collation: &options.Collation{}},
			want: bson.D{{Key: "create", Value: "c"}, {Key: "collation", Value: bson.D{}}},
		},
		{
			desc: "every collation field", name: "c",
			opts: &motor.CreateCollectionOptions{Collation: &options.Collation{
				Locale: "fr", CaseLevel: true, CaseFirst: "upper", Strength: 3, NumericOrdering: true,
				Alternate: "shifted", MaxVariable: "punct", Normalization: true, Backwards: true,
			}},
			want: bson.D{{Key: "create", Value: "c"}, {Key: "collation", Value: bson.D{
				{Key: "locale", Value: "fr"}, {Key: "caseLevel", Value: true}, {Key: "caseFirst", Value: "upper"},
				{Key: "strength", Value: int32(3)}, {Key: "numericOrdering", Value: true}, {Key: "alternate", Value: "shifted"},
				{Key: "maxVariable", Value: "punct"}, {Key: "normalization", Value: true}, {Key: "backwards", Value: true},
			}}},
		},
		{desc: "collation with w: 0", name: "c", opts: &motor.CreateCollectionOptions{Collation: &options.Collation{Locale: "en"}}, wc: writeconcern.Unacknowledged(), wantErr: motor.ErrInvalidOption},
		{desc: "invalid name", name: "a..b", wantErr: motor.ErrInvalidName},
		{desc: "empty name", name: "", wantErr: motor.ErrInvalidName},
		{desc: "$ in name", name: "a$b", wantErr: motor.ErrInvalidName},
		{desc: "negative size", name: "c", opts: &motor.CreateCollectionOptions{Size: -1}, wantErr: motor.ErrInvalidOption},
		{desc: "negative max", name: "c", opts: &motor.CreateCollectionOptions{Max: -1}, wantErr: motor.ErrInvalidOption},
		{desc: "negative expireAfterSeconds", name: "c", opts: &motor.CreateCollectionOptions{ExpireAfterSeconds: -1}, wantErr: motor.ErrInvalidOption},
		{desc: "timeseries without timeField", name: "c", opts: &motor.CreateCollectionOptions{Timeseries: &motor.TimeseriesOptions{MetaField: "m"}}, wantErr: motor.ErrInvalidOption},
		{desc: "timeseries negative bucket", name: "c", opts: &motor.CreateCollectionOptions{Timeseries: &motor.TimeseriesOptions{TimeField: "t", BucketMaxSpanSeconds: -1}}, wantErr: motor.ErrInvalidOption},
		{desc: "validator not a document", name: "c", opts: &motor.CreateCollectionOptions{Validator: "x"}, wantErr: motor.ErrInvalidOption},
		{desc: "validator an array", name: "c", opts: &motor.CreateCollectionOptions{Validator: bson.A{1}}, wantErr: motor.ErrInvalidOption},
		{desc: "storageEngine not a document", name: "c", opts: &motor.CreateCollectionOptions{StorageEngine: 5}, wantErr: motor.ErrInvalidOption},
		{desc: "indexOptionDefaults not a document", name: "c", opts: &motor.CreateCollectionOptions{IndexOptionDefaults: true}, wantErr: motor.ErrInvalidOption},
		{desc: "clusteredIndex not a document", name: "c", opts: &motor.CreateCollectionOptions{ClusteredIndex: "_id"}, wantErr: motor.ErrInvalidOption},
		{desc: "encryptedFields not a document", name: "c", opts: &motor.CreateCollectionOptions{EncryptedFields: []int{1}}, wantErr: motor.ErrInvalidOption},
		{desc: "pipeline not an array", name: "c", opts: &motor.CreateCollectionOptions{ViewOn: "s", Pipeline: bson.D{{Key: "$match", Value: bson.D{}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra duplicates a typed field that is not set", name: "c", opts: &motor.CreateCollectionOptions{Extra: bson.D{{Key: "capped", Value: true}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra sets writeConcern", name: "c", opts: &motor.CreateCollectionOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra sets collation", name: "c", opts: &motor.CreateCollectionOptions{Extra: bson.D{{Key: "collation", Value: bson.D{}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra repeats create", name: "c", opts: &motor.CreateCollectionOptions{Extra: bson.D{{Key: "create", Value: "d"}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra key twice", name: "c", opts: &motor.CreateCollectionOptions{Extra: bson.D{{Key: "flags", Value: 1}, {Key: "flags", Value: 2}}}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.CreateCollectionCmd(tt.name, tt.opts, tt.wc, motor.DefaultRegistry)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			diff(t, "command", tt.want, got)
		})
	}
}

func TestCreateCollection(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	listFor := func(name string) bson.D {
		return bson.D{
			{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}, {Key: "nameOnly", Value: true},
			{Key: "filter", Value: bson.D{{Key: "name", Value: name}}}, {Key: "$db", Value: dbn},
		}
	}

	coll, err := db.CreateCollection(ctx, "plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	if coll.Name() != "plain" || coll.Database() != db || coll.ReadPreference().Mode() != readpref.PrimaryMode {
		t.Errorf("collection %v", coll)
	}
	diff(t, "commands", []bson.D{listFor("plain"), {{Key: "create", Value: "plain"}, {Key: "$db", Value: dbn}}}, rec.Commands())

	t.Run("CheckExists false: the create alone", func(t *testing.T) {
		rec.Reset()
		no := false
		if _, err := db.CreateCollection(ctx, "unchecked", &motor.CreateCollectionOptions{CheckExists: &no}); err != nil {
			t.Fatal(err)
		}
		diff(t, "commands", []bson.D{{{Key: "create", Value: "unchecked"}, {Key: "$db", Value: dbn}}}, rec.Commands())
	})

	t.Run("capped, settings of the returned collection", func(t *testing.T) {
		rec.Reset()
		co := motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}
		coll, err := db.CreateCollection(ctx, "capped", &motor.CreateCollectionOptions{
			Capped: true, Size: 4096, Max: 10,
			CodecOptions: &co, ReadPreference: readpref.SecondaryPreferred(),
			WriteConcern: writeconcern.W1(), ReadConcern: readconcern.Local(),
		})
		if err != nil {
			t.Fatal(err)
		}
		if coll.CodecOptions().DocumentType != co.DocumentType || coll.ReadPreference().Mode() != readpref.SecondaryPreferredMode ||
			coll.WriteConcern().W != 1 || coll.ReadConcern().Level != "local" {
			t.Errorf("settings: %+v %v %+v %+v", coll.CodecOptions(), coll.ReadPreference(), coll.WriteConcern(), coll.ReadConcern())
		}
		diff(t, "commands", []bson.D{listFor("capped"), {
			{Key: "create", Value: "capped"}, {Key: "capped", Value: true}, {Key: "size", Value: 4096.0}, {Key: "max", Value: int32(10)},
			{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}}, {Key: "$db", Value: dbn},
		}}, rec.Commands())

		cur, err := db.ListCollections(ctx, &motor.ListCollectionsOptions{Filter: bson.D{{Key: "name", Value: "capped"}}})
		if err != nil {
			t.Fatal(err)
		}
		var infos []struct {
			Name    string
			Options struct {
				Capped bool
				Size   int64
				Max    int64
			}
		}
		if err := cur.All(ctx, &infos); err != nil {
			t.Fatal(err)
		}
		if len(infos) != 1 || !infos[0].Options.Capped || infos[0].Options.Size < 4096 || infos[0].Options.Max != 10 {
			t.Errorf("listCollections: %+v", infos)
		}
	})

	t.Run("existing collection", func(t *testing.T) {
		rec.Reset()
		_, err := db.CreateCollection(ctx, "plain", &motor.CreateCollectionOptions{Capped: true, Size: 1})
		if !errors.Is(err, motor.ErrCollectionInvalid) || err.Error() != "motor: collection plain already exists" {
			t.Errorf("err = %v", err)
		}
		diff(t, "commands", []bson.D{listFor("plain")}, rec.Commands())
	})

	t.Run("database write concern", func(t *testing.T) {
		wdb := db.WithOptions(motor.WithWriteConcern(writeconcern.Majority()))
		rec.Reset()
		coll, err := wdb.CreateCollection(ctx, "wc", nil)
		if err != nil {
			t.Fatal(err)
		}
		if coll.WriteConcern().W != "majority" {
			t.Errorf("collection write concern %+v", coll.WriteConcern())
		}
		diff(t, "create", []bson.D{{{Key: "create", Value: "wc"}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}, {Key: "$db", Value: dbn}}}, rec.Commands("create"))
	})

	t.Run("collation", func(t *testing.T) {
		rec.Reset()
		_, err := db.CreateCollection(ctx, "collated", &motor.CreateCollectionOptions{Collation: &options.Collation{Locale: "en_US", Strength: 2}})
		diff(t, "create", []bson.D{{
			{Key: "create", Value: "collated"},
			{Key: "collation", Value: bson.D{{Key: "locale", Value: "en_US"}, {Key: "strength", Value: int32(2)}}},
			{Key: "$db", Value: dbn},
		}}, rec.Commands("create"))
		var ce mongo.CommandError
		switch {
		case motortest.Real() && err != nil:
			t.Errorf("MongoDB: %v", err)
		case !motortest.Real() && (!errors.As(err, &ce) || ce.Code != 238 || !strings.HasPrefix(err.Error(), "motor: create collection collated: ")):
			t.Errorf("FerretDB: want NotImplemented, got %v", err)
		}
	})

	t.Run("typed options sent as typed", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opts *motor.CreateCollectionOptions
			want bson.D // after create, before $db
			// notImpl: FerretDB answers NotImplemented (238); MongoDB creates the collection.
			notImpl bool
		}{
			{
				name: "validated",
				opts: &motor.CreateCollectionOptions{
					Validator:       bson.D{{Key: "$jsonSchema", Value: bson.D{{Key: "bsonType", Value: "object"}}}},
					ValidationLevel: "moderate", ValidationAction: "warn",
				},
				want: bson.D{
					{Key: "validator", Value: bson.D{{Key: "$jsonSchema", Value: bson.D{{Key: "bsonType", Value: "object"}}}}},
					{Key: "validationLevel", Value: "moderate"}, {Key: "validationAction", Value: "warn"},
				},
				notImpl: true,
			},
			{
				name:    "view",
				opts:    &motor.CreateCollectionOptions{ViewOn: "plain", Pipeline: bson.A{bson.D{{Key: "$match", Value: bson.D{}}}}},
				want:    bson.D{{Key: "viewOn", Value: "plain"}, {Key: "pipeline", Value: bson.A{bson.D{{Key: "$match", Value: bson.D{}}}}}},
				notImpl: true,
			},
			{
				name: "series",
				opts: &motor.CreateCollectionOptions{
					Timeseries:         &motor.TimeseriesOptions{TimeField: "t", MetaField: "m", Granularity: "minutes"},
					ExpireAfterSeconds: 86400,
				},
				want: bson.D{
					{Key: "timeseries", Value: bson.D{{Key: "timeField", Value: "t"}, {Key: "metaField", Value: "m"}, {Key: "granularity", Value: "minutes"}}},
					{Key: "expireAfterSeconds", Value: int32(86400)},
				},
				notImpl: true,
			},
			{
				name: "clustered",
				opts: &motor.CreateCollectionOptions{
					ClusteredIndex: bson.D{{Key: "key", Value: bson.D{{Key: "_id", Value: 1}}}, {Key: "unique", Value: true}},
					Comment:        "made by a test",
				},
				want: bson.D{
					{Key: "clusteredIndex", Value: bson.D{{Key: "key", Value: bson.D{{Key: "_id", Value: int32(1)}}}, {Key: "unique", Value: true}}},
					{Key: "comment", Value: "made by a test"},
				},
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec.Reset()
				_, err := db.CreateCollection(ctx, tc.name, tc.opts)
				want := append(append(bson.D{{Key: "create", Value: tc.name}}, tc.want...), bson.E{Key: "$db", Value: dbn})
				diff(t, "create", []bson.D{want}, rec.Commands("create"))
				var ce mongo.CommandError
				switch {
				case motortest.Real() || !tc.notImpl:
					if err != nil {
						t.Error(err)
					}
				case !errors.As(err, &ce) || ce.Code != 238:
					t.Errorf("FerretDB: want NotImplemented, got %v", err)
				}
			})
		}
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		w0 := db.WithOptions(motor.WithWriteConcern(writeconcern.Unacknowledged()))
		for _, tc := range []struct {
			db   *motor.Database
			name string
			opts *motor.CreateCollectionOptions
			want error
		}{
			{db, "a..b", nil, motor.ErrInvalidName},
			{db, "", nil, motor.ErrInvalidName},
			{db, "$x", nil, motor.ErrInvalidName},
			{db, "ok", &motor.CreateCollectionOptions{Size: -1}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{Validator: 1}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{Extra: bson.D{{Key: "capped", Value: true}}}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{CodecOptions: &motor.CodecOptions{TZInfo: time.UTC}}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{WriteConcern: &writeconcern.WriteConcern{W: -1}}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{Collation: &options.Collation{Locale: "en"}, WriteConcern: writeconcern.Unacknowledged()}, motor.ErrInvalidOption},
			{w0, "ok", &motor.CreateCollectionOptions{Collation: &options.Collation{Locale: "en"}}, motor.ErrInvalidOption},
		} {
			if _, err := tc.db.CreateCollection(ctx, tc.name, tc.opts); !errors.Is(err, tc.want) {
				t.Errorf("CreateCollection(%q, %+v) = %v, want %v", tc.name, tc.opts, err, tc.want)
			}
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

// TestCreateCollectionFake checks the server's NamespaceExists (a race the listCollections check cannot see) and a
// server error of create.
func TestCreateCollectionFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	db := fakeDB(t, f, "shop")
	f.Handle("listCollections", func(bson.D) bson.D { return cursorReply(0, "shop.$cmd.listCollections", "firstBatch") })

	f.Handle("create", func(bson.D) bson.D {
		return motortest.CommandError(48, "NamespaceExists", "Collection shop.orders already exists.")
	})
	_, err := db.CreateCollection(ctx, "orders", nil)
	var ce mongo.CommandError
	if !errors.Is(err, motor.ErrCollectionInvalid) || !errors.As(err, &ce) || ce.Code != 48 {
		t.Errorf("NamespaceExists: %v", err)
	}
	if !strings.HasPrefix(fmtErr(err), "motor: collection orders already exists: ") {
		t.Errorf("error text %q", fmtErr(err))
	}
	no := false
	f.Reset()
	if _, err := db.CreateCollection(ctx, "orders", &motor.CreateCollectionOptions{CheckExists: &no}); !errors.Is(err, motor.ErrCollectionInvalid) {
		t.Errorf("NamespaceExists without the check: %v", err)
	}
	if names := fakeNames(f); len(names) != 1 || names[0] != "create" {
		t.Errorf("CheckExists false sent %v", names)
	}

	f.Handle("create", func(bson.D) bson.D {
		return motortest.CommandError(72, "InvalidOptions", "invalid option")
	})
	_, err = db.CreateCollection(ctx, "orders", &motor.CreateCollectionOptions{Extra: bson.D{{Key: "bogus", Value: 1}}})
	if !errors.As(err, &ce) || ce.Code != 72 || errors.Is(err, motor.ErrCollectionInvalid) {
		t.Errorf("InvalidOptions: %v", err)
	}

	f.Handle("listCollections", func(bson.D) bson.D { return motortest.CommandError(13, "Unauthorized", "not authorized") })
	f.Reset()
	_, err = db.CreateCollection(ctx, "orders", nil)
	if !errors.As(err, &ce) || ce.Code != 13 || !strings.HasPrefix(err.Error(), "motor: create collection orders: list collections: ") {
		t.Errorf("listCollections failure: %v", err)
	}
	diff(t, "no create after a failed check", []string{"listCollections"}, fakeNames(f))
}
