package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
)

// clientConfig is what a client process is told: the flags of the client mode, the same for the Python and
// Node.js clients.
type clientConfig struct {
	workload string
	uri      string
	data     string // the directory with tweet.json, small_doc.json and large_doc.json
	tag      string // a name for the client's own collections
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

// drain decodes every document of a cursor into a bson.D and checks the count, as a user emptying it would.
func drain(ctx context.Context, cur interface {
	Next(context.Context) bool
	Decode(any) error
	Err() error
	Close(context.Context) error
}, want int) error {
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

// motorOp returns the operation of cfg.workload through motor's public API, and a function that disconnects.
// motor has no Collection.Aggregate, so aggregate goes through Database.CommandCursor.
func motorOp(ctx context.Context, cfg clientConfig, docs specDocs) (opFunc, func(), error) {
	c, err := motor.Connect(cfg.uri)
	if err != nil {
		return nil, nil, err
	}
	done := func() { _ = c.Disconnect(context.Background()) }
	op, err := motorWorkload(ctx, c, cfg, docs)
	if err != nil {
		done()
		return nil, nil, err
	}
	return op, done, nil
}

func motorWorkload(ctx context.Context, c *motor.Client, cfg clientConfig, docs specDocs) (opFunc, error) {
	db := func(name string) *motor.Database {
		d, err := c.Database(name)
		if err != nil {
			panic(err) // the names are constants
		}
		return d
	}
	coll := func(dbName, name string) *motor.Collection {
		cl, err := db(dbName).Collection(name)
		if err != nil {
			panic(err)
		}
		return cl
	}
	writeColl := func() (*motor.Collection, error) {
		cl := coll(dbWrite, writeCollection(cfg))
		return cl, cl.Drop(ctx)
	}
	refs := make([]motor.DBRef, cfg.Refs)
	for i := range refs {
		refs[i] = motor.DBRef{Collection: "refs", ID: int32(i)}
	}

	switch base(cfg.workload) {
	case "ping", "ping_64":
		d := db(dbPing)
		return func(ctx context.Context, _ int) error {
			_, err := d.Command(ctx, "ping", nil)
			return err
		}, nil
	case "list_collection_names":
		d := db(dbList)
		return func(ctx context.Context, _ int) error {
			names, err := d.ListCollectionNames(ctx, nil)
			if err == nil && len(names) != listCollections {
				err = fmt.Errorf("%d names", len(names))
			}
			return err
		}, nil
	case "create_drop":
		d, name := db(dbWrite), writeCollection(cfg)
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
		d := db(dbRef)
		return func(ctx context.Context, i int) error {
			var doc bson.D
			return d.Dereference(ctx, refs[i%len(refs)]).Decode(&doc)
		}, nil
	case "deref_single":
		d := db(dbRef)
		return func(ctx context.Context, _ int) error {
			for _, r := range refs {
				var doc bson.D
				if err := d.Dereference(ctx, r).Decode(&doc); err != nil {
					return err
				}
			}
			return nil
		}, nil
	case "deref_many":
		d := db(dbRef)
		return func(ctx context.Context, _ int) error {
			var out []bson.D
			missing, err := d.DereferenceMany(ctx, refs, &out)
			if err == nil && len(missing) > 0 {
				err = fmt.Errorf("%d missing", len(missing))
			}
			return err
		}, nil
	case "insert_one":
		cl, err := writeColl()
		return func(ctx context.Context, i int) error {
			_, err := cl.InsertOne(ctx, bson.D{{Key: "i", Value: int64(i)}})
			return err
		}, err
	case "aggregate":
		d := db(dbRef)
		cmd := bson.D{{Key: "aggregate", Value: "agg"}, {Key: "pipeline", Value: aggPipeline}, {Key: "cursor", Value: bson.D{}}}
		return func(ctx context.Context, _ int) error {
			cur, err := d.CommandCursor(ctx, cmd, nil)
			if err != nil {
				return err
			}
			return drain(ctx, cur, 5)
		}, nil
	case "find_one_by_id":
		cl := coll(dbSpec, "corpus")
		return func(ctx context.Context, i int) error {
			var doc bson.D
			return cl.FindOne(ctx, bson.D{{Key: "_id", Value: int32(i%cfg.Corpus + 1)}}).Decode(&doc)
		}, nil
	case "find_many":
		cl := coll(dbSpec, "corpus")
		return func(ctx context.Context, _ int) error {
			cur, err := cl.Find(ctx, bson.D{})
			if err != nil {
				return err
			}
			return drain(ctx, cur, cfg.Corpus)
		}, nil
	case "small_insert_one", "large_insert_one":
		doc := docs.small
		if base(cfg.workload) == "large_insert_one" {
			doc = docs.large
		}
		cl, err := writeColl()
		return func(ctx context.Context, _ int) error {
			_, err := cl.InsertOne(ctx, doc)
			return err
		}, err
	case "small_bulk_insert", "large_bulk_insert":
		many := manyDocs(docs.small, cfg.BulkSmall)
		if base(cfg.workload) == "large_bulk_insert" {
			many = manyDocs(docs.large, cfg.BulkLarge)
		}
		cl, err := writeColl()
		return func(ctx context.Context, _ int) error {
			_, err := cl.InsertMany(ctx, many)
			return err
		}, err
	}
	return nil, fmt.Errorf("unknown workload %q", cfg.workload)
}

// driverOp is motorOp with the raw driver: the same operations, decoded the same way, on a client made from the
// same URI (so with the same pool settings).
func driverOp(ctx context.Context, cfg clientConfig, docs specDocs) (opFunc, func(), error) {
	c, err := mongo.Connect(options.Client().ApplyURI(cfg.uri))
	if err != nil {
		return nil, nil, err
	}
	done := func() { _ = c.Disconnect(context.Background()) }
	op, err := driverWorkload(ctx, c, cfg, docs)
	if err != nil {
		done()
		return nil, nil, err
	}
	return op, done, nil
}

func driverWorkload(ctx context.Context, c *mongo.Client, cfg clientConfig, docs specDocs) (opFunc, error) {
	writeColl := func() (*mongo.Collection, error) {
		cl := c.Database(dbWrite).Collection(writeCollection(cfg))
		return cl, cl.Drop(ctx)
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
		return func(ctx context.Context, _ int) error {
			cur, err := refs.Find(ctx, filter)
			if err != nil {
				return err
			}
			return drain(ctx, cur, len(ids))
		}, nil
	case "insert_one":
		cl, err := writeColl()
		return func(ctx context.Context, i int) error {
			_, err := cl.InsertOne(ctx, bson.D{{Key: "i", Value: int64(i)}})
			return err
		}, err
	case "aggregate":
		cl := c.Database(dbRef).Collection("agg")
		return func(ctx context.Context, _ int) error {
			cur, err := cl.Aggregate(ctx, aggPipeline)
			if err != nil {
				return err
			}
			return drain(ctx, cur, 5)
		}, nil
	case "find_one_by_id":
		cl := c.Database(dbSpec).Collection("corpus")
		return func(ctx context.Context, i int) error {
			var doc bson.D
			return cl.FindOne(ctx, bson.D{{Key: "_id", Value: int32(i%cfg.Corpus + 1)}}).Decode(&doc)
		}, nil
	case "find_many":
		cl := c.Database(dbSpec).Collection("corpus")
		return func(ctx context.Context, _ int) error {
			cur, err := cl.Find(ctx, bson.D{})
			if err != nil {
				return err
			}
			return drain(ctx, cur, cfg.Corpus)
		}, nil
	case "small_insert_one", "large_insert_one":
		doc := docs.small
		if base(cfg.workload) == "large_insert_one" {
			doc = docs.large
		}
		cl, err := writeColl()
		return func(ctx context.Context, _ int) error {
			_, err := cl.InsertOne(ctx, doc)
			return err
		}, err
	case "small_bulk_insert", "large_bulk_insert":
		many := manyDocs(docs.small, cfg.BulkSmall)
		if base(cfg.workload) == "large_bulk_insert" {
			many = manyDocs(docs.large, cfg.BulkLarge)
		}
		cl, err := writeColl()
		return func(ctx context.Context, _ int) error {
			_, err := cl.InsertMany(ctx, many)
			return err
		}, err
	}
	return nil, fmt.Errorf("unknown workload %q", cfg.workload)
}
