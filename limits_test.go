package motor_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// TestDocumentTooLarge checks that documents over the server's maxBsonObjectSize are refused before anything is
// sent, with the size and the limit, on insert and replace, and that a document just under it goes through.
func TestDocumentTooLarge(t *testing.T) {
	const limit = 2000
	f := motortest.NewFake(t)
	hello := func(bson.D) bson.D {
		return motortest.OK(
			bson.E{Key: "isWritablePrimary", Value: true}, bson.E{Key: "helloOk", Value: true},
			bson.E{Key: "maxBsonObjectSize", Value: int32(limit)}, bson.E{Key: "maxMessageSizeBytes", Value: int32(48000000)},
			bson.E{Key: "maxWriteBatchSize", Value: int32(100000)}, bson.E{Key: "localTime", Value: bson.NewDateTimeFromTime(time.Now())},
			bson.E{Key: "minWireVersion", Value: int32(0)}, bson.E{Key: "maxWireVersion", Value: int32(21)},
		)
	}
	f.Handle("hello", hello)
	f.Handle("isMaster", hello)
	f.Handle("insert", func(bson.D) bson.D { return motortest.OK(bson.E{Key: "n", Value: int32(1)}) })
	f.Handle("update", func(bson.D) bson.D { return motortest.OK(bson.E{Key: "n", Value: int32(1)}) })
	db := fakeDB(t, f, "shop")
	if _, err := db.Command(t.Context(), "ping", nil); err != nil { // the client now knows the server's limit
		t.Fatal(err)
	}
	coll := db.Collection("c")
	big := bson.D{{Key: "_id", Value: 1}, {Key: "s", Value: strings.Repeat("x", limit)}}
	type doc struct {
		ID int    `bson:"_id"`
		S  string `bson:"s"`
	}
	f.Reset()
	for _, tc := range []struct {
		desc string
		do   func() error
	}{
		{"InsertOne bson.D", func() error { _, err := coll.InsertOne(t.Context(), big, nil); return err }},
		{"InsertOne struct", func() error {
			_, err := coll.InsertOne(t.Context(), doc{1, strings.Repeat("x", limit)}, nil)
			return err
		}},
		{"InsertOne bson.Raw", func() error { _, err := coll.InsertOne(t.Context(), rawDoc(t, big), nil); return err }},
		{"InsertMany", func() error {
			_, err := coll.InsertMany(t.Context(), []any{bson.D{{Key: "_id", Value: 0}}, big}, nil)
			return err
		}},
		{"ReplaceOne", func() error { _, err := coll.ReplaceOne(t.Context(), bson.D{}, big, nil); return err }},
	} {
		err := tc.do()
		if !errors.Is(err, motor.ErrDocumentTooLarge) || !strings.Contains(err.Error(), "the document is 2022 bytes") ||
			!strings.Contains(err.Error(), "limit (maxBsonObjectSize) is 2000 bytes") {
			t.Errorf("%s: %v", tc.desc, err)
		}
	}
	if names := fakeNames(f); len(names) != 0 {
		t.Errorf("sent %v", names)
	}

	// Just under the limit: the walk cannot tell, the exact check lets it through.
	under := bson.D{{Key: "_id", Value: 1}, {Key: "s", Value: strings.Repeat("x", limit-30)}}
	if _, err := coll.InsertOne(t.Context(), under, nil); err != nil {
		t.Errorf("a document of %d bytes: %v", len(rawDoc(t, under)), err)
	}
	if n := len(fakeCommands(f, "insert")); n != 1 {
		t.Errorf("sent %d inserts, want 1", n)
	}
}

// TestSizeBound checks that the size check's bound is never below a document's real encoded size.
func TestSizeBound(t *testing.T) {
	type inner struct {
		A []int32        `bson:"a"`
		M map[string]any `bson:"m,omitempty"`
	}
	type outer struct {
		ID    bson.ObjectID `bson:"_id"`
		Name  string        `bson:"name"`
		In    inner         `bson:"in"`
		P     *inner        `bson:"p"`
		When  time.Time     `bson:"when"`
		Bytes []byte        `bson:"bytes"`
		U     motor.UUID    `bson:"u"`
		Any   any           `bson:"any"`
	}
	for _, doc := range []any{
		bson.D{},
		bson.D{{Key: "a", Value: 1}, {Key: "b", Value: "two"}, {Key: "c", Value: bson.A{1, "x", bson.D{{Key: "d", Value: 2.5}}}}},
		bson.M{"k": bson.M{"nested": bson.A{nil, true, int64(3)}}, "s": strings.Repeat("y", 100)},
		map[string]string{"a": "b"},
		outer{ID: bson.NewObjectID(), Name: "n", In: inner{A: []int32{1, 2, 3}, M: map[string]any{"x": 1}}, When: time.Now(),
			Bytes: []byte("bytes"), U: motor.NewUUID(), Any: bson.D{{Key: "z", Value: strings.Repeat("z", 1000)}}},
		&outer{P: &inner{A: make([]int32, 100)}},
		bson.D{{Key: "arr", Value: make([]bson.D, 50)}},
	} {
		raw, err := bson.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if bound := motor.SizeBound(doc); bound < len(raw) {
			t.Errorf("SizeBound(%T) = %d, below its %d bytes", doc, bound, len(raw))
		}
	}
	if bound := motor.SizeBound(motor.DBRef{Collection: "c", ID: 1}); bound < 1<<40 {
		t.Errorf("a type that marshals itself is bounded at %d, want unbounded", bound)
	}
}
