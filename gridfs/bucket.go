// Package gridfs stores files in GridFS, the MongoDB convention of a files collection and a chunks collection: Motor
// 2.3's AsyncIOMotorGridFSBucket, AsyncIOMotorGridIn, AsyncIOMotorGridOut and AsyncIOMotorGridOutCursor, in Go form.
//
// A [Bucket] is made on a *motor.Database with [NewBucket]. It uploads from an io.Reader
// ([Bucket.UploadFromStream]) or through an io.WriteCloser ([Bucket.OpenUploadStream]), downloads to an io.Writer
// ([Bucket.DownloadToStream]) or through an io.ReadSeeker ([Bucket.OpenDownloadStream]), and finds, renames, deletes
// and drops files. A [Handler] serves a bucket over HTTP, as Motor's aiohttp and Tornado handlers do, with byte
// ranges and conditional requests besides. Every operation goes through motor's collections and commands, so settings, sessions (in the
// context) and errors are motor's; errors read "motor: gridfs <operation> <db>.<bucket>: <cause>".
//
// It sends what Motor sends: the same commands in the same order, the files document
// {_id, filename, metadata, chunkSize, md5, length, uploadDate} and the chunk documents {_id, files_id, n, data} with
// the same fields in the same order, one insert per chunk, and the same index check before the first write of each
// upload stream. Where Motor (PyMongo 3.11's gridfs) is wrong, motor differs, and says so on the member:
//
//   - a failed or cancelled upload (the source fails, the context ends, the server refuses a chunk) deletes the
//     chunks it wrote and inserts no files document (PyMongo inserts a files document for a half-written file);
//   - a chunk size below 0 is refused before any I/O (PyMongo takes 0 and stores an empty file); an unacknowledged
//     write concern is refused by NewBucket, as in Motor;
//   - the bucket's write concern is sent with the uploads' writes (PyMongo 3.11 drops it);
//   - [Bucket.Rename] of a missing id is [ErrNoFile] (PyMongo crashes formatting that error);
//   - a read after a seek past the end is io.EOF (PyMongo raises ValueError);
//   - a download reads a bounded number of chunks per batch (batchSize), so it holds about one chunk whatever the
//     file's size, and never returns bytes beyond the file's length;
//   - [Bucket.Find] yields one typed value, [*File], where Motor's cursor yields dicts or GridOut objects;
//   - [Bucket.Drop] comes from the GridFS specification (PyMongo 3.11's bucket has no drop).
package gridfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
)

// DefaultChunkSize is the chunk size of a bucket made without one: 255 KiB, Motor's DEFAULT_CHUNK_SIZE (261120).
const DefaultChunkSize = 255 * 1024

// maxChunkSize bounds the chunk size so that a chunk document fits in the server's 16 MiB limit.
const maxChunkSize = 16*1024*1024 - 1024

// BucketOptions are the options of [NewBucket]: the keyword arguments of Motor's
// AsyncIOMotorGridFSBucket(database, bucket_name, chunk_size_bytes, write_concern, read_preference, disable_md5).
// The zero value (or a nil pointer) is the bucket "fs" with 255 KiB chunks, the database's settings and MD5 on.
type BucketOptions struct {
	// Name is the bucket name, the prefix of its collections <Name>.files and <Name>.chunks. "" means "fs".
	Name string

	// ChunkSize is the size of the chunks of new files, in bytes. 0 means DefaultChunkSize; below 0, or above 16 MiB
	// less 1 KiB, is an error before any I/O (Motor accepts 0 and stores empty files).
	ChunkSize int32

	// WriteConcern is the write concern of the bucket's writes. nil means the database's. An unacknowledged one
	// (w: 0), given here or inherited, is an error, as in Motor.
	WriteConcern *writeconcern.WriteConcern

	// ReadPreference is the read preference of the bucket's reads (file lookups, chunks, Find). nil means the
	// database's.
	ReadPreference *readpref.ReadPref

	// DisableMD5 leaves the md5 field out of the files documents of new files: Motor's disable_md5. The zero value
	// computes it, as PyMongo 3.11 does.
	DisableMD5 bool
}

// Bucket is a GridFS bucket: Motor's AsyncIOMotorGridFSBucket. Make it with [NewBucket]; it is safe for concurrent
// use, and making one sends nothing.
type Bucket struct {
	db         *motor.Database
	name, full string // "fs" and "db.fs"
	chunkSize  int32
	md5        bool
	wc         *writeconcern.WriteConcern

	files, chunks   *motor.Collection // writes: the bucket's write concern, primary reads
	rfiles, rchunks *motor.Collection // reads: the bucket's read preference
}

// NewBucket returns the bucket opts describe on db: Motor's AsyncIOMotorGridFSBucket(database, bucket_name,
// chunk_size_bytes, write_concern, read_preference, disable_md5). It sends nothing. A nil or bad database (see
// motor.Database.Err), a bad bucket name, a bad chunk size and an unacknowledged write concern are errors, wrapping
// motor.ErrInvalidOption or motor.ErrInvalidName.
func NewBucket(db *motor.Database, opts *BucketOptions) (*Bucket, error) {
	if opts == nil {
		opts = &BucketOptions{}
	}
	name := opts.Name
	if name == "" {
		name = "fs"
	}
	if db == nil {
		return nil, wrap("new bucket", name, invalid("nil database"))
	}
	b := &Bucket{db: db, name: name, full: db.Name() + "." + name, chunkSize: opts.ChunkSize, md5: !opts.DisableMD5}
	if err := db.Err(); err != nil {
		return nil, wrap("new bucket", b.full, err)
	}
	switch {
	case b.chunkSize == 0:
		b.chunkSize = DefaultChunkSize
	case b.chunkSize < 0 || b.chunkSize > maxChunkSize:
		return nil, wrap("new bucket", b.full, invalid("chunk size %d is not between 1 and %d", b.chunkSize, maxChunkSize))
	}
	b.wc = opts.WriteConcern
	if b.wc == nil {
		b.wc = db.WriteConcern()
	}
	if b.wc != nil && !b.wc.Acknowledged() {
		return nil, wrap("new bucket", b.full, invalid("write concern must be acknowledged"))
	}
	var wopts, ropts []motor.Option
	if opts.WriteConcern != nil {
		wopts = append(wopts, motor.WithWriteConcern(opts.WriteConcern))
	}
	wopts = append(wopts, motor.WithReadPreference(readpref.Primary()))
	if opts.ReadPreference != nil {
		ropts = append(ropts, motor.WithReadPreference(opts.ReadPreference))
	}
	b.files = db.Collection(name+".files", wopts...)
	if err := b.files.Err(); err != nil {
		return nil, wrap("new bucket", b.full, err)
	}
	b.chunks = db.Collection(name+".chunks", wopts...)
	b.rfiles = db.Collection(name+".files", ropts...)
	b.rchunks = db.Collection(name+".chunks", ropts...)
	return b, nil
}

// Name returns the bucket name, the prefix of its collections: Motor's bucket_name.
func (b *Bucket) Name() string { return b.name }

// UploadOptions are the options of one upload: the keyword arguments of Motor's upload_from_stream and
// open_upload_stream (chunk_size_bytes, metadata). The zero value (or a nil pointer) uses the bucket's chunk size
// and stores no metadata.
type UploadOptions struct {
	// ChunkSize is this file's chunk size in bytes. 0 means the bucket's; below 0 or above 16 MiB less 1 KiB is an
	// error before any I/O.
	ChunkSize int32

	// Metadata is stored as the files document's metadata field: any document. nil stores none.
	Metadata any
}

// UploadFromStream stores what source yields, up to io.EOF, as a new file named filename with a new ObjectID, and
// returns the id: Motor's upload_from_stream(filename, source, chunk_size_bytes, metadata). It sends what
// [Bucket.OpenUploadStream] and [UploadStream.ReadFrom] and [UploadStream.Close] send, holding one chunk in memory.
//
// A nil source or bad options are errors before any I/O. When source fails, the context ends or a write fails, the
// chunks written are deleted and no files document is inserted (PyMongo 3.11 inserts one for what was read), and
// the error is returned.
func (b *Bucket) UploadFromStream(ctx context.Context, filename string, source io.Reader, opts *UploadOptions) (bson.ObjectID, error) {
	id := bson.NewObjectID()
	return id, b.upload(ctx, "upload from stream", id, filename, source, opts)
}

// UploadFromStreamWithID is [Bucket.UploadFromStream] with the file's id given: Motor's
// upload_from_stream_with_id(file_id, filename, source, chunk_size_bytes, metadata). An id that a file already has
// is an [ErrFileExists] error.
func (b *Bucket) UploadFromStreamWithID(ctx context.Context, id any, filename string, source io.Reader, opts *UploadOptions) error {
	return b.upload(ctx, "upload from stream with id", id, filename, source, opts)
}

func (b *Bucket) upload(ctx context.Context, op string, id any, filename string, source io.Reader, opts *UploadOptions) error {
	if source == nil {
		return wrap(op, b.full, invalid("nil source"))
	}
	s, err := b.openUpload(ctx, op, id, filename, opts)
	if err != nil {
		return err
	}
	if _, err := s.ReadFrom(source); err != nil {
		return err
	}
	return s.Close()
}

// OpenUploadStream returns a stream that stores what is written to it as a new file named filename with a new
// ObjectID: Motor's open_upload_stream(filename, chunk_size_bytes, metadata), an AsyncIOMotorGridIn. It sends
// nothing; see [UploadStream] for what its writes send. ctx is the context of every write and of Close. Bad
// options are errors.
func (b *Bucket) OpenUploadStream(ctx context.Context, filename string, opts *UploadOptions) (*UploadStream, error) {
	return b.openUpload(ctx, "open upload stream", bson.NewObjectID(), filename, opts)
}

// OpenUploadStreamWithID is [Bucket.OpenUploadStream] with the file's id given: Motor's
// open_upload_stream_with_id(file_id, filename, chunk_size_bytes, metadata). A nil id is an error.
func (b *Bucket) OpenUploadStreamWithID(ctx context.Context, id any, filename string, opts *UploadOptions) (*UploadStream, error) {
	return b.openUpload(ctx, "open upload stream with id", id, filename, opts)
}

func (b *Bucket) openUpload(ctx context.Context, op string, id any, filename string, opts *UploadOptions) (*UploadStream, error) {
	if ctx == nil {
		return nil, wrap(op, b.full, invalid("nil context"))
	}
	if id == nil {
		return nil, wrap(op, b.full, invalid("nil id"))
	}
	if opts == nil {
		opts = &UploadOptions{}
	}
	size := opts.ChunkSize
	switch {
	case size == 0:
		size = b.chunkSize
	case size < 0 || size > maxChunkSize:
		return nil, wrap(op, b.full, invalid("chunk size %d is not between 1 and %d", size, maxChunkSize))
	}
	if strings.HasPrefix(op, "open ") {
		op = "upload stream" // the errors of the stream's writes and Close
	}
	return newUploadStream(ctx, b, op, id, filename, size, opts.Metadata), nil
}

// OpenDownloadStream returns a stream that reads the file with the given id: Motor's open_download_stream(file_id),
// an AsyncIOMotorGridOut. It sends {find: "<bucket>.files", filter: {_id: {$eq: id}}, limit: 1, singleBatch: true}
// with the bucket's read preference; the chunks are read on the first read (see [DownloadStream]). No such file is
// an [ErrNoFile] error. ctx is the context of every read of the stream.
func (b *Bucket) OpenDownloadStream(ctx context.Context, id any) (*DownloadStream, error) {
	return b.openDownload(ctx, "open download stream", id)
}

func (b *Bucket) openDownload(ctx context.Context, op string, id any) (*DownloadStream, error) {
	if ctx == nil {
		return nil, wrap(op, b.full, invalid("nil context"))
	}
	raw, err := b.rfiles.FindOne(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$eq", Value: id}}}}, nil).Raw()
	return b.openFound(ctx, op, raw, err, func() error { return noFile("no file with _id %v", fmtID(id)) })
}

// openFound returns a download stream on the files document that a lookup found (raw, or err); noDoc makes the error
// for none.
func (b *Bucket) openFound(ctx context.Context, op string, raw bson.Raw, err error, noDoc func() error) (*DownloadStream, error) {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, wrap(op, b.full, noDoc())
	}
	if err != nil {
		return nil, wrap(op, b.full, err)
	}
	f, err := parseFile(raw)
	if err != nil {
		return nil, wrap(op, b.full, err)
	}
	return newDownloadStream(ctx, b, streamOp(op), f)
}

// streamOp is the operation named in the errors of a download stream's reads: the download's own for
// DownloadToStream, "download stream" for a stream the caller opened.
func streamOp(op string) string {
	if strings.HasPrefix(op, "open ") {
		return "download stream"
	}
	return op
}

// OpenDownloadStreamByName returns a stream that reads a revision of the file named filename: Motor's
// open_download_stream_by_name(filename, revision). Revisions are numbered by upload date: 0 is the first, 1 the
// second, ...; -1 is the latest (Motor's default), -2 the one before, ... It sends {find: "<bucket>.files", filter:
// {filename}, sort: {uploadDate: 1}, skip: revision, limit: 1, singleBatch: true} for revision >= 0, and sort:
// {uploadDate: -1}, skip: -revision-1 otherwise (skip only when not 0). No such revision is an [ErrNoFile] error.
func (b *Bucket) OpenDownloadStreamByName(ctx context.Context, filename string, revision int) (*DownloadStream, error) {
	return b.openDownloadByName(ctx, "open download stream by name", filename, revision)
}

func (b *Bucket) openDownloadByName(ctx context.Context, op, filename string, revision int) (*DownloadStream, error) {
	if ctx == nil {
		return nil, wrap(op, b.full, invalid("nil context"))
	}
	o := &motor.FindOneOptions{Sort: bson.D{{Key: "uploadDate", Value: 1}}, Skip: int64(revision)}
	if revision < 0 {
		o = &motor.FindOneOptions{Sort: bson.D{{Key: "uploadDate", Value: -1}}, Skip: int64(-revision - 1)}
	}
	raw, err := b.rfiles.FindOne(ctx, bson.D{{Key: "filename", Value: filename}}, o).Raw()
	return b.openFound(ctx, op, raw, err, func() error {
		return noFile("no version %d for filename %q", revision, filename)
	})
}

// DownloadToStream writes the content of the file with the given id to dst and returns the number of bytes
// written: Motor's download_to_stream(file_id, destination). It sends the files lookup of
// [Bucket.OpenDownloadStream], then reads the chunks as [DownloadStream.WriteTo] does, holding about one chunk in
// memory. A nil dst is an error before any I/O; no such file is [ErrNoFile]; chunks that do not match the files
// document are [ErrCorruptFile], and nothing beyond the file's length is ever written.
func (b *Bucket) DownloadToStream(ctx context.Context, id any, dst io.Writer) (int64, error) {
	const op = "download to stream"
	if dst == nil {
		return 0, wrap(op, b.full, invalid("nil destination"))
	}
	s, err := b.openDownload(ctx, op, id)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	return s.WriteTo(dst)
}

// DownloadToStreamByName writes the content of a revision of the file named filename to dst: Motor's
// download_to_stream_by_name(filename, destination, revision). Revisions are as for
// [Bucket.OpenDownloadStreamByName]; the rest is as for [Bucket.DownloadToStream].
func (b *Bucket) DownloadToStreamByName(ctx context.Context, filename string, dst io.Writer, revision int) (int64, error) {
	const op = "download to stream by name"
	if dst == nil {
		return 0, wrap(op, b.full, invalid("nil destination"))
	}
	s, err := b.openDownloadByName(ctx, op, filename, revision)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	return s.WriteTo(dst)
}

// Delete deletes the file with the given id and its chunks: Motor's delete(file_id). It sends {delete:
// "<bucket>.files", deletes: [{q: {_id: {$eq: id}}, limit: 1}]}, then {delete: "<bucket>.chunks", deletes: [{q:
// {files_id: {$eq: id}}, limit: 0}]}, with the bucket's write concern; when no files document matched, the chunks
// are deleted all the same (orphans go) and the error is [ErrNoFile].
func (b *Bucket) Delete(ctx context.Context, id any) error {
	const op = "delete"
	if ctx == nil {
		return wrap(op, b.full, invalid("nil context"))
	}
	res, err := b.files.DeleteOne(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$eq", Value: id}}}}, nil)
	if err != nil {
		return wrap(op, b.full, err)
	}
	if _, err := b.chunks.DeleteMany(ctx, bson.D{{Key: "files_id", Value: bson.D{{Key: "$eq", Value: id}}}}, nil); err != nil {
		return wrap(op, b.full, err)
	}
	if res.DeletedCount == 0 {
		return wrap(op, b.full, noFile("no file with _id %v", fmtID(id)))
	}
	return nil
}

// Rename sets the filename of the file with the given id: Motor's rename(file_id, new_filename). It sends {update:
// "<bucket>.files", updates: [{q: {_id: {$eq: id}}, u: {$set: {filename: newFilename}}}]} with the bucket's write
// concern. No such file is an [ErrNoFile] error (PyMongo 3.11 crashes with a TypeError formatting it).
func (b *Bucket) Rename(ctx context.Context, id any, newFilename string) error {
	const op = "rename"
	if ctx == nil {
		return wrap(op, b.full, invalid("nil context"))
	}
	res, err := b.files.UpdateOne(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$eq", Value: id}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "filename", Value: newFilename}}}}, nil)
	if err != nil {
		return wrap(op, b.full, err)
	}
	if res.MatchedCount == 0 {
		return wrap(op, b.full, noFile("no file with _id %v", fmtID(id)))
	}
	return nil
}

// Find returns a cursor over the files that filter matches, as [*File] values: Motor's find(filter, batch_size,
// limit, no_cursor_timeout, skip, sort), an AsyncIOMotorGridOutCursor. It sends {find: "<bucket>.files", filter,
// ...} with the options of motor.Collection.Find and the bucket's read preference; a nil filter is {}. Where Motor's
// cursor yields dicts from to_list and GridOut objects from async for, every file here is a *File; open one with
// [Bucket.OpenDownloadStream](ctx, f.ID).
func (b *Bucket) Find(ctx context.Context, filter any, opts *motor.FindOptions) (*Cursor, error) {
	const op = "find"
	if ctx == nil {
		return nil, wrap(op, b.full, invalid("nil context"))
	}
	if filter == nil {
		filter = bson.D{}
	}
	cur, err := b.rfiles.Find(ctx, filter, opts)
	if err != nil {
		return nil, wrap(op, b.full, err)
	}
	return &Cursor{cur: cur, bucket: b.full}, nil
}

// Drop drops the bucket's files and chunks collections, in that order, with the bucket's write concern: the GridFS
// specification's drop (PyMongo 3.11's bucket has none). Missing collections are not an error.
func (b *Bucket) Drop(ctx context.Context) error {
	const op = "drop"
	if ctx == nil {
		return wrap(op, b.full, invalid("nil context"))
	}
	if err := b.files.Drop(ctx); err != nil {
		return wrap(op, b.full, err)
	}
	return wrap(op, b.full, b.chunks.Drop(ctx))
}

// ensureIndex makes the index check of one collection as PyMongo's GridIn does: when coll has no document
// ({find, filter: {}, projection: {_id: 1}, limit: 1, singleBatch: true} finds nothing), it lists the indexes
// (listIndexes; a failure counts as none) and creates the index on keys unless one has those keys in that order.
func (b *Bucket) ensureIndex(ctx context.Context, coll *motor.Collection, keys bson.D, unique bool) error {
	_, err := coll.FindOne(ctx, bson.D{}, &motor.FindOneOptions{Projection: bson.D{{Key: "_id", Value: 1}}}).Raw()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return err
	}
	if cur, err := coll.ListIndexes(ctx); err == nil {
		found := false
		for !found && cur.Next(ctx) {
			if k, ok := cur.Current().Lookup("key").DocumentOK(); ok {
				found = sameKeys(k, keys)
			}
		}
		_ = cur.Close(ctx)
		if found {
			return nil
		}
	}
	if unique {
		_, err = coll.CreateIndex(ctx, keys, &motor.CreateIndexOptions{IndexOptions: motor.IndexOptions{Unique: true}})
		return err
	}
	// motor.IndexOptions cannot send unique: false, which PyMongo sends for the files index.
	name, err := motor.IndexName(keys)
	if err != nil {
		return err
	}
	cmd := bson.D{{Key: "createIndexes", Value: coll.Name()}, {Key: "indexes", Value: bson.A{bson.D{
		{Key: "unique", Value: false}, {Key: "name", Value: name}, {Key: "key", Value: keys},
	}}}}
	if wc := wcDoc(coll.WriteConcern()); wc != nil {
		cmd = append(cmd, bson.E{Key: "writeConcern", Value: wc})
	}
	_, err = b.db.Command(ctx, cmd, nil)
	return err
}

// sameKeys reports whether the index key document got has the keys of want in the same order, with equal
// directions (1 and 1.0 are equal, as in Python).
func sameKeys(got bson.Raw, want bson.D) bool {
	elems, err := got.Elements()
	if err != nil || len(elems) != len(want) {
		return false
	}
	for i, e := range elems {
		v, ok := e.Value().AsFloat64OK()
		if e.Key() != want[i].Key || !ok || v != float64(want[i].Value.(int32)) {
			return false
		}
	}
	return true
}

// wcDoc is the writeConcern document of wc, nil for none or the server's default.
func wcDoc(wc *writeconcern.WriteConcern) bson.D {
	if wc == nil {
		return nil
	}
	var d bson.D
	if wc.W != nil {
		d = append(d, bson.E{Key: "w", Value: wc.W})
	}
	if wc.Journal != nil {
		d = append(d, bson.E{Key: "j", Value: *wc.Journal})
	}
	return d
}

// fmtID formats a file id for an error message.
func fmtID(id any) string {
	if s, ok := id.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%v", id)
}
