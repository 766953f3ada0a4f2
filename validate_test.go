package motor_test

import (
	"errors"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// TestValidateCollectionCommand checks the command document each option set sends, on a scripted server, and that
// bad options fail before any I/O.
func TestValidateCollectionCommand(t *testing.T) {
	f := motortest.NewFake(t)
	f.Handle("validate", func(bson.D) bson.D { return mongo7Validate("shop.c") })
	db := fakeDB(t, f, "shop")
	ctx := t.Context()
	yes, no := true, false
	tests := []struct {
		desc    string
		opts    *motor.ValidateCollectionOptions
		want    bson.D // without $db
		wantErr error
	}{
		{
			desc: "nil options send Motor's defaults",
			want: bson.D{{Key: "validate", Value: "c"}, {Key: "scandata", Value: false}, {Key: "full", Value: false}},
		},
		{
			desc: "zero options are nil options",
			opts: &motor.ValidateCollectionOptions{},
			want: bson.D{{Key: "validate", Value: "c"}, {Key: "scandata", Value: false}, {Key: "full", Value: false}},
		},
		{
			desc: "scandata and full",
			opts: &motor.ValidateCollectionOptions{Scandata: true, Full: true},
			want: bson.D{{Key: "validate", Value: "c"}, {Key: "scandata", Value: true}, {Key: "full", Value: true}},
		},
		{
			desc: "background alone",
			opts: &motor.ValidateCollectionOptions{Background: &yes},
			want: bson.D{{Key: "validate", Value: "c"}, {Key: "scandata", Value: false}, {Key: "full", Value: false}, {Key: "background", Value: true}},
		},
		{
			desc: "every typed option, in order, then Extra in order",
			opts: &motor.ValidateCollectionOptions{
				Background: &yes, Repair: &no, Metadata: &yes, CheckBSONConformance: &no,
				Extra: bson.D{{Key: "comment", Value: "x"}, {Key: "enforceFastCount", Value: true}},
			},
			want: bson.D{
				{Key: "validate", Value: "c"}, {Key: "scandata", Value: false}, {Key: "full", Value: false},
				{Key: "background", Value: true}, {Key: "repair", Value: false}, {Key: "metadata", Value: true},
				{Key: "checkBSONConformance", Value: false},
				{Key: "comment", Value: "x"}, {Key: "enforceFastCount", Value: true},
			},
		},
		{
			desc:    "Extra duplicates a typed field that is not set",
			opts:    &motor.ValidateCollectionOptions{Extra: bson.D{{Key: "background", Value: true}}},
			wantErr: motor.ErrInvalidOption,
		},
		{
			desc:    "Extra duplicates a typed field that is always sent",
			opts:    &motor.ValidateCollectionOptions{Extra: bson.D{{Key: "full", Value: true}}},
			wantErr: motor.ErrInvalidOption,
		},
		{
			desc:    "Extra duplicates the command name",
			opts:    &motor.ValidateCollectionOptions{Extra: bson.D{{Key: "validate", Value: "other"}}},
			wantErr: motor.ErrInvalidOption,
		},
		{
			desc:    "Extra key twice",
			opts:    &motor.ValidateCollectionOptions{Extra: bson.D{{Key: "comment", Value: 1}, {Key: "comment", Value: 2}}},
			wantErr: motor.ErrInvalidOption,
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			f.Reset()
			_, err := db.ValidateCollection(ctx, "c", tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var want []bson.D
			if tt.want != nil {
				want = []bson.D{withDB("shop", tt.want)}
			}
			diff(t, "commands", want, fakeCommands(f))
		})
	}
}

// TestValidateCollection runs validate on the test server.
func TestValidateCollection(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	coll := db.Collection("things")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}, bson.D{{Key: "_id", Value: 3}}}, nil); err != nil {
		t.Fatal(err)
	}
	rec.Reset()

	res, err := db.ValidateCollection(ctx, coll.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid || len(res.Raw) == 0 {
		t.Errorf("result = %+v", res)
	}
	if motortest.Real() {
		if res.NRecords != 3 || res.NIndexes != 1 || res.KeysPerIndex["_id_"] != 3 || res.Namespace != db.Name()+".things" {
			t.Errorf("result = %+v", res)
		}
	}
	if _, err := db.ValidateCollection(ctx, "things", &motor.ValidateCollectionOptions{Full: true}); err != nil {
		t.Fatal(err)
	}
	diff(t, "commands", []bson.D{
		withDB(db.Name(), bson.D{{Key: "validate", Value: "things"}, {Key: "scandata", Value: false}, {Key: "full", Value: false}}),
		withDB(db.Name(), bson.D{{Key: "validate", Value: "things"}, {Key: "scandata", Value: false}, {Key: "full", Value: true}}),
	}, rec.Commands("validate"))

	// A missing collection is the server's NamespaceNotFound.
	_, err = db.ValidateCollection(ctx, "missing", nil)
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 26 || errors.Is(err, motor.ErrCollectionInvalid) {
		t.Errorf("missing collection: %v", err)
	}
	if !strings.HasPrefix(err.Error(), `motor: validate collection "missing": `) {
		t.Errorf("error message: %v", err)
	}

	// Bad arguments fail before any I/O.
	rec.Reset()
	for _, tt := range []struct {
		ref  string
		want error
	}{
		{"a..b", motor.ErrInvalidName},
		{"", motor.ErrInvalidName},
	} {
		if _, err := db.ValidateCollection(ctx, tt.ref, nil); !errors.Is(err, tt.want) {
			t.Errorf("ValidateCollection(%v) = %v, want %v", tt.ref, err, tt.want)
		}
	}
	if _, err := db.ValidateCollection(ctx, coll.Name(), &motor.ValidateCollectionOptions{Extra: bson.D{{Key: "full", Value: true}}}); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("duplicate Extra: %v", err)
	}
	if _, err := db.ValidateCollection(nil, coll.Name(), nil); !errors.Is(err, motor.ErrInvalidOption) || err.Error() != "motor: validate collection \"things\": nil context" { //nolint:staticcheck // a nil ctx is the point
		t.Errorf("nil ctx: %v", err)
	}
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("commands sent: %v", names)
	}
}

// mongo7Validate is the reply of MongoDB 7.0 to validate on a healthy collection of three documents.
func mongo7Validate(ns string) bson.D {
	return motortest.OK(
		bson.E{Key: "ns", Value: ns},
		bson.E{Key: "uuid", Value: bson.Binary{Subtype: 4, Data: make([]byte, 16)}},
		bson.E{Key: "nInvalidDocuments", Value: int32(0)},
		bson.E{Key: "nNonCompliantDocuments", Value: int32(0)},
		bson.E{Key: "nrecords", Value: int32(3)},
		bson.E{Key: "nIndexes", Value: int32(2)},
		bson.E{Key: "keysPerIndex", Value: bson.D{{Key: "_id_", Value: int32(3)}, {Key: "x_1", Value: int32(3)}}},
		bson.E{Key: "indexDetails", Value: bson.D{
			{Key: "_id_", Value: bson.D{{Key: "valid", Value: true}}},
			{Key: "x_1", Value: bson.D{{Key: "valid", Value: true}}},
		}},
		bson.E{Key: "valid", Value: true},
		bson.E{Key: "repaired", Value: false},
		bson.E{Key: "warnings", Value: bson.A{}},
		bson.E{Key: "errors", Value: bson.A{}},
		bson.E{Key: "extraIndexEntries", Value: bson.A{}},
		bson.E{Key: "missingIndexEntries", Value: bson.A{}},
		bson.E{Key: "corruptRecords", Value: bson.A{}},
	)
}

// mongo7Invalid is the reply of MongoDB 7.0 to validate on a collection with a corrupt index.
func mongo7Invalid(ns string) bson.D {
	return motortest.OK(
		bson.E{Key: "ns", Value: ns},
		bson.E{Key: "nInvalidDocuments", Value: int32(1)},
		bson.E{Key: "nNonCompliantDocuments", Value: int32(0)},
		bson.E{Key: "nrecords", Value: int64(3)},
		bson.E{Key: "nIndexes", Value: int32(1)},
		bson.E{Key: "keysPerIndex", Value: bson.D{{Key: "_id_", Value: int32(2)}}},
		bson.E{Key: "indexDetails", Value: bson.D{{Key: "_id_", Value: bson.D{{Key: "valid", Value: false}}}}},
		bson.E{Key: "valid", Value: false},
		bson.E{Key: "repaired", Value: false},
		bson.E{Key: "warnings", Value: bson.A{"Detected one or more invalid documents. See logs."}},
		bson.E{Key: "errors", Value: bson.A{"Index with name '_id_' has inconsistencies.", "Detected one or more missing index entries."}},
		bson.E{Key: "extraIndexEntries", Value: bson.A{}},
		bson.E{Key: "missingIndexEntries", Value: bson.A{bson.D{{Key: "indexName", Value: "_id_"}}}},
		bson.E{Key: "corruptRecords", Value: bson.A{}},
		bson.E{Key: "advice", Value: "A corrupt namespace has been detected. See http://dochub.mongodb.org/core/data-recovery for recovery steps."},
	)
}

// TestValidateCollectionFake checks the result and error of every reply shape PyMongo handles, on a scripted server.
func TestValidateCollectionFake(t *testing.T) {
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	// validate goes to the primary whatever the database's read preference, as in Motor.
	db := fakeDB(t, f, "shop", motor.WithReadPreference(readpref.SecondaryPreferred()))
	ctx := t.Context()

	var reply bson.D
	f.Handle("validate", func(bson.D) bson.D { return reply })

	tests := []struct {
		desc    string
		reply   bson.D
		want    *motor.ValidationResult // nil: compare nothing
		wantErr string                  // "" for success; the error message otherwise
	}{
		{
			desc:  "MongoDB 7 healthy",
			reply: mongo7Validate("shop.orders"),
			want: &motor.ValidationResult{
				Namespace: "shop.orders", Valid: true, Errors: []string{}, Warnings: []string{},
				NRecords: 3, NIndexes: 2, KeysPerIndex: map[string]int64{"_id_": 3, "x_1": 3},
			},
		},
		{
			desc:  "MongoDB 7 invalid",
			reply: mongo7Invalid("shop.orders"),
			want: &motor.ValidationResult{
				Namespace: "shop.orders", Valid: false, NInvalidDocuments: 1, NRecords: 3, NIndexes: 1,
				KeysPerIndex: map[string]int64{"_id_": 2},
				Warnings:     []string{"Detected one or more invalid documents. See logs."},
				Errors:       []string{"Index with name '_id_' has inconsistencies.", "Detected one or more missing index entries."},
				Advice:       "A corrupt namespace has been detected. See http://dochub.mongodb.org/core/data-recovery for recovery steps.",
			},
			wantErr: `motor: collection "orders" is invalid: Index with name '_id_' has inconsistencies.; Detected one or more missing index entries.`,
		},
		{
			desc:    "no valid field counts as invalid",
			reply:   motortest.OK(bson.E{Key: "ns", Value: "shop.orders"}),
			want:    &motor.ValidationResult{Namespace: "shop.orders"},
			wantErr: `motor: collection "orders" is invalid`,
		},
		{
			desc:  "valid as a number, truthy as PyMongo reads it",
			reply: motortest.OK(bson.E{Key: "ns", Value: "shop.orders"}, bson.E{Key: "valid", Value: int32(1)}),
			want:  &motor.ValidationResult{Namespace: "shop.orders", Valid: true},
		},
		{
			desc:    "valid as a zero number",
			reply:   motortest.OK(bson.E{Key: "ns", Value: "shop.orders"}, bson.E{Key: "valid", Value: 0.0}),
			want:    &motor.ValidationResult{Namespace: "shop.orders"},
			wantErr: `motor: collection "orders" is invalid`,
		},
		{
			desc:    "valid null",
			reply:   motortest.OK(bson.E{Key: "ns", Value: "shop.orders"}, bson.E{Key: "valid", Value: nil}),
			want:    &motor.ValidationResult{Namespace: "shop.orders"},
			wantErr: `motor: collection "orders" is invalid`,
		},
		{
			desc: "sharded, a shard's valid is a number",
			reply: motortest.OK(bson.E{Key: "raw", Value: bson.D{
				{Key: "sh0/h1:27018", Value: motortest.OK(bson.E{Key: "valid", Value: int64(1)})},
			}}),
			want: &motor.ValidationResult{Valid: true, Shards: []motor.ShardValidationResult{
				{Shard: "sh0/h1:27018", ValidationResult: motor.ValidationResult{Valid: true}},
			}},
		},
		{
			desc:  "pre-1.9 result text, fine (valid: false is ignored, as PyMongo does)",
			reply: motortest.OK(bson.E{Key: "ns", Value: "shop.orders"}, bson.E{Key: "result", Value: "validate details: ok"}, bson.E{Key: "valid", Value: false}),
			want:  &motor.ValidationResult{Namespace: "shop.orders", Valid: true, Result: "validate details: ok"},
		},
		{
			desc:    "pre-1.9 result text with exception",
			reply:   motortest.OK(bson.E{Key: "result", Value: "exception: bad record"}, bson.E{Key: "valid", Value: true}),
			want:    &motor.ValidationResult{Result: "exception: bad record"},
			wantErr: `motor: collection "orders" is invalid: exception: bad record`,
		},
		{
			desc:    "pre-1.9 result text with corrupt",
			reply:   motortest.OK(bson.E{Key: "result", Value: "extent 0 corrupt"}),
			want:    &motor.ValidationResult{Result: "extent 0 corrupt"},
			wantErr: `motor: collection "orders" is invalid: extent 0 corrupt`,
		},
		{
			desc: "sharded, all shards valid",
			reply: motortest.OK(
				bson.E{Key: "raw", Value: bson.D{
					{Key: "sh0/h1:27018", Value: mongo7Validate("shop.orders")},
					{Key: "sh1/h2:27018", Value: motortest.OK(bson.E{Key: "result", Value: "fine"})},
				}},
				bson.E{Key: "valid", Value: true},
			),
			want: &motor.ValidationResult{Valid: true, Shards: []motor.ShardValidationResult{
				{Shard: "sh0/h1:27018", ValidationResult: motor.ValidationResult{
					Namespace: "shop.orders", Valid: true, Errors: []string{}, Warnings: []string{},
					NRecords: 3, NIndexes: 2, KeysPerIndex: map[string]int64{"_id_": 3, "x_1": 3},
				}},
				{Shard: "sh1/h2:27018", ValidationResult: motor.ValidationResult{Valid: true, Result: "fine"}},
			}},
		},
		{
			desc: "sharded, one shard invalid (the top-level valid is ignored, as PyMongo does)",
			reply: motortest.OK(
				bson.E{Key: "raw", Value: bson.D{
					{Key: "sh0/h1:27018", Value: mongo7Validate("shop.orders")},
					{Key: "sh1/h2:27018", Value: mongo7Invalid("shop.orders")},
					{Key: "sh2/h3:27018", Value: motortest.OK()},
				}},
				bson.E{Key: "valid", Value: true},
			),
			wantErr: `motor: collection "orders" is invalid: sh1/h2:27018: Index with name '_id_' has inconsistencies.; sh1/h2:27018: Detected one or more missing index entries.; sh2/h3:27018: invalid`,
		},
		{
			desc:    "sharded, a shard's result text is corrupt",
			reply:   motortest.OK(bson.E{Key: "raw", Value: bson.D{{Key: "sh0/h1:27018", Value: motortest.OK(bson.E{Key: "result", Value: "corrupt extent"})}}}),
			wantErr: `motor: collection "orders" is invalid: sh0/h1:27018: corrupt extent`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			reply = tt.reply
			f.Reset()
			res, err := db.ValidateCollection(ctx, "orders", nil)
			diff(t, "command", []bson.D{{{Key: "validate", Value: "orders"}, {Key: "scandata", Value: false}, {Key: "full", Value: false}, {Key: "$db", Value: "shop"}, primaryRP}}, fakeCommands(f))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v\nwant %s", err, tt.wantErr)
				}
				var ve *motor.CollectionValidationError
				if !errors.Is(err, motor.ErrCollectionInvalid) || !errors.As(err, &ve) || ve.Collection != "orders" || res != nil {
					t.Fatalf("err = %#v, res = %v", err, res)
				}
				res = ve.Result
				if res.Valid {
					t.Error("the error's result says valid")
				}
			}
			diff(t, "raw reply", rawDoc(t, tt.reply), res.Raw)
			if tt.want != nil {
				got := *res
				got.Raw = nil
				for i := range got.Shards {
					got.Shards[i].Raw = nil
				}
				diff(t, "result", tt.want, &got)
			}
		})
	}

	// Options reach the server in order; server errors pass through.
	f.Reset()
	reply = motortest.CommandError(26, "NamespaceNotFound", "Collection 'shop.gone' does not exist to validate.")
	yes := true
	_, err := db.ValidateCollection(ctx, "gone", &motor.ValidateCollectionOptions{
		Scandata: true, Full: true, Repair: &yes, CheckBSONConformance: &yes, Extra: bson.D{{Key: "comment", Value: "nightly"}},
	})
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 26 || ce.Name != "NamespaceNotFound" {
		t.Errorf("err = %v", err)
	}
	diff(t, "command with options", []bson.D{{
		{Key: "validate", Value: "gone"}, {Key: "scandata", Value: true}, {Key: "full", Value: true},
		{Key: "repair", Value: true}, {Key: "checkBSONConformance", Value: true}, {Key: "comment", Value: "nightly"},
		{Key: "$db", Value: "shop"}, primaryRP,
	}}, fakeCommands(f))
}
