package motortest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Raw wire protocol tests.

// wireReply is a parsed server reply.
type wireReply struct {
	responseTo int32
	opCode     int32
	flags      uint32
	doc        bson.D
}

func fakeMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}

	return v
}

func fakeMarshal(tb testing.TB, d bson.D) []byte {
	tb.Helper()

	b, err := bson.Marshal(d)
	if err != nil {
		tb.Fatal(err)
	}

	return b
}

// wireOpMsgMessage builds an OP_MSG from a body and optional sections (already encoded, kind byte included).
func wireOpMsgMessage(requestID int32, flags uint32, body []byte, sections ...[]byte) []byte {
	msg := appendWireHeader(nil, requestID, 0, wireOpMsg)
	msg = binary.LittleEndian.AppendUint32(msg, flags)
	msg = append(msg, 0)
	msg = append(msg, body...)

	for _, s := range sections {
		msg = append(msg, s...)
	}

	if flags&wireFlagChecksumPresent != 0 {
		msg = append(msg, 0xde, 0xad, 0xbe, 0xef) // not verified by the fake
	}

	return finishWireMessage(msg)
}

// wireDocSequence builds a kind 1 section.
func wireDocSequence(id string, docs ...[]byte) []byte {
	s := []byte{1, 0, 0, 0, 0}
	s = append(s, id...)
	s = append(s, 0)

	for _, d := range docs {
		s = append(s, d...)
	}

	binary.LittleEndian.PutUint32(s[1:], uint32(len(s)-1))

	return s
}

// wireRoundTrip sends a message and reads the reply.
func wireRoundTrip(tb testing.TB, c net.Conn, msg []byte) wireReply {
	tb.Helper()

	if _, err := c.Write(msg); err != nil {
		tb.Fatal(err)
	}

	return wireReadReply(tb, c)
}

// wireReadReply reads and parses one OP_MSG or OP_REPLY.
func wireReadReply(tb testing.TB, c net.Conn) wireReply {
	tb.Helper()

	_ = c.SetReadDeadline(time.Now().Add(fakeTimeout))

	b, err := readWireMessage(c)
	if err != nil {
		tb.Fatal(err)
	}

	r := wireReply{
		responseTo: int32(binary.LittleEndian.Uint32(b[8:])),
		opCode:     int32(binary.LittleEndian.Uint32(b[12:])),
	}

	var doc []byte

	switch r.opCode {
	case wireOpMsg:
		r.flags = binary.LittleEndian.Uint32(b[16:])
		if b[20] != 0 {
			tb.Fatalf("section kind %d", b[20])
		}

		doc = b[21:]
	case wireOpReply:
		r.flags = binary.LittleEndian.Uint32(b[16:])
		if n := binary.LittleEndian.Uint32(b[32:]); n != 1 {
			tb.Fatalf("numberReturned = %d", n)
		}

		doc = b[36:]
	default:
		tb.Fatalf("unexpected opCode %d", r.opCode)
	}

	if err = bson.Unmarshal(doc, &r.doc); err != nil {
		tb.Fatal(err)
	}

	return r
}

func wireDial(tb testing.TB, f *Fake) net.Conn {
	tb.Helper()

	c, err := net.Dial("tcp", f.l.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(func() { _ = c.Close() })

	return c
}

func TestFakeRawOpMsg(t *testing.T) {
	f := NewFake(t)
	c := wireDial(t, f)

	f.Handle("insert", func(cmd bson.D) bson.D {
		docs, _ := fakeLookup(cmd, "documents")
		return OK(bson.E{Key: "n", Value: int32(len(docs.(bson.A)))})
	})

	body := fakeMarshal(t, bson.D{{Key: "insert", Value: "c"}, {Key: "$db", Value: "test"}})
	seq1 := wireDocSequence("documents", fakeMarshal(t, bson.D{{Key: "a", Value: 1}}), fakeMarshal(t, bson.D{{Key: "a", Value: 2}}))
	seq2 := wireDocSequence("other")

	// checksum, and sequences both before and after the body
	reply := wireRoundTrip(t, c, wireOpMsgMessage(7, wireFlagChecksumPresent, body, seq1, seq2))

	want := wireReply{responseTo: 7, opCode: wireOpMsg, doc: OK(bson.E{Key: "n", Value: int32(2)})}
	if diff := cmp.Diff(want, reply, cmp.AllowUnexported(wireReply{})); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}

	// moreToCome: recorded, handler called, no reply; the next reply answers the next request
	reply = wireRoundTrip(t, c, append(
		wireOpMsgMessage(8, wireFlagMoreToCome, body, seq1),
		wireOpMsgMessage(9, 0, fakeMarshal(t, bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}}))...,
	))

	want = wireReply{responseTo: 9, opCode: wireOpMsg, doc: OK()}
	if diff := cmp.Diff(want, reply, cmp.AllowUnexported(wireReply{})); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}

	insert := bson.D{
		{Key: "insert", Value: "c"},
		{Key: "$db", Value: "test"},
		{Key: "documents", Value: bson.A{bson.D{{Key: "a", Value: int32(1)}}, bson.D{{Key: "a", Value: int32(2)}}}},
	}
	wantCmds := []bson.D{
		append(slices.Clone(insert), bson.E{Key: "other", Value: bson.A{}}),
		insert,
		{{Key: "ping", Value: int32(1)}, {Key: "$db", Value: "admin"}},
	}
	if diff := cmp.Diff(wantCmds, f.Commands()); diff != "" {
		t.Errorf("Commands (-want +got):\n%s", diff)
	}
}

func TestFakeRawOpQuery(t *testing.T) {
	f := NewFake(t)
	c := wireDial(t, f)

	query := func(requestID int32, doc []byte) []byte {
		msg := appendWireHeader(nil, requestID, 0, wireOpQuery)
		msg = binary.LittleEndian.AppendUint32(msg, 0)
		msg = append(msg, "admin.$cmd\x00"...)
		msg = binary.LittleEndian.AppendUint32(msg, 0)
		msg = binary.LittleEndian.AppendUint32(msg, uint32(0xffffffff)) // -1

		return finishWireMessage(append(msg, doc...))
	}

	wrapped := fakeMarshal(t, bson.D{
		{Key: "$query", Value: bson.D{{Key: "isMaster", Value: 1}, {Key: "helloOk", Value: true}}},
		{Key: "$readPreference", Value: bson.D{{Key: "mode", Value: "primaryPreferred"}}},
	})

	reply := wireRoundTrip(t, c, query(42, wrapped))
	if reply.opCode != wireOpReply || reply.responseTo != 42 || reply.flags != 0 {
		t.Errorf("reply %+v", reply)
	}

	var keys []string
	for _, e := range reply.doc {
		keys = append(keys, e.Key)
	}

	wantKeys := []string{
		"helloOk", "ismaster", "maxBsonObjectSize", "maxMessageSizeBytes", "maxWriteBatchSize", "localTime",
		"logicalSessionTimeoutMinutes", "connectionId", "minWireVersion", "maxWireVersion", "readOnly", "ok",
	}
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("isMaster reply keys (-want +got):\n%s", diff)
	}

	// hello over OP_MSG, without helloOk
	reply = wireRoundTrip(t, c, wireOpMsgMessage(43, 0, fakeMarshal(t, bson.D{{Key: "hello", Value: 1}, {Key: "$db", Value: "admin"}})))
	if reply.opCode != wireOpMsg || reply.responseTo != 43 || reply.doc[0].Key != "isWritablePrimary" {
		t.Errorf("reply %+v", reply)
	}

	// unwrapped query, any command
	reply = wireRoundTrip(t, c, query(44, fakeMarshal(t, bson.D{{Key: "foo", Value: 1}})))
	want := wireReply{responseTo: 44, opCode: wireOpReply, doc: CommandError(59, "CommandNotFound", "no such command: 'foo'")}

	if diff := cmp.Diff(want, reply, cmp.AllowUnexported(wireReply{})); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}

	if diff := cmp.Diff([]bson.D{{{Key: "foo", Value: int32(1)}}}, f.Commands()); diff != "" {
		t.Errorf("Commands (-want +got):\n%s", diff)
	}
}

func TestFakeRawInvalid(t *testing.T) {
	f := NewFake(t)

	noBody := appendWireHeader(nil, 1, 0, wireOpMsg)
	noBody = binary.LittleEndian.AppendUint32(noBody, 0)
	noBody = finishWireMessage(append(noBody, wireDocSequence("documents")...))

	for name, msg := range map[string][]byte{
		"OP_COMPRESSED": finishWireMessage(append(appendWireHeader(nil, 1, 0, wireOpCompressed), make([]byte, 9)...)),
		"OP_INSERT":     finishWireMessage(append(appendWireHeader(nil, 1, 0, 2002), make([]byte, 9)...)),
		"NoBody":        noBody,
		"BadLength":     {3, 0, 0, 0},
		"BadKind":       wireOpMsgMessage(1, 0, fakeMarshal(t, bson.D{{Key: "ping", Value: 1}}), []byte{2, 5, 0, 0, 0, 0}),
	} {
		t.Run(name, func(t *testing.T) {
			c := wireDial(t, f)

			if _, err := c.Write(msg); err != nil {
				t.Fatal(err)
			}

			_ = c.SetReadDeadline(time.Now().Add(fakeTimeout))
			if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
				t.Errorf("got %v, want EOF", err)
			}
		})
	}

	if cmds := f.Commands(); len(cmds) != 0 {
		t.Errorf("Commands = %v", cmds)
	}
}

// FuzzParseWireMessage feeds arbitrary bytes to the fake's message reader and parser: they must return, never
// panic, and a message they accept must carry a valid BSON command.
func FuzzParseWireMessage(f *testing.F) {
	ping := fakeMust(bson.Marshal(bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: "admin"}}))
	f.Add(wireOpMsgMessage(1, 0, ping))
	f.Add(wireOpMsgMessage(2, 0, ping, wireDocSequence("documents", ping, ping)))
	f.Add([]byte{16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xdd, 7, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := readWireMessage(bytes.NewReader(data))
		if err != nil {
			return
		}
		req, err := parseWireMessage(msg)
		if err != nil {
			return
		}
		if err := req.cmd.Validate(); err != nil {
			t.Errorf("accepted a message whose command is not valid BSON: %v (% x)", err, data)
		}
	})
}
