package motor_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
)

func TestCommandCursor(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	dbn := db.Name()
	insertN(t, db.Collection("c"), 5)
	rec.Reset()

	find := bson.D{{Key: "find", Value: "c"}, {Key: "sort", Value: bson.D{{Key: "_id", Value: int32(1)}}}, {Key: "batchSize", Value: int32(2)}}
	cur, err := db.CommandCursor(ctx, find, &motor.CommandCursorOptions{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if cur.ID() == 0 {
		t.Fatal("cursor id 0 after the first batch of 2 of 5")
	}
	var _ *motor.CommandCursor = cur //nolint:staticcheck // the deprecated alias still names the cursor type
	var got []bson.D
	if err := cur.All(ctx, &got); err != nil {
		t.Fatal(err)
	}
	var want []bson.D
	for i := 1; i <= 5; i++ {
		want = append(want, bson.D{{Key: "_id", Value: int32(i)}, {Key: "sub", Value: bson.M{"i": int32(i)}}})
	}
	diff(t, "documents, decoded with the database's codec options", want, got)
	cmds := rec.Commands("find", "getMore")
	if len(cmds) < 2 {
		t.Fatalf("recorded %v", rec.Names())
	}
	diff(t, "find", withDB(dbn, slices.Clone(find)), cmds[0])
	id := cmds[1][0].Value
	diff(t, "getMore", bson.D{{Key: "getMore", Value: id}, {Key: "collection", Value: "c"}, {Key: "batchSize", Value: int32(2)}, {Key: "$db", Value: dbn}}, cmds[1])

	t.Run("Next, Decode, TryNext, early Close kills the cursor", func(t *testing.T) {
		rec.Reset()
		cur, err := db.CommandCursor(ctx, "find", &motor.CommandCursorOptions{
			Value: "c", Extra: bson.D{{Key: "batchSize", Value: 1}}, CodecOptions: &motor.CodecOptions{}, BatchSize: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := cur.Decode(new(bson.D)); err == nil {
			t.Error("Decode before Next: no error")
		}
		if !cur.Next(ctx) {
			t.Fatal(cur.Err())
		}
		var d any
		if err := cur.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if _, ok := d.(bson.D); !ok {
			t.Errorf("decoded a %T with the zero codec options, want bson.D", d)
		}
		if !cur.TryNext(ctx) {
			t.Fatalf("TryNext: %v", cur.Err())
		}
		id := cur.ID()
		if err := cur.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if err := cur.Close(ctx); err != nil {
			t.Errorf("second Close: %v", err)
		}
		diff(t, "killCursors", []bson.D{{{Key: "killCursors", Value: "c"}, {Key: "cursors", Value: bson.A{id}}, {Key: "$db", Value: dbn}}}, rec.Commands("killCursors"))
		diff(t, "find", []bson.D{{{Key: "find", Value: "c"}, {Key: "batchSize", Value: int32(1)}, {Key: "$db", Value: dbn}}}, rec.Commands("find"))
	})

	t.Run("errors", func(t *testing.T) {
		if _, err := db.CommandCursor(ctx, "ping", nil); err == nil || !strings.HasPrefix(err.Error(), "motor: command ping: ") {
			t.Errorf("a reply without a cursor: %v", err)
		}
		_, err := db.CommandCursor(ctx, "noSuchCommand", nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 59 {
			t.Errorf("failure: %v", err)
		}
		rec.Reset()
		for _, opts := range []*motor.CommandCursorOptions{
			{BatchSize: -1}, {MaxAwaitTime: -time.Second}, {CodecOptions: &motor.CodecOptions{TZInfo: time.UTC}},
			{Extra: bson.D{{Key: "find", Value: "d"}}},
		} {
			if _, err := db.CommandCursor(ctx, "find", opts); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("%+v: %v", opts, err)
			}
		}
		if _, err := db.CommandCursor(ctx, bson.M{"find": "c", "batchSize": 1}, nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("multi-key map: %v", err)
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}
