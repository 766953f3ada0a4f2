package ferretproc

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestArgs(t *testing.T) {
	plain := []string{
		"--handler=sqlite",
		"--sqlite-url=file:///data/",
		"--listen-addr=127.0.0.1:0",
		"--state-dir=-",
		"--telemetry=disable",
		"--debug-addr=-",
		"--log-format=json",
		"--log-level=INFO",
	}
	for _, tc := range []struct {
		name string
		addr string
		auth *Auth
		want []string
	}{
		{"no auth", "", nil, plain},
		{"auth", "", &Auth{Username: "root", Password: "pw"}, append(slices.Clone(plain),
			"--test-enable-new-auth", "--setup-database=admin", "--setup-username=root")},
		{"addr", "127.0.0.1:27017", nil, slices.Concat(plain[:2], []string{"--listen-addr=127.0.0.1:27017"}, plain[3:])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := args("/data", tc.addr, slog.LevelInfo, tc.auth)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("args mismatch (-want +got):\n%s", d)
			}
			if strings.Contains(strings.Join(got, " "), "pw") {
				t.Errorf("the password is on the command line: %q", got)
			}
		})
	}
}

func TestLogSinkRedaction(t *testing.T) {
	for _, tc := range []struct {
		name, password, line, want string
	}{
		{"no password", "", `panic: boom`, "panic: boom"},
		{"password", "s3cret", `panic: s3cret`, "panic: [REDACTED]"},
		{"JSON-escaped password", `a"b`, `{"level":"ERROR","msg":"bad","pw":"a\"b"}`, "ERROR bad pw=[REDACTED]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newLogSink(nil, tc.password)
			if _, err := s.Write([]byte(tc.line + "\n")); err != nil {
				t.Fatal(err)
			}
			if got, want := s.tail(), ": ferretdb logged: "+tc.want; got != want {
				t.Errorf("tail = %q, want %q", got, want)
			}
		})
	}
}
