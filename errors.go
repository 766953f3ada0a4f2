package motor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/gomotor/motor/internal/bsonwalk"
)

// ErrInvalidName is the sentinel of every error about a database or collection name that motor rejects before any
// I/O. It is PyMongo's InvalidName. The error returned is a [*NameError]; test for it with errors.Is(err,
// motor.ErrInvalidName) or read its fields with errors.As.
var ErrInvalidName = errors.New("motor: invalid name")

// ErrCollectionInvalid is the sentinel of PyMongo's CollectionInvalid: a collection that already exists when it is
// created, or a collection that validation reports as invalid ([*CollectionValidationError]).
var ErrCollectionInvalid = errors.New("motor: collection invalid")

// ErrInvalidOption is the sentinel of errors about options that motor rejects before any I/O (PyMongo's TypeError,
// ValueError and ConfigurationError for bad arguments).
var ErrInvalidOption = errors.New("motor: invalid option")

// ErrClientDisconnected is returned by operations on a [Client] after [Client.Disconnect].
var ErrClientDisconnected = errors.New("motor: client is disconnected")

// ErrAlreadyAuthenticated is the sentinel of the error that [Database.Authenticate] returns when the client already
// runs with other credentials given to Authenticate: call [Database.Logout] first. It is PyMongo's OperationFailure
// "Another user is already authenticated to this database. You must logout first.", raised without I/O.
var ErrAlreadyAuthenticated = errors.New("motor: another user is already authenticated")

// ErrDocumentTooLarge is the sentinel of the error for a document to insert or a replacement that is larger than
// the server accepts (its maxBsonObjectSize, 16 MiB when it does not say), found before anything is sent: PyMongo's
// DocumentTooLarge. The message gives the document's size and the limit.
var ErrDocumentTooLarge = errors.New("motor: document too large")

// ErrInvalidOperation is the sentinel of errors about a call that the client's state does not allow, found without
// I/O: PyMongo's InvalidOperation. Examples: [Client.Address] on a client that balances among several mongoses, and
// the accessors that wait for a server on a client made by [NewClient], which cannot see the driver's server
// monitor.
var ErrInvalidOperation = errors.New("motor: invalid operation")

// NameError describes a rejected database, collection or index name. It unwraps to [ErrInvalidName].
type NameError struct {
	// Kind is "database", "collection" or "index".
	Kind string
	// Name is the rejected name.
	Name string
	// Reason says what is wrong, e.g. `must not contain the character '$'`.
	Reason string
}

// Error implements the error interface.
func (e *NameError) Error() string {
	return fmt.Sprintf("motor: invalid %s name %s: %s", e.Kind, strconv.Quote(e.Name), e.Reason)
}

// Unwrap returns [ErrInvalidName].
func (e *NameError) Unwrap() error { return ErrInvalidName }

// CollectionValidationError is the error of [Database.ValidateCollection] when the server says the collection is
// invalid: PyMongo's CollectionInvalid. It unwraps to [ErrCollectionInvalid]; Result holds the whole reply.
type CollectionValidationError struct {
	// Collection is the name of the collection validated.
	Collection string
	// Result is the server's reply, with Valid false.
	Result *ValidationResult
}

// Error says which collection is invalid and why: the old servers' result text, or the errors the reply lists
// (prefixed with the shard name for a sharded reply).
func (e *CollectionValidationError) Error() string {
	msg := fmt.Sprintf("motor: collection %q is invalid", e.Collection)
	if e.Result == nil {
		return msg
	}
	if why := e.Result.reason(""); why != "" {
		msg += ": " + why
	}
	return msg
}

// Unwrap returns [ErrCollectionInvalid].
func (e *CollectionValidationError) Unwrap() error { return ErrCollectionInvalid }

// DereferenceError is the error of [Database.DereferenceMany] and [Client.DereferenceMany] about one reference of
// the slice they were given: one that cannot be resolved from that handle, names an invalid collection or database,
// or has an _id that cannot be encoded. It is returned before any I/O. Err is the cause, which errors.Is and
// errors.As reach ([ErrInvalidOption], [ErrInvalidName], a [*NameError]).
type DereferenceError struct {
	// Index is the index of the reference in the slice given.
	Index int
	// Ref is the reference.
	Ref DBRef
	// Err is what is wrong with it.
	Err error
}

// Error reads "motor: reference INDEX: CAUSE".
func (e *DereferenceError) Error() string {
	return fmt.Sprintf("motor: reference %d: %s", e.Index, strings.TrimPrefix(e.Err.Error(), "motor: "))
}

// Unwrap returns Err.
func (e *DereferenceError) Unwrap() error { return e.Err }

// collectionExistsError is PyMongo's CollectionInvalid("collection NAME already exists"). cause is the server's
// NamespaceExists error when the server said so.
type collectionExistsError struct {
	name  string
	cause error
}

func (e *collectionExistsError) Error() string {
	msg := "motor: collection " + e.name + " already exists"
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *collectionExistsError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrCollectionInvalid}
	}
	return []error{ErrCollectionInvalid, e.cause}
}

// itemError is the error about one element of a slice argument: "motor: <what> <index>: <cause>", e.g. "motor:
// model 2: ...". It unwraps to the cause.
type itemError struct {
	what  string
	index int
	err   error
}

func (e *itemError) Error() string {
	return "motor: " + e.what + " " + strconv.Itoa(e.index) + ": " + strings.TrimPrefix(e.err.Error(), "motor: ")
}

func (e *itemError) Unwrap() error { return e.err }

// errNilContext is the cause of every error about a nil context.
var errNilContext = &optError{msg: "nil context"}

// errNoCurrent is the cause of a Decode without a current document.
var errNoCurrent = errors.New("Decode called without a current document (call Next first)")

// errMalformed reports BSON that cannot be walked.
var errMalformed = bsonwalk.ErrMalformed

// serverError is a command error whose details motor read from the reply as PyMongo does (withServerDetails): it reads
// "(Name) message" and unwraps to the mongo.CommandError.
type serverError struct{ ce mongo.CommandError }

func (e *serverError) Error() string {
	if e.ce.Name == "" {
		return e.ce.Message
	}
	return "(" + e.ce.Name + ") " + e.ce.Message
}

func (e *serverError) Unwrap() error { return e.ce }

// optError is an error about arguments, found before any I/O; it unwraps to ErrInvalidOption.
type optError struct{ msg string }

func (e *optError) Error() string { return e.msg }
func (e *optError) Unwrap() error { return ErrInvalidOption }

// invalidOpError is an error about a call that the client's state does not allow; it unwraps to
// ErrInvalidOperation.
type invalidOpError struct{ msg string }

func (e *invalidOpError) Error() string { return e.msg }
func (e *invalidOpError) Unwrap() error { return ErrInvalidOperation }

// invalidOptionf returns an error wrapping ErrInvalidOption with a formatted message.
func invalidOptionf(format string, args ...any) error {
	return &optError{msg: "motor: " + fmt.Sprintf(format, args...)}
}

// opError is the error of one operation: "motor: <op>: <cause>". The cause stays reachable with errors.Is and
// errors.As (mongo.CommandError, mongo.IsTimeout, context.DeadlineExceeded, motor's sentinels).
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string {
	return "motor: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "motor: ")
}

func (e *opError) Unwrap() error { return e.err }

// wrapOp wraps err as the error of the operation op; nil stays nil. An error that is already op's is returned as it
// is.
func wrapOp(op string, err error) error {
	if err == nil {
		return nil
	}
	var oe *opError
	if errors.As(err, &oe) && oe.op == op {
		return err
	}
	return &opError{op: op, err: err}
}

// explainf returns an error with a formatted message that wraps err, for an operation to add what it knows before
// the executor wraps it.
func explainf(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// selectionError is the driver's server selection error told plainly: why selection ended and what each known
// server last said, without the driver's dump of its topology description. It unwraps to the driver's error, so
// that mongo.IsTimeout and errors.As still see it.
type selectionError struct{ err topology.ServerSelectionError }

func (e *selectionError) Error() string {
	var b strings.Builder
	b.WriteString("no server could be selected")
	if e.err.Wrapped != nil {
		b.WriteString(": " + e.err.Wrapped.Error())
	}
	for i, s := range e.err.Desc.Servers {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(s.Addr.String() + ": ")
		if s.LastError != nil {
			b.WriteString(s.LastError.Error())
		} else {
			b.WriteString(s.Kind.String())
		}
		if i == len(e.err.Desc.Servers)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

func (e *selectionError) Unwrap() error { return e.err }

// plainSelection returns err with a server selection error in it told plainly (selectionError); any other error is
// returned as it is.
func plainSelection(err error) error {
	var se topology.ServerSelectionError
	if !errors.As(err, &se) {
		return err
	}
	return &selectionError{err: se}
}

// deadlineError is the driver's refusal to send a command whose context's deadline has passed (or leaves no time
// after the round trip), told as the context error it is: "context deadline exceeded (not sent)". It unwraps to the
// driver's error, which wraps context.DeadlineExceeded.
type deadlineError struct{ err error }

func (e *deadlineError) Error() string { return context.DeadlineExceeded.Error() + " (not sent)" }
func (e *deadlineError) Unwrap() error { return e.err }

// plainDeadline returns the driver's "calculated server-side timeout" error as a deadlineError; any other error is
// returned as it is.
func plainDeadline(err error) error {
	if errors.Is(err, driver.ErrDeadlineWouldBeExceeded) {
		return &deadlineError{err: err}
	}
	return err
}
