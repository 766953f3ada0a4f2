package motor_test

import (
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
)

type e = bson.E

// TestCollectionCRUD runs every Collection operation and checks the exact commands sent and the results.
func TestCollectionCRUD(t *testing.T) {
	ctx := ctxT(t)
	db, rec := newDB(t)
	coll := mustColl(t, db, "crud")
	dbn := db.Name()

	one, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "x", Value: 1}})
	if err != nil || one.InsertedID != int32(1) {
		t.Fatalf("InsertOne = %+v, %v", one, err)
	}
	many, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 2}, {Key: "x", Value: 2}}, bson.D{{Key: "_id", Value: 3}, {Key: "x", Value: 3}}})
	if err != nil || len(many.InsertedIDs) != 2 {
		t.Fatalf("InsertMany = %+v, %v", many, err)
	}
	n, err := coll.CountDocuments(ctx, bson.D{{Key: "x", Value: bson.D{{Key: "$gte", Value: 2}}}})
	if err != nil || n != 2 {
		t.Fatalf("CountDocuments = %d, %v", n, err)
	}
	upd, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "$set", Value: bson.D{{Key: "y", Value: 1}}}})
	if err != nil || upd.MatchedCount != 1 || upd.ModifiedCount != 1 {
		t.Fatalf("UpdateOne = %+v, %v", upd, err)
	}
	upd, err = coll.UpdateMany(ctx, bson.D{}, bson.D{{Key: "$inc", Value: bson.D{{Key: "x", Value: 10}}}})
	if err != nil || upd.MatchedCount != 3 {
		t.Fatalf("UpdateMany = %+v, %v", upd, err)
	}
	upd, err = coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: 2}}, bson.D{{Key: "z", Value: true}})
	if err != nil || upd.ModifiedCount != 1 {
		t.Fatalf("ReplaceOne = %+v, %v", upd, err)
	}
	var got bson.D
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: 2}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	diff(t, "replaced", bson.D{{Key: "_id", Value: int32(2)}, {Key: "z", Value: true}}, got)

	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(2))
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

	del, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: 1}})
	if err != nil || del.DeletedCount != 1 {
		t.Fatalf("DeleteOne = %+v, %v", del, err)
	}
	del, err = coll.DeleteMany(ctx, bson.D{})
	if err != nil || del.DeletedCount != 2 {
		t.Fatalf("DeleteMany = %+v, %v", del, err)
	}
	if err := coll.FindOne(ctx, bson.D{}).Err(); !errors.Is(err, mongo.ErrNoDocuments) {
		t.Errorf("FindOne on empty = %v", err)
	}
	if err := coll.Drop(ctx); err != nil {
		t.Fatal(err)
	}

	want := []bson.D{
		{e{"insert", "crud"}, e{"ordered", true}, e{"$db", dbn}, e{"documents", bson.A{bson.D{e{"_id", int32(1)}, e{"x", int32(1)}}}}},
		{e{"insert", "crud"}, e{"ordered", true}, e{"$db", dbn}, e{"documents", bson.A{bson.D{e{"_id", int32(2)}, e{"x", int32(2)}}, bson.D{e{"_id", int32(3)}, e{"x", int32(3)}}}}},
		{e{"aggregate", "crud"}, e{"pipeline", bson.A{bson.D{e{"$match", bson.D{e{"x", bson.D{e{"$gte", int32(2)}}}}}}, bson.D{e{"$group", bson.D{e{"_id", int32(1)}, e{"n", bson.D{e{"$sum", int32(1)}}}}}}}}, e{"cursor", bson.D{}}, e{"$db", dbn}},
		{e{"update", "crud"}, e{"ordered", true}, e{"$db", dbn}, e{"updates", bson.A{bson.D{e{"q", bson.D{e{"_id", int32(1)}}}, e{"u", bson.D{e{"$set", bson.D{e{"y", int32(1)}}}}}}}}},
		{e{"update", "crud"}, e{"ordered", true}, e{"$db", dbn}, e{"updates", bson.A{bson.D{e{"q", bson.D{}}, e{"u", bson.D{e{"$inc", bson.D{e{"x", int32(10)}}}}}, e{"multi", true}}}}},
		{e{"update", "crud"}, e{"ordered", true}, e{"$db", dbn}, e{"updates", bson.A{bson.D{e{"q", bson.D{e{"_id", int32(2)}}}, e{"u", bson.D{e{"z", true}}}}}}},
		{e{"find", "crud"}, e{"filter", bson.D{e{"_id", int32(2)}}}, e{"limit", int64(1)}, e{"singleBatch", true}, e{"$db", dbn}},
		{e{"find", "crud"}, e{"batchSize", int32(2)}, e{"filter", bson.D{}}, e{"sort", bson.D{e{"_id", int32(1)}}}, e{"$db", dbn}},
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
		{e{"delete", "crud"}, e{"ordered", true}, e{"$db", dbn}, e{"deletes", bson.A{bson.D{e{"q", bson.D{e{"_id", int32(1)}}}, e{"limit", int32(1)}}}}},
		{e{"delete", "crud"}, e{"ordered", true}, e{"$db", dbn}, e{"deletes", bson.A{bson.D{e{"q", bson.D{}}, e{"limit", int32(0)}}}}},
		{e{"find", "crud"}, e{"filter", bson.D{}}, e{"limit", int64(1)}, e{"singleBatch", true}, e{"$db", dbn}},
		{e{"drop", "crud"}, e{"$db", dbn}},
	}, rest)
}

func TestCursorDecodeWithCodec(t *testing.T) {
	ctx := ctxT(t)
	db, _ := newDB(t, motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflectTypeOf(bson.M{})}))
	coll := mustColl(t, db, "cur")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}, {Key: "n", Value: bson.D{{Key: "a", Value: 1}}}}}); err != nil {
		t.Fatal(err)
	}
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(ctx)
	if err := cur.Decode(new(any)); err == nil {
		t.Error("Decode before Next: no error")
	}
	if !cur.Next(ctx) {
		t.Fatal(cur.Err())
	}
	var v any
	if err := cur.Decode(&v); err != nil {
		t.Fatal(err)
	}
	diff(t, "decoded", bson.M{"_id": int32(1), "n": bson.M{"a": int32(1)}}, v)
	if cur.Next(ctx) || cur.Err() != nil || cur.ID() != 0 {
		t.Errorf("after last: err=%v id=%d", cur.Err(), cur.ID())
	}
	if err := cur.All(ctx, v); err == nil || !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("All into a non-slice: %v", err)
	}
}

func TestDisconnected(t *testing.T) {
	ctx := ctxT(t)
	c, _ := newClient(t)
	db, _ := c.Database("app")
	coll, _ := db.Collection("x")
	if err := c.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Disconnect(ctx); err != nil {
		t.Errorf("second Disconnect: %v", err)
	}
	if _, err := coll.InsertOne(ctx, bson.D{}); !errors.Is(err, motor.ErrClientDisconnected) {
		t.Errorf("InsertOne after Disconnect = %v", err)
	}
	if c.Mongo() != nil || db.Mongo() != nil || coll.Mongo() != nil {
		t.Error("Mongo() after Disconnect is not nil")
	}
	if _, err := c.StartSession(); !errors.Is(err, motor.ErrClientDisconnected) {
		t.Errorf("StartSession after Disconnect = %v", err)
	}
}

func TestNewClient(t *testing.T) {
	ctx := ctxT(t)
	mc, err := mongo.Connect(options.Client().ApplyURI(uriOf(t)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := motor.NewClient(mc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(ctx)
	if c.Mongo() != mc {
		t.Error("Mongo() is not the wrapped client")
	}
	db, _ := c.Database("newclient")
	if db.Mongo().Name() != "newclient" {
		t.Error("driver database name")
	}
	if _, err := motor.NewClient(nil); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("NewClient(nil) = %v", err)
	}
}
