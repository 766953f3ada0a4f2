package motor_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
)

// TestBadInput hands the API what a user might get wrong and checks that each call returns a specific error, with
// the sentinel it documents, never panics, and sends nothing: the input alone is wrong.
func TestBadInput(t *testing.T) {
	db, rec := newDB(t)
	ctx := t.Context()
	coll := db.Collection("c")
	client := db.Client()
	var nilCtx context.Context
	invalid := motor.ErrInvalidOption
	name := motor.ErrInvalidName
	too := motor.ErrDocumentTooLarge
	big := bson.D{{Key: "s", Value: strings.Repeat("x", 17<<20)}}
	neg, nan, over := -1, math.NaN(), 1.5
	second := func(_ any, err error) error { return err }

	tests := []struct {
		desc string
		want error // the sentinel the error wraps
		call func() error
	}{
		// Names.
		{"empty database name", name, func() error { return client.Database("").Err() }},
		{"database name with a dot", name, func() error { return client.Database("a.b").Err() }},
		{"database name with $", name, func() error { return client.Database("a$b").Err() }},
		{"database name with a space", name, func() error { return client.Database("a b").Err() }},
		{"database name with a slash", name, func() error { return client.Database("a/b").Err() }},
		{"database name with a backslash", name, func() error { return client.Database(`a\b`).Err() }},
		{"database name with a quote", name, func() error { return client.Database(`a"b`).Err() }},
		{"database name with NUL", name, func() error { return client.Database("a\x00b").Err() }},
		{"database name not UTF-8", name, func() error { return client.Database("a\xffb").Err() }},
		{"empty collection name", name, func() error { return db.Collection("").Err() }},
		{"collection name with ..", name, func() error { return db.Collection("a..b").Err() }},
		{"collection name starting with .", name, func() error { return db.Collection(".a").Err() }},
		{"collection name ending with .", name, func() error { return db.Collection("a.").Err() }},
		{"collection name with $", name, func() error { return db.Collection("a$b").Err() }},
		{"collection name with NUL", name, func() error { return db.Collection("a\x00b").Err() }},
		{"create collection a..b", name, func() error { return second(db.CreateCollection(ctx, "a..b", nil)) }},
		{"drop collection \"\"", name, func() error { return second(db.DropCollection(ctx, "", nil)) }},
		{"validate collection $x", name, func() error { return second(db.ValidateCollection(ctx, "$x", nil)) }},

		// Profiling levels.
		{"profiling level 3", invalid, func() error { return db.SetProfilingLevel(ctx, 3, nil) }},
		{"profiling level -1", invalid, func() error { return db.SetProfilingLevel(ctx, -1, nil) }},
		{"sample rate 1.5", invalid, func() error {
			return db.SetProfilingLevel(ctx, motor.ProfilingAll, &motor.SetProfilingLevelOptions{SampleRate: &over})
		}},
		{"sample rate NaN", invalid, func() error {
			return db.SetProfilingLevel(ctx, motor.ProfilingAll, &motor.SetProfilingLevelOptions{SampleRate: &nan})
		}},

		// DBRefs.
		{"DBRef without a collection", name, func() error { return db.Dereference(ctx, motor.DBRef{ID: 1}, nil).Err() }},
		{"DBRef to another database", invalid, func() error {
			return db.Dereference(ctx, motor.DBRef{Collection: "c", ID: 1, Database: "other"}, nil).Err()
		}},
		{"DBRef without a database on a Client", invalid, func() error {
			return client.Dereference(ctx, motor.DBRef{Collection: "c", ID: 1}, nil).Err()
		}},
		{"DBRef with a bad database name", name, func() error {
			return client.Dereference(ctx, motor.DBRef{Collection: "c", ID: 1, Database: "a.b"}, nil).Err()
		}},
		{"DBRef Extra with $id", invalid, func() error {
			return second(bson.Marshal(motor.DBRef{Collection: "c", ID: 1, Extra: bson.D{{Key: "$id", Value: 2}}}))
		}},
		{"DereferenceMany into a non-pointer", invalid, func() error {
			return second(db.DereferenceMany(ctx, []motor.DBRef{{Collection: "c", ID: 1}}, []bson.D{}, nil))
		}},
		{"DereferenceMany into nil", invalid, func() error {
			return second(db.DereferenceMany(ctx, []motor.DBRef{{Collection: "c", ID: 1}}, nil, nil))
		}},
		{"DereferenceMany with a limit", invalid, func() error {
			var out []bson.D
			return second(db.DereferenceMany(ctx, []motor.DBRef{{Collection: "c", ID: 1}}, &out, &motor.FindOptions{Limit: 1}))
		}},
		{"DereferenceMany without _id", invalid, func() error {
			var out []bson.D
			return second(db.DereferenceMany(ctx, []motor.DBRef{{Collection: "c", ID: 1}}, &out,
				&motor.FindOptions{Projection: bson.D{{Key: "_id", Value: 0}}}))
		}},

		// Commands.
		{"a multi-key map as a command", invalid, func() error { return second(db.Command(ctx, bson.M{"a": 1, "b": 2}, nil)) }},
		{"a map with int keys as a command", invalid, func() error { return second(db.Command(ctx, map[int]int{1: 1}, nil)) }},
		{"a number as a command", invalid, func() error { return second(db.Command(ctx, 5, nil)) }},
		{"a nil command", invalid, func() error { return second(db.Command(ctx, nil, nil)) }},
		{"an empty command name", invalid, func() error { return second(db.Command(ctx, "", nil)) }},
		{"an empty command document", invalid, func() error { return second(db.Command(ctx, bson.D{}, nil)) }},
		{"malformed bson.Raw", invalid, func() error { return second(db.Command(ctx, bson.Raw{5, 0, 0}, nil)) }},
		{"Value with a document", invalid, func() error {
			return second(db.Command(ctx, bson.D{{Key: "ping", Value: 1}}, &motor.CommandOptions{Value: 2}))
		}},
		{"Extra repeats the verb", invalid, func() error {
			return second(db.Command(ctx, "count", &motor.CommandOptions{Value: "c", Extra: bson.D{{Key: "count", Value: "d"}}}))
		}},
		{"CommandAs on a nil database", invalid, func() error { return second(motor.CommandAs[bson.D](ctx, nil, "ping", nil)) }},
		{"negative getMore batch size", invalid, func() error {
			return second(db.CommandCursor(ctx, "find", &motor.CommandCursorOptions{Value: "c", BatchSize: -1}))
		}},
		{"negative MaxAwaitTime", invalid, func() error {
			return second(db.CommandCursor(ctx, "find", &motor.CommandCursorOptions{Value: "c", MaxAwaitTime: -time.Second}))
		}},

		// Nil, wrong and oversized documents.
		{"insert nil", invalid, func() error { return second(coll.InsertOne(ctx, nil, nil)) }},
		{"insert a number", invalid, func() error { return second(coll.InsertOne(ctx, 42, nil)) }},
		{"insert a string", invalid, func() error { return second(coll.InsertOne(ctx, "doc", nil)) }},
		{"insert 17 MiB", too, func() error { return second(coll.InsertOne(ctx, big, nil)) }},
		{"insert many with 17 MiB", too, func() error { return second(coll.InsertMany(ctx, []any{bson.D{}, big}, nil)) }},
		{"replace with 17 MiB", too, func() error { return second(coll.ReplaceOne(ctx, bson.D{}, big, nil)) }},
		{"find with a number filter", invalid, func() error { return second(coll.Find(ctx, 42, nil)) }},
		{"update with a nil update", invalid, func() error { return second(coll.UpdateOne(ctx, bson.D{}, nil, nil)) }},
		{"listCollections filter 42", invalid, func() error {
			return second(db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{Filter: 42}))
		}},

		// Wrong types and unknown options.
		{"validator not a document", invalid, func() error {
			return second(db.CreateCollection(ctx, "v", &motor.CreateCollectionOptions{Validator: "x"}))
		}},
		{"pipeline not an array", invalid, func() error {
			return second(db.CreateCollection(ctx, "v", &motor.CreateCollectionOptions{ViewOn: "c", Pipeline: bson.D{}}))
		}},
		{"negative capped size", invalid, func() error {
			return second(db.CreateCollection(ctx, "v", &motor.CreateCollectionOptions{Capped: true, Size: -1}))
		}},
		{"timeseries without timeField", invalid, func() error {
			return second(db.CreateCollection(ctx, "v", &motor.CreateCollectionOptions{Timeseries: &motor.TimeseriesOptions{}}))
		}},
		{"Extra repeats a typed field", invalid, func() error {
			return second(db.CreateCollection(ctx, "v", &motor.CreateCollectionOptions{Extra: bson.D{{Key: "capped", Value: true}}}))
		}},
		{"negative listCollections batch size", invalid, func() error {
			return second(db.ListCollections(ctx, &motor.ListCollectionsOptions{BatchSize: -1}))
		}},
		{"validate Extra repeats full", invalid, func() error {
			return second(db.ValidateCollection(ctx, "c", &motor.ValidateCollectionOptions{Extra: bson.D{{Key: "full", Value: true}}}))
		}},
		{"negative w", invalid, func() error {
			return db.WithOptions(motor.WithWriteConcern(&writeconcern.WriteConcern{W: neg})).Err()
		}},
		{"j with w 0", invalid, func() error {
			j := true
			return db.WithOptions(motor.WithWriteConcern(&writeconcern.WriteConcern{W: 0, Journal: &j})).Err()
		}},
		{"TZInfo without TZAware", invalid, func() error {
			return db.WithOptions(motor.WithCodecOptions(motor.CodecOptions{TZInfo: time.UTC})).Err()
		}},
		{"DocumentType int", invalid, func() error {
			return db.WithOptions(motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(0)})).Err()
		}},
		{"unknown UUID representation", invalid, func() error {
			return db.WithOptions(motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: 42})).Err()
		}},
		{"unknown unicode handler", invalid, func() error {
			return db.WithOptions(motor.WithCodecOptions(motor.CodecOptions{UnicodeDecodeErrorHandler: 9})).Err()
		}},
		{"a type codec without a type", invalid, func() error { return second(motor.NewTypeRegistry(motor.TypeCodec{})) }},
		{"client options on a database", invalid, func() error {
			return client.Database("x", motor.WithClientOptions(options.Client())).Err()
		}},
		{"NewClient(nil)", invalid, func() error { return second(motor.NewClient(nil)) }},
		{"unknown auth mechanism", invalid, func() error {
			return db.Authenticate(ctx, "u", "p", &motor.AuthenticateOptions{Mechanism: "NOPE"})
		}},
		{"MONGODB-CR", invalid, func() error {
			return db.Authenticate(ctx, "u", "p", &motor.AuthenticateOptions{Mechanism: "MONGODB-CR"})
		}},
		{"unknown authenticate option", invalid, func() error {
			return db.Authenticate(ctx, "u", "p", &motor.AuthenticateOptions{Extra: bson.D{{Key: "x", Value: 1}}})
		}},
		{"add user without a name", invalid, func() error { return db.AddUser(ctx, "", "p", nil) }},
		{"add user with pwd in Extra", invalid, func() error {
			return db.AddUser(ctx, "u", "p", &motor.AddUserOptions{Extra: bson.D{{Key: "pwd", Value: "x"}}})
		}},
		{"remove user without a name", invalid, func() error { return db.RemoveUser(ctx, "") }},
		{"eval of a number", invalid, func() error { return second(db.Eval(ctx, 42)) }},
		{"a bad connection string", invalid, func() error { return second(motor.Connect("mongodb://a:b:c:d/")) }},

		// A nil context.
		{"nil context: command", invalid, func() error { return second(db.Command(nilCtx, "ping", nil)) }},
		{"nil context: find", invalid, func() error { return second(coll.Find(nilCtx, bson.D{}, nil)) }},
		{"nil context: insert", invalid, func() error { return second(coll.InsertOne(nilCtx, bson.D{}, nil)) }},
		{"nil context: dereference many", invalid, func() error {
			var out []bson.D
			return second(db.DereferenceMany(nilCtx, nil, &out, nil))
		}},
	}

	// Invalid UTF-8 under each decode handler: strict refuses it, the others repair it.
	bad := bson.Raw(bsonBytes(t, "s", "a\xffb"))
	for _, h := range []motor.UnicodeErrorHandler{motor.UnicodeStrict, motor.UnicodeReplace, motor.UnicodeIgnore, motor.UnicodeBackslashReplace} {
		var d bson.D
		err := motor.CodecOptions{UnicodeDecodeErrorHandler: h}.Decode(bad, &d)
		if (err != nil) != (h == motor.UnicodeStrict) {
			t.Errorf("invalid UTF-8 under %v: %v, %v", h, d, err)
		}
	}

	run := func(desc string, want error, call func() error) {
		t.Helper()
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s: panic: %v", desc, r)
			}
		}()
		err := call()
		switch {
		case err == nil:
			t.Errorf("%s: no error", desc)
		case !errorsIs(err, want):
			t.Errorf("%s: %v, want it to wrap %v", desc, err, want)
		case !strings.HasPrefix(err.Error(), "motor: "):
			t.Errorf("%s: %q does not start with motor:", desc, err)
		}
	}
	for _, tc := range tests {
		run(tc.desc, tc.want, tc.call)
	}
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("bad input sent %v", names)
	}

	// A closed cursor and a closed client.
	cur, err := coll.Find(ctx, bson.D{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if cur.Next(ctx) {
		t.Error("Next on a closed cursor returned a document")
	}
	var d bson.D
	run("decode on a closed cursor", nil, func() error { return cur.Decode(&d) })
	other, _ := newClient(t)
	if err := other.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	odb := other.Database("x")
	run("command on a closed client", motor.ErrClientDisconnected, func() error { return second(odb.Command(ctx, "ping", nil)) })
	run("insert on a closed client", motor.ErrClientDisconnected, func() error {
		return second(odb.Collection("c").InsertOne(ctx, bson.D{}, nil))
	})
	t.Logf("%d bad inputs refused, plus 4 unicode handlers, a closed cursor and a closed client", len(tests))
	if len(tests) < 50 {
		t.Errorf("only %d bad inputs", len(tests))
	}
}

// errorsIs is errors.Is, where a nil target means any error.
func errorsIs(err, target error) bool {
	return target == nil || errors.Is(err, target)
}

// bsonBytes is the document {key: value} with value's bytes as they are, valid UTF-8 or not.
func bsonBytes(t testing.TB, key, value string) []byte {
	t.Helper()
	doc := []byte{0, 0, 0, 0, 0x02}
	doc = append(doc, key...)
	doc = append(doc, 0)
	n := len(value) + 1
	doc = append(doc, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	doc = append(doc, value...)
	doc = append(doc, 0, 0)
	l := len(doc)
	doc[0], doc[1], doc[2], doc[3] = byte(l), byte(l>>8), byte(l>>16), byte(l>>24)
	return doc
}
