package motor_test

import (
	"errors"
	"math"
	"testing"

	"github.com/gomotor/motor"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

func TestCommandCmd(t *testing.T) {
	// A bson.Raw with no Extra goes to the driver as it is, not a copy.
	ping := rawDoc(t, bson.D{{Key: "ping", Value: 1}})
	if got, _, err := motor.CommandCmd(ping, nil, nil, motor.DefaultRegistry); err != nil || &got.(bson.Raw)[0] != &ping[0] {
		t.Errorf("commandCmd(bson.Raw) = %v, %v; want the same bytes", got, err)
	}

	type collStats struct {
		CollStats string `bson:"collStats"`
		Scale     int32  `bson:"scale,omitempty"`
	}
	uuid := motor.UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	caller := bson.D{{Key: "count", Value: "c"}}
	tests := []struct {
		desc    string
		cmd     any
		value   any
		extra   bson.D
		want    bson.D
		wantErr error
	}{
		{desc: "name, value 1 by default", cmd: "buildinfo", want: bson.D{{Key: "buildinfo", Value: int32(1)}}},
		{desc: "name and value", cmd: "collstats", value: "coll", want: bson.D{{Key: "collstats", Value: "coll"}}},
		{
			desc: "name, value and extra in order", cmd: "filemd5", value: int32(7),
			extra: bson.D{{Key: "root", Value: "fs"}, {Key: "a", Value: 1}},
			want:  bson.D{{Key: "filemd5", Value: int32(7)}, {Key: "root", Value: "fs"}, {Key: "a", Value: 1}},
		},
		{
			desc: "bson.D as is, then extra", cmd: bson.D{{Key: "count", Value: "c"}, {Key: "limit", Value: 5}},
			extra: bson.D{{Key: "query", Value: bson.D{{Key: "x", Value: 1}}}},
			want:  bson.D{{Key: "count", Value: "c"}, {Key: "limit", Value: 5}, {Key: "query", Value: bson.D{{Key: "x", Value: 1}}}},
		},
		{desc: "pointer to bson.D", cmd: &caller, want: bson.D{{Key: "count", Value: "c"}}},
		{
			desc: "bson.Raw", cmd: rawDoc(t, bson.D{{Key: "ping", Value: 1.0}, {Key: "n", Value: int64(2)}}),
			extra: bson.D{{Key: "comment", Value: "x"}},
			want:  bson.D{{Key: "ping", Value: 1.0}, {Key: "n", Value: int64(2)}, {Key: "comment", Value: "x"}},
		},
		{desc: "bson.E", cmd: bson.E{Key: "ping", Value: 1}, want: bson.D{{Key: "ping", Value: 1}}},
		{desc: "one-key bson.M", cmd: bson.M{"ping": 1}, want: bson.D{{Key: "ping", Value: 1}}},
		{desc: "one-key map[string]int", cmd: map[string]int{"ping": 1}, want: bson.D{{Key: "ping", Value: 1}}},
		{
			desc: "struct, encoded in field order", cmd: collStats{CollStats: "c", Scale: 1024},
			want: bson.D{{Key: "collStats", Value: "c"}, {Key: "scale", Value: int32(1024)}},
		},
		{desc: "pointer to struct", cmd: &collStats{CollStats: "c"}, want: bson.D{{Key: "collStats", Value: "c"}}},
		{
			desc: "struct values encode with the registry (UUID as Python legacy subtype 3)",
			cmd:  struct{ Find, Filter any }{"c", bson.D{{Key: "u", Value: uuid}}},
			want: bson.D{{Key: "find", Value: "c"}, {Key: "filter", Value: bson.D{{Key: "u", Value: bson.Binary{Subtype: 3, Data: uuid[:]}}}}},
		},
		{desc: "nil", cmd: nil, wantErr: motor.ErrInvalidOption},
		{desc: "empty name", cmd: "", wantErr: motor.ErrInvalidOption},
		{desc: "empty bson.D", cmd: bson.D{}, wantErr: motor.ErrInvalidOption},
		{desc: "empty first key", cmd: bson.D{{Key: "", Value: 1}}, wantErr: motor.ErrInvalidOption},
		{desc: "empty bson.M", cmd: bson.M{}, wantErr: motor.ErrInvalidOption},
		{desc: "multi-key bson.M has no order", cmd: bson.M{"count": "c", "limit": 1}, wantErr: motor.ErrInvalidOption},
		{desc: "map with non-string keys", cmd: map[int]int{1: 1}, wantErr: motor.ErrInvalidOption},
		{desc: "int", cmd: 5, wantErr: motor.ErrInvalidOption},
		{desc: "bson.A", cmd: bson.A{"ping"}, wantErr: motor.ErrInvalidOption},
		{desc: "nil pointer", cmd: (*collStats)(nil), wantErr: motor.ErrInvalidOption},
		{desc: "invalid bson.Raw", cmd: bson.Raw{1, 2, 3}, wantErr: motor.ErrInvalidOption},
		{desc: "empty bson.Raw", cmd: rawDoc(t, bson.D{}), wantErr: motor.ErrInvalidOption},
		{desc: "empty struct", cmd: struct{}{}, wantErr: motor.ErrInvalidOption},
		{desc: "value with a document", cmd: bson.D{{Key: "ping", Value: 1}}, value: 2, wantErr: motor.ErrInvalidOption},
		{desc: "extra repeats the verb", cmd: "count", value: "c", extra: bson.D{{Key: "count", Value: "d"}}, wantErr: motor.ErrInvalidOption},
		{desc: "extra repeats a key of the document", cmd: bson.D{{Key: "count", Value: "c"}, {Key: "limit", Value: 1}}, extra: bson.D{{Key: "limit", Value: 2}}, wantErr: motor.ErrInvalidOption},
		{desc: "extra key twice", cmd: "ping", extra: bson.D{{Key: "a", Value: 1}, {Key: "a", Value: 2}}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, verb, err := motor.CommandCmd(tt.cmd, tt.value, tt.extra, motor.DefaultRegistry)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			// What the driver sends: the document encoded with the registry.
			gotRaw, err := motor.EncodeDoc(motor.DefaultRegistry, got)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "command", rawDoc(t, tt.want).String(), gotRaw.String())
			if verb != tt.want[0].Key {
				t.Errorf("verb %q, want %q", verb, tt.want[0].Key)
			}
		})
	}
	// The caller's document is not modified, even when it has spare capacity.
	spare := make(bson.D, 1, 4)
	spare[0] = bson.E{Key: "ping", Value: 1}
	if _, _, err := motor.CommandCmd(spare, nil, bson.D{{Key: "x", Value: 1}}, motor.DefaultRegistry); err != nil {
		t.Fatal(err)
	}
	if got := spare[:2][1]; got.Key != "" {
		t.Errorf("caller's bson.D was written to: %v", got)
	}
}

func TestCommandAllowable(t *testing.T) {
	failed := bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "ns not found"}, {Key: "code", Value: int32(26)}, {Key: "codeName", Value: "NamespaceNotFound"}}
	sharded := bson.D{
		{Key: "raw", Value: bson.D{
			{Key: "sh0/a:1", Value: bson.D{{Key: "ok", Value: 1.0}}},
			{Key: "sh1/b:1", Value: bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "shard says no"}, {Key: "code", Value: int32(13)}}},
			{Key: "sh2/c:1", Value: bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "later shard"}, {Key: "code", Value: int32(14)}}},
		}},
		{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "top"}, {Key: "code", Value: int32(1)},
	}
	tests := []struct {
		desc  string
		reply bson.D
		codes []int32
		msgs  []string
		want  bool
	}{
		{desc: "none given", reply: failed},
		{desc: "code matches", reply: failed, codes: []int32{59, 26}, want: true},
		{desc: "message matches exactly", reply: failed, msgs: []string{"ns not found"}, want: true},
		{desc: "message is not a substring match", reply: failed, msgs: []string{"not found"}},
		{desc: "neither", reply: failed, codes: []int32{59}, msgs: []string{"x"}},
		{desc: "first failed shard's code", reply: sharded, codes: []int32{13}, want: true},
		{desc: "first failed shard's message", reply: sharded, msgs: []string{"shard says no"}, want: true},
		{desc: "not the top-level code when a shard failed", reply: sharded, codes: []int32{1}},
		{desc: "not a later shard", reply: sharded, codes: []int32{14}},
		{desc: "no code in the reply", reply: bson.D{{Key: "ok", Value: 0}, {Key: "errmsg", Value: "m"}}, codes: []int32{0}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := motor.Allowable(rawDoc(t, tt.reply), tt.codes, tt.msgs); got != tt.want {
				t.Errorf("motor.Allowable = %v, want %v", got, tt.want)
			}
		})
	}
}

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

func TestDropCollectionCmd(t *testing.T) {
	tests := []struct {
		desc    string
		name    string
		opts    *motor.DropCollectionOptions
		wc      *writeconcern.WriteConcern
		want    bson.D
		wantErr error
	}{
		{desc: "plain", name: "c", want: bson.D{{Key: "drop", Value: "c"}}},
		{
			desc: "comment, Extra, then the write concern", name: "c", wc: &writeconcern.WriteConcern{W: "majority"},
			opts: &motor.DropCollectionOptions{Comment: bson.D{{Key: "why", Value: 1}}, Extra: bson.D{{Key: "x", Value: 1}}},
			want: bson.D{{Key: "drop", Value: "c"}, {Key: "comment", Value: bson.D{{Key: "why", Value: 1}}}, {Key: "x", Value: 1}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}},
		},
		{desc: "server default write concern not sent", name: "c", wc: &writeconcern.WriteConcern{}, want: bson.D{{Key: "drop", Value: "c"}}},
		{desc: "invalid name", name: "a..b", wantErr: motor.ErrInvalidName},
		{desc: "Extra repeats comment", name: "c", opts: &motor.DropCollectionOptions{Extra: bson.D{{Key: "comment", Value: 1}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra sets writeConcern", name: "c", opts: &motor.DropCollectionOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra repeats drop", name: "c", opts: &motor.DropCollectionOptions{Extra: bson.D{{Key: "drop", Value: "d"}}}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.DropCollectionCmd(tt.name, tt.opts, tt.wc)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			diff(t, "command", tt.want, got)
		})
	}
}

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

func TestWriteConcernDoc(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		wc   *writeconcern.WriteConcern
		want bson.D
	}{
		{nil, nil},
		{&writeconcern.WriteConcern{}, nil},
		{writeconcern.W1(), bson.D{{Key: "w", Value: int32(1)}}},
		{writeconcern.Majority(), bson.D{{Key: "w", Value: "majority"}}},
		{writeconcern.Custom("dc"), bson.D{{Key: "w", Value: "dc"}}},
		{&writeconcern.WriteConcern{Journal: &yes}, bson.D{{Key: "j", Value: true}}},
		{&writeconcern.WriteConcern{W: 2, Journal: &no}, bson.D{{Key: "j", Value: false}, {Key: "w", Value: int32(2)}}},
	}
	for _, tt := range tests {
		diff(t, "writeConcern", tt.want, motor.WriteConcernDoc(tt.wc))
	}
}
