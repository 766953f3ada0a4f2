package motor_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// TestBulkWrite runs a bulk write of every model against the test server and checks the commands sent, the result
// and the stored documents.
func TestBulkWrite(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	coll := db.Collection("items")
	set := func(k string, v any) bson.D { return bson.D{{Key: "$set", Value: bson.D{{Key: k, Value: v}}}} }
	id := func(n int) bson.D { return bson.D{{Key: "_id", Value: n}} }

	res, err := coll.BulkWrite(ctx, []motor.WriteModel{
		motor.InsertOne{Document: bson.D{{Key: "_id", Value: 1}, {Key: "n", Value: 1}}},
		motor.InsertOne{Document: bson.D{{Key: "_id", Value: 2}, {Key: "n", Value: 2}}},
		motor.DriverModel{Model: mongo.NewInsertOneModel().SetDocument(bson.D{{Key: "_id", Value: 3}, {Key: "n", Value: 3}})},
		motor.UpdateOne{Filter: id(1), Update: set("a", 1)},
		motor.UpdateMany{Filter: bson.D{}, Update: bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 10}}}}},
		motor.ReplaceOne{Filter: id(4), Replacement: bson.D{{Key: "r", Value: true}}, Upsert: true},
		motor.DeleteOne{Filter: id(2)},
		motor.DeleteMany{Filter: bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: 12}}}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "result", &mongo.BulkWriteResult{
		InsertedCount: 3, MatchedCount: 4, ModifiedCount: 4, DeletedCount: 2, UpsertedCount: 1,
		UpsertedIDs: map[int64]any{5: int32(4)}, Acknowledged: true,
	}, res)
	ordered := bson.E{Key: "ordered", Value: true}
	diff(t, "commands", []bson.D{
		{{Key: "insert", Value: "items"}, ordered, {Key: "$db", Value: dbn}, {Key: "documents", Value: bson.A{
			bson.D{{Key: "_id", Value: int32(1)}, {Key: "n", Value: int32(1)}},
			bson.D{{Key: "_id", Value: int32(2)}, {Key: "n", Value: int32(2)}},
			bson.D{{Key: "_id", Value: int32(3)}, {Key: "n", Value: int32(3)}},
		}}},
		// Single-document updates and replacements, multi-document updates, single and multi-document deletes
		// go in commands of their own, so that the single-document ones stay retryable.
		{{Key: "update", Value: "items"}, ordered, {Key: "$db", Value: dbn}, {Key: "updates", Value: bson.A{
			bson.D{{Key: "q", Value: bson.D{{Key: "_id", Value: int32(1)}}}, {Key: "u", Value: bson.D{{Key: "$set", Value: bson.D{{Key: "a", Value: int32(1)}}}}}, {Key: "upsert", Value: false}},
		}}},
		{{Key: "update", Value: "items"}, ordered, {Key: "$db", Value: dbn}, {Key: "updates", Value: bson.A{
			bson.D{{Key: "q", Value: bson.D{}}, {Key: "u", Value: bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int32(10)}}}}}, {Key: "multi", Value: true}, {Key: "upsert", Value: false}},
		}}},
		{{Key: "update", Value: "items"}, ordered, {Key: "$db", Value: dbn}, {Key: "updates", Value: bson.A{
			bson.D{{Key: "q", Value: bson.D{{Key: "_id", Value: int32(4)}}}, {Key: "u", Value: bson.D{{Key: "r", Value: true}}}, {Key: "upsert", Value: true}},
		}}},
		{{Key: "delete", Value: "items"}, ordered, {Key: "$db", Value: dbn}, {Key: "deletes", Value: bson.A{
			bson.D{{Key: "q", Value: bson.D{{Key: "_id", Value: int32(2)}}}, {Key: "limit", Value: int32(1)}},
		}}},
		{{Key: "delete", Value: "items"}, ordered, {Key: "$db", Value: dbn}, {Key: "deletes", Value: bson.A{
			bson.D{{Key: "q", Value: bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: int32(12)}}}}}, {Key: "limit", Value: int32(0)}},
		}}},
	}, rec.Commands("insert", "update", "delete"))
	cur, err := coll.Find(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.D
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	diff(t, "stored", []bson.D{
		{{Key: "_id", Value: int32(1)}, {Key: "n", Value: int32(11)}, {Key: "a", Value: int32(1)}},
		{{Key: "_id", Value: int32(4)}, {Key: "r", Value: true}},
	}, docs)

	t.Run("bypassDocumentValidation goes on insert and update, not on delete", func(t *testing.T) {
		rec.Reset()
		_, err := coll.BulkWrite(ctx, []motor.WriteModel{
			motor.InsertOne{Document: id(20)},
			motor.ReplaceOne{Filter: id(20), Replacement: bson.D{{Key: "b", Value: 1}}},
			motor.DeleteOne{Filter: id(20)},
		}, &motor.BulkWriteOptions{BypassDocumentValidation: true})
		if err != nil {
			t.Fatal(err)
		}
		bypass := bson.E{Key: "bypassDocumentValidation", Value: true}
		ordered := bson.E{Key: "ordered", Value: true}
		diff(t, "commands", []bson.D{
			{{Key: "insert", Value: "items"}, bypass, ordered, {Key: "$db", Value: dbn}, {Key: "documents", Value: bson.A{
				bson.D{{Key: "_id", Value: int32(20)}},
			}}},
			// No multi: false in the replacement, which PyMongo sends.
			{{Key: "update", Value: "items"}, bypass, ordered, {Key: "$db", Value: dbn}, {Key: "updates", Value: bson.A{
				bson.D{{Key: "q", Value: bson.D{{Key: "_id", Value: int32(20)}}}, {Key: "u", Value: bson.D{{Key: "b", Value: int32(1)}}}, {Key: "upsert", Value: false}},
			}}},
			{{Key: "delete", Value: "items"}, ordered, {Key: "$db", Value: dbn}, {Key: "deletes", Value: bson.A{
				bson.D{{Key: "q", Value: bson.D{{Key: "_id", Value: int32(20)}}}, {Key: "limit", Value: int32(1)}},
			}}},
		}, rec.Commands("insert", "update", "delete"))
	})

	t.Run("ordered: the first error stops", func(t *testing.T) {
		rec.Reset()
		res, err := coll.BulkWrite(ctx, []motor.WriteModel{
			motor.InsertOne{Document: id(10)},
			motor.InsertOne{Document: id(1)}, // duplicate key
			motor.InsertOne{Document: id(11)},
		}, nil)
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || len(bwe.WriteErrors) != 1 || bwe.WriteErrors[0].Index != 1 || bwe.WriteErrors[0].Code != 11000 ||
			!strings.HasPrefix(err.Error(), "motor: bulk write "+dbn+".items: ") || !mongo.IsDuplicateKeyError(err) {
			t.Fatalf("error: %v", err)
		}
		if res == nil || res.InsertedCount != 1 || !res.Acknowledged {
			t.Errorf("partial result %+v", res)
		}
	})

	t.Run("unordered: the others are written", func(t *testing.T) {
		rec.Reset()
		res, err := coll.BulkWrite(ctx, []motor.WriteModel{
			motor.InsertOne{Document: id(1)}, // duplicate key
			motor.InsertOne{Document: id(20)},
			motor.InsertOne{Document: id(21)},
		}, &motor.BulkWriteOptions{Ordered: boolPtr(false)})
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || len(bwe.WriteErrors) != 1 || bwe.WriteErrors[0].Index != 0 {
			t.Fatalf("error: %v", err)
		}
		if res == nil || res.InsertedCount != 2 {
			t.Errorf("partial result %+v", res)
		}
		if got := getField(rec.Commands("insert")[0], "ordered"); got != false {
			t.Errorf("ordered = %v", got)
		}
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		w0 := db.Collection("items", motor.WithWriteConcern(writeconcern.Unacknowledged()))
		var nilCtx context.Context
		big := bson.D{{Key: "s", Value: strings.Repeat("x", 17<<20)}}
		second := func(_ any, err error) error { return err }
		bulk := func(c *motor.Collection, opts *motor.BulkWriteOptions, models ...motor.WriteModel) error {
			return second(c.BulkWrite(ctx, models, opts))
		}
		for _, tc := range []struct {
			desc string
			want error
			text string
			err  error
		}{
			{"no models", motor.ErrInvalidOption, "no operations to execute", bulk(coll, nil)},
			{"a nil model", motor.ErrInvalidOption, "model 1: a model must not be nil", bulk(coll, nil, motor.InsertOne{Document: id(1)}, nil)},
			{"insert of nil", motor.ErrInvalidOption, "model 0: the document must be a document, not nil", bulk(coll, nil, motor.InsertOne{})},
			{"insert too large", motor.ErrDocumentTooLarge, "", bulk(coll, nil, motor.InsertOne{Document: big})},
			{"update without operators", motor.ErrInvalidOption, `model 0: the update must only have update operators`,
				bulk(coll, nil, motor.UpdateOne{Filter: bson.D{}, Update: bson.D{{Key: "a", Value: 1}}})},
			{"update many without a filter", motor.ErrInvalidOption, "the filter must be a document, not nil",
				bulk(coll, nil, motor.UpdateMany{Update: set("a", 1)})},
			{"replacement with operators", motor.ErrInvalidOption, "model 2: the replacement must not have update operators", bulk(coll, nil,
				motor.DeleteOne{Filter: bson.D{}}, motor.DeleteMany{Filter: bson.D{}}, motor.ReplaceOne{Filter: bson.D{}, Replacement: set("a", 1)})},
			{"replacement too large", motor.ErrDocumentTooLarge, "", bulk(coll, nil, motor.ReplaceOne{Filter: bson.D{}, Replacement: big})},
			{"driver replacement too large", motor.ErrDocumentTooLarge, "", bulk(coll, nil,
				motor.DriverModel{Model: mongo.NewReplaceOneModel().SetFilter(bson.D{}).SetReplacement(big)})},
			{"a nil driver model", motor.ErrInvalidOption, "DriverModel.Model must not be nil", bulk(coll, nil, motor.DriverModel{})},
			{"hint of two map keys", motor.ErrInvalidOption, "Hint must be an index name or an ordered document",
				bulk(coll, nil, motor.DeleteOne{Filter: bson.D{}, Hint: bson.M{"a": 1, "b": 1}})},
			{"array filter a string", motor.ErrInvalidOption, "ArrayFilters[0]", bulk(coll, nil, motor.UpdateOne{Filter: bson.D{}, Update: set("a", 1), ArrayFilters: []any{"x"}})},
			{"let a number", motor.ErrInvalidOption, "BulkWriteOptions.Let", bulk(coll, &motor.BulkWriteOptions{Let: 1}, motor.DeleteOne{Filter: bson.D{}})},
			{"bypass with w: 0", motor.ErrInvalidOption, "BypassDocumentValidation", bulk(w0, &motor.BulkWriteOptions{BypassDocumentValidation: true}, motor.InsertOne{Document: id(1)})},
			{"collation with w: 0", motor.ErrInvalidOption, "unacknowledged", bulk(w0, nil, motor.DeleteMany{Filter: bson.D{}, Collation: &options.Collation{Locale: "en"}})},
			{"hint with w: 0", motor.ErrInvalidOption, "unacknowledged", bulk(w0, nil, motor.ReplaceOne{Filter: bson.D{}, Replacement: bson.D{}, Hint: "_id_"})},
			{"nil context", motor.ErrInvalidOption, "nil context", second(coll.BulkWrite(nilCtx, []motor.WriteModel{motor.InsertOne{Document: id(1)}}, nil))},
		} {
			switch {
			case !errors.Is(tc.err, tc.want) || !strings.Contains(fmtErr(tc.err), tc.text):
				t.Errorf("%s: %v, want %v containing %q", tc.desc, tc.err, tc.want, tc.text)
			case !strings.HasPrefix(tc.err.Error(), "motor: bulk write "+dbn+".items: "):
				t.Errorf("%s: %q is not the operation's error", tc.desc, tc.err)
			}
		}
		if got := rec.Names(); len(got) != 0 {
			t.Errorf("sent %v", got)
		}
	})
}

// TestBulkWriteHooks checks that inserted documents go through the incoming document hooks (PyMongo's insert
// sequence, with an _id) and replacements through them without an _id, for motor's models and the driver's alike;
// the caller's documents are not changed.
func TestBulkWriteHooks(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t)
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "stamp", Incoming: func(doc bson.D, _ *motor.Collection) (bson.D, error) {
		return append(doc, bson.E{Key: "stamped", Value: true}), nil
	}}); err != nil {
		t.Fatal(err)
	}
	coll := db.Collection("c")
	driverDoc := bson.D{{Key: "_id", Value: 2}}
	driverModel := mongo.NewInsertOneModel().SetDocument(driverDoc)
	if _, err := coll.BulkWrite(ctx, []motor.WriteModel{
		motor.InsertOne{Document: bson.D{{Key: "_id", Value: 1}}},
		motor.DriverModel{Model: driverModel},
		motor.ReplaceOne{Filter: bson.D{{Key: "_id", Value: 1}}, Replacement: bson.D{{Key: "v", Value: 1}}},
		motor.DriverModel{Model: mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: 2}}).SetReplacement(bson.D{{Key: "v", Value: 2}})},
	}, nil); err != nil {
		t.Fatal(err)
	}
	if driverModel.Document.(bson.D)[0].Value != 2 || len(driverModel.Document.(bson.D)) != 1 {
		t.Errorf("the driver model was changed: %v", driverModel.Document)
	}
	cur, err := coll.Find(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.D
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	diff(t, "stored", []bson.D{
		{{Key: "_id", Value: int32(1)}, {Key: "v", Value: int32(1)}, {Key: "stamped", Value: true}},
		{{Key: "_id", Value: int32(2)}, {Key: "v", Value: int32(2)}, {Key: "stamped", Value: true}},
	}, docs)
}

// TestBulkWriteFake checks on the scripted fake the options FerretDB lacks and the collection's write concern.
func TestBulkWriteFake(t *testing.T) {
	f := motortest.NewFake(t)
	f.Handle("update", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "n", Value: int32(1)}, bson.E{Key: "nModified", Value: int32(1)})
	})
	f.Handle("delete", func(bson.D) bson.D { return motortest.OK(bson.E{Key: "n", Value: int32(1)}) })
	coll := fakeDB(t, f, "shop").Collection("orders", motor.WithWriteConcern(writeconcern.Majority()))
	res, err := coll.BulkWrite(t.Context(), []motor.WriteModel{
		motor.UpdateMany{
			Filter: bson.D{{Key: "sku", Value: "a"}}, Update: bson.D{{Key: "$set", Value: bson.D{{Key: "lines.$[l].qty", Value: 0}}}},
			Collation: &options.Collation{Locale: "en"}, ArrayFilters: []any{bson.D{{Key: "l.qty", Value: bson.D{{Key: "$lt", Value: 0}}}}},
			Hint: "sku_1",
		},
		motor.DeleteOne{Filter: bson.D{{Key: "sku", Value: "b"}}, Collation: &options.Collation{Locale: "fr"}, Hint: bson.D{{Key: "sku", Value: 1}}},
	}, &motor.BulkWriteOptions{Ordered: boolPtr(false), BypassDocumentValidation: true, Comment: "nightly", Let: bson.D{{Key: "x", Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.MatchedCount != 1 || res.ModifiedCount != 1 || res.DeletedCount != 1 {
		t.Errorf("result %+v", res)
	}
	wc := bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}
	diff(t, "commands", []bson.D{
		{
			{Key: "update", Value: "orders"}, {Key: "bypassDocumentValidation", Value: true}, {Key: "comment", Value: "nightly"},
			{Key: "ordered", Value: false}, {Key: "let", Value: bson.D{{Key: "x", Value: int32(1)}}}, wc, {Key: "$db", Value: "shop"},
			{Key: "updates", Value: bson.A{bson.D{
				{Key: "q", Value: bson.D{{Key: "sku", Value: "a"}}},
				{Key: "u", Value: bson.D{{Key: "$set", Value: bson.D{{Key: "lines.$[l].qty", Value: int32(0)}}}}},
				{Key: "multi", Value: true},
				{Key: "arrayFilters", Value: bson.A{bson.D{{Key: "l.qty", Value: bson.D{{Key: "$lt", Value: int32(0)}}}}}},
				{Key: "collation", Value: bson.D{{Key: "locale", Value: "en"}}},
				{Key: "upsert", Value: false},
				{Key: "hint", Value: "sku_1"},
			}}},
		},
		{
			{Key: "delete", Value: "orders"}, {Key: "comment", Value: "nightly"}, {Key: "ordered", Value: false},
			{Key: "let", Value: bson.D{{Key: "x", Value: int32(1)}}}, wc, {Key: "$db", Value: "shop"},
			{Key: "deletes", Value: bson.A{bson.D{
				{Key: "q", Value: bson.D{{Key: "sku", Value: "b"}}}, {Key: "limit", Value: int32(1)},
				{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}}}, {Key: "hint", Value: bson.D{{Key: "sku", Value: int32(1)}}},
			}}},
		},
	}, fakeCommands(f, "update", "delete"))
}
