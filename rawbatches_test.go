package motor_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
)

func TestRawBatches(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	insertN(t, db.Collection("c"), 5)
	// Neither the codec options nor the hooks apply to raw batches.
	//nolint:staticcheck // the deprecated SON manipulators are the document hooks under test
	if err := db.AddSONManipulator(motor.SONManipulator{Name: "Seen", Outgoing: func(doc bson.D, _ *motor.Collection) (bson.D, error) {
		return append(doc, bson.E{Key: "seen", Value: true}), nil
	}}); err != nil {
		t.Fatal(err)
	}
	coll := db.Collection("c", motor.WithCodecOptions(motor.CodecOptions{TZAware: true}))
	doc := func(i int) bson.Raw {
		return rawDoc(t, bson.D{{Key: "_id", Value: int32(i)}, {Key: "sub", Value: bson.D{{Key: "i", Value: int32(i)}}}})
	}
	// read returns the batches of cur, checking that each batch is its documents concatenated.
	read := func(t *testing.T, cur *motor.RawBatchCursor) [][]bson.Raw {
		t.Helper()
		if cur.Batch() != nil || cur.Documents() != nil {
			t.Error("a batch before Next")
		}
		var batches [][]bson.Raw
		for cur.Next(ctx) {
			docs := cur.Documents()
			if !bytes.Equal(bytes.Join(toBytes(docs), nil), cur.Batch()) {
				t.Errorf("batch %x is not its documents %v concatenated", cur.Batch(), docs)
			}
			batches = append(batches, docs)
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		if cur.Batch() != nil || cur.ID() != 0 {
			t.Errorf("after the last batch: %x, id %d", cur.Batch(), cur.ID())
		}
		return batches
	}
	want := [][]bson.Raw{{doc(1), doc(2)}, {doc(3), doc(4)}, {doc(5)}}

	t.Run("FindRawBatches", func(t *testing.T) {
		rec.Reset()
		cur, err := coll.FindRawBatches(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}, BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer cur.Close(ctx)
		diff(t, "batches, as the server sent them", want, read(t, cur))
		diff(t, "commands", []string{"find", "getMore", "getMore"}, rec.Names())
	})

	t.Run("AggregateRawBatches", func(t *testing.T) {
		rec.Reset()
		cur, err := coll.AggregateRawBatches(ctx, bson.A{bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}}},
			&motor.AggregateOptions{BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer cur.Close(ctx)
		diff(t, "batches, as the server sent them", want, read(t, cur))
		cmds := rec.Commands("aggregate")
		diff(t, "aggregate", []bson.D{withDB(dbn, bson.D{
			{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: bson.A{bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: int32(1)}}}}}},
			{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(2)}}},
		})}, cmds)
	})

	t.Run("one batch; nothing found", func(t *testing.T) {
		cur, err := coll.FindRawBatches(ctx, bson.D{{Key: "_id", Value: 3}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "one batch", [][]bson.Raw{{doc(3)}}, read(t, cur))
		cur, err = coll.AggregateRawBatches(ctx, bson.A{bson.D{{Key: "$match", Value: bson.D{{Key: "_id", Value: 0}}}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := read(t, cur); len(got) != 0 {
			t.Errorf("batches of nothing: %v", got)
		}
	})

	t.Run("an early Close sends killCursors", func(t *testing.T) {
		cur, err := coll.FindRawBatches(ctx, bson.D{}, &motor.FindOptions{BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		if !cur.Next(ctx) || len(cur.Documents()) != 2 {
			t.Fatalf("first batch: %v, %v", cur.Documents(), cur.Err())
		}
		id := cur.ID()
		rec.Reset()
		if err := cur.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if err := cur.Close(ctx); err != nil {
			t.Errorf("second Close: %v", err)
		}
		diff(t, "killCursors", []bson.D{withDB(dbn, bson.D{{Key: "killCursors", Value: "c"}, {Key: "cursors", Value: bson.A{id}}})}, rec.Commands("killCursors"))
		if cur.Next(ctx) || cur.Batch() != nil {
			t.Error("Next after Close")
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := coll.AggregateRawBatches(ctx, bson.A{bson.D{{Key: "$noSuchStage", Value: 1}}}, nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "motor: aggregate "+dbn+".c: ") {
			t.Errorf("server error: %v", err)
		}
		cur, err := coll.FindRawBatches(ctx, bson.D{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cur.Close(ctx)
		rec.Reset()
		var nilCtx context.Context
		if cur.Next(nilCtx) || fmtErr(cur.Err()) != "motor: find "+dbn+".c: nil context" {
			t.Errorf("Next(nil): %v", cur.Err())
		}
		if _, err := coll.FindRawBatches(nilCtx, bson.D{}, nil); fmtErr(err) != "motor: find "+dbn+".c: nil context" {
			t.Errorf("FindRawBatches(nil): %v", err)
		}
		if _, err := coll.AggregateRawBatches(nilCtx, bson.A{}, nil); fmtErr(err) != "motor: aggregate "+dbn+".c: nil context" {
			t.Errorf("AggregateRawBatches(nil): %v", err)
		}
		if _, err := coll.AggregateRawBatches(ctx, bson.D{}, nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("a document as pipeline: %v", err)
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

func toBytes(docs []bson.Raw) [][]byte {
	out := make([][]byte, len(docs))
	for i, d := range docs {
		out[i] = d
	}
	return out
}
