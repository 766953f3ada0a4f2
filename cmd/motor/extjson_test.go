package main

import (
	"bytes"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestPrinter(t *testing.T) {
	doc := bson.D{
		{Key: "s", Value: "a \"q\" b"},
		{Key: "n", Value: int32(2)},
		{Key: "ok", Value: true},
		{Key: "nil", Value: nil},
		{Key: "e", Value: bson.D{}},
		{Key: "a", Value: bson.A{int64(1), bson.D{{Key: "x", Value: 1.5}}}},
	}
	for _, tc := range []struct {
		name string
		p    printer
		want string
	}{
		{"relaxed", printer{}, `{"s":"a \"q\" b","n":2,"ok":true,"nil":null,"e":{},"a":[1,{"x":1.5}]}` + "\n"},
		{"piped", printer{typed: true}, `{"s":"a \"q\" b","n":2,"ok":true,"nil":null,"e":{},"a":[{"$numberLong":"1"},{"x":1.5}]}` + "\n"},
		{"canonical", printer{canonical: true}, `{"s":"a \"q\" b","n":{"$numberInt":"2"},"ok":true,"nil":null,"e":{},"a":[{"$numberLong":"1"},{"x":{"$numberDouble":"1.5"}}]}` + "\n"},
		{"terminal", printer{pretty: true}, `{
  "s": "a \"q\" b",
  "n": 2,
  "ok": true,
  "nil": null,
  "e": {},
  "a": [
    1,
    {
      "x": 1.5
    }
  ]
}
`},
		{"terminal colour", printer{pretty: true, color: true}, "{\n" +
			"  \x1b[34;1m\"s\"\x1b[0m: \x1b[32m\"a \\\"q\\\" b\"\x1b[0m,\n" +
			"  \x1b[34;1m\"n\"\x1b[0m: \x1b[36m2\x1b[0m,\n" +
			"  \x1b[34;1m\"ok\"\x1b[0m: \x1b[35mtrue\x1b[0m,\n" +
			"  \x1b[34;1m\"nil\"\x1b[0m: \x1b[35mnull\x1b[0m,\n" +
			"  \x1b[34;1m\"e\"\x1b[0m: {},\n" +
			"  \x1b[34;1m\"a\"\x1b[0m: [\n" +
			"    \x1b[36m1\x1b[0m,\n" +
			"    {\n" +
			"      \x1b[34;1m\"x\"\x1b[0m: \x1b[36m1.5\x1b[0m\n" +
			"    }\n" +
			"  ]\n" +
			"}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			tc.p.w = &b
			if err := tc.p.doc(doc); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, b.String()); d != "" {
				t.Errorf("mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestPosition(t *testing.T) {
	src := []byte("{\"a\": 1,\n \"é\": x}")
	for _, tc := range []struct {
		off       int64
		line, col int
	}{
		{0, 1, 1},
		{8, 1, 9},
		{9, 2, 1},
		{int64(len(src)) - 2, 2, 7}, // x, after a two-byte é
	} {
		if line, col := position(src, tc.off); line != tc.line || col != tc.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tc.off, line, col, tc.line, tc.col)
		}
	}
}

func FuzzParseDocs(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": 1}`, "[{}]\n{}", `{"a": {"$oid": "x"}}`, `{`, `[1]`, "\"x\"", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		docs, err := parseDocs("input", []byte(s))
		if err == nil {
			for _, d := range docs {
				if d.array && d.doc != nil {
					t.Fatalf("array with a document: %+v", d)
				}
			}
		}
		// An error must be a usage error: exit code 2.
		if _, ok := err.(*usageError); err != nil && !ok {
			t.Fatalf("error %T %v is not a usage error", err, err)
		}
	})
}

// everyType is a document that holds a value of every BSON type, with the edge cases of the ones that relaxed
// Extended JSON could blur: int64 values that fit in 32 bits, whole and special doubles, dates outside 1970-9999,
// and every binary subtype that has a name.
func everyType() bson.D {
	oid, _ := bson.ObjectIDFromHex("6650f1c2a1b2c3d4e5f60718")
	dec, _ := bson.ParseDecimal128("4.50")
	return bson.D{
		{Key: "_id", Value: oid},
		{Key: "double", Value: 2.0},
		{Key: "doubleFraction", Value: 4.5},
		{Key: "doubleNegZero", Value: math.Copysign(0, -1)},
		{Key: "doubleBig", Value: 1e21},
		{Key: "doubleNaN", Value: math.NaN()},
		{Key: "doubleInf", Value: math.Inf(-1)},
		{Key: "string", Value: "tea \"x\" ü"},
		{Key: "document", Value: bson.D{{Key: "nested", Value: int64(7)}}},
		{Key: "array", Value: bson.A{int32(1), int64(1), 1.0, "1"}},
		{Key: "binary", Value: bson.Binary{Subtype: 0x00, Data: []byte("bytes")}},
		{Key: "binaryFunction", Value: bson.Binary{Subtype: 0x01, Data: []byte{1}}},
		{Key: "binaryOld", Value: bson.Binary{Subtype: 0x02, Data: []byte{2}}},
		{Key: "uuidOld", Value: bson.Binary{Subtype: 0x03, Data: bytes.Repeat([]byte{3}, 16)}},
		{Key: "uuid", Value: bson.Binary{Subtype: 0x04, Data: bytes.Repeat([]byte{4}, 16)}},
		{Key: "md5", Value: bson.Binary{Subtype: 0x05, Data: bytes.Repeat([]byte{5}, 16)}},
		{Key: "encrypted", Value: bson.Binary{Subtype: 0x06, Data: []byte{6}}},
		{Key: "column", Value: bson.Binary{Subtype: 0x07, Data: []byte{7}}},
		{Key: "sensitive", Value: bson.Binary{Subtype: 0x08, Data: []byte{8}}},
		{Key: "vector", Value: bson.Binary{Subtype: 0x09, Data: []byte{0x03, 0x00, 1, 2}}},
		{Key: "userBinary", Value: bson.Binary{Subtype: 0x80, Data: []byte{0x80}}},
		{Key: "undefined", Value: bson.Undefined{}},
		{Key: "objectId", Value: oid},
		{Key: "bool", Value: true},
		{Key: "date", Value: bson.DateTime(1714557600123)},
		{Key: "dateBefore1970", Value: bson.DateTime(-1000)},
		{Key: "dateAfter9999", Value: bson.DateTime(253402300800000)},
		{Key: "null", Value: nil},
		{Key: "regex", Value: bson.Regex{Pattern: "^te+a$", Options: "i"}},
		{Key: "dbPointer", Value: bson.DBPointer{DB: "test.orders", Pointer: oid}},
		{Key: "javascript", Value: bson.JavaScript("function () { return 1; }")},
		{Key: "symbol", Value: bson.Symbol("sym")},
		{Key: "codeWithScope", Value: bson.CodeWithScope{Code: "x", Scope: bson.D{{Key: "x", Value: int64(1)}}}},
		{Key: "int32", Value: int32(42)},
		{Key: "int32Min", Value: int32(math.MinInt32)},
		{Key: "timestamp", Value: bson.Timestamp{T: 1714557600, I: 3}},
		{Key: "int64", Value: int64(42)},
		{Key: "int64Negative", Value: int64(-1)},
		{Key: "int64Big", Value: int64(math.MaxInt64)},
		{Key: "decimal128", Value: dec},
		{Key: "minKey", Value: bson.MinKey{}},
		{Key: "maxKey", Value: bson.MaxKey{}},
	}
}

// TestPipedOutputKeepsTypes checks that what motor prints when piped reads back, through the parser of motor
// insert, as the same BSON bytes: every type, with the values of everyType.
func TestPipedOutputKeepsTypes(t *testing.T) {
	want, err := bson.Marshal(everyType())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []printer{{typed: true}, {canonical: true}} {
		var out bytes.Buffer
		p.w = &out
		if err := p.doc(bson.Raw(want)); err != nil {
			t.Fatal(err)
		}
		docs, err := parseDocs("documents", out.Bytes())
		if err != nil {
			t.Fatalf("canonical %v: %v\n%s", p.canonical, err, out.String())
		}
		got, err := bson.Marshal(docs[0].doc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("canonical %v: the document read back differs:\nprinted %s\nwant %v\ngot  %v", p.canonical, out.String(), bson.Raw(want), bson.Raw(got))
		}
	}
	// Relaxed output, as on a terminal, is the one that loses a type: the int64s that fit in 32 bits.
	var out bytes.Buffer
	p := printer{w: &out}
	if err := p.doc(bson.Raw(want)); err != nil {
		t.Fatal(err)
	}
	if docs, err := parseDocs("documents", out.Bytes()); err != nil {
		t.Fatal(err)
	} else if v, _ := bson.Marshal(docs[0].doc); bytes.Equal(v, want) {
		t.Errorf("relaxed output read back unchanged; the typed printer is no longer needed?")
	}
}
