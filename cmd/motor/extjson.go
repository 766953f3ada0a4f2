package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Documents come in and go out as MongoDB Extended JSON v2
// (https://www.mongodb.com/docs/manual/reference/mongodb-extended-json/): relaxed or canonical on input; on output,
// relaxed on a terminal, relaxed with every int64 written {"$numberLong": "..."} when piped, canonical with
// --canonical.
//
// Why int64 alone: relaxed Extended JSON writes int32 and int64 both as plain numbers, and a reader takes a plain
// number that fits in 32 bits as an int32, so an int64 such as 5 would come back as an int32. Every other type
// reads back as itself from relaxed output: doubles are written with a decimal point or an exponent (2.0, 1e+21)
// or as {"$numberDouble"}, dates as {"$date"} with their milliseconds, and binaries, Decimal128, timestamps,
// regular expressions, ObjectIDs, code, symbols, DBPointers, MinKey, MaxKey and undefined in their one form. So
// piped output, which motor insert reads back, keeps every BSON type and stays as readable as relaxed JSON.

// jsonInput reads the Extended JSON text of the argument named what: the argument itself, or stdin when it is "-".
func (s *session) jsonInput(what, arg string) ([]byte, error) {
	if arg != "-" {
		return []byte(arg), nil
	}
	if s.stdinUsed {
		return nil, usageErrorf("only one argument can be read from stdin (-)")
	}
	s.stdinUsed = true
	b, err := io.ReadAll(s.in)
	if err != nil {
		return nil, fmt.Errorf("read the %s from stdin: %w", what, err)
	}
	return b, nil
}

// parseDoc parses one Extended JSON document, the argument named what ("filter", "document", ...).
func parseDoc(what string, src []byte) (bson.D, error) {
	docs, err := parseDocs(what, src)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 || docs[0].array {
		return nil, usageErrorf("the %s must be one JSON document, not %s", what, describe(docs))
	}
	return docs[0].doc, nil
}

// parseArray parses an Extended JSON array of documents, such as a pipeline.
func parseArray(what string, src []byte) (bson.A, error) {
	docs, err := parseDocs(what, src)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 || !docs[0].array {
		return nil, usageErrorf("the %s must be a JSON array of documents, not %s", what, describe(docs))
	}
	a := make(bson.A, len(docs[0].items))
	for i, d := range docs[0].items {
		a[i] = d
	}
	return a, nil
}

// parsed is one top-level JSON value of an input: a document, or an array of documents.
type parsed struct {
	doc   bson.D
	array bool
	items []bson.D
}

// describe names what an input held, for an error message.
func describe(docs []parsed) string {
	switch {
	case len(docs) == 0:
		return "nothing"
	case len(docs) > 1:
		return fmt.Sprintf("%d values", len(docs))
	case docs[0].array:
		return "an array"
	}
	return "a document"
}

// parseDocs parses a sequence of Extended JSON values, each a document or an array of documents, separated by
// white space (one document per line, as find prints them, is such a sequence). A syntax error names its line and
// column.
func parseDocs(what string, src []byte) ([]parsed, error) {
	var out []parsed
	dec := json.NewDecoder(bytes.NewReader(src))
	for {
		start := dec.InputOffset()
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			var se *json.SyntaxError
			switch {
			case errors.As(err, &se):
				return nil, jsonError(what, src, se.Offset-1, se.Error())
			case errors.Is(err, io.ErrUnexpectedEOF):
				return nil, jsonError(what, src, int64(len(bytes.TrimRight(src, " \t\r\n"))), "unexpected end of input")
			}
			return nil, usageErrorf("bad JSON in the %s: %v", what, err)
		}
		// Leading white space is part of neither value; find where this one starts, for error positions.
		at := start + int64(len(src[start:])-len(bytes.TrimLeft(src[start:], " \t\r\n")))
		p, err := parseValue(raw)
		if err != nil {
			if line, col := position(src, at); line > 1 || col > 1 {
				return nil, usageErrorf("bad Extended JSON in the %s (the value at line %d, column %d): %v", what, line, col, err)
			}
			return nil, usageErrorf("bad Extended JSON in the %s: %v", what, err)
		}
		out = append(out, p)
	}
}

// parseValue decodes one JSON value that is a document or an array of documents.
func parseValue(raw json.RawMessage) (parsed, error) {
	switch raw[0] {
	case '{':
		var d bson.D
		if err := bson.UnmarshalExtJSON(raw, false, &d); err != nil {
			return parsed{}, cleanExtJSONError(err)
		}
		return parsed{doc: d}, nil
	case '[':
		// Extended JSON has no top-level arrays: decode it as the value of a document.
		var w bson.D
		wrapped := append(append([]byte(`{"a":`), raw...), '}')
		if err := bson.UnmarshalExtJSON(wrapped, false, &w); err != nil {
			return parsed{}, cleanExtJSONError(err)
		}
		a, _ := w[0].Value.(bson.A)
		p := parsed{array: true, items: make([]bson.D, len(a))}
		for i, v := range a {
			d, ok := v.(bson.D)
			if !ok {
				return parsed{}, fmt.Errorf("element %d of the array is not a document", i+1)
			}
			p.items[i] = d
		}
		return p, nil
	}
	return parsed{}, fmt.Errorf("expected a JSON document {...}, not %s", raw)
}

// cleanExtJSONError drops the decoder's type names from an Extended JSON error.
func cleanExtJSONError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error decoding key a: ")
	return errors.New(msg)
}

// jsonError is a usage error for a JSON syntax error at the byte offset off of src: it names the line and column
// and shows the line with a caret under the column.
func jsonError(what string, src []byte, off int64, msg string) error {
	off = max(0, min(off, int64(len(src))))
	line, col := position(src, off)
	lineStart := bytes.LastIndexByte(src[:off], '\n') + 1
	lineEnd := bytes.IndexByte(src[lineStart:], '\n')
	if lineEnd < 0 {
		lineEnd = len(src) - lineStart
	}
	text := strings.TrimRight(string(src[lineStart:lineStart+lineEnd]), "\r")
	return &usageError{
		msg:    fmt.Sprintf("bad JSON in the %s at line %d, column %d: %s", what, line, col, msg),
		detail: text + "\n" + strings.Repeat(" ", col-1) + "^",
	}
}

// position returns the 1-based line and column (in characters) of the byte offset off of src.
func position(src []byte, off int64) (line, col int) {
	before := src[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// printer writes documents and values as Extended JSON: one per line, or indented and coloured for a terminal.
type printer struct {
	w         io.Writer
	canonical bool
	pretty    bool
	color     bool
	typed     bool // write int64 values as {"$numberLong": "..."} in relaxed output, so that they read back as int64
}

// doc prints one document (anything that marshals to a BSON document).
func (p *printer) doc(v any) error {
	if p.typed && !p.canonical {
		raw, err := bson.Marshal(v)
		if err != nil {
			return fmt.Errorf("print as Extended JSON: %w", err)
		}
		v = typedDoc(raw)
	}
	b, err := bson.MarshalExtJSON(v, p.canonical, false)
	if err != nil {
		return fmt.Errorf("print as Extended JSON: %w", err)
	}
	return p.write(b)
}

// value prints one BSON value of any type, such as eval's result.
func (p *printer) value(v any) error {
	b, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: v}}, p.canonical, false)
	if err != nil {
		return fmt.Errorf("print as Extended JSON: %w", err)
	}
	if p.typed && !p.canonical {
		var raw bson.Raw
		if raw, err = bson.Marshal(bson.D{{Key: "v", Value: v}}); err != nil {
			return fmt.Errorf("print as Extended JSON: %w", err)
		}
		if b, err = bson.MarshalExtJSON(typedDoc(raw), false, false); err != nil {
			return fmt.Errorf("print as Extended JSON: %w", err)
		}
	}
	return p.write(b[len(`{"v":`) : len(b)-1])
}

// typedDoc returns doc with every int64 value, at any depth (in the scope of code too), replaced by the document {"$numberLong": "N"}, which
// relaxed Extended JSON then writes as the canonical form of an int64. A document without int64 values is returned
// as it is.
func typedDoc(doc bson.Raw) any {
	if !hasInt64(doc) {
		return doc
	}
	elems, _ := doc.Elements()
	out := make(bson.D, len(elems))
	for i, e := range elems {
		out[i] = bson.E{Key: e.Key(), Value: typedValue(e.Value())}
	}
	return out
}

// typedValue is typedDoc for one value.
func typedValue(v bson.RawValue) any {
	switch v.Type {
	case bson.TypeInt64:
		return bson.D{{Key: "$numberLong", Value: strconv.FormatInt(v.Int64(), 10)}}
	case bson.TypeEmbeddedDocument:
		return typedDoc(v.Document())
	case bson.TypeArray:
		if !hasInt64(bson.Raw(v.Array())) {
			return v
		}
		vals, _ := v.Array().Values()
		a := make(bson.A, len(vals))
		for i, x := range vals {
			a[i] = typedValue(x)
		}
		return a
	}
	if code, scope, ok := v.CodeWithScopeOK(); ok && hasInt64(scope) {
		return bson.CodeWithScope{Code: bson.JavaScript(code), Scope: typedDoc(scope)}
	}
	return v
}

// hasInt64 reports whether the document or array doc holds an int64 value at any depth.
func hasInt64(doc bson.Raw) bool {
	elems, _ := doc.Elements()
	for _, e := range elems {
		switch v := e.Value(); v.Type {
		case bson.TypeInt64:
			return true
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			if hasInt64(v.Value) {
				return true
			}
		case bson.TypeCodeWithScope:
			if _, scope, ok := v.CodeWithScopeOK(); ok && hasInt64(scope) {
				return true
			}
		}
	}
	return false
}

// line prints a line of plain text, such as a collection name.
func (p *printer) line(s string) error {
	_, err := fmt.Fprintln(p.w, s)
	return err
}

// write prints compact JSON b.
func (p *printer) write(b []byte) error {
	if p.pretty {
		b = indent(b, p.color)
	}
	_, err := p.w.Write(append(b, '\n'))
	return err
}

// ANSI colours, as jq uses them.
const (
	colorKey     = "\x1b[34;1m"
	colorString  = "\x1b[32m"
	colorNumber  = "\x1b[36m"
	colorLiteral = "\x1b[35m"
	colorReset   = "\x1b[0m"
)

// indent returns the compact JSON src indented by two spaces, with ANSI colours if color is set. src must be valid
// JSON, as the Extended JSON marshaller writes it.
func indent(src []byte, color bool) []byte {
	var out bytes.Buffer
	depth := 0
	newline := func() {
		out.WriteByte('\n')
		for range depth {
			out.WriteString("  ")
		}
	}
	paint := func(c string, tok []byte) {
		if color {
			out.WriteString(c)
		}
		out.Write(tok)
		if color {
			out.WriteString(colorReset)
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '{', '[':
			out.WriteByte(c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				out.WriteByte(src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			out.WriteByte(c)
		case ',':
			out.WriteByte(c)
			newline()
		case ':':
			out.WriteString(": ")
		case ' ', '\t', '\r', '\n':
		case '"':
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' {
					j++
				}
			}
			tok := src[i:min(j+1, len(src))]
			if j+1 < len(src) && src[j+1] == ':' {
				paint(colorKey, tok)
			} else {
				paint(colorString, tok)
			}
			i = j
		default:
			j := i
			for j < len(src) && !bytes.ContainsRune([]byte(",:]} \t\r\n"), rune(src[j])) {
				j++
			}
			if c == 't' || c == 'f' || c == 'n' {
				paint(colorLiteral, src[i:j])
			} else {
				paint(colorNumber, src[i:j])
			}
			i = j - 1
		}
	}
	return out.Bytes()
}
