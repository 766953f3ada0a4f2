package motor_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
)

// roundTrip stores doc in a fresh collection of db (with default codec options) and reads it back through a
// collection with co.
func roundTrip(t *testing.T, db *motor.Database, name string, doc bson.D, co motor.CodecOptions) *motor.SingleResult {
	t.Helper()
	ctx := t.Context()
	if _, err := db.Collection(name).InsertOne(ctx, doc, nil); err != nil {
		t.Fatal(err)
	}
	return db.Collection(name, motor.WithCodecOptions(co)).FindOne(ctx, bson.D{}, nil)
}

func TestCodecDocumentType(t *testing.T) {
	db, _ := newDB(t)
	doc := bson.D{{Key: "_id", Value: 1}, {Key: "a", Value: bson.D{{Key: "b", Value: 1}}}, {Key: "arr", Value: bson.A{bson.D{{Key: "c", Value: 2}}}}}

	var def any
	if err := roundTrip(t, db, "dt_default", doc, motor.CodecOptions{}).Decode(&def); err != nil {
		t.Fatal(err)
	}
	diff(t, "default (bson.D)", bson.D{{Key: "_id", Value: int32(1)}, {Key: "a", Value: bson.D{{Key: "b", Value: int32(1)}}}, {Key: "arr", Value: bson.A{bson.D{{Key: "c", Value: int32(2)}}}}}, def)

	var m any
	if err := roundTrip(t, db, "dt_m", doc, motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}).Decode(&m); err != nil {
		t.Fatal(err)
	}
	diff(t, "bson.M", bson.M{"_id": int32(1), "a": bson.M{"b": int32(1)}, "arr": bson.A{bson.M{"c": int32(2)}}}, m)

	// Inside a bson.D destination the nested documents still follow DocumentType.
	var d bson.D
	if err := roundTrip(t, db, "dt_dm", doc, motor.CodecOptions{DocumentType: reflect.TypeOf(map[string]any{})}).Decode(&d); err != nil {
		t.Fatal(err)
	}
	diff(t, "bson.D with map nested", bson.D{{Key: "_id", Value: int32(1)}, {Key: "a", Value: map[string]any{"b": int32(1)}}, {Key: "arr", Value: bson.A{map[string]any{"c": int32(2)}}}}, d)

	// A registered struct type.
	type inner struct {
		B int `bson:"b"`
		C int `bson:"c"`
	}
	var s bson.D
	if err := roundTrip(t, db, "dt_struct", doc, motor.CodecOptions{DocumentType: reflect.TypeOf(inner{})}).Decode(&s); err != nil {
		t.Fatal(err)
	}
	diff(t, "struct nested", bson.D{{Key: "_id", Value: int32(1)}, {Key: "a", Value: inner{B: 1}}, {Key: "arr", Value: bson.A{inner{C: 2}}}}, s)
}

func TestCodecTZ(t *testing.T) {
	db, _ := newDB(t)
	when := time.Date(2020, 1, 2, 3, 4, 5, 678e6, time.UTC)
	doc := bson.D{{Key: "_id", Value: 1}, {Key: "when", Value: when}}

	type rec struct {
		When time.Time `bson:"when"`
	}
	// Naive (default): a bson.DateTime in an any, UTC in a time.Time.
	var naive bson.M
	r := roundTrip(t, db, "tz_naive", doc, motor.CodecOptions{})
	if err := r.Decode(&naive); err != nil {
		t.Fatal(err)
	}
	diff(t, "naive", bson.NewDateTimeFromTime(when), naive["when"])
	var nr rec
	_ = r.Decode(&nr)
	if nr.When.Location() != time.UTC || !nr.When.Equal(when) {
		t.Errorf("naive time.Time = %v", nr.When)
	}

	// Aware: time.Time in UTC.
	var aware bson.M
	if err := roundTrip(t, db, "tz_aware", doc, motor.CodecOptions{TZAware: true}).Decode(&aware); err != nil {
		t.Fatal(err)
	}
	at, ok := aware["when"].(time.Time)
	if !ok || at.Location() != time.UTC || !at.Equal(when) {
		t.Errorf("aware = %#v", aware["when"])
	}

	// Aware with a zone: PyMongo gives 2020-01-02T08:34:05.678+05:30.
	ist := time.FixedZone("IST", 5*3600+1800)
	r = roundTrip(t, db, "tz_info", doc, motor.CodecOptions{TZAware: true, TZInfo: ist})
	var zoned bson.M
	if err := r.Decode(&zoned); err != nil {
		t.Fatal(err)
	}
	zt, _ := zoned["when"].(time.Time)
	if got := zt.Format("2006-01-02T15:04:05.000-07:00"); got != "2020-01-02T08:34:05.678+05:30" {
		t.Errorf("zoned = %s", got)
	}
	var zr rec
	_ = r.Decode(&zr)
	if zr.When.Location() != ist {
		t.Errorf("zoned time.Time field location = %v", zr.When.Location())
	}
}

func TestCodecUUIDRepresentation(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t)
	u, _ := motor.ParseUUID("00112233-4455-6677-8899-aabbccddeeff")
	tests := []struct {
		rep     motor.UUIDRepresentation
		subtype byte
		stored  string // hex of the stored bytes
	}{
		{motor.UUIDPythonLegacy, 3, "00112233445566778899aabbccddeeff"},
		{motor.UUIDStandard, 4, "00112233445566778899aabbccddeeff"},
		{motor.UUIDJavaLegacy, 3, "7766554433221100ffeeddccbbaa9988"},
		{motor.UUIDCSharpLegacy, 3, "33221100554477668899aabbccddeeff"},
	}
	for _, tt := range tests {
		t.Run(tt.rep.String(), func(t *testing.T) {
			coll := db.Collection("uuid_"+tt.rep.String(), motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: tt.rep}))
			if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "u", Value: u}}, nil); err != nil {
				t.Fatal(err)
			}
			// What the server stored, read without motor's codec.
			raw, err := coll.FindOne(ctx, bson.D{}, nil).Raw()
			if err != nil {
				t.Fatal(err)
			}
			st, data := raw.Lookup("u").Binary()
			if st != tt.subtype || fmt.Sprintf("%x", data) != tt.stored {
				t.Errorf("stored subtype %d bytes %x, want %d %s", st, data, tt.subtype, tt.stored)
			}
			// Read back through the same representation: the same UUID, in an any and in a UUID field.
			var got bson.M
			if err := coll.FindOne(ctx, bson.D{}, nil).Decode(&got); err != nil {
				t.Fatal(err)
			}
			diff(t, "decoded", u, got["u"])
			var typed struct {
				U motor.UUID `bson:"u"`
			}
			if err := coll.FindOne(ctx, bson.D{}, nil).Decode(&typed); err != nil {
				t.Fatal(err)
			}
			diff(t, "typed", u, typed.U)
			// Unspecified leaves the binary alone.
			un := coll.WithOptions(motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: motor.UUIDUnspecified}))
			var bin bson.M
			if err := un.FindOne(ctx, bson.D{}, nil).Decode(&bin); err != nil {
				t.Fatal(err)
			}
			if b, ok := bin["u"].(bson.Binary); !ok || b.Subtype != tt.subtype {
				t.Errorf("unspecified = %#v", bin["u"])
			}
		})
	}
	// Subtype 3 written as Java legacy reads as a different UUID through the Python legacy representation, and
	// subtype 4 is standard whatever the representation (PyMongo 3.11 rules).
	java := db.Collection("uuid_javaLegacy", motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: motor.UUIDStandard}))
	var viaStd bson.M
	if err := java.FindOne(ctx, bson.D{}, nil).Decode(&viaStd); err != nil {
		t.Fatal(err)
	}
	if viaStd["u"].(motor.UUID).String() != "77665544-3322-1100-ffee-ddccbbaa9988" {
		t.Errorf("java subtype 3 via standard = %v", viaStd["u"])
	}
	std := db.Collection("uuid_standard", motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: motor.UUIDJavaLegacy}))
	var viaJava bson.M
	if err := std.FindOne(ctx, bson.D{}, nil).Decode(&viaJava); err != nil {
		t.Fatal(err)
	}
	diff(t, "subtype 4 via java", u, viaJava["u"])

	// Encoding with unspecified fails before any I/O.
	un := db.Collection("uuid_unspecified", motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: motor.UUIDUnspecified}))
	_, err := un.InsertOne(ctx, bson.D{{Key: "u", Value: u}}, nil)
	if err == nil || !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("insert with unspecified: %v", err)
	}
}

func TestCodecUnicodeDecodeErrorHandler(t *testing.T) {
	// FerretDB rewrites invalid UTF-8 on insert, so these documents are fixed bytes: {"s": "a\xffb", "k\xff": 1,
	// "n": {"t": "x\xfe"}}.
	raw := bson.Raw(bsonDoc(t,
		elem(0x02, "s", bsonString("a\xffb")),
		elem(0x10, "k\xff", []byte{1, 0, 0, 0}),
		elem(0x03, "n", bsonDoc(t, elem(0x02, "t", bsonString("x\xfe")))),
	))
	tests := []struct {
		h       motor.UnicodeErrorHandler
		want    bson.D
		wantErr string
	}{
		{h: motor.UnicodeStrict, wantErr: `motor: invalid UTF-8 at "s": byte 0xff in position 1 (UnicodeDecodeErrorHandler is strict)`},
		{h: motor.UnicodeReplace, want: bson.D{{Key: "s", Value: "a\ufffdb"}, {Key: "k\ufffd", Value: int32(1)}, {Key: "n", Value: bson.D{{Key: "t", Value: "x\ufffd"}}}}},
		{h: motor.UnicodeIgnore, want: bson.D{{Key: "s", Value: "ab"}, {Key: "k", Value: int32(1)}, {Key: "n", Value: bson.D{{Key: "t", Value: "x"}}}}},
		{h: motor.UnicodeBackslashReplace, want: bson.D{{Key: "s", Value: `a\xffb`}, {Key: "k\\xff", Value: int32(1)}, {Key: "n", Value: bson.D{{Key: "t", Value: `x\xfe`}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.h.String(), func(t *testing.T) {
			var got bson.D
			err := motor.CodecOptions{UnicodeDecodeErrorHandler: tt.h}.Decode(raw, &got)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "decoded", tt.want, got)
		})
	}
	// On a real server reply (valid UTF-8) every handler decodes the same.
	db, _ := newDB(t)
	var got bson.M
	if err := roundTrip(t, db, "utf8", bson.D{{Key: "_id", Value: 1}, {Key: "s", Value: "é"}}, motor.CodecOptions{UnicodeDecodeErrorHandler: motor.UnicodeIgnore}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got["s"] != "é" {
		t.Errorf("s = %q", got["s"])
	}
}

// TestCodecUnicodeReplaceLikePython checks that UnicodeReplace makes one U+FFFD per ill-formed sequence, as
// Python's bytes.decode("utf-8", "replace") (and so PyMongo) does; the wants are Python 3.11's output.
func TestCodecUnicodeReplaceLikePython(t *testing.T) {
	tests := []struct{ in, replace, backslash string }{
		{"a\xe2\x82b", "a\ufffdb", `a\xe2\x82b`},                             // a truncated 3-byte sequence is one error
		{"a\xff\xfeb", "a\ufffd\ufffdb", `a\xff\xfeb`},                       // two bytes that start nothing are two
		{"\xf0\x9f\x98", "\ufffd", `\xf0\x9f\x98`},                           // a truncated 4-byte sequence
		{"\xf0\x9f\x98\xe2\x82", "\ufffd\ufffd", `\xf0\x9f\x98\xe2\x82`},     // two truncated sequences
		{"\xed\xa0\x80", "\ufffd\ufffd\ufffd", `\xed\xa0\x80`},               // a surrogate: \xa0 cannot follow \xed
		{"\xe0\x80\xaf", "\ufffd\ufffd\ufffd", `\xe0\x80\xaf`},               // overlong
		{"\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd", `\xf4\x90\x80\x80`}, // above U+10FFFF
		{"\xc0\xaf", "\ufffd\ufffd", `\xc0\xaf`},
		{"é\xe2\x82", "é\ufffd", `é\xe2\x82`},
	}
	for _, tt := range tests {
		raw := bson.Raw(bsonDoc(t, elem(0x02, "s", bsonString(tt.in))))
		for h, want := range map[motor.UnicodeErrorHandler]string{motor.UnicodeReplace: tt.replace, motor.UnicodeBackslashReplace: tt.backslash} {
			var got struct{ S string }
			if err := (motor.CodecOptions{UnicodeDecodeErrorHandler: h}).Decode(raw, &got); err != nil || got.S != want {
				t.Errorf("%v of %q = %q, %v; want %q", h, tt.in, got.S, err, want)
			}
		}
	}
}

// int64Str is what the Int64 decoder of TestCodecTypeRegistry makes, like PyMongo's TypeDecoder example.
type int64Str string

func TestCodecTypeRegistry(t *testing.T) {
	dec := bson.ValueDecoderFunc(func(_ bson.DecodeContext, vr bson.ValueReader, v reflect.Value) error {
		n, err := vr.ReadInt64()
		if err != nil {
			return err
		}
		v.SetString(fmt.Sprintf("int64:%d", n))
		return nil
	})
	reg, err := motor.NewTypeRegistry(motor.TypeCodec{Type: reflect.TypeOf(int64Str("")), Decoder: dec, BSONType: bson.TypeInt64})
	if err != nil {
		t.Fatal(err)
	}
	db, _ := newDB(t)
	var got bson.M
	doc := bson.D{{Key: "_id", Value: 1}, {Key: "i64", Value: int64(7)}, {Key: "arr", Value: bson.A{int64(8), int32(9)}}}
	if err := roundTrip(t, db, "reg", doc, motor.CodecOptions{TypeRegistry: reg}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	diff(t, "decoded", bson.M{"_id": int32(1), "i64": int64Str("int64:7"), "arr": bson.A{int64Str("int64:8"), int32(9)}}, got)

	if _, err := motor.NewTypeRegistry(motor.TypeCodec{Type: reflect.TypeOf(0)}); err == nil || !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("codec with no encoder or decoder: %v", err)
	}
}

// Hand-built BSON for invalid UTF-8 documents.

func bsonString(s string) []byte {
	b := []byte{byte(len(s) + 1), 0, 0, 0}
	return append(append(b, s...), 0)
}

func elem(typ byte, key string, val []byte) []byte {
	b := append([]byte{typ}, key...)
	return append(append(b, 0), val...)
}

func bsonDoc(t *testing.T, elems ...[]byte) []byte {
	t.Helper()
	var body []byte
	for _, e := range elems {
		body = append(body, e...)
	}
	n := len(body) + 5
	out := []byte{byte(n), byte(n >> 8), 0, 0}
	out = append(out, body...)
	return append(out, 0)
}
