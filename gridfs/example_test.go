package gridfs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/gridfs"
	"github.com/gomotor/motor/motortest"
)

// readerAt turns a download stream into an io.ReaderAt (for io.NewSectionReader) with Seek and Read.
type readerAt struct{ s *gridfs.DownloadStream }

func (r readerAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := r.s.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(r.s, p)
}

// Make a bucket with options: a bucket name, a chunk size and the MD5 switch.
func ExampleNewBucket() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("example_new_bucket")
	bucket, err := gridfs.NewBucket(db, &gridfs.BucketOptions{Name: "photos", ChunkSize: 1024, DisableMD5: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bucket.Name())

	// Bad options are refused before any I/O.
	_, err = gridfs.NewBucket(db, &gridfs.BucketOptions{WriteConcern: writeconcern.Unacknowledged()})
	fmt.Println(err)
	// Output:
	// photos
	// motor: gridfs new bucket example_new_bucket.fs: write concern must be acknowledged
}

// Store a file and read it back.
func ExampleBucket() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "notes.txt", strings.NewReader("hello, gridfs"), nil)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := bucket.DownloadToStream(ctx, id, &buf); err != nil {
		log.Fatal(err)
	}
	fmt.Println(buf.String())
	// Output: hello, gridfs
}

func ExampleBucket_Name() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_name"), &gridfs.BucketOptions{Name: "media"})
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(bucket.Name())
	// Output: media
}

// Upload from any io.Reader; the bucket holds one chunk in memory whatever the size.
func ExampleBucket_UploadFromStream() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_uploadfromstream"), nil)
	if err != nil {
		log.Fatal(err)
	}

	f, err := os.CreateTemp("", "report-*.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString("day,visits\nmon,12\n"); err != nil {
		log.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	id, err := bucket.UploadFromStream(ctx, "report.csv", f, &gridfs.UploadOptions{
		Metadata: bson.D{{Key: "owner", Value: "ops"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fmt.Println(s.File().Filename, s.File().Length, s.File().Metadata)
	// Output: report.csv 18 {"owner": "ops"}
}

// Choose the file's id; an id in use is ErrFileExists.
func ExampleBucket_UploadFromStreamWithID() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_uploadfromstreamwithid"), nil)
	if err != nil {
		log.Fatal(err)
	}

	if err := bucket.UploadFromStreamWithID(ctx, "invoice-42", "invoice.txt", strings.NewReader("total: 10"), nil); err != nil {
		log.Fatal(err)
	}
	err = bucket.UploadFromStreamWithID(ctx, "invoice-42", "invoice.txt", strings.NewReader("total: 99"), nil)
	fmt.Println(errors.Is(err, gridfs.ErrFileExists))
	fmt.Println(err)
	// Output:
	// true
	// motor: gridfs upload from stream with id example_bucket_uploadfromstreamwithid.fs: file with _id "invoice-42" already exists
}

// Write a file piece by piece, then Close to store it.
func ExampleBucket_OpenUploadStream() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_openuploadstream"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "log.txt", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range []string{"one\n", "two\n", "three\n"} {
		if _, err := io.WriteString(s, line); err != nil {
			log.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.File().Length, s.File().ChunkSize, s.File().MD5)
	// Output: 14 4 deed54b823522e0525693b090363f9df
}

func ExampleBucket_OpenUploadStreamWithID() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_openuploadstreamwithid"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStreamWithID(ctx, int64(7), "seven.txt", nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Write([]byte("7")); err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.ID(), s.Filename())
	// Output: 7 seven.txt
}

// Read a file through an io.ReadSeeker; a missing id is ErrNoFile.
func ExampleBucket_OpenDownloadStream() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_opendownloadstream"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "notes.txt", strings.NewReader("hello, gridfs"), nil)
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Seek(7, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	rest, err := io.ReadAll(s)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", rest)

	_, err = bucket.OpenDownloadStream(ctx, "no-such-id")
	fmt.Println(errors.Is(err, gridfs.ErrNoFile))
	// Output:
	// "gridfs"
	// true
}

// Revisions count from 0 (the first upload) or from -1 (the latest).
func ExampleBucket_OpenDownloadStreamByName() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_opendownloadstreambyname"), nil)
	if err != nil {
		log.Fatal(err)
	}

	for _, text := range []string{"first draft", "second draft", "final"} {
		if _, err := bucket.UploadFromStream(ctx, "essay.txt", strings.NewReader(text), nil); err != nil {
			log.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // upload dates order the revisions, to the millisecond
	}
	for _, rev := range []int{0, -1, -2} {
		s, err := bucket.OpenDownloadStreamByName(ctx, "essay.txt", rev)
		if err != nil {
			log.Fatal(err)
		}
		text, err := io.ReadAll(s)
		if err != nil {
			log.Fatal(err)
		}
		s.Close()
		fmt.Println(rev, string(text))
	}
	_, err = bucket.OpenDownloadStreamByName(ctx, "essay.txt", 3)
	fmt.Println(err)
	// Output:
	// 0 first draft
	// -1 final
	// -2 second draft
	// motor: gridfs open download stream by name example_bucket_opendownloadstreambyname.fs: no version 3 for filename "essay.txt"
}

func ExampleBucket_DownloadToStream() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_downloadtostream"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "notes.txt", strings.NewReader("hello, gridfs"), nil)
	if err != nil {
		log.Fatal(err)
	}
	n, err := bucket.DownloadToStream(ctx, id, os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("\n", n, "bytes")
	// Output:
	// hello, gridfs
	//  13 bytes
}

func ExampleBucket_DownloadToStreamByName() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_downloadtostreambyname"), nil)
	if err != nil {
		log.Fatal(err)
	}

	for _, text := range []string{"first draft", "second draft", "final"} {
		if _, err := bucket.UploadFromStream(ctx, "essay.txt", strings.NewReader(text), nil); err != nil {
			log.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // upload dates order the revisions, to the millisecond
	}
	if _, err := bucket.DownloadToStreamByName(ctx, "essay.txt", os.Stdout, -1); err != nil {
		log.Fatal(err)
	}
	fmt.Println()
	// Output: final
}

func ExampleBucket_Delete() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_delete"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "notes.txt", strings.NewReader("hello, gridfs"), nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := bucket.Delete(ctx, id); err != nil {
		log.Fatal(err)
	}
	err = bucket.Delete(ctx, id)
	fmt.Println(errors.Is(err, gridfs.ErrNoFile))
	// Output: true
}

// Unlike Motor, renaming a missing file is ErrNoFile.
func ExampleBucket_Rename() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_rename"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "notes.txt", strings.NewReader("hello, gridfs"), nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := bucket.Rename(ctx, id, "greeting.txt"); err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStreamByName(ctx, "greeting.txt", -1)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fmt.Println(s.File().Filename)
	fmt.Println(errors.Is(bucket.Rename(ctx, "missing", "x"), gridfs.ErrNoFile))
	// Output:
	// greeting.txt
	// true
}

// Find files by their files documents, with the options of motor's Find.
func ExampleBucket_Find() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_find"), nil)
	if err != nil {
		log.Fatal(err)
	}

	for _, name := range []string{"b.txt", "a.txt", "c.log"} {
		if _, err := bucket.UploadFromStream(ctx, name, strings.NewReader(name), nil); err != nil {
			log.Fatal(err)
		}
	}
	cur, err := bucket.Find(ctx, bson.D{{Key: "filename", Value: bson.D{{Key: "$regex", Value: `\.txt$`}}}},
		&motor.FindOptions{Sort: bson.D{{Key: "filename", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		f := cur.File()
		fmt.Println(f.Filename, f.Length)
	}
	if err := cur.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// a.txt 5
	// b.txt 5
}

func ExampleBucket_Drop() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucket_drop"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "notes.txt", strings.NewReader("hello, gridfs"), nil)
	if err != nil {
		log.Fatal(err)
	}
	_ = id
	if err := bucket.Drop(ctx); err != nil {
		log.Fatal(err)
	}
	names, err := client.Database("example_bucket_drop").ListCollectionNames(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(names))
	// Output: 0
}

func ExampleCursor() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_cursor"), nil)
	if err != nil {
		log.Fatal(err)
	}

	for _, name := range []string{"b.txt", "a.txt", "c.log"} {
		if _, err := bucket.UploadFromStream(ctx, name, strings.NewReader(name), nil); err != nil {
			log.Fatal(err)
		}
	}
	cur, err := bucket.Find(ctx, nil, &motor.FindOptions{Sort: bson.D{{Key: "filename", Value: -1}}, Limit: 2})
	if err != nil {
		log.Fatal(err)
	}
	files, err := cur.All(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f.Filename)
	}
	// Output:
	// c.log
	// b.txt
}

func ExampleCursor_Next() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_cursor_next"), nil)
	if err != nil {
		log.Fatal(err)
	}

	for _, name := range []string{"b.txt", "a.txt", "c.log"} {
		if _, err := bucket.UploadFromStream(ctx, name, strings.NewReader(name), nil); err != nil {
			log.Fatal(err)
		}
	}
	cur, err := bucket.Find(ctx, nil, &motor.FindOptions{Sort: bson.D{{Key: "filename", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		fmt.Println(cur.File().Filename)
	}
	if err := cur.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// a.txt
	// b.txt
	// c.log
}

func ExampleCursor_File() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_cursor_file"), nil)
	if err != nil {
		log.Fatal(err)
	}

	for _, name := range []string{"b.txt", "a.txt", "c.log"} {
		if _, err := bucket.UploadFromStream(ctx, name, strings.NewReader(name), nil); err != nil {
			log.Fatal(err)
		}
	}
	cur, err := bucket.Find(ctx, nil, &motor.FindOptions{Sort: bson.D{{Key: "filename", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	if cur.Next(ctx) {
		f := cur.File()
		fmt.Println(f.Filename, f.Length, f.ChunkSize, f.MD5)
	}
	// Output: a.txt 5 261120 a5e54d1fd7bb69a228ef0dcd2431367e
}

func ExampleCursor_Err() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_cursor_err"), nil)
	if err != nil {
		log.Fatal(err)
	}

	for _, name := range []string{"b.txt", "a.txt", "c.log"} {
		if _, err := bucket.UploadFromStream(ctx, name, strings.NewReader(name), nil); err != nil {
			log.Fatal(err)
		}
	}
	cur, err := bucket.Find(ctx, nil, &motor.FindOptions{Sort: bson.D{{Key: "filename", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
	}
	fmt.Println(cur.Err())
	// Output: <nil>
}

func ExampleCursor_Close() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_cursor_close"), nil)
	if err != nil {
		log.Fatal(err)
	}

	for _, name := range []string{"b.txt", "a.txt", "c.log"} {
		if _, err := bucket.UploadFromStream(ctx, name, strings.NewReader(name), nil); err != nil {
			log.Fatal(err)
		}
	}
	cur, err := bucket.Find(ctx, nil, &motor.FindOptions{Sort: bson.D{{Key: "filename", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	if err := cur.Close(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(cur.Next(ctx))
	// Output: false
}

func ExampleCursor_All() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_cursor_all"), nil)
	if err != nil {
		log.Fatal(err)
	}

	for _, name := range []string{"b.txt", "a.txt", "c.log"} {
		if _, err := bucket.UploadFromStream(ctx, name, strings.NewReader(name), nil); err != nil {
			log.Fatal(err)
		}
	}
	cur, err := bucket.Find(ctx, nil, &motor.FindOptions{Sort: bson.D{{Key: "filename", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	files, err := cur.All(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(files), files[0].Filename)
	// Output: 3 a.txt
}

// Copy into an upload stream with io.Copy (which uses its ReadFrom).
func ExampleUploadStream() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.Copy(s, strings.NewReader("0123456789")); err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.File().Length)
	// Output: 10
}

func ExampleUploadStream_ID() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_id"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	_, isObjectID := s.ID().(bson.ObjectID)
	fmt.Println(isObjectID)
	// Output: true
}

func ExampleUploadStream_Filename() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_filename"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Filename())
	// Output: data.bin
}

func ExampleUploadStream_ChunkSize() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_chunksize"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.ChunkSize())
	// Output: 4
}

func ExampleUploadStream_Closed() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_closed"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Closed())
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Closed())
	// Output:
	// false
	// true
}

func ExampleUploadStream_File() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_file"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.File() == nil) // nothing is stored before Close
	if _, err := s.Write([]byte("abc")); err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	f := s.File()
	fmt.Println(f.Filename, f.Length, f.MD5, !f.UploadDate.IsZero())
	// Output:
	// true
	// data.bin 3 900150983cd24fb0d6963f7d28e17f72 true
}

func ExampleUploadStream_Write() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_write"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	n, err := s.Write([]byte("hello"))
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	_, err = s.Write([]byte("more"))
	fmt.Println(n, errors.Is(err, gridfs.ErrClosed))
	// Output: 5 true
}

func ExampleUploadStream_ReadFrom() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_readfrom"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	n, err := s.ReadFrom(strings.NewReader("from a reader"))
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, s.File().Length)
	// Output: 13 13
}

func ExampleUploadStream_Close() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_close"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Write([]byte("x")); err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil { // inserts the last chunk, then the files document
		log.Fatal(err)
	}
	fmt.Println(s.Close()) // a second Close does nothing
	// Output: <nil>
}

func ExampleUploadStream_Abort() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_abort"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Write([]byte("half a file")); err != nil {
		log.Fatal(err)
	}
	if err := s.Abort(ctx); err != nil { // deletes the chunks written
		log.Fatal(err)
	}
	_, err = bucket.OpenDownloadStream(ctx, s.ID())
	fmt.Println(errors.Is(err, gridfs.ErrNoFile))
	// Output: true
}

func ExampleUploadStream_Set() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadstream_set"), nil)
	if err != nil {
		log.Fatal(err)
	}

	s, err := bucket.OpenUploadStream(ctx, "data.bin", &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Set(ctx, "contentType", "application/octet-stream"); err != nil { // stored by Close
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	if err := s.Set(ctx, "contentType", "image/png"); err != nil { // after Close: an update
		log.Fatal(err)
	}
	d, err := bucket.OpenDownloadStream(ctx, s.ID())
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	fmt.Println(d.File().ContentType)
	// Output: image/png
}

// A download stream is an io.ReadSeeker, so http.ServeContent can serve ranges of it.
func ExampleDownloadStream() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_downloadstream"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "abc.txt", strings.NewReader("abcdefghij"), &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	sec := io.NewSectionReader(readerAt{s}, 2, 5)
	part, err := io.ReadAll(sec)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(part))
	// Output: cdefg
}

func ExampleDownloadStream_File() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_downloadstream_file"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "abc.txt", strings.NewReader("abcdefghij"), &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	f := s.File()
	fmt.Println(f.Filename, f.Length, f.ChunkSize, f.MD5)
	// Output: abc.txt 10 4 a925576942e94b2ef57a066101b48876
}

func ExampleDownloadStream_Read() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_downloadstream_read"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "abc.txt", strings.NewReader("abcdefghij"), &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	p := make([]byte, 3)
	for {
		n, err := s.Read(p)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q ", p[:n])
	}
	fmt.Println()
	// Output: "abc" "d" "efg" "h" "ij"
}

func ExampleDownloadStream_ReadChunk() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_downloadstream_readchunk"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "abc.txt", strings.NewReader("abcdefghij"), &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	for {
		chunk, err := s.ReadChunk()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s ", chunk)
	}
	fmt.Println()
	// Output: abcd efgh ij
}

func ExampleDownloadStream_Seek() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_downloadstream_seek"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "abc.txt", strings.NewReader("abcdefghij"), &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Seek(-3, io.SeekEnd); err != nil {
		log.Fatal(err)
	}
	pos, _ := s.Seek(0, io.SeekCurrent) // Motor's tell
	rest, err := io.ReadAll(s)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pos, string(rest))

	// Past the end is allowed; reading there is io.EOF.
	if _, err := s.Seek(100, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	_, err = s.Read(make([]byte, 1))
	fmt.Println(err)
	// Output:
	// 7 hij
	// EOF
}

func ExampleDownloadStream_WriteTo() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_downloadstream_writeto"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "abc.txt", strings.NewReader("abcdefghij"), &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Seek(4, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	n, err := s.WriteTo(os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("", n)
	// Output: efghij 6
}

func ExampleDownloadStream_Close() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_downloadstream_close"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "abc.txt", strings.NewReader("abcdefghij"), &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	_, err = s.Read(make([]byte, 1))
	fmt.Println(errors.Is(err, gridfs.ErrClosed))
	// Output: true
}

func ExampleFile() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_file"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "notes.txt", strings.NewReader("hello, gridfs"), nil)
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenDownloadStream(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	f := s.File()
	fmt.Println(f.ID == id, f.Filename, f.Length, f.ChunkSize, f.MD5, f.UploadDate.Location())
	// Output: true notes.txt 13 261120 d453c70608a6452d287bd2107120b105 UTC
}

func ExampleUploadOptions() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_uploadoptions"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "tiny.txt", strings.NewReader("abcdef"), &gridfs.UploadOptions{
		ChunkSize: 2,
		Metadata:  bson.D{{Key: "lang", Value: "en"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	n, err := client.Database("example_uploadoptions").Collection("fs.chunks").CountDocuments(ctx, bson.D{{Key: "files_id", Value: id}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "chunks")
	// Output: 3 chunks
}

func ExampleBucketOptions() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_bucketoptions"), &gridfs.BucketOptions{
		Name:           "avatars",
		ChunkSize:      64 * 1024,
		WriteConcern:   writeconcern.Majority(),
		ReadPreference: readpref.PrimaryPreferred(),
	})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bucket.OpenUploadStream(ctx, "me.png", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Abort(ctx)
	fmt.Println(bucket.Name(), s.ChunkSize(), gridfs.DefaultChunkSize)
	// Output: avatars 65536 261120
}

// A chunk is missing: the error says which chunk was expected and which was found.
func ExampleCorruptFileError() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_corruptfileerror"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "f.txt", strings.NewReader("abcdefghij"), &gridfs.UploadOptions{ChunkSize: 4})
	if err != nil {
		log.Fatal(err)
	}
	chunks := client.Database("example_corruptfileerror").Collection("fs.chunks")
	if _, err := chunks.DeleteOne(ctx, bson.D{{Key: "files_id", Value: id}, {Key: "n", Value: 1}}, nil); err != nil {
		log.Fatal(err)
	}
	_, err = bucket.DownloadToStream(ctx, id, io.Discard)
	var ce *gridfs.CorruptFileError
	if errors.As(err, &ce) {
		fmt.Println(ce.Kind, ce.Chunk, ce.Found, errors.Is(err, gridfs.ErrCorruptFile))
		fmt.Println(ce)
	}
	// Output:
	// missing 1 2 true
	// corrupt file: missing chunk: expected chunk #1 but found chunk with n=2
}

func ExampleCorruptFileError_Error() {
	err := &gridfs.CorruptFileError{Kind: "size", Chunk: 0, Want: 4, Found: 2}
	fmt.Println(err.Error())
	// Output: corrupt file: truncated chunk #0: expected chunk length to be 4 but found chunk with length 2
}

func ExampleCorruptFileError_Unwrap() {
	err := &gridfs.CorruptFileError{Kind: "extra", Chunk: 1, Want: 1, Found: 1}
	fmt.Println(err.Unwrap() == gridfs.ErrCorruptFile, errors.Is(err, gridfs.ErrCorruptFile))
	// Output: true true
}

// The errors of the package: sentinels that errors.Is reaches through motor's error shape.
func Example_errors() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_errors"), nil)
	if err != nil {
		log.Fatal(err)
	}

	_, err = bucket.OpenDownloadStream(ctx, "nope")
	fmt.Println(errors.Is(err, gridfs.ErrNoFile))
	fmt.Println(err)

	if err := bucket.UploadFromStreamWithID(ctx, 1, "one", strings.NewReader("1"), nil); err != nil {
		log.Fatal(err)
	}
	err = bucket.UploadFromStreamWithID(ctx, 1, "one", strings.NewReader("1"), nil)
	fmt.Println(errors.Is(err, gridfs.ErrFileExists))

	s, err := bucket.OpenUploadStream(ctx, "two", nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	_, err = s.Write([]byte("late"))
	fmt.Println(errors.Is(err, gridfs.ErrClosed))
	// Output:
	// true
	// motor: gridfs open download stream example_errors.fs: no file with _id "nope"
	// true
	// true
}

// Serve a bucket over HTTP, with ranges and conditional requests.
func ExampleHandler() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_handler"), nil)
	if err != nil {
		log.Fatal(err)
	}

	if _, err := bucket.UploadFromStream(ctx, "hello.txt", strings.NewReader("hello, web"), nil); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /files/{filename...}", &gridfs.Handler{Bucket: bucket})
	web := httptest.NewServer(mux)
	defer web.Close()

	req, err := http.NewRequestWithContext(ctx, "GET", web.URL+"/files/hello.txt", nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Range", "bytes=7-9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Range"), string(body))
	// Output: 206 Partial Content text/plain; charset=utf-8 bytes 7-9/10 web
}

// Call the handler directly, as a test would.
func ExampleHandler_ServeHTTP() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_handler_servehttp"), nil)
	if err != nil {
		log.Fatal(err)
	}

	if _, err := bucket.UploadFromStream(ctx, "hello.txt", strings.NewReader("hello, web"), nil); err != nil {
		log.Fatal(err)
	}
	h := &gridfs.Handler{
		Bucket:       bucket,
		CacheTime:    func(string, time.Time, string) time.Duration { return time.Hour },
		ExtraHeaders: func(hdr http.Header, f *gridfs.File) { hdr.Set("X-Length", strconv.FormatInt(f.Length, 10)) },
	}
	for _, method := range []string{"HEAD", "DELETE"} {
		req := httptest.NewRequestWithContext(ctx, method, "/hello.txt", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(method, rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("X-Length"))
	}
	// Output:
	// HEAD 200 max-age=3600 10
	// DELETE 405
}

// ByName is the default: the latest revision of the name in the path.
func ExampleByName() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_byname"), nil)
	if err != nil {
		log.Fatal(err)
	}

	if _, err := bucket.UploadFromStream(ctx, "hello.txt", strings.NewReader("hello, web"), nil); err != nil {
		log.Fatal(err)
	}
	h := &gridfs.Handler{Bucket: bucket, GetFile: gridfs.ByName}
	for _, path := range []string{"/hello.txt", "/nothing.txt"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", path, nil))
		fmt.Println(path, rec.Code)
	}
	// Output:
	// /hello.txt 200
	// /nothing.txt 404
}

// Serve files by id: an ObjectID in hex, or a string id.
func ExampleByID() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	bucket, err := gridfs.NewBucket(client.Database("example_byid"), nil)
	if err != nil {
		log.Fatal(err)
	}

	id, err := bucket.UploadFromStream(ctx, "photo.jpg", strings.NewReader("jpeg bytes"), nil)
	if err != nil {
		log.Fatal(err)
	}
	h := &gridfs.Handler{Bucket: bucket, GetFile: gridfs.ByID}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", "/"+id.Hex(), nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output: 200 jpeg bytes
}
