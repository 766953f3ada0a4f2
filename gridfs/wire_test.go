package gridfs_test

// What the bucket sends, checked against Motor 2.3's behaviour (PyMongo 3.11's gridfs, as its command listener and
// BSON encoder show it): the commands in order, with the chunk ids, dates and session fields masked.

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor/gridfs"
	"github.com/gomotor/motor/motortest"
)

var (
	maskOID  = regexp.MustCompile(`\{"\$oid":"[0-9a-f]{24}"\}`)
	maskDate = regexp.MustCompile(`\{"\$date":"[^"]+"\}`)
)

// sent returns the commands recorded since the last Reset as relaxed Extended JSON, one per line, with every
// ObjectID but id shown as OID and every date as DATE, and resets the recorder.
func sent(t *testing.T, rec *motortest.Recorder, id bson.ObjectID) string {
	t.Helper()
	var lines []string
	for _, c := range strip(rec.Commands()) {
		js, err := bson.MarshalExtJSON(c, false, false)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(js), `{"$oid":"`+id.Hex()+`"}`, "ID")
		s = maskOID.ReplaceAllString(s, "OID")
		lines = append(lines, maskDate.ReplaceAllString(s, "DATE"))
	}
	rec.Reset()
	return strings.Join(lines, "\n")
}

func TestUploadWire(t *testing.T) {
	b, db, rec := newBucket(t, &gridfs.BucketOptions{ChunkSize: 4})
	ctx := t.Context()
	rec.Reset()
	id, err := b.UploadFromStream(ctx, "a.txt", strings.NewReader("hello world"),
		&gridfs.UploadOptions{Metadata: bson.D{{Key: "k", Value: "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "first upload", strings.TrimSpace(`
{"find":"fs.files","filter":{},"projection":{"_id":1},"limit":1,"singleBatch":true}
{"listIndexes":"fs.files","cursor":{}}
{"createIndexes":"fs.files","indexes":[{"unique":false,"name":"filename_1_uploadDate_1","key":{"filename":1,"uploadDate":1}}]}
{"find":"fs.chunks","filter":{},"projection":{"_id":1},"limit":1,"singleBatch":true}
{"listIndexes":"fs.chunks","cursor":{}}
{"createIndexes":"fs.chunks","indexes":[{"unique":true,"name":"files_id_1_n_1","key":{"files_id":1,"n":1}}]}
{"insert":"fs.chunks","ordered":true,"documents":[{"_id":OID,"files_id":ID,"n":0,"data":{"$binary":{"base64":"aGVsbA==","subType":"00"}}}]}
{"insert":"fs.chunks","ordered":true,"documents":[{"_id":OID,"files_id":ID,"n":1,"data":{"$binary":{"base64":"byB3bw==","subType":"00"}}}]}
{"insert":"fs.chunks","ordered":true,"documents":[{"_id":OID,"files_id":ID,"n":2,"data":{"$binary":{"base64":"cmxk","subType":"00"}}}]}
{"insert":"fs.files","ordered":true,"documents":[{"_id":ID,"filename":"a.txt","metadata":{"k":"v"},"chunkSize":4,"md5":"5eb63bbbe01eeed093cb22bb8f5acdc3","length":11,"uploadDate":DATE}]}`),
		sent(t, rec, id))

	// The stored documents have the same fields in the same order; length is an int64.
	files := docs(t, db, "fs.files")
	if len(files) != 1 || files[0][5].Key != "length" {
		t.Fatalf("files: %v", files)
	}
	if _, ok := files[0][5].Value.(int64); !ok {
		t.Errorf("length is a %T, want int64", files[0][5].Value)
	}

	rec.Reset()
	// A second stream checks again; the collections are no longer empty, so the probes find a document.
	s, err := b.OpenUploadStreamWithID(ctx, "b", "b.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // a second Close does nothing, as in Motor
		t.Fatal(err)
	}
	diff(t, "empty upload with an id", strings.TrimSpace(`
{"find":"fs.files","filter":{},"projection":{"_id":1},"limit":1,"singleBatch":true}
{"find":"fs.chunks","filter":{},"projection":{"_id":1},"limit":1,"singleBatch":true}
{"insert":"fs.files","ordered":true,"documents":[{"_id":"b","filename":"b.txt","chunkSize":4,"md5":"d41d8cd98f00b204e9800998ecf8427e","length":0,"uploadDate":DATE}]}`),
		sent(t, rec, id))
	if f := s.File(); f == nil || f.Length != 0 || f.MD5 != "d41d8cd98f00b204e9800998ecf8427e" || f.UploadDate.IsZero() {
		t.Errorf("File() = %+v", f)
	}
}

func TestUploadWireNoMD5AndWriteConcern(t *testing.T) {
	db, rec := newDB(t)
	b, err := gridfs.NewBucket(db, &gridfs.BucketOptions{Name: "media", DisableMD5: true, WriteConcern: majority()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	rec.Reset()
	s, err := b.OpenUploadStream(ctx, "x", &gridfs.UploadOptions{ChunkSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "contentType", "text/plain"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(s, strings.NewReader("abc")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "contentType", "text/markdown"); err != nil {
		t.Fatal(err)
	}
	id := s.ID().(bson.ObjectID)
	diff(t, "upload", strings.TrimSpace(`
{"find":"media.files","filter":{},"projection":{"_id":1},"limit":1,"singleBatch":true}
{"listIndexes":"media.files","cursor":{}}
{"createIndexes":"media.files","indexes":[{"unique":false,"name":"filename_1_uploadDate_1","key":{"filename":1,"uploadDate":1}}],"writeConcern":{"w":"majority"}}
{"find":"media.chunks","filter":{},"projection":{"_id":1},"limit":1,"singleBatch":true}
{"listIndexes":"media.chunks","cursor":{}}
{"createIndexes":"media.chunks","indexes":[{"unique":true,"name":"files_id_1_n_1","key":{"files_id":1,"n":1}}],"writeConcern":{"w":"majority"}}
{"insert":"media.chunks","ordered":true,"writeConcern":{"w":"majority"},"documents":[{"_id":OID,"files_id":ID,"n":0,"data":{"$binary":{"base64":"YWI=","subType":"00"}}}]}
{"insert":"media.chunks","ordered":true,"writeConcern":{"w":"majority"},"documents":[{"_id":OID,"files_id":ID,"n":1,"data":{"$binary":{"base64":"Yw==","subType":"00"}}}]}
{"insert":"media.files","ordered":true,"writeConcern":{"w":"majority"},"documents":[{"_id":ID,"filename":"x","chunkSize":2,"contentType":"text/plain","length":3,"uploadDate":DATE}]}
{"update":"media.files","ordered":true,"writeConcern":{"w":"majority"},"updates":[{"q":{"_id":{"$eq":ID}},"u":{"$set":{"contentType":"text/markdown"}}}]}`),
		sent(t, rec, id))
}

func TestDownloadWire(t *testing.T) {
	b, _, rec := newBucket(t, &gridfs.BucketOptions{ChunkSize: 4})
	ctx := t.Context()
	if _, err := b.UploadFromStream(ctx, "a.txt", strings.NewReader("older"), nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond) // upload dates are in milliseconds
	id, err := b.UploadFromStream(ctx, "a.txt", strings.NewReader("hello world"), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	var buf bytes.Buffer
	if n, err := b.DownloadToStream(ctx, id, &buf); err != nil || n != 11 || buf.String() != "hello world" {
		t.Fatalf("DownloadToStream = %d, %v, %q", n, err, buf.String())
	}
	diff(t, "download", strings.TrimSpace(`
{"find":"fs.files","filter":{"_id":{"$eq":ID}},"limit":1,"singleBatch":true}
{"find":"fs.chunks","filter":{"files_id":{"$eq":ID}},"sort":{"n":1},"batchSize":65536}`), sent(t, rec, id))

	// Revisions: -1 the latest (no skip), 0 the first, -2 the one before the latest.
	for rev, want := range map[int]string{-1: "hello world", 0: "older", -2: "older"} {
		buf.Reset()
		if _, err := b.DownloadToStreamByName(ctx, "a.txt", &buf, rev); err != nil || buf.String() != want {
			t.Fatalf("revision %d: %q, %v; want %q", rev, buf.String(), err, want)
		}
		rec.Reset()
	}
	if _, err := b.DownloadToStreamByName(ctx, "a.txt", &buf, -2); err != nil {
		t.Fatal(err)
	}
	diff(t, "by name", strings.TrimSpace(`
{"find":"fs.files","filter":{"filename":"a.txt"},"sort":{"uploadDate":-1},"skip":1,"limit":1,"singleBatch":true}
{"find":"fs.chunks","filter":{"files_id":{"$eq":OID}},"sort":{"n":1},"batchSize":65536}`), sent(t, rec, id))

	// A seek into chunk k reads from n >= k; reading on from there needs no other query.
	s, err := b.OpenDownloadStream(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Seek(5, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(s)
	if err != nil || string(rest) != " world" {
		t.Fatalf("after Seek(5): %q, %v", rest, err)
	}
	diff(t, "seek", strings.TrimSpace(`
{"find":"fs.files","filter":{"_id":{"$eq":ID}},"limit":1,"singleBatch":true}
{"find":"fs.chunks","filter":{"files_id":{"$eq":ID},"n":{"$gte":1}},"sort":{"n":1},"batchSize":65536}`), sent(t, rec, id))
}

func TestDeleteRenameAbortWire(t *testing.T) {
	b, db, rec := newBucket(t, nil)
	ctx := t.Context()
	id, err := b.UploadFromStream(ctx, "a", strings.NewReader("abc"), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	if err := b.Rename(ctx, id, "b"); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	diff(t, "rename and delete", strings.TrimSpace(`
{"update":"fs.files","ordered":true,"updates":[{"q":{"_id":{"$eq":ID}},"u":{"$set":{"filename":"b"}}}]}
{"delete":"fs.files","ordered":true,"deletes":[{"q":{"_id":{"$eq":ID}},"limit":1}]}
{"delete":"fs.chunks","ordered":true,"deletes":[{"q":{"files_id":{"$eq":ID}},"limit":0}]}`), sent(t, rec, id))

	s, err := b.OpenUploadStreamWithID(ctx, id, "c", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("xyz")); err != nil {
		t.Fatal(err)
	}
	if err := s.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("more")); !errors.Is(err, gridfs.ErrClosed) {
		t.Errorf("Write after Abort: %v, want ErrClosed", err)
	}
	diff(t, "abort", strings.TrimSpace(`
{"delete":"fs.chunks","ordered":true,"deletes":[{"q":{"files_id":{"$eq":ID}},"limit":0}]}
{"delete":"fs.files","ordered":true,"deletes":[{"q":{"_id":{"$eq":ID}},"limit":1}]}`), sent(t, rec, id))
	if n := len(docs(t, db, "fs.files")) + len(docs(t, db, "fs.chunks")); n != 0 {
		t.Errorf("%d documents left", n)
	}
}
