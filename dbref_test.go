package motor_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestDBRefBSON(t *testing.T) {
	oid := bson.NewObjectID()
	tests := []struct {
		desc string
		ref  motor.DBRef
		want bson.D
	}{
		{
			desc: "collection and id",
			ref:  motor.DBRef{Collection: "people", ID: oid},
			want: bson.D{{Key: "$ref", Value: "people"}, {Key: "$id", Value: oid}},
		},
		{
			desc: "database",
			ref:  motor.DBRef{Collection: "people", ID: int32(7), Database: "hr"},
			want: bson.D{{Key: "$ref", Value: "people"}, {Key: "$id", Value: int32(7)}, {Key: "$db", Value: "hr"}},
		},
		{
			desc: "extra fields after $db, in order",
			ref: motor.DBRef{Collection: "people", ID: "ada", Database: "hr",
				Extra: bson.D{{Key: "note", Value: "x"}, {Key: "a", Value: int32(1)}}},
			want: bson.D{{Key: "$ref", Value: "people"}, {Key: "$id", Value: "ada"}, {Key: "$db", Value: "hr"}, {Key: "note", Value: "x"}, {Key: "a", Value: int32(1)}},
		},
		{
			desc: "extra fields without $db; a null id",
			ref:  motor.DBRef{Collection: "people", Extra: bson.D{{Key: "z", Value: true}}},
			want: bson.D{{Key: "$ref", Value: "people"}, {Key: "$id", Value: nil}, {Key: "z", Value: true}},
		},
		{
			desc: "a compound id",
			ref:  motor.DBRef{Collection: "c", ID: bson.D{{Key: "b", Value: int32(1)}, {Key: "a", Value: int32(2)}}},
			want: bson.D{{Key: "$ref", Value: "c"}, {Key: "$id", Value: bson.D{{Key: "b", Value: int32(1)}, {Key: "a", Value: int32(2)}}}},
		},
	}
	type owner struct {
		Name  string       `bson:"name"`
		Ref   motor.DBRef  `bson:"ref"`
		Maybe *motor.DBRef `bson:"maybe,omitempty"`
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			want := rawDoc(t, tt.want)

			// A whole document, from a value and from a pointer.
			for _, v := range []any{tt.ref, &tt.ref} {
				got, err := bson.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				diff(t, "document", want, bson.Raw(got))
			}

			// A field value, in a struct and in a bson.D.
			got, err := bson.Marshal(owner{Name: "x", Ref: tt.ref, Maybe: &tt.ref})
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "struct field", rawDoc(t, bson.D{{Key: "name", Value: "x"}, {Key: "ref", Value: tt.want}, {Key: "maybe", Value: tt.want}}), bson.Raw(got))
			got, err = bson.Marshal(bson.D{{Key: "ref", Value: tt.ref}, {Key: "refs", Value: bson.A{tt.ref}}})
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "bson.D field", rawDoc(t, bson.D{{Key: "ref", Value: tt.want}, {Key: "refs", Value: bson.A{tt.want}}}), bson.Raw(got))

			// Back again.
			var back motor.DBRef
			if err := bson.Unmarshal(want, &back); err != nil {
				t.Fatal(err)
			}
			diff(t, "unmarshalled", tt.ref, back)
			var fields struct {
				Ref  motor.DBRef    `bson:"ref"`
				Refs []*motor.DBRef `bson:"refs"`
			}
			if err := bson.Unmarshal(got, &fields); err != nil {
				t.Fatal(err)
			}
			diff(t, "fields unmarshalled", tt.ref, fields.Ref)
			diff(t, "array unmarshalled", []*motor.DBRef{&tt.ref}, fields.Refs)
			var o owner
			if err := bson.Unmarshal(rawDoc(t, bson.D{{Key: "name", Value: "x"}, {Key: "ref", Value: tt.want}}), &o); err != nil {
				t.Fatal(err)
			}
			diff(t, "struct field unmarshalled", owner{Name: "x", Ref: tt.ref}, o)
		})
	}

	// Unmarshal takes any key order and keeps extra fields in document order.
	var ref motor.DBRef
	raw := rawDoc(t, bson.D{{Key: "x", Value: int32(1)}, {Key: "$db", Value: "hr"}, {Key: "$id", Value: int32(3)}, {Key: "y", Value: "z"}, {Key: "$ref", Value: "people"}})
	if err := bson.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	diff(t, "any order", motor.DBRef{Collection: "people", ID: int32(3), Database: "hr", Extra: bson.D{{Key: "x", Value: int32(1)}, {Key: "y", Value: "z"}}}, ref)

	// Malformed references.
	for _, d := range []bson.D{
		{{Key: "$id", Value: int32(1)}},
		{{Key: "$ref", Value: "people"}},
		{{Key: "$ref", Value: int32(5)}, {Key: "$id", Value: int32(1)}},
		{{Key: "$ref", Value: "people"}, {Key: "$id", Value: int32(1)}, {Key: "$db", Value: int32(2)}},
		{{Key: "name", Value: "not a ref"}},
	} {
		if err := bson.Unmarshal(rawDoc(t, d), &ref); err == nil || !strings.HasPrefix(err.Error(), "motor: decoding DBRef: ") {
			t.Errorf("Unmarshal(%v) = %v", d, err)
		}
	}
	for _, r := range []motor.DBRef{
		{ID: 1},
		{Collection: "people", ID: 1, Extra: bson.D{{Key: "$id", Value: 2}}},
		{Collection: "people", ID: 1, Extra: bson.D{{Key: "$db", Value: "x"}}},
		{Collection: "people", ID: 1, Extra: bson.D{{Key: "$ref", Value: "x"}}},
	} {
		if _, err := bson.Marshal(r); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("Marshal(%#v) = %v", r, err)
		}
	}
	// A zero DBRef field does not marshal; a nil *DBRef with omitempty is left out.
	if _, err := bson.Marshal(owner{}); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("zero DBRef field: %v", err)
	}

	for r, want := range map[*motor.DBRef]string{
		{Collection: "people", ID: int32(7)}:                  "DBRef(people, 7)",
		{Collection: "people", ID: "ada", Database: "hr"}:     "DBRef(people, ada, hr)",
		{Collection: "c", ID: bson.D{{Key: "a", Value: 1}}}:   `DBRef(c, {"a":{"$numberInt":"1"}})`,
		{Collection: "people", ID: nil, Extra: bson.D{{}}}:    "DBRef(people, <nil>)",
		{Collection: "people", ID: int64(1), Database: "x-y"}: "DBRef(people, 1, x-y)",
	} {
		if got := r.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

type person struct {
	ID   int32  `bson:"_id"`
	Name string `bson:"name"`
}

// dbrefData fills people (_id 1, 2, 3) and pets (_id "rex", "tom") in db.
func dbrefData(t testing.TB, db *motor.Database) {
	t.Helper()
	ctx := context.Background()
	people := db.Collection("people")
	if _, err := people.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "name", Value: "ada"}},
		bson.D{{Key: "_id", Value: int32(2)}, {Key: "name", Value: "bob"}},
		bson.D{{Key: "_id", Value: int32(3)}, {Key: "name", Value: "cy"}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	pets := db.Collection("pets")
	if _, err := pets.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: "rex"}, {Key: "kind", Value: "dog"}, {Key: "info", Value: bson.D{{Key: "age", Value: int32(3)}}}},
		bson.D{{Key: "_id", Value: "tom"}, {Key: "kind", Value: "cat"}, {Key: "info", Value: bson.D{{Key: "age", Value: int32(5)}}}},
	}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDereference(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	dbrefData(t, db)
	rec.Reset()

	var p person
	if err := db.Dereference(ctx, motor.DBRef{Collection: "people", ID: 2}, nil).Decode(&p); err != nil {
		t.Fatal(err)
	}
	diff(t, "person", person{ID: 2, Name: "bob"}, p)

	// A reference naming this database, with a projection; the database's codec options apply.
	var doc bson.D
	r := db.Dereference(ctx, motor.DBRef{Collection: "pets", ID: "rex", Database: db.Name()}, &motor.FindOneOptions{Projection: bson.D{{Key: "kind", Value: 0}}})
	if err := r.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	diff(t, "pet", bson.D{{Key: "_id", Value: "rex"}, {Key: "info", Value: bson.M{"age": int32(3)}}}, doc)

	// No document: mongo.ErrNoDocuments, unwrapped.
	err := db.Dereference(ctx, motor.DBRef{Collection: "people", ID: 99}, nil).Decode(&p)
	if err != mongo.ErrNoDocuments { //nolint:errorlint // it is documented as unwrapped
		t.Errorf("missing: %v", err)
	}
	if err := db.Dereference(ctx, motor.DBRef{Collection: "nobody", ID: 1}, nil).Err(); err != mongo.ErrNoDocuments { //nolint:errorlint
		t.Errorf("missing collection: %v", err)
	}
	diff(t, "commands", []bson.D{
		withDB(db.Name(), bson.D{{Key: "find", Value: "people"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: int32(2)}}}, {Key: "limit", Value: int32(1)}, {Key: "singleBatch", Value: true}}),
		withDB(db.Name(), bson.D{{Key: "find", Value: "pets"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: "rex"}}}, {Key: "projection", Value: bson.D{{Key: "kind", Value: int32(0)}}}, {Key: "limit", Value: int32(1)}, {Key: "singleBatch", Value: true}}),
		withDB(db.Name(), bson.D{{Key: "find", Value: "people"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: int32(99)}}}, {Key: "limit", Value: int32(1)}, {Key: "singleBatch", Value: true}}),
		withDB(db.Name(), bson.D{{Key: "find", Value: "nobody"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: int32(1)}}}, {Key: "limit", Value: int32(1)}, {Key: "singleBatch", Value: true}}),
	}, rec.Commands("find"))

	// Bad references fail before any I/O.
	rec.Reset()
	for _, tt := range []struct {
		ref  motor.DBRef
		want error
		msg  string
	}{
		{motor.DBRef{Collection: "people", ID: 1, Database: "elsewhere"}, motor.ErrInvalidOption,
			`motor: cannot dereference DBRef(people, 1, elsewhere) from database "` + db.Name() + `": it points to database "elsewhere" (use Client.Dereference)`},
		{motor.DBRef{Collection: "a..b", ID: 1}, motor.ErrInvalidName, ""},
		{motor.DBRef{Collection: "", ID: 1}, motor.ErrInvalidName, ""},
		{motor.DBRef{Collection: "$x", ID: 1}, motor.ErrInvalidName, ""},
	} {
		err := db.Dereference(ctx, tt.ref, nil).Decode(&p)
		if !errors.Is(err, tt.want) || (tt.msg != "" && err.Error() != tt.msg) {
			t.Errorf("Dereference(%v) = %v, want %v", tt.ref, err, tt.want)
		}
	}
	if err := db.Dereference(nil, motor.DBRef{Collection: "people", ID: 1}, nil).Err(); !errors.Is(err, motor.ErrInvalidOption) { //nolint:staticcheck // a nil ctx is the point
		t.Errorf("nil ctx: %v", err)
	}
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("commands sent: %v", names)
	}
}

func TestDereferenceMany(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbrefData(t, db)
	rec.Reset()

	refs := []motor.DBRef{
		{Collection: "people", ID: int32(2)},
		{Collection: "pets", ID: "rex"},
		{Collection: "people", ID: int32(1), Database: db.Name()},
		{Collection: "people", ID: int32(99)}, // missing
		{Collection: "pets", ID: "tom"},
		{Collection: "people", ID: int32(2)}, // again
		{Collection: "people", ID: int64(3)}, // stored as int32
		{Collection: "pets", ID: "nope"},     // missing
		{Collection: "people", ID: 1.0},      // the same _id as int32(1)
		{Collection: "ghosts", ID: int32(1)}, // missing collection
	}
	var docs []bson.D
	missing, err := db.DereferenceMany(ctx, refs, &docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "missing", []int{3, 7, 9}, missing)
	p := func(id int32, name string) bson.D {
		return bson.D{{Key: "_id", Value: id}, {Key: "name", Value: name}}
	}
	pet := func(id, kind string, age int32) bson.D {
		return bson.D{{Key: "_id", Value: id}, {Key: "kind", Value: kind}, {Key: "info", Value: bson.D{{Key: "age", Value: age}}}}
	}
	diff(t, "documents", []bson.D{
		p(2, "bob"), pet("rex", "dog", 3), p(1, "ada"), nil, pet("tom", "cat", 5), p(2, "bob"), p(3, "cy"), nil, p(1, "ada"), nil,
	}, docs)
	// One query per collection, in the order of first mention, each _id once.
	diff(t, "commands", []bson.D{
		withDB(db.Name(), bson.D{{Key: "find", Value: "people"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{int32(2), int32(1), int32(99), int64(3)}}}}}}}),
		withDB(db.Name(), bson.D{{Key: "find", Value: "pets"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{"rex", "tom", "nope"}}}}}}}),
		withDB(db.Name(), bson.D{{Key: "find", Value: "ghosts"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{int32(1)}}}}}}}),
	}, rec.Commands("find"))

	// Typed results: a missing element stays nil; find options pass through.
	rec.Reset()
	people := []*person{{ID: 42}} // replaced
	missing, err = db.DereferenceMany(ctx, refs[2:4], &people, &motor.FindOptions{Projection: bson.D{{Key: "name", Value: 1}}, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "missing", []int{1}, missing)
	diff(t, "people", []*person{{ID: 1, Name: "ada"}, nil}, people)
	diff(t, "command with options", []bson.D{withDB(db.Name(), bson.D{
		{Key: "find", Value: "people"},
		{Key: "filter", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{int32(1), int32(99)}}}}}},
		{Key: "projection", Value: bson.D{{Key: "name", Value: int32(1)}}},
		{Key: "batchSize", Value: int32(1)},
	})}, rec.Commands("find"))

	// No references: no I/O, an empty slice, no missing.
	rec.Reset()
	missing, err = db.DereferenceMany(ctx, nil, &docs, nil)
	if err != nil || missing != nil || docs == nil || len(docs) != 0 {
		t.Errorf("no refs: %v %v %v", docs, missing, err)
	}

	// Bad arguments fail before any I/O and leave results alone.
	keep := []bson.D{{{Key: "keep", Value: true}}}
	docs = keep
	for _, tt := range []struct {
		desc    string
		refs    []motor.DBRef
		results any
		opts    *motor.FindOptions
		want    error
		msg     string
	}{
		{desc: "results not a pointer", refs: refs, results: docs, want: motor.ErrInvalidOption},
		{desc: "nil results", refs: refs, results: nil, want: motor.ErrInvalidOption},
		{desc: "nil pointer", refs: refs, results: (*[]bson.D)(nil), want: motor.ErrInvalidOption},
		{desc: "pointer to a non-slice", refs: refs, results: new(map[string]any), want: motor.ErrInvalidOption},
		{
			desc: "other database", refs: []motor.DBRef{refs[0], refs[1], {Collection: "people", ID: 1, Database: "elsewhere"}}, results: &docs,
			want: motor.ErrInvalidOption,
			msg:  `motor: reference 2: cannot dereference DBRef(people, 1, elsewhere) from database "` + db.Name() + `": it points to database "elsewhere" (use Client.Dereference)`,
		},
		{
			desc: "bad collection name", refs: []motor.DBRef{refs[0], {Collection: "a..b", ID: 1}}, results: &docs, want: motor.ErrInvalidName,
			msg: `motor: reference 1: invalid collection name "a..b": must not contain an empty segment ("..")`,
		},
		{desc: "projection without _id", refs: refs, results: &docs, opts: &motor.FindOptions{Projection: bson.D{{Key: "_id", Value: 0}}}, want: motor.ErrInvalidOption},
		{desc: "projection with _id false", refs: refs, results: &docs, opts: &motor.FindOptions{Projection: bson.M{"_id": false, "name": true}}, want: motor.ErrInvalidOption},
		{desc: "limit", refs: refs, results: &docs, opts: &motor.FindOptions{Limit: 2}, want: motor.ErrInvalidOption},
		{desc: "skip", refs: refs, results: &docs, opts: &motor.FindOptions{Skip: 1}, want: motor.ErrInvalidOption},
		{desc: "an _id that cannot be encoded", refs: []motor.DBRef{{Collection: "people", ID: make(chan int)}}, results: &docs, want: motor.ErrInvalidOption},
	} {
		_, err := db.DereferenceMany(ctx, tt.refs, tt.results, tt.opts)
		if !errors.Is(err, tt.want) || (tt.msg != "" && err.Error() != tt.msg) {
			t.Errorf("%s: err = %v, want %v", tt.desc, err, tt.want)
		}
	}
	if _, err := db.DereferenceMany(nil, refs, &docs, nil); !errors.Is(err, motor.ErrInvalidOption) { //nolint:staticcheck // a nil ctx is the point
		t.Errorf("nil ctx: %v", err)
	}
	diff(t, "results after errors", keep, docs)
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("commands sent: %v", names)
	}
}

func TestClientDereference(t *testing.T) {
	ctx := t.Context()
	c, rec := newClient(t)
	db1 := c.Database(motortest.DBName(t))
	db2 := c.Database(motortest.DBName(t))
	for _, db := range []*motor.Database{db1, db2} {
		t.Cleanup(func() { _ = db.Mongo().Drop(context.Background()) })
	}
	dbrefData(t, db1)
	if _, err := db2.Collection("people").InsertOne(ctx, bson.D{{Key: "_id", Value: int32(1)}, {Key: "name", Value: "zed"}}, nil); err != nil {
		t.Fatal(err)
	}
	rec.Reset()

	var p person
	if err := c.Dereference(ctx, motor.DBRef{Collection: "people", ID: 1, Database: db2.Name()}, nil).Decode(&p); err != nil {
		t.Fatal(err)
	}
	diff(t, "person", person{ID: 1, Name: "zed"}, p)
	if err := c.Dereference(ctx, motor.DBRef{Collection: "people", ID: 7, Database: db2.Name()}, nil).Err(); err != mongo.ErrNoDocuments { //nolint:errorlint
		t.Errorf("missing: %v", err)
	}

	var people []person
	missing, err := c.DereferenceMany(ctx, []motor.DBRef{
		{Collection: "people", ID: 1, Database: db1.Name()},
		{Collection: "people", ID: 1, Database: db2.Name()},
		{Collection: "people", ID: 3, Database: db1.Name()},
		{Collection: "people", ID: 3, Database: db2.Name()},
	}, &people, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "missing", []int{3}, missing)
	diff(t, "people", []person{{1, "ada"}, {1, "zed"}, {3, "cy"}, {}}, people)
	in := func(ids ...any) bson.D {
		return bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A(ids)}}}}
	}
	diff(t, "commands", []bson.D{
		withDB(db2.Name(), bson.D{{Key: "find", Value: "people"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: int32(1)}}}, {Key: "limit", Value: int32(1)}, {Key: "singleBatch", Value: true}}),
		withDB(db2.Name(), bson.D{{Key: "find", Value: "people"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: int32(7)}}}, {Key: "limit", Value: int32(1)}, {Key: "singleBatch", Value: true}}),
		withDB(db1.Name(), bson.D{{Key: "find", Value: "people"}, {Key: "filter", Value: in(int32(1), int32(3))}}),
		withDB(db2.Name(), bson.D{{Key: "find", Value: "people"}, {Key: "filter", Value: in(int32(1), int32(3))}}),
	}, rec.Commands("find"))

	// References without a database, or with bad names, fail before any I/O.
	rec.Reset()
	for _, tt := range []struct {
		ref  motor.DBRef
		want error
	}{
		{motor.DBRef{Collection: "people", ID: 1}, motor.ErrInvalidOption},
		{motor.DBRef{Collection: "people", ID: 1, Database: "a.b"}, motor.ErrInvalidName},
		{motor.DBRef{Collection: "a..b", ID: 1, Database: db1.Name()}, motor.ErrInvalidName},
	} {
		if err := c.Dereference(ctx, tt.ref, nil).Err(); !errors.Is(err, tt.want) {
			t.Errorf("Dereference(%v) = %v, want %v", tt.ref, err, tt.want)
		}
		_, err := c.DereferenceMany(ctx, []motor.DBRef{{Collection: "people", ID: 1, Database: db1.Name()}, tt.ref}, &people, nil)
		if !errors.Is(err, tt.want) || !strings.HasPrefix(err.Error(), "motor: reference 1: ") {
			t.Errorf("DereferenceMany(%v) = %v, want %v", tt.ref, err, tt.want)
		}
		var de *motor.DereferenceError
		if !errors.As(err, &de) || de.Index != 1 || de.Ref.Collection != tt.ref.Collection || de.Ref.Database != tt.ref.Database {
			t.Errorf("DereferenceMany(%v): errors.As gives %+v", tt.ref, de)
		}
	}
	if err := c.Dereference(ctx, motor.DBRef{Collection: "people", ID: 1}, nil).Err(); err == nil ||
		err.Error() != "motor: cannot dereference DBRef(people, 1) from a Client: it names no database (use Database.Dereference)" {
		t.Errorf("no database: %v", err)
	}
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("commands sent: %v", names)
	}
}

// TestDereferenceFake covers what the embedded server cannot show: references stored inside documents (FerretDB
// rejects $ref field names), lists of _ids too long for one query, and server errors.
func TestDereferenceFake(t *testing.T) {
	f := motortest.NewFake(t)
	// find answers with a document for each _id of the filter ({_id: X} or {_id: {$in: [...]}}) but "gone".
	f.Handle("find", func(cmd bson.D) bson.D {
		var filter bson.D
		for _, e := range cmd {
			if e.Key == "filter" {
				filter = e.Value.(bson.D)
			}
		}
		var ids bson.A
		if in, ok := filter[0].Value.(bson.D); ok && in[0].Key == "$in" {
			ids = in[0].Value.(bson.A)
		} else {
			ids = bson.A{filter[0].Value}
		}
		batch := bson.A{}
		for _, id := range ids {
			if id == "gone" {
				continue
			}
			doc := bson.D{{Key: "_id", Value: id}}
			if id == "post" {
				doc = append(doc, bson.E{Key: "author", Value: bson.D{{Key: "$ref", Value: "people"}, {Key: "$id", Value: "ada"}, {Key: "$db", Value: "blog"}}})
			}
			batch = append(batch, doc)
		}
		return cursorReply(0, "blog.x", "firstBatch", batch...)
	})
	db := fakeDB(t, f, "blog")
	ctx := t.Context()

	// A document holding a reference decodes it into a DBRef field, which resolves.
	var post struct {
		ID     string      `bson:"_id"`
		Author motor.DBRef `bson:"author"`
	}
	if err := db.Dereference(ctx, motor.DBRef{Collection: "posts", ID: "post"}, nil).Decode(&post); err != nil {
		t.Fatal(err)
	}
	diff(t, "author", motor.DBRef{Collection: "people", ID: "ada", Database: "blog"}, post.Author)
	var author bson.D
	if err := db.Dereference(ctx, post.Author, nil).Decode(&author); err != nil {
		t.Fatal(err)
	}
	diff(t, "author document", bson.D{{Key: "_id", Value: "ada"}}, author)

	// 300 _ids of 16 KiB are more than one query should carry: two queries, results still in order.
	f.Reset()
	refs := make([]motor.DBRef, 300)
	for i := range refs {
		refs[i] = motor.DBRef{Collection: "big", ID: strings.Repeat(string(rune('a'+i%26)), 16<<10-3) + string(rune('A'+i/26)) + string(rune('A'+i%26))}
	}
	refs[150].ID = "gone"
	var docs []bson.D
	missing, err := db.DereferenceMany(ctx, refs, &docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "missing", []int{150}, missing)
	for i, d := range docs {
		if i != 150 && (len(d) != 1 || d[0].Value != refs[i].ID) {
			t.Fatalf("document %d is for the wrong reference", i)
		}
	}
	var sizes []int
	for _, cmd := range fakeCommands(f, "find") {
		sizes = append(sizes, len(cmd[1].Value.(bson.D)[0].Value.(bson.D)[0].Value.(bson.A)))
	}
	if len(sizes) != 2 || sizes[0]+sizes[1] != 300 {
		t.Errorf("$in sizes = %v, want two queries for 300 _ids", sizes)
	}

	// Server errors stop the work, wrapped, and leave results alone.
	f.Handle("find", func(bson.D) bson.D {
		return motortest.CommandError(13, "Unauthorized", "not authorized on blog to execute command")
	})
	docs = nil
	_, err = db.DereferenceMany(ctx, refs[:2], &docs, nil)
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 13 || err.Error() != "motor: dereference in blog.big: (Unauthorized) not authorized on blog to execute command" || docs != nil {
		t.Errorf("err = %v, docs = %v", err, docs)
	}
	err = db.Dereference(ctx, refs[0], nil).Err()
	if !errors.As(err, &ce) || ce.Code != 13 || !strings.HasPrefix(err.Error(), "motor: dereference DBRef(big, ") {
		t.Errorf("err = %v", err)
	}
}

// FuzzDBRefUnmarshal feeds arbitrary documents to DBRef's decoding: it must return, never panic, and a reference it
// accepts must marshal again to a document that decodes to the same reference.
func FuzzDBRefUnmarshal(f *testing.F) {
	for _, r := range []motor.DBRef{
		{Collection: "c", ID: int32(1)},
		{Collection: "c", ID: "x", Database: "d", Extra: bson.D{{Key: "k", Value: 1.5}}},
	} {
		raw, err := bson.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(raw))
	}
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var r motor.DBRef
		if err := r.UnmarshalBSON(data); err != nil {
			return
		}
		raw, err := bson.Marshal(r)
		if err != nil {
			if r.Collection == "" || slices.ContainsFunc(r.Extra, func(e bson.E) bool { return e.Key == "$ref" || e.Key == "$id" || e.Key == "$db" }) {
				return // decoded, but not a reference motor writes
			}
			t.Fatalf("decoded %v, cannot marshal it: %v", r, err)
		}
		var again motor.DBRef
		if err := again.UnmarshalBSON(raw); err != nil {
			t.Fatalf("%v marshals to a document it cannot decode: %v", r, err)
		}
		if again.Collection != r.Collection || again.Database != r.Database || len(again.Extra) != len(r.Extra) {
			t.Errorf("round trip: %v became %v", r, again)
		}
	})
}
