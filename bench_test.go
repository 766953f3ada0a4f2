package motor_test

// Benchmarks of motor side by side with the raw driver in the same run, after MongoDB's driver benchmark
// specification (shared/reference/benchmarking.md): Find one by ID, small doc insertOne, find many and empty the
// cursor, and flat/deep BSON decoding. Each sub-benchmark pair (motor, driver) does the same work; the ratio is the
// overhead motor adds. Run with:
//
//	go test -run '^$' -bench . -benchmem .

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// loadDoc reads an extended JSON document from testdata/bench.
func loadDoc(b *testing.B, name string) bson.D {
	b.Helper()
	data, err := os.ReadFile("testdata/bench/" + name)
	if err != nil {
		b.Fatal(err)
	}
	var d bson.D
	if err := bson.UnmarshalExtJSON(data, false, &d); err != nil {
		b.Fatal(err)
	}
	return d
}

// benchSetup returns a motor collection and the raw driver collection on the same namespace of a fresh database.
func benchSetup(b *testing.B, name string) (*motor.Collection, *mongo.Collection) {
	b.Helper()
	uri, err := motortest.SharedURI()
	if err != nil {
		b.Fatal(err)
	}
	c, err := motor.Connect(uri)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	db := c.Database(motortest.DBName(b))
	b.Cleanup(func() { _ = db.Mongo().Drop(context.Background()) })
	coll := db.Collection(name)
	mc, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = mc.Disconnect(context.Background()) })
	return coll, mc.Database(db.Name()).Collection(name)
}

// docCursor is what motor's and the driver's cursors both offer.
type docCursor interface {
	Next(context.Context) bool
	Decode(any) error
	Err() error
}

// drainDocs decodes every document of cur into a bson.D and checks that there were n.
func drainDocs(b *testing.B, ctx context.Context, cur docCursor, n int) {
	b.Helper()
	count := 0
	for cur.Next(ctx) {
		var d bson.D
		if err := cur.Decode(&d); err != nil {
			b.Fatal(err)
		}
		count++
	}
	if cur.Err() != nil || count != n {
		b.Fatalf("%d documents, %v", count, cur.Err())
	}
}

func BenchmarkFindOneByID(b *testing.B) {
	const n = 1000
	tweet := loadDoc(b, "tweet.json")
	coll, raw := benchSetup(b, "corpus")
	docs := make([]any, n)
	for i := range docs {
		docs[i] = append(bson.D{{Key: "_id", Value: int32(i + 1)}}, tweet...)
	}
	ctx := context.Background()
	if _, err := raw.InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	b.Run("motor", func(b *testing.B) {
		b.SetBytes(1621)
		for i := 0; b.Loop(); i++ {
			var d bson.D
			if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: int32(i%n + 1)}}, nil).Decode(&d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver", func(b *testing.B) {
		b.SetBytes(1621)
		for i := 0; b.Loop(); i++ {
			var d bson.D
			if err := raw.FindOne(ctx, bson.D{{Key: "_id", Value: int32(i%n + 1)}}).Decode(&d); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSmallDocInsertOne(b *testing.B) {
	small := loadDoc(b, "small_doc.json")
	coll, raw := benchSetup(b, "corpus")
	ctx := context.Background()
	b.Run("motor", func(b *testing.B) {
		b.SetBytes(275)
		for b.Loop() {
			if _, err := coll.InsertOne(ctx, small, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver", func(b *testing.B) {
		b.SetBytes(275)
		for b.Loop() {
			if _, err := raw.InsertOne(ctx, small); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFindManyEmptyCursor(b *testing.B) {
	const n = 1000
	tweet := loadDoc(b, "tweet.json")
	coll, raw := benchSetup(b, "corpus")
	ctx := context.Background()
	docs := make([]any, n)
	for i := range docs {
		docs[i] = tweet
	}
	if _, err := raw.InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	b.Run("motor", func(b *testing.B) {
		b.SetBytes(n * 1621)
		for b.Loop() {
			cur, err := coll.Find(ctx, bson.D{}, nil)
			if err != nil {
				b.Fatal(err)
			}
			drainDocs(b, ctx, cur, n)
		}
	})
	b.Run("driver", func(b *testing.B) {
		b.SetBytes(n * 1621)
		for b.Loop() {
			cur, err := raw.Find(ctx, bson.D{})
			if err != nil {
				b.Fatal(err)
			}
			drainDocs(b, ctx, cur, n)
		}
	})
}

// BenchmarkFindSmallDocs finds 100 small documents and decodes each into a bson.D: motor's Find against the
// driver's.
func BenchmarkFindSmallDocs(b *testing.B) {
	const n = 100
	small := loadDoc(b, "small_doc.json")
	coll, raw := benchSetup(b, "corpus")
	ctx := context.Background()
	docs := make([]any, n)
	for i := range docs {
		docs[i] = small
	}
	if _, err := raw.InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	b.Run("motor", func(b *testing.B) {
		for b.Loop() {
			cur, err := coll.Find(ctx, bson.D{}, nil)
			if err != nil {
				b.Fatal(err)
			}
			drainDocs(b, ctx, cur, n)
		}
	})
	b.Run("driver", func(b *testing.B) {
		for b.Loop() {
			cur, err := raw.Find(ctx, bson.D{})
			if err != nil {
				b.Fatal(err)
			}
			drainDocs(b, ctx, cur, n)
		}
	})
}

// BenchmarkDereferenceOne resolves one reference: motor's Dereference against the driver's FindOne by _id, both
// decoding into a struct.
func BenchmarkDereferenceOne(b *testing.B) {
	coll, raw := benchSetup(b, "people")
	db := coll.Database()
	ctx := context.Background()
	if _, err := raw.InsertOne(ctx, bson.D{{Key: "_id", Value: int32(7)}, {Key: "name", Value: "ann"}, {Key: "age", Value: int32(40)}}); err != nil {
		b.Fatal(err)
	}
	ref := motor.DBRef{Collection: "people", ID: int32(7)}
	type person struct {
		ID   int32  `bson:"_id"`
		Name string `bson:"name"`
		Age  int32  `bson:"age"`
	}
	b.Run("motor", func(b *testing.B) {
		for b.Loop() {
			var p person
			if err := db.Dereference(ctx, ref, nil).Decode(&p); err != nil || p.Age != 40 {
				b.Fatal(p, err)
			}
		}
	})
	b.Run("driver", func(b *testing.B) {
		for b.Loop() {
			var p person
			if err := raw.FindOne(ctx, bson.D{{Key: "_id", Value: ref.ID}}).Decode(&p); err != nil || p.Age != 40 {
				b.Fatal(p, err)
			}
		}
	})
}

// BenchmarkDecode compares motor's codec (default options, and tz-aware with bson.M documents) with the driver's
// bson.Unmarshal on the spec's flat and deep documents. No server.
func BenchmarkDecode(b *testing.B) {
	for _, file := range []string{"flat_bson.json", "deep_bson.json"} {
		raw, err := bson.Marshal(loadDoc(b, file))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%s/motor", file), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			co := motor.CodecOptions{}
			for b.Loop() {
				var d bson.D
				if err := co.Decode(raw, &d); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%s/motor-tzaware-M", file), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			co := motor.CodecOptions{TZAware: true, DocumentType: reflect.TypeOf(bson.M{})}
			for b.Loop() {
				var d bson.M
				if err := co.Decode(raw, &d); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%s/driver", file), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				var d bson.D
				if err := bson.Unmarshal(raw, &d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunCommand is the spec's "Run command" task with ping: motor's Command (which builds, encodes and checks
// the command and decodes the reply into a bson.D) against the driver's RunCommand decoding into a bson.D.
func BenchmarkRunCommand(b *testing.B) {
	coll, raw := benchSetup(b, "unused")
	db := coll.Database()
	mdb := raw.Database()
	ctx := context.Background()
	b.Run("motor", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Command(ctx, "ping", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver", func(b *testing.B) {
		for b.Loop() {
			var d bson.D
			if err := mdb.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Decode(&d); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListCollectionNames lists 50 collections: motor's ListCollectionNames against the driver's.
func BenchmarkListCollectionNames(b *testing.B) {
	coll, raw := benchSetup(b, "unused")
	db := coll.Database()
	mdb := raw.Database()
	ctx := context.Background()
	const n = 50
	for i := range n {
		if err := mdb.CreateCollection(ctx, fmt.Sprintf("c%03d", i)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("motor", func(b *testing.B) {
		for b.Loop() {
			if names, err := db.ListCollectionNames(ctx, nil); err != nil || len(names) != n {
				b.Fatal(len(names), err)
			}
		}
	})
	b.Run("driver", func(b *testing.B) {
		for b.Loop() {
			if names, err := mdb.ListCollectionNames(ctx, bson.D{}); err != nil || len(names) != n {
				b.Fatal(len(names), err)
			}
		}
	})
}

// BenchmarkCollectionHandle measures making a collection handle with options (Motor's get_collection), which is
// client-side only, against the driver's Database.Collection.
func BenchmarkCollectionHandle(b *testing.B) {
	coll, raw := benchSetup(b, "unused")
	db := coll.Database()
	mdb := raw.Database()
	opt := motor.WithCodecOptions(motor.CodecOptions{TZAware: true})
	b.Run("motor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := db.Collection("things", opt).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = mdb.Collection("things")
		}
	})
}
