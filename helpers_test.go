package motor_test

// The helpers shared by the tests of package motor: handles on the test server, a client of the scripted wire fake,
// comparisons, and the FerretDB with authentication on. The examples use none: each is a whole program that a reader
// can copy. The tests reach the package's internals through export_test.go, so that no helper exists twice.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestMain(m *testing.M) { motortest.Main(m) }

// Handles on the test server. Tests take their context from t.Context(): it has no deadline, and a deadline would
// make the driver add a maxTimeMS field to every command, so that the recorded commands would vary; go test's
// -timeout bounds the tests instead.

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
	db := c.Database(motortest.DBName(t), opts...)
	t.Cleanup(func() {
		if mdb := db.Mongo(); mdb != nil { // nil for a bad option
			_ = mdb.Drop(context.Background())
		}
	})
	return db, rec
}

// connectOffline is motor.Connect for tests that do no I/O (the address is never dialled successfully); the client is
// disconnected at the end of the test so that its monitoring goroutines end.
func connectOffline(tb testing.TB, uri string, opts ...motor.Option) (*motor.Client, error) {
	c, err := motor.Connect(uri, opts...)
	if err == nil {
		tb.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	}
	return c, err
}

// Comparisons and documents.

// diff fails the test when want and got differ.
func diff(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// rawDoc marshals the document d, failing the test on error.
func rawDoc(t testing.TB, d any) bson.Raw {
	t.Helper()
	raw, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// withDB appends the $db field the driver adds to every command, for comparing recorded commands.
func withDB(db string, d bson.D) bson.D { return append(d, bson.E{Key: "$db", Value: db}) }

// getField returns the value of key in d, or nil.
func getField(d bson.D, key string) any {
	for _, e := range d {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

// fmtErr is err's text, "<nil>" for nil.
func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func boolPtr(b bool) *bool { return &b }

// wantInvalidOption checks the error of a table case: with wantErr set, err must wrap motor.ErrInvalidOption and contain
// wantErr, and the case is done; without, err must be nil.
func wantInvalidOption(t testing.TB, err error, wantErr string) (done bool) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) || !errors.Is(err, motor.ErrInvalidOption) {
			t.Fatalf("error = %v, want ErrInvalidOption containing %q", err, wantErr)
		}
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}

// The scripted wire fake, for what FerretDB cannot show.

// fakeTimeout bounds server selection on a fake, so that a broken fake fails a test instead of hanging it.
const fakeTimeout = 10 * time.Second

// fakeClient connects to the fake f; the client is disconnected at the end of the test, before the fake closes.
func fakeClient(t testing.TB, f *motortest.Fake, opts ...motor.Option) *motor.Client {
	t.Helper()
	all := append([]motor.Option{motor.WithClientOptions(options.Client().SetServerSelectionTimeout(fakeTimeout))}, opts...)
	c, err := motor.Connect(f.URI(), all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

// fakeDB returns the database name on a new client of the fake f.
func fakeDB(t testing.TB, f *motortest.Fake, name string, opts ...motor.Option) *motor.Database {
	t.Helper()
	return fakeClient(t, f).Database(name, opts...)
}

// fakeCommands returns the commands f received whose name is one of names (all when none), without the fields
// that change from run to run (lsid, $clusterTime, maxTimeMS).
func fakeCommands(f *motortest.Fake, names ...string) []bson.D {
	var out []bson.D
	for _, cmd := range f.Commands() {
		if len(cmd) == 0 || len(names) > 0 && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, cmd[0].Key) }) {
			continue
		}
		out = append(out, slices.DeleteFunc(cmd, func(e bson.E) bool {
			return e.Key == "lsid" || e.Key == "$clusterTime" || e.Key == "maxTimeMS"
		}))
	}
	return out
}

// fakeNames returns the names of the commands f received.
func fakeNames(f *motortest.Fake) []string {
	var out []string
	for _, c := range f.Commands() {
		out = append(out, c[0].Key)
	}
	return out
}

// fakeHello scripts f's hello as a MongoDB 7 server's, with fields added.
func fakeHello(f *motortest.Fake, fields ...bson.E) {
	reply := motortest.OK(append([]bson.E{
		{Key: "isWritablePrimary", Value: true},
		{Key: "maxBsonObjectSize", Value: int32(16777216)},
		{Key: "maxMessageSizeBytes", Value: int32(48000000)},
		{Key: "maxWriteBatchSize", Value: int32(100000)},
		{Key: "localTime", Value: bson.NewDateTimeFromTime(time.Now())},
		{Key: "logicalSessionTimeoutMinutes", Value: int32(30)},
		{Key: "minWireVersion", Value: int32(0)},
		{Key: "maxWireVersion", Value: int32(21)},
	}, fields...)...)
	f.Handle("hello", func(bson.D) bson.D { return reply })
}

// fakeMongos scripts f's hello as a mongos, so that the driver sends $readPreference for non-primary reads.
func fakeMongos(f *motortest.Fake) { fakeHello(f, bson.E{Key: "msg", Value: "isdbgrid"}) }

// fakeReplicaSet scripts f's hello as the primary of a one-member replica set. On the direct connection the fake's
// URI asks for, the driver then sends $readPreference with every read as PyMongo does ({mode: "primaryPreferred"}
// for a primary read preference, the mode itself otherwise), so tests can see which read preference an operation
// used. A standalone (the fake's default, and FerretDB) gets no $readPreference.
func fakeReplicaSet(f *motortest.Fake) {
	host := strings.TrimPrefix(f.URI(), "mongodb://")
	host = host[:strings.Index(host, "/")]
	fakeHello(f,
		bson.E{Key: "ismaster", Value: true},
		bson.E{Key: "setName", Value: "rs0"},
		bson.E{Key: "hosts", Value: bson.A{host}},
		bson.E{Key: "me", Value: host},
		bson.E{Key: "connectionId", Value: int32(1)},
	)
}

// primaryRP is the $readPreference the driver sends for a primary read preference on a direct connection to a
// replica-set member.
var primaryRP = bson.E{Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "primaryPreferred"}}}

// cursorReply is a cursor reply: {cursor: {id, ns, firstBatch|nextBatch}, ok: 1}.
func cursorReply(id int64, ns, batch string, docs ...any) bson.D {
	return motortest.OK(bson.E{Key: "cursor", Value: bson.D{
		{Key: "id", Value: id}, {Key: "ns", Value: ns}, {Key: batch, Value: append(bson.A{}, docs...)},
	}})
}

// FerretDB with authentication on.

const (
	authRootUser     = "root"
	authRootPassword = "root-pw-for-motor-tests"
	// authSentinel is the password whose absence from every error, String() and log line the tests check.
	authSentinel = "Sentinel-Pa55word-9f27c1"
)

// authServer starts a FerretDB with authentication on (user root on admin), stopped at the end of the test.
func authServer(t testing.TB) *motortest.Server {
	t.Helper()
	srv, err := startAuthServer(t.Context(), authRootPassword)
	if err != nil {
		t.Fatalf("motortest.StartServer with auth: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// startAuthServer starts a FerretDB with authentication on, whose admin user is root / rootPassword.
func startAuthServer(ctx context.Context, rootPassword string) (*motortest.Server, error) {
	return motortest.StartServer(ctx, &motortest.ServerOptions{Auth: &motortest.Auth{Username: authRootUser, Password: rootPassword}})
}

// rootCredential is the credential of srv's root user.
func rootCredential(rootPassword string) *options.ClientOptions {
	return options.Client().SetAuth(options.Credential{Username: authRootUser, Password: rootPassword, AuthSource: "admin"})
}

// authClient connects to srv with extra driver options (nil for none), disconnected at the end of the test.
func authClient(t testing.TB, srv *motortest.Server, co *options.ClientOptions) *motor.Client {
	t.Helper()
	var opts []motor.Option
	if co != nil {
		opts = append(opts, motor.WithClientOptions(co))
	}
	c, err := motor.Connect(srv.URI(), opts...)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

// authRoot connects to srv as root.
func authRoot(t testing.TB, srv *motortest.Server) *motor.Client {
	t.Helper()
	return authClient(t, srv, rootCredential(authRootPassword))
}

func insertN(t *testing.T, coll *motor.Collection, n int) {
	t.Helper()
	docs := make([]any, n)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: i + 1}, {Key: "sub", Value: bson.D{{Key: "i", Value: i + 1}}}}
	}
	if _, err := coll.InsertMany(t.Context(), docs, nil); err != nil {
		t.Fatal(err)
	}
}
