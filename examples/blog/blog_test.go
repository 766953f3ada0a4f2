package main

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// TestBlogRuns runs the program against the embedded server and checks what it prints.
func TestBlogRuns(t *testing.T) {
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
	want := "Hello, Go: 3 views, 1 comment(s), first by bob\n" +
		"ada wrote: Documents\n" +
		"ada wrote: Hello, Go\n" +
		"#go: 2\n#mongo: 1\n#python: 1\n"
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
