package motor

// Pure table tests of the command builders of command.go, commandcursor.go and collections.go. They live in package
// motor to reach the unexported builders; the tests against a server are in collections_test.go.

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

type cmdE = bson.E

func cmdDiff(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func cmdRaw(t testing.TB, v any) bson.Raw {
	t.Helper()
	raw, err := bson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestCommandCmd(t *testing.T) {
	// A bson.Raw with no Extra goes to the driver as it is, not a copy.
	ping := cmdRaw(t, bson.D{{Key: "ping", Value: 1}})
	if got, _, err := commandCmd(ping, nil, nil, defaultCodec.reg); err != nil || &got.(bson.Raw)[0] != &ping[0] {
		t.Errorf("commandCmd(bson.Raw) = %v, %v; want the same bytes", got, err)
	}

	type collStats struct {
		CollStats string `bson:"collStats"`
		Scale     int32  `bson:"scale,omitempty"`
	}
	uuid := UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
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
			desc: "bson.Raw", cmd: cmdRaw(t, bson.D{{Key: "ping", Value: 1.0}, {Key: "n", Value: int64(2)}}),
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
		{desc: "nil", cmd: nil, wantErr: ErrInvalidOption},
		{desc: "empty name", cmd: "", wantErr: ErrInvalidOption},
		{desc: "empty bson.D", cmd: bson.D{}, wantErr: ErrInvalidOption},
		{desc: "empty first key", cmd: bson.D{{Key: "", Value: 1}}, wantErr: ErrInvalidOption},
		{desc: "empty bson.M", cmd: bson.M{}, wantErr: ErrInvalidOption},
		{desc: "multi-key bson.M has no order", cmd: bson.M{"count": "c", "limit": 1}, wantErr: ErrInvalidOption},
		{desc: "map with non-string keys", cmd: map[int]int{1: 1}, wantErr: ErrInvalidOption},
		{desc: "int", cmd: 5, wantErr: ErrInvalidOption},
		{desc: "bson.A", cmd: bson.A{"ping"}, wantErr: ErrInvalidOption},
		{desc: "nil pointer", cmd: (*collStats)(nil), wantErr: ErrInvalidOption},
		{desc: "invalid bson.Raw", cmd: bson.Raw{1, 2, 3}, wantErr: ErrInvalidOption},
		{desc: "empty bson.Raw", cmd: cmdRaw(t, bson.D{}), wantErr: ErrInvalidOption},
		{desc: "empty struct", cmd: struct{}{}, wantErr: ErrInvalidOption},
		{desc: "value with a document", cmd: bson.D{{Key: "ping", Value: 1}}, value: 2, wantErr: ErrInvalidOption},
		{desc: "extra repeats the verb", cmd: "count", value: "c", extra: bson.D{{Key: "count", Value: "d"}}, wantErr: ErrInvalidOption},
		{desc: "extra repeats a key of the document", cmd: bson.D{{Key: "count", Value: "c"}, {Key: "limit", Value: 1}}, extra: bson.D{{Key: "limit", Value: 2}}, wantErr: ErrInvalidOption},
		{desc: "extra key twice", cmd: "ping", extra: bson.D{{Key: "a", Value: 1}, {Key: "a", Value: 2}}, wantErr: ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, verb, err := commandCmd(tt.cmd, tt.value, tt.extra, defaultCodec.reg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			// What the driver sends: the document encoded with the registry.
			gotRaw, err := encodeDoc(defaultCodec.reg, got)
			if err != nil {
				t.Fatal(err)
			}
			cmdDiff(t, "command", cmdRaw(t, tt.want).String(), gotRaw.String())
			if verb != tt.want[0].Key {
				t.Errorf("verb %q, want %q", verb, tt.want[0].Key)
			}
		})
	}
	// The caller's document is not modified, even when it has spare capacity.
	spare := make(bson.D, 1, 4)
	spare[0] = bson.E{Key: "ping", Value: 1}
	if _, _, err := commandCmd(spare, nil, bson.D{{Key: "x", Value: 1}}, defaultCodec.reg); err != nil {
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
			if got := allowable(cmdRaw(t, tt.reply), tt.codes, tt.msgs); got != tt.want {
				t.Errorf("allowable = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCreateCollectionCmd(t *testing.T) {
	j := true
	tests := []struct {
		desc    string
		name    string
		opts    *CreateCollectionOptions
		wc      *writeconcern.WriteConcern
		want    bson.D
		wantErr error
	}{
		{desc: "nil options", name: "c", want: bson.D{{Key: "create", Value: "c"}}},
		{
			desc: "capped: size as a double, as PyMongo sends it; max as int32",
			name: "c", opts: &CreateCollectionOptions{Capped: true, Size: 4096, Max: 10},
			want: bson.D{{Key: "create", Value: "c"}, {Key: "capped", Value: true}, {Key: "size", Value: 4096.0}, {Key: "max", Value: int32(10)}},
		},
		{
			desc: "a max beyond int32 is an int64", name: "c", opts: &CreateCollectionOptions{Capped: true, Size: 1 << 40, Max: math.MaxInt32 + 1},
			want: bson.D{{Key: "create", Value: "c"}, {Key: "capped", Value: true}, {Key: "size", Value: float64(1 << 40)}, {Key: "max", Value: int64(math.MaxInt32 + 1)}},
		},
		{
			desc: "every typed option, in order, then Extra, writeConcern and collation",
			name: "every",
			opts: &CreateCollectionOptions{
				Capped: true, Size: 1, Max: 2,
				Timeseries: &TimeseriesOptions{
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
			desc: "an empty collation", name: "c", opts: &CreateCollectionOptions{Collation: &options.Collation{}},
			want: bson.D{{Key: "create", Value: "c"}, {Key: "collation", Value: bson.D{}}},
		},
		{
			desc: "every collation field", name: "c",
			opts: &CreateCollectionOptions{Collation: &options.Collation{
				Locale: "fr", CaseLevel: true, CaseFirst: "upper", Strength: 3, NumericOrdering: true,
				Alternate: "shifted", MaxVariable: "punct", Normalization: true, Backwards: true,
			}},
			want: bson.D{{Key: "create", Value: "c"}, {Key: "collation", Value: bson.D{
				{Key: "locale", Value: "fr"}, {Key: "caseLevel", Value: true}, {Key: "caseFirst", Value: "upper"},
				{Key: "strength", Value: int32(3)}, {Key: "numericOrdering", Value: true}, {Key: "alternate", Value: "shifted"},
				{Key: "maxVariable", Value: "punct"}, {Key: "normalization", Value: true}, {Key: "backwards", Value: true},
			}}},
		},
		{desc: "collation with w: 0", name: "c", opts: &CreateCollectionOptions{Collation: &options.Collation{Locale: "en"}}, wc: writeconcern.Unacknowledged(), wantErr: ErrInvalidOption},
		{desc: "invalid name", name: "a..b", wantErr: ErrInvalidName},
		{desc: "empty name", name: "", wantErr: ErrInvalidName},
		{desc: "$ in name", name: "a$b", wantErr: ErrInvalidName},
		{desc: "negative size", name: "c", opts: &CreateCollectionOptions{Size: -1}, wantErr: ErrInvalidOption},
		{desc: "negative max", name: "c", opts: &CreateCollectionOptions{Max: -1}, wantErr: ErrInvalidOption},
		{desc: "negative expireAfterSeconds", name: "c", opts: &CreateCollectionOptions{ExpireAfterSeconds: -1}, wantErr: ErrInvalidOption},
		{desc: "timeseries without timeField", name: "c", opts: &CreateCollectionOptions{Timeseries: &TimeseriesOptions{MetaField: "m"}}, wantErr: ErrInvalidOption},
		{desc: "timeseries negative bucket", name: "c", opts: &CreateCollectionOptions{Timeseries: &TimeseriesOptions{TimeField: "t", BucketMaxSpanSeconds: -1}}, wantErr: ErrInvalidOption},
		{desc: "validator not a document", name: "c", opts: &CreateCollectionOptions{Validator: "x"}, wantErr: ErrInvalidOption},
		{desc: "validator an array", name: "c", opts: &CreateCollectionOptions{Validator: bson.A{1}}, wantErr: ErrInvalidOption},
		{desc: "storageEngine not a document", name: "c", opts: &CreateCollectionOptions{StorageEngine: 5}, wantErr: ErrInvalidOption},
		{desc: "indexOptionDefaults not a document", name: "c", opts: &CreateCollectionOptions{IndexOptionDefaults: true}, wantErr: ErrInvalidOption},
		{desc: "clusteredIndex not a document", name: "c", opts: &CreateCollectionOptions{ClusteredIndex: "_id"}, wantErr: ErrInvalidOption},
		{desc: "encryptedFields not a document", name: "c", opts: &CreateCollectionOptions{EncryptedFields: []int{1}}, wantErr: ErrInvalidOption},
		{desc: "pipeline not an array", name: "c", opts: &CreateCollectionOptions{ViewOn: "s", Pipeline: bson.D{{Key: "$match", Value: bson.D{}}}}, wantErr: ErrInvalidOption},
		{desc: "Extra duplicates a typed field that is not set", name: "c", opts: &CreateCollectionOptions{Extra: bson.D{{Key: "capped", Value: true}}}, wantErr: ErrInvalidOption},
		{desc: "Extra sets writeConcern", name: "c", opts: &CreateCollectionOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{}}}}, wantErr: ErrInvalidOption},
		{desc: "Extra sets collation", name: "c", opts: &CreateCollectionOptions{Extra: bson.D{{Key: "collation", Value: bson.D{}}}}, wantErr: ErrInvalidOption},
		{desc: "Extra repeats create", name: "c", opts: &CreateCollectionOptions{Extra: bson.D{{Key: "create", Value: "d"}}}, wantErr: ErrInvalidOption},
		{desc: "Extra key twice", name: "c", opts: &CreateCollectionOptions{Extra: bson.D{{Key: "flags", Value: 1}, {Key: "flags", Value: 2}}}, wantErr: ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := createCollectionCmd(tt.name, tt.opts, tt.wc, defaultCodec.reg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			cmdDiff(t, "command", tt.want, got)
		})
	}
}

func TestDropCollectionCmd(t *testing.T) {
	tests := []struct {
		desc    string
		name    string
		opts    *DropCollectionOptions
		wc      *writeconcern.WriteConcern
		want    bson.D
		wantErr error
	}{
		{desc: "plain", name: "c", want: bson.D{{Key: "drop", Value: "c"}}},
		{
			desc: "comment, Extra, then the write concern", name: "c", wc: &writeconcern.WriteConcern{W: "majority"},
			opts: &DropCollectionOptions{Comment: bson.D{{Key: "why", Value: 1}}, Extra: bson.D{{Key: "x", Value: 1}}},
			want: bson.D{{Key: "drop", Value: "c"}, {Key: "comment", Value: bson.D{{Key: "why", Value: 1}}}, {Key: "x", Value: 1}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}},
		},
		{desc: "server default write concern not sent", name: "c", wc: &writeconcern.WriteConcern{}, want: bson.D{{Key: "drop", Value: "c"}}},
		{desc: "invalid name", name: "a..b", wantErr: ErrInvalidName},
		{desc: "Extra repeats comment", name: "c", opts: &DropCollectionOptions{Extra: bson.D{{Key: "comment", Value: 1}}}, wantErr: ErrInvalidOption},
		{desc: "Extra sets writeConcern", name: "c", opts: &DropCollectionOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{}}}}, wantErr: ErrInvalidOption},
		{desc: "Extra repeats drop", name: "c", opts: &DropCollectionOptions{Extra: bson.D{{Key: "drop", Value: "d"}}}, wantErr: ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := dropCollectionCmd(tt.name, tt.opts, tt.wc)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			cmdDiff(t, "command", tt.want, got)
		})
	}
}

func TestListCollectionsCmd(t *testing.T) {
	type nameFilter struct {
		Name string `bson:"name"`
	}
	tests := []struct {
		desc    string
		opts    *ListCollectionsOptions
		want    bson.D
		wantErr error
	}{
		{desc: "zero", opts: &ListCollectionsOptions{}, want: bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}}},
		{
			desc: "Motor's list_collections(filter=..., nameOnly=True)",
			opts: &ListCollectionsOptions{Filter: bson.D{{Key: "name", Value: "a"}}, NameOnly: true},
			want: bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}, {Key: "nameOnly", Value: true}, {Key: "filter", Value: bson.D{{Key: "name", Value: "a"}}}},
		},
		{
			desc: "every option",
			opts: &ListCollectionsOptions{
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
			desc: "an empty filter is sent", opts: &ListCollectionsOptions{Filter: bson.D{}},
			want: bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}, {Key: "filter", Value: bson.D{}}},
		},
		{
			desc: "a struct filter", opts: &ListCollectionsOptions{Filter: nameFilter{"a"}},
			want: bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}, {Key: "filter", Value: nameFilter{"a"}}},
		},
		{desc: "filter not a document", opts: &ListCollectionsOptions{Filter: "a"}, wantErr: ErrInvalidOption},
		{desc: "filter an array", opts: &ListCollectionsOptions{Filter: bson.A{}}, wantErr: ErrInvalidOption},
		{desc: "negative batch size", opts: &ListCollectionsOptions{BatchSize: -1}, wantErr: ErrInvalidOption},
		{desc: "Extra repeats filter", opts: &ListCollectionsOptions{Extra: bson.D{{Key: "filter", Value: bson.D{}}}}, wantErr: ErrInvalidOption},
		{desc: "Extra repeats nameOnly", opts: &ListCollectionsOptions{Extra: bson.D{{Key: "nameOnly", Value: true}}}, wantErr: ErrInvalidOption},
		{desc: "Extra sets cursor", opts: &ListCollectionsOptions{Extra: bson.D{{Key: "cursor", Value: bson.D{}}}}, wantErr: ErrInvalidOption},
		{desc: "Extra key twice", opts: &ListCollectionsOptions{Extra: bson.D{{Key: "x", Value: 1}, {Key: "x", Value: 1}}}, wantErr: ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := listCollectionsCmd(tt.opts, defaultCodec.reg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			cmdDiff(t, "command", tt.want, got)
		})
	}
}

func TestListCollectionNamesCmd(t *testing.T) {
	head := bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}}
	with := func(es ...bson.E) bson.D { return append(append(bson.D(nil), head...), es...) }
	nameOnly := cmdE{Key: "nameOnly", Value: true}
	filter := func(v any) bson.E { return cmdE{Key: "filter", Value: v} }
	byName := bson.D{{Key: "name", Value: "a"}}
	tests := []struct {
		desc    string
		opts    *ListCollectionNamesOptions
		want    bson.D
		wantErr error
	}{
		{desc: "nil: nameOnly", want: with(nameOnly)},
		{desc: "empty filter: nameOnly, filter sent", opts: &ListCollectionNamesOptions{Filter: bson.D{}}, want: with(nameOnly, filter(bson.D{}))},
		{desc: "name only", opts: &ListCollectionNamesOptions{Filter: byName}, want: with(nameOnly, filter(byName))},
		{desc: "name and type: no nameOnly", opts: &ListCollectionNamesOptions{Filter: bson.M{"name": "a", "type": "collection"}}, want: with(filter(bson.M{"name": "a", "type": "collection"}))},
		{desc: "type: no nameOnly", opts: &ListCollectionNamesOptions{Filter: bson.D{{Key: "type", Value: "view"}}}, want: with(filter(bson.D{{Key: "type", Value: "view"}}))},
		{desc: "options: no nameOnly", opts: &ListCollectionNamesOptions{Filter: bson.D{{Key: "options.capped", Value: true}}}, want: with(filter(bson.D{{Key: "options.capped", Value: true}}))},
		{
			desc: "$or of names: nameOnly",
			opts: &ListCollectionNamesOptions{Filter: bson.D{{Key: "$or", Value: bson.A{byName, bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^b"}}}}}}}},
			want: with(nameOnly, filter(bson.D{{Key: "$or", Value: bson.A{byName, bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^b"}}}}}}})),
		},
		{
			desc: "$and with a type test: no nameOnly",
			opts: &ListCollectionNamesOptions{Filter: bson.D{{Key: "$and", Value: bson.A{byName, bson.D{{Key: "type", Value: "view"}}}}}},
			want: with(filter(bson.D{{Key: "$and", Value: bson.A{byName, bson.D{{Key: "type", Value: "view"}}}}})),
		},
		{
			desc: "Motor's (filter={name}, authorizedCollections=True) order",
			opts: &ListCollectionNamesOptions{Filter: byName, AuthorizedCollections: true, Comment: "c", Extra: bson.D{{Key: "x", Value: 1}}},
			want: with(cmdE{Key: "authorizedCollections", Value: true}, cmdE{Key: "comment", Value: "c"}, cmdE{Key: "x", Value: 1}, nameOnly, filter(byName)),
		},
		{desc: "filter not a document", opts: &ListCollectionNamesOptions{Filter: 3}, wantErr: ErrInvalidOption},
		{desc: "Extra sets nameOnly", opts: &ListCollectionNamesOptions{Extra: bson.D{{Key: "nameOnly", Value: false}}}, wantErr: ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := listCollectionNamesCmd(tt.opts, defaultCodec.reg)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			cmdDiff(t, "command", tt.want, got)
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
		if got := onlyName(cmdRaw(t, tt.filter)); got != tt.want {
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
		cmdDiff(t, "writeConcern", tt.want, writeConcernDoc(tt.wc))
	}
}
