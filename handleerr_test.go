package motor_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Handles that are not operations: they do no I/O and report no error, so a handle with an error answers them as any
// other handle does (Mongo returns nil, WithOptions and Collection carry the error on).
var (
	dbAccessors = []string{
		"Client", "CodecOptions", "Collection", "Err", "IncomingCopyingManipulators", "IncomingManipulators", "Mongo",
		"Name", "OutgoingCopyingManipulators", "OutgoingManipulators", "ReadConcern", "ReadPreference", "String",
		"WithOptions", "WriteConcern",
	}
	collAccessors = []string{
		"CodecOptions", "Database", "Err", "FullName", "Mongo", "Name", "ReadConcern", "ReadPreference", "String",
		"WithOptions", "WriteConcern",
	}
)

// dbOps calls every operation of *motor.Database on db, by method name, with arguments that are otherwise good.
func dbOps(db *motor.Database) map[string]func(context.Context) error {
	ref := motor.DBRef{Collection: "people", ID: 1}
	return map[string]func(context.Context) error{
		"AddSONManipulator": func(context.Context) error {
			return db.AddSONManipulator(motor.SONManipulator{Name: "m", Outgoing: func(d bson.D, _ *motor.Collection) (bson.D, error) { return d, nil }})
		},
		"AddUser": func(ctx context.Context) error { return db.AddUser(ctx, "u", "pw", nil) },
		"Aggregate": func(ctx context.Context) error {
			return second(db.Aggregate(ctx, bson.A{bson.D{{Key: "$documents", Value: bson.A{}}}}, nil))
		},
		"Authenticate":    func(ctx context.Context) error { return db.Authenticate(ctx, "u", "pw", nil) },
		"CollectionNames": func(ctx context.Context) error { return second(db.CollectionNames(ctx, false)) },
		"Command":         func(ctx context.Context) error { return second(db.Command(ctx, "ping", nil)) },
		"CommandCursor": func(ctx context.Context) error {
			return second(db.CommandCursor(ctx, bson.D{{Key: "listCollections", Value: 1}}, nil))
		},
		"CreateCollection": func(ctx context.Context) error { return second(db.CreateCollection(ctx, "posts", nil)) },
		"CurrentOp":        func(ctx context.Context) error { return second(db.CurrentOp(ctx, nil)) },
		"Dereference":      func(ctx context.Context) error { return db.Dereference(ctx, ref, nil).Err() },
		"DereferenceMany": func(ctx context.Context) error {
			return second(db.DereferenceMany(ctx, []motor.DBRef{ref}, &[]bson.D{}, nil))
		},
		"Drop":                func(ctx context.Context) error { return db.Drop(ctx) },
		"DropCollection":      func(ctx context.Context) error { return second(db.DropCollection(ctx, "posts", nil)) },
		"Error":               func(ctx context.Context) error { return second(db.Error(ctx)) },
		"Eval":                func(ctx context.Context) error { return second(db.Eval(ctx, "function() { return 1; }")) },
		"LastStatus":          func(ctx context.Context) error { return second(db.LastStatus(ctx)) },
		"ListCollectionNames": func(ctx context.Context) error { return second(db.ListCollectionNames(ctx, nil)) },
		"ListCollections":     func(ctx context.Context) error { return second(db.ListCollections(ctx, nil)) },
		"Logout":              func(ctx context.Context) error { return db.Logout(ctx) },
		"PreviousError":       func(ctx context.Context) error { return second(db.PreviousError(ctx)) },
		"ProfilingInfo":       func(ctx context.Context) error { return second(db.ProfilingInfo(ctx)) },
		"ProfilingLevel":      func(ctx context.Context) error { return second(db.ProfilingLevel(ctx)) },
		"RemoveUser":          func(ctx context.Context) error { return db.RemoveUser(ctx, "u") },
		"ResetErrorHistory":   func(ctx context.Context) error { return db.ResetErrorHistory(ctx) },
		"SetProfilingLevel":   func(ctx context.Context) error { return db.SetProfilingLevel(ctx, motor.ProfilingOff, nil) },
		"ValidateCollection":  func(ctx context.Context) error { return second(db.ValidateCollection(ctx, "posts", nil)) },
		"Watch":               func(ctx context.Context) error { return second(db.Watch(ctx, nil, nil)) },

		// Functions that take a database.
		"func CommandAs": func(ctx context.Context) error { return second(motor.CommandAs[bson.D](ctx, db, "ping", nil)) },
	}
}

// collOps calls every operation of *motor.Collection on c, by method name, with arguments that are otherwise good.
func collOps(c *motor.Collection) map[string]func(context.Context) error {
	doc := bson.D{{Key: "a", Value: 1}}
	set := bson.D{{Key: "$set", Value: doc}}
	const mapJS, reduceJS = "function() { emit(this.a, 1); }", "function(k, v) { return Array.sum(v); }"
	return map[string]func(context.Context) error{
		"Aggregate":           func(ctx context.Context) error { return second(c.Aggregate(ctx, bson.A{}, nil)) },
		"AggregateRawBatches": func(ctx context.Context) error { return second(c.AggregateRawBatches(ctx, bson.A{}, nil)) },
		"BulkWrite": func(ctx context.Context) error {
			return second(c.BulkWrite(ctx, []motor.WriteModel{motor.InsertOne{Document: doc}}, nil))
		},
		"CountDocuments": func(ctx context.Context) error { return second(c.CountDocuments(ctx, bson.D{}, nil)) },
		"CreateIndex":    func(ctx context.Context) error { return second(c.CreateIndex(ctx, doc, nil)) },
		"CreateIndexes": func(ctx context.Context) error {
			return second(c.CreateIndexes(ctx, []motor.IndexModel{{Keys: doc}}, nil))
		},
		"DeleteMany":             func(ctx context.Context) error { return second(c.DeleteMany(ctx, bson.D{}, nil)) },
		"DeleteOne":              func(ctx context.Context) error { return second(c.DeleteOne(ctx, bson.D{}, nil)) },
		"Distinct":               func(ctx context.Context) error { return second(c.Distinct(ctx, "a", bson.D{}, nil)) },
		"Drop":                   func(ctx context.Context) error { return c.Drop(ctx) },
		"DropIndex":              func(ctx context.Context) error { return c.DropIndex(ctx, "a_1", nil) },
		"DropIndexes":            func(ctx context.Context) error { return c.DropIndexes(ctx, nil) },
		"EstimatedDocumentCount": func(ctx context.Context) error { return second(c.EstimatedDocumentCount(ctx, nil)) },
		"Find":                   func(ctx context.Context) error { return second(c.Find(ctx, bson.D{}, nil)) },
		"FindOne":                func(ctx context.Context) error { return c.FindOne(ctx, bson.D{}, nil).Err() },
		"FindOneAndDelete":       func(ctx context.Context) error { return c.FindOneAndDelete(ctx, bson.D{}, nil).Err() },
		"FindOneAndReplace":      func(ctx context.Context) error { return c.FindOneAndReplace(ctx, bson.D{}, doc, nil).Err() },
		"FindOneAndUpdate":       func(ctx context.Context) error { return c.FindOneAndUpdate(ctx, bson.D{}, set, nil).Err() },
		"FindRawBatches":         func(ctx context.Context) error { return second(c.FindRawBatches(ctx, bson.D{}, nil)) },
		"IndexInformation":       func(ctx context.Context) error { return second(c.IndexInformation(ctx)) },
		"InlineMapReduce":        func(ctx context.Context) error { return second(c.InlineMapReduce(ctx, mapJS, reduceJS, nil)) },
		"InsertMany":             func(ctx context.Context) error { return second(c.InsertMany(ctx, []any{doc}, nil)) },
		"InsertOne":              func(ctx context.Context) error { return second(c.InsertOne(ctx, doc, nil)) },
		"ListIndexes":            func(ctx context.Context) error { return second(c.ListIndexes(ctx)) },
		"MapReduce":              func(ctx context.Context) error { return second(c.MapReduce(ctx, mapJS, reduceJS, "out", nil)) },
		"Options":                func(ctx context.Context) error { return second(c.Options(ctx)) },
		"Reindex":                func(ctx context.Context) error { return second(c.Reindex(ctx, nil)) },
		"Rename":                 func(ctx context.Context) error { return second(c.Rename(ctx, "renamed", nil)) },
		"ReplaceOne":             func(ctx context.Context) error { return second(c.ReplaceOne(ctx, bson.D{}, doc, nil)) },
		"UpdateMany":             func(ctx context.Context) error { return second(c.UpdateMany(ctx, bson.D{}, set, nil)) },
		"UpdateOne":              func(ctx context.Context) error { return second(c.UpdateOne(ctx, bson.D{}, set, nil)) },
		"Watch":                  func(ctx context.Context) error { return second(c.Watch(ctx, nil, nil)) },

		// Functions that take a collection.
		"func DistinctAs": func(ctx context.Context) error { return second(motor.DistinctAs[int](ctx, c, "a", bson.D{}, nil)) },
	}
}

// second returns the error of a call with two results.
func second[T any](_ T, err error) error { return err }

// checkCovers fails the test unless ops and accessors name every exported method of v's type, and no more.
func checkCovers(t *testing.T, v any, ops map[string]func(context.Context) error, accessors []string) {
	t.Helper()
	typ := reflect.TypeOf(v)
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if _, ok := ops[name]; !ok && !slices.Contains(accessors, name) {
			t.Errorf("%v.%s: new method; add it to the operations of TestHandleErr or to the accessors", typ, name)
		}
	}
	for name := range ops {
		if _, ok := typ.MethodByName(name); !ok && !strings.HasPrefix(name, "func ") {
			t.Errorf("%v has no method %s", typ, name)
		}
	}
}

// TestHandleErr checks that a handle made with a bad name or option keeps the error, reports it with Err, and
// that every operation of the handle returns it, wrapped as "motor: <operation> <namespace>: <cause>", without
// sending anything: the test runs against a scripted fake, with a recorder of every command the driver starts.
func TestHandleErr(t *testing.T) {
	f := motortest.NewFake(t)
	rec := motortest.NewRecorder()
	client := fakeClient(t, f, motor.WithClientOptions(options.Client().SetMonitor(rec.Monitor())))
	good := client.Database("blog")
	// sent returns what the driver sent, as the recorder saw it and as the fake received it (the recorder does not
	// see a connection's handshake, such as an authentication); the monitors' hellos are not counted.
	sent := func() []string {
		names := rec.Names()
		for _, n := range fakeNames(f) {
			if !strings.EqualFold(n, "hello") && !strings.EqualFold(n, "isMaster") {
				names = append(names, "fake: "+n)
			}
		}
		rec.Reset()
		f.Reset()
		return names
	}
	j := true
	badOpt := motor.WithWriteConcern(&writeconcern.WriteConcern{W: 0, Journal: &j}) // j with w: 0

	checkCovers(t, good, dbOps(good), dbAccessors)
	checkCovers(t, good.Collection("posts"), collOps(good.Collection("posts")), collAccessors)

	badDB := client.Database("a b")
	tests := []struct {
		desc    string
		db      *motor.Database   // nil: a collection case
		coll    *motor.Collection // nil: a database case
		want    error             // the sentinel
		wantMsg string            // the cause, in every error
	}{
		{desc: "database name", db: badDB, want: motor.ErrInvalidName, wantMsg: `invalid database name "a b"`},
		{desc: "database option", db: good.WithOptions(badOpt), want: motor.ErrInvalidOption, wantMsg: "j=true cannot be combined with w=0"},
		{desc: "database option at Client.Database", db: client.Database("blog", badOpt), want: motor.ErrInvalidOption, wantMsg: "j=true cannot be combined with w=0"},
		{desc: "database name, WithOptions", db: badDB.WithOptions(motor.WithWriteConcern(writeconcern.Majority())), want: motor.ErrInvalidName, wantMsg: `invalid database name "a b"`},
		{desc: "collection of a bad database", coll: badDB.Collection("posts"), want: motor.ErrInvalidName, wantMsg: `invalid database name "a b"`},
		{desc: "collection name", coll: good.Collection("a..b"), want: motor.ErrInvalidName, wantMsg: `invalid collection name "a..b"`},
		{desc: "collection option", coll: good.Collection("posts", badOpt), want: motor.ErrInvalidOption, wantMsg: "j=true cannot be combined with w=0"},
		{desc: "collection option, WithOptions", coll: good.Collection("posts").WithOptions(badOpt), want: motor.ErrInvalidOption, wantMsg: "j=true cannot be combined with w=0"},
		{desc: "collection name, WithOptions", coll: good.Collection("a..b").WithOptions(motor.WithWriteConcern(writeconcern.Majority())), want: motor.ErrInvalidName, wantMsg: `invalid collection name "a..b"`},
	}
	ctx := t.Context()
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var ops map[string]func(context.Context) error
			var handleErr error
			if tt.db != nil {
				ops, handleErr = dbOps(tt.db), tt.db.Err()
				if tt.db.Mongo() != nil {
					t.Error("Mongo() is not nil")
				}
				if err := tt.db.Collection("posts").Err(); err != handleErr {
					t.Errorf("Collection(...).Err() = %v, want the database's error", err)
				}
			} else {
				ops, handleErr = collOps(tt.coll), tt.coll.Err()
				if tt.coll.Mongo() != nil {
					t.Error("Mongo() is not nil")
				}
			}
			if !errors.Is(handleErr, tt.want) || !strings.Contains(handleErr.Error(), tt.wantMsg) {
				t.Fatalf("Err() = %v, want %v containing %q", handleErr, tt.want, tt.wantMsg)
			}
			sent()
			for name, op := range ops {
				err := op(ctx)
				msg := fmtErr(err)
				switch {
				case !errors.Is(err, tt.want):
					t.Errorf("%s: error = %s, want %v", name, msg, tt.want)
				case !strings.HasPrefix(msg, "motor: ") || strings.HasPrefix(msg, "motor: invalid") || strings.Contains(msg, "motor: motor:"):
					t.Errorf("%s: error = %s, want \"motor: <operation> <namespace>: <cause>\"", name, msg)
				case !strings.Contains(msg, ": "+tt.wantMsg):
					t.Errorf("%s: error = %s, want the cause %q", name, msg, tt.wantMsg)
				}
			}
			if names := sent(); len(names) > 0 {
				t.Errorf("sent %v, want nothing", names)
			}
		})
	}

	// The client's own operations on a database it names.
	sent()
	bad := motor.DBRef{Database: "a b", Collection: "people", ID: 1}
	for name, err := range map[string]error{
		"DropDatabase":    client.DropDatabase(ctx, "a b"),
		"Dereference":     client.Dereference(ctx, bad, nil).Err(),
		"DereferenceMany": second(client.DereferenceMany(ctx, []motor.DBRef{bad}, &[]bson.D{}, nil)),
	} {
		if !errors.Is(err, motor.ErrInvalidName) || !strings.Contains(fmtErr(err), `invalid database name "a b"`) {
			t.Errorf("Client.%s: error = %v, want ErrInvalidName", name, err)
		}
	}
	if names := sent(); len(names) > 0 {
		t.Errorf("sent %v, want nothing", names)
	}
}
