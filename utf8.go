package motor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// errMalformed reports BSON that cannot be walked.
var errMalformed = errors.New("motor: malformed BSON document")

// fixUTF8 applies the unicode decode error handler h to every key and string of the document raw. A document that is
// valid UTF-8 as a whole (the common case) is returned as it is, without copying.
func fixUTF8(raw bson.Raw, h UnicodeErrorHandler) (bson.Raw, error) {
	if utf8.Valid(raw) || !hasInvalidUTF8(raw) {
		return raw, nil
	}
	w := utf8Walker{h: h}
	out, changed, err := w.doc(raw, nil, "")
	if err != nil {
		return nil, err
	}
	if !changed {
		return raw, nil
	}
	return out, nil
}

type utf8Walker struct{ h UnicodeErrorHandler }

// fix returns s with invalid UTF-8 handled, and whether it changed.
func (w utf8Walker) fix(s []byte, path string) ([]byte, bool, error) {
	if utf8.Valid(s) {
		return s, false, nil
	}
	if w.h == UnicodeStrict {
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return nil, false, fmt.Errorf("motor: invalid UTF-8 at %q: byte 0x%02x in position %d (UnicodeDecodeErrorHandler is strict)", path, s[i], i)
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n <= 1 {
			n = invalidRun(s[i:])
			switch w.h {
			case UnicodeReplace:
				b.WriteRune(utf8.RuneError)
			case UnicodeBackslashReplace:
				for _, c := range s[i : i+n] {
					fmt.Fprintf(&b, `\x%02x`, c)
				}
			}
			i += n
			continue
		}
		b.Write(s[i : i+n])
		i += n
	}
	return []byte(b.String()), true, nil
}

// invalidRun returns the length of the ill-formed UTF-8 sequence at the start of s, which does not start with a
// valid rune: its "maximal subpart", the lead byte plus the continuation bytes that could still follow it, or 1.
// Python's UTF-8 decoder, and so PyMongo's "replace", turns each such subpart into one U+FFFD: b"a\xe2\x82b" decodes
// to "a\ufffdb", not "a\ufffd\ufffdb" (Unicode's "U+FFFD substitution of maximal subparts").
func invalidRun(s []byte) int {
	lo, hi := byte(0x80), byte(0xbf) // the range of the byte after the lead
	var need int                     // continuation bytes the lead asks for
	switch b := s[0]; {
	case b >= 0xc2 && b <= 0xdf:
		need = 1
	case b == 0xe0:
		need, lo = 2, 0xa0
	case b == 0xed:
		need, hi = 2, 0x9f
	case b >= 0xe1 && b <= 0xef:
		need = 2
	case b == 0xf0:
		need, lo = 3, 0x90
	case b == 0xf4:
		need, hi = 3, 0x8f
	case b >= 0xf1 && b <= 0xf3:
		need = 3
	default:
		return 1
	}
	n := 1
	for n <= need && n < len(s) && s[n] >= lo && s[n] <= hi {
		n++
		lo, hi = 0x80, 0xbf
	}
	return n
}

// doc rewrites a document (or array) starting at d, appending to out. It returns the rewritten bytes. Its elements
// end before its terminator: a last value or key that ends on the terminator is malformed.
func (w utf8Walker) doc(d []byte, out []byte, path string) ([]byte, bool, error) {
	if len(d) < 5 {
		return nil, false, errMalformed
	}
	n := int(binary.LittleEndian.Uint32(d))
	if n < 5 || n > len(d) || d[n-1] != 0 {
		return nil, false, errMalformed
	}
	start := len(out)
	out = append(out, 0, 0, 0, 0)
	changed := false
	i := 4
	for i < n-1 {
		t := d[i]
		i++
		end := i
		for end < n-1 && d[end] != 0 {
			end++
		}
		if end >= n-1 {
			return nil, false, errMalformed
		}
		key := d[i:end]
		i = end + 1
		p := key
		if path != "" {
			p = []byte(path + "." + string(key))
		}
		fk, ch, err := w.fix(key, string(p))
		if err != nil {
			return nil, false, err
		}
		changed = changed || ch
		out = append(out, t)
		out = append(out, fk...)
		out = append(out, 0)
		var vch bool
		out, i, vch, err = w.value(bson.Type(t), d[:n-1], i, out, string(p))
		if err != nil {
			return nil, false, err
		}
		changed = changed || vch
	}
	out = append(out, 0)
	binary.LittleEndian.PutUint32(out[start:], uint32(len(out)-start))
	return out, changed, nil
}

func (w utf8Walker) str(d []byte, i int, out []byte, path string) ([]byte, int, bool, error) {
	if i+4 > len(d) {
		return nil, 0, false, errMalformed
	}
	l := int(binary.LittleEndian.Uint32(d[i:]))
	if l < 1 || i+4+l > len(d) || d[i+4+l-1] != 0 {
		return nil, 0, false, errMalformed
	}
	s, ch, err := w.fix(d[i+4:i+4+l-1], path)
	if err != nil {
		return nil, 0, false, err
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(len(s)+1))
	out = append(out, s...)
	out = append(out, 0)
	return out, i + 4 + l, ch, nil
}

func (w utf8Walker) cstr(d []byte, i int, out []byte, path string) ([]byte, int, bool, error) {
	end := i
	for end < len(d) && d[end] != 0 {
		end++
	}
	if end >= len(d) {
		return nil, 0, false, errMalformed
	}
	s, ch, err := w.fix(d[i:end], path)
	if err != nil {
		return nil, 0, false, err
	}
	out = append(out, s...)
	out = append(out, 0)
	return out, end + 1, ch, nil
}

// value copies (and fixes) the value of type t at d[i:], returning the new out and the index after the value.
func (w utf8Walker) value(t bson.Type, d []byte, i int, out []byte, path string) ([]byte, int, bool, error) {
	fixed := func(n int) ([]byte, int, bool, error) {
		if i+n > len(d) {
			return nil, 0, false, errMalformed
		}
		return append(out, d[i:i+n]...), i + n, false, nil
	}
	switch t {
	case bson.TypeString, bson.TypeJavaScript, bson.TypeSymbol:
		return w.str(d, i, out, path)
	case bson.TypeEmbeddedDocument, bson.TypeArray:
		o, ch, err := w.doc(d[i:], out, path)
		if err != nil {
			return nil, 0, false, err
		}
		return o, i + int(binary.LittleEndian.Uint32(d[i:])), ch, nil
	case bson.TypeDouble, bson.TypeDateTime, bson.TypeTimestamp, bson.TypeInt64:
		return fixed(8)
	case bson.TypeInt32:
		return fixed(4)
	case bson.TypeBoolean:
		return fixed(1)
	case bson.TypeObjectID:
		return fixed(12)
	case bson.TypeDecimal128:
		return fixed(16)
	case bson.TypeNull, bson.TypeUndefined, bson.TypeMinKey, bson.TypeMaxKey:
		return out, i, false, nil
	case bson.TypeBinary:
		if i+4 > len(d) {
			return nil, 0, false, errMalformed
		}
		return fixed(5 + int(binary.LittleEndian.Uint32(d[i:])))
	case bson.TypeRegex:
		o, j, ch1, err := w.cstr(d, i, out, path)
		if err != nil {
			return nil, 0, false, err
		}
		o, j, ch2, err := w.cstr(d, j, o, path)
		return o, j, ch1 || ch2, err
	case bson.TypeDBPointer:
		o, j, ch, err := w.str(d, i, out, path)
		if err != nil {
			return nil, 0, false, err
		}
		if j+12 > len(d) {
			return nil, 0, false, errMalformed
		}
		return append(o, d[j:j+12]...), j + 12, ch, nil
	case bson.TypeCodeWithScope:
		if i+4 > len(d) {
			return nil, 0, false, errMalformed
		}
		total := int(binary.LittleEndian.Uint32(d[i:]))
		start := len(out)
		out = append(out, 0, 0, 0, 0)
		o, j, ch1, err := w.str(d, i+4, out, path)
		if err != nil {
			return nil, 0, false, err
		}
		o, ch2, err := w.doc(d[j:], o, path)
		if err != nil {
			return nil, 0, false, err
		}
		if j+int(binary.LittleEndian.Uint32(d[j:])) != i+total {
			// The total length disagrees with the code and the scope: the driver refuses such a value, so must
			// this walker, rather than re-encode a document without the elements the bad length hides.
			return nil, 0, false, errMalformed
		}
		binary.LittleEndian.PutUint32(o[start:], uint32(len(o)-start))
		return o, i + total, ch1 || ch2, nil
	}
	return nil, 0, false, fmt.Errorf("%w: unknown element type 0x%02x at %q", errMalformed, byte(t), path)
}

// hasUUIDBinary reports whether the document d holds a binary of subtype 3 or 4 at any depth. Malformed BSON
// reports true, so that the full decoder sees it and reports the error.
func hasUUIDBinary(d []byte) bool {
	return scanBSON(d, func(t bson.Type, _, val []byte) bool {
		return t == bson.TypeBinary && (val[4] == bson.TypeBinaryUUID || val[4] == bson.TypeBinaryUUIDOld)
	})
}

// hasInvalidUTF8 reports whether a key or a string of the document d, at any depth, is not valid UTF-8. Malformed
// BSON reports true.
func hasInvalidUTF8(d []byte) bool {
	return scanBSON(d, func(t bson.Type, key, val []byte) bool {
		if !utf8.Valid(key) {
			return true
		}
		switch t {
		case bson.TypeString, bson.TypeJavaScript, bson.TypeSymbol, bson.TypeDBPointer:
			return !utf8.Valid(val[4 : 4+binary.LittleEndian.Uint32(val)-1])
		case bson.TypeRegex, bson.TypeCodeWithScope:
			return !utf8.Valid(val) // rare: check the whole value, regex options and scope included
		}
		return false
	})
}

// scanBSON calls visit with the type, key and value bytes of every element of the document d, at any depth (the
// elements of embedded documents and arrays after the container itself, and of a code-with-scope's scope). It
// returns true as soon as visit does, and when d is malformed; it allocates nothing.
func scanBSON(d []byte, visit func(t bson.Type, key, val []byte) bool) bool {
	if len(d) < 5 {
		return true
	}
	n := int(binary.LittleEndian.Uint32(d))
	if n < 5 || n > len(d) || d[n-1] != 0 {
		return true
	}
	i := 4
	for i < n-1 {
		t := bson.Type(d[i])
		i++
		k := i
		for i < n-1 && d[i] != 0 {
			i++
		}
		if i >= n-1 {
			return true
		}
		key := d[k:i]
		i++
		size := -1
		switch t {
		case bson.TypeDouble, bson.TypeDateTime, bson.TypeTimestamp, bson.TypeInt64:
			size = 8
		case bson.TypeInt32:
			size = 4
		case bson.TypeBoolean:
			size = 1
		case bson.TypeObjectID:
			size = 12
		case bson.TypeDecimal128:
			size = 16
		case bson.TypeNull, bson.TypeUndefined, bson.TypeMinKey, bson.TypeMaxKey:
			size = 0
		case bson.TypeString, bson.TypeJavaScript, bson.TypeSymbol, bson.TypeDBPointer:
			if i+4 <= n {
				size = 4 + int(binary.LittleEndian.Uint32(d[i:]))
				if size < 5 {
					return true
				}
				if t == bson.TypeDBPointer {
					size += 12
				}
			}
		case bson.TypeBinary:
			if i+5 <= n {
				size = 5 + int(binary.LittleEndian.Uint32(d[i:]))
			}
		case bson.TypeEmbeddedDocument, bson.TypeArray, bson.TypeCodeWithScope:
			if i+4 <= n {
				size = int(binary.LittleEndian.Uint32(d[i:]))
			}
		case bson.TypeRegex:
			j := i
			for z := 0; z < 2; z++ {
				for j < n && d[j] != 0 {
					j++
				}
				j++
			}
			size = j - i
		}
		if size < 0 || i+size > n-1 { // an element ends before the terminator
			return true
		}
		val := d[i : i+size]
		if visit(t, key, val) {
			return true
		}
		switch t {
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			if scanBSON(val, visit) {
				return true
			}
		case bson.TypeCodeWithScope:
			if len(val) < 8 {
				return true
			}
			code := 8 + int(binary.LittleEndian.Uint32(val[4:]))
			if code+4 > len(val) || int(binary.LittleEndian.Uint32(val[code:])) != len(val)-code || scanBSON(val[code:], visit) {
				return true
			}
		}
		i += size
	}
	return false
}
