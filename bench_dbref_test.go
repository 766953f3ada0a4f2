package motor_test

import (
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// benchRefs is how many references each benchmark operation resolves.
const benchRefs = 1000

// benchDerefDB returns a database on the test server whose people collection holds benchRefs documents, and a
// reference to each, in a shuffled order.
func benchDerefDB(b *testing.B) (*motor.Database, []motor.DBRef) {
	b.Helper()
	ctx := context.Background()
	c, err := motor.Connect(motortest.URI(b)) // no command recorder: it would grow with every operation
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Disconnect(ctx) })
	db := c.Database(motortest.DBName(b))
	b.Cleanup(func() { _ = db.Mongo().Drop(ctx) })
	docs := make([]any, benchRefs)
	refs := make([]motor.DBRef, benchRefs)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: int32(i)}, {Key: "name", Value: fmt.Sprintf("person-%d", i)}, {Key: "age", Value: int32(20 + i%50)}}
		refs[i] = motor.DBRef{Collection: "people", ID: int32((i * 7919) % benchRefs)} // 7919 is prime: a permutation
	}
	if _, err := db.Collection("people").InsertMany(ctx, docs, nil); err != nil {
		b.Fatal(err)
	}
	return db, refs
}

type benchPerson struct {
	ID   int32  `bson:"_id"`
	Name string `bson:"name"`
	Age  int32  `bson:"age"`
}

// BenchmarkDereference resolves 1000 references one Dereference call at a time: one query each (the N+1 pattern).
func BenchmarkDereference(b *testing.B) {
	db, refs := benchDerefDB(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for _, ref := range refs {
			var p benchPerson
			if err := db.Dereference(ctx, ref, nil).Decode(&p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRefs), "ns/ref")
}

// BenchmarkDereferenceMany resolves the same 1000 references with one DereferenceMany call: one $in query.
func BenchmarkDereferenceMany(b *testing.B) {
	db, refs := benchDerefDB(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var people []benchPerson
		missing, err := db.DereferenceMany(ctx, refs, &people, nil)
		if err != nil || len(missing) != 0 || len(people) != benchRefs {
			b.Fatalf("DereferenceMany: %d documents, missing %v, %v", len(people), missing, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRefs), "ns/ref")
}
