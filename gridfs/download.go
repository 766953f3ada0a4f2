package gridfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
)

// batchBytes bounds the bytes of chunks in one reply of a download's cursor (its batchSize is batchBytes divided by
// the chunk size, at least 1), so that a download holds about one chunk whatever the file's size.
var batchBytes = 256 * 1024

// DownloadStream reads a file: Motor's AsyncIOMotorGridOut, made by [Bucket.OpenDownloadStream] and
// [Bucket.OpenDownloadStreamByName]. It is an io.ReadSeeker (Motor's read, seek and tell, as Seek(0,
// io.SeekCurrent)), an io.WriterTo (Motor's iteration by chunk, written out) and an io.Closer, with
// [DownloadStream.ReadChunk] and the file's properties ([DownloadStream.File]). Motor's readline is
// bufio.NewReader(stream).ReadString('\n'). Its reads use the context given when it was opened. It is not safe for
// concurrent use.
//
// The first read sends {find: "<bucket>.chunks", filter: {files_id: {$eq: id}}, sort: {n: 1}, batchSize}, or with
// n: {$gte: k} when it starts in chunk k, as Motor does after a seek; getMore reads further batches. Unlike Motor,
// which sends no batchSize and so holds up to 16 MiB of chunks, a reply holds about 256 KiB of chunks (at least
// one), and a seek within the current chunk or to the next one keeps the cursor (Motor opens a new one on every
// seek). Every chunk is checked against the files document: a missing chunk, a chunk of the wrong size or an extra
// chunk with data is an [ErrCorruptFile] error (a [*CorruptFileError]), and no byte beyond the file's length is ever
// returned. A read at or past the end, also after a seek past the end, is io.EOF (Motor raises ValueError after
// such a seek).
type DownloadStream struct {
	b    *Bucket
	ctx  context.Context
	op   string
	file *File

	numChunks int64
	pos       int64
	cur       *motor.Cursor
	next      int64  // the n of the chunk the cursor gives next
	chunk     []byte // the data of chunk chunkN (a view of the cursor's current document), nil for none
	chunkN    int64
	err       error // sticky: a corrupt file or a failed read
	closed    bool
}

func newDownloadStream(ctx context.Context, b *Bucket, op string, f *File) (*DownloadStream, error) {
	s := &DownloadStream{b: b, ctx: ctx, op: op, file: f}
	if f.Length > 0 {
		if f.ChunkSize <= 0 {
			return nil, wrap(op, b.full, &causeError{
				msg: fmt.Sprintf("corrupt file: chunkSize %d for a file of length %d", f.ChunkSize, f.Length), err: ErrCorruptFile})
		}
		s.numChunks = (f.Length + int64(f.ChunkSize) - 1) / int64(f.ChunkSize)
	}
	return s, nil
}

// File returns the file's properties, from its files document: Motor's GridOut._id, filename, name, length,
// chunk_size, upload_date, md5, metadata, content_type and aliases.
func (s *DownloadStream) File() *File { return s.file }

// Read reads up to len(p) bytes of the file from the current position: Motor's GridOut.read(size). At the end of
// the file, or past it, it returns 0, io.EOF.
func (s *DownloadStream) Read(p []byte) (int, error) {
	if err := s.usable(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	data, err := s.current()
	if err != nil {
		return 0, err
	}
	n := copy(p, data)
	s.pos += int64(n)
	return n, nil
}

// ReadChunk returns the rest of the current chunk from the current position, and moves past it: Motor's
// GridOut.readchunk. At the end of the file it returns nil, io.EOF. The slice is valid until the next call on the
// stream; copy it to keep it.
func (s *DownloadStream) ReadChunk() ([]byte, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	data, err := s.current()
	if err != nil {
		return nil, err
	}
	s.pos += int64(len(data))
	return data, nil
}

// Seek sets the position of the next read: Motor's GridOut.seek(pos, whence), with io.SeekStart, io.SeekCurrent
// and io.SeekEnd; Seek(0, io.SeekCurrent) is Motor's tell. A negative position or a bad whence is an error; a
// position past the end is allowed, and reading there gives io.EOF.
func (s *DownloadStream) Seek(offset int64, whence int) (int64, error) {
	if s.closed {
		return 0, wrap("seek", s.b.full, ErrClosed)
	}
	var pos int64
	switch whence {
	case io.SeekStart:
		pos = offset
	case io.SeekCurrent:
		pos = s.pos + offset
	case io.SeekEnd:
		pos = s.file.Length + offset
	default:
		return s.pos, wrap("seek", s.b.full, invalid("bad whence %d", whence))
	}
	if pos < 0 {
		return s.pos, wrap("seek", s.b.full, invalid("negative position %d", pos))
	}
	s.pos = pos
	return pos, nil
}

// WriteTo writes the file from the current position to its end to w, a chunk at a time, and returns the number of
// bytes written: Motor's iteration over a GridOut, and what [Bucket.DownloadToStream] does. io.Copy uses it. When it
// read the last chunk from the cursor, it reads on to the cursor's end, as Motor's download_to_stream does, so that
// an extra chunk with data is an [ErrCorruptFile] error (empty extra chunks are ignored, as the GridFS
// specification says).
func (s *DownloadStream) WriteTo(w io.Writer) (int64, error) {
	if err := s.usable(); err != nil {
		return 0, err
	}
	if w == nil {
		return 0, wrap(s.op, s.b.full, invalid("nil writer"))
	}
	var total int64
	for s.pos < s.file.Length {
		data, err := s.current()
		if err != nil {
			return total, err
		}
		m, err := w.Write(data)
		s.pos += int64(m)
		total += int64(m)
		if err != nil {
			return total, wrap(s.op, s.b.full, err)
		}
		if m < len(data) {
			return total, wrap(s.op, s.b.full, io.ErrShortWrite)
		}
	}
	if s.pos == s.file.Length && (s.cur != nil || s.file.Length == 0) {
		if err := s.rest(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// Close closes the stream and the cursor over its chunks, sending killCursors when the server still holds it:
// Motor's GridOut.close. Later reads are [ErrClosed] errors; a second Close does nothing.
func (s *DownloadStream) Close() error {
	if s.closed {
		return nil
	}
	s.closed, s.chunk = true, nil
	return s.closeCursor()
}

func (s *DownloadStream) closeCursor() error {
	if s.cur == nil {
		return nil
	}
	err := s.cur.Close(context.WithoutCancel(s.ctx))
	s.cur = nil
	return wrap(s.op, s.b.full, err)
}

func (s *DownloadStream) usable() error {
	if s.closed {
		return wrap(s.op, s.b.full, fmt.Errorf("read after close: %w", ErrClosed))
	}
	return s.err
}

// current returns the bytes of the file from the position to the end of its chunk, reading the chunk if needed;
// io.EOF at or past the end.
func (s *DownloadStream) current() ([]byte, error) {
	if s.pos >= s.file.Length {
		return nil, io.EOF
	}
	cs := int64(s.file.ChunkSize)
	k := s.pos / cs
	if s.chunk == nil || s.chunkN != k {
		if s.cur == nil || s.next != k {
			if err := s.open(k); err != nil {
				return nil, s.fail(err)
			}
		}
		data, err := s.nextChunk()
		if err != nil {
			return nil, s.fail(err)
		}
		s.chunk, s.chunkN = data, k
	}
	return s.chunk[s.pos-k*cs:], nil
}

// open opens the cursor over the chunks from chunk k on.
func (s *DownloadStream) open(k int64) error {
	if err := s.closeCursor(); err != nil {
		return err
	}
	s.chunk = nil
	filter := bson.D{{Key: "files_id", Value: bson.D{{Key: "$eq", Value: s.file.ID}}}}
	if k > 0 {
		var from any = k
		if k <= math.MaxInt32 {
			from = int32(k) // as PyMongo sends a small int
		}
		filter = append(filter, bson.E{Key: "n", Value: bson.D{{Key: "$gte", Value: from}}})
	}
	batch := int32(1)
	if cs := s.file.ChunkSize; cs > 0 && batchBytes/int(cs) > 1 {
		batch = int32(batchBytes / int(cs))
	}
	cur, err := s.b.rchunks.Find(s.ctx, filter, &motor.FindOptions{Sort: bson.D{{Key: "n", Value: 1}}, BatchSize: batch})
	if err != nil {
		return err
	}
	s.cur, s.next = cur, k
	return nil
}

// nextChunk reads the chunk s.next from the cursor and checks it, as PyMongo's _GridOutChunkIterator does; the data
// is a view of the cursor's current document.
func (s *DownloadStream) nextChunk() ([]byte, error) {
	s.chunk = nil // the cursor's Next invalidates it
	if !s.cur.Next(s.ctx) {
		if err := s.cur.Err(); err != nil {
			return nil, err
		}
		return nil, &CorruptFileError{Kind: "missing", Chunk: s.next, Found: -1}
	}
	raw := s.cur.Current()
	n, ok := raw.Lookup("n").AsInt64OK()
	if !ok {
		return nil, &causeError{msg: fmt.Sprintf("corrupt file: chunk #%d without a number n", s.next), err: ErrCorruptFile}
	}
	if n != s.next {
		return nil, &CorruptFileError{Kind: "missing", Chunk: s.next, Found: n}
	}
	_, data, ok := raw.Lookup("data").BinaryOK()
	if !ok {
		return nil, &causeError{msg: fmt.Sprintf("corrupt file: chunk #%d without binary data", n), err: ErrCorruptFile}
	}
	if n >= s.numChunks {
		if len(data) > 0 {
			return nil, &CorruptFileError{Kind: "extra", Chunk: n, Found: n, Want: s.numChunks}
		}
		s.next++
		return data, nil
	}
	want := int64(s.file.ChunkSize)
	if n == s.numChunks-1 {
		want = s.file.Length - want*(s.numChunks-1)
	}
	if int64(len(data)) != want {
		return nil, &CorruptFileError{Kind: "size", Chunk: n, Found: int64(len(data)), Want: want}
	}
	s.next++
	return data, nil
}

// rest reads the cursor to its end after the last chunk, failing on an extra chunk with data; for an empty file it
// opens the cursor first, as Motor's download_to_stream does.
func (s *DownloadStream) rest() error {
	if s.cur == nil {
		if err := s.open(0); err != nil {
			return s.fail(err)
		}
	}
	if s.next < s.numChunks { // positioned after a seek: the cursor has not reached the end
		return nil
	}
	for {
		if !s.cur.Next(s.ctx) {
			if err := s.cur.Err(); err != nil {
				return s.fail(err)
			}
			return s.closeCursor()
		}
		raw := s.cur.Current()
		n, _ := raw.Lookup("n").AsInt64OK()
		_, data, _ := raw.Lookup("data").BinaryOK()
		if n != s.next {
			return s.fail(&CorruptFileError{Kind: "missing", Chunk: s.next, Found: n})
		}
		if len(data) > 0 {
			return s.fail(&CorruptFileError{Kind: "extra", Chunk: n, Found: n, Want: s.numChunks})
		}
		s.next++
	}
}

// fail closes the cursor and returns err wrapped. A corrupt file's error is kept as the error of every later read;
// after another error (the network, the context), the next read opens a new cursor at the position.
func (s *DownloadStream) fail(err error) error {
	s.chunk = nil
	_ = s.closeCursor()
	var ce *CorruptFileError
	err = wrap(s.op, s.b.full, err)
	if errors.As(err, &ce) || errors.Is(err, ErrCorruptFile) {
		s.err = err
	}
	return err
}
