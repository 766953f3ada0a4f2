package bsonutil

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func value(t *testing.T, v any) bson.RawValue {
	t.Helper()
	rv, err := EncodeValue(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return rv
}

func TestTruthy(t *testing.T) {
	dec, _ := bson.ParseDecimal128("0")
	decOne, _ := bson.ParseDecimal128("1.5")
	for _, tt := range []struct {
		desc string
		v    bson.RawValue
		want bool
	}{
		{"missing", bson.RawValue{}, false},
		{"null", value(t, nil), false},
		{"false", value(t, false), false},
		{"true", value(t, true), true},
		{"int32 0", value(t, int32(0)), false},
		{"int32 1", value(t, int32(1)), true},
		{"int64 -1", value(t, int64(-1)), true},
		{"double 0", value(t, 0.0), false},
		{"double 0.5", value(t, 0.5), true},
		{"decimal 0", value(t, dec), false},
		{"decimal 1.5", value(t, decOne), true},
		{"empty string", value(t, ""), false},
		{"string", value(t, "x"), true},
		{"empty document", value(t, bson.D{}), false},
		{"document", value(t, bson.D{{Key: "a", Value: 1}}), true},
		{"empty array", value(t, bson.A{}), false},
		{"array", value(t, bson.A{0}), true},
		{"object id", value(t, bson.NewObjectID()), true},
	} {
		if got := Truthy(tt.v); got != tt.want {
			t.Errorf("%s: Truthy = %v, want %v", tt.desc, got, tt.want)
		}
	}
}

func TestEncode(t *testing.T) {
	raw, err := Encode(nil, bson.D{{Key: "a", Value: int32(1)}})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := bson.Marshal(bson.D{{Key: "a", Value: int32(1)}})
	if string(raw) != string(want) {
		t.Errorf("Encode = %v, want %v", raw, bson.Raw(want))
	}
	if _, err := Encode(nil, 42); err == nil {
		t.Error("Encode(42) succeeded")
	}
	if v := value(t, "s"); v.StringValue() != "s" {
		t.Errorf("EncodeValue(\"s\") = %v", v)
	}
}
