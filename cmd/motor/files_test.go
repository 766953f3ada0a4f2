package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gomotor/motor/embedded"
)

// motor files serve serves the bucket until its context ends.
func TestFilesServe(t *testing.T) {
	srv, err := embedded.Start(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	getenv := func(string) string { return "" }
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"--uri", srv.URI(), "files", "put", "clip.webm", "-", "--content-type", "video/webm"},
		&stdio{in: strings.NewReader("0123456789"), out: &out, err: &errOut, getenv: getenv}); code != 0 {
		t.Fatalf("put: exit %d: %s", code, errOut.String())
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--uri", srv.URI(), "files", "serve", "127.0.0.1:0"},
			&stdio{in: strings.NewReader(""), out: io.Discard, err: pw, getenv: getenv})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://\S+/`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	req, err := http.NewRequestWithContext(t.Context(), "GET", url+"clip.webm", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Range", "bytes=4-6")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || string(body) != "456" || resp.Header.Get("Content-Type") != "video/webm" {
		t.Errorf("GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve: exit %d", code)
	}
}
