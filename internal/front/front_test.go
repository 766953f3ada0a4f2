package front_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.uber.org/goleak"

	"github.com/gomotor/motor/internal/ferretproc"
	"github.com/gomotor/motor/internal/front"
	"github.com/gomotor/motor/internal/wire"
)

// The tests run against the real FerretDB child process: through the front, and straight to FerretDB (raw) to show
// the behaviour each rule covers.

var server struct {
	proc  *ferretproc.Process
	front *front.Front
}

func TestMain(m *testing.M) {
	code := func() int {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		p, err := ferretproc.Start(ctx, &ferretproc.Config{Raw: true})
		if err != nil {
			fmt.Fprintln(os.Stderr, "front tests:", err)
			return 1
		}
		defer p.Stop()
		f, err := front.Start("", p.Addr())
		if err != nil {
			fmt.Fprintln(os.Stderr, "front tests:", err)
			return 1
		}
		defer f.Close()
		server.proc, server.front = p, f
		return m.Run()
	}()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines left running after the tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// wireConn is a raw wire connection for tests.
type wireConn struct {
	t  testing.TB
	c  net.Conn
	id int32
}

func dialWire(t testing.TB, addr string) *wireConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &wireConn{t: t, c: c}
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := bson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// send writes an OP_MSG with the command doc and returns its request ID.
func (w *wireConn) send(flags uint32, doc []byte) int32 {
	w.id++
	if _, err := w.c.Write(wire.AppendOpMsg(nil, w.id, 0, flags, doc)); err != nil {
		w.t.Fatal(err)
	}
	return w.id
}

// recv reads one reply; a closed connection or a timeout is an error.
func (w *wireConn) recv(timeout time.Duration) (wire.Header, bson.Raw, error) {
	_ = w.c.SetReadDeadline(time.Now().Add(timeout))
	msg, err := wire.ReadMessage(w.c, nil)
	if err != nil {
		return wire.Header{}, nil, err
	}
	doc, err := wire.ReplyDoc(msg)
	return wire.ParseHeader(msg), bson.Raw(doc), err
}

// run sends cmd and returns the reply, failing the test on a network error.
func (w *wireConn) run(cmd bson.D) bson.Raw {
	w.t.Helper()
	id := w.send(0, mustMarshal(w.t, cmd))
	h, doc, err := w.recv(10 * time.Second)
	if err != nil {
		w.t.Fatalf("%v: %v", cmd, err)
	}
	if h.ResponseTo != id {
		w.t.Fatalf("%v: reply to %d, want %d: %v", cmd, h.ResponseTo, id, doc)
	}
	return doc
}

// code returns a reply's error code, 0 if ok.
func code(doc bson.Raw) int32 {
	if ok, _ := doc.Lookup("ok").AsFloat64OK(); ok == 1 {
		return 0
	}
	c, _ := doc.Lookup("code").AsInt64OK()
	return int32(c)
}

// dbName returns a database name for a test.
func dbName(t testing.TB) string {
	n := []byte("front_" + t.Name())
	for i, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			n[i] = '_'
		}
	}
	return string(n[:min(len(n), 60)])
}

// The error codes the front answers with.
const (
	codeInternalError        = 1
	codeBadValue             = 2
	codeMaxTimeMSExpired     = 50
	codeCommandNotFound      = 59
	codeIndexOptionsConflict = 85
	codeNotImplemented       = 238
	codeDuplicateKey         = 11000
)

type D = bson.D
type A = bson.A
type E = bson.E

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
			name: "capped max",
			cmd:  D{{Key: "create", Value: "capped"}, {Key: "capped", Value: true}, {Key: "size", Value: 4096}, {Key: "max", Value: 2}},
			want: codeNotImplemented,
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
			if tc.want != 0 && !strings.Contains(got.Lookup("errmsg").StringValue(), "FerretDB") && tc.want != codeCommandNotFound {
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

// TestFireAndForget: FerretDB answers a moreToCome message; through the front, the next command gets its own reply.
func TestFireAndForget(t *testing.T) {
	db := dbName(t)
	insert := func(id int) []byte {
		return mustMarshal(t, D{{Key: "insert", Value: "c"}, {Key: "documents", Value: A{D{{Key: "_id", Value: id}}}}, {Key: "writeConcern", Value: D{{Key: "w", Value: 0}}}, {Key: "$db", Value: db}})
	}

	raw := dialWire(t, server.proc.Addr())
	wid := raw.send(wire.FlagMoreToCome, insert(1))
	raw.send(0, mustMarshal(t, D{{Key: "ping", Value: 1}, {Key: "$db", Value: db}}))
	h, _, err := raw.recv(5 * time.Second)
	if err != nil || h.ResponseTo != wid {
		t.Errorf("raw: first reply is to %d (%v), want the w:0 insert's %d", h.ResponseTo, err, wid)
	}

	w := dialWire(t, server.front.Addr())
	for i := range 3 {
		w.send(wire.FlagMoreToCome, insert(10+i))
	}
	got := w.run(D{{Key: "count", Value: "c"}, {Key: "$db", Value: db}})
	if n := got.Lookup("n").AsInt64(); n != 4 { // 1 raw + 3 through the front
		t.Errorf("count = %v", got)
	}
	// a refused fire-and-forget write gets no reply either
	w.send(wire.FlagMoreToCome, mustMarshal(t, D{{Key: "insert", Value: "c"}, {Key: "documents", Value: A{D{{Key: "v", Value: math.NaN()}}}}, {Key: "$db", Value: db}}))
	if c := code(w.run(D{{Key: "ping", Value: 1}, {Key: "$db", Value: db}})); c != 0 {
		t.Errorf("ping: %d", c)
	}
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

// TestLegacy: OP_QUERY passes (the handshake); OP_GET_MORE gets a query failure; OP_INSERT closes the connection.
func TestLegacy(t *testing.T) {
	w := dialWire(t, server.front.Addr())
	q := wire.AppendHeader(nil, 5, 0, wire.OpQuery)
	q = binary.LittleEndian.AppendUint32(q, 0)
	q = append(q, "admin.$cmd\x00"...)
	q = binary.LittleEndian.AppendUint32(q, 0)
	q = binary.LittleEndian.AppendUint32(q, 1)
	q = append(q, mustMarshal(t, D{{Key: "isMaster", Value: 1}})...)
	if _, err := w.c.Write(wire.Finish(q)); err != nil {
		t.Fatal(err)
	}
	h, doc, err := w.recv(5 * time.Second)
	if err != nil || h.OpCode != wire.OpReply || !doc.Lookup("ismaster").Boolean() {
		t.Fatalf("isMaster: %v %v %v", h, doc, err)
	}

	gm := wire.AppendHeader(nil, 6, 0, wire.OpGetMore)
	gm = append(gm, 0, 0, 0, 0)
	gm = append(gm, "db.c\x00"...)
	gm = append(gm, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)
	if _, err = w.c.Write(wire.Finish(gm)); err != nil {
		t.Fatal(err)
	}
	h, doc, err = w.recv(5 * time.Second)
	if err != nil || h.OpCode != wire.OpReply || h.ResponseTo != 6 || doc.Lookup("$err").Type == 0 {
		t.Fatalf("OP_GET_MORE: %v %v %v", h, doc, err)
	}
	if c := code(w.run(D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}})); c != 0 {
		t.Errorf("ping: %d", c)
	}

	ins := wire.AppendHeader(nil, 7, 0, wire.OpInsert)
	ins = append(ins, 0, 0, 0, 0)
	ins = append(ins, "db.c\x00"...)
	ins = append(ins, mustMarshal(t, D{{Key: "_id", Value: 1}})...)
	if _, err = w.c.Write(wire.Finish(ins)); err != nil {
		t.Fatal(err)
	}
	if _, _, err = w.recv(5 * time.Second); !errors.Is(err, io.EOF) {
		t.Errorf("OP_INSERT: %v, want the connection closed", err)
	}
}

// slowServer is a wire server that answers every command {ok: 1} after delay, for the maxTimeMS tests.
func slowServer(t *testing.T, delay time.Duration) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					msg, err := wire.ReadMessage(c, nil)
					if err != nil {
						return
					}
					var m wire.Msg
					_ = wire.ParseOpMsg(msg[wire.HeaderLen:], &m)
					if bson.Raw(m.Body).Index(0).Key() == "distinct" {
						time.Sleep(delay)
					}
					if _, err = c.Write(wire.BuildOpMsg(1, wire.ParseHeader(msg).RequestID, mustMarshal(t, D{{Key: "ok", Value: 1.0}}))); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestMaxTimeMS: the front enforces distinct's maxTimeMS and keeps the connection in step.
func TestMaxTimeMS(t *testing.T) {
	f, err := front.Start("", slowServer(t, 300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := dialWire(t, f.Addr())
	start := time.Now()
	got := w.run(D{{Key: "distinct", Value: "c"}, {Key: "key", Value: "x"}, {Key: "maxTimeMS", Value: 20}, {Key: "$db", Value: "db"}})
	if code(got) != codeMaxTimeMSExpired || got.Lookup("errmsg").StringValue() != "operation exceeded time limit" {
		t.Errorf("distinct: %v", got)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("distinct took %v", d)
	}
	if got = w.run(D{{Key: "ping", Value: 1}, {Key: "$db", Value: "db"}}); code(got) != 0 {
		t.Errorf("ping: %v", got)
	}
	// authenticated connections keep their upstream connection and drain the late reply
	w.run(D{{Key: "saslStart", Value: 1}, {Key: "$db", Value: "admin"}})
	got = w.run(D{{Key: "distinct", Value: "c"}, {Key: "key", Value: "x"}, {Key: "maxTimeMS", Value: 20}, {Key: "$db", Value: "db"}})
	if code(got) != codeMaxTimeMSExpired {
		t.Errorf("distinct: %v", got)
	}
	if got = w.run(D{{Key: "ping", Value: 1}, {Key: "$db", Value: "db"}}); code(got) != 0 {
		t.Errorf("ping: %v", got)
	}
}

// TestLarge sends a 40 MB insert through the front.
func TestLarge(t *testing.T) {
	db := dbName(t)
	w := dialWire(t, server.front.Addr())
	big := strings.Repeat("x", 8<<20)
	docs := A{}
	for i := range 5 {
		docs = append(docs, D{{Key: "_id", Value: i}, {Key: "s", Value: big}})
	}
	if got := w.run(D{{Key: "insert", Value: "big"}, {Key: "documents", Value: docs}, {Key: "$db", Value: db}}); code(got) != 0 || got.Lookup("n").AsInt64() != 5 {
		t.Fatalf("insert: %v", got)
	}
}

// TestConcurrent runs many connections at once and closes the front under them.
func TestConcurrent(t *testing.T) {
	f, err := front.Start("", server.proc.Addr())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", f.Addr())
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			ping := mustMarshal(t, D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}})
			for j := range 50 {
				if _, err := c.Write(wire.AppendOpMsg(nil, int32(j), 0, 0, ping)); err != nil {
					t.Error(err)
					return
				}
				msg, err := wire.ReadMessage(c, nil)
				if err != nil || wire.ParseHeader(msg).ResponseTo != int32(j) {
					t.Errorf("conn %d: %v", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// open connections end with Close
	c, err := net.Dial("tcp", f.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("read after Close succeeded")
	}
}

// BenchmarkFront compares a ping round trip through the front with one straight to FerretDB.
func BenchmarkFront(b *testing.B) {
	ping := mustMarshal(b, D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}})
	for _, bc := range []struct{ name, addr string }{
		{"direct", server.proc.Addr()},
		{"front", server.front.Addr()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := net.Dial("tcp", bc.addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			msg := wire.AppendOpMsg(nil, 1, 0, 0, ping)
			buf := make([]byte, 0, 256)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Write(msg); err != nil {
					b.Fatal(err)
				}
				if buf, err = wire.ReadMessage(c, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
