package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain checks that no goroutine is left running after the tests (goleak). The end-to-end test checks that no
// server process is left running.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goroutines left running after the tests: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

// TestExitCodes checks the exit code and the time of the failures to reach or resolve a server: each is exit 1,
// and the connection string's serverSelectionTimeoutMS and --timeout bound the wait.
func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		max  time.Duration
		want string
	}{
		{[]string{"count", "orders", "--uri", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300"}, exitFailed, 3 * time.Second, "no server could be selected"},
		{[]string{"count", "orders", "--uri", "mongodb://127.0.0.1:1/", "--timeout", "300ms"}, exitFailed, 3 * time.Second, "--timeout 300ms exceeded"},
		{[]string{"--timeout", "300ms", "find", "orders", "--uri", "mongodb://127.0.0.1:1/"}, exitFailed, 3 * time.Second, "--timeout 300ms exceeded"},
		{[]string{"count", "orders", "--uri", "mongodb+srv://no-such-host.invalid/"}, exitFailed, 30 * time.Second, "resolve the server of mongodb+srv://no-such-host.invalid/"},
		{[]string{"count", "orders", "--uri", "mongodb+srv://alice:secret@no-such-host.invalid/"}, exitFailed, 30 * time.Second, "mongodb+srv://***@no-such-host.invalid/"},
		{[]string{"count", "orders", "--uri", "mongo://localhost"}, exitUsage, 3 * time.Second, "bad --uri or MONGODB_URI"},
		{[]string{"count", "orders", "--uri", "mongodb://localhost/?serverSelectionTimeoutMS=x"}, exitUsage, 3 * time.Second, "bad --uri"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := run(t.Context(), tc.args, &stdio{in: strings.NewReader(""), out: &stdout, err: &stderr, getenv: func(string) string { return "" }})
			took := time.Since(start)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) || strings.Contains(stderr.String(), "secret") {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tc.code, tc.want)
			}
			if took > tc.max {
				t.Errorf("took %v, want at most %v", took, tc.max)
			}
		})
	}
}

// TestHelpAndVersion checks that --help and help print the same to stdout, and --version as version.
func TestHelpAndVersion(t *testing.T) {
	out := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, &stdio{in: strings.NewReader(""), out: &stdout, err: &stderr, getenv: func(string) string { return "" }})
		if code != 0 || stderr.Len() > 0 {
			t.Errorf("motor %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr.String())
		}
		return stdout.String()
	}
	if h, hh := out("help"), out("--help"); h != hh || !strings.Contains(h, "Subcommands:") {
		t.Errorf("motor help and motor --help differ:\n%s\n%s", h, hh)
	}
	if v, vv := out("version"), out("--version"); v != vv || !strings.Contains(v, "go.mongodb.org/mongo-driver/v2 v") || !strings.Contains(v, "FerretDB v") {
		t.Errorf("motor version and motor --version:\n%s\n%s", v, vv)
	}
}
