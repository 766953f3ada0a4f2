package motortest

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// proxyClient connects a driver client to p, with heartbeats rare enough that only the test's commands meet a fault.
func proxyClient(t *testing.T, p *Proxy) *mongo.Client {
	t.Helper()
	co := options.Client().ApplyURI(p.URI()).SetHeartbeatInterval(time.Minute).SetServerSelectionTimeout(5 * time.Second)
	c, err := mongo.Connect(co)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

func proxyPing(ctx context.Context, c *mongo.Client) error {
	return c.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
}

// TestProxyFaults drives each fault through a proxy in front of a fake server and checks what the client sees, and
// that the client works again once the fault is gone.
func TestProxyFaults(t *testing.T) {
	f := NewFake(t)
	p := NewProxy(t, f.Addr())
	c := proxyClient(t, p)
	if err := proxyPing(t.Context(), c); err != nil {
		t.Fatalf("ping through the proxy: %v", err)
	}

	for _, tc := range []struct {
		fault   Fault
		network bool // a network error, rather than the context's deadline
	}{
		{FaultReset, true},
		{FaultCutReply, true},
		{FaultDrop, false},
		{FaultStall, false},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			before := p.Faults()
			p.SetFault(tc.fault)
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			err := proxyPing(ctx, c)
			switch {
			case err == nil:
				t.Fatal("ping succeeded through the fault")
			case tc.network && !mongo.IsNetworkError(err):
				t.Errorf("ping: %v, want a network error", err)
			case !tc.network && !errors.Is(err, context.DeadlineExceeded):
				t.Errorf("ping: %v, want the context's deadline", err)
			}
			if p.Faults() <= before {
				t.Errorf("faults applied: %d, want more than %d", p.Faults(), before)
			}
			p.SetFault(FaultNone)
			if err := proxyPing(t.Context(), c); err != nil {
				t.Errorf("ping after the fault: %v", err)
			}
		})
	}
}

// TestProxyTarget checks that a proxy sends new connections to a new server after SetTarget, and that ResetAll ends
// the open ones.
func TestProxyTarget(t *testing.T) {
	f1, f2 := NewFake(t), NewFake(t)
	p := NewProxy(t, f1.Addr())
	c := proxyClient(t, p)
	if err := proxyPing(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	p.SetTarget(f2.Addr())
	p.ResetAll()
	// The pooled connection was reset: the first ping may fail on it; the driver then opens a new one to f2.
	if err := proxyPing(t.Context(), c); err != nil && !mongo.IsNetworkError(err) {
		t.Fatalf("ping after ResetAll: %v", err)
	}
	f2.Reset()
	if err := proxyPing(t.Context(), c); err != nil {
		t.Fatalf("ping on the new server: %v", err)
	}
	var pings int
	for _, cmd := range f2.Commands() {
		if cmd[0].Key == "ping" {
			pings++
		}
	}
	if pings != 1 {
		t.Errorf("the new server saw %d pings, want 1: %v", pings, f2.Commands())
	}
}
