package motortest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Simulated deployments of several fakes on loopback ports: a replica set whose members answer hello with the set's
// view of itself (and change it when the primary steps down), and the mongos routers of a sharded cluster. The
// driver discovers them as it discovers real ones, so tests can see which member a command goes to.

// ReplicaSetOptions configure [StartReplicaSet]. A nil *ReplicaSetOptions means the zero value.
type ReplicaSetOptions struct {
	// Name is the replica set name (setName). "" means "rs0".
	Name string

	// Arbiters is the number of arbiters, which follow the data-bearing members.
	Arbiters int
}

// ReplicaSet is a simulated replica set of fakes: n data-bearing members, the first of them primary, and optionally
// arbiters. Each member answers hello (and the handshake's isMaster) as a MongoDB 7 member does: setName,
// setVersion, hosts (the data-bearing members), arbiters, isWritablePrimary, secondary, arbiterOnly, primary, me, the
// primary's electionId and lastWrite, then the limits a standalone fake advertises; without topologyVersion, so the
// driver polls instead of streaming.
//
// Script commands on every member with [ReplicaSet.Handle], which answers as a real set does when a member is not
// the primary; script one member with its own [Fake.Handle]. [ReplicaSet.StepDown] elects another primary. Members
// record the commands they receive, so tests read a member's [Fake.Commands] to see where a command went.
//
// All methods are safe for concurrent use.
type ReplicaSet struct {
	name    string
	members []*Fake
	hosts   []string // the members' addresses, "127.0.0.1:PORT"
	data    int      // the data-bearing members are members[:data]

	mu      sync.Mutex
	primary int   // index of the primary, -1 for none
	term    int64 // election term, in the primary's electionId
}

// NewReplicaSet starts a replica set of n data-bearing members (n >= 1) and registers tb.Cleanup(rs.Close). It calls
// tb.Fatal if the set can't be started.
func NewReplicaSet(tb testing.TB, n int, opts *ReplicaSetOptions) *ReplicaSet {
	tb.Helper()

	rs, err := StartReplicaSet(n, opts)
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(rs.Close)

	return rs
}

// StartReplicaSet starts a replica set of n data-bearing members (n >= 1), like [NewReplicaSet] but without
// [testing.TB]. The caller must call [ReplicaSet.Close].
func StartReplicaSet(n int, opts *ReplicaSetOptions) (*ReplicaSet, error) {
	if opts == nil {
		opts = &ReplicaSetOptions{}
	}

	if n < 1 || opts.Arbiters < 0 {
		return nil, fmt.Errorf("motortest: a replica set needs a data-bearing member and no negative arbiters, got %d and %d",
			n, opts.Arbiters)
	}

	rs := &ReplicaSet{name: opts.Name, data: n, term: 1}
	if rs.name == "" {
		rs.name = "rs0"
	}

	for range n + opts.Arbiters {
		f, err := StartFake()
		if err != nil {
			rs.Close()
			return nil, err
		}

		rs.members = append(rs.members, f)
		rs.hosts = append(rs.hosts, f.Addr())
	}

	for i, f := range rs.members {
		f.Handle("hello", rs.hello(i))
	}

	return rs, nil
}

// Name returns the replica set name.
func (rs *ReplicaSet) Name() string { return rs.name }

// URI returns the connection string of the set: "mongodb://HOST1,HOST2,.../?replicaSet=NAME", every member a seed.
// Add "&heartbeatFrequencyMS=500" (the driver's minimum) or set the client's heartbeat interval so that a client
// notices a step-down quickly.
func (rs *ReplicaSet) URI() string {
	return "mongodb://" + strings.Join(rs.hosts, ",") + "/?replicaSet=" + rs.name
}

// Members returns every member, the data-bearing ones first, then the arbiters.
func (rs *ReplicaSet) Members() []*Fake { return append([]*Fake(nil), rs.members...) }

// Hosts returns the members' addresses ("127.0.0.1:PORT"), in the order of [ReplicaSet.Members].
func (rs *ReplicaSet) Hosts() []string { return append([]string(nil), rs.hosts...) }

// Primary returns the primary, or nil when the set has none.
func (rs *ReplicaSet) Primary() *Fake {
	rs.mu.Lock()
	defer rs.mu.Unlock()

	if rs.primary < 0 {
		return nil
	}

	return rs.members[rs.primary]
}

// Secondaries returns the data-bearing members that are not the primary.
func (rs *ReplicaSet) Secondaries() []*Fake {
	rs.mu.Lock()
	defer rs.mu.Unlock()

	var out []*Fake

	for i, f := range rs.members[:rs.data] {
		if i != rs.primary {
			out = append(out, f)
		}
	}

	return out
}

// Arbiters returns the arbiters.
func (rs *ReplicaSet) Arbiters() []*Fake { return append([]*Fake(nil), rs.members[rs.data:]...) }

// StepDown makes the primary step down and elects the next data-bearing member (in the order of
// [ReplicaSet.Members], wrapping around) in a new term, and returns the new primary. A set of one member re-elects
// it in a new term; a set without a primary elects the first member. Clients notice at their next heartbeat, or at
// once when the old primary answers a write with [NotWritablePrimary].
func (rs *ReplicaSet) StepDown() *Fake {
	rs.mu.Lock()
	defer rs.mu.Unlock()

	rs.primary = (rs.primary + 1) % rs.data
	rs.term++

	return rs.members[rs.primary]
}

// SetPrimary elects the data-bearing member i in a new term, or leaves the set without a primary (every
// data-bearing member a secondary) when i is -1. It panics for any other i out of range.
func (rs *ReplicaSet) SetPrimary(i int) {
	if i < -1 || i >= rs.data {
		panic(fmt.Sprintf("motortest: SetPrimary(%d) on a replica set of %d data-bearing members", i, rs.data))
	}

	rs.mu.Lock()
	defer rs.mu.Unlock()

	rs.primary = i
	rs.term++
}

// Handle scripts the reply to a command on every member, as [Fake.Handle] does, and answers as a real replica set
// does when the member is not the primary: a write command gets [NotWritablePrimary], and a read without a
// secondary-ok $readPreference (any mode but primary) gets NotPrimaryNoSecondaryOk (13435). Commands any member
// runs (getMore, killCursors, ping, buildInfo, the getLastError family, authentication) are not checked. A nil h
// restores the built-in default on every member.
func (rs *ReplicaSet) Handle(name string, h Handler) {
	for i, f := range rs.members {
		if h == nil {
			f.Handle(name, nil)
			continue
		}

		f.Handle(name, rs.guard(i, h))
	}
}

// Reset forgets the commands every member recorded.
func (rs *ReplicaSet) Reset() {
	for _, f := range rs.members {
		f.Reset()
	}
}

// Close stops every member. It is safe to call Close more than once.
func (rs *ReplicaSet) Close() {
	for _, f := range rs.members {
		f.Close()
	}
}

// NotWritablePrimary returns the reply of a replica-set member that is not (or no longer) the primary to the write
// cmd: NotWritablePrimary (10107) "not primary", with the RetryableWriteError label when cmd is a retryable write
// (it has a txnNumber), as MongoDB 4.4+ answers. Drivers retry such a write once on the new primary.
func NotWritablePrimary(cmd bson.D) bson.D {
	reply := CommandError(10107, "NotWritablePrimary", "not primary")
	if _, ok := fakeLookup(cmd, "txnNumber"); ok {
		reply = append(reply, bson.E{Key: "errorLabels", Value: bson.A{"RetryableWriteError"}})
	}

	return reply
}

// rsWrites are the write commands (lowercased) that a member that is not the primary refuses with NotWritablePrimary.
var rsWrites = map[string]bool{
	"insert": true, "update": true, "delete": true, "findandmodify": true, "create": true, "drop": true,
	"dropdatabase": true, "createindexes": true, "dropindexes": true, "renamecollection": true, "collmod": true,
	"createuser": true, "updateuser": true, "dropuser": true, "dropallusersfromdatabase": true,
	"$eval": true, "eval": true,
}

// rsAnywhere are the commands (lowercased) that any member runs, whatever the read preference.
var rsAnywhere = map[string]bool{
	"getmore": true, "killcursors": true, "ping": true, "buildinfo": true, "getlasterror": true, "getpreverror": true,
	"reseterror": true, "endsessions": true, "saslstart": true, "saslcontinue": true, "logout": true,
}

// guard returns h for member i, answering as a member that is not the primary does when it is not.
func (rs *ReplicaSet) guard(i int, h Handler) Handler {
	return func(cmd bson.D) bson.D {
		rs.mu.Lock()
		primary := rs.primary == i
		rs.mu.Unlock()

		if primary || len(cmd) == 0 {
			return h(cmd)
		}

		name := strings.ToLower(cmd[0].Key)

		switch {
		case rsAnywhere[name]:
			return h(cmd)
		case rsWrites[name] || i >= rs.data:
			return NotWritablePrimary(cmd)
		case !secondaryOK(cmd):
			return CommandError(13435, "NotPrimaryNoSecondaryOk", "not primary and secondaryOk=false")
		}

		return h(cmd)
	}
}

// secondaryOK reports whether cmd's $readPreference lets a secondary run it: a mode other than primary.
func secondaryOK(cmd bson.D) bool {
	v, ok := fakeLookup(cmd, "$readPreference")
	if !ok {
		return false
	}

	rp, ok := v.(bson.D)
	if !ok {
		return false
	}

	mode, _ := fakeLookup(rp, "mode")

	return mode != nil && mode != "primary"
}

// hello returns member i's hello handler, which reads the set's state at each call.
func (rs *ReplicaSet) hello(i int) Handler {
	return func(cmd bson.D) bson.D {
		rs.mu.Lock()
		primary, term := rs.primary, rs.term
		rs.mu.Unlock()

		writable := i == primary
		arbiter := i >= rs.data

		before := bson.D{{Key: "hosts", Value: hostArray(rs.hosts[:rs.data])}}
		if len(rs.hosts) > rs.data {
			before = append(before, bson.E{Key: "arbiters", Value: hostArray(rs.hosts[rs.data:])})
		}

		before = append(before,
			bson.E{Key: "setName", Value: rs.name},
			bson.E{Key: "setVersion", Value: int32(1)},
		)

		after := bson.D{{Key: "secondary", Value: !writable && !arbiter}}
		if arbiter {
			after = append(after, bson.E{Key: "arbiterOnly", Value: true})
		}

		if primary >= 0 {
			after = append(after, bson.E{Key: "primary", Value: rs.hosts[primary]})
		}

		after = append(after, bson.E{Key: "me", Value: rs.hosts[i]})
		if writable {
			after = append(after, bson.E{Key: "electionId", Value: electionID(term)})
		}

		if !arbiter {
			now := bson.NewDateTimeFromTime(time.Now())
			after = append(after, bson.E{Key: "lastWrite", Value: bson.D{
				{Key: "lastWriteDate", Value: now},
				{Key: "majorityWriteDate", Value: now},
			}})
		}

		return memberHello(cmd, writable, before, after)
	}
}

// memberHello returns a hello (or isMaster) reply to cmd with the writable flag set as given, the fields before
// ahead of it and the fields after behind it (MongoDB's order), then the limits of [fakeHelloReply].
func memberHello(cmd bson.D, writable bool, before, after bson.D) bson.D {
	name := "hello"
	if len(cmd) > 0 {
		name = cmd[0].Key
	}

	// A handler cannot see its connection; 1 stands for the connectionId.
	base := fakeHelloReply(name, cmd, 1)
	out := make(bson.D, 0, len(base)+len(before)+len(after))

	for _, e := range base {
		if e.Key == "isWritablePrimary" || e.Key == "ismaster" {
			out = append(out, before...)
			out = append(out, bson.E{Key: e.Key, Value: writable})
			out = append(out, after...)

			continue
		}

		out = append(out, e)
	}

	return out
}

// electionID is the electionId of a primary elected in term, as MongoDB's protocol version 1 makes it.
func electionID(term int64) bson.ObjectID {
	var id bson.ObjectID

	binary.BigEndian.PutUint32(id[:4], 0x7fffffff)
	binary.BigEndian.PutUint64(id[4:], uint64(term))

	return id
}

func hostArray(hosts []string) bson.A {
	a := make(bson.A, len(hosts))
	for i, h := range hosts {
		a[i] = h
	}

	return a
}

// Sharded is the mongos routers of a simulated sharded cluster: fakes that answer hello as a MongoDB 7 mongos does
// (msg: "isdbgrid"). A client given their URI discovers a sharded topology and sends $readPreference with every read
// whose mode is not primary, as drivers do for mongos.
//
// All methods are safe for concurrent use.
type Sharded struct {
	routers []*Fake
}

// NewSharded starts n mongos routers (n >= 1) and registers tb.Cleanup(s.Close). It calls tb.Fatal if they can't
// be started.
func NewSharded(tb testing.TB, n int) *Sharded {
	tb.Helper()

	s, err := StartSharded(n)
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(s.Close)

	return s
}

// StartSharded starts n mongos routers (n >= 1), like [NewSharded] but without [testing.TB]. The caller must call
// [Sharded.Close].
func StartSharded(n int) (*Sharded, error) {
	if n < 1 {
		return nil, errors.New("motortest: a sharded cluster needs a mongos")
	}

	s := &Sharded{}

	for range n {
		f, err := StartFake()
		if err != nil {
			s.Close()
			return nil, err
		}

		f.Handle("hello", func(cmd bson.D) bson.D {
			return memberHello(cmd, true, nil, bson.D{{Key: "msg", Value: "isdbgrid"}})
		})

		s.routers = append(s.routers, f)
	}

	return s, nil
}

// URI returns the connection string of the routers, "mongodb://HOST1,HOST2,.../", without directConnection, so
// that the driver discovers a sharded topology.
func (s *Sharded) URI() string {
	hosts := make([]string, len(s.routers))
	for i, f := range s.routers {
		hosts[i] = f.Addr()
	}

	return "mongodb://" + strings.Join(hosts, ",") + "/"
}

// Members returns the routers.
func (s *Sharded) Members() []*Fake { return append([]*Fake(nil), s.routers...) }

// Handle scripts the reply to a command on every router, as [Fake.Handle] does.
func (s *Sharded) Handle(name string, h Handler) {
	for _, f := range s.routers {
		f.Handle(name, h)
	}
}

// Reset forgets the commands every router recorded.
func (s *Sharded) Reset() {
	for _, f := range s.routers {
		f.Reset()
	}
}

// Close stops every router. It is safe to call Close more than once.
func (s *Sharded) Close() {
	for _, f := range s.routers {
		f.Close()
	}
}
