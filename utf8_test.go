package motor_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/internal/bsonwalk"
)

// FuzzDecode feeds arbitrary bytes to the codec's BSON walkers: they must return, never panic, and a handler other
// than strict must leave no invalid UTF-8 behind. (The driver's decoder has fuzz targets of its own.)
func FuzzDecode(f *testing.F) {
	seed, _ := bson.Marshal(bson.D{{Key: "s", Value: "a"}, {Key: "n", Value: bson.D{{Key: "b", Value: bson.Binary{Subtype: 4, Data: make([]byte, 16)}}}}, {Key: "r", Value: bson.Regex{Pattern: "x", Options: "i"}}, {Key: "c", Value: bson.CodeWithScope{Code: "f", Scope: bson.D{{Key: "k", Value: 1}}}}})
	f.Add(seed)
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Add([]byte{12, 0, 0, 0, 2, 'k', 0, 2, 0, 0, 0, 0xff, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = motor.HasUUIDBinary(data)
		_ = motor.HasInvalidUTF8(data)
		for h := motor.UnicodeStrict; h <= motor.UnicodeBackslashReplace; h++ {
			fixed, err := motor.FixUTF8(data, h)
			if err != nil || h == motor.UnicodeStrict {
				continue
			}
			if !motor.HasInvalidUTF8(data) && !bytes.Equal(fixed, data) {
				t.Fatalf("fixUTF8(%v) changed a document without invalid UTF-8", h)
			}
			if !bytes.Equal(fixed, data) && !wellFormed(data) {
				t.Fatalf("fixUTF8(%v) turned malformed BSON into a document: %x -> %x", h, data, fixed)
			}
			if wellFormed(fixed) && motor.HasInvalidUTF8(fixed) {
				t.Fatalf("fixUTF8(%v) left invalid UTF-8 behind: %x -> %x", h, data, fixed)
			}
		}
	})
}

// TestHasUUIDBinaryAndInvalidUTF8 checks the two questions the codec asks the walker before it decodes. The walker's
// own tests are in internal/bsonwalk.
func TestHasUUIDBinaryAndInvalidUTF8(t *testing.T) {
	doc, _ := bson.Marshal(bson.D{
		{Key: "a", Value: bson.A{1, bson.D{{Key: "u", Value: bson.Binary{Subtype: 3, Data: make([]byte, 16)}}}}},
	})
	if !motor.HasUUIDBinary(doc) {
		t.Error("UUID binary nested in an array not found")
	}
	plain, _ := bson.Marshal(bson.D{{Key: "b", Value: bson.Binary{Subtype: 0, Data: []byte{0xff}}}, {Key: "s", Value: "é"}})
	if motor.HasUUIDBinary(plain) || motor.HasInvalidUTF8(plain) {
		t.Error("false positive")
	}
	bad := []byte{12, 0, 0, 0, 2, 'k', 0, 2, 0, 0, 0, 0xff, 0, 0}
	if !motor.HasInvalidUTF8(bad) {
		t.Error("invalid string not found")
	}
}

// wellFormed reports whether the walker can walk d from end to end.
func wellFormed(d []byte) bool {
	return !bsonwalk.Any(d, func(bson.Type, []byte, []byte) bool { return false })
}

// TestFixUTF8Malformed checks that the walker refuses malformed values that hold invalid UTF-8, as the driver's
// decoder does, instead of re-encoding them into a well-formed document that silently lacks elements.
func TestFixUTF8Malformed(t *testing.T) {
	doc := func(body ...byte) []byte {
		d := binary.LittleEndian.AppendUint32(nil, uint32(len(body)+5))
		return append(append(d, body...), 0)
	}
	n := []byte{0x10, 'n', 0, 1, 0, 0, 0} // the element a bad length hides: {n: 1}
	code := []byte{3, 0, 0, 0, 'f', 0xff, 0}
	scope := []byte{5, 0, 0, 0, 0}
	cws := func(total int) []byte {
		v := append([]byte{0x0f, 'c', 0}, binary.LittleEndian.AppendUint32(nil, uint32(total))...)
		return append(append(v, code...), scope...)
	}
	tests := map[string][]byte{
		// The code-with-scope's total length also covers the next element.
		"code with scope too long": doc(append(cws(4+len(code)+len(scope)+len(n)), n...)...),
		// The string's last byte is not its terminator.
		"string without its terminator": doc(append([]byte{0x02, 's', 0, 3, 0, 0, 0, 'a', 0xff, 'b'}, n...)...),
		// The last string's terminator is the document's: the document has none of its own.
		"string ending on the document's terminator": {12, 0, 0, 0, 0x02, 0xff, 0, 1, 0, 0, 0, 0},
		// The last key's terminator is the document's.
		"key ending on the document's terminator": {7, 0, 0, 0, 0x0a, 0xff, 0},
	}
	for desc, d := range tests {
		t.Run(desc, func(t *testing.T) {
			if err := bson.NewDecoder(bson.NewDocumentReader(bytes.NewReader(d))).Decode(new(bson.D)); err == nil {
				t.Fatal("the driver decodes it; the test is wrong")
			}
			for h := motor.UnicodeReplace; h <= motor.UnicodeBackslashReplace; h++ {
				if out, err := motor.FixUTF8(d, h); !errors.Is(err, motor.ErrMalformed) {
					t.Errorf("fixUTF8(%v) = %x, %v; want errMalformed", h, out, err)
				}
			}
		})
	}
	// The well-formed code with scope is fixed.
	out, err := motor.FixUTF8(doc(append(cws(4+len(code)+len(scope)), n...)...), motor.UnicodeReplace)
	var got bson.D
	if err == nil {
		err = bson.Unmarshal(out, &got)
	}
	want := bson.D{{Key: "c", Value: bson.CodeWithScope{Code: "f\ufffd", Scope: bson.D{}}}, {Key: "n", Value: int32(1)}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("well-formed code with scope: %#v, %v", got, err)
	}
}
