package motor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// uriHost returns the first host of a mongodb:// URI.
func uriHost(uri string) string {
	h := strings.TrimPrefix(uri, "mongodb://")
	if i := strings.IndexAny(h, "/?,"); i >= 0 {
		h = h[:i]
	}
	if i := strings.LastIndexByte(h, '@'); i >= 0 {
		h = h[i+1:]
	}
	return h
}

// wrapDriverClient returns a client made by NewClient of a driver client of uri; it is disconnected at the end of
// the test.
func wrapDriverClient(t testing.TB, uri string) *motor.Client {
	t.Helper()
	mc, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	c, err := motor.NewClient(mc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

// TestTopologyStandalone checks the accessors on the test server, a standalone, against its own hello, and that
// they send nothing.
func TestTopologyStandalone(t *testing.T) {
	ctx := t.Context()
	c, rec := newClient(t)
	hello, err := c.Database("admin").Command(ctx, "hello", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec.Reset()

	addr, err := c.Address(ctx)
	if err != nil {
		t.Fatal(err)
	}
	isPrimary, err := c.IsPrimary(ctx)
	if err != nil || !isPrimary {
		t.Errorf("IsPrimary = %v, %v", isPrimary, err)
	}
	isMongos, err := c.IsMongos(ctx)
	if err != nil || isMongos != (getField(hello, "msg") == "isdbgrid") {
		t.Errorf("IsMongos = %v, %v", isMongos, err)
	}
	for _, tc := range []struct {
		get   func(context.Context) (int, error)
		field string
	}{
		{c.MaxBSONSize, "maxBsonObjectSize"},
		{c.MaxMessageSize, "maxMessageSizeBytes"},
		{c.MaxWriteBatchSize, "maxWriteBatchSize"},
	} {
		got, err := tc.get(ctx)
		if want, _ := getField(hello, tc.field).(int32); err != nil || got != int(want) {
			t.Errorf("%s: got %d, %v; hello says %d", tc.field, got, err, want)
		}
	}
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("the accessors sent %v", names)
	}
	if motortest.Real() {
		return // the deployment may be anything
	}
	host := uriHost(motortest.URI(t))
	diff(t, "Address", host, addr)
	diff(t, "Nodes", []string{host}, c.Nodes())
	if c.Primary() != "" || c.Secondaries() != nil || c.Arbiters() != nil {
		t.Errorf("a standalone has Primary %q, Secondaries %v, Arbiters %v", c.Primary(), c.Secondaries(), c.Arbiters())
	}

	if err := c.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Address(ctx); !errors.Is(err, motor.ErrClientDisconnected) || err.Error() != "motor: address: client is disconnected" {
		t.Errorf("Address after Disconnect = %v", err)
	}
	if n := c.Nodes(); n != nil {
		t.Errorf("Nodes after Disconnect = %v", n)
	}
}

// TestTopologyFake checks the accessors on what FerretDB cannot be: a direct connection to a secondary, a mongos,
// and a server that advertises no limits (PyMongo's defaults apply).
func TestTopologyFake(t *testing.T) {
	ctx := t.Context()
	type want struct {
		isPrimary, isMongos           bool
		maxBSON, maxMessage, maxBatch int
	}
	for _, tc := range []struct {
		desc  string
		hello func(f *motortest.Fake)
		want  want
	}{
		{"standalone", func(f *motortest.Fake) {}, want{true, false, 16777216, 48000000, 100000}},
		{"mongos", fakeMongos, want{true, true, 16777216, 48000000, 100000}},
		{"secondary, direct", func(f *motortest.Fake) {
			fakeHello(f, bson.E{Key: "isWritablePrimary", Value: false}, bson.E{Key: "secondary", Value: true},
				bson.E{Key: "setName", Value: "rs0"}, bson.E{Key: "hosts", Value: bson.A{f.Addr()}}, bson.E{Key: "me", Value: f.Addr()})
		}, want{false, false, 16777216, 48000000, 100000}},
		{"no limits", func(f *motortest.Fake) {
			f.Handle("hello", func(bson.D) bson.D {
				return motortest.OK(bson.E{Key: "isWritablePrimary", Value: true},
					bson.E{Key: "minWireVersion", Value: int32(0)}, bson.E{Key: "maxWireVersion", Value: int32(21)})
			})
		}, want{true, false, 16 << 20, 32 << 20, 1000}},
		{"small limits", func(f *motortest.Fake) {
			f.Handle("hello", func(bson.D) bson.D {
				return motortest.OK(bson.E{Key: "isWritablePrimary", Value: true}, bson.E{Key: "maxBsonObjectSize", Value: int32(2000)},
					bson.E{Key: "minWireVersion", Value: int32(0)}, bson.E{Key: "maxWireVersion", Value: int32(21)})
			})
		}, want{true, false, 2000, 4000, 1000}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			f := motortest.NewFake(t)
			tc.hello(f)
			c := fakeClient(t, f)
			var got want
			var errs [5]error
			got.isPrimary, errs[0] = c.IsPrimary(ctx)
			got.isMongos, errs[1] = c.IsMongos(ctx)
			got.maxBSON, errs[2] = c.MaxBSONSize(ctx)
			got.maxMessage, errs[3] = c.MaxMessageSize(ctx)
			got.maxBatch, errs[4] = c.MaxWriteBatchSize(ctx)
			if err := errors.Join(errs[:]...); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if addr, err := c.Address(ctx); addr != f.Addr() || err != nil {
				t.Errorf("Address = %q, %v", addr, err)
			}
			diff(t, "Nodes", []string{f.Addr()}, c.Nodes())
			if c.Primary() != "" || c.Secondaries() != nil { // a direct connection is not to a replica set
				t.Errorf("Primary %q, Secondaries %v", c.Primary(), c.Secondaries())
			}
		})
	}
}

// TestTopologyWaits checks how the accessors that wait for a server end: at the server selection timeout, when the
// context is done, when the client disconnects, and at once for a client made by NewClient.
func TestTopologyWaits(t *testing.T) {
	ctx := t.Context()
	const nowhere = "mongodb://127.0.0.1:1/"

	t.Run("server selection timeout", func(t *testing.T) {
		c, err := connectOffline(t, nowhere+"?serverSelectionTimeoutMS=200")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.Address(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || !mongo.IsTimeout(err) ||
			!strings.HasPrefix(err.Error(), "motor: address: no suitable server within the server selection timeout (200ms); topology Unknown: 127.0.0.1:1 Unknown") {
			t.Errorf("Address = %v", err)
		}
		if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
			t.Errorf("Address returned after %v", d)
		}
		if n := c.Nodes(); n != nil {
			t.Errorf("Nodes = %v", n)
		}
	})

	t.Run("context", func(t *testing.T) {
		c, err := connectOffline(t, nowhere)
		if err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := c.MaxBSONSize(short); !errors.Is(err, context.DeadlineExceeded) ||
			!strings.HasPrefix(err.Error(), "motor: max bson size: waiting for a server (topology Unknown: 127.0.0.1:1 Unknown): ") {
			t.Errorf("MaxBSONSize = %v", err)
		}
		var nilCtx context.Context
		if _, err := c.IsMongos(nilCtx); !errors.Is(err, motor.ErrInvalidOption) || err.Error() != "motor: is mongos: nil context" {
			t.Errorf("IsMongos(nil) = %v", err)
		}
	})

	t.Run("disconnect while waiting", func(t *testing.T) {
		c, err := motor.Connect(nowhere)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := c.IsPrimary(ctx); done <- err }()
		time.Sleep(20 * time.Millisecond)
		if err := c.Disconnect(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if !errors.Is(err, motor.ErrClientDisconnected) {
				t.Errorf("IsPrimary = %v", err)
			}
		case <-time.After(fakeTimeout):
			t.Fatal("IsPrimary still waits after Disconnect")
		}
	})

	t.Run("NewClient", func(t *testing.T) {
		c := wrapDriverClient(t, motortest.URI(t))
		if _, err := c.Address(ctx); !errors.Is(err, motor.ErrInvalidOperation) ||
			err.Error() != "motor: address: a client made by NewClient cannot see the driver's server monitor; make the client with Connect" {
			t.Errorf("Address = %v", err)
		}
		if _, err := c.MaxWriteBatchSize(ctx); !errors.Is(err, motor.ErrInvalidOperation) {
			t.Errorf("MaxWriteBatchSize = %v", err)
		}
		if c.Nodes() != nil || c.Primary() != "" || c.Secondaries() != nil || c.Arbiters() != nil {
			t.Error("a NewClient client reports servers")
		}
	})
}

// TestTopologyAfterAuthenticate checks that the accessors follow the driver client that Database.Authenticate
// puts in place of the first: the first one's closing does not erase what the new one reports.
func TestTopologyAfterAuthenticate(t *testing.T) {
	if motortest.Real() {
		t.Skip("needs the FerretDB with authentication")
	}
	ctx := t.Context()
	srv := authServer(t)
	c := authClient(t, srv, nil)
	host := uriHost(srv.URI())
	if addr, err := c.Address(ctx); addr != host || err != nil {
		t.Fatalf("Address = %q, %v", addr, err)
	}
	if err := c.Database("admin").Authenticate(ctx, authRootUser, authRootPassword, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new driver client's server", func() bool { return len(c.Nodes()) == 1 })
	time.Sleep(50 * time.Millisecond) // the old client closing, were it recorded, would come now
	diff(t, "Nodes", []string{host}, c.Nodes())
	if addr, err := c.Address(ctx); addr != host || err != nil {
		t.Errorf("Address after Authenticate = %q, %v", addr, err)
	}
}

// TestClientOptionAccessors checks the accessors of the client's connection settings: the driver's defaults, the
// URI's options, WithClientOptions over the URI, and the defaults for a client made by NewClient.
func TestClientOptionAccessors(t *testing.T) {
	type settings struct {
		maxPool, minPool            uint64
		maxIdle, selection, latency time.Duration
		retryReads, retryWrites     bool
	}
	get := func(c *motor.Client) settings {
		return settings{c.MaxPoolSize(), c.MinPoolSize(), c.MaxIdleTime(), c.ServerSelectionTimeout(), c.LocalThreshold(),
			c.RetryReads(), c.RetryWrites()}
	}
	defaults := settings{100, 0, 0, 30 * time.Second, 15 * time.Millisecond, true, true}
	fromURI := settings{7, 2, 1500 * time.Millisecond, 2500 * time.Millisecond, 30 * time.Millisecond, false, false}
	const uri = "mongodb://127.0.0.1:1/?maxPoolSize=7&minPoolSize=2&maxIdleTimeMS=1500&serverSelectionTimeoutMS=2500" +
		"&localThresholdMS=30&retryReads=false&retryWrites=false"

	for _, tc := range []struct {
		desc string
		uri  string
		co   *options.ClientOptions
		want settings
	}{
		{"defaults", "mongodb://127.0.0.1:1/", nil, defaults},
		{"URI", uri, nil, fromURI},
		{"WithClientOptions over the URI", uri, options.Client().SetMaxPoolSize(0).SetMinPoolSize(1).SetMaxConnIdleTime(time.Minute).
			SetServerSelectionTimeout(time.Second).SetLocalThreshold(time.Millisecond).SetRetryReads(true).SetRetryWrites(true),
			settings{0, 1, time.Minute, time.Second, time.Millisecond, true, true}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var opts []motor.Option
			if tc.co != nil {
				opts = append(opts, motor.WithClientOptions(tc.co))
			}
			c, err := connectOffline(t, tc.uri, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if got := get(c); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}

	t.Run("NewClient", func(t *testing.T) {
		c := wrapDriverClient(t, uri)
		if got := get(c); got != defaults { // motor cannot see the driver client's options
			t.Errorf("got %+v, want the defaults %+v", got, defaults)
		}
	})
}
