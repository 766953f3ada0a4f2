package motor_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
)

// TestLoad runs 1000 goroutines that share one Client and one Database through mixed operations for a bounded
// time: commands, create, drop and list collections, dereference, finds and inserts. None may fail; the race
// detector and goleak (TestMain) watch the rest.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const (
		workers  = 1000
		duration = 3 * time.Second
	)
	db, _ := newDB(t)
	ctx := t.Context()
	people := db.Collection("people")
	if _, err := people.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}}, nil); err != nil {
		t.Fatal(err)
	}
	ref := motor.DBRef{Collection: "people", ID: 1}

	var ops, inserted atomic.Int64
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(op string, err error) bool {
				if err != nil {
					errs <- fmt.Errorf("worker %d: %s: %w", w, op, err)
					return true
				}
				ops.Add(1)
				return false
			}
			coll := db.Collection(fmt.Sprintf("w%d", w%50))
			for i := 0; time.Since(start) < duration; i++ {
				var err error
				var op string
				switch (w + i) % 7 {
				case 0:
					op = "command"
					_, err = db.Command(ctx, "ping", nil)
				case 1:
					op = "insert"
					_, err = coll.InsertOne(ctx, bson.D{{Key: "w", Value: w}, {Key: "i", Value: i}}, nil)
					if err == nil {
						inserted.Add(1)
					}
				case 2:
					op = "find"
					var cur *motor.Cursor
					if cur, err = coll.Find(ctx, bson.D{{Key: "w", Value: w}}, nil); err == nil {
						var docs []bson.D
						err = cur.All(ctx, &docs)
					}
				case 3:
					op = "dereference"
					var p bson.D
					err = db.Dereference(ctx, ref, nil).Decode(&p)
				case 4:
					op = "list collections"
					_, err = db.ListCollectionNames(ctx, nil)
				case 5:
					op = "create collection"
					_, err = db.CreateCollection(ctx, fmt.Sprintf("tmp%d_%d", w, i), nil)
				case 6:
					op = "drop collection"
					_, err = db.DropCollection(ctx, fmt.Sprintf("tmp%d_%d", w, i-1), nil)
				}
				if fail(op, err) {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 10 {
			t.Error(err)
		}
	}
	if n > 10 {
		t.Errorf("... and %d more errors", n-10)
	}
	var total int64
	for i := range 50 {
		c, err := db.Collection(fmt.Sprintf("w%d", i)).CountDocuments(ctx, bson.D{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		total += c
	}
	if total != inserted.Load() {
		t.Errorf("%d documents stored, %d inserts acknowledged", total, inserted.Load())
	}
	t.Logf("%d goroutines ran %d operations in %v; %d inserts acknowledged and stored", workers, ops.Load(), time.Since(start).Round(time.Millisecond), total)
}
