package gridfs_test

// Helpers shared by the tests of package gridfs: a database on the test server with a command recorder. The
// examples use none: each is a whole program that a reader can copy.

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/gridfs"
	"github.com/gomotor/motor/motortest"
)

func TestMain(m *testing.M) { motortest.Main(m) }

// newDB returns a database with a name unique to the test, dropped at the end of the test, and the recorder of the
// commands its client sends.
func newDB(t testing.TB, opts ...motor.Option) (*motor.Database, *motortest.Recorder) {
	t.Helper()
	rec := motortest.NewRecorder()
	c, err := motor.Connect(motortest.URI(t), motor.WithClientOptions(options.Client().SetMonitor(rec.Monitor())))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	db := c.Database(motortest.DBName(t), opts...)
	t.Cleanup(func() { _ = db.Drop(context.Background()) })
	return db, rec
}

// newPlainDB is newDB without a recorder, which would keep a copy of every command (every chunk).
func newPlainDB(t testing.TB) *motor.Database {
	t.Helper()
	c, err := motor.Connect(motortest.URI(t))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	db := c.Database(motortest.DBName(t))
	t.Cleanup(func() { _ = db.Drop(context.Background()) })
	return db
}

// newBucket returns a bucket on a new database, with the recorder of its client.
func newBucket(t testing.TB, opts *gridfs.BucketOptions) (*gridfs.Bucket, *motor.Database, *motortest.Recorder) {
	t.Helper()
	db, rec := newDB(t)
	b, err := gridfs.NewBucket(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b, db, rec
}

// diff fails the test when want and got differ.
func diff(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// docs returns every document of the collection coll of db, in natural order, as bson.D.
func docs(t testing.TB, db *motor.Database, coll string) []bson.D {
	t.Helper()
	cur, err := db.Collection(coll).Find(t.Context(), bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	var out []bson.D
	if err := cur.All(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// strip removes the fields the driver adds to every command and that vary or say nothing here.
func strip(cmds []bson.D, drop ...string) []bson.D {
	drop = append(drop, "$db", "lsid", "$clusterTime", "$readPreference", "txnNumber")
	out := make([]bson.D, len(cmds))
	for i, c := range cmds {
		for _, e := range c {
			keep := true
			for _, k := range drop {
				if e.Key == k {
					keep = false
				}
			}
			if keep {
				out[i] = append(out[i], e)
			}
		}
	}
	return out
}

// majority is the write concern {w: "majority"}.
func majority() *writeconcern.WriteConcern { return writeconcern.Majority() }
