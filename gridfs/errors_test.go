package gridfs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/gridfs"
)

// Bad input is refused before any I/O.
func TestBadInput(t *testing.T) {
	db, rec := newDB(t)
	ctx := t.Context()
	b, err := gridfs.NewBucket(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	unacked := db.WithOptions(motor.WithWriteConcern(writeconcern.Unacknowledged()))
	for _, c := range []struct {
		name, want string
		err        error
	}{
		{"nil database", "motor: gridfs new bucket fs: nil database", func() error { _, err := gridfs.NewBucket(nil, nil); return err }()},
		{"chunk size", "chunk size -1 is not between 1 and 16776192", func() error {
			_, err := gridfs.NewBucket(db, &gridfs.BucketOptions{ChunkSize: -1})
			return err
		}()},
		{"w:0 bucket", "write concern must be acknowledged", func() error {
			_, err := gridfs.NewBucket(db, &gridfs.BucketOptions{WriteConcern: writeconcern.Unacknowledged()})
			return err
		}()},
		{"w:0 database", "write concern must be acknowledged", func() error { _, err := gridfs.NewBucket(unacked, nil); return err }()},
		{"bad bucket name", "invalid collection name", func() error {
			_, err := gridfs.NewBucket(db, &gridfs.BucketOptions{Name: "a$b"})
			return err
		}()},
		{"upload chunk size", "chunk size -4 is not between", func() error {
			_, err := b.UploadFromStream(ctx, "f", strings.NewReader("x"), &gridfs.UploadOptions{ChunkSize: -4})
			return err
		}()},
		{"nil source", "motor: gridfs upload from stream " + db.Name() + ".fs: nil source", func() error {
			_, err := b.UploadFromStream(ctx, "f", nil, nil)
			return err
		}()},
		{"nil destination", "nil destination", func() error {
			_, err := b.DownloadToStream(ctx, bson.NewObjectID(), nil)
			return err
		}()},
		{"nil destination by name", "nil destination", func() error {
			_, err := b.DownloadToStreamByName(ctx, "f", nil, -1)
			return err
		}()},
		{"nil id", "nil id", func() error { _, err := b.OpenUploadStreamWithID(ctx, nil, "f", nil); return err }()},
		{"nil context", "nil context", func() error { _, err := b.OpenDownloadStream(nil, 1); return err }()}, //nolint:staticcheck
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, c.err, c.want)
		}
		if c.name != "bad bucket name" && !errors.Is(c.err, motor.ErrInvalidOption) {
			t.Errorf("%s: %v does not wrap motor.ErrInvalidOption", c.name, c.err)
		}
	}
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("sent %v before refusing", names)
	}
}

// failingReader yields n bytes, then fails.
type failingReader struct {
	n   int
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	m := min(len(p), r.n)
	for i := range p[:m] {
		p[i] = 'x'
	}
	r.n -= m
	return m, nil
}

// A failed or cancelled upload deletes what it wrote and inserts no files document.
func TestFailedUploadLeavesNothing(t *testing.T) {
	b, db, _ := newBucket(t, &gridfs.BucketOptions{ChunkSize: 4})
	ctx := t.Context()
	boom := errors.New("boom")
	_, err := b.UploadFromStream(ctx, "f", &failingReader{n: 10, err: boom}, nil)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "reading the source: boom") {
		t.Fatalf("error = %v, want the source's", err)
	}
	if f, c := docs(t, db, "fs.files"), docs(t, db, "fs.chunks"); len(f)+len(c) != 0 {
		t.Fatalf("left behind: %v %v", f, c)
	}

	// The context ends after two chunks: the deletes run on a context of their own.
	cctx, cancel := context.WithCancel(ctx)
	s, err := b.OpenUploadStream(cctx, "g", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("12345678")); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := s.Write([]byte("9abc")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write after cancel: %v, want context.Canceled", err)
	}
	if err := s.Close(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close after a failed write: %v, want the write's error", err)
	}
	if !s.Closed() {
		t.Error("the stream is not closed")
	}
	if f, c := docs(t, db, "fs.files"), docs(t, db, "fs.chunks"); len(f)+len(c) != 0 {
		t.Fatalf("left behind: %v %v", f, c)
	}
}

// An id in use is ErrFileExists, and the file that has it stays whole.
func TestFileExists(t *testing.T) {
	b, _, _ := newBucket(t, &gridfs.BucketOptions{ChunkSize: 4})
	ctx := t.Context()
	if err := b.UploadFromStreamWithID(ctx, "id1", "f", strings.NewReader("original"), nil); err != nil {
		t.Fatal(err)
	}
	err := b.UploadFromStreamWithID(ctx, "id1", "f", strings.NewReader("other"), nil)
	if !errors.Is(err, gridfs.ErrFileExists) {
		t.Fatalf("error = %v, want ErrFileExists", err)
	}
	want := `motor: gridfs upload from stream with id ` + b.Name()
	if !strings.HasPrefix(err.Error(), "motor: gridfs upload from stream with id ") || !strings.HasSuffix(err.Error(), `.fs: file with _id "id1" already exists`) {
		t.Errorf("error = %q, want %q...", err, want)
	}
	var buf bytes.Buffer
	if _, err := b.DownloadToStream(ctx, "id1", &buf); err != nil || buf.String() != "original" {
		t.Fatalf("the original file: %q, %v", buf.String(), err)
	}

	// An empty file with the id: the chunks insert goes through and the files insert fails; the chunks go.
	if err := b.UploadFromStreamWithID(ctx, "empty", "e", strings.NewReader(""), nil); err != nil {
		t.Fatal(err)
	}
	if err := b.UploadFromStreamWithID(ctx, "empty", "e", strings.NewReader("data"), nil); !errors.Is(err, gridfs.ErrFileExists) {
		t.Fatalf("error = %v, want ErrFileExists", err)
	}
	buf.Reset()
	if _, err := b.DownloadToStream(ctx, "empty", &buf); err != nil || buf.Len() != 0 {
		t.Fatalf("the empty file: %q, %v", buf.String(), err)
	}
}

func TestNoFile(t *testing.T) {
	b, _, _ := newBucket(t, nil)
	ctx := t.Context()
	for name, err := range map[string]error{
		"open":   func() error { _, err := b.OpenDownloadStream(ctx, 42); return err }(),
		"name":   func() error { _, err := b.OpenDownloadStreamByName(ctx, "nope", 3); return err }(),
		"delete": b.Delete(ctx, 42),
		"rename": b.Rename(ctx, 42, "x"),
	} {
		if !errors.Is(err, gridfs.ErrNoFile) {
			t.Errorf("%s: %v, want ErrNoFile", name, err)
		}
	}
	_, err := b.OpenDownloadStreamByName(ctx, "nope", 3)
	if want := `no version 3 for filename "nope"`; !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error = %q, want ...%q", err, want)
	}
}

// Corrupt files: the error says which chunk was expected and what was found, and no byte beyond the file's length
// is returned.
func TestCorruptFile(t *testing.T) {
	b, db, _ := newBucket(t, &gridfs.BucketOptions{ChunkSize: 4})
	ctx := t.Context()
	id, err := b.UploadFromStream(ctx, "f", strings.NewReader("abcdefghij"), nil) // chunks 0, 1, 2
	if err != nil {
		t.Fatal(err)
	}
	chunks := db.Collection("fs.chunks")
	// An extra chunk with data: reading with Read stops at the length; WriteTo reads on and fails.
	if _, err := chunks.InsertOne(ctx, bson.D{{Key: "files_id", Value: id}, {Key: "n", Value: int32(3)},
		{Key: "data", Value: bson.Binary{Data: []byte("XXXX")}}}, nil); err != nil {
		t.Fatal(err)
	}
	s, err := b.OpenDownloadStream(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(s)
	if err != nil || string(all) != "abcdefghij" {
		t.Fatalf("ReadAll = %q, %v", all, err)
	}
	s.Close()
	var buf bytes.Buffer
	_, err = b.DownloadToStream(ctx, id, &buf)
	var ce *gridfs.CorruptFileError
	if !errors.As(err, &ce) || ce.Kind != "extra" || ce.Found != 3 || ce.Want != 3 || !errors.Is(err, gridfs.ErrCorruptFile) {
		t.Fatalf("extra chunk: %v (%+v)", err, ce)
	}
	if buf.String() != "abcdefghij" {
		t.Errorf("wrote %q", buf.String())
	}
	if !strings.HasSuffix(err.Error(), "corrupt file: extra chunk found: expected 3 chunks but found chunk with n=3") {
		t.Errorf("error = %q", err)
	}

	// A missing chunk.
	if _, err := chunks.DeleteOne(ctx, bson.D{{Key: "files_id", Value: id}, {Key: "n", Value: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	s, err = b.OpenDownloadStream(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err = io.ReadAll(s)
	if !errors.As(err, &ce) || ce.Kind != "missing" || ce.Chunk != 1 || ce.Found != 2 || string(all) != "abcd" {
		t.Fatalf("missing chunk: %q, %v", all, err)
	}
	if !strings.HasSuffix(err.Error(), "corrupt file: missing chunk: expected chunk #1 but found chunk with n=2") {
		t.Errorf("error = %q", err)
	}
	if _, err := s.Read(make([]byte, 4)); !errors.Is(err, gridfs.ErrCorruptFile) {
		t.Errorf("the next read: %v, want the same error", err)
	}
}

func TestSeekReadChunk(t *testing.T) {
	b, _, rec := newBucket(t, &gridfs.BucketOptions{ChunkSize: 4})
	ctx := t.Context()
	id, err := b.UploadFromStream(ctx, "f", strings.NewReader("abcdefghij"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.OpenDownloadStream(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if f := s.File(); f.Length != 10 || f.ChunkSize != 4 || f.Filename != "f" || f.MD5 != "a925576942e94b2ef57a066101b48876" {
		t.Errorf("File() = %+v", f)
	}
	var got []string
	for {
		c, err := s.ReadChunk()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(c))
	}
	diff(t, "chunks", []string{"abcd", "efgh", "ij"}, got)

	if _, err := s.Seek(6, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	p := make([]byte, 2)
	if n, err := s.Read(p); err != nil || string(p[:n]) != "gh" {
		t.Fatalf("Read after Seek(6) = %q, %v", p[:n], err)
	}
	if c, err := s.ReadChunk(); err != nil || string(c) != "ij" { // the next chunk: the cursor goes on
		t.Fatalf("ReadChunk = %q, %v", c, err)
	}
	if n := len(rec.Names()); n != 1 {
		t.Errorf("sent %v, want one find", rec.Names())
	}
	if pos, err := s.Seek(-3, io.SeekEnd); err != nil || pos != 7 {
		t.Fatalf("Seek(-3, End) = %d, %v", pos, err)
	}
	if pos, _ := s.Seek(0, io.SeekCurrent); pos != 7 {
		t.Errorf("tell = %d", pos)
	}
	if c, err := s.ReadChunk(); err != nil || string(c) != "h" {
		t.Fatalf("ReadChunk at 7 = %q, %v", c, err)
	}
	if _, err := s.Seek(100, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Read(p); n != 0 || err != io.EOF {
		t.Errorf("Read past the end = %d, %v; want io.EOF", n, err)
	}
	if _, err := s.Seek(-1, io.SeekStart); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("Seek(-1) = %v", err)
	}
	if _, err := s.Seek(0, 7); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("Seek whence 7 = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(p); !errors.Is(err, gridfs.ErrClosed) {
		t.Errorf("Read after Close = %v", err)
	}
}

func TestFindAndDrop(t *testing.T) {
	b, db, _ := newBucket(t, nil)
	ctx := t.Context()
	for _, name := range []string{"b", "a", "c"} {
		if err := b.UploadFromStreamWithID(ctx, name, name+".txt", strings.NewReader(name), nil); err != nil {
			t.Fatal(err)
		}
	}
	cur, err := b.Find(ctx, bson.D{{Key: "length", Value: 1}}, &motor.FindOptions{Sort: bson.D{{Key: "filename", Value: 1}}, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	files, err := cur.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Filename)
	}
	diff(t, "found", []string{"a.txt", "b.txt"}, names)
	if err := b.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	colls, err := db.ListCollectionNames(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(colls) != 0 {
		t.Errorf("after Drop: %v", colls)
	}
}
