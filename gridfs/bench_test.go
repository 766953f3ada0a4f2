package gridfs_test

// Throughput and memory of uploads and downloads, motor's bucket side by side with the driver's
// (mongo.GridFSBucket), on the test server:
//
//	go test -run '^$' -bench . -benchtime 3x ./gridfs/              # 64 MiB
//	GRIDFS_BENCH_MIB=256 go test -run '^$' -bench . -benchtime 1x ./gridfs/
//
// Besides MB/s and allocations, each reports heap-growth-B: the most the live heap grew over its size before the
// transfer, measured with a full GC every 8 MiB of the transfer (so garbage does not count), the memory the
// transfer holds.

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/gridfs"
)

// benchSize is the size of the benchmarks' file: GRIDFS_BENCH_MIB MiB, 64 by default.
func benchSize(tb testing.TB) int64 {
	mib := int64(64)
	if s := os.Getenv("GRIDFS_BENCH_MIB"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			tb.Fatalf("GRIDFS_BENCH_MIB=%q", s)
		}
		mib = n
	}
	return mib << 20
}

// heapProbe records the growth of the live heap: call check as the transfer progresses.
type heapProbe struct {
	base, peak uint64
	next       int64
}

const probeEvery = 8 << 20

func newHeapProbe() *heapProbe {
	p := &heapProbe{next: probeEvery}
	p.base = liveHeap()
	return p
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// check measures the live heap when done has passed the next multiple of probeEvery.
func (p *heapProbe) check(done int64) {
	if done < p.next {
		return
	}
	p.next = done + probeEvery
	if h := liveHeap(); h > p.base && h-p.base > p.peak {
		p.peak = h - p.base
	}
}

// patternReader yields n bytes of a pattern, checking the heap as it goes.
type patternReader struct {
	n, done int64
	probe   *heapProbe
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.done >= r.n {
		return 0, io.EOF
	}
	m := int(min(int64(len(p)), r.n-r.done))
	for i := range p[:m] {
		p[i] = byte(r.done + int64(i))
	}
	r.done += int64(m)
	if r.probe != nil {
		r.probe.check(r.done)
	}
	return m, nil
}

// countingWriter counts and drops what it is given, checking the heap as it goes.
type countingWriter struct {
	done  int64
	probe *heapProbe
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.done += int64(len(p))
	if w.probe != nil {
		w.probe.check(w.done)
	}
	return len(p), nil
}

// transfer is one implementation of upload and download.
type transfer struct {
	name     string
	upload   func(ctx context.Context, r io.Reader) (any, error)
	download func(ctx context.Context, id any, w io.Writer) (int64, error)
}

func transfers(tb testing.TB, db *motor.Database) []transfer {
	b, err := gridfs.NewBucket(db, nil)
	if err != nil {
		tb.Fatal(err)
	}
	mb := db.Mongo().GridFSBucket()
	return []transfer{
		{
			name:     "motor",
			upload:   func(ctx context.Context, r io.Reader) (any, error) { return b.UploadFromStream(ctx, "bench", r, nil) },
			download: b.DownloadToStream,
		},
		{
			name: "driver",
			upload: func(ctx context.Context, r io.Reader) (any, error) {
				return mb.UploadFromStream(ctx, "bench", r)
			},
			download: func(ctx context.Context, id any, w io.Writer) (int64, error) { return mb.DownloadToStream(ctx, id, w) },
		},
	}
}

func BenchmarkUpload(b *testing.B) {
	size := benchSize(b)
	db := newPlainDB(b)
	for _, tr := range transfers(b, db) {
		b.Run(fmt.Sprintf("%s/%dMiB", tr.name, size>>20), func(b *testing.B) {
			ctx := context.Background()
			b.SetBytes(size)
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				probe := newHeapProbe()
				id, err := tr.upload(ctx, &patternReader{n: size, probe: probe})
				if err != nil {
					b.Fatal(err)
				}
				peak = max(peak, probe.peak)
				b.StopTimer()
				if err := deleteFile(ctx, db, id); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(peak), "heap-growth-B")
		})
	}
}

func BenchmarkDownload(b *testing.B) {
	size := benchSize(b)
	db := newPlainDB(b)
	ctx := context.Background()
	for _, tr := range transfers(b, db) {
		id, err := tr.upload(ctx, &patternReader{n: size})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%s/%dMiB", tr.name, size>>20), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				w := &countingWriter{probe: newHeapProbe()}
				n, err := tr.download(ctx, id, w)
				if err != nil && tr.name == "driver" && strings.Contains(err.Error(), "read message too large") {
					// FerretDB ignores the 16 MiB bound of a batch: a find or getMore without batchSize answers
					// with every remaining chunk, past the 48 MB message limit, which the driver refuses.
					b.Skipf("FerretDB: the driver's download fails: %v", err)
				}
				if err != nil || n != size {
					b.Fatalf("download: %d, %v", n, err)
				}
				peak = max(peak, w.probe.peak)
			}
			b.ReportMetric(float64(peak), "heap-growth-B")
		})
	}
}

// deleteFile deletes a file of the bucket fs, whichever implementation wrote it.
func deleteFile(ctx context.Context, db *motor.Database, id any) error {
	if _, err := db.Collection("fs.files").DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}, nil); err != nil {
		return err
	}
	_, err := db.Collection("fs.chunks").DeleteMany(ctx, bson.D{{Key: "files_id", Value: id}}, nil)
	return err
}

// TestMemoryFlat checks that an upload and a download of a 32 MiB file hold about one chunk: the live heap grows
// by less than 2 MiB (the default chunk is 255 KiB; a download reads up to 256 KiB of chunks per batch).
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 64 MiB")
	}
	db := newPlainDB(t)
	b, err := gridfs.NewBucket(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	const size = 32 << 20
	up := newHeapProbe()
	id, err := b.UploadFromStream(ctx, "big", &patternReader{n: size, probe: up}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &countingWriter{probe: newHeapProbe()}
	if n, err := b.DownloadToStream(ctx, id, w); err != nil || n != size {
		t.Fatalf("download: %d, %v", n, err)
	}
	t.Logf("heap growth: upload %d B, download %d B", up.peak, w.probe.peak)
	if up.peak > 2<<20 || w.probe.peak > 2<<20 {
		t.Errorf("heap growth: upload %d B, download %d B; want under 2 MiB each", up.peak, w.probe.peak)
	}
}
