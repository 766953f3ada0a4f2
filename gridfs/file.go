package gridfs

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
)

// File is a file's files document, typed: the properties of Motor's AsyncIOMotorGridOut (_id, filename, length,
// chunk_size, upload_date, md5, metadata, content_type, aliases), and of AsyncIOMotorGridIn once closed. Fields the
// document lacks are zero; Raw holds all of it.
type File struct {
	// ID is the file's _id: a bson.ObjectID for files uploaded without an id.
	ID any

	// Filename is the file's name; "" when the document has none.
	Filename string

	// Length is the file's size in bytes.
	Length int64

	// ChunkSize is the size of every chunk but the last, in bytes.
	ChunkSize int32

	// UploadDate is when the upload finished, to the millisecond, in UTC.
	UploadDate time.Time

	// MD5 is the hex MD5 digest of the content; "" for a file uploaded with BucketOptions.DisableMD5.
	MD5 string

	// Metadata is the metadata document given at upload; nil when none was.
	Metadata bson.Raw

	// ContentType and Aliases are the deprecated contentType and aliases fields of older drivers; zero when absent.
	ContentType string
	Aliases     []string

	// Raw is the whole files document as the server returned it (nil for the File of an upload stream).
	Raw bson.Raw
}

// parseFile reads a files document; raw must stay unchanged (callers pass a copy or a reply of their own).
func parseFile(raw bson.Raw) (*File, error) {
	f := &File{Raw: raw}
	idv, err := raw.LookupErr("_id")
	if err != nil {
		return nil, fmt.Errorf("files document without _id: %s", raw)
	}
	if err := idv.Unmarshal(&f.ID); err != nil {
		return nil, fmt.Errorf("files document with a bad _id: %w", err)
	}
	f.Filename, _ = raw.Lookup("filename").StringValueOK()
	if v, err := raw.LookupErr("length"); err == nil {
		n, ok := v.AsInt64OK()
		if !ok || n < 0 {
			return nil, &causeError{msg: fmt.Sprintf("corrupt file: files document with a bad length: %s", v), err: ErrCorruptFile}
		}
		f.Length = n
	}
	if v, err := raw.LookupErr("chunkSize"); err == nil {
		n, ok := v.AsInt64OK()
		if !ok || n < 0 || n > maxChunkSize {
			return nil, fmt.Errorf("files document with a bad chunkSize: %s", v)
		}
		f.ChunkSize = int32(n)
	}
	if d, ok := raw.Lookup("uploadDate").DateTimeOK(); ok {
		f.UploadDate = time.UnixMilli(d).UTC()
	}
	f.MD5, _ = raw.Lookup("md5").StringValueOK()
	f.Metadata, _ = raw.Lookup("metadata").DocumentOK()
	f.ContentType, _ = raw.Lookup("contentType").StringValueOK()
	if a, ok := raw.Lookup("aliases").ArrayOK(); ok {
		vals, _ := a.Values()
		for _, v := range vals {
			if s, ok := v.StringValueOK(); ok {
				f.Aliases = append(f.Aliases, s)
			}
		}
	}
	return f, nil
}

// Cursor iterates over the files that [Bucket.Find] matched: Motor's AsyncIOMotorGridOutCursor, whose next, to_list
// and close are Next, All and Close here (its limit, skip, sort, batch_size and no_cursor_timeout are the
// motor.FindOptions of Find). A Cursor is not safe for concurrent use; always Close it (All closes it).
//
//	for cur.Next(ctx) {
//		f := cur.File()
//		...
//	}
//	if err := cur.Err(); err != nil { ... }
type Cursor struct {
	cur    *motor.Cursor
	bucket string
	file   *File
	err    error
}

// Next moves to the next file, fetching a batch with getMore when needed: Motor's next. It returns false at the end
// of the results or on an error; see [Cursor.Err].
func (c *Cursor) Next(ctx context.Context) bool {
	if c.err != nil || !c.cur.Next(ctx) {
		c.file = nil
		return false
	}
	f, err := parseFile(slices.Clone(c.cur.Current()))
	if err != nil {
		c.err = wrap("find", c.bucket, err)
		c.file = nil
		return false
	}
	c.file = f
	return true
}

// File returns the file Next moved to; nil before the first Next and after the last.
func (c *Cursor) File() *File { return c.file }

// Err returns the error that stopped Next, nil at the normal end of the results.
func (c *Cursor) Err() error {
	if c.err != nil {
		return c.err
	}
	return wrap("find", c.bucket, c.cur.Err())
}

// Close closes the cursor, sending killCursors when the server still holds it: Motor's close.
func (c *Cursor) Close(ctx context.Context) error { return wrap("find", c.bucket, c.cur.Close(ctx)) }

// All reads the remaining files and closes the cursor: Motor's to_list(None), with *File values where Motor gives
// dicts.
func (c *Cursor) All(ctx context.Context) ([]*File, error) {
	defer c.Close(context.WithoutCancel(ctx))
	var files []*File
	for c.Next(ctx) {
		files = append(files, c.file)
	}
	return files, c.Err()
}
