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
	codeCannotCreateIndex    = 67
	codeCommandNotFound      = 59
	codeIndexOptionsConflict = 85
	codeNotImplemented       = 238
	codeDuplicateKey         = 11000
)

type D = bson.D
type A = bson.A
type E = bson.E

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
	// with a checksum, which the front drops (it no longer matches once moreToCome is cleared)
	msg := wire.AppendOpMsg(nil, 99, 0, wire.FlagMoreToCome|wire.FlagChecksumPresent, insert(20))
	msg = wire.Finish(append(msg, 1, 2, 3, 4))
	if _, err := w.c.Write(msg); err != nil {
		t.Fatal(err)
	}
	if n := w.run(D{{Key: "count", Value: "c"}, {Key: "$db", Value: db}}).Lookup("n").AsInt64(); n != 5 {
		t.Errorf("count after the checksummed insert = %d", n)
	}
	// a refused fire-and-forget write gets no reply either
	w.send(wire.FlagMoreToCome, mustMarshal(t, D{{Key: "insert", Value: "c"}, {Key: "documents", Value: A{D{{Key: "v", Value: math.NaN()}}}}, {Key: "$db", Value: db}}))
	if c := code(w.run(D{{Key: "ping", Value: 1}, {Key: "$db", Value: db}})); c != 0 {
		t.Errorf("ping: %d", c)
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

// BenchmarkFront compares a ping round trip through the front with one straight to FerretDB. Besides time and
// allocations per round trip, it reports this process's CPU time per round trip (cpu-ns/op): the client's alone
// when direct, the client's and the front's through the front, so the difference is the front's.
//
//	go test ./internal/front -run '^$' -bench BenchmarkFront -benchtime 20000x -count 5
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
			cpu := processCPU()
			for b.Loop() {
				if _, err := c.Write(msg); err != nil {
					b.Fatal(err)
				}
				if buf, err = wire.ReadMessage(c, buf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
