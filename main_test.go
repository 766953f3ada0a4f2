package motor_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestMain(m *testing.M) { motortest.Main(m) }

// ctxT returns a context that ends with the test. It has no deadline: the driver turns a deadline into a maxTimeMS
// field on every command, which would make the recorded commands vary; go test's -timeout bounds the tests instead.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}

// newClient connects to the test server with a command recorder; the client is disconnected at the end of the test.
func newClient(t testing.TB, opts ...motor.Option) (*motor.Client, *motortest.Recorder) {
	t.Helper()
	rec := motortest.NewRecorder()
	all := append([]motor.Option{motor.WithClientOptions(options.Client().SetMonitor(rec.Monitor()))}, opts...)
	c, err := motor.Connect(motortest.URI(t), all...)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c, rec
}

// newDB returns a database with a name unique to the test, dropped at the end of the test.
func newDB(t testing.TB, opts ...motor.Option) (*motor.Database, *motortest.Recorder) {
	t.Helper()
	c, rec := newClient(t)
	db, err := c.Database(motortest.DBName(t), opts...)
	if err != nil {
		t.Fatalf("Database: %v", err)
	}
	t.Cleanup(func() { _ = db.Mongo().Drop(context.Background()) })
	return db, rec
}

func mustColl(t testing.TB, db *motor.Database, name string, opts ...motor.Option) *motor.Collection {
	t.Helper()
	c, err := db.Collection(name, opts...)
	if err != nil {
		t.Fatalf("Collection(%q): %v", name, err)
	}
	return c
}

// diff fails the test when want and got differ.
func diff(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// withDB appends the $db field the driver adds to every command, for comparing recorded commands.
func withDB(db string, d bson.D) bson.D { return append(d, bson.E{Key: "$db", Value: db}) }
