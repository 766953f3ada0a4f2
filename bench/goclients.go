package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
)

// clientConfig is what a client process is told: the flags of the client mode, the same for the Python and
// Node.js clients.
type clientConfig struct {
	workload string
	uri      string
	data     string // the directory with tweet.json, small_doc.json and large_doc.json
	tag      string // a name for the client's own collections
	FileMiB  int    // the GridFS workloads' file size
	sizes
}

// specDocs are the driver benchmark specification's documents, decoded from extended JSON.
type specDocs struct{ tweet, small, large bson.D }

func loadSpecDocs(dir string) (specDocs, error) {
	var d specDocs
	for _, f := range []struct {
		name string
		dst  *bson.D
	}{{"tweet.json", &d.tweet}, {"small_doc.json", &d.small}, {"large_doc.json", &d.large}} {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			return d, err
		}
		if err := bson.UnmarshalExtJSON(b, false, f.dst); err != nil {
			return d, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return d, nil
}

// writeCollection is the client's own collection for an insert workload, dropped first (the spec's before-task).
func writeCollection(cfg clientConfig) string { return cfg.workload + "_" + cfg.tag }

// refIDs are the _ids of bench_ref.refs.
func refIDs(n int) []any {
	ids := make([]any, n)
	for i := range ids {
		ids[i] = int32(i)
	}
	return ids
}

// aggPipeline is the aggregate workload's pipeline.
var aggPipeline = bson.A{
	bson.D{{Key: "$match", Value: bson.D{{Key: "g", Value: bson.D{{Key: "$lt", Value: 5}}}}}},
	bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$g"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
}

// cursor is what motor's cursors and the driver's offer.
type cursor interface {
	Next(context.Context) bool
	Decode(any) error
	Err() error
	Close(context.Context) error
}

// drained returns an operation that opens a cursor with open and empties it with drain.
func drained[C cursor](open func(ctx context.Context) (C, error), want int) opFunc {
	return func(ctx context.Context, _ int) error {
		cur, err := open(ctx)
		if err != nil {
			return err
		}
		return drain(ctx, cur, want)
	}
}

// drain decodes every document of a cursor into a bson.D and checks the count, as a user emptying it would.
func drain(ctx context.Context, cur cursor, want int) error {
	defer cur.Close(ctx)
	n := 0
	for cur.Next(ctx) {
		var d bson.D
		if err := cur.Decode(&d); err != nil {
			return err
		}
		n++
	}
	if err := cur.Err(); err != nil {
		return err
	}
	if want >= 0 && n != want {
		return fmt.Errorf("%d documents, want %d", n, want)
	}
	return nil
}

// manyDocs returns n copies of doc for insertMany, without _id (the driver adds it).
func manyDocs(doc bson.D, n int) []any {
	docs := make([]any, n)
	for i := range docs {
		docs[i] = doc
	}
	return docs
}

// inserter is the two inserts of motor's or the driver's collection, for the insert workloads.
type inserter struct {
	one  func(ctx context.Context, doc any) error
	many func(ctx context.Context, docs []any) error
}

// motorInserter is the inserts of motor's collection cl.
func motorInserter(cl *motor.Collection) inserter {
	return inserter{
		one: func(ctx context.Context, doc any) error {
			_, err := cl.InsertOne(ctx, doc, nil)
			return err
		},
		many: func(ctx context.Context, docs []any) error {
			_, err := cl.InsertMany(ctx, docs, nil)
			return err
		},
	}
}

// driverInserter is the inserts of the driver's collection cl.
func driverInserter(cl *mongo.Collection) inserter {
	return inserter{
		one: func(ctx context.Context, doc any) error {
			_, err := cl.InsertOne(ctx, doc)
			return err
		},
		many: func(ctx context.Context, docs []any) error {
			_, err := cl.InsertMany(ctx, docs)
			return err
		},
	}
}

// isInsert reports whether workload is one of the insert workloads, which insertWorkload runs.
func isInsert(workload string) bool {
	switch base(workload) {
	case "insert_one", "small_insert_one", "large_insert_one", "small_bulk_insert", "large_bulk_insert":
		return true
	}
	return false
}

// insertWorkload returns the operation of an insert workload into cl, which dropErr says whether dropping first
// (the spec's before-task) failed.
func insertWorkload(cfg clientConfig, docs specDocs, cl inserter, dropErr error) (opFunc, error) {
	if dropErr != nil {
		return nil, dropErr
	}
	one := func(doc bson.D) opFunc {
		return func(ctx context.Context, _ int) error {
			return cl.one(ctx, doc)
		}
	}
	many := func(docs []any) opFunc {
		return func(ctx context.Context, _ int) error {
			return cl.many(ctx, docs)
		}
	}
	switch base(cfg.workload) {
	case "insert_one":
		return func(ctx context.Context, i int) error {
			return cl.one(ctx, bson.D{{Key: "i", Value: int64(i)}})
		}, nil
	case "small_insert_one":
		return one(docs.small), nil
	case "large_insert_one":
		return one(docs.large), nil
	case "small_bulk_insert":
		return many(manyDocs(docs.small, cfg.BulkSmall)), nil
	default:
		return many(manyDocs(docs.large, cfg.BulkLarge)), nil
	}
}

// connected builds the operation of a workload with build on a client that connect made, and returns it with a
// function that disconnects the client.
func connected[C interface{ Disconnect(context.Context) error }](connect func() (C, error), build func(C) (opFunc, error)) (opFunc, func(), error) {
	c, err := connect()
	if err != nil {
		return nil, nil, err
	}
	done := func() { _ = c.Disconnect(context.Background()) }
	op, err := build(c)
	if err != nil {
		done()
		return nil, nil, err
	}
	return op, done, nil
}

// motorWorkload returns the operation of cfg.workload through motor's public API.
func motorWorkload(ctx context.Context, c *motor.Client, cfg clientConfig, docs specDocs) (opFunc, error) {
	coll := func(dbName, name string) *motor.Collection { return c.Database(dbName).Collection(name) }
	if cl := coll(dbWrite, writeCollection(cfg)); isInsert(cfg.workload) {
		return insertWorkload(cfg, docs, motorInserter(cl), cl.Drop(ctx))
	}
	refs := make([]motor.DBRef, cfg.Refs)
	for i := range refs {
		refs[i] = motor.DBRef{Collection: "refs", ID: int32(i)}
	}

	switch base(cfg.workload) {
	case "ping", "ping_64":
		d := c.Database(dbPing)
		return func(ctx context.Context, _ int) error {
			_, err := d.Command(ctx, "ping", nil)
			return err
		}, nil
	case "list_collection_names":
		d := c.Database(dbList)
		return func(ctx context.Context, _ int) error {
			names, err := d.ListCollectionNames(ctx, nil)
			if err == nil && len(names) != listCollections {
				err = fmt.Errorf("%d names", len(names))
			}
			return err
		}, nil
	case "create_drop":
		d, name := c.Database(dbWrite), writeCollection(cfg)
		if _, err := d.DropCollection(ctx, name, nil); err != nil {
			return nil, err
		}
		return func(ctx context.Context, _ int) error {
			if _, err := d.CreateCollection(ctx, name, nil); err != nil {
				return err
			}
			_, err := d.DropCollection(ctx, name, nil)
			return err
		}, nil
	case "dereference":
		d := c.Database(dbRef)
		return func(ctx context.Context, i int) error {
			var doc bson.D
			return d.Dereference(ctx, refs[i%len(refs)], nil).Decode(&doc)
		}, nil
	case "deref_single":
		d := c.Database(dbRef)
		return func(ctx context.Context, _ int) error {
			for _, r := range refs {
				var doc bson.D
				if err := d.Dereference(ctx, r, nil).Decode(&doc); err != nil {
					return err
				}
			}
			return nil
		}, nil
	case "deref_many":
		d := c.Database(dbRef)
		return func(ctx context.Context, _ int) error {
			var out []bson.D
			missing, err := d.DereferenceMany(ctx, refs, &out, nil)
			if err == nil && len(missing) > 0 {
				err = fmt.Errorf("%d missing", len(missing))
			}
			return err
		}, nil
	case "aggregate":
		cl := coll(dbRef, "agg")
		return drained(func(ctx context.Context) (*motor.Cursor, error) { return cl.Aggregate(ctx, aggPipeline, nil) }, 5), nil
	case "find_one_by_id":
		cl := coll(dbSpec, "corpus")
		return func(ctx context.Context, i int) error {
			var doc bson.D
			return cl.FindOne(ctx, bson.D{{Key: "_id", Value: int32(i%cfg.Corpus + 1)}}, nil).Decode(&doc)
		}, nil
	case "find_many":
		cl := coll(dbSpec, "corpus")
		return drained(func(ctx context.Context) (*motor.Cursor, error) { return cl.Find(ctx, bson.D{}, nil) }, cfg.Corpus), nil
	}
	return nil, fmt.Errorf("unknown workload %q", cfg.workload)
}

// driverWorkload is motorWorkload with the raw driver: the same operations, decoded the same way, on a client made
// from the same URI (so with the same pool settings).
func driverWorkload(ctx context.Context, c *mongo.Client, cfg clientConfig, docs specDocs) (opFunc, error) {
	if cl := c.Database(dbWrite).Collection(writeCollection(cfg)); isInsert(cfg.workload) {
		return insertWorkload(cfg, docs, driverInserter(cl), cl.Drop(ctx))
	}
	ids := refIDs(cfg.Refs)
	refs := c.Database(dbRef).Collection("refs")
	ping := bson.D{{Key: "ping", Value: 1}}

	switch base(cfg.workload) {
	case "ping", "ping_64":
		d := c.Database(dbPing)
		return func(ctx context.Context, _ int) error {
			var reply bson.D
			return d.RunCommand(ctx, ping).Decode(&reply)
		}, nil
	case "list_collection_names":
		d := c.Database(dbList)
		return func(ctx context.Context, _ int) error {
			names, err := d.ListCollectionNames(ctx, bson.D{})
			if err == nil && len(names) != listCollections {
				err = fmt.Errorf("%d names", len(names))
			}
			return err
		}, nil
	case "create_drop":
		d, name := c.Database(dbWrite), writeCollection(cfg)
		if err := d.Collection(name).Drop(ctx); err != nil {
			return nil, err
		}
		return func(ctx context.Context, _ int) error {
			if err := d.CreateCollection(ctx, name); err != nil {
				return err
			}
			return d.Collection(name).Drop(ctx)
		}, nil
	case "dereference":
		return func(ctx context.Context, i int) error {
			var doc bson.D
			return refs.FindOne(ctx, bson.D{{Key: "_id", Value: ids[i%len(ids)]}}).Decode(&doc)
		}, nil
	case "deref_single":
		return func(ctx context.Context, _ int) error {
			for _, id := range ids {
				var doc bson.D
				if err := refs.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
					return err
				}
			}
			return nil
		}, nil
	case "deref_many":
		filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
		return drained(func(ctx context.Context) (*mongo.Cursor, error) { return refs.Find(ctx, filter) }, len(ids)), nil
	case "aggregate":
		cl := c.Database(dbRef).Collection("agg")
		return drained(func(ctx context.Context) (*mongo.Cursor, error) { return cl.Aggregate(ctx, aggPipeline) }, 5), nil
	case "find_one_by_id":
		cl := c.Database(dbSpec).Collection("corpus")
		return func(ctx context.Context, i int) error {
			var doc bson.D
			return cl.FindOne(ctx, bson.D{{Key: "_id", Value: int32(i%cfg.Corpus + 1)}}).Decode(&doc)
		}, nil
	case "find_many":
		cl := c.Database(dbSpec).Collection("corpus")
		return drained(func(ctx context.Context) (*mongo.Cursor, error) { return cl.Find(ctx, bson.D{}) }, cfg.Corpus), nil
	}
	return nil, fmt.Errorf("unknown workload %q", cfg.workload)
}
