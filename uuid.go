package motor

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"reflect"

	"github.com/gomotor/motor/internal/bsonwalk"
	"github.com/gomotor/motor/internal/uuidlayout"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// UUID is a 16-byte universally unique identifier in its standard (RFC 9562) byte order, PyMongo's uuid.UUID. How it
// is stored in BSON depends on [CodecOptions].UUIDRepresentation.
type UUID [16]byte

// NewUUID returns a random (version 4) UUID.
func NewUUID() UUID {
	var u UUID
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// ParseUUID parses the canonical form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex digits in either case), or the
// same 32 hex digits without dashes.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	var digits []byte
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return u, fmt.Errorf("motor: invalid UUID %q: dashes must be at positions 8, 13, 18 and 23", s)
		}
		digits = []byte(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:])
	case 32:
		digits = []byte(s)
	default:
		return u, fmt.Errorf("motor: invalid UUID %q: want 32 hex digits, with or without dashes", s)
	}
	if _, err := hex.Decode(u[:], digits); err != nil {
		return UUID{}, fmt.Errorf("motor: invalid UUID %q: %v", s, err)
	}
	return u, nil
}

// String returns the canonical lower-case form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// uuidToBinary returns the stored bytes and subtype of u in the representation rep.
func uuidToBinary(u UUID, rep UUIDRepresentation) (bson.Binary, error) {
	switch rep {
	case UUIDStandard:
		return bson.Binary{Subtype: bson.TypeBinaryUUID, Data: u[:]}, nil
	case UUIDPythonLegacy, UUIDJavaLegacy, UUIDCSharpLegacy:
		b := legacyLayout(rep).Store(u)
		return bson.Binary{Subtype: bson.TypeBinaryUUIDOld, Data: b[:]}, nil
	}
	return bson.Binary{}, invalidOptionf("cannot encode a motor.UUID with UUIDRepresentation %v; set UUIDStandard or a legacy representation in CodecOptions, or store a bson.Binary", rep)
}

// legacyLayout returns the byte order of binary subtype 3 under rep: the Java and C# drivers' own, and the UUID's
// natural order for every other representation (PyMongo reads subtype 3 under UUIDStandard as Python legacy).
func legacyLayout(rep UUIDRepresentation) uuidlayout.Layout {
	switch rep {
	case UUIDJavaLegacy:
		return uuidlayout.Java
	case UUIDCSharpLegacy:
		return uuidlayout.CSharp
	}
	return uuidlayout.Standard
}

// uuidFromBinary reads a UUID stored as subtype 3 or 4 under rep, as PyMongo 3.11 does: subtype 4 is always standard;
// subtype 3 follows rep, with UUIDStandard read as UUIDPythonLegacy.
func uuidFromBinary(data []byte, subtype byte, rep UUIDRepresentation) (UUID, error) {
	var u UUID
	if len(data) != 16 {
		return u, fmt.Errorf("motor: cannot decode binary subtype %d of %d bytes as a UUID", subtype, len(data))
	}
	copy(u[:], data)
	if subtype == bson.TypeBinaryUUID {
		return u, nil
	}
	if subtype != bson.TypeBinaryUUIDOld {
		return u, fmt.Errorf("motor: cannot decode binary subtype %d as a UUID", subtype)
	}
	if rep == UUIDUnspecified {
		return u, fmt.Errorf("motor: cannot decode binary subtype 3 as a UUID with UUIDRepresentation unspecified")
	}
	return legacyLayout(rep).Load(u), nil
}

// uuidCodec encodes and decodes motor.UUID values in one representation.
type uuidCodec struct{ rep UUIDRepresentation }

func (c uuidCodec) EncodeValue(_ bson.EncodeContext, vw bson.ValueWriter, val reflect.Value) error {
	if !val.IsValid() || val.Type() != tUUID {
		return bson.ValueEncoderError{Name: "UUIDEncodeValue", Types: []reflect.Type{tUUID}, Received: val}
	}
	b, err := uuidToBinary(val.Interface().(UUID), c.rep)
	if err != nil {
		return err
	}
	return vw.WriteBinaryWithSubtype(b.Data, b.Subtype)
}

func (c uuidCodec) DecodeValue(_ bson.DecodeContext, vr bson.ValueReader, val reflect.Value) error {
	if !val.CanSet() || val.Type() != tUUID {
		return bson.ValueDecoderError{Name: "UUIDDecodeValue", Types: []reflect.Type{tUUID}, Received: val}
	}
	switch vr.Type() {
	case bson.TypeBinary:
		data, subtype, err := vr.ReadBinary()
		if err != nil {
			return err
		}
		rep := c.rep
		if rep == UUIDUnspecified && subtype == bson.TypeBinaryUUID {
			rep = UUIDStandard
		}
		u, err := uuidFromBinary(data, subtype, rep)
		if err != nil {
			return err
		}
		val.Set(reflect.ValueOf(u))
		return nil
	case bson.TypeNull:
		val.Set(reflect.Zero(tUUID))
		return vr.ReadNull()
	}
	return fmt.Errorf("motor: cannot decode BSON %v into a motor.UUID", vr.Type())
}

// MarshalBSONValue encodes u as BSON binary subtype 4 (the standard representation). It applies only where no motor
// codec does: handles of motor encode UUIDs with their [CodecOptions].UUIDRepresentation, which takes precedence; this
// covers the plain driver and bson.Marshal.
func (u UUID) MarshalBSONValue() (byte, []byte, error) {
	data := make([]byte, 0, 21)
	data = append(data, 16, 0, 0, 0, bson.TypeBinaryUUID)
	return byte(bson.TypeBinary), append(data, u[:]...), nil
}

// UnmarshalBSONValue decodes binary subtype 4, or subtype 3 in its natural byte order (Python legacy), into u. Like
// MarshalBSONValue it applies only where no motor codec does.
func (u *UUID) UnmarshalBSONValue(typ byte, data []byte) error {
	if bson.Type(typ) != bson.TypeBinary || len(data) != 21 || (data[4] != bson.TypeBinaryUUID && data[4] != bson.TypeBinaryUUIDOld) {
		return fmt.Errorf("motor: cannot decode BSON %v into a motor.UUID (want 16 bytes of binary subtype 3 or 4)", bson.Type(typ))
	}
	copy(u[:], data[5:])
	return nil
}

// hasUUIDBinary reports whether the document d holds a binary of subtype 3 or 4 at any depth. Malformed BSON
// reports true, so that the full decoder sees it and reports the error.
func hasUUIDBinary(d []byte) bool {
	return bsonwalk.Any(d, func(t bson.Type, _, val []byte) bool {
		return t == bson.TypeBinary && (val[4] == bson.TypeBinaryUUID || val[4] == bson.TypeBinaryUUIDOld)
	})
}
