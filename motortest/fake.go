package motortest

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor/internal/wire"
)

// The wire protocol's constants, from internal/wire.
const (
	wireOpReply      = wire.OpReply
	wireOpQuery      = wire.OpQuery
	wireOpCompressed = wire.OpCompressed
	wireOpMsg        = wire.OpMsg

	wireFlagChecksumPresent = wire.FlagChecksumPresent
	wireFlagMoreToCome      = wire.FlagMoreToCome

	wireHeaderLen = wire.HeaderLen

	// wireMaxMessageLen is the largest wire message accepted from a client;
	// it is the maxMessageSizeBytes advertised in the hello reply.
	wireMaxMessageLen = wire.MaxMessageLen
)

// Handler returns the reply document for one command.
//
// The command document has every field the driver sent ($db, lsid, ...),
// in received key order, with OP_MSG document sequences (kind 1 sections,
// e.g. insert's "documents") appended at the end as arrays named by their identifiers.
// Each call gets its own copy, so the handler may modify it.
//
// Returning nil closes the connection without a reply (as FerretDB does on $eval),
// so the driver sees a network error.
//
// For a message the client sent with the moreToCome flag (unacknowledged writes, w: 0),
// the handler is still called, but its reply is not sent.
//
// The connection handshake's isMaster arrives over legacy OP_QUERY, so it has no $db.
//
// Handlers may run concurrently for commands received on different connections.
type Handler func(cmd bson.D) bson.D

// Fake is a scripted MongoDB server on 127.0.0.1 for tests.
//
// It speaks the MongoDB wire protocol (OP_MSG, plus OP_QUERY/OP_REPLY for the legacy handshake),
// so the official Go driver connects to it unmodified,
// and it answers commands with replies scripted by [Fake.Handle]
// or with built-in defaults shaped like a MongoDB 7.0 standalone server's.
//
// All methods are safe for concurrent use.
type Fake struct {
	l   net.Listener
	uri string

	wg        sync.WaitGroup // accept loop and per-connection goroutines
	closeOnce sync.Once

	mu         sync.Mutex
	closed     bool
	conns      map[net.Conn]struct{}
	handlers   map[string]Handler // by lowercased command name
	cmds       []bson.Raw
	lastConnID int32
	lastReqID  int32

	// onMessage, if set, is called for every parsed client message (tests only).
	onMessage func(opCode int32, cmd bson.Raw)
}

// NewFake starts a fake on 127.0.0.1:0 and registers tb.Cleanup(f.Close).
// It calls tb.Fatal if the fake can't be started.
func NewFake(tb testing.TB) *Fake {
	tb.Helper()

	f, err := StartFake()
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(f.Close)

	return f
}

// StartFake starts a fake on 127.0.0.1:0, like [NewFake] but without [testing.TB].
// The caller must call [Fake.Close].
func StartFake() (*Fake, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("motortest: %w", err)
	}

	f := &Fake{
		l:        l,
		uri:      "mongodb://" + l.Addr().String() + "/?directConnection=true",
		conns:    make(map[net.Conn]struct{}),
		handlers: make(map[string]Handler),
	}

	f.wg.Add(1)
	go f.acceptLoop()

	return f, nil
}

// URI returns the connection string of the fake, "mongodb://127.0.0.1:PORT/?directConnection=true".
func (f *Fake) URI() string {
	return f.uri
}

// Addr returns the fake's address, "127.0.0.1:PORT".
func (f *Fake) Addr() string {
	return f.l.Addr().String()
}

// Close stops the fake: it closes the listener and all open connections,
// and waits for all its goroutines (including running handlers) to finish.
// It is safe to call Close more than once.
func (f *Fake) Close() {
	f.closeOnce.Do(func() {
		f.mu.Lock()
		f.closed = true
		conns := make([]net.Conn, 0, len(f.conns))
		for c := range f.conns {
			conns = append(conns, c)
		}
		f.mu.Unlock()

		_ = f.l.Close()

		for _, c := range conns {
			_ = c.Close()
		}

		f.wg.Wait()
	})
}

// Handle scripts the reply to a command by its name: the first key of the command document,
// compared case-insensitively like MongoDB does (e.g. "getLastError" also matches "getlasterror").
// Later calls replace earlier ones for the same name; a nil h restores the built-in default.
//
// A "hello" handler also answers "isMaster"/"ismaster" (including the connection handshake)
// unless an "isMaster" handler is set.
func (f *Fake) Handle(name string, h Handler) {
	name = strings.ToLower(name)

	f.mu.Lock()
	defer f.mu.Unlock()

	if h == nil {
		delete(f.handlers, name)
		return
	}

	f.handlers[name] = h
}

// Commands returns every command received so far, in order, as received (key order kept),
// except the connection handshake and monitoring commands (hello, isMaster) and endSessions.
// The returned documents are copies; modifying them does not affect the fake.
func (f *Fake) Commands() []bson.D {
	f.mu.Lock()
	raws := make([]bson.Raw, len(f.cmds))
	copy(raws, f.cmds)
	f.mu.Unlock()

	res := make([]bson.D, 0, len(raws))
	for _, raw := range raws {
		res = append(res, fakeDecode(raw))
	}

	return res
}

// Reset forgets recorded commands. Handlers are kept.
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.cmds = nil
}

// OK returns a successful reply: the given fields followed by ok: 1.0.
func OK(fields ...bson.E) bson.D {
	res := make(bson.D, 0, len(fields)+1)
	res = append(res, fields...)

	return append(res, bson.E{Key: "ok", Value: 1.0})
}

// CommandError returns an error reply in MongoDB's field order:
// {ok: 0.0, errmsg: errmsg, code: code, codeName: codeName}.
func CommandError(code int32, codeName, errmsg string) bson.D {
	return bson.D{
		{Key: "ok", Value: 0.0},
		{Key: "errmsg", Value: errmsg},
		{Key: "code", Value: code},
		{Key: "codeName", Value: codeName},
	}
}

// acceptLoop accepts connections until the listener is closed.
func (f *Fake) acceptLoop() {
	defer f.wg.Done()

	for {
		c, err := f.l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}

			// temporary error (e.g. too many open files); don't spin
			time.Sleep(10 * time.Millisecond)

			continue
		}

		f.mu.Lock()

		if f.closed {
			f.mu.Unlock()
			_ = c.Close()

			return
		}

		f.conns[c] = struct{}{}
		f.lastConnID++
		connID := f.lastConnID

		// Add is called while the accept loop itself is counted, so it can't race with Wait returning.
		f.wg.Add(1)
		f.mu.Unlock()

		go f.serve(c, connID)
	}
}

// serve handles one client connection until it is closed or a protocol error happens.
func (f *Fake) serve(c net.Conn, connID int32) {
	defer f.wg.Done()

	defer func() {
		_ = c.Close()

		f.mu.Lock()
		delete(f.conns, c)
		f.mu.Unlock()
	}()

	for {
		msg, err := readWireMessage(c)
		if err != nil {
			return
		}

		if !f.handleMessage(c, connID, msg) {
			return
		}
	}
}

// fakeCommandName returns the first key of the command document, or "" for an empty document.
func fakeCommandName(cmd bson.Raw) string {
	elems, err := cmd.Elements()
	if err != nil || len(elems) == 0 {
		return ""
	}

	return elems[0].Key()
}

// fakeDecode decodes a validated document into bson.D.
func fakeDecode(raw bson.Raw) bson.D {
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		panic(fmt.Sprintf("motortest: can't decode validated document: %s", err))
	}

	return d
}

// fakeLookup returns the value of the first top-level field with the given key.
func fakeLookup(d bson.D, key string) (any, bool) {
	for _, e := range d {
		if e.Key == key {
			return e.Value, true
		}
	}

	return nil, false
}

// fakeDefaultReply returns the built-in reply to a command without a handler.
func fakeDefaultReply(name string, cmd bson.D, connID int32) bson.D {
	switch strings.ToLower(name) {
	case "hello", "ismaster":
		return fakeHelloReply(name, cmd, connID)

	case "ping", "endsessions":
		return OK()

	case "buildinfo":
		return OK(
			bson.E{Key: "version", Value: "7.0.0"},
			bson.E{Key: "versionArray", Value: bson.A{int32(7), int32(0), int32(0), int32(0)}},
		)

	case "killcursors":
		killed := bson.A{}
		if v, ok := fakeLookup(cmd, "cursors"); ok {
			if a, ok := v.(bson.A); ok {
				killed = a
			}
		}

		return OK(
			bson.E{Key: "cursorsKilled", Value: killed},
			bson.E{Key: "cursorsNotFound", Value: bson.A{}},
			bson.E{Key: "cursorsAlive", Value: bson.A{}},
			bson.E{Key: "cursorsUnknown", Value: bson.A{}},
		)

	default:
		return CommandError(59, "CommandNotFound", fmt.Sprintf("no such command: '%s'", name))
	}
}

// fakeHelloReply returns a reply to hello/isMaster like a MongoDB 7.0 standalone's (without topologyVersion,
// so the driver polls instead of using streaming monitoring).
func fakeHelloReply(name string, cmd bson.D, connID int32) bson.D {
	var res bson.D

	// like MongoDB, echo helloOk only if the client asked for it
	if v, ok := fakeLookup(cmd, "helloOk"); ok && v == true {
		res = append(res, bson.E{Key: "helloOk", Value: true})
	}

	if strings.EqualFold(name, "hello") {
		res = append(res, bson.E{Key: "isWritablePrimary", Value: true})
	} else {
		res = append(res, bson.E{Key: "ismaster", Value: true})
	}

	return append(res,
		bson.E{Key: "maxBsonObjectSize", Value: int32(16777216)},
		bson.E{Key: "maxMessageSizeBytes", Value: int32(wireMaxMessageLen)},
		bson.E{Key: "maxWriteBatchSize", Value: int32(100000)},
		bson.E{Key: "localTime", Value: bson.NewDateTimeFromTime(time.Now())},
		bson.E{Key: "logicalSessionTimeoutMinutes", Value: int32(30)},
		bson.E{Key: "connectionId", Value: connID},
		bson.E{Key: "minWireVersion", Value: int32(0)},
		bson.E{Key: "maxWireVersion", Value: int32(21)},
		bson.E{Key: "readOnly", Value: false},
		bson.E{Key: "ok", Value: 1.0},
	)
}

// handleMessage parses msg, records and dispatches the command, and writes the reply.
// It returns false if the connection should be closed.
func (f *Fake) handleMessage(c net.Conn, connID int32, msg []byte) bool {
	req, err := parseWireMessage(msg)
	if err != nil {
		return false
	}

	f.mu.Lock()
	hook := f.onMessage
	f.mu.Unlock()

	if hook != nil {
		hook(req.opCode, req.cmd)
	}

	name := fakeCommandName(req.cmd)
	lname := strings.ToLower(name)

	switch lname {
	case "hello", "ismaster", "endsessions":
		// not recorded
	default:
		f.mu.Lock()
		f.cmds = append(f.cmds, req.cmd)
		f.mu.Unlock()
	}

	f.mu.Lock()
	h := f.handlers[lname]
	if h == nil && lname == "ismaster" {
		h = f.handlers["hello"]
	}
	f.mu.Unlock()

	if h == nil {
		h = func(cmd bson.D) bson.D { return fakeDefaultReply(name, cmd, connID) }
	}

	reply := h(fakeDecode(req.cmd))
	if reply == nil {
		return false
	}

	if req.moreToCome {
		return true
	}

	doc, err := bson.Marshal(reply)
	if err != nil {
		doc, err = bson.Marshal(CommandError(
			1, "InternalError", fmt.Sprintf("motortest: can't marshal reply to %q: %s", name, err),
		))
		if err != nil {
			return false
		}
	}

	f.mu.Lock()
	f.lastReqID++
	replyID := f.lastReqID
	f.mu.Unlock()

	var out []byte
	if req.opCode == wireOpQuery {
		out = buildOpReply(replyID, req.requestID, doc)
	} else {
		out = buildOpMsg(replyID, req.requestID, doc)
	}

	_, err = c.Write(out)

	return err == nil
}
