// Package uuidlayout maps a UUID's 16 bytes, in their standard (RFC 9562) order, to and from the byte orders in
// which drivers have stored UUIDs as BSON binary. It knows nothing of subtypes or of motor's types: which layout a
// UUIDRepresentation uses, and under which subtype, is the caller's policy.
package uuidlayout

// Layout is a byte order of a UUID stored as BSON binary.
type Layout uint8

const (
	// Standard is the UUID's own order: binary subtype 4, and subtype 3 as the Python driver writes it.
	Standard Layout = iota
	// Java reverses each 8-byte half, as the legacy Java driver does.
	Java
	// CSharp stores the first three fields (4, 2 and 2 bytes) little-endian, as the legacy C# driver does.
	CSharp
)

// Store returns the 16 bytes stored for the UUID u in layout l. An unknown layout stores u as it is.
func (l Layout) Store(u [16]byte) [16]byte {
	switch l {
	case Java:
		var b [16]byte
		for i := range 8 {
			b[i] = u[7-i]
			b[8+i] = u[15-i]
		}
		return b
	case CSharp:
		b := u
		b[0], b[1], b[2], b[3] = u[3], u[2], u[1], u[0]
		b[4], b[5] = u[5], u[4]
		b[6], b[7] = u[7], u[6]
		return b
	}
	return u
}

// Load returns the UUID whose stored bytes in layout l are b. Every layout is its own inverse, so Load is Store read
// the other way.
func (l Layout) Load(b [16]byte) [16]byte { return l.Store(b) }
