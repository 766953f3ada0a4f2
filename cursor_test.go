package motor_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
)

func TestCursorDecodeWithCodec(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t, motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	coll := db.Collection("cur")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}, {Key: "n", Value: bson.D{{Key: "a", Value: 1}}}}}, nil); err != nil {
		t.Fatal(err)
	}
	cur, err := coll.Find(ctx, bson.D{}, nil)
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

func TestCursorToList(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	coll := db.Collection("c")
	insertN(t, coll, 5)
	doc := func(i int) bson.D {
		return bson.D{{Key: "_id", Value: int32(i)}, {Key: "sub", Value: bson.M{"i": int32(i)}}}
	}
	find := func() *motor.Cursor {
		t.Helper()
		cur, err := coll.Find(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}, BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cur.Close(ctx) })
		return cur
	}

	cur := find()
	rec.Reset()
	got, err := cur.ToList(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "the first 2, bson.D with nested DocumentType", []bson.D{doc(1), doc(2)}, got)
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("ToList(2) of a first batch of 2 sent %v", names)
	}
	got, err = cur.ToList(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "the third, after one getMore", []bson.D{doc(3)}, got)
	diff(t, "commands", []string{"getMore"}, rec.Names())
	if cur.ID() == 0 {
		t.Error("the cursor is closed after ToList(1)")
	}
	got, err = cur.ToList(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "the rest", []bson.D{doc(4), doc(5)}, got)
	got, err = cur.ToList(ctx, -1)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("ToList at the end = %#v, %v; want an empty slice", got, err)
	}

	t.Run("ToListAs", func(t *testing.T) {
		type item struct {
			ID  int `bson:"_id"`
			Sub struct {
				I int `bson:"i"`
			} `bson:"sub"`
		}
		items, err := motor.ToListAs[item](ctx, find(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 5 || items[4].ID != 5 || items[4].Sub.I != 5 {
			t.Errorf("structs: %+v", items)
		}
		maps, err := motor.ToListAs[bson.M](ctx, find(), 1)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "maps", []bson.M{{"_id": int32(1), "sub": bson.M{"i": int32(1)}}}, maps)
		raws, err := motor.ToListAs[bson.Raw](ctx, find(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(raws) != 5 || raws[0].Lookup("_id").Int32() != 1 || raws[4].Lookup("_id").Int32() != 5 {
			t.Errorf("raw documents: %v", raws)
		}
	})

	t.Run("errors", func(t *testing.T) {
		var nilCtx context.Context
		if _, err := find().ToList(nilCtx, 1); !errors.Is(err, motor.ErrInvalidOption) || !strings.HasPrefix(err.Error(), "motor: find ") {
			t.Errorf("nil context: %v", err)
		}
		if _, err := motor.ToListAs[bson.D](ctx, nil, 1); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil cursor: %v", err)
		}
		cur := find()
		if _, err := motor.ToListAs[int](ctx, cur, 0); err == nil || !strings.HasPrefix(err.Error(), "motor: find ") {
			t.Errorf("decoding a document into an int: %v", err)
		}
		if cur.Err() == nil || cur.Next(ctx) {
			t.Errorf("after a decoding error: Err %v", cur.Err())
		}
	})
}
