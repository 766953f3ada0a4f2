package bsonwalk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
)

var oid = bson.ObjectID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

// everyType is a document with an element of every BSON type, nested in a document, an array and a scope.
func everyType(t testing.TB) []byte {
	t.Helper()
	dec, _ := bson.ParseDecimal128("1.5")
	d, err := bson.Marshal(bson.D{
		{Key: "double", Value: 1.5},
		{Key: "string", Value: "s"},
		{Key: "doc", Value: bson.D{{Key: "in", Value: "t"}}},
		{Key: "array", Value: bson.A{"u", bson.D{{Key: "deep", Value: int32(1)}}}},
		{Key: "binary", Value: bson.Binary{Subtype: 4, Data: make([]byte, 16)}},
		{Key: "undefined", Value: bson.Undefined{}},
		{Key: "oid", Value: oid},
		{Key: "bool", Value: true},
		{Key: "date", Value: bson.DateTime(1)},
		{Key: "null", Value: nil},
		{Key: "regex", Value: bson.Regex{Pattern: "p", Options: "i"}},
		{Key: "dbpointer", Value: bson.DBPointer{DB: "db.c", Pointer: oid}},
		{Key: "js", Value: bson.JavaScript("f()")},
		{Key: "symbol", Value: bson.Symbol("sym")},
		{Key: "cws", Value: bson.CodeWithScope{Code: "g()", Scope: bson.D{{Key: "x", Value: "v"}}}},
		{Key: "int32", Value: int32(2)},
		{Key: "ts", Value: bson.Timestamp{T: 1, I: 2}},
		{Key: "int64", Value: int64(3)},
		{Key: "dec", Value: dec},
		{Key: "min", Value: bson.MinKey{}},
		{Key: "max", Value: bson.MaxKey{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAny(t *testing.T) {
	var got []string
	if Any(everyType(t), func(typ bson.Type, key, val []byte) bool {
		got = append(got, fmt.Sprintf("%s %d", key, len(val)))
		return false
	}) {
		t.Fatal("Any reports a well-formed document as malformed")
	}
	want := []string{
		"double 8", "string 6", "doc 15", "in 6", "array 32", "0 6", "1 15", "deep 4", "binary 21", "undefined 0",
		"oid 12", "bool 1", "date 8", "null 0", "regex 4", "dbpointer 21", "js 8", "symbol 8", "cws 26", "x 6",
		"int32 4", "ts 8", "int64 8", "dec 16", "min 0", "max 0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("elements visited (-want +got):\n%s", diff)
	}
	n := 0
	if !Any(everyType(t), func(bson.Type, []byte, []byte) bool { n++; return n == 3 }) || n != 3 {
		t.Errorf("Any went on after visit returned true: %d visits", n)
	}
}

func TestAnyString(t *testing.T) {
	var got []string
	if AnyString(everyType(t), func(s []byte) bool { got = append(got, string(s)); return false }) {
		t.Fatal("AnyString reports a well-formed document as malformed")
	}
	want := []string{
		"double", "string", "s", "doc", "in", "t", "array", "0", "u", "1", "deep", "binary", "undefined", "oid",
		"bool", "date", "null", "regex", "p", "i", "dbpointer", "db.c", "js", "f()", "symbol", "sym", "cws", "g()",
		"x", "v", "int32", "ts", "int64", "dec", "min", "max",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("strings visited (-want +got):\n%s", diff)
	}
}

func TestRewrite(t *testing.T) {
	d := everyType(t)
	var paths []string
	out, err := Rewrite(d, func(s []byte, path string) ([]byte, bool, error) {
		paths = append(paths, path)
		if strings.Trim(string(s), "0123456789") == "" && len(s) > 0 {
			return s, false, nil // an array index, which the driver's encoder writes itself
		}
		return []byte("+" + strings.ToUpper(string(s))), true, nil // longer, so every length changes
	})
	if err != nil {
		t.Fatal(err)
	}
	var orig bson.D
	if err := bson.Unmarshal(d, &orig); err != nil {
		t.Fatal(err)
	}
	want, err := bson.Marshal(upper(orig))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("rewritten document:\n%v\nwant (as the driver encodes it):\n%v", bson.Raw(out), bson.Raw(want))
	}
	wantPaths := []string{
		"double", "string", "string", "doc", "doc.in", "doc.in", "array", "array.0", "array.0", "array.1",
		"array.1.deep", "binary", "undefined", "oid", "bool", "date", "null", "regex", "regex", "regex", "dbpointer",
		"dbpointer", "js", "js", "symbol", "symbol", "cws", "cws", "cws.x", "cws.x", "int32", "ts", "int64", "dec",
		"min", "max",
	}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Errorf("paths given to fix (-want +got):\n%s", diff)
	}
}

// upper is what TestRewrite's fix makes of a decoded value.
func upper(v any) any {
	f := func(s string) string { return "+" + strings.ToUpper(s) } // "+" sorts first in regex options, as the driver writes them
	switch v := v.(type) {
	case bson.D:
		out := bson.D{}
		for _, e := range v {
			out = append(out, bson.E{Key: f(e.Key), Value: upper(e.Value)})
		}
		return out
	case bson.A:
		out := bson.A{}
		for _, e := range v {
			out = append(out, upper(e))
		}
		return out
	case string:
		return f(v)
	case bson.Regex:
		return bson.Regex{Pattern: f(v.Pattern), Options: f(v.Options)}
	case bson.DBPointer:
		return bson.DBPointer{DB: f(v.DB), Pointer: v.Pointer}
	case bson.JavaScript:
		return bson.JavaScript(f(string(v)))
	case bson.Symbol:
		return bson.Symbol(f(string(v)))
	case bson.CodeWithScope:
		return bson.CodeWithScope{Code: bson.JavaScript(f(string(v.Code))), Scope: upper(v.Scope)}
	}
	return v
}

func TestRewriteUnchanged(t *testing.T) {
	d := append(everyType(t), "trailing bytes"...)
	out, err := Rewrite(d, func(s []byte, _ string) ([]byte, bool, error) { return s, false, nil })
	if err != nil || &out[0] != &d[0] || len(out) != len(d) {
		t.Errorf("Rewrite that changes nothing = %p (%d bytes), %v; want d itself (%p, %d bytes)", out, len(out), err, d, len(d))
	}
}

func TestRewriteFixError(t *testing.T) {
	errFix := errors.New("no")
	_, err := Rewrite(everyType(t), func(s []byte, path string) ([]byte, bool, error) {
		if path == "cws.x" && string(s) == "v" {
			return nil, false, errFix
		}
		return s, false, nil
	})
	if err != errFix {
		t.Errorf("Rewrite = %v, want fix's error as it is", err)
	}
}

// doc frames body as a document.
func doc(body ...byte) []byte {
	d := binary.LittleEndian.AppendUint32(nil, uint32(len(body)+5))
	return append(append(d, body...), 0)
}

func le32(n int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(n)) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestMalformed(t *testing.T) {
	str := func(s string) []byte { return cat(le32(len(s)+1), []byte(s), []byte{0}) }
	cws := func(total int, code, scope []byte) []byte { return cat([]byte{0x0f, 'c', 0}, le32(total), code, scope) }
	empty := doc()
	tests := map[string][]byte{
		"empty":                        nil,
		"shorter than a document":      {5, 0, 0, 0},
		"length under 5":               {4, 0, 0, 0, 0},
		"length over the bytes":        {6, 0, 0, 0, 0},
		"negative length":              {0xff, 0xff, 0xff, 0xff, 0},
		"no terminator":                {5, 0, 0, 0, 1},
		"key without terminator":       doc(0x0a, 'k'),
		"key ending on the terminator": {6, 0, 0, 0, 0x0a, 0},
		"unknown type":                 doc(0x20, 'k', 0),
		"type zero":                    doc(0x00, 'k', 0),
		"int32 short":                  doc(0x10, 'k', 0, 1, 0, 0),
		"double short":                 doc(0x01, 'k', 0, 1, 2, 3, 4, 5, 6, 7),
		"oid short":                    doc(append([]byte{0x07, 'k', 0}, oid[:11]...)...),
		"decimal short":                doc(append([]byte{0x13, 'k', 0}, make([]byte, 15)...)...),
		"bool missing":                 doc(0x08, 'k', 0),
		"string length short":          doc(0x02, 'k', 0, 2, 0, 0),
		"string length zero":           doc(cat([]byte{0x02, 'k', 0}, le32(0))...),
		"string negative length":       doc(cat([]byte{0x02, 'k', 0}, le32(-1), []byte{'a', 0})...),
		"string over the document":     doc(cat([]byte{0x02, 'k', 0}, le32(9), []byte{'a', 0})...),
		"string without terminator":    doc(cat([]byte{0x02, 'k', 0}, le32(2), []byte{'a', 'b'})...),
		"string on the terminator":     {12, 0, 0, 0, 0x02, 'k', 0, 1, 0, 0, 0, 0},
		"symbol without terminator":    doc(cat([]byte{0x0e, 'k', 0}, le32(2), []byte{'a', 'b'})...),
		"javascript length zero":       doc(cat([]byte{0x0d, 'k', 0}, le32(0))...),
		"binary short header":          doc(0x05, 'k', 0, 0, 0, 0, 0),
		"binary over the document":     doc(cat([]byte{0x05, 'k', 0}, le32(3), []byte{0, 1})...),
		"binary negative length":       doc(cat([]byte{0x05, 'k', 0}, le32(-2), []byte{0, 1, 2})...),
		"embedded over the document":   doc(cat([]byte{0x03, 'k', 0}, le32(9), empty)...),
		"embedded length under 5":      doc(cat([]byte{0x03, 'k', 0}, le32(4), []byte{0})...),
		"embedded without terminator":  doc(cat([]byte{0x03, 'k', 0}, []byte{5, 0, 0, 0, 1})...),
		"array with a bad element":     doc(cat([]byte{0x04, 'k', 0}, doc(0x10, '0', 0, 1))...),
		"regex without options":        doc(0x0b, 'k', 0, 'p', 0),
		"regex without terminator":     doc(0x0b, 'k', 0, 'p'),
		"dbpointer short oid":          doc(cat([]byte{0x0c, 'k', 0}, str("db"), oid[:11])...),
		"dbpointer bad string":         doc(cat([]byte{0x0c, 'k', 0}, le32(0), oid[:])...),
		"cws short":                    doc(0x0f, 'k', 0, 1, 0),
		"cws total too long":           doc(cat(cws(4+6+5+7, str("f"), empty), []byte{0x10, 'n', 0, 1, 0, 0, 0})...),
		"cws total too short":          doc(cws(4+6+4, str("f"), empty)...),
		"cws total over the document":  doc(cws(100, str("f"), empty)...),
		"cws negative total":           doc(cws(-1, str("f"), empty)...),
		"cws code without terminator":  doc(cws(4+6+5, cat(le32(2), []byte("fg")), empty)...),
		"cws code over the total":      doc(cws(4+6+5, cat(le32(7), []byte("f"), []byte{0}), empty)...),
		"cws without scope":            doc(cws(4+6, str("f"), nil)...),
		"cws scope without terminator": doc(cws(4+6+5, str("f"), []byte{5, 0, 0, 0, 1})...),
		"cws scope with a bad element": doc(cws(4+6+9, str("f"), doc(0x10, 'x', 0, 1))...),
	}
	// The driver does not check that a code with scope's code ends in a zero byte: the walkers do, as motor's
	// rewriter always has.
	driverAccepts := map[string]bool{"cws code without terminator": true}
	for desc, d := range tests {
		t.Run(desc, func(t *testing.T) {
			if !Any(d, func(bson.Type, []byte, []byte) bool { return false }) {
				t.Error("Any walked it")
			}
			if !AnyString(d, func([]byte) bool { return false }) {
				t.Error("AnyString walked it")
			}
			// A fix that changes everything, so that Rewrite cannot return d as it is.
			if out, err := Rewrite(d, func(s []byte, _ string) ([]byte, bool, error) { return s, true, nil }); !errors.Is(err, ErrMalformed) {
				t.Errorf("Rewrite = %x, %v; want ErrMalformed", out, err)
			}
			if d == nil || driverAccepts[desc] {
				return
			}
			if err := bson.Unmarshal(d, new(bson.D)); err == nil {
				t.Error("the driver decodes it; the test is wrong")
			}
		})
	}
}

func TestUnknownTypeError(t *testing.T) {
	d := doc(cat([]byte{0x03, 'a', 0}, doc(0x20, 'b', 0))...)
	_, err := Rewrite(d, func(s []byte, _ string) ([]byte, bool, error) { return s, false, nil })
	if want := `motor: malformed BSON document: unknown element type 0x20 at "a.b"`; err == nil || err.Error() != want {
		t.Errorf("Rewrite = %v, want %s", err, want)
	}
}

// FuzzWalk checks that the walkers never panic and agree: Rewrite succeeds exactly where Any walks the document,
// gives fix exactly the strings AnyString visits, and makes a document that Any walks.
func FuzzWalk(f *testing.F) {
	f.Add(everyType(f))
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Add(doc(0x02, 'k', 0, 2, 0, 0, 0, 0xff, 0))
	f.Add(doc(cat([]byte{0x0f, 'c', 0}, le32(4+6+5), le32(2), []byte{'f', 0}, doc())...))
	f.Fuzz(func(t *testing.T, d []byte) {
		malformed := Any(d, func(bson.Type, []byte, []byte) bool { return false })
		var visited [][]byte
		AnyString(d, func(s []byte) bool { visited = append(visited, s); return false })
		var fixed [][]byte
		out, err := Rewrite(d, func(s []byte, _ string) ([]byte, bool, error) {
			fixed = append(fixed, s)
			return append(bytes.ToUpper(s), 'x'), true, nil
		})
		if (err != nil) != malformed {
			t.Fatalf("Any says malformed=%v, Rewrite says %v", malformed, err)
		}
		if err != nil {
			return
		}
		if !cmp.Equal(visited, fixed) {
			t.Fatalf("AnyString visited %q, Rewrite fixed %q", visited, fixed)
		}
		if Any(out, func(bson.Type, []byte, []byte) bool { return false }) {
			t.Fatalf("Rewrite made a malformed document: %x -> %x", d, out)
		}
	})
}
