package motor_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
)

// sonTrace returns a transform that appends tag to the document's "trace" array, creating it.
func sonTrace(tag string) func(bson.D, *motor.Collection) (bson.D, error) {
	return func(doc bson.D, _ *motor.Collection) (bson.D, error) {
		for i, e := range doc {
			if e.Key == "trace" {
				doc[i].Value = append(e.Value.(bson.A), tag)
				return doc, nil
			}
		}
		return append(doc, bson.E{Key: "trace", Value: bson.A{tag}}), nil
	}
}

// sonTraceManip is PyMongo's test manipulator: it traces in both directions.
func sonTraceManip(name string, copying bool) motor.SONManipulator {
	return motor.SONManipulator{Name: name, Incoming: sonTrace(name + "_in"), Outgoing: sonTrace(name + "_out"), Copying: copying}
}

// sonRegister adds PyMongo's live-check set: A, B, copying C, then D (incoming only).
func sonRegister(t testing.TB, db *motor.Database) {
	t.Helper()
	for _, m := range []motor.SONManipulator{
		sonTraceManip("A", false),
		sonTraceManip("B", false),
		sonTraceManip("C", true),
		{Name: "D", Incoming: func(doc bson.D, _ *motor.Collection) (bson.D, error) {
			return append(doc, bson.E{Key: "d", Value: true}), nil
		}},
	} {
		if err := db.AddSONManipulator(m); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSONManipulatorProperties(t *testing.T) {
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database("app")
	empty := []string{}
	diff(t, "empty", [][]string{empty, empty, empty, empty}, [][]string{db.IncomingManipulators(),
		db.IncomingCopyingManipulators(), db.OutgoingManipulators(), db.OutgoingCopyingManipulators()})

	// A manipulator with no transform is registered nowhere, like a bare PyMongo SONManipulator().
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "Bare"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddSONManipulator(motor.SONManipulator{Outgoing: sonTrace("x")}); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("no name: %v", err)
	}
	sonRegister(t, db)
	// In application order. PyMongo lists outgoing ones newest first (["B", "A"]); motor lists them as they run.
	diff(t, "incoming", []string{"D", "B", "A"}, db.IncomingManipulators())
	diff(t, "incoming copying", []string{"C"}, db.IncomingCopyingManipulators())
	diff(t, "outgoing", []string{"A", "B"}, db.OutgoingManipulators())
	diff(t, "outgoing copying", []string{"C"}, db.OutgoingCopyingManipulators())

	// Scope: handles derived from db share them, before or after; a new Client.Database handle has none.
	same := db.WithOptions(motor.WithReadPreference(readpref.Secondary()))
	diff(t, "WithOptions copy", []string{"D", "B", "A"}, same.IncomingManipulators())
	diff(t, "a collection's database", []string{"D", "B", "A"}, same.Collection("x").Database().IncomingManipulators())
	if err := same.AddSONManipulator(sonTraceManip("E", false)); err != nil {
		t.Fatal(err)
	}
	diff(t, "added through the copy", []string{"E", "D", "B", "A"}, db.IncomingManipulators())
	diff(t, "new handle", empty, c.Database("app").IncomingManipulators())
}

// TestSONManipulators runs PyMongo's live check (motor-behaviour.md §17) on the embedded server.
func TestSONManipulators(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t)
	c := db.Client()
	coll := db.Collection("docs") // made before the manipulators: it sees them
	sonRegister(t, db)
	plain := c.Database(db.Name()).Collection("docs") // another handle: no manipulators

	res, err := coll.InsertOne(ctx, bson.D{{Key: "v", Value: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := res.InsertedID
	stored := bson.D{{Key: "_id", Value: id}, {Key: "v", Value: int32(1)}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in"}}}
	var got bson.D
	if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, nil).Decode(&got); err != nil {
		t.Fatal(err)
	}
	diff(t, "stored", stored, got)

	// Read back through the manipulated handle: the outgoing ones run oldest first, the copying one last.
	got = nil
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, nil).Decode(&got); err != nil {
		t.Fatal(err)
	}
	diff(t, "FindOne", bson.D{{Key: "_id", Value: id}, {Key: "v", Value: int32(1)}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in", "A_out", "B_out", "C_out"}}}, got)

	// A document stored without manipulators is unchanged on the way in and traced on the way out, by Find too.
	if _, err := plain.InsertOne(ctx, bson.D{{Key: "_id", Value: "raw"}}, nil); err != nil {
		t.Fatal(err)
	}
	cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: "raw"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var all []bson.D
	if err := cur.All(ctx, &all); err != nil {
		t.Fatal(err)
	}
	diff(t, "Find", []bson.D{{{Key: "_id", Value: "raw"}, {Key: "trace", Value: bson.A{"A_out", "B_out", "C_out"}}}}, all)
	// Raw bytes are the server's.
	raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "raw"}}, nil).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.LookupErr("trace"); err == nil {
		t.Errorf("SingleResult.Raw was manipulated: %v", raw)
	}

	// InsertMany manipulates each document; an _id given is kept.
	many, err := coll.InsertMany(ctx, []bson.D{{{Key: "_id", Value: "m1"}}, {{Key: "n", Value: 2}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(many.InsertedIDs) != 2 || many.InsertedIDs[0] != "m1" {
		t.Fatalf("InsertedIDs = %v", many.InsertedIDs)
	}
	var m1, m2 bson.D
	if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: "m1"}}, nil).Decode(&m1); err != nil {
		t.Fatal(err)
	}
	if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: many.InsertedIDs[1]}}, nil).Decode(&m2); err != nil {
		t.Fatal(err)
	}
	diff(t, "InsertMany first", bson.D{{Key: "_id", Value: "m1"}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in"}}}, m1)
	diff(t, "InsertMany second", bson.D{{Key: "_id", Value: many.InsertedIDs[1]}, {Key: "n", Value: int32(2)}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in"}}}, m2)

	// A replacement is a whole document: the incoming manipulators run on it as on an insert, without an added _id
	// (PyMongo's legacy update with manipulate=True). Updates with operators are never manipulated.
	if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "raw"}}, bson.D{{Key: "r", Value: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: "raw"}}, nil).Decode(&got); err != nil {
		t.Fatal(err)
	}
	diff(t, "replaced", bson.D{{Key: "_id", Value: "raw"}, {Key: "r", Value: int32(1)}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in"}}}, got)
	if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "raw"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "u", Value: 1}}}}, nil); err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: "raw"}}, nil).Decode(&got); err != nil {
		t.Fatal(err)
	}
	diff(t, "updated", bson.D{{Key: "_id", Value: "raw"}, {Key: "r", Value: int32(1)}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in"}}, {Key: "u", Value: int32(1)}}, got)
}

// TestSONManipulatorIDOrder checks that non-copying incoming manipulators run before the _id is added, copying ones
// after, and that each gets the collection.
func TestSONManipulatorIDOrder(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t)
	coll := db.Collection("ids")
	var seen []string
	var mu sync.Mutex
	probe := func(name string) func(bson.D, *motor.Collection) (bson.D, error) {
		return func(doc bson.D, c *motor.Collection) (bson.D, error) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, fmt.Sprintf("%s: _id=%v coll=%s", name, slices.ContainsFunc(doc, func(e bson.E) bool { return e.Key == "_id" }), c.FullName()))
			return doc, nil
		}
	}
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "Copy", Incoming: probe("copying"), Copying: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "Plain", Incoming: probe("plain")}); err != nil {
		t.Fatal(err)
	}
	res, err := coll.InsertOne(ctx, struct {
		V int `bson:"v"`
	}{V: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	full := db.Name() + ".ids"
	diff(t, "calls", []string{"plain: _id=false coll=" + full, "copying: _id=true coll=" + full}, seen)
	var got bson.D
	if err := coll.FindOne(ctx, bson.D{}, nil).Decode(&got); err != nil {
		t.Fatal(err)
	}
	diff(t, "stored, _id first", bson.D{{Key: "_id", Value: res.InsertedID}, {Key: "v", Value: int32(1)}}, got)
}

// TestSONManipulatorDecoding checks the outgoing path: into structs and with codec options, through the database's
// decodeDoc (command cursors, dereference) with the "$cmd" collection, and errors.
func TestSONManipulatorDecoding(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t)
	var colls []string
	var mu sync.Mutex
	err := db.AddSONManipulator(motor.SONManipulator{Name: "Upper", Outgoing: func(doc bson.D, c *motor.Collection) (bson.D, error) {
		mu.Lock()
		colls = append(colls, c.Name())
		mu.Unlock()
		for i, e := range doc {
			if s, ok := e.Value.(string); ok {
				doc[i].Value = s + "!"
			}
		}
		return append(doc, bson.E{Key: "extra", Value: int32(7)}), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	coll := db.Collection("people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"},
		{Key: "sub", Value: bson.D{{Key: "k", Value: "v"}}}}, nil); err != nil {
		t.Fatal(err)
	}
	var person struct {
		ID    int    `bson:"_id"`
		Name  string `bson:"name"`
		Extra int    `bson:"extra"`
	}
	if err := coll.FindOne(ctx, bson.D{}, nil).Decode(&person); err != nil {
		t.Fatal(err)
	}
	if person.Name != "ann!" || person.Extra != 7 {
		t.Errorf("decoded %+v", person)
	}
	// A collection with its own codec options: the transform runs on plain BSON values, the codec after it.
	typed := db.Collection("people", motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	var m bson.D
	if err := typed.FindOne(ctx, bson.D{}, nil).Decode(&m); err != nil {
		t.Fatal(err)
	}
	diff(t, "with DocumentType bson.M", bson.D{{Key: "_id", Value: int32(1)}, {Key: "name", Value: "ann!"},
		{Key: "sub", Value: bson.M{"k": "v"}}, {Key: "extra", Value: int32(7)}}, m)

	// The database-level path: a command cursor's document, with the "$cmd" collection.
	raw, err := bson.Marshal(bson.D{{Key: "name", Value: "people"}})
	if err != nil {
		t.Fatal(err)
	}
	var d bson.D
	if err := motor.DecodeDoc(db, raw, &d); err != nil {
		t.Fatal(err)
	}
	diff(t, "decodeDoc", bson.D{{Key: "name", Value: "people!"}, {Key: "extra", Value: int32(7)}}, d)
	diff(t, "collections", []string{"people", "people", "$cmd"}, colls)

	// Errors fail the operation.
	boom := errors.New("boom")
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "Fail", Outgoing: func(bson.D, *motor.Collection) (bson.D, error) { return nil, boom }}); err != nil {
		t.Fatal(err)
	}
	err = coll.FindOne(ctx, bson.D{}, nil).Decode(&d)
	if !errors.Is(err, boom) || err.Error() != `motor: find `+coll.FullName()+`: outgoing SON manipulator "Fail": boom` {
		t.Errorf("outgoing error: %v", err)
	}
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "FailIn", Incoming: func(bson.D, *motor.Collection) (bson.D, error) { return nil, boom }}); err != nil {
		t.Fatal(err)
	}
	_, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 2}}, nil)
	if !errors.Is(err, boom) || err.Error() != `motor: insert `+coll.FullName()+`: incoming SON manipulator "FailIn": boom` {
		t.Errorf("incoming error: %v", err)
	}
	_, err = coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 3}}, bson.D{{Key: "_id", Value: 4}}}, nil)
	if !errors.Is(err, boom) || err.Error() != `motor: insert `+coll.FullName()+`: incoming SON manipulator "FailIn": boom (document 0)` {
		t.Errorf("incoming error: %v", err)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}, nil); err != nil || n != 1 {
		t.Errorf("documents after failed inserts: %d, %v", n, err)
	}
}

// TestSONManipulatorsConcurrent adds manipulators while other goroutines decode (run with -race).
func TestSONManipulatorsConcurrent(t *testing.T) {
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database("app")
	raw, _ := bson.Marshal(bson.D{{Key: "a", Value: 1}})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 100 {
				var d bson.D
				if err := motor.DecodeDoc(db, raw, &d); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Go(func() {
			if err := db.AddSONManipulator(sonTraceManip(fmt.Sprint("M", i), i%2 == 0)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(db.OutgoingManipulators()) + len(db.OutgoingCopyingManipulators()); n != 4 {
		t.Errorf("%d manipulators registered, want 4", n)
	}
}

func BenchmarkDecodeDoc(b *testing.B) {
	c, err := connectOffline(b, "mongodb://127.0.0.1:1/")
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := bson.Marshal(bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}, {Key: "tags", Value: bson.A{"a", "b"}}})
	for _, n := range []int{0, 1} {
		b.Run(fmt.Sprint(n, " manipulators"), func(b *testing.B) {
			db := c.Database("app")
			for range n {
				_ = db.AddSONManipulator(motor.SONManipulator{Name: "Id", Outgoing: func(d bson.D, _ *motor.Collection) (bson.D, error) { return d, nil }})
			}
			b.ReportAllocs()
			for b.Loop() {
				var d bson.D
				if err := motor.DecodeDoc(db, raw, &d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
