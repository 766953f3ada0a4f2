// Package bsonutil has the small BSON helpers that motor's files share: encoding with a registry and Python's truth
// value of a BSON value.
package bsonutil

import (
	"bytes"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Encode encodes the document v with reg (the driver's default registry when nil).
func Encode(reg *bson.Registry, v any) (bson.Raw, error) {
	var buf bytes.Buffer
	enc := bson.NewEncoder(bson.NewDocumentWriter(&buf))
	if reg != nil {
		enc.SetRegistry(reg)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EncodeValue encodes v as a single BSON value with reg (the driver's default registry when nil).
func EncodeValue(reg *bson.Registry, v any) (bson.RawValue, error) {
	doc, err := Encode(reg, bson.D{{Key: "v", Value: v}})
	if err != nil {
		return bson.RawValue{}, err
	}
	return doc.LookupErr("v")
}

// Truthy is Python's truth value of the decoded value of v, the rule PyMongo applies to a reply's ok and valid
// fields: a missing value (Type 0), null, undefined, false, a zero number, an empty string, document or array are
// false; anything else is true.
func Truthy(v bson.RawValue) bool {
	switch v.Type {
	case 0, bson.TypeNull, bson.TypeUndefined:
		return false
	case bson.TypeBoolean:
		b, _ := v.BooleanOK()
		return b
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		if f, ok := v.AsFloat64OK(); ok {
			return f != 0
		}
		d, _ := v.Decimal128OK()
		n, _, err := d.BigInt()
		return err != nil || n.Sign() != 0 // NaN and the infinities are true
	case bson.TypeString:
		s, _ := v.StringValueOK()
		return s != ""
	case bson.TypeEmbeddedDocument, bson.TypeArray:
		return len(v.Value) > 5
	}
	return true
}
