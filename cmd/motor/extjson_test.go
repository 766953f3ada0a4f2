package main

import (
	"bytes"
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
		{"piped", printer{}, `{"s":"a \"q\" b","n":2,"ok":true,"nil":null,"e":{},"a":[1,{"x":1.5}]}` + "\n"},
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
