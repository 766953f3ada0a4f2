package motor

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gomotor/motor/internal/bsonwalk"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// fixUTF8 applies the unicode decode error handler h to every key and string of the document raw. A document that is
// valid UTF-8 as a whole (the common case) is returned as it is, without copying.
func fixUTF8(raw bson.Raw, h UnicodeErrorHandler) (bson.Raw, error) {
	if utf8.Valid(raw) || !hasInvalidUTF8(raw) {
		return raw, nil
	}
	return bsonwalk.Rewrite(raw, func(s []byte, path string) ([]byte, bool, error) { return fixString(s, path, h) })
}

// hasInvalidUTF8 reports whether a key or a string of the document d, at any depth, is not valid UTF-8. Malformed
// BSON reports true.
func hasInvalidUTF8(d []byte) bool {
	return bsonwalk.AnyString(d, func(s []byte) bool { return !utf8.Valid(s) })
}

// fixString returns s, the key or string at path, with invalid UTF-8 handled as h says, and whether it changed.
func fixString(s []byte, path string, h UnicodeErrorHandler) ([]byte, bool, error) {
	if utf8.Valid(s) {
		return s, false, nil
	}
	if h == UnicodeStrict {
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
			switch h {
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
