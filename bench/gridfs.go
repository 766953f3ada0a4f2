package main

// The GridFS workloads (issue 16): upload and download of a file of cfg.FileMiB MiB with 255 KiB chunks, by motor's
// gridfs package, the driver's GridFSBucket, and the raw chunk bound (the driver inserting and finding the chunk
// documents themselves, with nothing around them).

import (
	"context"
	"fmt"
	"io"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/gridfs"
)

const chunkSize = 255 * 1024

func isGridFS(workload string) bool { return strings.HasPrefix(workload, "gridfs_") }

func isUpload(workload string) bool { return strings.HasPrefix(workload, "gridfs_upload") }

// pattern is a reader of n bytes of a fixed pattern, made without allocating.
type pattern struct{ n, done int64 }

func (r *pattern) Read(p []byte) (int, error) {
	if r.done >= r.n {
		return 0, io.EOF
	}
	m := int(min(int64(len(p)), r.n-r.done))
	for i := range p[:m] {
		p[i] = byte(r.done + int64(i))
	}
	r.done += int64(m)
	return m, nil
}

// counter counts what it is written and drops it.
type counter struct{ n int64 }

func (w *counter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// bucketName is the client's bucket for the workload.
func bucketName(cfg clientConfig) string { return cfg.workload + "_" + cfg.tag }

func motorGridFS(ctx context.Context, c *motor.Client, cfg clientConfig) (opFunc, error) {
	b, err := gridfs.NewBucket(c.Database(dbFiles), &gridfs.BucketOptions{Name: bucketName(cfg)})
	if err != nil {
		return nil, err
	}
	if err := b.Drop(ctx); err != nil {
		return nil, err
	}
	return transferWorkload(ctx, cfg,
		func(ctx context.Context, src io.Reader) (bson.ObjectID, error) {
			return b.UploadFromStream(ctx, "bench", src, nil)
		},
		func(ctx context.Context, id bson.ObjectID, dst io.Writer) (int64, error) {
			return b.DownloadToStream(ctx, id, dst)
		})
}

func driverGridFS(ctx context.Context, c *mongo.Client, cfg clientConfig) (opFunc, error) {
	b := c.Database(dbFiles).GridFSBucket(options.GridFSBucket().SetName(bucketName(cfg)))
	if err := b.Drop(ctx); err != nil {
		return nil, err
	}
	return transferWorkload(ctx, cfg,
		func(ctx context.Context, src io.Reader) (bson.ObjectID, error) {
			return b.UploadFromStream(ctx, "bench", src)
		},
		func(ctx context.Context, id bson.ObjectID, dst io.Writer) (int64, error) {
			return b.DownloadToStream(ctx, id, dst)
		})
}

// transferWorkload returns the op of a GridFS workload, given a client's upload and download of a file: an upload
// workload uploads a new file of cfg.FileMiB MiB each time; a download workload uploads one such file first, then
// downloads it each time, into a counter, and checks its size.
func transferWorkload(ctx context.Context, cfg clientConfig,
	upload func(ctx context.Context, src io.Reader) (bson.ObjectID, error),
	download func(ctx context.Context, id bson.ObjectID, dst io.Writer) (int64, error)) (opFunc, error) {
	size := int64(cfg.FileMiB) << 20
	if isUpload(cfg.workload) {
		return func(ctx context.Context, _ int) error {
			_, err := upload(ctx, &pattern{n: size})
			return err
		}, nil
	}
	id, err := upload(ctx, &pattern{n: size})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ int) error {
		n, err := download(ctx, id, &counter{})
		if err == nil && n != size {
			err = fmt.Errorf("%d bytes", n)
		}
		return err
	}, nil
}

// rawChunksWorkload is the bound of both: an upload is one insert per chunk document {_id, files_id, n, data} and
// nothing else (no index check, no files document, no MD5); a download is one find of the chunks sorted by n, four
// per batch, each chunk's data handed to the sink.
func rawChunksWorkload(ctx context.Context, c *mongo.Client, cfg clientConfig) (opFunc, error) {
	chunks := c.Database(dbFiles).Collection(bucketName(cfg) + ".chunks")
	if err := chunks.Drop(ctx); err != nil {
		return nil, err
	}
	if _, err := chunks.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "files_id", Value: 1}, {Key: "n", Value: 1}}, Options: options.Index().SetUnique(true),
	}); err != nil {
		return nil, err
	}
	buf := make([]byte, chunkSize)
	upload := func(ctx context.Context, src io.Reader) (bson.ObjectID, error) {
		id := bson.NewObjectID()
		for n := int32(0); ; n++ {
			m, err := io.ReadFull(src, buf)
			if m > 0 {
				if _, err := chunks.InsertOne(ctx, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "files_id", Value: id},
					{Key: "n", Value: n}, {Key: "data", Value: bson.Binary{Data: buf[:m]}}}); err != nil {
					return id, err
				}
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return id, nil
			}
			if err != nil {
				return id, err
			}
		}
	}
	download := func(ctx context.Context, id bson.ObjectID, dst io.Writer) (int64, error) {
		cur, err := chunks.Find(ctx, bson.D{{Key: "files_id", Value: id}},
			options.Find().SetSort(bson.D{{Key: "n", Value: 1}}).SetBatchSize(4))
		if err != nil {
			return 0, err
		}
		defer cur.Close(ctx)
		var n int64
		for cur.Next(ctx) {
			_, data, ok := cur.Current.Lookup("data").BinaryOK()
			if !ok {
				return n, fmt.Errorf("a chunk without data")
			}
			m, _ := dst.Write(data)
			n += int64(m)
		}
		return n, cur.Err()
	}
	return transferWorkload(ctx, cfg, upload, download)
}
