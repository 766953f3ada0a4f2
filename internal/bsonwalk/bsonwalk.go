// Package bsonwalk walks BSON documents as raw bytes, without decoding them. [Any] and [AnyString] find an element
// or a string at any depth and allocate nothing; [Rewrite] copies a document with every key and string mapped
// through a function.
//
// The walkers accept the same documents, and refuse what the driver's decoder refuses in a document's framing: a
// length that overruns its container or disagrees with its parts (a code with scope's), a document without its
// terminating zero, a key or a value that runs into that terminator, a string without its own, an unknown element
// type. They also refuse a code with scope whose code does not end in a zero byte, which the driver lets pass. They do
// not look inside values: a binary's subtype, a boolean's byte and a regex's options are not checked.
package bsonwalk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ErrMalformed reports a document whose framing the walkers refuse. Its text names motor because it reaches motor's
// users as it is.
var ErrMalformed = errors.New("motor: malformed BSON document")

// Any calls visit with the type, the key and the value of every element of the document d, at any depth: the
// elements of an embedded document or array after the container itself, and those of a code with scope's scope after
// the code with scope. val is the value's whole encoding (a string's length and terminator included; a binary's
// subtype at val[4]), checked as far as the package says.
//
// Any reports true as soon as visit does, and when d is malformed, so that a caller asking "could this document hold
// X?" sends a malformed one to a decoder that reports the error.
func Any(d []byte, visit func(t bson.Type, key, val []byte) bool) bool {
	b, ok := elements(d)
	if !ok {
		return true
	}
	for len(b) > 0 {
		t, key, rest, ok := splitKey(b)
		if !ok {
			return true
		}
		n, _ := valueLen(t, rest)
		if n < 0 {
			return true
		}
		val := rest[:n]
		if visit(t, key, val) {
			return true
		}
		switch t {
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			if Any(val, visit) {
				return true
			}
		case bson.TypeCodeWithScope:
			if _, scope := codeWithScope(val); Any(scope, visit) {
				return true
			}
		}
		b = rest[n:]
	}
	return false
}

// AnyString calls visit with every key and every string of the document d, at any depth, each without its
// terminating zero: the strings are the values of type string, JavaScript code and symbol, a DBPointer's namespace, a
// regex's pattern and options, and a code with scope's code (its scope's keys and strings come after it). It reports
// true as soon as visit does, and when d is malformed, as [Any] does.
func AnyString(d []byte, visit func(s []byte) bool) bool {
	return Any(d, func(t bson.Type, key, val []byte) bool {
		if visit(key) {
			return true
		}
		switch t {
		case bson.TypeString, bson.TypeJavaScript, bson.TypeSymbol:
			return visit(stringOf(val))
		case bson.TypeDBPointer:
			return visit(stringOf(val[:len(val)-12]))
		case bson.TypeRegex:
			pattern, options := regex(val)
			return visit(pattern) || visit(options)
		case bson.TypeCodeWithScope:
			code, _ := codeWithScope(val)
			return visit(stringOf(code))
		}
		return false
	})
}

// Fix maps one key or string of a document, given without its terminating zero, to its replacement. path is the
// dotted path of its element ("a.0.b"): a key's own, and for the strings of a value its element's. Fix reports whether
// it changed s; a replacement must not hold a zero byte, or the rewritten document is malformed.
type Fix func(s []byte, path string) (out []byte, changed bool, err error)

// Rewrite returns a copy of the document d in which every key and string that [AnyString] visits, in the same order,
// is replaced by what fix returns for it, with the lengths of strings, documents and codes with scope recomputed.
// When fix changes nothing it returns d itself. A malformed d, even one fix changes nothing of, is an error that
// wraps [ErrMalformed]; so is an error of fix, returned as it is.
func Rewrite(d []byte, fix Fix) ([]byte, error) {
	out, changed, err := rewriter{fix}.doc(d, nil, "")
	if err != nil {
		return nil, err
	}
	if !changed {
		return d, nil
	}
	return out, nil
}

type rewriter struct{ fix Fix }

// doc appends the rewritten document d to out.
func (w rewriter) doc(d, out []byte, path string) ([]byte, bool, error) {
	b, ok := elements(d)
	if !ok {
		return nil, false, ErrMalformed
	}
	start := len(out)
	out = append(out, 0, 0, 0, 0)
	changed := false
	for len(b) > 0 {
		t, key, rest, ok := splitKey(b)
		if !ok {
			return nil, false, ErrMalformed
		}
		p := string(key)
		if path != "" {
			p = path + "." + p
		}
		var keyChanged, valChanged bool
		var err error
		if out, keyChanged, err = w.cstring(key, append(out, byte(t)), p); err != nil {
			return nil, false, err
		}
		n, known := valueLen(t, rest)
		if !known {
			return nil, false, fmt.Errorf("%w: unknown element type 0x%02x at %q", ErrMalformed, byte(t), p)
		}
		if n < 0 {
			return nil, false, ErrMalformed
		}
		if out, valChanged, err = w.value(t, rest[:n], out, p); err != nil {
			return nil, false, err
		}
		changed = changed || keyChanged || valChanged
		b = rest[n:]
	}
	out = append(out, 0)
	binary.LittleEndian.PutUint32(out[start:], uint32(len(out)-start))
	return out, changed, nil
}

// value appends the rewritten value val of type t to out.
func (w rewriter) value(t bson.Type, val, out []byte, path string) ([]byte, bool, error) {
	switch t {
	case bson.TypeString, bson.TypeJavaScript, bson.TypeSymbol:
		return w.string(val, out, path)
	case bson.TypeDBPointer:
		out, changed, err := w.string(val[:len(val)-12], out, path)
		if err != nil {
			return nil, false, err
		}
		return append(out, val[len(val)-12:]...), changed, nil
	case bson.TypeRegex:
		pattern, options := regex(val)
		out, changed1, err := w.cstring(pattern, out, path)
		if err != nil {
			return nil, false, err
		}
		out, changed2, err := w.cstring(options, out, path)
		return out, changed1 || changed2, err
	case bson.TypeEmbeddedDocument, bson.TypeArray:
		return w.doc(val, out, path)
	case bson.TypeCodeWithScope:
		code, scope := codeWithScope(val)
		start := len(out)
		out = append(out, 0, 0, 0, 0)
		out, changed1, err := w.string(code, out, path)
		if err != nil {
			return nil, false, err
		}
		out, changed2, err := w.doc(scope, out, path)
		if err != nil {
			return nil, false, err
		}
		binary.LittleEndian.PutUint32(out[start:], uint32(len(out)-start))
		return out, changed1 || changed2, nil
	}
	return append(out, val...), false, nil
}

// string appends the rewritten length-prefixed string val to out.
func (w rewriter) string(val, out []byte, path string) ([]byte, bool, error) {
	s, changed, err := w.fix(stringOf(val), path)
	if err != nil {
		return nil, false, err
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(len(s)+1))
	return append(append(out, s...), 0), changed, nil
}

// cstring appends the rewritten zero-terminated string s, given without its zero, to out.
func (w rewriter) cstring(s, out []byte, path string) ([]byte, bool, error) {
	s, changed, err := w.fix(s, path)
	if err != nil {
		return nil, false, err
	}
	return append(append(out, s...), 0), changed, nil
}

// elements returns the elements of the document at the start of d: the bytes between its length and its
// terminator.
func elements(d []byte) ([]byte, bool) {
	if len(d) < 5 {
		return nil, false
	}
	n := length(d)
	if n < 5 || n > len(d) || d[n-1] != 0 {
		return nil, false
	}
	return d[4 : n-1], true
}

// splitKey splits the type and the key off the element at the start of b, and returns the bytes after the key.
func splitKey(b []byte) (t bson.Type, key, rest []byte, ok bool) {
	k := 1 // keys are short: a loop beats bytes.IndexByte's call
	for k < len(b) && b[k] != 0 {
		k++
	}
	if k == len(b) {
		return 0, nil, nil, false
	}
	return bson.Type(b[0]), b[1:k], b[k+1:], true
}

// valueLen returns the length of the value of type t at the start of b, or -1 if it is malformed or overruns b;
// known is false, and the length -1, for an unknown type.
func valueLen(t bson.Type, b []byte) (n int, known bool) {
	n = -1
	switch t {
	case bson.TypeDouble, bson.TypeDateTime, bson.TypeTimestamp, bson.TypeInt64:
		n = 8
	case bson.TypeInt32:
		n = 4
	case bson.TypeBoolean:
		n = 1
	case bson.TypeObjectID:
		n = 12
	case bson.TypeDecimal128:
		n = 16
	case bson.TypeNull, bson.TypeUndefined, bson.TypeMinKey, bson.TypeMaxKey:
		n = 0
	case bson.TypeString, bson.TypeJavaScript, bson.TypeSymbol:
		return stringLen(b), true
	case bson.TypeDBPointer:
		if n = stringLen(b); n >= 0 {
			n += 12
		}
	case bson.TypeBinary:
		if len(b) >= 5 && length(b) >= 0 {
			n = 5 + length(b)
		}
	case bson.TypeEmbeddedDocument, bson.TypeArray:
		if len(b) >= 5 && length(b) >= 5 {
			n = length(b) // elements checks the rest
		}
	case bson.TypeCodeWithScope:
		// The total length, the code and the scope, whose length must end the total exactly.
		if len(b) < 4 {
			return -1, true
		}
		n = length(b)
		if n < 4 || n > len(b) {
			return -1, true
		}
		c := stringLen(b[4:n])
		if c < 0 || n-4-c < 4 || length(b[4+c:]) != n-4-c {
			return -1, true
		}
	case bson.TypeRegex:
		p := bytes.IndexByte(b, 0)
		if p < 0 {
			return -1, true
		}
		if o := bytes.IndexByte(b[p+1:], 0); o >= 0 {
			n = p + 1 + o + 1
		}
	default:
		return -1, false
	}
	if n > len(b) {
		n = -1
	}
	return n, true
}

// stringLen returns the length of the length-prefixed, zero-terminated string at the start of b, or -1.
func stringLen(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	l := length(b)
	if l < 1 || l > len(b)-4 || b[4+l-1] != 0 {
		return -1
	}
	return 4 + l
}

// stringOf returns the bytes of the checked length-prefixed string val, without its terminator.
func stringOf(val []byte) []byte { return val[4 : len(val)-1] }

// regex returns the pattern and the options of the checked regex val.
func regex(val []byte) (pattern, options []byte) {
	p := bytes.IndexByte(val, 0)
	return val[:p], val[p+1 : len(val)-1]
}

// codeWithScope returns the code (a length-prefixed string) and the scope of the checked code with scope val.
func codeWithScope(val []byte) (code, scope []byte) {
	c := 4 + stringLen(val[4:])
	return val[4:c], val[c:]
}

// length reads a little-endian int32 length at the start of b, which has four bytes or more. BSON lengths are
// signed: one of 2 GiB or more is negative, and so refused on every platform.
func length(b []byte) int { return int(int32(binary.LittleEndian.Uint32(b))) }
