package motor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
)

// What a Client knows of its deployment (Motor's address, nodes, primary, secondaries, arbiters, is_primary,
// is_mongos and the server limits) and of its connection settings (max_pool_size, ..., retry_writes).
//
// The deployment is what the driver's server monitor last reported: Connect hooks the topology events into the
// same monitor that records the servers' limits (serverLimits.monitor), and keeps the last description here. No
// accessor does I/O. Those that PyMongo answers by selecting a writable server take a context and wait for one,
// the others answer at once from the last description.

// Defaults of the driver (go.mongodb.org/mongo-driver/v2/mongo) for the client options the accessors report.
const (
	defaultMaxPoolSize            = 100
	defaultServerSelectionTimeout = 30 * time.Second
	defaultLocalThreshold         = 15 * time.Millisecond
)

// defaultMaxWriteBatchSize is PyMongo's maxWriteBatchSize for a server that does not advertise one (common.py).
const defaultMaxWriteBatchSize = 1000

// The driver's names of topology and server kinds, as its monitoring events give them.
const (
	kindUnknown       = "Unknown"
	topoSingle        = "Single"
	topoRSWithPrimary = "ReplicaSetWithPrimary"
	topoRSNoPrimary   = "ReplicaSetNoPrimary"
	topoSharded       = "Sharded"
	topoLoadBalanced  = "LoadBalanced"
	srvStandalone     = "Standalone"
	srvRSPrimary      = "RSPrimary"
	srvRSSecondary    = "RSSecondary"
	srvRSArbiter      = "RSArbiter"
	srvMongos         = "Mongos"
	srvLoadBalancer   = "LoadBalancer"
)

// topologyRecord keeps the last topology description that the driver reported for the client's current driver
// client. Database.Authenticate replaces the driver client (driverRef.swap); the topology opened last is the
// current one, and the events of the others (the old client closing) are ignored.
type topologyRecord struct {
	mu   sync.Mutex    // serialises updates
	id   bson.ObjectID // the topology opened last
	last atomic.Pointer[topoView]
}

// topoView is one topology description.
type topoView struct {
	kind    string // the driver's topology kind
	servers []serverView
	changed chan struct{} // closed when a newer description replaces this one
}

// serverView is one server of a topology description.
type serverView struct {
	addr, kind               string
	maxDoc, maxMsg, maxBatch int // 0 when the server does not say
}

// watch wraps m's TopologyOpening and TopologyDescriptionChanged hooks (the user's, if any, still run) to record
// the topology.
func (r *topologyRecord) watch(m *event.ServerMonitor) {
	opening := m.TopologyOpening
	m.TopologyOpening = func(e *event.TopologyOpeningEvent) {
		r.mu.Lock()
		r.id = e.TopologyID
		r.mu.Unlock()
		if opening != nil {
			opening(e)
		}
	}
	changed := m.TopologyDescriptionChanged
	m.TopologyDescriptionChanged = func(e *event.TopologyDescriptionChangedEvent) {
		r.record(e.TopologyID, e.NewDescription)
		if changed != nil {
			changed(e)
		}
	}
}

// record makes d the last description, unless it is of a topology other than the one opened last. The driver calls
// it with the topology locked, so it only copies.
func (r *topologyRecord) record(id bson.ObjectID, d event.TopologyDescription) {
	v := &topoView{kind: d.Kind, servers: make([]serverView, len(d.Servers)), changed: make(chan struct{})}
	for i, s := range d.Servers {
		v.servers[i] = serverView{addr: s.Addr.String(), kind: s.Kind,
			maxDoc: int(s.MaxDocumentSize), maxMsg: int(s.MaxMessageSize), maxBatch: int(s.MaxBatchCount)}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if id != r.id {
		return
	}
	old := r.view()
	r.last.Store(v)
	close(old.changed)
}

// view returns the last description: an Unknown topology without servers until the driver reports one.
func (r *topologyRecord) view() *topoView {
	if v := r.last.Load(); v != nil {
		return v
	}
	r.last.CompareAndSwap(nil, &topoView{kind: kindUnknown, changed: make(chan struct{})})
	return r.last.Load()
}

// addrs returns the sorted addresses of the servers for which keep reports true; nil for none.
func (v *topoView) addrs(keep func(serverView) bool) []string {
	var out []string
	for _, s := range v.servers {
		if keep(s) {
			out = append(out, s.addr)
		}
	}
	slices.Sort(out)
	return out
}

// writable returns the server that PyMongo's _server_property reads: the one its writable_server_selector selects,
// as its topology description applies it (the only known server of a Single topology, a mongos of a sharded one,
// the primary of a replica set), and whether there is one.
func (v *topoView) writable() (serverView, bool) {
	for _, s := range v.servers {
		switch v.kind {
		case topoSingle, topoLoadBalanced:
			if s.kind != kindUnknown {
				return s, true
			}
		case topoSharded:
			if s.kind == srvMongos {
				return s, true
			}
		case topoRSWithPrimary:
			if s.kind == srvRSPrimary {
				return s, true
			}
		}
	}
	return serverView{}, false
}

// allKnown reports whether the client has heard from every server (none is Unknown).
func (v *topoView) allKnown() bool {
	for _, s := range v.servers {
		if s.kind == kindUnknown {
			return false
		}
	}
	return true
}

// String describes the topology for errors: "ReplicaSetNoPrimary: 127.0.0.1:1 RSSecondary, ...".
func (v *topoView) String() string {
	var b strings.Builder
	b.WriteString(v.kind)
	for i, s := range v.servers {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(s.addr + " " + s.kind)
	}
	return b.String()
}

// topology returns the client's topology record; nil for a client made by NewClient.
func (c *Client) topology() *topologyRecord {
	if c.limits == nil {
		return nil
	}
	return &c.limits.topo
}

// view returns the last topology description; an empty Unknown one for a client made by NewClient.
func (c *Client) view() *topoView {
	if r := c.topology(); r != nil {
		return r.view()
	}
	return &topoView{kind: kindUnknown}
}

// errNoTopology is the cause of the errors of the waiting accessors on a client made by NewClient.
var errNoTopology = &invalidOpError{
	msg: "a client made by NewClient cannot see the driver's server monitor; make the client with Connect",
}

// await waits until ready reports true for the last topology description and returns that description. It waits
// at most the client's server selection timeout, as PyMongo's server selection does, and until ctx is done.
func (c *Client) await(ctx context.Context, op string, ready func(*topoView) bool) (*topoView, error) {
	if ctx == nil {
		return nil, wrapOp(op, errNilContext)
	}
	if err := ctx.Err(); err != nil { // a done context fails the call, as it fails every operation, known server or not
		return nil, wrapOp(op, err)
	}
	r := c.topology()
	if r == nil {
		return nil, wrapOp(op, errNoTopology)
	}
	var expired <-chan time.Time
	timeout := c.ServerSelectionTimeout()
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	for {
		if c.drv.load() == nil {
			return nil, wrapOp(op, ErrClientDisconnected)
		}
		v := r.view()
		if ready(v) {
			return v, nil
		}
		select {
		case <-v.changed:
		case <-ctx.Done():
			return nil, wrapOp(op, fmt.Errorf("waiting for a server (topology %v): %w", v, ctx.Err()))
		case <-expired:
			return nil, wrapOp(op, fmt.Errorf("no suitable server within the server selection timeout (%v); topology %v: %w",
				timeout, v, context.DeadlineExceeded))
		}
	}
}

// writableServer waits until the client knows a writable server, as PyMongo's _server_property does, and returns
// it.
func (c *Client) writableServer(ctx context.Context, op string) (serverView, error) {
	v, err := c.await(ctx, op, func(v *topoView) bool { _, ok := v.writable(); return ok })
	if err != nil {
		return serverView{}, err
	}
	s, _ := v.writable()
	return s, nil
}

// Address returns the address ("host:port") of the server that writes go to: the standalone, the primary, or the
// mongos: Motor's address property.
//
// It does no I/O: it reads what the driver's server monitor reports. Connect returns before any I/O, and PyMongo's
// address blocks until it knows the server, so Address takes a context and waits, at most the client's server
// selection timeout ([Client.ServerSelectionTimeout]) and until ctx is done: until the client knows the server that
// writes go to, or knows that there is none. For a replica set without a primary it returns "" with a nil error,
// as Motor returns None, once every member has answered (PyMongo returns None at once, even before the first
// answers, which motor does not copy). A sharded cluster of more than one mongos has no single address: that is an
// error wrapping [ErrInvalidOperation] (use [Client.Nodes]), as Motor raises InvalidOperation.
//
// Errors: ctx's error, wrapped; a timeout wrapping [context.DeadlineExceeded] (so mongo.IsTimeout reports true)
// that describes the topology; [ErrClientDisconnected]; and, for a client made by [NewClient], whose server monitor
// motor cannot see, an error wrapping [ErrInvalidOperation].
func (c *Client) Address(ctx context.Context) (string, error) {
	const op = "address"
	v, err := c.await(ctx, op, func(v *topoView) bool {
		switch v.kind {
		case kindUnknown:
			return false
		case topoSingle, topoRSWithPrimary, topoLoadBalanced:
			_, ok := v.writable()
			return ok
		case topoSharded:
			_, ok := v.writable()
			return ok || len(v.servers) > 1
		}
		return v.allKnown() // a replica set without a primary, once every member has answered
	})
	if err != nil {
		return "", err
	}
	if v.kind == topoSharded && len(v.servers) > 1 {
		return "", wrapOp(op, &invalidOpError{msg: "cannot use Address when load balancing among mongoses, use Nodes instead"})
	}
	s, _ := v.writable()
	return s.addr, nil
}

// Nodes returns the addresses ("host:port", sorted) of every server the client currently knows, of whatever kind:
// Motor's nodes property. It does no I/O and does not wait: it is empty before the client has heard from a server,
// after it lost them all, after [Client.Disconnect], and always for a client made by [NewClient]. In a replica set
// it changes as members come and go.
func (c *Client) Nodes() []string {
	return c.view().addrs(func(s serverView) bool { return s.kind != kindUnknown })
}

// Primary returns the address of the replica set's primary, or "" when the client is not connected to a replica
// set (a direct connection to one member is not), the set has no primary, or the client has not yet found it (it
// does not wait: Motor's primary does not block either): Motor's primary property. It does no I/O. For a client
// made by [NewClient] it is always "".
func (c *Client) Primary() string {
	v := c.view()
	if v.kind != topoRSWithPrimary {
		return ""
	}
	if s, ok := v.writable(); ok {
		return s.addr
	}
	return ""
}

// Secondaries returns the addresses (sorted) of the replica set's secondaries that the client currently knows:
// Motor's secondaries property. It is empty when the client is not connected to a replica set (a direct connection
// to one member is not) or knows no secondary, and always for a client made by [NewClient]. It does no I/O and does
// not wait.
func (c *Client) Secondaries() []string { return c.members(srvRSSecondary) }

// Arbiters returns the addresses (sorted) of the replica set's arbiters that the client currently knows: Motor's
// arbiters property. It is empty as [Client.Secondaries] is. It does no I/O and does not wait.
func (c *Client) Arbiters() []string { return c.members(srvRSArbiter) }

// members returns the sorted addresses of the replica set members of the given kind, as PyMongo's
// _get_replica_set_members does.
func (c *Client) members(kind string) []string {
	v := c.view()
	if v.kind != topoRSWithPrimary && v.kind != topoRSNoPrimary {
		return nil
	}
	return v.addrs(func(s serverView) bool { return s.kind == kind })
}

// IsPrimary reports whether the server that writes go to accepts writes: true for a standalone, a mongos, a load
// balancer or a replica set's primary, false for a direct connection to another member: Motor's is_primary
// property. It waits for that server as [Client.Address] does (but for a replica set without a primary, it waits
// for one), with the same errors.
func (c *Client) IsPrimary(ctx context.Context) (bool, error) {
	s, err := c.writableServer(ctx, "is primary")
	if err != nil {
		return false, err
	}
	switch s.kind {
	case srvStandalone, srvRSPrimary, srvMongos, srvLoadBalancer:
		return true, nil
	}
	return false, nil
}

// IsMongos reports whether the server that writes go to is a mongos: Motor's is_mongos property. It waits for that
// server as [Client.IsPrimary] does, with the same errors.
func (c *Client) IsMongos(ctx context.Context) (bool, error) {
	s, err := c.writableServer(ctx, "is mongos")
	if err != nil {
		return false, err
	}
	return s.kind == srvMongos, nil
}

// MaxBSONSize returns the largest BSON document, in bytes, that the server that writes go to accepts (its
// maxBsonObjectSize; 16 MiB when it does not say, as PyMongo assumes): Motor's max_bson_size property. It waits for
// that server as [Client.IsPrimary] does, with the same errors.
func (c *Client) MaxBSONSize(ctx context.Context) (int, error) {
	s, err := c.writableServer(ctx, "max bson size")
	if err != nil {
		return 0, err
	}
	return s.maxBSONSize(), nil
}

// MaxMessageSize returns the largest wire message, in bytes, that the server that writes go to accepts (its
// maxMessageSizeBytes; twice [Client.MaxBSONSize] when it does not say, as PyMongo assumes): Motor's
// max_message_size property. It waits for that server as [Client.IsPrimary] does, with the same errors.
func (c *Client) MaxMessageSize(ctx context.Context) (int, error) {
	s, err := c.writableServer(ctx, "max message size")
	if err != nil {
		return 0, err
	}
	if s.maxMsg > 0 {
		return s.maxMsg, nil
	}
	return 2 * s.maxBSONSize(), nil
}

// MaxWriteBatchSize returns the largest number of writes in one batch that the server that writes go to accepts
// (its maxWriteBatchSize; 1000 when it does not say, as PyMongo assumes): Motor's max_write_batch_size property. It
// waits for that server as [Client.IsPrimary] does, with the same errors.
func (c *Client) MaxWriteBatchSize(ctx context.Context) (int, error) {
	s, err := c.writableServer(ctx, "max write batch size")
	if err != nil {
		return 0, err
	}
	if s.maxBatch > 0 {
		return s.maxBatch, nil
	}
	return defaultMaxWriteBatchSize, nil
}

func (s serverView) maxBSONSize() int {
	if s.maxDoc > 0 {
		return s.maxDoc
	}
	return defaultMaxDocumentSize
}

// The client's connection settings, read from its driver options (the URI and [WithClientOptions]) with the
// driver's defaults where they set nothing. A client made by [NewClient] cannot see its driver client's options:
// there every accessor returns the driver's default.

// MaxPoolSize returns the most connections the client opens to each server (maxPoolSize; the driver's default is
// 100, and 0 means no limit): Motor's max_pool_size property.
func (c *Client) MaxPoolSize() uint64 {
	if c.base != nil && c.base.MaxPoolSize != nil {
		return *c.base.MaxPoolSize
	}
	return defaultMaxPoolSize
}

// MinPoolSize returns the fewest connections the client keeps open to each server (minPoolSize; default 0):
// Motor's min_pool_size property.
func (c *Client) MinPoolSize() uint64 {
	if c.base != nil && c.base.MinPoolSize != nil {
		return *c.base.MinPoolSize
	}
	return 0
}

// MaxIdleTime returns how long a pooled connection may stay idle before it is closed (maxIdleTimeMS); 0, the
// default, means no limit, where Motor's max_idle_time_ms property returns None.
func (c *Client) MaxIdleTime() time.Duration {
	if c.base != nil && c.base.MaxConnIdleTime != nil {
		return *c.base.MaxConnIdleTime
	}
	return 0
}

// ServerSelectionTimeout returns how long an operation waits for a suitable server (serverSelectionTimeoutMS;
// default 30s): Motor's server_selection_timeout property, in seconds there.
func (c *Client) ServerSelectionTimeout() time.Duration {
	if c.base != nil && c.base.ServerSelectionTimeout != nil {
		return *c.base.ServerSelectionTimeout
	}
	return defaultServerSelectionTimeout
}

// LocalThreshold returns the latency window within which the fastest suitable servers are chosen among
// (localThresholdMS; default 15ms): Motor's local_threshold_ms property.
func (c *Client) LocalThreshold() time.Duration {
	if c.base != nil && c.base.LocalThreshold != nil {
		return *c.base.LocalThreshold
	}
	return defaultLocalThreshold
}

// RetryReads reports whether the client retries a read once after a network error or a retryable server error
// (retryReads; default true): Motor's retry_reads property. motor's own reads (listCollections, ...) follow it too.
func (c *Client) RetryReads() bool { return c.retryReads() }

// RetryWrites reports whether the client retries a retryable write once (retryWrites; default true): Motor's
// retry_writes property.
func (c *Client) RetryWrites() bool {
	return c.base == nil || c.base.RetryWrites == nil || *c.base.RetryWrites
}
