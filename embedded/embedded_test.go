package embedded_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor/embedded"
)

// sentinelPassword must never appear in a URI, a String, an error or a log record.
const sentinelPassword = "s3ntinel-pw-XYZ"

// testTimeout bounds each server operation in these tests.
const testTimeout = 30 * time.Second

// start starts a server and closes it when the test ends.
func start(t *testing.T, opts *embedded.Options) *embedded.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute) // may build the binary
	defer cancel()
	srv, err := embedded.Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

// connect connects a client to srv and disconnects it when the test ends.
func connect(t *testing.T, srv *embedded.Server, cred *options.Credential) *mongo.Client {
	t.Helper()
	opts := options.Client().ApplyURI(srv.URI()).
		SetServerSelectionTimeout(5 * time.Second).
		SetTimeout(testTimeout)
	if cred != nil {
		opts.SetAuth(*cred)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		_ = client.Disconnect(ctx)
	})
	return client
}

// ctx returns a context bounded by testTimeout.
func ctx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// checkURI checks that srv's URI and address agree and carry no credentials.
func checkURI(t *testing.T, srv *embedded.Server) {
	t.Helper()
	u, err := url.Parse(srv.URI())
	if err != nil {
		t.Fatalf("URI %q: %v", srv.URI(), err)
	}
	if u.Scheme != "mongodb" || u.User != nil || u.Host != srv.Addr() || u.Path != "/" || u.RawQuery != "" {
		t.Errorf("URI = %q, want mongodb://%s/", srv.URI(), srv.Addr())
	}
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Errorf("Addr = %q, want 127.0.0.1:PORT", srv.Addr())
	}
	if s := srv.String(); !strings.Contains(s, "FerretDB "+embedded.FerretDBVersion) || !strings.Contains(s, srv.Addr()) {
		t.Errorf("String = %q", s)
	}
}

// insertFind inserts a document into coll and reads it back.
func insertFind(t *testing.T, coll *mongo.Collection) {
	t.Helper()
	if _, err := coll.InsertOne(ctx(t), bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "Rex"}}); err != nil {
		t.Fatalf("InsertOne: %v", err)
	}
	var got struct {
		ID   int    `bson:"_id"`
		Name string `bson:"name"`
	}
	if err := coll.FindOne(ctx(t), bson.D{{Key: "_id", Value: 1}}).Decode(&got); err != nil {
		t.Fatalf("FindOne: %v", err)
	}
	if got.ID != 1 || got.Name != "Rex" {
		t.Errorf("FindOne = %+v, want {1 Rex}", got)
	}
}

func TestStart(t *testing.T) {
	srv := start(t, nil)
	checkURI(t, srv)
	if s := srv.String(); strings.Contains(s, "auth") {
		t.Errorf("String = %q, want no auth", s)
	}

	client := connect(t, srv, nil)
	if err := client.Ping(ctx(t), nil); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	insertFind(t, client.Database("embedded_test").Collection("pets"))
}

func TestClose(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // Start's temporary directory goes here

	srv, err := embedded.Start(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		t.Fatalf("TMPDIR has %d entries, want the data directory", len(entries))
	}

	// A connected client does not keep Close from returning (FerretDB waits 3 seconds for it).
	client := connect(t, srv, nil)
	if _, err = client.Database("embedded_test").Collection("c").InsertOne(ctx(t), bson.D{{Key: "a", Value: 1}}); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := srv.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	wg.Wait()
	if err = srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	if entries, _ = os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("TMPDIR after Close has %v, want nothing", entries)
	}
	if c, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Close", srv.Addr())
	}
}

func TestStartDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")

	srv := start(t, &embedded.Options{Dir: dir})
	client := connect(t, srv, nil)
	insertFind(t, client.Database("embedded_test").Collection("pets"))
	if err := client.Disconnect(ctx(t)); err != nil { // or Close waits 3 seconds for it
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "embedded_test.sqlite")); err != nil {
		t.Errorf("data file after Close: %v", err)
	}

	// The data outlives the server.
	srv = start(t, &embedded.Options{Dir: dir})
	client = connect(t, srv, nil)
	n, err := client.Database("embedded_test").Collection("pets").CountDocuments(ctx(t), bson.D{})
	if err != nil || n != 1 {
		t.Errorf("CountDocuments after restart = %d, %v; want 1", n, err)
	}
}

func TestStartParallel(t *testing.T) {
	for i := range 3 {
		t.Run(string(rune('a'+i)), func(t *testing.T) {
			t.Parallel()
			srv := start(t, nil)
			client := connect(t, srv, nil)
			insertFind(t, client.Database("embedded_test").Collection("pets"))
		})
	}
}

func TestStartLogger(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := start(t, &embedded.Options{Logger: logger})
	if err := connect(t, srv, nil).Ping(ctx(t), nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Listening on TCP") {
		t.Errorf("log has no listening message:\n%s", buf.String())
	}
}

func TestStartErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		ctx  context.Context
		opts *embedded.Options
	}{
		{"nil context", nil, nil},
		{"canceled", canceled, nil},
		{"dir is a file", context.Background(), &embedded.Options{Dir: file}},
		{"no username", context.Background(), &embedded.Options{Auth: &embedded.Auth{Password: sentinelPassword}}},
		{"no password", context.Background(), &embedded.Options{Auth: &embedded.Auth{Username: "u"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := embedded.Start(tc.ctx, tc.opts)
			if err == nil {
				srv.Close()
				t.Fatal("Start succeeded")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "embedded: ") || strings.Contains(msg, sentinelPassword) {
				t.Errorf("error = %q", msg)
			}
		})
	}
}

// authServer is shared by the tests that need the ferretdb binary.
var authServer struct {
	once sync.Once
	srv  *embedded.Server
	err  error
}

// startAuth returns a server with authentication for user "root", sentinelPassword.
// The server is shared and closed by TestMain.
func startAuth(t *testing.T) *embedded.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("authentication needs the ferretdb binary, which may take minutes to build")
	}
	authServer.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		authServer.srv, authServer.err = embedded.Start(ctx, &embedded.Options{
			Auth: &embedded.Auth{Username: "root", Password: sentinelPassword},
		})
	})
	if authServer.err != nil {
		if strings.Contains(authServer.err.Error(), sentinelPassword) {
			t.Errorf("Start error contains the password")
		}
		t.Fatalf("Start with Auth: %v", authServer.err)
	}
	return authServer.srv
}

func TestMain(m *testing.M) {
	code := m.Run()
	if authServer.srv != nil {
		if err := authServer.srv.Close(); err != nil {
			println("Close:", err.Error())
			code = 1
		}
	}
	os.Exit(code)
}

func TestAuth(t *testing.T) {
	srv := startAuth(t)
	checkURI(t, srv)
	for _, s := range []string{srv.URI(), srv.String(), srv.Addr()} {
		if strings.Contains(s, sentinelPassword) {
			t.Errorf("%q contains the password", s)
		}
	}
	if s := srv.String(); !strings.HasSuffix(s, "(sqlite, auth)") {
		t.Errorf("String = %q, want the auth mode", s)
	}

	t.Run("Unauthenticated", func(t *testing.T) {
		client := connect(t, srv, nil)
		_, err := client.Database("embedded_test").ListCollectionNames(ctx(t), bson.D{})
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 13 {
			t.Errorf("ListCollectionNames without credentials: %v, want Unauthorized (13)", err)
		}
	})

	for _, mech := range []string{"SCRAM-SHA-256", "SCRAM-SHA-1"} {
		t.Run(mech, func(t *testing.T) {
			client := connect(t, srv, &options.Credential{
				AuthMechanism: mech,
				AuthSource:    "admin",
				Username:      "root",
				Password:      sentinelPassword,
			})
			if _, err := client.Database("embedded_test").ListCollectionNames(ctx(t), bson.D{}); err != nil {
				t.Fatalf("ListCollectionNames: %v", err)
			}
			coll := client.Database("embedded_test").Collection(strings.ReplaceAll(mech, "-", "_"))
			if err := coll.Drop(ctx(t)); err != nil { // the server is shared by -count repetitions
				t.Fatal(err)
			}
			insertFind(t, coll)
		})
	}

	t.Run("WrongPassword", func(t *testing.T) {
		client := connect(t, srv, &options.Credential{
			AuthMechanism: "SCRAM-SHA-256",
			AuthSource:    "admin",
			Username:      "root",
			Password:      "wrong-" + sentinelPassword,
		})
		err := client.Ping(ctx(t), nil)
		if err == nil {
			t.Fatal("Ping with a wrong password succeeded")
		}
		if msg := err.Error(); !strings.Contains(msg, "auth") || !strings.Contains(msg, "Authentication failed") {
			t.Errorf("Ping with a wrong password: %v, want an authentication error", err)
		}
	})
}

func TestAuthClose(t *testing.T) {
	startAuth(t) // skips in -short mode, builds the binary if needed

	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	srv, err := embedded.Start(ctx(t), &embedded.Options{Auth: &embedded.Auth{Username: "u", Password: sentinelPassword}})
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 {
		t.Errorf("TMPDIR has %v, want the data directory", entries)
	}

	begin := time.Now()
	if err = srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err = srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("Close without clients took %v", d)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("TMPDIR after Close has %v, want nothing", entries)
	}
	if c, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Close", srv.Addr())
	}
}

// fakeBinary writes a shell script that stands in for ferretdb and points BinaryEnv at it.
// It answers --version like FerretDB v1.24.2 and runs body otherwise.
func fakeBinary(t *testing.T, body string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a shell script")
	}
	p := filepath.Join(t.TempDir(), "ferretdb")
	script := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'version: v1.24.2'; exit 0; fi\n" + body + "\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(embedded.BinaryEnv, p)
}

func TestStartAuthFailure(t *testing.T) {
	// The password reaches the child only through its environment, and is redacted from the
	// error that quotes the child's log.
	fakeBinary(t, `case "$*" in *`+sentinelPassword+`*) echo "password in argv" >&2; exit 2;; esac
echo "{\"level\":\"ERROR+3\",\"msg\":\"setup failed\",\"password\":\"$FERRETDB_SETUP_PASSWORD\"}" >&2
echo "panic: password $FERRETDB_SETUP_PASSWORD" >&2
exit 1`)

	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	var buf syncBuffer
	_, err := embedded.Start(ctx(t), &embedded.Options{
		Logger: slog.New(slog.NewTextHandler(&buf, nil)),
		Auth:   &embedded.Auth{Username: "root", Password: sentinelPassword},
	})
	if err == nil {
		t.Fatal("Start succeeded")
	}
	msg := err.Error()
	t.Log(msg)
	if strings.Contains(msg, sentinelPassword) || strings.Contains(buf.String(), sentinelPassword) {
		t.Errorf("the password leaked:\nerror: %s\nlog: %s", msg, buf.String())
	}
	if !strings.HasPrefix(msg, "embedded: ") || !strings.Contains(msg, "setup failed") ||
		strings.Contains(msg, "password in argv") || !strings.Contains(msg, "[REDACTED]") {
		t.Errorf("error = %q, want the child's redacted log", msg)
	}
	if !strings.Contains(buf.String(), "setup failed") {
		t.Errorf("log has no child records:\n%s", buf.String())
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("TMPDIR after a failed Start has %v, want nothing", entries)
	}
}

func TestStartAuthTimeout(t *testing.T) {
	fakeBinary(t, "exec sleep 60")

	c, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := embedded.Start(c, &embedded.Options{Auth: &embedded.Auth{Username: "root", Password: sentinelPassword}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Start = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Start took %v after its context expired", d)
	}
}

func TestBinaryPathEnv(t *testing.T) {
	t.Setenv(embedded.BinaryEnv, filepath.Join(t.TempDir(), "missing"))
	if _, err := embedded.BinaryPath(ctx(t)); err == nil || !strings.Contains(err.Error(), embedded.BinaryEnv) {
		t.Errorf("BinaryPath with a missing binary: %v", err)
	}
}

// syncBuffer is a strings.Builder safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	sb strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.String()
}

// TestDataDirLocked checks that a data directory serves one server at a time, in process and as a child process,
// with a clear error for the second, and that Close releases it.
func TestDataDirLocked(t *testing.T) {
	dir := t.TempDir()
	first, err := embedded.Start(t.Context(), &embedded.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []*embedded.Options{
		{Dir: dir},
		{Dir: dir, Auth: &embedded.Auth{Username: "u", Password: "p"}},
	} {
		s, err := embedded.Start(t.Context(), opts)
		if err == nil {
			_ = s.Close()
			t.Fatalf("a second server on %s started (auth %v)", dir, opts.Auth != nil)
		}
		if want := "embedded: the data directory is in use by another server: " + dir; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("second Start: %v, want prefix %q", err, want)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := embedded.Start(t.Context(), &embedded.Options{Dir: dir})
	if err != nil {
		t.Fatalf("Start after Close: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestStartAddr(t *testing.T) {
	for _, tc := range []struct {
		name string
		auth *embedded.Auth
	}{
		{"in process", nil},
		{"auth", &embedded.Auth{Username: "root", Password: sentinelPassword}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.auth != nil && testing.Short() {
				t.Skip("authentication needs the ferretdb binary, which may take minutes to build")
			}
			addr := freeAddr(t)
			srv := start(t, &embedded.Options{Addr: addr, Auth: tc.auth})
			if got := srv.Addr(); got != addr {
				t.Errorf("Addr = %q, want %q", got, addr)
			}
			if got, want := srv.URI(), "mongodb://"+addr+"/"; got != want {
				t.Errorf("URI = %q, want %q", got, want)
			}

			// The address is taken now: a second server on it fails.
			s, err := embedded.Start(t.Context(), &embedded.Options{Addr: addr, Auth: tc.auth})
			if err == nil {
				_ = s.Close()
				t.Fatalf("a second server on %s started", addr)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "embedded: ") || strings.Contains(msg, sentinelPassword) {
				t.Errorf("second Start: %q", msg)
			}
		})
	}
}

// groupTwo runs a $group with two accumulators over two documents, which FerretDB v1 answers wrongly (only the
// first accumulator is computed, FerretDB issue #4616), and returns n or the error.
func groupTwo(t *testing.T, coll *mongo.Collection) (int32, error) {
	t.Helper()
	if err := coll.Drop(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.InsertMany(ctx(t), []any{bson.D{{Key: "qty", Value: 2}}, bson.D{{Key: "qty", Value: 3}}}); err != nil {
		t.Fatal(err)
	}
	cur, err := coll.Aggregate(ctx(t), mongo.Pipeline{{{Key: "$group", Value: bson.D{
		{Key: "_id", Value: nil},
		{Key: "total", Value: bson.D{{Key: "$sum", Value: "$qty"}}},
		{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}},
	}}}})
	if err != nil {
		return 0, err
	}
	var got []struct{ N int32 }
	if err := cur.All(ctx(t), &got); err != nil || len(got) != 1 {
		t.Fatalf("All: %v %v", got, err)
	}
	return got[0].N, nil
}

// TestFront checks that clients go through the conformance front, and around it with Raw, in both modes.
func TestFront(t *testing.T) {
	cred := &options.Credential{AuthSource: "admin", Username: "root", Password: sentinelPassword}
	for _, tc := range []struct {
		name string
		srv  func(t *testing.T) *embedded.Server
		cred *options.Credential
	}{
		{"in process", func(t *testing.T) *embedded.Server { return start(t, nil) }, nil},
		{"in process, raw", func(t *testing.T) *embedded.Server { return start(t, &embedded.Options{Raw: true}) }, nil},
		{"auth", func(t *testing.T) *embedded.Server { return startAuth(t) }, cred},
		{"auth, raw", func(t *testing.T) *embedded.Server {
			startAuth(t) // skips in -short mode, builds the binary if needed
			return start(t, &embedded.Options{Raw: true, Auth: &embedded.Auth{Username: "root", Password: sentinelPassword}})
		}, cred},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.srv(t)
			coll := connect(t, srv, tc.cred).Database("embedded_test").Collection("front")
			n, err := groupTwo(t, coll)
			var ce mongo.CommandError
			if strings.HasSuffix(tc.name, "raw") {
				if err != nil || n != 0 {
					t.Errorf("raw: n = %d, %v; want FerretDB's wrong 0", n, err)
				}
			} else if !errors.As(err, &ce) || ce.Code != 238 || !strings.Contains(ce.Message, "#4616") {
				t.Errorf("front: n = %d, %v; want NotImplemented", n, err)
			}
		})
	}
}
