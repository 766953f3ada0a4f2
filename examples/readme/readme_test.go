package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// TestQuickStartIsMain checks that the README's Quick start is this program, but for its first line (the doc
// comment), so that the snippet compiles as written.
func TestQuickStartIsMain(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Quick start\n")
	if !ok {
		t.Fatal("README.md has no Quick start section")
	}
	_, snippet, ok := strings.Cut(section, "```go\n")
	if ok {
		snippet, _, ok = strings.Cut(snippet, "```\n")
	}
	if !ok {
		t.Fatal("README.md's Quick start has no ```go block")
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := strings.Cut(string(src), "\n")
	if snippet != want {
		t.Errorf("README.md's Quick start differs from examples/readme/main.go; paste this into README.md:\n%s", want)
	}
}

// TestQuickStartRuns runs the program against the embedded server.
func TestQuickStartRuns(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	main()
	os.Stdout = stdout
	w.Close()
	var out bytes.Buffer
	if _, err := io.Copy(&out, r); err != nil {
		t.Fatal(err)
	}
	want := "collections: [orders]\nping: ok 1\nserver version: 7.0.42\n"
	if got := out.String(); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
