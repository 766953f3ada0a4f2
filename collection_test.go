package motor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
)

// kv makes one element of a bson.D.
func kv(key string, value any) bson.E { return bson.E{Key: key, Value: value} }

// TestCollectionCRUD runs every Collection operation and checks the exact commands sent and the results.
func TestCollectionCRUD(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	coll := db.Collection("crud")
	dbn := db.Name()

	one, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "x", Value: 1}}, nil)
	if err != nil || one.InsertedID != int32(1) {
		t.Fatalf("InsertOne = %+v, %v", one, err)
	}
	many, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 2}, {Key: "x", Value: 2}}, bson.D{{Key: "_id", Value: 3}, {Key: "x", Value: 3}}}, nil)
	if err != nil || len(many.InsertedIDs) != 2 {
		t.Fatalf("InsertMany = %+v, %v", many, err)
	}
	n, err := coll.CountDocuments(ctx, bson.D{{Key: "x", Value: bson.D{{Key: "$gte", Value: 2}}}}, nil)
	if err != nil || n != 2 {
		t.Fatalf("CountDocuments = %d, %v", n, err)
	}
	upd, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "$set", Value: bson.D{{Key: "y", Value: 1}}}}, nil)
	if err != nil || upd.MatchedCount != 1 || upd.ModifiedCount != 1 {
		t.Fatalf("UpdateOne = %+v, %v", upd, err)
	}
	upd, err = coll.UpdateMany(ctx, bson.D{}, bson.D{{Key: "$inc", Value: bson.D{{Key: "x", Value: 10}}}}, nil)
	if err != nil || upd.MatchedCount != 3 {
		t.Fatalf("UpdateMany = %+v, %v", upd, err)
	}
	upd, err = coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: 2}}, bson.D{{Key: "z", Value: true}}, nil)
	if err != nil || upd.ModifiedCount != 1 {
		t.Fatalf("ReplaceOne = %+v, %v", upd, err)
	}
	var got bson.D
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: 2}}, nil).Decode(&got); err != nil {
		t.Fatal(err)
	}
	diff(t, "replaced", bson.D{{Key: "_id", Value: int32(2)}, {Key: "z", Value: true}}, got)

	cur, err := coll.Find(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	var all []bson.M
	if err := cur.All(ctx, &all); err != nil {
		t.Fatal(err)
	}
	diff(t, "Find", []bson.M{
		{"_id": int32(1), "x": int32(11), "y": int32(1)},
		{"_id": int32(2), "z": true},
		{"_id": int32(3), "x": int32(13)},
	}, all)

	del, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil)
	if err != nil || del.DeletedCount != 1 {
		t.Fatalf("DeleteOne = %+v, %v", del, err)
	}
	del, err = coll.DeleteMany(ctx, bson.D{}, nil)
	if err != nil || del.DeletedCount != 2 {
		t.Fatalf("DeleteMany = %+v, %v", del, err)
	}
	if err := coll.FindOne(ctx, bson.D{}, nil).Err(); !errors.Is(err, mongo.ErrNoDocuments) {
		t.Errorf("FindOne on empty = %v", err)
	}
	if err := coll.Drop(ctx); err != nil {
		t.Fatal(err)
	}

	want := []bson.D{
		{kv("insert", "crud"), kv("ordered", true), kv("$db", dbn), kv("documents", bson.A{bson.D{kv("_id", int32(1)), kv("x", int32(1))}})},
		{kv("insert", "crud"), kv("ordered", true), kv("$db", dbn), kv("documents", bson.A{bson.D{kv("_id", int32(2)), kv("x", int32(2))}, bson.D{kv("_id", int32(3)), kv("x", int32(3))}})},
		{kv("aggregate", "crud"), kv("pipeline", bson.A{bson.D{kv("$match", bson.D{kv("x", bson.D{kv("$gte", int32(2))})})}, bson.D{kv("$group", bson.D{kv("_id", int32(1)), kv("n", bson.D{kv("$sum", int32(1))})})}}), kv("cursor", bson.D{}), kv("$db", dbn)},
		{kv("update", "crud"), kv("ordered", true), kv("$db", dbn), kv("updates", bson.A{bson.D{kv("q", bson.D{kv("_id", int32(1))}), kv("u", bson.D{kv("$set", bson.D{kv("y", int32(1))})})}})},
		{kv("update", "crud"), kv("ordered", true), kv("$db", dbn), kv("updates", bson.A{bson.D{kv("q", bson.D{}), kv("u", bson.D{kv("$inc", bson.D{kv("x", int32(10))})}), kv("multi", true)}})},
		{kv("update", "crud"), kv("ordered", true), kv("$db", dbn), kv("updates", bson.A{bson.D{kv("q", bson.D{kv("_id", int32(2))}), kv("u", bson.D{kv("z", true)})}})},
		{kv("find", "crud"), kv("filter", bson.D{kv("_id", int32(2))}), kv("limit", int32(1)), kv("singleBatch", true), kv("$db", dbn)},
		{kv("find", "crud"), kv("filter", bson.D{}), kv("sort", bson.D{kv("_id", int32(1))}), kv("batchSize", int32(2)), kv("$db", dbn)},
	}
	got2 := rec.Commands("insert", "aggregate", "update", "find", "delete", "drop")
	if len(got2) < len(want) {
		t.Fatalf("recorded %d commands: %v", len(got2), rec.Names())
	}
	diff(t, "commands", want, got2[:len(want)])
	rest := got2[len(want):]
	// A getMore follows when the server kept the cursor open (FerretDB returns it in one batch).
	if len(rest) > 0 && rest[0][0].Key == "getMore" {
		rest = rest[1:]
	}
	diff(t, "write commands", []bson.D{
		{kv("delete", "crud"), kv("ordered", true), kv("$db", dbn), kv("deletes", bson.A{bson.D{kv("q", bson.D{kv("_id", int32(1))}), kv("limit", int32(1))}})},
		{kv("delete", "crud"), kv("ordered", true), kv("$db", dbn), kv("deletes", bson.A{bson.D{kv("q", bson.D{}), kv("limit", int32(0))}})},
		{kv("find", "crud"), kv("filter", bson.D{}), kv("limit", int32(1)), kv("singleBatch", true), kv("$db", dbn)},
		{kv("drop", "crud"), kv("$db", dbn)},
	}, rest)
}

// TestBadDocumentErrors checks that a value that is not a document is refused with what is wrong, naming the
// operation, and without the encoder's internals.
func TestBadDocumentErrors(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	coll := db.Collection("c")
	rec.Reset()
	_, err := db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{Filter: 42})
	if !errors.Is(err, motor.ErrInvalidOption) || err.Error() != "motor: the listCollections filter must be a document, not a int" {
		t.Errorf("ListCollectionNames(Filter: 42) = %v", err)
	}
	_, err = coll.InsertOne(ctx, 42, nil)
	if want := "motor: insert " + coll.FullName() + ": a document argument must be a document, not a int"; !errors.Is(err, motor.ErrInvalidOption) || err.Error() != want {
		t.Errorf("InsertOne(42) = %v, want %s", err, want)
	}
	_, err = coll.Find(ctx, "x", nil)
	if want := "motor: find " + coll.FullName() + ": the filter must be a document, not a string"; !errors.Is(err, motor.ErrInvalidOption) || err.Error() != want {
		t.Errorf("Find(\"x\") = %v, want %s", err, want)
	}
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("sent %v", names)
	}
}

// TestContextErrors checks that an expired or cancelled context ends Find and the cursor calls with an error that
// names the operation and wraps the context's error.
func TestContextErrors(t *testing.T) {
	db, _ := newDB(t)
	coll := db.Collection("c")
	docs := make([]any, 10)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: i}}
	}
	if _, err := coll.InsertMany(t.Context(), docs, nil); err != nil {
		t.Fatal(err)
	}

	expired, cancel := context.WithTimeout(t.Context(), -time.Second)
	defer cancel()
	_, err := coll.Find(expired, bson.D{}, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "motor: find "+coll.FullName()+": ") {
		t.Errorf("Find with an expired context: %v", err)
	}

	cur, err := coll.Find(t.Context(), bson.D{}, &motor.FindOptions{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	for cur.RemainingBatchLength() > 0 && cur.Next(t.Context()) {
	}
	cancelled, cancel2 := context.WithCancel(t.Context())
	cancel2()
	if cur.Next(cancelled) {
		t.Fatal("Next with a cancelled context needing a getMore returned a document")
	}
	if err := cur.Err(); !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "motor: find "+coll.FullName()+": ") {
		t.Errorf("cursor Err after a cancelled getMore: %v", err)
	}
}
