package motortest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// StreamEpoch is the cluster time at which a [ChangeStreamServer]'s oplog starts: the entry at position p (1, 2,
// ...) has clusterTime {T: StreamEpoch+p, I: 1} and a wallTime StreamEpoch+p seconds after the Unix epoch.
const StreamEpoch = 1_700_000_000

// StreamToken returns the resume token of a [ChangeStreamServer]'s oplog position p: {_data: "%04X" of p}. It is the
// _id of the event at p, and the postBatchResumeToken of a batch read up to p.
func StreamToken(p int) bson.D { return bson.D{{Key: "_data", Value: fmt.Sprintf("%04X", p)}} }

// ChangeStreamServer is a [Fake] that serves change streams the way a replica-set primary does, for code that
// watches changes: FerretDB has none. It answers hello as the primary of a one-member replica set and keeps an
// oplog of the documents inserted through it (or with [ChangeStreamServer.Insert]), one insert event per document:
//
//   - insert adds the events and answers {n, ok: 1};
//   - aggregate whose first stage is $changeStream opens a cursor at the end of the oplog, or after the token of
//     resumeAfter or startAfter, or at startAtOperationTime; a collection's stream sees that collection, a
//     database's (aggregate: 1) the database, and one with allChangesForCluster every namespace;
//   - getMore returns the events that follow, at most batchSize, with the postBatchResumeToken of the position read
//     up to, and when none is there waits for one up to its maxTimeMS (one second by default), as awaitData does;
//   - killCursors forgets cursors.
//
// Stages after $changeStream are not applied, and no other write makes an event. The embedded [Fake]'s methods
// script or inspect anything else; [ChangeStreamServer.Serve] installs the handlers above again after a test
// replaced one.
type ChangeStreamServer struct {
	*Fake

	mu      sync.Mutex
	oplog   []streamEntry // in position order
	clock   int           // the position of the newest oplog entry, with or without an event
	cursors map[int64]*streamCursor
	lastID  int64
	arrived chan struct{} // closed and replaced when the oplog grows
}

type streamEntry struct {
	pos   int
	event bson.D
	db    string
	coll  string
}

type streamCursor struct {
	pos      int
	db, coll string // the namespace watched: coll "" for a database, db "" for the cluster
	ns       string // the cursor's namespace
}

// NewChangeStreamServer starts a [ChangeStreamServer] on 127.0.0.1:0 and registers tb.Cleanup(s.Close). It calls
// tb.Fatal if the server can't be started.
func NewChangeStreamServer(tb testing.TB) *ChangeStreamServer {
	tb.Helper()
	s, err := StartChangeStreamServer()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// StartChangeStreamServer starts a [ChangeStreamServer] on 127.0.0.1:0, like [NewChangeStreamServer] but without
// [testing.TB]. The caller must call Close. Connect to its URI.
func StartChangeStreamServer() (*ChangeStreamServer, error) {
	f, err := StartFake()
	if err != nil {
		return nil, err
	}
	s := &ChangeStreamServer{Fake: f, cursors: map[int64]*streamCursor{}, arrived: make(chan struct{})}
	s.Serve()
	return s, nil
}

// Serve installs the server's handlers of hello, insert, aggregate, getMore and killCursors, replacing any that
// [Fake.Handle] set. [StartChangeStreamServer] calls it.
func (s *ChangeStreamServer) Serve() {
	host := s.Addr()
	s.Handle("hello", func(cmd bson.D) bson.D {
		return memberHello(cmd, true,
			bson.D{{Key: "hosts", Value: bson.A{host}}, {Key: "setName", Value: "rs0"}, {Key: "setVersion", Value: int32(1)}},
			bson.D{{Key: "secondary", Value: false}, {Key: "primary", Value: host}, {Key: "me", Value: host},
				{Key: "electionId", Value: electionID(1)}})
	})
	s.Handle("insert", s.insertCmd)
	s.Handle("aggregate", s.aggregate)
	s.Handle("getMore", s.getMore)
	s.Handle("killCursors", s.killCursors)
}

// Insert adds an insert event to the oplog for each document (each with an _id), as if it had been inserted into
// db.coll, and wakes the getMores that wait.
func (s *ChangeStreamServer) Insert(db, coll string, docs ...bson.D) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, doc := range docs {
		s.clock++
		p := s.clock
		s.oplog = append(s.oplog, streamEntry{pos: p, db: db, coll: coll, event: bson.D{
			{Key: "_id", Value: StreamToken(p)},
			{Key: "operationType", Value: "insert"},
			{Key: "clusterTime", Value: bson.Timestamp{T: uint32(StreamEpoch + p), I: 1}},
			{Key: "wallTime", Value: bson.NewDateTimeFromTime(time.Unix(int64(StreamEpoch+p), 0))},
			{Key: "fullDocument", Value: doc},
			{Key: "ns", Value: bson.D{{Key: "db", Value: db}, {Key: "coll", Value: coll}}},
			{Key: "documentKey", Value: bson.D{{Key: "_id", Value: field(doc, "_id")}}},
		}})
	}
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// insertCmd records the documents of an insert command as events.
func (s *ChangeStreamServer) insertCmd(cmd bson.D) bson.D {
	docs, _ := field(cmd, "documents").(bson.A)
	db, _ := field(cmd, "$db").(string)
	coll, _ := cmd[0].Value.(string)
	for _, d := range docs {
		doc, _ := d.(bson.D)
		s.Insert(db, coll, doc)
	}
	return OK(bson.E{Key: "n", Value: int32(len(docs))})
}

// field returns the value of key in d, or nil.
func field(d bson.D, key string) any {
	v, _ := fakeLookup(d, key)
	return v
}

// streamPos is the oplog position of a resume token.
func streamPos(token any) (int, bool) {
	d, _ := token.(bson.D)
	var p int
	data, _ := field(d, "_data").(string)
	_, err := fmt.Sscanf(data, "%X", &p)
	return p, err == nil
}

// aggregate opens a change stream cursor.
func (s *ChangeStreamServer) aggregate(cmd bson.D) bson.D {
	pipeline, _ := field(cmd, "pipeline").(bson.A)
	var spec bson.D
	if len(pipeline) > 0 {
		first, _ := pipeline[0].(bson.D)
		if len(first) == 1 && first[0].Key == "$changeStream" {
			spec, _ = first[0].Value.(bson.D)
		}
	}
	if spec == nil {
		return CommandError(2, "BadValue", "this test server only serves change streams")
	}
	db, _ := field(cmd, "$db").(string)
	c := &streamCursor{db: db, ns: db + ".$cmd.aggregate"}
	if coll, ok := cmd[0].Value.(string); ok {
		c.coll, c.ns = coll, db+"."+coll
	}
	if field(spec, "allChangesForCluster") == true {
		c.db = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.pos = s.clock
	for _, key := range []string{"resumeAfter", "startAfter"} {
		if tok := field(spec, key); tok != nil {
			p, ok := streamPos(tok)
			if !ok || p > s.clock {
				return CommandError(260, "InvalidResumeToken", fmt.Sprintf("bad resume token %v", tok))
			}
			c.pos = p
		}
	}
	if ts, ok := field(spec, "startAtOperationTime").(bson.Timestamp); ok {
		c.pos = min(max(int(ts.T)-StreamEpoch-1, 0), s.clock)
	}
	size := 101
	if cur, _ := field(cmd, "cursor").(bson.D); field(cur, "batchSize") != nil {
		size = int(field(cur, "batchSize").(int32))
	}
	s.lastID++
	s.cursors[s.lastID] = c
	return s.batch(c, s.lastID, "firstBatch", size)
}

// next returns the events of the oplog after c's position for c's namespace, at most size, and the position read
// up to: the last event's when there are size of them, else the end of the oplog. s.mu is held.
func (s *ChangeStreamServer) next(c *streamCursor, size int) (bson.A, int) {
	events := bson.A{}
	for _, e := range s.oplog {
		if e.pos <= c.pos || (c.db != "" && e.db != c.db) || (c.coll != "" && e.coll != c.coll) {
			continue
		}
		if len(events) == size {
			return events, e.pos - 1
		}
		events = append(events, e.event)
	}
	return events, s.clock
}

// batch returns the reply of cursor id with the next events of c, at most size, and moves c on. s.mu is held.
func (s *ChangeStreamServer) batch(c *streamCursor, id int64, field string, size int) bson.D {
	events, pos := s.next(c, size)
	c.pos = pos
	return OK(bson.E{Key: "cursor", Value: bson.D{
		{Key: field, Value: events},
		{Key: "postBatchResumeToken", Value: StreamToken(pos)},
		{Key: "id", Value: id},
		{Key: "ns", Value: c.ns},
	}})
}

// getMore returns the next events of a cursor, waiting for one up to maxTimeMS.
func (s *ChangeStreamServer) getMore(cmd bson.D) bson.D {
	id, _ := cmd[0].Value.(int64)
	size := 101
	if n, ok := field(cmd, "batchSize").(int32); ok {
		size = int(n)
	}
	wait := time.Second
	if ms, ok := field(cmd, "maxTimeMS").(int64); ok {
		wait = time.Duration(ms) * time.Millisecond
	}
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for waited := false; ; {
		c := s.cursors[id]
		if c == nil {
			return CommandError(43, "CursorNotFound", fmt.Sprintf("cursor id %d not found", id))
		}
		if events, _ := s.next(c, size); len(events) > 0 || waited {
			return s.batch(c, id, "nextBatch", size)
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-timeout.C:
			waited = true
		}
		s.mu.Lock()
	}
}

// killCursors forgets cursors.
func (s *ChangeStreamServer) killCursors(cmd bson.D) bson.D {
	ids, _ := field(cmd, "cursors").(bson.A)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if n, ok := id.(int64); ok {
			delete(s.cursors, n)
		}
	}
	return OK(bson.E{Key: "cursorsKilled", Value: ids}, bson.E{Key: "cursorsNotFound", Value: bson.A{}},
		bson.E{Key: "cursorsAlive", Value: bson.A{}}, bson.E{Key: "cursorsUnknown", Value: bson.A{}})
}
