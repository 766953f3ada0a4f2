// Package motortest has test helpers for code that uses motor: the server to test against (an embedded FerretDB,
// or the MongoDB that MONGODB_URI names), a recorder of the command documents the driver sends, per-test database
// names, and a scripted wire-level fake server for commands the embedded server lacks.
//
// It imports FerretDB (through package embedded), so only tests should import it.
package motortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gomotor/motor/embedded"
)

// EnvURI is the environment variable that points tests at a real MongoDB instead of the embedded server.
const EnvURI = "MONGODB_URI"

var shared struct {
	once sync.Once
	srv  *embedded.Server
	uri  string
	err  error
}

// URI returns the connection string of the server tests run against: $MONGODB_URI when it is set, otherwise an
// embedded FerretDB (SQLite) started on first use and shared by the whole test binary. Call [Main] from TestMain to
// stop it at the end. It fails the test if the server cannot start.
func URI(tb testing.TB) string {
	tb.Helper()
	uri, err := SharedURI()
	if err != nil {
		tb.Fatalf("motortest: %v", err)
	}
	return uri
}

// SharedURI is URI without a testing.TB, for TestMain, examples and benchmarks.
func SharedURI() (string, error) {
	if u := os.Getenv(EnvURI); u != "" {
		return u, nil
	}
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		shared.srv, shared.err = embedded.Start(ctx, nil)
		if shared.err == nil {
			shared.uri = shared.srv.URI()
		}
	})
	return shared.uri, shared.err
}

// Real reports whether tests run against a real MongoDB ($MONGODB_URI is set) rather than the embedded FerretDB.
func Real() bool { return os.Getenv(EnvURI) != "" }

// Main runs the tests of m, stops the shared embedded server, checks that no goroutine is left running (goleak),
// and exits. Call it from TestMain.
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

// Shutdown stops the shared embedded server, if one was started.
func Shutdown() {
	if shared.srv != nil {
		_ = shared.srv.Close()
	}
}

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// DBName returns a database name unique to this test and run, valid on MongoDB and FerretDB
// (^[a-zA-Z0-9_-]{1,63}$), and registers a cleanup that drops nothing (the embedded server's data is temporary; with
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
