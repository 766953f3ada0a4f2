// Package motortest has test helpers for code that uses motor: the server to test against (FerretDB's ferretdb binary
// on SQLite as a child process, or the MongoDB that MONGODB_URI names), a recorder of the command documents the
// driver sends, per-test database names, a scripted wire-level fake server for commands FerretDB lacks ([Fake]), and
// one scripted as a replica-set primary that serves change streams ([ChangeStreamServer]).
//
// It does not import FerretDB, so the recorder and the fake compile with the driver alone. [StartServer] runs the
// ferretdb binary that $MOTOR_FERRETDB_BIN names, or else one that it builds once per machine with the go command
// into gomotor/ferretdb-v1.24.2 under the user cache directory (~/.cache on Linux; scripts/build-ferretdb.sh builds
// the same binary ahead of time). Clients reach that server through the conformance front, a wire proxy in the
// test process that answers an error where FerretDB v1 would give a wrong answer or drop the connection, and
// repairs what it can exactly; [ServerOptions.Raw] bypasses it. Only tests should import it.
package motortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gomotor/motor/internal/ferretproc"
)

// EnvURI is the environment variable that points tests at a real MongoDB instead of FerretDB.
const EnvURI = "MONGODB_URI"

// startTimeout bounds the start of the shared server, which may build the ferretdb binary first.
const startTimeout = 10 * time.Minute

// ServerOptions configure [StartServer]. A nil *ServerOptions means the zero value: no logs, no authentication.
type ServerOptions struct {
	// Dir is the SQLite data directory, created if missing, locked while the server runs and kept by Close, so
	// that a later server on the same Dir sees the same data. "" means a new temporary directory that Close removes.
	Dir string

	// Logger receives FerretDB's log records, with the password replaced by "[REDACTED]". nil discards them.
	Logger *slog.Logger

	// Auth turns on authentication. nil means none.
	Auth *Auth

	// Raw connects clients to FerretDB itself. Without it they connect to the conformance front, a wire proxy in
	// this process that refuses with an error, or repairs, what FerretDB v1 would answer wrongly (a $group with
	// several accumulators, maxTimeMS on distinct, replies to w:0 writes, ...). Set it in tests that study
	// FerretDB's own answers.
	Raw bool
}

// Auth turns on FerretDB's real SCRAM-SHA-1 and SCRAM-SHA-256 authentication (its --test-enable-new-auth mode)
// with one initial user on the admin database, and with it the user-management commands. The password travels in
// the child's environment; it never appears in [Server.URI], [Server.String] or an error.
type Auth struct {
	// Username is the initial user's name, on the admin database. It must not be empty.
	Username string

	// Password is the initial user's password. It must not be empty.
	Password string
}

// Server is a running FerretDB child process behind the conformance front (see [ServerOptions.Raw]), started with [StartServer] and stopped with [Server.Close], like
// an httptest.Server. Its methods are safe for concurrent use.
type Server struct {
	p *ferretproc.Process
}

// StartServer starts FerretDB's ferretdb binary on SQLite, with its data in opts.Dir or a temporary directory, listening on
// 127.0.0.1 and a port the kernel picks, and returns once it accepts connections. It ignores $MONGODB_URI (see
// [URI] for the server that follows it). ctx bounds the start only, including a first build of the binary (a
// minute or two, once per machine); a nil ctx is an error. Errors are prefixed "motortest: " and never contain
// the password.
func StartServer(ctx context.Context, opts *ServerOptions) (*Server, error) {
	if opts == nil {
		opts = new(ServerOptions)
	}
	cfg := &ferretproc.Config{Dir: opts.Dir, Logger: opts.Logger, Raw: opts.Raw}
	if a := opts.Auth; a != nil {
		cfg.Auth = &ferretproc.Auth{Username: a.Username, Password: a.Password}
	}
	p, err := ferretproc.Start(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("motortest: %w", err)
	}
	return &Server{p: p}, nil
}

// URI returns the server's connection string, "mongodb://127.0.0.1:PORT/": the conformance front's address, or
// FerretDB's with [ServerOptions.Raw]. It never contains credentials.
func (s *Server) URI() string {
	return (&url.URL{Scheme: "mongodb", Host: s.p.Addr(), Path: "/"}).String()
}

// Addr returns the server's TCP address, "127.0.0.1:PORT", the one in URI.
func (s *Server) Addr() string { return s.p.Addr() }

// RawAddr returns FerretDB's own address, behind the front; it is Addr with [ServerOptions.Raw].
func (s *Server) RawAddr() string { return s.p.ServerAddr() }

// Kill kills the server at once (SIGKILL), as a crash would, and waits for it to exit: FerretDB gets no chance to
// finish what it is doing. Close must still be called, to release the data directory.
func (s *Server) Kill() { s.p.Kill() }

// Close closes the front and its connections, stops the server, waits for it and removes its data. FerretDB gives connected clients up to 3 seconds to
// disconnect, so disconnect them first. Calling Close again, even concurrently, returns the first call's error.
func (s *Server) Close() error {
	if err := s.p.Stop(); err != nil {
		return fmt.Errorf("motortest: %w", err)
	}
	return nil
}

// String describes the server for logs, for example "FerretDB v1.24.2 at 127.0.0.1:40123 (sqlite)" or
// "... (sqlite, auth)". It never contains the password.
func (s *Server) String() string {
	mode := "sqlite"
	if s.p.Auth() {
		mode += ", auth"
	}
	return fmt.Sprintf("FerretDB %s at %s (%s)", s.p.Version(), s.p.Addr(), mode)
}

var shared struct {
	once sync.Once
	srv  *Server
	uri  string
	err  error
}

// URI returns the connection string of the server tests run against: $MONGODB_URI when it is set, otherwise a
// FerretDB started with [StartServer] on first use and shared by the whole test binary. Call [Main] from TestMain
// to stop it at the end. It fails the test if the server cannot start.
func URI(tb testing.TB) string {
	tb.Helper()
	uri, err := SharedURI()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	return uri
}

// SharedURI is URI without a testing.TB, for TestMain, examples and benchmarks.
func SharedURI() (string, error) {
	if u := os.Getenv(EnvURI); u != "" {
		return u, nil
	}
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		shared.srv, shared.err = StartServer(ctx, nil)
		if shared.err == nil {
			shared.uri = shared.srv.URI()
		}
	})
	return shared.uri, shared.err
}

// Real reports whether tests run against a real MongoDB ($MONGODB_URI is set) rather than FerretDB.
func Real() bool { return os.Getenv(EnvURI) != "" }

// Main runs the tests of m, stops the shared server, checks that no goroutine is left running (goleak), and exits.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Shutdown()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "motortest: goroutines left running after the tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// Shutdown stops the shared server, if one was started.
func Shutdown() {
	if shared.srv != nil {
		_ = shared.srv.Close()
	}
}

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// DBName returns a database name unique to this test and run, valid on MongoDB and FerretDB
// (^[a-zA-Z0-9_-]{1,63}$), and registers a cleanup that drops nothing (the test server's data is temporary; with
// MONGODB_URI the caller drops what it made).
func DBName(tb testing.TB) string {
	tb.Helper()
	name := unsafeChars.ReplaceAllString(tb.Name(), "_")
	name = strings.Trim(name, "_")
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := "_" + hex.EncodeToString(b[:])
	if max := 63 - len(suffix); len(name) > max {
		name = name[:max]
	}
	return fmt.Sprintf("%s%s", name, suffix)
}
