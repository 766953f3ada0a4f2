package motor

import (
	"context"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// driverRef holds a Client's driver client. The deprecated Database.Authenticate and Logout (deprecated_auth.go)
// replace it while operations run, because the driver takes credentials only when a client is made; this type is
// all that the rest of motor sees of that. Operations hold the current conn's gate for reading while they use it, so
// that a swap or Disconnect can wait for the operations in flight before it closes the driver client: one atomic add
// on the way in and one on the way out.
type driverRef struct {
	cur atomic.Pointer[conn]
	mu  sync.Mutex // serialises swap and close, and guards what callers keep beside it (Client.login)
}

// conn is one driver client.
type conn struct {
	mc     *mongo.Client
	gate   sync.RWMutex
	closed bool
}

// store sets the first driver client.
func (r *driverRef) store(mc *mongo.Client) { r.cur.Store(&conn{mc: mc}) }

// load returns the current driver client, nil after close, without holding it.
func (r *driverRef) load() *conn { return r.cur.Load() }

// acquire returns the current driver client, held open until release is called.
func (r *driverRef) acquire() (*conn, error) {
	for {
		cn := r.cur.Load()
		if cn == nil {
			return nil, ErrClientDisconnected
		}
		cn.gate.RLock()
		if !cn.closed {
			return cn, nil
		}
		cn.gate.RUnlock()
		if r.cur.Load() == cn {
			return nil, ErrClientDisconnected
		}
	}
}

func (cn *conn) release() { cn.gate.RUnlock() }

// close waits for the operations in flight to end, or for ctx to be done, then disconnects the driver client with
// ctx: the driver closes the connections still in use when ctx is done, which ends the operations on them. A second
// close returns nil.
func (r *driverRef) close(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cn := r.cur.Swap(nil)
	if cn == nil {
		return nil
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		cn.gate.Lock() // waits for the operations holding the gate; acquire then sees no conn
		cn.closed = true
		cn.gate.Unlock()
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return cn.mc.Disconnect(ctx)
}

// swap makes mc the driver client, then closes the previous one once the operations in flight on it have ended
// (cursors and sessions made from it stop working). It waits for that until ctx is done and lets it finish in the
// background after that; errors from closing the old client are dropped. r.mu must be held.
func (r *driverRef) swap(ctx context.Context, mc *mongo.Client) {
	old := r.cur.Swap(&conn{mc: mc})
	if old == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		old.gate.Lock() // waits for the operations holding the gate; acquire then moves on to the new conn
		old.closed = true
		old.gate.Unlock()
		_ = old.mc.Disconnect(context.WithoutCancel(ctx))
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// checkNew pings mc, a driver client just made, and disconnects it if the ping fails: the deprecated Authenticate
// checks a client's credentials this way before it swaps the client in.
func checkNew(ctx context.Context, mc *mongo.Client) error {
	if err := mc.Ping(ctx, nil); err != nil {
		_ = mc.Disconnect(context.WithoutCancel(ctx))
		return err
	}
	return nil
}
