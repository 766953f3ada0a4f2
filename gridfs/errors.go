package gridfs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gomotor/motor"
)

// ErrNoFile is the sentinel of a file that is not there: no files document with the id, or no revision of the
// name (Motor's gridfs.errors.NoFile). errors.Is reaches it from the error of any operation.
var ErrNoFile = errors.New("motor: gridfs: no such file")

// ErrFileExists is the sentinel of an upload whose id another file already has (Motor's gridfs.errors.FileExists):
// the server refused a chunk or the files document with a duplicate key.
var ErrFileExists = errors.New("motor: gridfs: file exists")

// ErrCorruptFile is the sentinel of a file whose chunks do not match its files document (Motor's
// gridfs.errors.CorruptGridFile). The error is a [*CorruptFileError] that says which chunk was expected and what was
// found; errors.As reaches it.
var ErrCorruptFile = errors.New("motor: gridfs: corrupt file")

// ErrClosed is the sentinel of a read or write on a stream that is closed or aborted (Motor's ValueError "cannot
// write to a closed file"; its reads after close go on, a defect).
var ErrClosed = errors.New("motor: gridfs: stream is closed")

// CorruptFileError says how the chunks of a file differ from its files document: Motor's CorruptGridFile messages,
// with the numbers as fields. It unwraps to [ErrCorruptFile].
type CorruptFileError struct {
	// Chunk is the number n of the chunk that was expected (for a wrong size, the chunk read).
	Chunk int64

	// Kind is what went wrong: "missing" (another chunk, or none, came where Chunk was expected), "size" (the chunk
	// has the wrong length) or "extra" (a chunk with data beyond the file's length).
	Kind string

	// Found is what came instead: the n of the chunk found (-1 for none) for "missing" and "extra", the chunk's
	// length for "size".
	Found int64

	// Want is the expected length of the chunk for "size", the number of chunks for "extra".
	Want int64
}

func (e *CorruptFileError) Error() string {
	switch e.Kind {
	case "size":
		return fmt.Sprintf("corrupt file: truncated chunk #%d: expected chunk length to be %d but found chunk with length %d",
			e.Chunk, e.Want, e.Found)
	case "extra":
		return fmt.Sprintf("corrupt file: extra chunk found: expected %d chunks but found chunk with n=%d", e.Want, e.Found)
	}
	if e.Found < 0 {
		return fmt.Sprintf("corrupt file: no chunk #%d", e.Chunk)
	}
	return fmt.Sprintf("corrupt file: missing chunk: expected chunk #%d but found chunk with n=%d", e.Chunk, e.Found)
}

// Unwrap returns [ErrCorruptFile].
func (e *CorruptFileError) Unwrap() error { return ErrCorruptFile }

// causeError is a cause with its own message that unwraps to a sentinel.
type causeError struct {
	msg string
	err error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.err }

// noFile returns an ErrNoFile cause with the message msg.
func noFile(format string, args ...any) error {
	return &causeError{msg: fmt.Sprintf(format, args...), err: ErrNoFile}
}

// invalid returns a motor.ErrInvalidOption cause: bad input, found before any I/O.
func invalid(format string, args ...any) error {
	return &causeError{msg: fmt.Sprintf(format, args...), err: motor.ErrInvalidOption}
}

// opError is the error of one GridFS operation: "motor: gridfs <op> <db>.<bucket>: <cause>", where op is the Motor
// member's name in words ("upload from stream", "open download stream by name", "read"). The cause stays reachable
// with errors.Is and errors.As (the sentinels above, motor's, the driver's errors, context.Canceled).
type opError struct {
	op, bucket string
	err        error
}

func (e *opError) Error() string {
	return "motor: gridfs " + e.op + " " + e.bucket + ": " + strings.TrimPrefix(e.err.Error(), "motor: ")
}

func (e *opError) Unwrap() error { return e.err }

// wrap returns err as the error of op on the bucket named bucket; nil stays nil, and an error already wrapped is
// returned as it is.
func wrap(op, bucket string, err error) error {
	if err == nil {
		return nil
	}
	var oe *opError
	if errors.As(err, &oe) {
		return err
	}
	return &opError{op: op, bucket: bucket, err: err}
}
