package motor_test

import (
	"errors"
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
)

func TestCursorDecodeWithCodec(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t, motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
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
