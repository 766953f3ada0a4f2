package motor

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// CodecOptions says how motor decodes the documents it reads and encodes the values it writes. It is PyMongo's
// CodecOptions(document_class, tz_aware, uuid_representation, unicode_decode_error_handler, tzinfo, type_registry).
// The zero value is Motor 2.3's default: documents as [bson.D], datetimes without a zone ([bson.DateTime]), UUIDs in
// the Python legacy representation, strict UTF-8, no custom types.
//
// Codec options apply wherever motor decodes for you: a [Cursor] or [SingleResult] of a [Collection], and the
// results of database helpers that return documents. They are compiled into a [bson.Registry] (see
// [CodecOptions.Registry]) that is also given to the driver handles beneath, so values encode the same way.
type CodecOptions struct {
	// DocumentType is the Go type a BSON document decodes into where the destination does not say (an any, a
	// bson.D's or bson.M's values, an []any): PyMongo's document_class. nil means bson.D. It must be bson.D, bson.M,
	// bson.Raw, a map with string keys, or a struct type (or pointer to one) that the registry can decode.
	DocumentType reflect.Type

	// TZAware makes datetimes decode as time.Time in the TZInfo location (UTC when TZInfo is nil), also inside an
	// any. When false (the default, like PyMongo's naive datetimes) a datetime in an any decodes as bson.DateTime,
	// which carries no zone, and a time.Time field gets the UTC time.
	TZAware bool

	// TZInfo is the location of decoded datetimes when TZAware is set: PyMongo's tzinfo. Setting it without TZAware
	// is an error, as in PyMongo.
	TZInfo *time.Location

	// UUIDRepresentation says how [UUID] values are stored as BSON binary and how binary subtypes 3 and 4 are read.
	// The zero value is [UUIDPythonLegacy], Motor 2.3's default.
	UUIDRepresentation UUIDRepresentation

	// UnicodeDecodeErrorHandler says what happens to invalid UTF-8 in a string or a key of a decoded document. The
	// zero value is [UnicodeStrict]: decoding fails.
	UnicodeDecodeErrorHandler UnicodeErrorHandler

	// TypeRegistry adds custom encoders and decoders: PyMongo's type_registry. nil means none. Codec options are
	// compiled once per distinct value and kept for the life of the process, so make a TypeRegistry once and reuse
	// it rather than making one per call.
	TypeRegistry *TypeRegistry
}

// UUIDRepresentation is the byte layout of a UUID stored as BSON binary. It is PyMongo's
// bson.binary.UuidRepresentation; its String form is the connection-string spelling.
type UUIDRepresentation int

const (
	// UUIDPythonLegacy stores a UUID as binary subtype 3 in its natural byte order (PyMongo 3's default). Reading,
	// subtype 3 and subtype 4 both decode to a UUID.
	UUIDPythonLegacy UUIDRepresentation = iota
	// UUIDStandard stores a UUID as binary subtype 4, the cross-driver standard. Reading, subtype 4 decodes to a
	// UUID and subtype 3 is read as UUIDPythonLegacy, as PyMongo does.
	UUIDStandard
	// UUIDJavaLegacy stores a UUID as binary subtype 3 with each 8-byte half reversed (the legacy Java driver).
	UUIDJavaLegacy
	// UUIDCSharpLegacy stores a UUID as binary subtype 3 with the first three fields little-endian (the legacy C#
	// driver).
	UUIDCSharpLegacy
	// UUIDUnspecified refuses to encode a UUID and leaves subtypes 3 and 4 as bson.Binary when decoding into an any.
	UUIDUnspecified
)

// String returns the connection-string spelling: "pythonLegacy", "standard", "javaLegacy", "csharpLegacy",
// "unspecified".
func (r UUIDRepresentation) String() string {
	switch r {
	case UUIDPythonLegacy:
		return "pythonLegacy"
	case UUIDStandard:
		return "standard"
	case UUIDJavaLegacy:
		return "javaLegacy"
	case UUIDCSharpLegacy:
		return "csharpLegacy"
	case UUIDUnspecified:
		return "unspecified"
	}
	return fmt.Sprintf("UUIDRepresentation(%d)", int(r))
}

// UnicodeErrorHandler says what decoding does with invalid UTF-8: PyMongo's unicode_decode_error_handler.
type UnicodeErrorHandler int

const (
	// UnicodeStrict makes decoding fail on invalid UTF-8 (PyMongo's "strict", the default).
	UnicodeStrict UnicodeErrorHandler = iota
	// UnicodeReplace replaces each ill-formed sequence with one U+FFFD, as Python's UTF-8 decoder does (PyMongo's
	// "replace"): a truncated multi-byte sequence such as "\xe2\x82" is one U+FFFD, a stray byte such as "\xff" is
	// one.
	UnicodeReplace
	// UnicodeIgnore drops invalid bytes (PyMongo's "ignore").
	UnicodeIgnore
	// UnicodeBackslashReplace replaces each invalid byte with a \xNN escape (PyMongo's "backslashreplace").
	UnicodeBackslashReplace
)

// String returns PyMongo's name of the handler: "strict", "replace", "ignore" or "backslashreplace".
func (h UnicodeErrorHandler) String() string {
	switch h {
	case UnicodeStrict:
		return "strict"
	case UnicodeReplace:
		return "replace"
	case UnicodeIgnore:
		return "ignore"
	case UnicodeBackslashReplace:
		return "backslashreplace"
	}
	return fmt.Sprintf("UnicodeErrorHandler(%d)", int(h))
}

// TypeCodec teaches the codec one Go type: PyMongo's TypeCodec (a TypeEncoder and a TypeDecoder).
type TypeCodec struct {
	// Type is the Go type handled. Required.
	Type reflect.Type
	// Encoder encodes values of Type. Optional.
	Encoder bson.ValueEncoder
	// Decoder decodes into values of Type. Optional, but one of Encoder and Decoder is required.
	Decoder bson.ValueDecoder
	// BSONType, when set, makes values of that BSON type decode as Type (through Decoder) wherever the destination is
	// an any: PyMongo's TypeDecoder.bson_type, which applies to every decoded value of that type.
	BSONType bson.Type
}

// TypeRegistry is a list of custom type codecs: PyMongo's TypeRegistry. Make one with [NewTypeRegistry].
type TypeRegistry struct {
	codecs []TypeCodec
}

// NewTypeRegistry checks codecs and returns a registry of them. Later codecs win over earlier ones for the same type.
func NewTypeRegistry(codecs ...TypeCodec) (*TypeRegistry, error) {
	for i, c := range codecs {
		if c.Type == nil {
			return nil, invalidOptionf("type codec %d has no Type", i)
		}
		if c.Encoder == nil && c.Decoder == nil {
			return nil, invalidOptionf("type codec %d (%v) has neither an Encoder nor a Decoder", i, c.Type)
		}
		if c.BSONType != 0 && c.Decoder == nil {
			return nil, invalidOptionf("type codec %d (%v) has a BSONType but no Decoder", i, c.Type)
		}
	}
	return &TypeRegistry{codecs: append([]TypeCodec(nil), codecs...)}, nil
}

// Codecs returns a copy of the registry's codecs, in order.
func (r *TypeRegistry) Codecs() []TypeCodec {
	if r == nil {
		return nil
	}
	return append([]TypeCodec(nil), r.codecs...)
}

// Registry returns the bson.Registry that these codec options compile to, for use with the driver or bson.Decoder
// directly. It fails with [ErrInvalidOption] if the options are invalid.
func (co CodecOptions) Registry() (*bson.Registry, error) {
	c, err := compileCodec(co)
	if err != nil {
		return nil, err
	}
	return c.reg, nil
}

// Decode decodes the BSON document raw into v with these codec options, handling invalid UTF-8 as
// UnicodeDecodeErrorHandler says.
func (co CodecOptions) Decode(raw bson.Raw, v any) error {
	c, err := compileCodec(co)
	if err != nil {
		return err
	}
	return c.decode(raw, v)
}

// codec is a compiled CodecOptions.
type codec struct {
	opts CodecOptions
	reg  *bson.Registry // everything: given to the driver, used for documents that hold UUID binaries
	// fast is reg without the any decoder that turns binary subtypes 3 and 4 into UUIDs, which costs every value
	// decoded into an any; decode uses it for documents that hold no such binary (most of them).
	fast *bson.Registry
}

var (
	codecCache   sync.Map // CodecOptions -> *codec
	defaultCodec = mustCodec(CodecOptions{})

	tD     = reflect.TypeOf(bson.D{})
	tM     = reflect.TypeOf(bson.M{})
	tRaw   = reflect.TypeOf(bson.Raw{})
	tTime  = reflect.TypeOf(time.Time{})
	tUUID  = reflect.TypeOf(UUID{})
	tEmpty = reflect.TypeOf((*any)(nil)).Elem()
)

func mustCodec(co CodecOptions) *codec {
	c, err := compileCodec(co)
	if err != nil {
		panic(err)
	}
	return c
}

func (co CodecOptions) validate() error {
	if co.TZInfo != nil && !co.TZAware {
		return invalidOptionf("cannot specify TZInfo without also setting TZAware")
	}
	if co.UUIDRepresentation < UUIDPythonLegacy || co.UUIDRepresentation > UUIDUnspecified {
		return invalidOptionf("unknown UUID representation %d", int(co.UUIDRepresentation))
	}
	if co.UnicodeDecodeErrorHandler < UnicodeStrict || co.UnicodeDecodeErrorHandler > UnicodeBackslashReplace {
		return invalidOptionf("unknown unicode decode error handler %d", int(co.UnicodeDecodeErrorHandler))
	}
	if t := co.DocumentType; t != nil {
		e := t
		if e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		switch {
		case t == tD || t == tRaw:
		case e.Kind() == reflect.Map && e.Key().Kind() == reflect.String:
		case e.Kind() == reflect.Struct:
		default:
			return invalidOptionf("DocumentType must be bson.D, bson.Raw, a map with string keys or a struct, not %v", t)
		}
	}
	return nil
}

func compileCodec(co CodecOptions) (*codec, error) {
	if c, ok := codecCache.Load(co); ok {
		return c.(*codec), nil
	}
	if err := co.validate(); err != nil {
		return nil, err
	}
	reg, err := buildRegistry(co, true)
	if err != nil {
		return nil, err
	}
	fast := reg
	if co.UUIDRepresentation != UUIDUnspecified {
		if fast, err = buildRegistry(co, false); err != nil {
			return nil, err
		}
	}
	c := &codec{opts: co, reg: reg, fast: fast}
	actual, _ := codecCache.LoadOrStore(co, c)
	return actual.(*codec), nil
}

// buildRegistry compiles co into a registry; withAny adds the decoder of binary subtypes 3 and 4 into an any.
func buildRegistry(co CodecOptions, withAny bool) (*bson.Registry, error) {
	reg := bson.NewRegistry()
	base, err := reg.LookupDecoder(tEmpty)
	if err != nil {
		return nil, err
	}
	if co.DocumentType != nil {
		reg.RegisterTypeMapEntry(bson.TypeEmbeddedDocument, co.DocumentType)
		reg.RegisterTypeMapEntry(bson.Type(0), co.DocumentType) // a top-level document decoded into an any
	}
	if co.TZAware {
		loc := co.TZInfo
		if loc == nil {
			loc = time.UTC
		}
		td, err := reg.LookupDecoder(tTime)
		if err != nil {
			return nil, err
		}
		reg.RegisterTypeDecoder(tTime, tzDecoder{base: td, loc: loc})
		reg.RegisterTypeMapEntry(bson.TypeDateTime, tTime)
	}
	reg.RegisterTypeEncoder(tUUID, uuidCodec{rep: co.UUIDRepresentation})
	reg.RegisterTypeDecoder(tUUID, uuidCodec{rep: co.UUIDRepresentation})
	if withAny && co.UUIDRepresentation != UUIDUnspecified {
		reg.RegisterTypeDecoder(tEmpty, anyDecoder{base: base, rep: co.UUIDRepresentation})
	}
	if co.TypeRegistry != nil {
		for _, tc := range co.TypeRegistry.codecs {
			if tc.Encoder != nil {
				reg.RegisterTypeEncoder(tc.Type, tc.Encoder)
			}
			if tc.Decoder != nil {
				reg.RegisterTypeDecoder(tc.Type, tc.Decoder)
			}
			if tc.BSONType != 0 {
				reg.RegisterTypeMapEntry(tc.BSONType, tc.Type)
			}
		}
	}
	return reg, nil
}

// decode decodes one document into v.
func (c *codec) decode(raw bson.Raw, v any) error {
	raw, err := fixUTF8(raw, c.opts.UnicodeDecodeErrorHandler)
	if err != nil {
		return err
	}
	reg := c.fast
	if reg != c.reg && hasUUIDBinary(raw) {
		reg = c.reg
	}
	// A RawValue reads straight from raw; bson.NewDecoder would stream it through a bufio.Reader (a 4 KiB buffer and
	// a copy of every string), which costs a third more time on a typical document.
	if err := (bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: raw}).UnmarshalWithRegistry(reg, v); err != nil {
		return fmt.Errorf("motor: decoding document: %w", err)
	}
	return nil
}

// decodeD decodes one document into a bson.D, whose nested documents have the codec's DocumentType.
func (c *codec) decodeD(raw bson.Raw) (bson.D, error) {
	var d bson.D
	if err := c.decode(raw, &d); err != nil {
		return nil, err
	}
	return d, nil
}

// tzDecoder decodes a datetime into a time.Time in loc.
type tzDecoder struct {
	base bson.ValueDecoder
	loc  *time.Location
}

func (d tzDecoder) DecodeValue(dc bson.DecodeContext, vr bson.ValueReader, val reflect.Value) error {
	if err := d.base.DecodeValue(dc, vr, val); err != nil {
		return err
	}
	t := val.Interface().(time.Time)
	if !t.IsZero() {
		val.Set(reflect.ValueOf(t.In(d.loc)))
	}
	return nil
}

// anyDecoder decodes into an any: binary subtypes 3 and 4 become UUID as the representation says; everything else
// goes to the driver's decoder (which consults the registry's type map).
type anyDecoder struct {
	base bson.ValueDecoder
	rep  UUIDRepresentation
}

func (d anyDecoder) DecodeValue(dc bson.DecodeContext, vr bson.ValueReader, val reflect.Value) error {
	if vr.Type() != bson.TypeBinary || d.rep == UUIDUnspecified || !val.CanSet() {
		return d.base.DecodeValue(dc, vr, val)
	}
	data, subtype, err := vr.ReadBinary()
	if err != nil {
		return err
	}
	if (subtype == bson.TypeBinaryUUID || subtype == bson.TypeBinaryUUIDOld) && len(data) == 16 {
		u, err := uuidFromBinary(data, subtype, d.rep)
		if err != nil {
			return err
		}
		val.Set(reflect.ValueOf(u))
		return nil
	}
	val.Set(reflect.ValueOf(bson.Binary{Subtype: subtype, Data: data}))
	return nil
}
