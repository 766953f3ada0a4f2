package front

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/gomotor/motor/internal/wire"
)

// The proxy loop: one goroutine per client connection reads a request, applies the rules of rules.go and answers it,
// one request at a time, over its own upstream connection to FerretDB.

const (
	// dialTimeout bounds a dial to FerretDB.
	dialTimeout = 10 * time.Second

	// keepBuffer is the largest buffer a connection keeps between messages; larger ones (up to 48 MB) are dropped
	// after use.
	keepBuffer = 1 << 20

	// ioBuffer is the size of each connection's read buffers.
	ioBuffer = 32 << 10
)

// Front is a running conformance front: a TCP listener whose connections it relays to FerretDB. Its methods are
// safe for concurrent use.
type Front struct {
	ln       net.Listener
	upstream string
	rules    *table
	uniques  uniqueCache // the unique indexes that the rules have looked up

	mu     sync.Mutex
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Start listens on addr ("" means 127.0.0.1 and a port the kernel picks) and relays every connection to the server
// at upstream ("host:port") through the rules.
func Start(addr, upstream string) (*Front, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("front: %w", err)
	}
	f := &Front{ln: ln, upstream: upstream, rules: compile(rules), conns: map[*conn]struct{}{}}
	f.wg.Add(1)
	go f.accept()
	return f, nil
}

// Addr returns the front's address, "127.0.0.1:PORT".
func (f *Front) Addr() string { return f.ln.Addr().String() }

// Upstream returns the address of the server behind the front.
func (f *Front) Upstream() string { return f.upstream }

// Close stops listening, closes every client and upstream connection and waits for the front's goroutines to end.
// Calling it again returns nil.
func (f *Front) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	err := f.ln.Close()
	for c := range f.conns {
		c.closeLocked()
	}
	f.mu.Unlock()
	f.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

func (f *Front) accept() {
	defer f.wg.Done()
	for {
		nc, err := f.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		c := &conn{f: f, c: nc, r: bufio.NewReaderSize(nc, ioBuffer)}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			_ = nc.Close()
			return
		}
		f.conns[c] = struct{}{}
		f.wg.Add(1)
		f.mu.Unlock()
		go func() {
			defer f.wg.Done()
			c.serve()
			f.mu.Lock()
			delete(f.conns, c)
			c.closeLocked()
			f.mu.Unlock()
		}()
	}
}

// conn is one client connection and its upstream connection. Only its goroutine uses its fields, except c and up,
// which Close closes under Front.mu.
type conn struct {
	f *Front
	c net.Conn
	r *bufio.Reader

	up  net.Conn // nil until dialled, and after a drop
	upr *bufio.Reader

	// stale counts the replies that upstream still owes for requests whose answer the client must never see: a
	// fire-and-forget message (FerretDB answers it anyway), or a command that ran out of time. They are read and
	// discarded before the next request goes upstream.
	stale int

	// authed is set once the connection has sent an authentication command: its upstream connection cannot be
	// replaced without losing the authentication, so a late reply is drained rather than the connection dropped.
	authed bool

	in, rep, out []byte // reused buffers: request, upstream reply, reply to the client
	msg          wire.Msg
	cmd          Command
	nextID       int32 // request IDs of the front's own commands, counting down from -1
}

func (c *conn) closeLocked() {
	_ = c.c.Close()
	if c.up != nil {
		_ = c.up.Close()
	}
}

// serve handles the client's requests until the connection closes or fails.
func (c *conn) serve() {
	if err := c.dial(); err != nil {
		if tc, ok := c.c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // the server is down: the client sees its connection reset, as it would without a front
		}
		return
	}
	for {
		msg, err := wire.ReadMessage(c.r, c.in)
		if err != nil {
			return
		}
		c.in = msg[:0]
		if err = c.handle(msg); err != nil {
			return
		}
		if cap(c.in) > keepBuffer {
			c.in = nil
		}
		if cap(c.rep) > keepBuffer {
			c.rep = nil
		}
		if cap(c.out) > keepBuffer {
			c.out = nil
		}
	}
}

// dial opens the upstream connection.
func (c *conn) dial() error {
	up, err := net.DialTimeout("tcp", c.f.upstream, dialTimeout)
	if err != nil {
		return err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if c.f.closed {
		_ = up.Close()
		return net.ErrClosed
	}
	c.up, c.upr, c.stale = up, bufio.NewReaderSize(up, ioBuffer), 0
	return nil
}

// drop closes the upstream connection; the next request dials a new one.
func (c *conn) drop() {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if c.up != nil {
		_ = c.up.Close()
	}
	c.up, c.upr, c.stale = nil, nil, 0
}

// errClose ends a connection without a reply.
var errClose = errors.New("close the connection")

// handle answers one client message.
func (c *conn) handle(msg []byte) error {
	h := wire.ParseHeader(msg)
	switch h.OpCode {
	case wire.OpMsg:
		if err := wire.ParseOpMsg(msg[wire.HeaderLen:], &c.msg); err != nil {
			return err // FerretDB closes the connection on a malformed message too
		}
		return c.command(h, msg)

	case wire.OpQuery:
		// The legacy handshake (isMaster) and PyMongo's find_raw_batches; FerretDB answers OP_QUERY with OP_REPLY.
		var q wire.Query
		if err := wire.ParseOpQuery(msg[wire.HeaderLen:], &q); err != nil {
			return err
		}
		if e := scanValues(q.Query); e != nil {
			c.out = wire.AppendOpReply(c.out[:0], c.replyID(), h.RequestID, wire.ReplyQueryFailure, e.legacyDoc())
			return c.write(c.out)
		}
		return c.relay(msg)

	case wire.OpGetMore:
		// FerretDB v1 closes the connection on a legacy OP_GET_MORE (PyMongo's aggregate_raw_batches after a
		// batchSize 0 aggregate). Answer it with a query failure instead, as MongoDB answers a removed opcode.
		e := &Error{Code: codeNotImplemented, CodeName: "NotImplemented",
			Msg: "FerretDB v1 does not support the legacy OP_GET_MORE message; use the getMore command"}
		c.out = wire.AppendOpReply(c.out[:0], c.replyID(), h.RequestID, wire.ReplyQueryFailure, e.legacyDoc())
		return c.write(c.out)
	}
	// OP_INSERT, OP_UPDATE, OP_DELETE, OP_KILL_CURSORS, OP_COMPRESSED and unknown opcodes: FerretDB v1 closes the
	// connection, and there is no reply to give for the fire-and-forget ones; close it here, before FerretDB sees it.
	return errClose
}

// command answers an OP_MSG.
func (c *conn) command(h wire.Header, msg []byte) error {
	cmd := &c.cmd
	*cmd = Command{Body: c.msg.Body, Seqs: c.msg.Seqs, MoreToCome: c.msg.Flags&wire.FlagMoreToCome != 0, front: c.f}
	key := firstKey(cmd.Body)
	e := c.f.rules.byName[string(key)] // no allocation
	if e != nil {
		cmd.Name = e.name
	}
	if isAuthCommand(key) || isHello(key) && cmd.Lookup("speculativeAuthenticate").Type != 0 {
		c.authed = true
	}

	// Refusals: the command's own, which say the most, then the checks every command gets.
	var serve *Rule
	if e != nil {
		for _, r := range e.refuse {
			if err := r.Refuse(cmd); err != nil {
				return c.replyError(h, cmd, err)
			}
		}
	}
	for _, r := range c.f.rules.global {
		if err := r.Refuse(cmd); err != nil {
			return c.replyError(h, cmd, err)
		}
	}
	if e != nil {
		for _, r := range e.serve {
			if r.Applies == nil || r.Applies(cmd) {
				serve = r
				break
			}
		}
	}

	if serve == nil && (e == nil || len(e.repair) == 0) {
		if cmd.MoreToCome {
			// FerretDB v1 answers a fire-and-forget OP_MSG (moreToCome, for example a w:0 write) although no
			// reply is expected, and the Go driver then reads that reply as the answer to its next command on the
			// connection. Send it upstream as an ordinary request and throw its reply away.
			if err := c.send(clearMoreToCome(msg)); err != nil {
				return err
			}
			c.stale++
			return nil
		}
		return c.relay(msg) // the fast path: no document is decoded beyond the command name
	}

	x := &Exchange{c: c, Cmd: cmd, msg: msg}
	var reply bsoncore.Document
	var err error
	if serve != nil {
		reply, err = serve.Serve(x)
	} else {
		reply, err = x.Forward(0)
	}
	if errors.Is(err, ErrTimeout) {
		reply, err = maxTimeExpired().doc(), nil
	}
	if err != nil {
		return err
	}
	for _, r := range e.repair {
		if fixed := r.Repair(cmd, reply); fixed != nil {
			reply = fixed
		}
	}
	if cmd.MoreToCome {
		return nil
	}
	c.out = wire.AppendOpMsg(c.out[:0], c.replyID(), h.RequestID, 0, reply)
	return c.write(c.out)
}

// replyError answers with a server error, or with nothing if the client expects no reply.
func (c *conn) replyError(h wire.Header, cmd *Command, e *Error) error {
	if cmd.MoreToCome {
		return nil
	}
	c.out = wire.AppendOpMsg(c.out[:0], c.replyID(), h.RequestID, 0, e.doc())
	return c.write(c.out)
}

// relay sends msg upstream and forwards the reply verbatim, and the replies that follow it while they carry the
// moreToCome flag (an exhaust cursor).
func (c *conn) relay(msg []byte) error {
	if err := c.send(msg); err != nil {
		return err
	}
	for {
		rep, err := c.recv(0)
		if err != nil {
			return err
		}
		if err = c.write(rep); err != nil {
			return err
		}
		if !replyMoreToCome(rep) {
			return nil
		}
	}
}

// send writes a message upstream, after dialling if needed and reading the replies it still owes.
func (c *conn) send(msg []byte) error {
	if c.up == nil {
		if err := c.dial(); err != nil {
			return err
		}
	}
	for c.stale > 0 {
		for {
			rep, err := c.recv(0)
			if err != nil {
				return err
			}
			if !replyMoreToCome(rep) {
				break
			}
		}
		c.stale--
	}
	_, err := c.up.Write(msg)
	return err
}

// recv reads one reply from upstream into c.rep. With a timeout, it returns ErrTimeout when no reply has started to
// arrive in that time; then the reply is still owed.
func (c *conn) recv(timeout time.Duration) ([]byte, error) {
	if timeout > 0 {
		_ = c.up.SetReadDeadline(time.Now().Add(timeout))
		_, err := c.upr.Peek(1)
		_ = c.up.SetReadDeadline(time.Time{})
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil, ErrTimeout
			}
			return nil, err
		}
	}
	rep, err := wire.ReadMessage(c.upr, c.rep)
	if err != nil {
		return nil, err
	}
	c.rep = rep[:0]
	return rep, nil
}

func (c *conn) write(msg []byte) error {
	_, err := c.c.Write(msg)
	return err
}

// replyID returns a request ID for a message the front makes up.
func (c *conn) replyID() int32 {
	c.nextID--
	return c.nextID
}

// replyMoreToCome reports whether an upstream reply says that more replies follow.
func replyMoreToCome(rep []byte) bool {
	return len(rep) > wire.HeaderLen+4 && wire.ParseHeader(rep).OpCode == wire.OpMsg &&
		binary.LittleEndian.Uint32(rep[wire.HeaderLen:])&wire.FlagMoreToCome != 0
}

// clearMoreToCome turns msg, a fire-and-forget OP_MSG, into one that expects a reply, in place. A checksum would no
// longer match, so it is removed.
func clearMoreToCome(msg []byte) []byte {
	flags := binary.LittleEndian.Uint32(msg[wire.HeaderLen:])
	if flags&wire.FlagChecksumPresent != 0 {
		msg = msg[:len(msg)-4]
		binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
	}
	flags &^= wire.FlagMoreToCome | wire.FlagChecksumPresent
	binary.LittleEndian.PutUint32(msg[wire.HeaderLen:], flags)
	return msg
}

// firstKey returns the first key of doc, or nil.
func firstKey(doc []byte) []byte {
	if len(doc) < 6 {
		return nil
	}
	b := doc[5:]
	for i, ch := range b {
		if ch == 0 {
			return b[:i]
		}
	}
	return nil
}

// isAuthCommand reports whether a command name authenticates the connection.
func isAuthCommand(name []byte) bool {
	switch string(name) {
	case "saslStart", "saslContinue", "authenticate":
		return true
	}
	return false
}

// isHello reports whether a command name is the handshake, which may carry speculative authentication.
func isHello(name []byte) bool {
	switch string(name) {
	case "hello", "isMaster", "ismaster":
		return true
	}
	return false
}

// ErrTimeout is the error of [Exchange.Forward] and [Exchange.RoundTrip] when the reply does not start within the
// timeout. The command loop turns it into MaxTimeMSExpired.
var ErrTimeout = errors.New("front: operation exceeded time limit")

// Exchange is what a [Rule]'s Serve hook talks to upstream through, for one client command.
type Exchange struct {
	c   *conn
	Cmd *Command
	msg []byte
}

// Forward sends the client's message upstream (as a request that expects a reply) and returns the reply's body. A
// timeout > 0 bounds the wait; see [ErrTimeout]. The reply is valid until the next call.
func (x *Exchange) Forward(timeout time.Duration) (bsoncore.Document, error) {
	msg := x.msg
	if x.Cmd.MoreToCome {
		msg = clearMoreToCome(msg)
	}
	return x.roundTrip(msg, timeout)
}

// RoundTrip sends a command of the front's own, doc (with its $db), upstream and returns the reply's body. A
// timeout > 0 bounds the wait; see [ErrTimeout]. The reply is valid until the next call.
func (x *Exchange) RoundTrip(doc bsoncore.Document, timeout time.Duration) (bsoncore.Document, error) {
	msg := wire.AppendOpMsg(nil, x.c.replyID(), 0, 0, doc)
	return x.roundTrip(msg, timeout)
}

func (x *Exchange) roundTrip(msg []byte, timeout time.Duration) (bsoncore.Document, error) {
	c := x.c
	if err := c.send(msg); err != nil {
		return nil, err
	}
	rep, err := c.recv(timeout)
	if errors.Is(err, ErrTimeout) {
		// The late reply must never reach the client. Without authentication, a new upstream connection is
		// cheapest; with it, the connection is kept and the reply drained before the next request.
		if c.authed {
			c.stale++
		} else {
			c.drop()
		}
		return nil, ErrTimeout
	}
	if err != nil {
		return nil, err
	}
	doc, err := wire.ReplyDoc(rep)
	if err != nil {
		return nil, err
	}
	return bsoncore.Document(doc), nil
}
