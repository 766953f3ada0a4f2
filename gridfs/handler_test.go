package gridfs_test

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor/gridfs"
)

// serve starts an httptest server with h on /files/{filename...} and returns its base URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/files/{filename...}", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/files/"
}

func do(t *testing.T, method, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestHandler(t *testing.T) {
	b, _, _ := newBucket(t, &gridfs.BucketOptions{ChunkSize: 4})
	ctx := t.Context()
	content := "0123456789abcdef"
	id, err := b.UploadFromStream(ctx, "dir/page.html", strings.NewReader(content), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.OpenDownloadStream(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	f := s.File()
	s.Close()
	base := serve(t, &gridfs.Handler{Bucket: b})

	resp, body := do(t, "GET", base+"dir/page.html", nil)
	if resp.StatusCode != 200 || body != content {
		t.Fatalf("GET: %d %q", resp.StatusCode, body)
	}
	for k, want := range map[string]string{
		"Content-Type":   "text/html; charset=utf-8",
		"Etag":           `"` + f.MD5 + `"`,
		"Last-Modified":  f.UploadDate.Format(http.TimeFormat),
		"Cache-Control":  "public",
		"Accept-Ranges":  "bytes",
		"Content-Length": "16",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}

	resp, body = do(t, "HEAD", base+"dir/page.html", nil)
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("Content-Length") != "16" {
		t.Errorf("HEAD: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp, _ = do(t, "GET", base+"missing.txt", nil); resp.StatusCode != 404 {
		t.Errorf("missing: %d", resp.StatusCode)
	}
	if resp, _ = do(t, "POST", base+"dir/page.html", nil); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", resp.StatusCode, resp.Header)
	}

	// Conditional requests.
	if resp, _ = do(t, "GET", base+"dir/page.html", map[string]string{"If-None-Match": `"` + f.MD5 + `"`}); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	since := f.UploadDate.Add(time.Second).Format(http.TimeFormat)
	if resp, _ = do(t, "GET", base+"dir/page.html", map[string]string{"If-Modified-Since": since}); resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", resp.StatusCode)
	}
	before := f.UploadDate.Add(-time.Hour).Format(http.TimeFormat)
	if resp, _ = do(t, "GET", base+"dir/page.html", map[string]string{"If-Modified-Since": before}); resp.StatusCode != 200 {
		t.Errorf("If-Modified-Since before: %d", resp.StatusCode)
	}

	// Ranges: one across chunks, a suffix, several, and If-Range.
	resp, body = do(t, "GET", base+"dir/page.html", map[string]string{"Range": "bytes=3-9"})
	if resp.StatusCode != 206 || body != "3456789" || resp.Header.Get("Content-Range") != "bytes 3-9/16" {
		t.Errorf("range: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp, body = do(t, "GET", base+"dir/page.html", map[string]string{"Range": "bytes=-3"}); resp.StatusCode != 206 || body != "def" {
		t.Errorf("suffix range: %d %q", resp.StatusCode, body)
	}
	resp, body = do(t, "GET", base+"dir/page.html", map[string]string{"Range": "bytes=0-1,14-15"})
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != 206 || err != nil {
		t.Fatalf("multiple ranges: %d %v", resp.StatusCode, resp.Header)
	}
	var parts []string
	mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		parts = append(parts, p.Header.Get("Content-Range")+" "+string(data))
	}
	diff(t, "parts", []string{"bytes 0-1/16 01", "bytes 14-15/16 ef"}, parts)
	if resp, body = do(t, "GET", base+"dir/page.html", map[string]string{"Range": "bytes=0-1", "If-Range": `"other"`}); resp.StatusCode != 200 || body != content {
		t.Errorf("If-Range with another ETag: %d %q", resp.StatusCode, body)
	}
	if resp, body = do(t, "GET", base+"dir/page.html", map[string]string{"Range": "bytes=0-1", "If-Range": `"` + f.MD5 + `"`}); resp.StatusCode != 206 || body != "01" {
		t.Errorf("If-Range with the ETag: %d %q", resp.StatusCode, body)
	}
	if resp, _ = do(t, "GET", base+"dir/page.html", map[string]string{"Range": "bytes=99-"}); resp.StatusCode != 416 {
		t.Errorf("unsatisfiable range: %d", resp.StatusCode)
	}
}

func TestHandlerHooks(t *testing.T) {
	b, _, _ := newBucket(t, &gridfs.BucketOptions{DisableMD5: true})
	ctx := t.Context()
	s, err := b.OpenUploadStream(ctx, "clip", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "contentType", "video/webm"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("not really a video")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	id := s.ID().(bson.ObjectID)
	base := serve(t, &gridfs.Handler{
		Bucket:  b,
		GetFile: gridfs.ByID,
		CacheTime: func(name string, modified time.Time, contentType string) time.Duration {
			if contentType == "video/webm" {
				return time.Hour
			}
			return 0
		},
		ExtraHeaders: func(h http.Header, f *gridfs.File) { h.Set("X-File-Name", f.Filename) },
	})
	resp, body := do(t, "GET", base+id.Hex(), nil)
	if resp.StatusCode != 200 || body != "not really a video" {
		t.Fatalf("GET by id: %d %q", resp.StatusCode, body)
	}
	etag := resp.Header.Get("Etag")
	for k, want := range map[string]string{
		"Content-Type":  "video/webm",
		"Cache-Control": "max-age=3600",
		"X-File-Name":   "clip",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if len(etag) != 18 || resp.Header.Get("Expires") == "" {
		t.Errorf("ETag %q, Expires %q", etag, resp.Header.Get("Expires"))
	}
	if resp, _ = do(t, "GET", base+id.Hex(), map[string]string{"If-None-Match": etag}); resp.StatusCode != 304 {
		t.Errorf("If-None-Match with the id's ETag: %d", resp.StatusCode)
	}
	if resp, _ = do(t, "GET", base+"clip", nil); resp.StatusCode != 404 {
		t.Errorf("by id, a name: %d", resp.StatusCode)
	}
}

// A range request reads only the chunks it covers.
func TestHandlerRangeReadsItsChunks(t *testing.T) {
	b, _, rec := newBucket(t, &gridfs.BucketOptions{ChunkSize: 4})
	if _, err := b.UploadFromStream(t.Context(), "v.webm", strings.NewReader("0123456789abcdef"), nil); err != nil {
		t.Fatal(err)
	}
	base := serve(t, &gridfs.Handler{Bucket: b})
	rec.Reset()
	resp, body := do(t, "GET", base+"v.webm", map[string]string{"Range": "bytes=13-14"})
	if resp.StatusCode != 206 || body != "de" {
		t.Fatalf("range: %d %q", resp.StatusCode, body)
	}
	finds := strip(rec.Commands("find"))
	if len(finds) != 2 {
		t.Fatalf("finds: %v", finds)
	}
	js, _ := bson.MarshalExtJSON(finds[1], false, false)
	if !strings.Contains(string(js), `"n":{"$gte":3}`) {
		t.Errorf("chunks query %s, want n >= 3", js)
	}
}
