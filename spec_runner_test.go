package motor_test

// A compact runner for MongoDB's unified test format (github.com/mongodb/specifications,
// source/unified-test-format), covering the subset that motor's database API is tested with: client, database,
// collection and session entities, the database operations that motor implements (runCommand, runCursorCommand,
// createCommandCursor, createCollection, dropCollection, listCollections, listCollectionNames), cursor iteration,
// a few collection operations, command monitoring expectations and the matching rules of the format. Operations,
// arguments and entity options it does not know make the test skip with the reason, never pass.
//
// This file holds the format's types, the entities and the arguments; spec_test.go runs the files and cases,
// spec_ops_test.go the operations, and spec_match_test.go checks events, values and errors.

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
)

// specFile is a unified test file.
type specFile struct {
	Description       string           `bson:"description"`
	SchemaVersion     string           `bson:"schemaVersion"`
	RunOnRequirements []runOnReq       `bson:"runOnRequirements"`
	CreateEntities    []bson.Raw       `bson:"createEntities"`
	InitialData       []collectionData `bson:"initialData"`
	Tests             []specCase       `bson:"tests"`
}

type runOnReq struct {
	MinServerVersion string   `bson:"minServerVersion"`
	MaxServerVersion string   `bson:"maxServerVersion"`
	Topologies       []string `bson:"topologies"`
	Serverless       string   `bson:"serverless"`
	Auth             *bool    `bson:"auth"`
	ServerParameters bson.Raw `bson:"serverParameters"`
	CSFLE            any      `bson:"csfle"`
}

type collectionData struct {
	CollectionName string     `bson:"collectionName"`
	DatabaseName   string     `bson:"databaseName"`
	CreateOptions  bson.Raw   `bson:"createOptions"`
	Documents      []bson.Raw `bson:"documents"`
}

type specCase struct {
	Description       string           `bson:"description"`
	RunOnRequirements []runOnReq       `bson:"runOnRequirements"`
	SkipReason        string           `bson:"skipReason"`
	Operations        []specOp         `bson:"operations"`
	ExpectEvents      []expectedEvents `bson:"expectEvents"`
	Outcome           []collectionData `bson:"outcome"`
}

type specOp struct {
	Name                 string         `bson:"name"`
	Object               string         `bson:"object"`
	Arguments            bson.Raw       `bson:"arguments"`
	ExpectError          *expectedError `bson:"expectError"`
	ExpectResult         bson.RawValue  `bson:"expectResult"`
	SaveResultAsEntity   string         `bson:"saveResultAsEntity"`
	IgnoreResultAndError bool           `bson:"ignoreResultAndError"`
}

type expectedError struct {
	IsError            *bool         `bson:"isError"`
	IsClientError      *bool         `bson:"isClientError"`
	IsTimeoutError     *bool         `bson:"isTimeoutError"`
	ErrorContains      *string       `bson:"errorContains"`
	ErrorCode          *int32        `bson:"errorCode"`
	ErrorCodeName      *string       `bson:"errorCodeName"`
	ErrorLabelsContain []string      `bson:"errorLabelsContain"`
	ErrorLabelsOmit    []string      `bson:"errorLabelsOmit"`
	ErrorResponse      bson.Raw      `bson:"errorResponse"`
	ExpectResult       bson.RawValue `bson:"expectResult"`
	WriteErrors        bson.Raw      `bson:"writeErrors"`
	WriteConcernErrors bson.Raw      `bson:"writeConcernErrors"`
}

type expectedEvents struct {
	Client            string     `bson:"client"`
	EventType         string     `bson:"eventType"`
	Events            []bson.Raw `bson:"events"`
	IgnoreExtraEvents bool       `bson:"ignoreExtraEvents"`
}

// skipError makes the running test skip with its reason.
type skipError struct{ reason string }

func (e skipError) Error() string { return e.reason }

func skipf(format string, args ...any) error { return skipError{fmt.Sprintf(format, args...)} }

// serverInfo is what runOnRequirements are evaluated against.
type serverInfo struct {
	version  [3]int
	topology string // single, replicaset, sharded or load-balanced
	auth     bool
}

// specRunner holds what the test files share: the URI, the internal driver client (for initialData, outcome,
// fail points and assertCollectionExists) and the server's description.
type specRunner struct {
	uri      string
	internal *mongo.Client
	server   serverInfo
}

// specEvent is one observed command monitoring event.
type specEvent struct {
	kind       string // commandStartedEvent, commandSucceededEvent or commandFailedEvent
	name, db   string
	doc        bson.Raw // the command, or the reply
	serviceID  bool
	serverConn bool
}

// specClient is a client entity with the events it observes.
type specClient struct {
	c       *motor.Client
	observe map[string]bool
	ignore  map[string]bool

	mu        sync.Mutex
	events    []specEvent
	sensitive map[int64]bool
}

// sensitiveCommands are never observed unless observeSensitiveCommands is set (which this runner does not support).
var sensitiveCommands = map[string]bool{
	"authenticate": true, "saslstart": true, "saslcontinue": true, "getnonce": true, "createuser": true,
	"updateuser": true, "copydbgetnonce": true, "copydbsaslstart": true, "copydb": true,
}

func (c *specClient) monitor() *event.CommandMonitor {
	record := func(id int64, name string, ev specEvent) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.sensitive[id] || !c.observe[ev.kind] || c.ignore[strings.ToLower(name)] {
			return
		}
		c.events = append(c.events, ev)
	}
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			n := strings.ToLower(e.CommandName)
			// The driver redacts hello with speculative authentication to an empty document.
			if sensitiveCommands[n] || ((n == "hello" || n == "ismaster") && len(e.Command) <= 5) {
				c.mu.Lock()
				c.sensitive[e.RequestID] = true
				c.mu.Unlock()
				return
			}
			record(e.RequestID, e.CommandName, specEvent{kind: "commandStartedEvent", name: e.CommandName,
				db: e.DatabaseName, doc: append(bson.Raw(nil), e.Command...), serviceID: e.ServiceID != nil,
				serverConn: e.ServerConnectionID != nil})
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			record(e.RequestID, e.CommandName, specEvent{kind: "commandSucceededEvent", name: e.CommandName,
				db: e.DatabaseName, doc: append(bson.Raw(nil), e.Reply...), serviceID: e.ServiceID != nil,
				serverConn: e.ServerConnectionID != nil})
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			record(e.RequestID, e.CommandName, specEvent{kind: "commandFailedEvent", name: e.CommandName,
				db: e.DatabaseName, serviceID: e.ServiceID != nil, serverConn: e.ServerConnectionID != nil})
		},
	}
}

func (c *specClient) snapshot() []specEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]specEvent(nil), c.events...)
}

// specSession is a session entity; its lsid is kept for $$sessionLsid after the session ends.
type specSession struct {
	s    *mongo.Session
	lsid bson.Raw
}

// caseState is the entity map and the clean-up of one test case.
type caseState struct {
	r          *specRunner
	ents       map[string]any
	failPoints []string
}

func entity[T any](st *caseState, id string) (T, error) {
	var zero T
	e, ok := st.ents[id]
	if !ok {
		return zero, fmt.Errorf("no entity %q", id)
	}
	v, ok := e.(T)
	if !ok {
		return zero, fmt.Errorf("entity %q is a %T, not a %T", id, e, zero)
	}
	return v, nil
}

func (st *caseState) put(id string, v any) error {
	if _, dup := st.ents[id]; dup {
		return fmt.Errorf("entity %q already exists", id)
	}
	st.ents[id] = v
	return nil
}

// close ends what the case made: cursors, sessions, clients, then fail points.
func (st *caseState) close() {
	ctx := context.Background()
	for _, e := range st.ents {
		if c, ok := e.(*motor.Cursor); ok {
			_ = c.Close(ctx)
		}
	}
	for _, e := range st.ents {
		if s, ok := e.(*specSession); ok {
			s.s.EndSession(ctx)
		}
	}
	for _, e := range st.ents {
		if c, ok := e.(*specClient); ok {
			_ = c.c.Disconnect(ctx)
		}
	}
	for _, fp := range st.failPoints {
		_ = st.r.internal.Database("admin").RunCommand(ctx, bson.D{
			{Key: "configureFailPoint", Value: fp}, {Key: "mode", Value: "off"}}).Err()
	}
}

// args reads operation arguments and reports those nobody read.
type args struct {
	doc  bson.Raw
	used map[string]bool
}

func newArgs(doc bson.Raw) *args { return &args{doc: doc, used: map[string]bool{}} }

func (a *args) get(key string) (bson.RawValue, bool) {
	a.used[key] = true
	if a.doc == nil {
		return bson.RawValue{}, false
	}
	v, err := a.doc.LookupErr(key)
	return v, err == nil
}

func (a *args) str(key string) string {
	v, _ := a.get(key)
	s, _ := v.StringValueOK()
	return s
}

func (a *args) doc1(key string) bson.Raw {
	v, _ := a.get(key)
	d, _ := v.DocumentOK()
	return d
}

// done fails (as a skip: this runner does not know them) when arguments are left unread.
func (a *args) done(op string) error {
	if a.doc == nil {
		return nil
	}
	elems, _ := a.doc.Elements()
	var left []string
	for _, e := range elems {
		if !a.used[e.Key()] {
			left = append(left, e.Key())
		}
	}
	if len(left) > 0 {
		return skipf("runner: %s argument(s) %v not supported", op, left)
	}
	return nil
}

// --- entities ---

func (st *caseState) createEntities(ctx context.Context, list []bson.Raw) error {
	for _, raw := range list {
		elems, err := raw.Elements()
		if err != nil || len(elems) != 1 {
			return fmt.Errorf("malformed entity %s", raw)
		}
		kind := elems[0].Key()
		def, _ := elems[0].Value().DocumentOK()
		a := newArgs(def)
		id := a.str("id")
		var v any
		switch kind {
		case "client":
			v, err = st.newClient(a)
		case "database":
			v, err = st.newDatabase(a)
		case "collection":
			v, err = st.newCollection(a)
		case "session":
			v, err = st.newSession(a)
		default:
			return skipf("runner: %s entities not supported", kind)
		}
		if err != nil {
			return fmt.Errorf("entity %s %q: %w", kind, id, err)
		}
		if err := a.done(kind + " entity"); err != nil {
			if c, ok := v.(*specClient); ok {
				_ = c.c.Disconnect(ctx)
			}
			return err
		}
		if err := st.put(id, v); err != nil {
			return err
		}
	}
	return nil
}

func (st *caseState) newClient(a *args) (*specClient, error) {
	c := &specClient{observe: map[string]bool{}, ignore: map[string]bool{"configurefailpoint": true},
		sensitive: map[int64]bool{}}
	if v, ok := a.get("observeEvents"); ok {
		vals, _ := v.Array().Values()
		for _, e := range vals {
			c.observe[e.StringValue()] = true
		}
	}
	if v, ok := a.get("ignoreCommandMonitoringEvents"); ok {
		vals, _ := v.Array().Values()
		for _, e := range vals {
			c.ignore[strings.ToLower(e.StringValue())] = true
		}
	}
	a.get("useMultipleMongoses") // one URI: a single mongos either way
	co := options.Client().SetMonitor(c.monitor())
	if uo := a.doc1("uriOptions"); uo != nil {
		elems, _ := uo.Elements()
		for _, e := range elems {
			v := e.Value()
			switch e.Key() {
			case "retryReads":
				co.SetRetryReads(v.Boolean())
			case "retryWrites":
				co.SetRetryWrites(v.Boolean())
			case "appname":
				co.SetAppName(v.StringValue())
			case "w":
				co.SetWriteConcern(&writeconcern.WriteConcern{W: wValue(v)})
			case "readConcernLevel":
				co.SetReadConcern(&readconcern.ReadConcern{Level: v.StringValue()})
			default:
				return nil, skipf("runner: uriOption %s not supported", e.Key())
			}
		}
	}
	if sa := a.doc1("serverApi"); sa != nil {
		api := options.ServerAPI(options.ServerAPIVersion(sa.Lookup("version").StringValue()))
		if b, ok := sa.Lookup("strict").BooleanOK(); ok {
			api.SetStrict(b)
		}
		if b, ok := sa.Lookup("deprecationErrors").BooleanOK(); ok {
			api.SetDeprecationErrors(b)
		}
		co.SetServerAPIOptions(api)
	}
	mc, err := motor.Connect(st.r.uri, motor.WithClientOptions(co))
	if err != nil {
		return nil, err
	}
	c.c = mc
	return c, nil
}

func wValue(v bson.RawValue) any {
	if n, ok := v.AsInt64OK(); ok {
		return int(n)
	}
	return v.StringValue()
}

// handleOptions turns databaseOptions/collectionOptions into motor options.
func handleOptions(o bson.Raw) ([]motor.Option, error) {
	var opts []motor.Option
	elems, _ := o.Elements()
	for _, e := range elems {
		d, _ := e.Value().DocumentOK()
		switch e.Key() {
		case "readConcern":
			opts = append(opts, motor.WithReadConcern(&readconcern.ReadConcern{Level: d.Lookup("level").StringValue()}))
		case "writeConcern":
			wc := &writeconcern.WriteConcern{}
			if w, err := d.LookupErr("w"); err == nil {
				wc.W = wValue(w)
			}
			if j, ok := d.Lookup("journal").BooleanOK(); ok {
				wc.Journal = &j
			}
			if _, err := d.LookupErr("wtimeoutMS"); err == nil {
				return nil, skipf("runner: writeConcern wtimeoutMS not supported")
			}
			opts = append(opts, motor.WithWriteConcern(wc))
		case "readPreference":
			rp, err := readPref(d)
			if err != nil {
				return nil, err
			}
			opts = append(opts, motor.WithReadPreference(rp))
		default:
			return nil, skipf("runner: handle option %s not supported", e.Key())
		}
	}
	return opts, nil
}

func readPref(d bson.Raw) (*readpref.ReadPref, error) {
	elems, _ := d.Elements()
	for _, e := range elems {
		if e.Key() != "mode" {
			return nil, skipf("runner: readPreference %s not supported", e.Key())
		}
	}
	switch strings.ToLower(d.Lookup("mode").StringValue()) {
	case "primary":
		return readpref.Primary(), nil
	case "primarypreferred":
		return readpref.PrimaryPreferred(), nil
	case "secondary":
		return readpref.Secondary(), nil
	case "secondarypreferred":
		return readpref.SecondaryPreferred(), nil
	case "nearest":
		return readpref.Nearest(), nil
	}
	return nil, fmt.Errorf("bad read preference %s", d)
}

func (st *caseState) newDatabase(a *args) (*motor.Database, error) {
	c, err := entity[*specClient](st, a.str("client"))
	if err != nil {
		return nil, err
	}
	opts, err := handleOptions(a.doc1("databaseOptions"))
	if err != nil {
		return nil, err
	}
	db := c.c.Database(a.str("databaseName"), opts...)
	return db, db.Err()
}

func (st *caseState) newCollection(a *args) (*motor.Collection, error) {
	db, err := entity[*motor.Database](st, a.str("database"))
	if err != nil {
		return nil, err
	}
	opts, err := handleOptions(a.doc1("collectionOptions"))
	if err != nil {
		return nil, err
	}
	coll := db.Collection(a.str("collectionName"), opts...)
	return coll, coll.Err()
}

func (st *caseState) newSession(a *args) (*specSession, error) {
	c, err := entity[*specClient](st, a.str("client"))
	if err != nil {
		return nil, err
	}
	so := &motor.SessionOptions{}
	if o := a.doc1("sessionOptions"); o != nil {
		elems, _ := o.Elements()
		for _, e := range elems {
			switch e.Key() {
			case "causalConsistency":
				cc := e.Value().Boolean()
				so.CausalConsistency = &cc
			case "snapshot":
				so.Snapshot = e.Value().Boolean()
			default:
				return nil, skipf("runner: sessionOption %s not supported", e.Key())
			}
		}
	}
	s, err := c.c.StartSession(context.Background(), so)
	if err != nil {
		return nil, err
	}
	return &specSession{s: s, lsid: append(bson.Raw(nil), s.ID()...)}, nil
}
