package motor

import (
	"fmt"
	"math"
	"reflect"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/gomotor/motor/internal/bsonutil"
)

// defaultMaxDocumentSize is the largest BSON document a server accepts when it does not say (maxBsonObjectSize):
// 16 MiB.
const defaultMaxDocumentSize = 16 << 20

// serverLimits are the limits that a client's servers advertise in their hello replies, as the driver's server
// monitor reports them.
type serverLimits struct {
	maxDoc atomic.Uint32  // maxBsonObjectSize; 0 until a server says
	topo   topologyRecord // the topology, for Client.Address and the other accessors (topology.go)
}

// monitor returns user (which may be nil) with its ServerDescriptionChanged hook wrapped to record the limits, and
// its topology hooks wrapped to record the topology.
func (l *serverLimits) monitor(user *event.ServerMonitor) *event.ServerMonitor {
	m := &event.ServerMonitor{}
	if user != nil {
		*m = *user
	}
	next := m.ServerDescriptionChanged
	m.ServerDescriptionChanged = func(e *event.ServerDescriptionChangedEvent) {
		if n := e.NewDescription.MaxDocumentSize; n > 0 {
			l.maxDoc.Store(n)
		}
		if next != nil {
			next(e)
		}
	}
	l.topo.watch(m)
	return m
}

// maxDocumentSize returns the largest document the servers accept: what they advertise, else 16 MiB (also for a
// client made by NewClient, whose server monitor motor cannot see).
func (l *serverLimits) maxDocumentSize() int {
	if l != nil {
		if n := l.maxDoc.Load(); n > 0 {
			return int(n)
		}
	}
	return defaultMaxDocumentSize
}

// sizedDoc is a document to write, encoded with reg when the driver marshals it and refused when it is larger than
// max: PyMongo's DocumentTooLarge, found before anything is sent. The driver encodes it once, through MarshalBSON.
type sizedDoc struct {
	v   any
	reg *bson.Registry
	max int
}

// MarshalBSON implements bson.Marshaler.
func (d *sizedDoc) MarshalBSON() ([]byte, error) {
	raw, ok := d.v.(bson.Raw)
	if !ok {
		if err := checkIsDocument("a document argument", d.v); err != nil {
			return nil, err
		}
		var err error
		if raw, err = bsonutil.Encode(d.reg, d.v); err != nil {
			return nil, &optError{msg: "cannot encode a document argument: " + err.Error()}
		}
	}
	if len(raw) > d.max {
		return nil, fmt.Errorf("%w: the document is %d bytes, and the server's limit (maxBsonObjectSize) is %d bytes",
			ErrDocumentTooLarge, len(raw), d.max)
	}
	return raw, nil
}

// sized returns a document to write checked against the size the collection's servers accept: the document itself
// when a walk of its Go value bounds its encoded size below the limit (every ordinary document, at no allocation),
// else a sizedDoc that the driver encodes once, through it, with the exact check.
func (c *Collection) sized(doc any) any {
	limit := c.db.client.limits.maxDocumentSize()
	if doc != nil && c.set.codec.opts.TypeRegistry == nil && bound(doc, 0) <= limit {
		return doc
	}
	return &sizedDoc{v: doc, reg: c.set.codec.reg, max: limit}
}

// bound is sizeBound for the Go value x, without reflection for the types documents are usually made of.
func bound(x any, depth int) int {
	if depth > 64 {
		return unbounded
	}
	const header = 32 // as in sizeBound
	switch v := x.(type) {
	case nil:
		return 1
	case string:
		return header + len(v)
	case bool, int, int32, int64, float64, bson.ObjectID, bson.DateTime, bson.Timestamp, bson.Decimal128, time.Time:
		return header
	case []byte:
		return header + len(v)
	case bson.Raw:
		return header + len(v)
	case bson.Binary:
		return header + len(v.Data)
	case bson.D:
		n := header
		for _, e := range v {
			n = add(n, add(len(e.Key), bound(e.Value, depth+1)))
		}
		return n
	case bson.A:
		return boundArray(v, depth)
	case []any:
		return boundArray(v, depth)
	case bson.M:
		n := header
		for k, e := range v {
			n = add(n, add(len(k), bound(e, depth+1)))
		}
		return n
	}
	return sizeBound(reflect.ValueOf(x), depth)
}

func boundArray(a []any, depth int) int {
	n := 32
	for _, e := range a {
		n = add(n, 20+bound(e, depth+1)) // an array index key has at most 20 digits
	}
	return n
}

// unbounded is what sizeBound returns for a value whose encoded size it cannot bound.
const unbounded = math.MaxInt

var (
	tMarshaler      = reflect.TypeFor[bson.Marshaler]()
	tValueMarshaler = reflect.TypeFor[bson.ValueMarshaler]()
)

// sizeBound returns an upper bound of the BSON size of v as the default registry encodes it, as a document or as an
// element value with its header, or unbounded for what it cannot tell (types that marshal themselves, deep values).
func sizeBound(v reflect.Value, depth int) int {
	if depth > 64 {
		return unbounded
	}
	if !v.IsValid() {
		return 1
	}
	t := v.Type()
	if t.Implements(tMarshaler) || t.Implements(tValueMarshaler) {
		return unbounded
	}
	const header = 32 // element type, a key's zero byte, lengths and terminators, and then some
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 1
		}
		return sizeBound(v.Elem(), depth+1)
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr, reflect.Float32, reflect.Float64:
		return header
	case reflect.String:
		return header + v.Len()
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return header + v.Len() // binary, raw document, UUID, ObjectID
		}
		n := header
		for i := range v.Len() {
			e := v.Index(i)
			if t == tD { // bson.D: the key, then the value
				n = add(n, e.Field(0).Len())
				e = e.Field(1)
			}
			n = add(n, 20+sizeBound(e, depth+1)) // an array index key has at most 20 digits
		}
		return n
	case reflect.Map:
		n := header
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			if k.Kind() != reflect.String {
				return unbounded
			}
			n = add(n, add(k.Len(), sizeBound(it.Value(), depth+1)))
		}
		return n
	case reflect.Struct:
		n := header
		for i := range v.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			n = add(n, add(len(f.Name)+len(f.Tag), sizeBound(v.Field(i), depth+1)))
		}
		return n
	}
	return unbounded
}

// add is a + b, saturating at unbounded.
func add(a, b int) int {
	if a > unbounded-b {
		return unbounded
	}
	return a + b
}

// sizedMany wraps each document of a slice or array to insert in a size check. Anything else goes to the driver as
// it is (the driver reports the error).
func (c *Collection) sizedMany(docs any) any {
	if list, ok := docs.([]any); ok { // the common case, without reflection
		for i, d := range list {
			if s, wrapped := c.sized(d).(*sizedDoc); wrapped { // copy only when a document needs the exact check
				out := append([]any(nil), list...)
				out[i] = s
				for j := i + 1; j < len(out); j++ {
					out[j] = c.sized(out[j])
				}
				return out
			}
		}
		return docs
	}
	rv := reflect.ValueOf(docs)
	if k := rv.Kind(); k != reflect.Slice && k != reflect.Array {
		return docs
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = c.sized(rv.Index(i).Interface())
	}
	return out
}
