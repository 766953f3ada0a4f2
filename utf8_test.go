package motor

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FuzzDecode feeds arbitrary bytes to the codec's BSON walkers: they must return, never panic, and a handler other
// than strict must leave no invalid UTF-8 behind. (The driver's decoder has fuzz targets of its own.)
func FuzzDecode(f *testing.F) {
	seed, _ := bson.Marshal(bson.D{{Key: "s", Value: "a"}, {Key: "n", Value: bson.D{{Key: "b", Value: bson.Binary{Subtype: 4, Data: make([]byte, 16)}}}}, {Key: "r", Value: bson.Regex{Pattern: "x", Options: "i"}}, {Key: "c", Value: bson.CodeWithScope{Code: "f", Scope: bson.D{{Key: "k", Value: 1}}}}})
	f.Add(seed)
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Add([]byte{12, 0, 0, 0, 2, 'k', 0, 2, 0, 0, 0, 0xff, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = hasUUIDBinary(data)
		_ = hasInvalidUTF8(data)
		for h := UnicodeStrict; h <= UnicodeBackslashReplace; h++ {
			fixed, err := fixUTF8(data, h)
			if err == nil && h != UnicodeStrict && hasInvalidUTF8(fixed) && !hasInvalidUTF8(data) {
				t.Fatalf("fixUTF8 made valid UTF-8 invalid")
			}
		}
	})
}

func TestScanBSON(t *testing.T) {
	doc, _ := bson.Marshal(bson.D{
		{Key: "a", Value: bson.A{1, bson.D{{Key: "u", Value: bson.Binary{Subtype: 3, Data: make([]byte, 16)}}}}},
	})
	if !hasUUIDBinary(doc) {
		t.Error("UUID binary nested in an array not found")
	}
	plain, _ := bson.Marshal(bson.D{{Key: "b", Value: bson.Binary{Subtype: 0, Data: []byte{0xff}}}, {Key: "s", Value: "é"}})
	if hasUUIDBinary(plain) || hasInvalidUTF8(plain) {
		t.Error("false positive")
	}
	bad := []byte{12, 0, 0, 0, 2, 'k', 0, 2, 0, 0, 0, 0xff, 0, 0}
	if !hasInvalidUTF8(bad) {
		t.Error("invalid string not found")
	}
}
