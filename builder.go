package motor

// Pieces shared by the pure builders of command documents.

import (
	"math"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor/internal/bsonutil"
)

// appendExtraFields appends extra to cmd. A key of extra that is one of typed (the fields the options struct what
// sends itself, sent or not) or that appears twice in extra is an ErrInvalidOption error.
func appendExtraFields(cmd, extra bson.D, what string, typed ...string) (bson.D, error) {
	for i, e := range extra {
		for _, k := range typed {
			if e.Key == k {
				return nil, invalidOptionf("%s.Extra key %q duplicates a typed field", what, e.Key)
			}
		}
		for _, prev := range extra[:i] {
			if prev.Key == e.Key {
				return nil, invalidOptionf("%s.Extra key %q appears twice", what, e.Key)
			}
		}
	}
	return append(cmd, extra...), nil
}

// writeConcernDoc is the writeConcern field PyMongo sends for wc: nil for no write concern or the server default
// (nothing set), else {j, w} in PyMongo's key order (wtimeout, j, fsync, w), w as an int32 when it is a number.
func writeConcernDoc(wc *writeconcern.WriteConcern) bson.D {
	if wc == nil || (wc.W == nil && wc.Journal == nil) {
		return nil
	}
	var d bson.D
	if wc.Journal != nil {
		d = append(d, bson.E{Key: "j", Value: *wc.Journal})
	}
	switch w := wc.W.(type) {
	case nil:
	case int:
		d = append(d, bson.E{Key: "w", Value: pyInt(int64(w))})
	default:
		d = append(d, bson.E{Key: "w", Value: w})
	}
	return d
}

// pyInt is n as PyMongo encodes a Python int: an int32 when it fits, else an int64.
func pyInt(n int64) any {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		return int32(n)
	}
	return n
}

// collationDoc is the collation document, with the driver's field order and omissions.
func collationDoc(c *options.Collation) bson.D {
	var d bson.D
	add := func(k string, v any) { d = append(d, bson.E{Key: k, Value: v}) }
	if c.Locale != "" {
		add("locale", c.Locale)
	}
	if c.CaseLevel {
		add("caseLevel", true)
	}
	if c.CaseFirst != "" {
		add("caseFirst", c.CaseFirst)
	}
	if c.Strength != 0 {
		add("strength", int32(c.Strength))
	}
	if c.NumericOrdering {
		add("numericOrdering", true)
	}
	if c.Alternate != "" {
		add("alternate", c.Alternate)
	}
	if c.MaxVariable != "" {
		add("maxVariable", c.MaxVariable)
	}
	if c.Normalization {
		add("normalization", true)
	}
	if c.Backwards {
		add("backwards", true)
	}
	if d == nil {
		d = bson.D{}
	}
	return d
}

// checkDocument reports an ErrInvalidOption error unless v encodes as a BSON document with reg.
func checkDocument(reg *bson.Registry, field string, v any) error {
	_, err := encodeArg(reg, field, v)
	return err
}

// encodeArg encodes v, the argument field (a document), with reg. A value that is not a document, or that reg
// cannot encode, is an ErrInvalidOption error that names field.
func encodeArg(reg *bson.Registry, field string, v any) (bson.Raw, error) {
	if err := checkIsDocument(field, v); err != nil {
		return nil, err
	}
	raw, err := bsonutil.Encode(reg, v)
	if err != nil {
		return nil, invalidOptionf("cannot encode %s: %v", field, err)
	}
	return raw, nil
}

// checkIsDocument reports an ErrInvalidOption error when v is plainly not a document: nil, a number, a string, a
// boolean, an array, a channel or a function. Types that marshal themselves are left to their marshaller.
func checkIsDocument(field string, v any) error {
	if v == nil {
		return invalidOptionf("%s must be a document, not nil", field)
	}
	if _, ok := v.(bson.Marshaler); ok {
		return nil
	}
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Map, reflect.Struct, reflect.Interface:
		return nil
	case reflect.Slice, reflect.Array:
		if !isArray(v) {
			return nil
		}
	}
	return invalidOptionf("%s must be a document, not a %T", field, v)
}

// isArray reports whether v is a Go slice or array that encodes as a BSON array (not bson.D, bson.Raw or []byte).
func isArray(v any) bool {
	switch v.(type) {
	case bson.D, bson.Raw, []byte:
		return false
	case bson.RawArray:
		return true
	}
	k := reflect.TypeOf(v).Kind()
	return k == reflect.Slice || k == reflect.Array
}

// encodeDoc encodes the document v with reg. A value that is not a document, or that the registry cannot encode, is
// an ErrInvalidOption error that names what is wrong without the encoder's internals.
func encodeDoc(reg *bson.Registry, v any) (bson.Raw, error) {
	if err := checkIsDocument("the command document", v); err != nil {
		return nil, err
	}
	raw, err := bsonutil.Encode(reg, v)
	if err != nil {
		return nil, &optError{msg: "motor: cannot encode the command document: " + err.Error()}
	}
	return raw, nil
}

// projectionDoc returns projection as it is sent: a list of field names (a []string, or a Go slice or array, or a
// bson.RawArray, of strings) becomes the document {name: 1, ...} in the list's order, a name given twice kept where
// it first appears, as PyMongo's helpers._fields_list_to_dict makes it; anything else is returned as it is, for
// the caller to check as a document. A list with an element that is not a string is an ErrInvalidOption error
// naming field.
func projectionDoc(field string, projection any) (any, error) {
	if projection == nil || !isArray(projection) {
		return projection, nil
	}
	var names []string
	switch p := projection.(type) {
	case []string:
		names = p
	case bson.RawArray:
		vals, err := p.Values()
		if err != nil {
			return nil, invalidOptionf("invalid %s: %v", field, err)
		}
		for i, v := range vals {
			s, ok := v.StringValueOK()
			if !ok {
				return nil, invalidOptionf("%s must be a document or a list of field names; element %d is BSON %v, not a string", field, i, v.Type)
			}
			names = append(names, s)
		}
	default:
		rv := reflect.ValueOf(projection)
		for i := range rv.Len() {
			ev := rv.Index(i)
			if ev.Kind() == reflect.Interface && !ev.IsNil() {
				ev = ev.Elem()
			}
			if ev.Kind() != reflect.String {
				return nil, invalidOptionf("%s must be a document or a list of field names; element %d is a %s, not a string", field, i, typeName(ev))
			}
			names = append(names, ev.String())
		}
	}
	doc := make(bson.D, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			doc = append(doc, bson.E{Key: n, Value: int32(1)})
		}
	}
	return doc, nil
}

// typeName names the Go type of v for an error message: "nil" for an invalid value (a nil interface).
func typeName(v reflect.Value) string {
	if !v.IsValid() || v.Kind() == reflect.Interface {
		return "nil"
	}
	return v.Type().String()
}
