package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomotor/motor/embedded"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// step is one run of motor: its arguments, stdin and environment.
type step struct {
	args  []string
	stdin string
	env   map[string]string
	uri   bool // run with --uri of the case's server, which the golden file does not show
}

// cmd makes a step that runs against the case's server.
func cmd(args ...string) step { return step{args: args, uri: true} }

// in makes a step with stdin.
func (s step) in(stdin string) step { s.stdin = stdin; return s }

// noServer makes a step that runs without --uri.
func (s step) noServer() step { s.uri = false; return s }

// goldenCases are the golden-file cases: each runs its steps in order against an embedded server of its own (a new
// empty data directory), and testdata/golden/NAME.txt holds what every step printed and returned.
var goldenCases = []struct {
	name  string
	steps []step
}{
	{"usage", []step{
		cmd().noServer(),
		cmd("fnd", "orders").noServer(),
		cmd("find").noServer(),
		cmd("find", "orders", "{}", "{}", "extra").noServer(),
		cmd("find", "orders", "--limit", "x").noServer(),
		cmd("find", "orders", "--no-such-flag").noServer(),
		cmd("drop-collection", "a$b"),
		cmd("serve", "--port", "70000").noServer(),
		cmd("set-profiling-level", "sometimes"),
		cmd("help", "find").noServer(),
	}},
	{"json-errors", []step{
		cmd("find", "orders", `{"qty": }`),
		cmd("insert", "orders", "-").in("{\"item\": \"tea\"}\n{\"item\": \"coffee\",\n \"qty\" 1}\n"),
		cmd("insert", "orders", "-").in("{\"item\": \"tea\"\n"),
		cmd("find", "orders", `{"_id": {"$oid": "not-hex"}}`),
		cmd("find", "orders", `[1, 2]`),
		cmd("find", "orders", "-", "--sort", "-").in("{}"),
		cmd("aggregate", "orders", `{"$match": {}}`),
		cmd("insert", "orders", "-").in(""),
		cmd("insert", "orders", "[1]"),
	}},
	{"command", []step{
		cmd("command", "ping"),
		cmd("command", `{"count": "orders"}`),
		cmd("command", "-").in(`{"listCollections": 1, "nameOnly": true}`),
		cmd("command", "noSuchCommand"),
		cmd("command", `{"count": 1}`),
	}},
	{"collections", []step{
		cmd("create-collection", "orders"),
		cmd("create-collection", "logs", "--capped", "--size", "4096", "--max", "10"),
		cmd("create-collection", "orders"),
		cmd("list-collection-names"),
		cmd("list-collections", "--filter", `{"name": "logs"}`),
		cmd("list-collections", "--name-only", "--filter", `{"name": "orders"}`),
		cmd("validate-collection", "orders", "--full"),
		cmd("validate-collection", "orders", "--scandata"),
		cmd("validate-collection", "missing"),
		cmd("drop-collection", "logs"),
		cmd("drop-collection", "logs"),
		cmd("list-collection-names", "--filter", `{"name": {"$regex": "^log"}}`),
	}},
	{"profiling", []step{
		cmd("profiling-level"),
		cmd("set-profiling-level", "slow", "--slow-ms", "50"),
		cmd("set-profiling-level", "all", "--sample-rate", "2"),
		cmd("profiling-info"),
		cmd("current-op"),
		cmd("current-op", "--all"),
	}},
	{"legacy", []step{
		cmd("insert", "orders", `{"_id": 1, "item": "tea"}`),
		cmd("dereference", `{"$ref": "orders", "$id": 1}`),
		cmd("dereference", `{"$ref": "orders", "$id": 2}`),
		cmd("dereference", `{"$ref": "orders", "$id": 1, "$db": "other"}`),
		cmd("dereference", `{"$id": 1}`),
		cmd("insert", "refs", `{"order": {"$ref": "orders", "$id": 1}}`),
		cmd("add-user", "alice", "--read-only").in("secret\n"),
		cmd("add-user", "alice"),
		cmd("remove-user", "alice"),
		cmd("eval", "function (x) { return x * 2; }", "21"),
		cmd("eval", "1", "twenty"),
	}},
	{"files", []step{
		cmd("files", "put", "hello.txt", "-", "--content-type", "text/plain", "--metadata", `{"by": "test"}`).in("hello, files\n"),
		cmd("files", "put", "hello.txt", "-").in("hello again\n"),
		cmd("files", "put", "fixed.txt", "-", "--id", "fixed", "--chunk-size", "4").in("0123456789"),
		cmd("files", "put", "fixed.txt", "-", "--id", "fixed").in("other"),
		cmd("files", "list"),
		cmd("files", "list", "fix"),
		cmd("files", "get", "hello.txt", "-"),
		cmd("files", "get", "hello.txt", "-", "--revision", "0"),
		cmd("files", "get", "hello.txt", "-", "--revision", "2"),
		cmd("files", "get", "--id", `"fixed"`),
		cmd("files", "get", "--id", `{"$oid": "000000000000000000000000"}`, "-"),
		cmd("files", "rename", "hello.txt", "greeting.txt"),
		cmd("files", "rename", "--id", "fixed", "fixed.bin"),
		cmd("files", "list", "--bucket", "fs"),
		cmd("files", "delete", "greeting.txt"),
		cmd("files", "delete", "greeting.txt"),
		cmd("files", "delete", "--id", "fixed"),
		cmd("files", "list"),
		cmd("files", "put", "x", "-", "--bucket", "photos").in("x"),
		cmd("list-collection-names"),
		cmd("files", "frob").noServer(),
		cmd("files", "get").noServer(),
		cmd("files", "put", "no/such/local/file").noServer(),
		cmd("files", "put", "x", "-", "--metadata", "[1]").noServer(),
	}},
	{"documents", []step{
		cmd("insert", "orders", `{"item": "tea", "qty": 2, "at": {"$date": "2024-05-01T10:00:00Z"}}`),
		cmd("insert", "orders", `[{"item": "coffee", "qty": 1}, {"item": "cake", "qty": 3, "price": 4.5}]`),
		cmd("insert", "prices", `{"price": {"$numberDecimal": "4.50"}}`),
		cmd("insert", "orders", "-").in("{\"item\": \"milk\", \"qty\": 5}\n{\"item\": \"juice\", \"qty\": 0}\n"),
		cmd("find", "orders", "--projection", `{"_id": 0}`, "--sort", `{"qty": -1}`),
		cmd("find", "orders", `{"qty": {"$gte": 2}}`, "--projection", `{"_id": 0, "item": 1}`, "--sort", `{"item": 1}`, "--skip", "1", "--limit", "2"),
		cmd("--canonical", "find", "orders", `{"item": "tea"}`, "--projection", `{"_id": 0}`),
		cmd("find", "orders", `{"item": "nothing"}`),
		cmd("find", "orders", "--limit", "-1"),
		cmd("aggregate", "orders", `[{"$group": {"_id": null, "total": {"$sum": "$qty"}}}]`),
		cmd("aggregate", "orders", "-").in(`[{"$match": {"qty": {"$lt": 2}}}, {"$project": {"_id": 0, "item": 1}}, {"$sort": {"item": 1}}]`),
		cmd("aggregate", "orders", `[{"$noSuchStage": {}}]`),
		cmd("--db", "shop", "insert", "orders", `{"item": "tea"}`),
		cmd("list-databases"),
		cmd("list-databases", "--name-only"),
		step{args: []string{"--db", "shop", "find", "orders", "--projection", `{"_id": 0}`}, env: map[string]string{envURI: "URI"}},
		cmd("stop").noServer(),
	}},
}

// normalizers replace what varies between runs in the golden files.
var normalizers = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`"\$oid":\s*"[0-9a-f]{24}"`), `"$$oid":"OBJECTID"`},
	{regexp.MustCompile(`127\.0\.0\.1:\d+(\[-?\d+\])?`), `127.0.0.1:PORT`},
	{regexp.MustCompile(`"base64":\s*"[A-Za-z0-9+/=]{24}",\s*"subType":\s*"04"`), `"base64":"UUID","subType":"04"`},
	{regexp.MustCompile(`"sizeOnDisk":\s*\d+`), `"sizeOnDisk":SIZE`},
	{regexp.MustCompile(`"uploadDate":\s*\{"\$date":\s*"[^"]+"\}`), `"uploadDate":{"$$date":"DATE"}`},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			srv, err := embedded.Start(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })

			var got bytes.Buffer
			for _, st := range tc.steps {
				writeStep(t, &got, st, srv.URI(), dir)
			}
			out := got.String()
			out = strings.ReplaceAll(out, dir, "$DATA")
			for _, n := range normalizers {
				out = n.re.ReplaceAllString(out, n.repl)
			}
			compareGolden(t, filepath.Join("testdata", "golden", tc.name+".txt"), out)
		})
	}
}

// writeStep runs one step and writes its command line, exit code, stdout and stderr to w.
func writeStep(t *testing.T, w *bytes.Buffer, st step, uri, dataDir string) {
	t.Helper()
	args := st.args
	if st.uri {
		args = append([]string{"--uri", uri}, args...)
	}
	// Without --uri, the data directory is the test's own, never the user's.
	args = append([]string{"--data", dataDir}, args...)
	env := map[string]string{}
	for k, v := range st.env {
		env[k] = strings.ReplaceAll(v, "URI", uri)
	}
	var stdout, stderr bytes.Buffer
	io := &stdio{
		in:     strings.NewReader(st.stdin),
		out:    &stdout,
		err:    &stderr,
		getenv: func(k string) string { return env[k] },
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	code := run(ctx, args, io)

	w.WriteString("$")
	for k, v := range st.env {
		w.WriteString(" " + k + "=" + shellQuote(v))
	}
	w.WriteString(" motor")
	for _, a := range st.args {
		w.WriteString(" " + shellQuote(a))
	}
	if st.stdin != "" {
		w.WriteString(" <<'EOF'\n" + strings.TrimSuffix(st.stdin, "\n") + "\nEOF")
	}
	w.WriteString("\n")
	w.WriteString(stdout.String())
	for _, l := range strings.SplitAfter(stderr.String(), "\n") {
		if l != "" {
			w.WriteString("stderr: " + l)
		}
	}
	if code != 0 {
		w.WriteString("exit " + strconv.Itoa(code) + "\n")
	}
	w.WriteString("\n")
}

// compareGolden compares got with the golden file at path, or rewrites it with -update.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s mismatch (-want +got; go test -update rewrites it):\n%s", path, d)
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// TestHelp checks that every subcommand's --help shows an example, and keeps all of them in testdata/golden/help.txt.
func TestHelp(t *testing.T) {
	var got bytes.Buffer
	all := [][]string{{"help"}}
	for _, c := range commands() {
		all = append(all, []string{c.name, "--help"})
	}
	for _, args := range all {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, &stdio{in: strings.NewReader(""), out: &stdout, err: &stderr, getenv: func(string) string { return "" }})
		if code != 0 || stderr.Len() > 0 {
			t.Errorf("motor %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr.String())
		}
		if len(args) == 2 && !regexp.MustCompile(`\nExample:\n  .*motor `).MatchString(stdout.String()) {
			t.Errorf("motor %s shows no example:\n%s", strings.Join(args, " "), stdout.String())
		}
		got.WriteString("$ motor " + strings.Join(args, " ") + "\n" + stdout.String() + "\n")
	}
	compareGolden(t, filepath.Join("testdata", "golden", "help.txt"), got.String())
}
