package motor

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrInvalidName is the sentinel of every error about a database or collection name that motor rejects before any
// I/O. It is PyMongo's InvalidName. The error returned is a [*NameError]; test for it with errors.Is(err,
// motor.ErrInvalidName) or read its fields with errors.As.
var ErrInvalidName = errors.New("motor: invalid name")

// ErrCollectionInvalid is the sentinel of PyMongo's CollectionInvalid: a collection that already exists when it is
// created, or a collection that validation reports as invalid.
var ErrCollectionInvalid = errors.New("motor: collection invalid")

// ErrInvalidOption is the sentinel of errors about options that motor rejects before any I/O (PyMongo's TypeError,
// ValueError and ConfigurationError for bad arguments).
var ErrInvalidOption = errors.New("motor: invalid option")

// NameError describes a rejected database or collection name. It unwraps to [ErrInvalidName].
type NameError struct {
	// Kind is "database" or "collection".
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

// optionError returns an error wrapping ErrInvalidOption with a formatted message.
func optionError(format string, args ...any) error {
	return &optError{msg: "motor: " + fmt.Sprintf(format, args...)}
}

type optError struct{ msg string }

func (e *optError) Error() string { return e.msg }
func (e *optError) Unwrap() error { return ErrInvalidOption }
