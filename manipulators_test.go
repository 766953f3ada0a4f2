package motor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor/motortest"
)

// sonTrace returns a transform that appends tag to the document's "trace" array, creating it.
func sonTrace(tag string) func(bson.D, *Collection) (bson.D, error) {
	return func(doc bson.D, _ *Collection) (bson.D, error) {
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
func sonTraceManip(name string, copying bool) SONManipulator {
	return SONManipulator{Name: name, Incoming: sonTrace(name + "_in"), Outgoing: sonTrace(name + "_out"), Copying: copying}
}

// sonDB returns a database on the test server, with a name unique to the test, dropped at the end.
func sonDB(t testing.TB) (*Client, *Database) {
	t.Helper()
	c, err := Connect(motortest.URI(t))
	if err != nil {
		t.Fatal(err)
	}
	db := depDB(t, c, motortest.DBName(t))
	t.Cleanup(func() {
		_ = db.Mongo().Drop(context.Background())
		_ = c.Disconnect(context.Background())
	})
	return c, db
}

// sonRegister adds PyMongo's live-check set: A, B, copying C, then D (incoming only).
func sonRegister(t testing.TB, db *Database) {
	t.Helper()
	for _, m := range []SONManipulator{
		sonTraceManip("A", false),
		sonTraceManip("B", false),
		sonTraceManip("C", true),
		{Name: "D", Incoming: func(doc bson.D, _ *Collection) (bson.D, error) {
			return append(doc, bson.E{Key: "d", Value: true}), nil
		}},
	} {
		if err := db.AddSONManipulator(m); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSONManipulatorProperties(t *testing.T) {
	c, err := Connect("mongodb://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	db := depDB(t, c, "app")
	empty := []string{}
	depDiff(t, "empty", [][]string{empty, empty, empty, empty}, [][]string{db.IncomingManipulators(),
		db.IncomingCopyingManipulators(), db.OutgoingManipulators(), db.OutgoingCopyingManipulators()})

	// A manipulator with no transform is registered nowhere, like a bare PyMongo SONManipulator().
	if err := db.AddSONManipulator(SONManipulator{Name: "Bare"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddSONManipulator(SONManipulator{Outgoing: sonTrace("x")}); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("no name: %v", err)
	}
	sonRegister(t, db)
	// In application order. PyMongo lists outgoing ones newest first (["B", "A"]); motor lists them as they run.
	depDiff(t, "incoming", []string{"D", "B", "A"}, db.IncomingManipulators())
	depDiff(t, "incoming copying", []string{"C"}, db.IncomingCopyingManipulators())
	depDiff(t, "outgoing", []string{"A", "B"}, db.OutgoingManipulators())
	depDiff(t, "outgoing copying", []string{"C"}, db.OutgoingCopyingManipulators())

	// Scope: handles derived from db share them, before or after; a new Client.Database handle has none.
	same, err := db.WithOptions(WithReadPreference(readpref.Secondary()))
	if err != nil {
		t.Fatal(err)
	}
	depDiff(t, "WithOptions copy", []string{"D", "B", "A"}, same.IncomingManipulators())
	depDiff(t, "a collection's database", []string{"D", "B", "A"}, depColl(t, same, "x").Database().IncomingManipulators())
	if err := same.AddSONManipulator(sonTraceManip("E", false)); err != nil {
		t.Fatal(err)
	}
	depDiff(t, "added through the copy", []string{"E", "D", "B", "A"}, db.IncomingManipulators())
	depDiff(t, "new handle", empty, depDB(t, c, "app").IncomingManipulators())
}

// TestSONManipulators runs PyMongo's live check (motor-behaviour.md §17) on the embedded server.
func TestSONManipulators(t *testing.T) {
	ctx := depCtx(t)
	c, db := sonDB(t)
	coll := depColl(t, db, "docs") // made before the manipulators: it sees them
	sonRegister(t, db)
	plain := depColl(t, depDB(t, c, db.Name()), "docs") // another handle: no manipulators

	res, err := coll.InsertOne(ctx, bson.D{{Key: "v", Value: 1}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.InsertedID
	stored := bson.D{{Key: "_id", Value: id}, {Key: "v", Value: int32(1)}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in"}}}
	var got bson.D
	if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	depDiff(t, "stored", stored, got)

	// Read back through the manipulated handle: the outgoing ones run oldest first, the copying one last.
	got = nil
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	depDiff(t, "FindOne", bson.D{{Key: "_id", Value: id}, {Key: "v", Value: int32(1)}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in", "A_out", "B_out", "C_out"}}}, got)

	// A document stored without manipulators is unchanged on the way in and traced on the way out, by Find too.
	if _, err := plain.InsertOne(ctx, bson.D{{Key: "_id", Value: "raw"}}); err != nil {
		t.Fatal(err)
	}
	cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: "raw"}})
	if err != nil {
		t.Fatal(err)
	}
	var all []bson.D
	if err := cur.All(ctx, &all); err != nil {
		t.Fatal(err)
	}
	depDiff(t, "Find", []bson.D{{{Key: "_id", Value: "raw"}, {Key: "trace", Value: bson.A{"A_out", "B_out", "C_out"}}}}, all)
	// Raw bytes are the server's.
	raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "raw"}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.LookupErr("trace"); err == nil {
		t.Errorf("SingleResult.Raw was manipulated: %v", raw)
	}

	// InsertMany manipulates each document; an _id given is kept.
	many, err := coll.InsertMany(ctx, []bson.D{{{Key: "_id", Value: "m1"}}, {{Key: "n", Value: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(many.InsertedIDs) != 2 || many.InsertedIDs[0] != "m1" {
		t.Fatalf("InsertedIDs = %v", many.InsertedIDs)
	}
	var m1, m2 bson.D
	if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: "m1"}}).Decode(&m1); err != nil {
		t.Fatal(err)
	}
	if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: many.InsertedIDs[1]}}).Decode(&m2); err != nil {
		t.Fatal(err)
	}
	depDiff(t, "InsertMany first", bson.D{{Key: "_id", Value: "m1"}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in"}}}, m1)
	depDiff(t, "InsertMany second", bson.D{{Key: "_id", Value: many.InsertedIDs[1]}, {Key: "n", Value: int32(2)}, {Key: "d", Value: true},
		{Key: "trace", Value: bson.A{"B_in", "A_in", "C_in"}}}, m2)

	// Updates are never manipulated (PyMongo's update_one neither).
	if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: "raw"}}, bson.D{{Key: "r", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: "raw"}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	depDiff(t, "replaced", bson.D{{Key: "_id", Value: "raw"}, {Key: "r", Value: int32(1)}}, got)
}

// TestSONManipulatorIDOrder checks that non-copying incoming manipulators run before the _id is added, copying ones
// after, and that each gets the collection.
func TestSONManipulatorIDOrder(t *testing.T) {
	ctx := depCtx(t)
	_, db := sonDB(t)
	coll := depColl(t, db, "ids")
	var seen []string
	var mu sync.Mutex
	probe := func(name string) func(bson.D, *Collection) (bson.D, error) {
		return func(doc bson.D, c *Collection) (bson.D, error) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, fmt.Sprintf("%s: _id=%v coll=%s", name, slices.ContainsFunc(doc, func(e bson.E) bool { return e.Key == "_id" }), c.FullName()))
			return doc, nil
		}
	}
	if err := db.AddSONManipulator(SONManipulator{Name: "Copy", Incoming: probe("copying"), Copying: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddSONManipulator(SONManipulator{Name: "Plain", Incoming: probe("plain")}); err != nil {
		t.Fatal(err)
	}
	res, err := coll.InsertOne(ctx, struct {
		V int `bson:"v"`
	}{V: 1})
	if err != nil {
		t.Fatal(err)
	}
	full := db.Name() + ".ids"
	depDiff(t, "calls", []string{"plain: _id=false coll=" + full, "copying: _id=true coll=" + full}, seen)
	var got bson.D
	if err := coll.FindOne(ctx, bson.D{}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	depDiff(t, "stored, _id first", bson.D{{Key: "_id", Value: res.InsertedID}, {Key: "v", Value: int32(1)}}, got)
}

// TestSONManipulatorDecoding checks the outgoing path: into structs and with codec options, through the database's
// decodeDoc (command cursors, dereference) with the "$cmd" collection, and errors.
func TestSONManipulatorDecoding(t *testing.T) {
	ctx := depCtx(t)
	_, db := sonDB(t)
	var colls []string
	var mu sync.Mutex
	err := db.AddSONManipulator(SONManipulator{Name: "Upper", Outgoing: func(doc bson.D, c *Collection) (bson.D, error) {
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
	coll := depColl(t, db, "people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"},
		{Key: "sub", Value: bson.D{{Key: "k", Value: "v"}}}}); err != nil {
		t.Fatal(err)
	}
	var person struct {
		ID    int    `bson:"_id"`
		Name  string `bson:"name"`
		Extra int    `bson:"extra"`
	}
	if err := coll.FindOne(ctx, bson.D{}).Decode(&person); err != nil {
		t.Fatal(err)
	}
	if person.Name != "ann!" || person.Extra != 7 {
		t.Errorf("decoded %+v", person)
	}
	// A collection with its own codec options: the transform runs on plain BSON values, the codec after it.
	typed, err := db.Collection("people", WithCodecOptions(CodecOptions{DocumentType: tM}))
	if err != nil {
		t.Fatal(err)
	}
	var m bson.D
	if err := typed.FindOne(ctx, bson.D{}).Decode(&m); err != nil {
		t.Fatal(err)
	}
	depDiff(t, "with DocumentType bson.M", bson.D{{Key: "_id", Value: int32(1)}, {Key: "name", Value: "ann!"},
		{Key: "sub", Value: bson.M{"k": "v"}}, {Key: "extra", Value: int32(7)}}, m)

	// The database-level path: a command cursor's document, with the "$cmd" collection.
	raw, err := bson.Marshal(bson.D{{Key: "name", Value: "people"}})
	if err != nil {
		t.Fatal(err)
	}
	var d bson.D
	if err := db.decodeFrom(nil, db.set.codec, raw, &d); err != nil {
		t.Fatal(err)
	}
	depDiff(t, "decodeDoc", bson.D{{Key: "name", Value: "people!"}, {Key: "extra", Value: int32(7)}}, d)
	depDiff(t, "collections", []string{"people", "people", "$cmd"}, colls)

	// Errors fail the operation.
	boom := errors.New("boom")
	if err := db.AddSONManipulator(SONManipulator{Name: "Fail", Outgoing: func(bson.D, *Collection) (bson.D, error) { return nil, boom }}); err != nil {
		t.Fatal(err)
	}
	err = coll.FindOne(ctx, bson.D{}).Decode(&d)
	if !errors.Is(err, boom) || err.Error() != `motor: find `+coll.FullName()+`: outgoing SON manipulator "Fail": boom` {
		t.Errorf("outgoing error: %v", err)
	}
	if err := db.AddSONManipulator(SONManipulator{Name: "FailIn", Incoming: func(bson.D, *Collection) (bson.D, error) { return nil, boom }}); err != nil {
		t.Fatal(err)
	}
	_, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 2}})
	if !errors.Is(err, boom) || err.Error() != `motor: insert `+coll.FullName()+`: incoming SON manipulator "FailIn": boom` {
		t.Errorf("incoming error: %v", err)
	}
	_, err = coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 3}}, bson.D{{Key: "_id", Value: 4}}})
	if !errors.Is(err, boom) || err.Error() != `motor: insert `+coll.FullName()+`: incoming SON manipulator "FailIn": boom (document 0)` {
		t.Errorf("incoming error: %v", err)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Errorf("documents after failed inserts: %d, %v", n, err)
	}
}

// TestSONManipulatorsConcurrent adds manipulators while other goroutines decode (run with -race).
func TestSONManipulatorsConcurrent(t *testing.T) {
	c, err := Connect("mongodb://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	db := depDB(t, c, "app")
	raw, _ := bson.Marshal(bson.D{{Key: "a", Value: 1}})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 100 {
				var d bson.D
				if err := db.decodeFrom(nil, db.set.codec, raw, &d); err != nil {
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
	c, err := Connect("mongodb://127.0.0.1:1/")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	raw, _ := bson.Marshal(bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}, {Key: "tags", Value: bson.A{"a", "b"}}})
	for _, n := range []int{0, 1} {
		b.Run(fmt.Sprint(n, " manipulators"), func(b *testing.B) {
			db := depDB(b, c, "app")
			for range n {
				_ = db.AddSONManipulator(SONManipulator{Name: "Id", Outgoing: func(d bson.D, _ *Collection) (bson.D, error) { return d, nil }})
			}
			b.ReportAllocs()
			for b.Loop() {
				var d bson.D
				if err := db.decodeFrom(nil, db.set.codec, raw, &d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
