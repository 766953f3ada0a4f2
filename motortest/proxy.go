package motortest

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Fault is what a [Proxy] does to the server's replies.
type Fault int

const (
	// FaultNone forwards every reply.
	FaultNone Fault = iota
	// FaultReset resets the client's connection (TCP RST) when the next reply arrives, instead of forwarding it: the
	// server has run the command, the client never hears back. One reply only.
	FaultReset
	// FaultCutReply forwards the first half of the next reply, then closes the connection. One reply only.
	FaultCutReply
	// FaultStall holds every reply until the fault is cleared with [Proxy.SetFault](FaultNone), which delivers them.
	FaultStall
	// FaultDrop discards every reply while it is set; the connections stay open, so clients wait until their
	// deadline.
	FaultDrop
)

// String names the fault.
func (f Fault) String() string {
	switch f {
	case FaultNone:
		return "none"
	case FaultReset:
		return "reset"
	case FaultCutReply:
		return "cut reply"
	case FaultStall:
		return "stall"
	case FaultDrop:
		return "drop"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Proxy is a loopback TCP proxy between clients and a MongoDB-wire server, for fault-injection tests. It forwards
// requests as they come and the server's replies one wire message at a time, applying the fault in force
// ([Proxy.SetFault]). The server behind it can change ([Proxy.SetTarget]), so a test can stop a server and start
// another on the same data while clients keep the proxy's address. Its methods are safe for concurrent use.
type Proxy struct {
	ln net.Listener

	mu      sync.Mutex
	target  string
	fault   Fault
	resume  chan struct{} // closed when a stall ends
	conns   map[net.Conn]net.Conn
	faults  int // faults applied
	closed  bool
	serving sync.WaitGroup
}

// NewProxy starts a proxy to the server at target ("host:port") and closes it when the test ends.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	p, err := StartProxy(target)
	if err != nil {
		tb.Fatalf("motortest: %v", err)
	}
	tb.Cleanup(func() { _ = p.Close() })
	return p
}

// StartProxy starts a proxy to the server at target on 127.0.0.1 and a free port. Close it with [Proxy.Close].
func StartProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]net.Conn{}, resume: make(chan struct{})}
	p.serving.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's address, "127.0.0.1:PORT".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URI returns a connection string to the proxy that connects to it directly, as to a single server.
func (p *Proxy) URI() string { return "mongodb://" + p.Addr() + "/?directConnection=true" }

// SetTarget makes new connections go to the server at target. Open connections keep their server.
func (p *Proxy) SetTarget(target string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = target
}

// SetFault sets what the proxy does to the server's replies from now on. Clearing a stall delivers the replies it
// held.
func (p *Proxy) SetFault(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fault == FaultStall && f != FaultStall {
		close(p.resume)
		p.resume = make(chan struct{})
	}
	p.fault = f
}

// Faults returns how many replies a fault has been applied to.
func (p *Proxy) Faults() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faults
}

// ResetAll resets every open connection (TCP RST on both sides), as a server crash or a network failure would.
func (p *Proxy) ResetAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, s := range p.conns {
		reset(c)
		reset(s)
	}
}

// Conns returns how many client connections are open through the proxy.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Close stops accepting, closes every connection and waits for the proxy's goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	err := p.ln.Close()
	for c, s := range p.conns {
		_ = c.Close()
		_ = s.Close()
	}
	if p.fault == FaultStall {
		close(p.resume)
		p.resume = make(chan struct{})
		p.fault = FaultNone
	}
	p.mu.Unlock()
	p.serving.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.serving.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		target, closed := p.target, p.closed
		p.mu.Unlock()
		if closed {
			_ = c.Close()
			return
		}
		s, err := net.DialTimeout("tcp", target, 5*time.Second)
		if err != nil {
			reset(c) // the server is down: the client sees its connection refused, as it would without a proxy
			continue
		}
		p.mu.Lock()
		p.conns[c] = s
		p.mu.Unlock()
		p.serving.Add(2)
		go func() {
			defer p.serving.Done()
			_, _ = io.Copy(s, c) // requests go through as they come
			_ = s.Close()
		}()
		go func() {
			defer p.serving.Done()
			p.replies(c, s)
			p.mu.Lock()
			delete(p.conns, c)
			p.mu.Unlock()
			_ = c.Close()
			_ = s.Close()
		}()
	}
}

// replies forwards the server's replies on s to c one wire message at a time, applying the fault in force.
func (p *Proxy) replies(c, s net.Conn) {
	for {
		msg, err := readWireMessage(s)
		if err != nil {
			return
		}
		p.mu.Lock()
		f, resume := p.fault, p.resume
		switch f {
		case FaultReset, FaultCutReply:
			p.fault = FaultNone // one reply only
			p.faults++
		case FaultStall, FaultDrop:
			p.faults++
		}
		p.mu.Unlock()
		switch f {
		case FaultReset:
			reset(c)
			return
		case FaultCutReply:
			_, _ = c.Write(msg[:len(msg)/2])
			return
		case FaultDrop:
			continue
		case FaultStall:
			<-resume
		}
		if _, err := c.Write(msg); err != nil {
			return
		}
	}
}

// reset closes c with a TCP RST where it can.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
