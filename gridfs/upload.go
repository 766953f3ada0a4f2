package gridfs

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// cleanupTimeout bounds the deletes that undo a failed upload, which run even when the upload's context has ended.
const cleanupTimeout = 30 * time.Second

// The indexes that the first write of an upload stream checks, as PyMongo's _F_INDEX and _C_INDEX.
var (
	filesIndex  = bson.D{{Key: "filename", Value: int32(1)}, {Key: "uploadDate", Value: int32(1)}}
	chunksIndex = bson.D{{Key: "files_id", Value: int32(1)}, {Key: "n", Value: int32(1)}}
)

// UploadStream writes a new file: Motor's AsyncIOMotorGridIn, made by [Bucket.OpenUploadStream] and
// [Bucket.OpenUploadStreamWithID]. It is an io.WriteCloser (Motor's write, writelines and close) and an
// io.ReaderFrom, with [UploadStream.Abort], [UploadStream.Set] and the file's properties. Its writes and Close use
// the context given when it was opened. It holds one chunk in memory whatever the file's size. It is not safe for
// concurrent use.
//
// It sends what Motor's GridIn sends. Before the first chunk (or, for an empty file, before the files document) it
// checks the indexes, once per stream: for <bucket>.files, {find, filter: {}, projection: {_id: 1}, limit: 1,
// singleBatch: true}, and only when that finds nothing, listIndexes and, when no index has the keys,
// {createIndexes, indexes: [{unique: false, name: "filename_1_uploadDate_1", key: {filename: 1, uploadDate: 1}}]};
// then the same for <bucket>.chunks with {unique: true, name: "files_id_1_n_1", key: {files_id: 1, n: 1}}. Each full
// chunk is one insert of {_id: ObjectID, files_id, n, data: BinData(0)}, as it fills; Close inserts the last chunk,
// then the files document {_id, filename, metadata, chunkSize, md5, ...fields given to Set, length: int64,
// uploadDate}. An empty file has no chunk. Every write carries the bucket's write concern (PyMongo 3.11 drops it).
//
// Unlike Motor's, a stream whose write fails (the context ends, the server refuses a chunk) deletes the chunks it
// wrote, at once, and is then closed: no files document is ever inserted for a file that is not whole. A duplicate
// id is an [ErrFileExists] error. Writes after Close or Abort are [ErrClosed] errors.
type UploadStream struct {
	b         *Bucket
	ctx       context.Context
	op        string
	id        any
	filename  string
	chunkSize int32
	metadata  any
	extra     bson.D // fields given to Set before Close

	buf     []byte // the chunk being filled: buf[:n]
	n       int
	chunkN  int32 // chunks written
	length  int64
	md5     hash.Hash
	indexed bool
	closed  bool
	err     error
	file    *File
}

func newUploadStream(ctx context.Context, b *Bucket, op string, id any, filename string, size int32, metadata any) *UploadStream {
	s := &UploadStream{b: b, ctx: ctx, op: op, id: id, filename: filename, chunkSize: size, metadata: metadata}
	if b.md5 {
		s.md5 = md5.New()
	}
	return s
}

// ID returns the file's _id: Motor's GridIn._id.
func (s *UploadStream) ID() any { return s.id }

// Filename returns the file's name: Motor's GridIn.filename and name.
func (s *UploadStream) Filename() string { return s.filename }

// ChunkSize returns the size of the file's chunks in bytes: Motor's GridIn.chunk_size.
func (s *UploadStream) ChunkSize() int32 { return s.chunkSize }

// Closed reports whether the stream is closed (by Close, Abort or a failed write): Motor's GridIn.closed.
func (s *UploadStream) Closed() bool { return s.closed }

// File returns the stored file's properties once Close has inserted its files document, nil before: Motor's
// GridIn.length, md5 and upload_date, which are AttributeErrors before close.
func (s *UploadStream) File() *File { return s.file }

// Write buffers p and inserts each chunk as it fills: Motor's GridIn.write (and writelines, for each element). It
// returns the number of bytes of p taken and the error of a failed insert (after which the stream has deleted its
// chunks and is closed).
func (s *UploadStream) Write(p []byte) (int, error) {
	if err := s.usable(); err != nil {
		return 0, err
	}
	taken := 0
	for len(p) > 0 {
		if s.n == 0 && len(p) >= int(s.chunkSize) { // a whole chunk of p: insert it without copying
			if err := s.flush(p[:s.chunkSize]); err != nil {
				return taken, err
			}
			p, taken = p[s.chunkSize:], taken+int(s.chunkSize)
			continue
		}
		if s.buf == nil {
			s.buf = make([]byte, s.chunkSize)
		}
		c := copy(s.buf[s.n:], p)
		s.n += c
		p, taken = p[c:], taken+c
		if s.n == len(s.buf) {
			if err := s.flush(s.buf); err != nil {
				return taken, err
			}
			s.n = 0
		}
	}
	return taken, nil
}

// ReadFrom reads r up to io.EOF into the file, one chunk at a time: what Motor's GridIn.write does with a file
// object. io.Copy uses it. When r fails, the stream deletes the chunks it wrote and is closed, and the error (which
// wraps r's) is returned: no files document will be inserted for part of a source.
func (s *UploadStream) ReadFrom(r io.Reader) (int64, error) {
	if err := s.usable(); err != nil {
		return 0, err
	}
	if r == nil {
		return 0, wrap(s.op, s.b.full, invalid("nil reader"))
	}
	if s.buf == nil {
		s.buf = make([]byte, s.chunkSize)
	}
	var total int64
	for {
		m, err := io.ReadFull(r, s.buf[s.n:])
		s.n += m
		total += int64(m)
		if s.n == len(s.buf) {
			if ferr := s.flush(s.buf); ferr != nil {
				return total, ferr
			}
			s.n = 0
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return total, nil
		case err != nil:
			return total, s.fail(fmt.Errorf("reading the source: %w", err))
		}
	}
}

// Close inserts the last chunk and then the files document: Motor's GridIn.close. A second Close does nothing and
// returns nil, as in Motor; Close after a failed write returns that write's error.
func (s *UploadStream) Close() error {
	if s.err != nil {
		return s.err
	}
	if s.closed {
		return nil
	}
	if s.n > 0 {
		if err := s.flush(s.buf[:s.n]); err != nil {
			return err
		}
		s.n = 0
	}
	if err := s.ensureIndexes(); err != nil { // an empty file has written no chunk
		return s.fail(err)
	}
	doc := bson.D{{Key: "_id", Value: s.id}, {Key: "filename", Value: s.filename}}
	if s.metadata != nil {
		doc = append(doc, bson.E{Key: "metadata", Value: s.metadata})
	}
	doc = append(doc, bson.E{Key: "chunkSize", Value: s.chunkSize})
	var sum string
	if s.md5 != nil {
		sum = hex.EncodeToString(s.md5.Sum(nil))
		doc = append(doc, bson.E{Key: "md5", Value: sum})
	}
	doc = append(doc, s.extra...)
	date := bson.NewDateTimeFromTime(time.Now())
	doc = append(doc, bson.E{Key: "length", Value: s.length}, bson.E{Key: "uploadDate", Value: date})
	if _, err := s.b.files.InsertOne(s.ctx, doc, nil); err != nil {
		return s.fail(s.exists(err))
	}
	s.closed = true
	raw, _ := bson.Marshal(doc)
	s.file, _ = parseFile(raw)
	s.file.Raw = nil
	return nil
}

// Abort deletes what the stream wrote and closes it: Motor's GridIn.abort. It sends {delete: "<bucket>.chunks",
// deletes: [{q: {files_id: {$eq: id}}, limit: 0}]}, then {delete: "<bucket>.files", deletes: [{q: {_id: {$eq: id}},
// limit: 1}]}, as Motor does, even after Close (which deletes the stored file).
func (s *UploadStream) Abort(ctx context.Context) error {
	if ctx == nil {
		return wrap("abort", s.b.full, invalid("nil context"))
	}
	s.closed, s.buf, s.n = true, nil, 0
	if s.err == nil {
		s.err = wrap(s.op, s.b.full, fmt.Errorf("aborted: %w", ErrClosed))
	}
	if _, err := s.b.chunks.DeleteMany(ctx, bson.D{{Key: "files_id", Value: bson.D{{Key: "$eq", Value: s.id}}}}, nil); err != nil {
		return wrap("abort", s.b.full, err)
	}
	_, err := s.b.files.DeleteOne(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$eq", Value: s.id}}}}, nil)
	return wrap("abort", s.b.full, err)
}

// reserved are the fields of the files document that Set may not change.
var reserved = []string{"_id", "chunkSize", "length", "md5", "uploadDate"}

// Set sets a field of the files document: Motor's GridIn.set(name, value) and attribute assignment. Before Close
// it sends nothing and the field goes into the files document (after md5, before length); after Close it sends
// {update: "<bucket>.files", updates: [{q: {_id: {$eq: id}}, u: {$set: {name: value}}}]}. "filename" and "metadata"
// replace the upload's; _id, chunkSize, length, md5 and uploadDate are errors, as Motor's read-only properties are.
func (s *UploadStream) Set(ctx context.Context, name string, value any) error {
	const op = "set"
	if ctx == nil {
		return wrap(op, s.b.full, invalid("nil context"))
	}
	for _, r := range reserved {
		if name == r {
			return wrap(op, s.b.full, invalid("%s is read-only", name))
		}
	}
	if name == "" {
		return wrap(op, s.b.full, invalid("empty field name"))
	}
	if s.file != nil {
		_, err := s.b.files.UpdateOne(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$eq", Value: s.id}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: name, Value: value}}}}, nil)
		if err != nil {
			return wrap(op, s.b.full, err)
		}
		switch v, _ := value.(string); name {
		case "filename":
			s.filename, s.file.Filename = v, v
		case "contentType":
			s.file.ContentType = v
		}
		return nil
	}
	if s.closed {
		return wrap(op, s.b.full, ErrClosed)
	}
	switch name {
	case "filename":
		v, ok := value.(string)
		if !ok {
			return wrap(op, s.b.full, invalid("filename must be a string, not %T", value))
		}
		s.filename = v
	case "metadata":
		s.metadata = value
	default:
		for i := range s.extra {
			if s.extra[i].Key == name {
				s.extra[i].Value = value
				return nil
			}
		}
		s.extra = append(s.extra, bson.E{Key: name, Value: value})
	}
	return nil
}

// usable returns the error of a write on a closed or failed stream.
func (s *UploadStream) usable() error {
	if s.err != nil {
		return s.err
	}
	if s.closed {
		return wrap(s.op, s.b.full, fmt.Errorf("write after close: %w", ErrClosed))
	}
	return nil
}

// flush inserts data as the next chunk, after the index check; data must be a whole chunk but for the last.
func (s *UploadStream) flush(data []byte) error {
	if err := s.ensureIndexes(); err != nil {
		return s.fail(err)
	}
	chunk := bson.D{
		{Key: "_id", Value: bson.NewObjectID()},
		{Key: "files_id", Value: s.id},
		{Key: "n", Value: s.chunkN},
		{Key: "data", Value: bson.Binary{Data: data}},
	}
	if _, err := s.b.chunks.InsertOne(s.ctx, chunk, nil); err != nil {
		return s.fail(s.exists(err))
	}
	if s.md5 != nil {
		s.md5.Write(data)
	}
	s.chunkN++
	s.length += int64(len(data))
	return nil
}

// ensureIndexes makes the index check of PyMongo's GridIn, once per stream.
func (s *UploadStream) ensureIndexes() error {
	if s.indexed {
		return nil
	}
	if err := s.b.ensureIndex(s.ctx, s.b.files, filesIndex, false); err != nil {
		return err
	}
	if err := s.b.ensureIndex(s.ctx, s.b.chunks, chunksIndex, true); err != nil {
		return err
	}
	s.indexed = true
	return nil
}

// exists turns a duplicate key error into ErrFileExists.
func (s *UploadStream) exists(err error) error {
	if mongo.IsDuplicateKeyError(err) {
		return &causeError{msg: fmt.Sprintf("file with _id %s already exists", fmtID(s.id)), err: ErrFileExists}
	}
	return err
}

// fail undoes the upload after err: it deletes the chunks written (with a context that outlives a cancelled one),
// closes the stream and keeps err, wrapped, as the error of every later call.
func (s *UploadStream) fail(err error) error {
	if s.err != nil {
		return s.err
	}
	s.err = wrap(s.op, s.b.full, err)
	s.closed, s.buf, s.n = true, nil, 0
	if s.chunkN > 0 {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), cleanupTimeout)
		defer cancel()
		if _, derr := s.b.chunks.DeleteMany(ctx, bson.D{{Key: "files_id", Value: bson.D{{Key: "$eq", Value: s.id}}}}, nil); derr != nil {
			s.err = wrap(s.op, s.b.full, errors.Join(err, fmt.Errorf("deleting the %d chunks written: %w", s.chunkN, derr)))
		}
	}
	return s.err
}
