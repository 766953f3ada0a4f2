package motor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor/internal/bsonutil"
)

// DBRef is a reference to a document by collection and _id, optionally in another database: PyMongo's
// bson.dbref.DBRef, stored as the conventional document {$ref: COLLECTION, $id: ID[, $db: DATABASE], EXTRA...}.
//
// It marshals to that document, keys in that order, both as a whole document (bson.Marshal(ref)) and as a field
// value inside other documents and structs; it unmarshals from such a document whatever its key order. A DBRef
// field in a struct, or a *DBRef, decodes from a stored reference; a reference decoded into an any or a bson.D stays
// a plain document. A zero DBRef does not marshal (it has no collection): use a *DBRef with omitempty for an
// optional reference. Marshalling and unmarshalling use the driver's default registry for ID and Extra, not a
// handle's codec options, so store a [UUID] ID as the bson.Binary it should be (bson.Binary{Subtype: 4, Data: u[:]}
// for the standard representation); [Database.Dereference] and [Database.DereferenceMany] encode ID with the
// collection's codec options.
//
// Resolve references with [Database.Dereference] and [Database.DereferenceMany], or with [Client.Dereference] and
// [Client.DereferenceMany] when they name other databases.
type DBRef struct {
	// Collection is the name of the collection of the document ($ref). It must not be empty.
	Collection string
	// ID is the _id of the document ($id).
	ID any
	// Database is the name of the database of the document ($db); "" means the database that resolves the
	// reference.
	Database string
	// Extra are more fields of the reference, after $db, in order. They must not be $ref, $id or $db.
	Extra bson.D
}

// MarshalBSON returns the reference as the document {$ref, $id[, $db], Extra...}. An empty Collection, or an Extra
// key that is $ref, $id or $db, is an [ErrInvalidOption] error.
func (r DBRef) MarshalBSON() ([]byte, error) {
	if r.Collection == "" {
		return nil, invalidOptionf("DBRef has no collection")
	}
	d := make(bson.D, 0, 3+len(r.Extra))
	d = append(d, bson.E{Key: "$ref", Value: r.Collection}, bson.E{Key: "$id", Value: r.ID})
	if r.Database != "" {
		d = append(d, bson.E{Key: "$db", Value: r.Database})
	}
	for _, e := range r.Extra {
		switch e.Key {
		case "$ref", "$id", "$db":
			return nil, invalidOptionf("DBRef Extra must not contain %q", e.Key)
		}
		d = append(d, e)
	}
	return bson.Marshal(d)
}

// UnmarshalBSON reads a reference document: $ref (a string) and $id are required, $db (a string) is optional, and
// every other field goes to Extra in document order. Anything else is an error.
func (r *DBRef) UnmarshalBSON(data []byte) error {
	var d bson.D
	if err := bson.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("motor: decoding DBRef: %w", err)
	}
	var out DBRef
	var hasRef, hasID bool
	for _, e := range d {
		switch e.Key {
		case "$ref":
			s, ok := e.Value.(string)
			if !ok {
				return fmt.Errorf("motor: decoding DBRef: $ref is a %T, not a string", e.Value)
			}
			out.Collection, hasRef = s, true
		case "$id":
			out.ID, hasID = e.Value, true
		case "$db":
			s, ok := e.Value.(string)
			if !ok {
				return fmt.Errorf("motor: decoding DBRef: $db is a %T, not a string", e.Value)
			}
			out.Database = s
		default:
			out.Extra = append(out.Extra, e)
		}
	}
	if !hasRef || !hasID {
		return errors.New("motor: decoding DBRef: a reference needs both $ref and $id")
	}
	*r = out
	return nil
}

// String returns "DBRef(COLLECTION, ID)", or "DBRef(COLLECTION, ID, DATABASE)" when Database is set, like PyMongo's
// repr without the quotes.
func (r DBRef) String() string {
	if r.Database != "" {
		return fmt.Sprintf("DBRef(%s, %v, %s)", r.Collection, r.ID, r.Database)
	}
	return fmt.Sprintf("DBRef(%s, %v)", r.Collection, r.ID)
}

// Dereference returns the document that ref points to: Motor's dereference(dbref, session, **kwargs).
//
// It sends {find: COLLECTION, filter: {_id: ID}, limit: 1, singleBatch: true} through [Collection.FindOne], with
// this database's read preference, read concern and codec options, as Motor does; opts are more find options
// (projection, collation, comment, max time, ...: PyMongo's **kwargs). Decode the document from the
// [*SingleResult], whose Err is [mongo.ErrNoDocuments], unwrapped, when no document has that _id (where Motor
// returns None), as [Collection.FindOne] reports it. ([Database.DereferenceMany], which resolves many references,
// reports missing documents as indexes instead of an error.)
//
// Before any I/O, a reference whose Database is set and is not this database's name is an [ErrInvalidOption] error
// (use [Client.Dereference] for those), and an invalid collection name an [ErrInvalidName] error. Other server
// errors are returned wrapped.
//
// See https://www.mongodb.com/docs/manual/reference/database-references/#dbrefs.
func (db *Database) Dereference(ctx context.Context, ref DBRef, opts *FindOneOptions) *SingleResult {
	if db.err != nil {
		return &SingleResult{err: wrapOp(fmt.Sprintf("dereference %v", ref), db.err)}
	}
	coll, err := db.refCollection(ref)
	if err != nil {
		return &SingleResult{err: err}
	}
	return dereferenceOne(ctx, coll, ref, opts)
}

// DereferenceMany resolves many references at once, with one query per collection instead of one per reference
// (the N+1 queries of calling [Database.Dereference] in a loop). Motor has no such method.
//
// It sends one query per collection named in refs, {find: COLLECTION, filter: {_id: {$in: [IDS...]}}}, each
// distinct _id once (a very long list is split into queries of a few megabytes each), with getMore as needed,
// using this database's read preference, read concern and codec options. Collections are queried in the order refs
// first name them, and the _ids in the order refs give them. opts are more find options, such as a projection;
// the results must keep _id (they are matched on it), so a projection that excludes _id, a limit or a skip is an
// [ErrInvalidOption] error.
//
// results must be a pointer to a slice (of bson.D, *T, T, ...). DereferenceMany makes it the length of refs and
// decodes the document of refs[i] into element i with the database's codec options. The elements of references
// with no document stay zero (nil for pointers, maps and bson.D), and their indexes are returned in missing, in
// increasing order; a missing document is not an error. _ids match as MongoDB compares them: the numbers 1,
// int64(1) and 1.0 are the same _id.
//
// Before any I/O, every reference is checked as [Database.Dereference] checks it; the error for the first bad one is
// a [*DereferenceError] that gives its index and the reference. A server or decoding error stops the work and leaves results unchanged.
//
// See https://www.mongodb.com/docs/manual/reference/database-references/#dbrefs.
func (db *Database) DereferenceMany(ctx context.Context, refs []DBRef, results any, opts *FindOptions) (missing []int, err error) {
	colls := map[string]*Collection{}
	return dereferenceMany(ctx, refs, results, opts, func(ref DBRef) (*Collection, error) {
		if c, ok := colls[ref.Collection]; ok && (ref.Database == "" || ref.Database == db.name) {
			return c, nil
		}
		c, err := db.refCollection(ref)
		if err == nil {
			colls[ref.Collection] = c
		}
		return c, err
	})
}

// Dereference returns the document that ref points to in the database that ref names, which must be set: a
// reference without a Database is an [ErrInvalidOption] error before any I/O (use [Database.Dereference]), as are
// the [ErrInvalidName] errors of a bad database or collection name. The database handle inherits the client's
// settings (read preference, read concern, codec options). Otherwise it behaves as [Database.Dereference]; the
// [*SingleResult]'s Err is [mongo.ErrNoDocuments] when no document has that _id. Motor has no such method.
//
// See https://www.mongodb.com/docs/manual/reference/database-references/#dbrefs.
func (c *Client) Dereference(ctx context.Context, ref DBRef, opts *FindOneOptions) *SingleResult {
	coll, err := c.refCollection(ref, nil)
	if err != nil {
		return &SingleResult{err: err}
	}
	return dereferenceOne(ctx, coll, ref, opts)
}

// DereferenceMany resolves references that name their databases, across databases: one query per database and
// collection, in the order refs first name them. Every reference must have a Database (an [ErrInvalidOption] error
// before any I/O otherwise, naming its index). The database handles inherit the client's settings. Otherwise it
// behaves as [Database.DereferenceMany]: results is a pointer to a slice that gets one element per reference, and
// missing lists the indexes of references with no document.
//
// See https://www.mongodb.com/docs/manual/reference/database-references/#dbrefs.
func (c *Client) DereferenceMany(ctx context.Context, refs []DBRef, results any, opts *FindOptions) (missing []int, err error) {
	dbs := map[string]*Database{}
	return dereferenceMany(ctx, refs, results, opts, func(ref DBRef) (*Collection, error) {
		return c.refCollection(ref, dbs)
	})
}

// refCollection returns the collection that ref points to in db, checking ref first.
func (db *Database) refCollection(ref DBRef) (*Collection, error) {
	if ref.Database != "" && ref.Database != db.name {
		return nil, invalidOptionf("cannot dereference %v from database %q: it points to database %q (use Client.Dereference)", ref, db.name, ref.Database)
	}
	if c := db.lastRef.Load(); c != nil && c.name == ref.Collection {
		return c, nil
	}
	c, err := db.Collection(ref.Collection).checked()
	if err == nil {
		db.lastRef.Store(c)
	}
	return c, err
}

// refCollection returns the collection that ref points to, checking ref first; dbs, when not nil, caches database
// handles by name.
func (c *Client) refCollection(ref DBRef, dbs map[string]*Database) (*Collection, error) {
	if ref.Database == "" {
		return nil, invalidOptionf("cannot dereference %v from a Client: it names no database (use Database.Dereference)", ref)
	}
	db := dbs[ref.Database]
	if db == nil {
		db = c.Database(ref.Database)
		if dbs != nil {
			dbs[ref.Database] = db
		}
	}
	return db.Collection(ref.Collection).checked()
}

// dereferenceOne finds the document of ref in coll.
func dereferenceOne(ctx context.Context, coll *Collection, ref DBRef, opts *FindOneOptions) *SingleResult {
	r := coll.FindOne(ctx, bson.D{{Key: "_id", Value: ref.ID}}, opts)
	if r.err != nil && !errors.Is(r.err, mongo.ErrNoDocuments) {
		r.err = wrapOp(fmt.Sprintf("dereference %v", ref), errors.Unwrap(r.err))
	}
	return r
}

// derefMaxInBytes bounds the encoded size of the _ids of one $in query, well below the 16 MB command limit.
const derefMaxInBytes = 4 << 20

// derefGroup is the references to one collection.
type derefGroup struct {
	coll  *Collection
	refs  []int           // indexes of the references to coll, in order
	ids   []bson.RawValue // distinct _ids, in the order first given
	first map[string]int  // _id key -> the first index of refs with it; derefNext links the others
}

// derefColl names a collection: database and collection name.
type derefColl struct{ db, coll string }

// dereferenceMany implements DereferenceMany; collFor checks a reference and returns its collection.
func dereferenceMany(ctx context.Context, refs []DBRef, results any, opts *FindOptions, collFor func(DBRef) (*Collection, error)) ([]int, error) {
	if ctx == nil {
		return nil, wrapOp("dereference many", errNilContext)
	}
	rv := reflect.ValueOf(results)
	if results == nil || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Slice {
		return nil, invalidOptionf("DereferenceMany needs a pointer to a slice for results, not %T", results)
	}
	var groups []*derefGroup
	byColl := map[derefColl]*derefGroup{}
	for i, ref := range refs {
		coll, err := collFor(ref)
		if err != nil {
			return nil, &DereferenceError{Index: i, Ref: ref, Err: err}
		}
		k := derefColl{coll.db.name, coll.name}
		g := byColl[k]
		if g == nil {
			g = &derefGroup{coll: coll}
			byColl[k] = g
			groups = append(groups, g)
		}
		g.refs = append(g.refs, i)
	}
	// The _ids of each collection are encoded together, with its codec options, and read back as raw values.
	next := make([]int, len(refs)) // the next index of a reference with the same _id, or -1
	for _, g := range groups {
		ids := make(bson.A, len(g.refs))
		for j, i := range g.refs {
			ids[j] = refs[i].ID
		}
		vals, err := derefEncodeIDs(g.coll.set.codec.reg, ids)
		if err != nil {
			for _, i := range g.refs { // name the reference whose _id does not encode
				if _, err := bsonutil.EncodeValue(g.coll.set.codec.reg, refs[i].ID); err != nil {
					return nil, &DereferenceError{Index: i, Ref: refs[i], Err: invalidOptionf("cannot encode _id %v: %v", refs[i].ID, err)}
				}
			}
			return nil, invalidOptionf("DereferenceMany: cannot encode the _ids: %v", err)
		}
		g.first = make(map[string]int, len(vals))
		last := make(map[string]int, len(vals))
		for j, i := range g.refs {
			next[i] = -1
			k := derefIDKey(vals[j])
			if p, seen := last[k]; seen {
				next[p] = i
			} else {
				g.first[k] = i
				g.ids = append(g.ids, vals[j])
			}
			last[k] = i
		}
	}
	if len(groups) > 0 {
		if err := checkDerefFindOptions(opts, groups[0].coll.set.codec.reg); err != nil {
			return nil, err
		}
	}

	out := reflect.MakeSlice(rv.Elem().Type(), len(refs), len(refs))
	found := make([]bool, len(refs))
	for _, g := range groups {
		for _, ids := range derefChunks(g.ids) {
			if err := g.find(ctx, ids, next, opts, out, found); err != nil {
				return nil, err
			}
		}
	}
	rv.Elem().Set(out)
	var missing []int
	for i, ok := range found {
		if !ok {
			missing = append(missing, i)
		}
	}
	return missing, nil
}

// find queries g's collection for ids and decodes each document into the elements of out for the references that
// point to it.
func (g *derefGroup) find(ctx context.Context, ids []bson.RawValue, next []int, opts *FindOptions, out reflect.Value, found []bool) error {
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: derefArray(ids)}}}}
	op := "dereference in " + g.coll.FullName()
	cur, err := g.coll.Find(ctx, filter, opts)
	if err != nil {
		return wrapOp(op, errors.Unwrap(err))
	}
	defer closeAfter(ctx, cur)
	for cur.Next(ctx) {
		id, err := cur.Current().LookupErr("_id")
		if err != nil {
			continue // cannot happen without a projection excluding _id, which is refused
		}
		i, ok := g.first[derefIDKey(id)]
		for ; ok && i >= 0; i = next[i] {
			if found[i] {
				continue
			}
			if err := cur.decode(cur.Current(), out.Index(i).Addr().Interface()); err != nil {
				return wrapOp(op, err)
			}
			found[i] = true
		}
	}
	if err := cur.mc.Err(); err != nil {
		return wrapOp(op, err)
	}
	return nil
}

// checkDerefFindOptions refuses the find options that would hide documents from DereferenceMany.
func checkDerefFindOptions(o *FindOptions, reg *bson.Registry) error {
	if o == nil {
		return nil
	}
	if o.Limit != 0 || o.Skip != 0 || o.SingleBatch {
		return invalidOptionf("DereferenceMany takes no limit, skip or single batch: every document is needed")
	}
	if o.Projection == nil {
		return nil
	}
	p, err := projectionDoc("DereferenceMany's projection", o.Projection)
	if err != nil {
		return err
	}
	raw, err := bsonutil.Encode(reg, p)
	if err != nil {
		return invalidOptionf("DereferenceMany: cannot encode the projection: %v", err)
	}
	if id, err := raw.LookupErr("_id"); err == nil && !projectionIncludes(id) {
		return invalidOptionf("DereferenceMany needs _id in the results; the projection excludes it")
	}
	return nil
}

// projectionIncludes reports whether a projection value includes a field.
func projectionIncludes(v bson.RawValue) bool {
	switch v.Type {
	case bson.TypeBoolean:
		return v.Boolean()
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble:
		return v.AsFloat64() != 0
	}
	return true
}

// derefIDKey returns a map key for an _id: its type and bytes, except that numbers equal as MongoDB compares them
// (int32 1, int64 1, double 1.0) share a key.
func derefIDKey(v bson.RawValue) string {
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64:
		return "n" + strconv.FormatInt(v.AsInt64(), 10)
	case bson.TypeDouble:
		f := v.Double()
		if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
			return "n" + strconv.FormatInt(int64(f), 10)
		}
		return "d" + strconv.FormatUint(math.Float64bits(f), 16)
	}
	return string([]byte{byte(v.Type)}) + string(v.Value)
}

// derefEncodeIDs encodes ids as one BSON array with reg and returns its values.
func derefEncodeIDs(reg *bson.Registry, ids bson.A) ([]bson.RawValue, error) {
	v, err := bsonutil.EncodeValue(reg, ids)
	if err != nil {
		return nil, err
	}
	return v.Array().Values()
}

// derefArray returns ids as a BSON array value, built from their bytes.
func derefArray(ids []bson.RawValue) bson.RawValue {
	n := 5
	for _, id := range ids {
		n += len(id.Value) + 12 // type, index key (up to 10 digits) and its terminator
	}
	b := make([]byte, 4, n)
	for i, id := range ids {
		b = append(b, byte(id.Type))
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, 0)
		b = append(b, id.Value...)
	}
	b = append(b, 0)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	return bson.RawValue{Type: bson.TypeArray, Value: b}
}

// derefChunks splits ids into runs whose encoded size stays under derefMaxInBytes; each run has at least one id.
func derefChunks(ids []bson.RawValue) [][]bson.RawValue {
	var out [][]bson.RawValue
	start, size := 0, 0
	for i, id := range ids {
		n := len(id.Value) + 16 // value, type, array index key
		if i > start && size+n > derefMaxInBytes {
			out = append(out, ids[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(ids) {
		out = append(out, ids[start:])
	}
	return out
}
