package front_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor/internal/wire"
)

// Wire tests of the rules: each command through the front and, where it shows the behaviour, straight to FerretDB.

// TestRules runs each case's command through the front and straight to FerretDB.
func TestRules(t *testing.T) {
	docs := A{
		D{{Key: "_id", Value: 1}, {Key: "qty", Value: 5}, {Key: "a", Value: A{1, 10}}, {Key: "d", Value: A{D{{Key: "x", Value: 1}, {Key: "y", Value: 5}}, D{{Key: "x", Value: 5}, {Key: "y", Value: 1}}}}},
		D{{Key: "_id", Value: 2}, {Key: "qty", Value: 10}, {Key: "a", Value: A{5}}},
	}
	negZero := math.Copysign(0, -1)
	for _, tc := range []struct {
		name string
		cmd  D
		want int32 // the front's error code, 0 for ok
		// raw checks FerretDB's own answer (reply nil: the connection was closed); nil skips it
		raw func(t *testing.T, reply bson.Raw)
		// check checks the front's ok reply
		check func(t *testing.T, reply bson.Raw)
	}{
		{
			name: "$group with two accumulators",
			cmd: D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$group", Value: D{{Key: "_id", Value: nil}, {Key: "total", Value: D{{Key: "$sum", Value: "$qty"}}}, {Key: "n", Value: D{{Key: "$sum", Value: 1}}}}}}}},
				{Key: "cursor", Value: D{}}},
			want: codeNotImplemented,
			raw: func(t *testing.T, r bson.Raw) {
				if n := r.Lookup("cursor", "firstBatch", "0", "n").AsInt64(); n != 0 {
					t.Errorf("raw n = %d; FerretDB fixed #4616?", n)
				}
			},
		},
		{
			name: "$group with one accumulator passes",
			cmd:  D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$group", Value: D{{Key: "_id", Value: nil}, {Key: "total", Value: D{{Key: "$sum", Value: "$qty"}}}}}}}}, {Key: "cursor", Value: D{}}},
			check: func(t *testing.T, r bson.Raw) {
				if n := r.Lookup("cursor", "firstBatch", "0", "total").AsInt64(); n != 15 {
					t.Errorf("total = %d, want 15", n)
				}
			},
		},
		{
			name: "$project field path",
			cmd:  D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$project", Value: D{{Key: "x", Value: "$qty"}}}}}}, {Key: "cursor", Value: D{}}},
			want: codeNotImplemented,
			raw: func(t *testing.T, r bson.Raw) {
				if s, _ := r.Lookup("cursor", "firstBatch", "0", "x").StringValueOK(); s != "$qty" {
					t.Errorf("raw x = %v", r.Lookup("cursor", "firstBatch", "0", "x"))
				}
			},
		},
		{
			name: "$project nested document",
			cmd:  D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$project", Value: D{{Key: "x", Value: D{{Key: "a", Value: 1}}}}}}}}, {Key: "cursor", Value: D{}}},
			want: codeNotImplemented,
		},
		{
			name: "$addFields expression in array",
			cmd:  D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$addFields", Value: D{{Key: "x", Value: A{"$qty", 1}}}}}}}, {Key: "cursor", Value: D{}}},
			want: codeNotImplemented,
		},
		{
			name: "$set expression in document",
			cmd:  D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$set", Value: D{{Key: "x", Value: D{{Key: "y", Value: "$qty"}}}}}}}}, {Key: "cursor", Value: D{}}},
			want: codeNotImplemented,
		},
		{
			name: "$set dotted field",
			cmd:  D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$set", Value: D{{Key: "d.z", Value: 1}}}}}}, {Key: "cursor", Value: D{}}},
			want: codeNotImplemented,
			raw: func(t *testing.T, r bson.Raw) {
				if r.Lookup("cursor", "firstBatch", "0", "d.z").Type == 0 {
					t.Errorf("raw: %v", r)
				}
			},
		},
		{
			name: "$project inclusion, literal and top-level operator pass",
			cmd: D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$project", Value: D{{Key: "qty", Value: 1}, {Key: "t", Value: D{{Key: "$type", Value: "$qty"}}}, {Key: "l", Value: "lit"}}}}}},
				{Key: "cursor", Value: D{}}},
			check: func(t *testing.T, r bson.Raw) {
				if s := r.Lookup("cursor", "firstBatch", "0", "t").StringValue(); s != "int" {
					t.Errorf("t = %q", s)
				}
			},
		},
		{
			name: "find projection field path",
			cmd:  D{{Key: "find", Value: "c"}, {Key: "projection", Value: D{{Key: "x", Value: "$qty"}}}},
			want: codeNotImplemented,
		},
		{
			name: "$elemMatch with two ranges",
			cmd:  D{{Key: "find", Value: "c"}, {Key: "filter", Value: D{{Key: "a", Value: D{{Key: "$elemMatch", Value: D{{Key: "$gt", Value: 3}, {Key: "$lt", Value: 7}}}}}}}},
			want: codeNotImplemented,
			raw: func(t *testing.T, r bson.Raw) {
				if n := len(mustValues(t, r.Lookup("cursor", "firstBatch").Array())); n != 2 {
					t.Errorf("raw matched %d documents", n)
				}
			},
		},
		{
			name: "$elemMatch document form",
			cmd:  D{{Key: "count", Value: "c"}, {Key: "query", Value: D{{Key: "d", Value: D{{Key: "$elemMatch", Value: D{{Key: "x", Value: 1}}}}}}}},
			want: codeNotImplemented,
			raw: func(t *testing.T, r bson.Raw) {
				if n := r.Lookup("n").AsInt64(); n != 0 {
					t.Errorf("raw n = %d", n)
				}
			},
		},
		{
			name: "$elemMatch with one condition passes",
			cmd:  D{{Key: "count", Value: "c"}, {Key: "query", Value: D{{Key: "a", Value: D{{Key: "$elemMatch", Value: D{{Key: "$gt", Value: 9}}}}}}}},
			check: func(t *testing.T, r bson.Raw) {
				if n := r.Lookup("n").AsInt64(); n != 1 {
					t.Errorf("n = %d", n)
				}
			},
		},
		{
			name: "$elemMatch in $match under $or",
			cmd: D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$match", Value: D{{Key: "$or", Value: A{D{{Key: "a", Value: D{{Key: "$elemMatch", Value: D{{Key: "$gt", Value: 3}, {Key: "$lt", Value: 7}}}}}}}}}}}}},
				{Key: "cursor", Value: D{}}},
			want: codeNotImplemented,
		},
		{
			name: "equality with a document",
			cmd:  D{{Key: "count", Value: "c"}, {Key: "query", Value: D{{Key: "d", Value: D{{Key: "x", Value: 1}, {Key: "y", Value: 5}}}}}},
			want: codeNotImplemented,
			raw: func(t *testing.T, r bson.Raw) {
				if n := r.Lookup("n").AsInt64(); n != 0 { // MongoDB: 1, d holds {x: 1, y: 5}
					t.Errorf("raw n = %d", n)
				}
			},
		},
		{
			name: "$ne with a document",
			cmd:  D{{Key: "count", Value: "c"}, {Key: "query", Value: D{{Key: "d", Value: D{{Key: "$ne", Value: D{{Key: "x", Value: 1}, {Key: "y", Value: 5}}}}}}}},
			want: codeNotImplemented,
			raw: func(t *testing.T, r bson.Raw) {
				if n := r.Lookup("n").AsInt64(); n != 2 { // MongoDB: 1, the document without d
					t.Errorf("raw n = %d", n)
				}
			},
		},
		{
			name: "equality with an array passes",
			cmd:  D{{Key: "count", Value: "c"}, {Key: "query", Value: D{{Key: "a", Value: A{1, 10}}}}},
			check: func(t *testing.T, r bson.Raw) {
				if n := r.Lookup("n").AsInt64(); n != 1 {
					t.Errorf("n = %d", n)
				}
			},
		},
		{
			name: "$push with $slice",
			cmd:  D{{Key: "update", Value: "c"}, {Key: "updates", Value: A{D{{Key: "q", Value: D{{Key: "_id", Value: 1}}}, {Key: "u", Value: D{{Key: "$push", Value: D{{Key: "a", Value: D{{Key: "$each", Value: A{6}}, {Key: "$slice", Value: -1}}}}}}}}}}},
			want: codeNotImplemented,
		},
		{
			name: "$pull with a condition",
			cmd:  D{{Key: "findAndModify", Value: "c"}, {Key: "query", Value: D{{Key: "_id", Value: 1}}}, {Key: "update", Value: D{{Key: "$pull", Value: D{{Key: "a", Value: D{{Key: "$gte", Value: 6}}}}}}}},
			want: codeNotImplemented,
		},
		{
			name: "$unset of an array element",
			cmd:  D{{Key: "update", Value: "c"}, {Key: "updates", Value: A{D{{Key: "q", Value: D{{Key: "_id", Value: 1}}}, {Key: "u", Value: D{{Key: "$unset", Value: D{{Key: "a.0", Value: ""}}}}}}}}},
			want: codeNotImplemented,
		},
		{
			name: "negative zero",
			cmd:  D{{Key: "insert", Value: "c"}, {Key: "documents", Value: A{D{{Key: "_id", Value: 3}, {Key: "z", Value: negZero}}}}},
			want: codeNotImplemented,
		},
		{
			name: "$group _id array",
			cmd:  D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: A{D{{Key: "$group", Value: D{{Key: "_id", Value: A{"$qty"}}}}}}}, {Key: "cursor", Value: D{}}},
			want: codeNotImplemented,
			raw: func(t *testing.T, r bson.Raw) {
				if s, _ := r.Lookup("cursor", "firstBatch", "0", "_id", "0").StringValueOK(); s != "$qty" {
					t.Errorf("raw: %v", r)
				}
			},
		},
		{
			name: "illegal index key",
			cmd:  D{{Key: "createIndexes", Value: "c"}, {Key: "indexes", Value: A{D{{Key: "key", Value: D{{Key: "a.$", Value: 1}}}, {Key: "name", Value: "bad"}}}}},
			want: codeCannotCreateIndex,
			raw: func(t *testing.T, r bson.Raw) {
				if code(r) != 0 {
					t.Errorf("raw: %v", r)
				}
			},
		},
		{
			name: "$eval",
			cmd:  D{{Key: "$eval", Value: bson.JavaScript("function() { return 1; }")}},
			want: codeCommandNotFound,
			raw:  closed,
		},
		{
			name: "mapReduce",
			cmd:  D{{Key: "mapReduce", Value: "c"}, {Key: "map", Value: bson.JavaScript("function() {}")}, {Key: "reduce", Value: bson.JavaScript("function() {}")}, {Key: "out", Value: D{{Key: "inline", Value: 1}}}},
			want: codeCommandNotFound,
			raw:  closed,
		},
		{
			name: "Decimal128",
			cmd:  D{{Key: "insert", Value: "c"}, {Key: "documents", Value: A{D{{Key: "_id", Value: 4}, {Key: "v", Value: bson.NewDecimal128(1, 1)}}}}},
			want: codeBadValue,
			raw:  closed,
		},
		{
			name: "NaN",
			cmd:  D{{Key: "find", Value: "c"}, {Key: "filter", Value: D{{Key: "v", Value: math.NaN()}}}},
			want: codeBadValue,
			raw:  closed,
		},
		{
			name: "MaxKey",
			cmd:  D{{Key: "find", Value: "c"}, {Key: "filter", Value: D{{Key: "v", Value: bson.MaxKey{}}}}},
			want: codeBadValue,
			raw:  closed,
		},
		{
			name: "MinKey",
			cmd:  D{{Key: "insert", Value: "c"}, {Key: "documents", Value: A{D{{Key: "_id", Value: 5}, {Key: "v", Value: bson.MinKey{}}}}}},
			want: codeBadValue,
			raw:  closed,
		},
		{
			name: "JavaScript",
			cmd:  D{{Key: "insert", Value: "c"}, {Key: "documents", Value: A{D{{Key: "_id", Value: 6}, {Key: "v", Value: bson.JavaScript("1")}}}}},
			want: codeBadValue,
			raw:  closed,
		},
		{
			name: "symbol",
			cmd:  D{{Key: "insert", Value: "c"}, {Key: "documents", Value: A{D{{Key: "_id", Value: 7}, {Key: "v", Value: bson.Symbol("s")}}}}},
			want: codeBadValue,
			raw:  closed,
		},
		{
			name: "undefined",
			cmd:  D{{Key: "insert", Value: "c"}, {Key: "documents", Value: A{D{{Key: "_id", Value: 8}, {Key: "v", Value: bson.Undefined{}}}}}},
			want: codeBadValue,
			raw:  closed,
		},
		{
			name: "repeated operator",
			cmd:  D{{Key: "find", Value: "c"}, {Key: "filter", Value: D{{Key: "a", Value: D{{Key: "$gt", Value: 5}, {Key: "$gt", Value: 1}}}}}},
			want: codeBadValue,
			raw:  closed,
		},
		{
			name: "delete bypassDocumentValidation",
			cmd:  D{{Key: "delete", Value: "c"}, {Key: "deletes", Value: A{D{{Key: "q", Value: D{{Key: "_id", Value: 1}}}, {Key: "limit", Value: 1}}}}, {Key: "bypassDocumentValidation", Value: true}},
			raw: func(t *testing.T, r bson.Raw) {
				if code(r) != 9 {
					t.Errorf("raw: %v", r)
				}
			},
			check: func(t *testing.T, r bson.Raw) {
				if n := r.Lookup("n").AsInt64(); n != 1 {
					t.Errorf("n: %v", r)
				}
			},
		},
		{
			name: "distinct maxTimeMS",
			cmd:  D{{Key: "distinct", Value: "c"}, {Key: "key", Value: "qty"}, {Key: "maxTimeMS", Value: 5000}},
			raw: func(t *testing.T, r bson.Raw) {
				if code(r) != 9 {
					t.Errorf("raw: %v", r)
				}
			},
			check: func(t *testing.T, r bson.Raw) {
				if n := len(mustValues(t, r.Lookup("values").Array())); n != 2 {
					t.Errorf("values: %v", r)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := dbName(t)
			w := dialWire(t, server.front.Addr())
			cmd := append(tc.cmd, E{Key: "$db", Value: db})
			w.run(D{{Key: "insert", Value: "c"}, {Key: "documents", Value: docs}, {Key: "$db", Value: db}})

			got := w.run(cmd)
			if c := code(got); c != tc.want {
				t.Fatalf("front: code %d, want %d: %v", c, tc.want, got)
			}
			if tc.want != 0 && !strings.Contains(got.Lookup("errmsg").StringValue(), "FerretDB") {
				t.Errorf("front: the message does not name FerretDB: %v", got)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
			// the connection still works
			if c := code(w.run(D{{Key: "ping", Value: 1}, {Key: "$db", Value: db}})); c != 0 {
				t.Errorf("ping after: code %d", c)
			}

			if tc.raw != nil {
				r := dialWire(t, server.proc.Addr())
				id := r.send(0, mustMarshal(t, cmd))
				h, doc, err := r.recv(10 * time.Second)
				switch {
				case errors.Is(err, io.EOF):
					doc = nil
				case err != nil:
					t.Fatalf("raw: %v", err)
				case h.ResponseTo != id:
					t.Fatalf("raw: reply to %d", h.ResponseTo)
				}
				tc.raw(t, doc)
			}
		})
	}
}

func closed(t *testing.T, r bson.Raw) {
	if r != nil {
		t.Errorf("raw: FerretDB answered %v; it used to close the connection", r)
	}
}

func mustValues(t *testing.T, a bson.RawArray) []bson.RawValue {
	t.Helper()
	v, err := a.Values()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestUpdateStatements: the front runs a bulk update one statement at a time and reports what MongoDB reports.
func TestUpdateStatements(t *testing.T) {
	db := dbName(t)
	w := dialWire(t, server.front.Addr())
	w.run(D{{Key: "insert", Value: "b"}, {Key: "documents", Value: A{D{{Key: "_id", Value: 1}, {Key: "u", Value: 1}}, D{{Key: "_id", Value: 2}, {Key: "u", Value: 2}}}}, {Key: "$db", Value: db}})
	w.run(D{{Key: "createIndexes", Value: "b"}, {Key: "indexes", Value: A{D{{Key: "key", Value: D{{Key: "u", Value: 1}}}, {Key: "name", Value: "u_1"}, {Key: "unique", Value: true}}}}, {Key: "$db", Value: db}})

	upserts := D{{Key: "update", Value: "b"}, {Key: "updates", Value: A{
		D{{Key: "q", Value: D{{Key: "_id", Value: 1}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "x", Value: 1}}}}}, {Key: "upsert", Value: true}},
		D{{Key: "q", Value: D{{Key: "_id", Value: 5}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "x", Value: 1}}}}}, {Key: "upsert", Value: true}},
		D{{Key: "q", Value: D{{Key: "_id", Value: 6}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "x", Value: 1}}}}}, {Key: "upsert", Value: true}},
	}}, {Key: "$db", Value: db}}
	got := w.run(upserts)
	if n, m := got.Lookup("n").AsInt64(), got.Lookup("nModified").AsInt64(); n != 3 || m != 1 {
		t.Errorf("n, nModified = %d, %d: %v", n, m, got)
	}
	if i0, i1 := got.Lookup("upserted", "0", "index").AsInt64(), got.Lookup("upserted", "1", "index").AsInt64(); i0 != 1 || i1 != 2 {
		t.Errorf("upserted indexes %d, %d, want 1, 2: %v", i0, i1, got)
	}

	// an unordered bulk with a duplicate key in the middle: MongoDB applies the others and reports index 1
	dup := D{{Key: "update", Value: "b"}, {Key: "updates", Value: A{
		D{{Key: "q", Value: D{{Key: "_id", Value: 1}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "y", Value: 1}}}}}},
		D{{Key: "q", Value: D{{Key: "_id", Value: 2}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "u", Value: 1}}}}}},
		D{{Key: "q", Value: D{{Key: "_id", Value: 5}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "y", Value: 1}}}}}},
	}}, {Key: "ordered", Value: false}, {Key: "$db", Value: db}}
	got = w.run(dup)
	if code(got) != 0 || got.Lookup("n").AsInt64() != 2 || got.Lookup("writeErrors", "0", "index").AsInt64() != 1 ||
		got.Lookup("writeErrors", "0", "code").AsInt64() != codeDuplicateKey {
		t.Errorf("front: %v", got)
	}
	if msg := got.Lookup("writeErrors", "0", "errmsg").StringValue(); msg != "E11000 duplicate key error collection: "+db+".b index: u_1" {
		t.Errorf("errmsg %q", msg)
	}
	raw := dialWire(t, server.proc.Addr())
	if r := raw.run(dup); code(r) != codeInternalError {
		t.Errorf("raw: %v", r)
	}

	// one statement: a write error, n and nModified
	one := D{{Key: "update", Value: "b"}, {Key: "updates", Value: A{D{{Key: "q", Value: D{{Key: "_id", Value: 2}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "u", Value: 1}}}}}}}}, {Key: "$db", Value: db}}
	got = w.run(one)
	if got.Lookup("writeErrors", "0", "code").AsInt64() != codeDuplicateKey || got.Lookup("nModified").Type == 0 {
		t.Errorf("front: %v", got)
	}
	imm := D{{Key: "update", Value: "b"}, {Key: "updates", Value: A{D{{Key: "q", Value: D{{Key: "_id", Value: 2}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "_id", Value: 9}}}}}}}}, {Key: "$db", Value: db}}
	got = w.run(imm)
	if got.Lookup("writeErrors", "0", "code").AsInt64() != 66 || got.Lookup("nModified").Type == 0 || got.Lookup("n").Type == 0 {
		t.Errorf("front: %v", got)
	}
	if r := raw.run(imm); r.Lookup("nModified").Type != 0 {
		t.Errorf("raw: %v", r)
	}

	// findAndModify
	fam := D{{Key: "findAndModify", Value: "b"}, {Key: "query", Value: D{{Key: "_id", Value: 2}}}, {Key: "update", Value: D{{Key: "$set", Value: D{{Key: "u", Value: 1}}}}}, {Key: "$db", Value: db}}
	if got = w.run(fam); code(got) != codeDuplicateKey || got.Lookup("codeName").StringValue() != "DuplicateKey" {
		t.Errorf("front: %v", got)
	}
	if r := raw.run(fam); code(r) != codeInternalError {
		t.Errorf("raw: %v", r)
	}
}

// TestIndexes: unique violations on an index build, and unique: true over an existing name.
func TestIndexes(t *testing.T) {
	db := dbName(t)
	w := dialWire(t, server.front.Addr())
	w.run(D{{Key: "insert", Value: "k"}, {Key: "documents", Value: A{D{{Key: "_id", Value: 1}, {Key: "v", Value: 1}}, D{{Key: "_id", Value: 2}, {Key: "v", Value: 1}}}}, {Key: "$db", Value: db}})
	build := D{{Key: "createIndexes", Value: "k"}, {Key: "indexes", Value: A{D{{Key: "key", Value: D{{Key: "v", Value: 1}}}, {Key: "name", Value: "v_1"}, {Key: "unique", Value: true}}}}, {Key: "$db", Value: db}}
	got := w.run(build)
	if code(got) != codeDuplicateKey || got.Lookup("errmsg").StringValue() != "E11000 duplicate key error collection: "+db+".k index: v_1" {
		t.Errorf("front: %v", got)
	}
	raw := dialWire(t, server.proc.Addr())
	if r := raw.run(build); code(r) != codeInternalError {
		t.Errorf("raw: %v", r)
	}

	w.run(D{{Key: "createIndexes", Value: "k"}, {Key: "indexes", Value: A{D{{Key: "key", Value: D{{Key: "w", Value: 1}}}, {Key: "name", Value: "w_1"}}}}, {Key: "$db", Value: db}})
	unique := D{{Key: "createIndexes", Value: "k"}, {Key: "indexes", Value: A{D{{Key: "key", Value: D{{Key: "w", Value: 1}}}, {Key: "name", Value: "w_1"}, {Key: "unique", Value: true}}}}, {Key: "$db", Value: db}}
	if got = w.run(unique); code(got) != codeIndexOptionsConflict {
		t.Errorf("front: %v", got)
	}
	if r := raw.run(unique); code(r) != 0 {
		t.Errorf("raw: %v", r)
	}
	// a new unique index still builds
	if got = w.run(D{{Key: "createIndexes", Value: "k"}, {Key: "indexes", Value: A{D{{Key: "key", Value: D{{Key: "_id", Value: 1}, {Key: "w", Value: 1}}}, {Key: "name", Value: "idw"}, {Key: "unique", Value: true}}}}, {Key: "$db", Value: db}}); code(got) != 0 {
		t.Errorf("front: %v", got)
	}
}

// TestDriver shows the two symptoms the Go driver hits without the front: a w:0 write's reply read as the answer to
// the next command, and Distinct failing under a context deadline (maxTimeMS).
func TestDriver(t *testing.T) {
	db := dbName(t)
	connect := func(addr string) *mongo.Collection {
		// one connection, so that the next command reuses the w:0 write's connection
		c, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + addr + "/?directConnection=true").SetMaxPoolSize(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
		return c.Database(db).Collection("c")
	}
	unacked := options.Collection().SetWriteConcern(writeconcern.Unacknowledged())

	check := func(coll *mongo.Collection) (count int64, distinctErr error) {
		ctx := t.Context()
		if _, err := coll.InsertOne(ctx, D{{Key: "_id", Value: 1}}); err != nil {
			t.Fatal(err)
		}
		w0 := coll.Database().Collection(coll.Name(), unacked)
		if _, err := w0.InsertOne(ctx, D{{Key: "_id", Value: 1}}); err != nil { // a duplicate: its error is the reply
			t.Fatal(err)
		}
		count, err := coll.CountDocuments(ctx, D{})
		if err != nil {
			count = -1
		}
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return count, coll.Distinct(dctx, "_id", D{}).Err()
	}

	if count, err := check(connect(server.front.Addr())); count != 1 || err != nil {
		t.Errorf("front: count %d, distinct %v", count, err)
	}
	raw := connect(server.proc.Addr())
	_ = raw.Database().Drop(t.Context())
	count, err := check(raw)
	if count == 1 || err == nil {
		t.Errorf("raw: count %d, distinct %v; FerretDB fixed both?", count, err)
	}
	t.Logf("raw: count %d, distinct: %v", count, err)
}

// TestUniqueNulls: FerretDB lets any number of documents miss a unique index's field, and does not compare array
// elements; the front reports the duplicate as MongoDB does, and refuses arrays.
func TestUniqueNulls(t *testing.T) {
	db := dbName(t)
	w := dialWire(t, server.front.Addr())
	raw := dialWire(t, server.proc.Addr())
	w.run(D{{Key: "insert", Value: "u"}, {Key: "documents", Value: A{D{{Key: "_id", Value: 1}, {Key: "u", Value: 1}}}}, {Key: "$db", Value: db}})
	w.run(D{{Key: "createIndexes", Value: "u"}, {Key: "indexes", Value: A{D{{Key: "key", Value: D{{Key: "u", Value: 1}}}, {Key: "name", Value: "u_1"}, {Key: "unique", Value: true}}}}, {Key: "$db", Value: db}})

	insert := func(ordered bool, docs ...any) D {
		return D{{Key: "insert", Value: "u"}, {Key: "documents", Value: A(docs)}, {Key: "ordered", Value: ordered}, {Key: "$db", Value: db}}
	}
	// the first missing u is fine, the second (index 1 of an unordered batch) is a duplicate of null
	got := w.run(insert(false, D{{Key: "_id", Value: 2}}, D{{Key: "_id", Value: 3}}, D{{Key: "_id", Value: 4}, {Key: "u", Value: 4}}))
	if got.Lookup("n").AsInt64() != 2 || got.Lookup("writeErrors", "0", "index").AsInt64() != 1 ||
		got.Lookup("writeErrors", "0", "code").AsInt64() != codeDuplicateKey ||
		got.Lookup("writeErrors", "0", "errmsg").StringValue() != "E11000 duplicate key error collection: "+db+".u index: u_1 dup key: { u: null }" {
		t.Errorf("front: %v", got)
	}
	if r := raw.run(insert(true, D{{Key: "_id", Value: 5}, {Key: "u", Value: nil}})); r.Lookup("n").AsInt64() != 1 {
		t.Errorf("raw: %v", r)
	}
	// arrays
	if got = w.run(insert(true, D{{Key: "_id", Value: 6}, {Key: "u", Value: A{7, 8}}})); code(got) != codeNotImplemented {
		t.Errorf("front: %v", got)
	}
	// an ordinary insert still passes, and a dropped index is forgotten
	if got = w.run(insert(true, D{{Key: "_id", Value: 9}, {Key: "u", Value: 9}})); got.Lookup("n").AsInt64() != 1 {
		t.Errorf("front: %v", got)
	}
	w.run(D{{Key: "dropIndexes", Value: "u"}, {Key: "index", Value: "u_1"}, {Key: "$db", Value: db}})
	if got = w.run(insert(true, D{{Key: "_id", Value: 10}})); got.Lookup("n").AsInt64() != 1 {
		t.Errorf("front after dropIndexes: %v", got)
	}
}

// TestRepairs: listDatabases names admin; createIndexes errors carry no Go source locations.
func TestRepairs(t *testing.T) {
	w := dialWire(t, server.front.Addr())
	raw := dialWire(t, server.proc.Addr())
	list := D{{Key: "listDatabases", Value: 1}, {Key: "nameOnly", Value: true}, {Key: "$db", Value: "admin"}}
	hasAdmin := func(r bson.Raw) bool {
		for _, v := range mustValues(t, r.Lookup("databases").Array()) {
			if v.Document().Lookup("name").StringValue() == "admin" {
				return true
			}
		}
		return false
	}
	if r := raw.run(list); hasAdmin(r) {
		t.Logf("raw lists admin (something was written there): %v", r)
	} else if got := w.run(list); !hasAdmin(got) {
		t.Errorf("front: %v", got)
	}
}

// TestSequences: rules that rebuild a command keep its document sequences (the driver sends insert's documents,
// update's updates and delete's deletes that way).
func TestSequences(t *testing.T) {
	db := dbName(t)
	w := dialWire(t, server.front.Addr())
	send := func(body D, id string, docs ...D) bson.Raw {
		t.Helper()
		var seq []byte
		for _, d := range docs {
			seq = append(seq, mustMarshal(t, d)...)
		}
		w.id++
		msg := wire.AppendHeader(nil, w.id, 0, wire.OpMsg)
		msg = append(msg, 0, 0, 0, 0, 0)
		msg = append(msg, mustMarshal(t, append(body, E{Key: "$db", Value: db}))...)
		msg = append(msg, 1)
		msg = binary.LittleEndian.AppendUint32(msg, uint32(4+len(id)+1+len(seq)))
		msg = append(append(append(msg, id...), 0), seq...)
		if _, err := w.c.Write(wire.Finish(msg)); err != nil {
			t.Fatal(err)
		}
		h, doc, err := w.recv(10 * time.Second)
		if err != nil || h.ResponseTo != w.id {
			t.Fatalf("%v: %v %v", body, h, err)
		}
		return doc
	}
	if r := send(D{{Key: "insert", Value: "s"}}, "documents", D{{Key: "_id", Value: 1}}, D{{Key: "_id", Value: 2}}, D{{Key: "_id", Value: 3}}); r.Lookup("n").AsInt64() != 3 {
		t.Fatalf("insert: %v", r)
	}
	r := send(D{{Key: "update", Value: "s"}}, "updates",
		D{{Key: "q", Value: D{{Key: "_id", Value: 1}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "x", Value: 1}}}}}},
		D{{Key: "q", Value: D{{Key: "_id", Value: 7}}}, {Key: "u", Value: D{{Key: "$set", Value: D{{Key: "x", Value: 1}}}}}, {Key: "upsert", Value: true}})
	if r.Lookup("n").AsInt64() != 2 || r.Lookup("upserted", "0", "index").AsInt64() != 1 {
		t.Errorf("update: %v", r)
	}
	r = send(D{{Key: "delete", Value: "s"}, {Key: "bypassDocumentValidation", Value: true}}, "deletes",
		D{{Key: "q", Value: D{{Key: "_id", Value: 2}}}, {Key: "limit", Value: 1}},
		D{{Key: "q", Value: D{{Key: "_id", Value: 3}}}, {Key: "limit", Value: 1}})
	if r.Lookup("n").AsInt64() != 2 {
		t.Errorf("delete: %v", r)
	}
}
