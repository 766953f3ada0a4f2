package gridfs_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor/gridfs"
)

func TestUploadWire(t *testing.T) {
	b, db, rec := newBucket(t, &gridfs.BucketOptions{ChunkSize: 4})
	ctx := t.Context()
	rec.Reset()
	id, err := b.UploadFromStream(ctx, "a.txt", strings.NewReader("hello world"), &gridfs.UploadOptions{Metadata: bson.D{{Key: "k", Value: "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range strip(rec.Commands()) {
		fmt.Println(c)
	}
	fmt.Println(docs(t, db, "fs.files"))
	fmt.Println(docs(t, db, "fs.chunks"))
	var buf bytes.Buffer
	rec.Reset()
	n, err := b.DownloadToStream(ctx, id, &buf)
	fmt.Println(n, err, buf.String())
	for _, c := range strip(rec.Commands()) {
		fmt.Println(c)
	}
	rec.Reset()
	s, err := b.OpenDownloadStream(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	s.Seek(5, io.SeekStart)
	all, err := io.ReadAll(s)
	fmt.Printf("%q %v\n", all, err)
	for _, c := range strip(rec.Commands()) {
		fmt.Println(c)
	}
}
