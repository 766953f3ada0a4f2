package motor_test

// A compact runner for MongoDB's unified test format (github.com/mongodb/specifications,
// source/unified-test-format), covering the subset that motor's database API is tested with: client, database,
// collection and session entities, the database operations that motor implements (runCommand, runCursorCommand,
// createCommandCursor, createCollection, dropCollection, listCollections, listCollectionNames), cursor iteration,
// a few collection operations, command monitoring expectations and the matching rules of the format. Operations,
// arguments and entity options it does not know make the test skip with the reason, never pass.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

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
	return c.c.Database(a.str("databaseName"), opts...)
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
	return db.Collection(a.str("collectionName"), opts...)
}

func (st *caseState) newSession(a *args) (*specSession, error) {
	c, err := entity[*specClient](st, a.str("client"))
	if err != nil {
		return nil, err
	}
	so := options.Session()
	if o := a.doc1("sessionOptions"); o != nil {
		elems, _ := o.Elements()
		for _, e := range elems {
			switch e.Key() {
			case "causalConsistency":
				so.SetCausalConsistency(e.Value().Boolean())
			case "snapshot":
				so.SetSnapshot(e.Value().Boolean())
			default:
				return nil, skipf("runner: sessionOption %s not supported", e.Key())
			}
		}
	}
	s, err := c.c.StartSession(so)
	if err != nil {
		return nil, err
	}
	return &specSession{s: s, lsid: append(bson.Raw(nil), s.ID()...)}, nil
}

// --- test files and cases ---

func (r *specRunner) satisfied(reqs []runOnReq) (bool, string) {
	if len(reqs) == 0 {
		return true, ""
	}
	var why []string
	for _, q := range reqs {
		ok, reason := r.satisfies(q)
		if ok {
			return true, ""
		}
		why = append(why, reason)
	}
	return false, "runOnRequirements not met: " + strings.Join(why, "; ")
}

func (r *specRunner) satisfies(q runOnReq) (bool, string) {
	s := r.server
	if q.MinServerVersion != "" && cmpVersion(s.version, parseVersion(q.MinServerVersion)) < 0 {
		return false, "server older than " + q.MinServerVersion
	}
	if q.MaxServerVersion != "" && cmpVersion(s.version, parseVersion(q.MaxServerVersion)) > 0 {
		return false, "server newer than " + q.MaxServerVersion
	}
	if len(q.Topologies) > 0 {
		found := false
		for _, t := range q.Topologies {
			if t == s.topology || (t == "sharded-replicaset" && s.topology == "sharded") {
				found = true
			}
		}
		if !found {
			return false, fmt.Sprintf("topology %s not in %v", s.topology, q.Topologies)
		}
	}
	if q.Serverless == "require" {
		return false, "needs serverless"
	}
	if q.Auth != nil && *q.Auth != s.auth {
		return false, fmt.Sprintf("needs auth=%v", *q.Auth)
	}
	if q.CSFLE != nil {
		return false, "needs CSFLE"
	}
	if q.ServerParameters != nil {
		elems, _ := q.ServerParameters.Elements()
		for _, e := range elems {
			reply, err := r.internal.Database("admin").RunCommand(context.Background(), bson.D{
				{Key: "getParameter", Value: 1}, {Key: e.Key(), Value: 1}}).Raw()
			if err != nil {
				return false, fmt.Sprintf("getParameter %s: %v", e.Key(), err)
			}
			if m := (&matcher{}).match(e.Key(), e.Value(), reply.Lookup(e.Key()), false); m != nil {
				return false, fmt.Sprintf("server parameter %s", m)
			}
		}
	}
	return true, ""
}

func parseVersion(s string) [3]int {
	var v [3]int
	for i, p := range strings.SplitN(s, ".", 3) {
		v[i], _ = strconv.Atoi(p)
	}
	return v
}

func cmpVersion(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// loadSpecFile reads a test file written in (relaxed or canonical) Extended JSON.
func loadSpecFile(path string) (*specFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw bson.Raw
	if err := bson.UnmarshalExtJSON(data, false, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var f specFile
	if err := bson.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &f, nil
}

// checkSchemaVersion accepts the 1.x files this runner understands (up to 1.13).
func checkSchemaVersion(v string) error {
	p := parseVersion(v)
	if p[0] != 1 || p[1] > 13 {
		return fmt.Errorf("schemaVersion %s is not supported (1.0 to 1.13)", v)
	}
	return nil
}

// runCase runs one test: initialData, entities, operations, expected events and outcome. A skipError means skip.
func (r *specRunner) runCase(ctx context.Context, f *specFile, c *specCase) error {
	if c.SkipReason != "" {
		return skipError{"skipReason: " + c.SkipReason}
	}
	if ok, why := r.satisfied(c.RunOnRequirements); !ok {
		return skipError{why}
	}
	for _, cd := range f.InitialData {
		if err := r.setUpCollection(ctx, cd); err != nil {
			return fmt.Errorf("initialData %s.%s: %w", cd.DatabaseName, cd.CollectionName, err)
		}
	}
	st := &caseState{r: r, ents: map[string]any{}}
	defer st.close()
	if err := st.createEntities(ctx, f.CreateEntities); err != nil {
		return err
	}
	for i, op := range c.Operations {
		if err := st.runOp(ctx, op); err != nil {
			var skip skipError
			if errors.As(err, &skip) {
				return err
			}
			return fmt.Errorf("operation %d (%s on %s): %w", i, op.Name, op.Object, err)
		}
	}
	for _, ee := range c.ExpectEvents {
		if err := st.checkEvents(ee); err != nil {
			return fmt.Errorf("expectEvents for %s: %w", ee.Client, err)
		}
	}
	for _, cd := range c.Outcome {
		if err := r.checkOutcome(ctx, cd); err != nil {
			return fmt.Errorf("outcome %s.%s: %w", cd.DatabaseName, cd.CollectionName, err)
		}
	}
	return nil
}

// setUpCollection drops the collection, then creates it (with createOptions) and inserts the documents, with the
// internal client and a majority write concern.
func (r *specRunner) setUpCollection(ctx context.Context, cd collectionData) error {
	db := r.internal.Database(cd.DatabaseName)
	coll := db.Collection(cd.CollectionName, options.Collection().SetWriteConcern(writeconcern.Majority()))
	if err := coll.Drop(ctx); err != nil {
		return err
	}
	if cd.CreateOptions != nil || len(cd.Documents) == 0 {
		cmd := bson.D{{Key: "create", Value: cd.CollectionName}}
		elems, _ := cd.CreateOptions.Elements()
		for _, e := range elems {
			cmd = append(cmd, bson.E{Key: e.Key(), Value: e.Value()})
		}
		cmd = append(cmd, bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}})
		if err := db.RunCommand(ctx, cmd).Err(); err != nil {
			return err
		}
	}
	if len(cd.Documents) > 0 {
		docs := make([]any, len(cd.Documents))
		for i, d := range cd.Documents {
			docs[i] = d
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			return err
		}
	}
	return nil
}

func (r *specRunner) checkOutcome(ctx context.Context, cd collectionData) error {
	cur, err := r.internal.Database(cd.DatabaseName).Collection(cd.CollectionName).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	var got []bson.Raw
	if err := cur.All(ctx, &got); err != nil {
		return err
	}
	want := make([]bson.Raw, len(cd.Documents))
	copy(want, cd.Documents)
	return (&matcher{}).match("", rawValue(want), rawValue(got), false)
}

// checkEvents compares the command events a client observed with the expected ones: same number (unless
// ignoreExtraEvents), same order, each matching.
func (st *caseState) checkEvents(ee expectedEvents) error {
	if ee.EventType != "" && ee.EventType != "command" {
		return skipf("runner: %s events not supported", ee.EventType)
	}
	c, err := entity[*specClient](st, ee.Client)
	if err != nil {
		return err
	}
	got := withoutExistenceChecks(c.snapshot())
	m := &matcher{st: st}
	for i, want := range ee.Events {
		if i >= len(got) {
			break
		}
		elems, _ := want.Elements()
		if len(elems) != 1 {
			return fmt.Errorf("malformed expected event %s", want)
		}
		kind := elems[0].Key()
		if kind != got[i].kind {
			return fmt.Errorf("event %d: got %s %s, want %s\n%s", i, got[i].kind, got[i].name, kind, describeEvents(got))
		}
		fields, _ := elems[0].Value().Document().Elements()
		for _, fe := range fields {
			path := fmt.Sprintf("event %d (%s %s) %s", i, kind, got[i].name, fe.Key())
			switch fe.Key() {
			case "command", "reply":
				if err := m.match(path, fe.Value(), rawValue(got[i].doc), true); err != nil {
					return fmt.Errorf("%w\n%s", err, describeEvents(got))
				}
			case "commandName":
				if got[i].name != fe.Value().StringValue() {
					return fmt.Errorf("%s: got %q, want %q", path, got[i].name, fe.Value().StringValue())
				}
			case "databaseName":
				if got[i].db != fe.Value().StringValue() {
					return fmt.Errorf("%s: got %q, want %q", path, got[i].db, fe.Value().StringValue())
				}
			case "hasServiceId":
				if got[i].serviceID != fe.Value().Boolean() {
					return fmt.Errorf("%s: got %v", path, got[i].serviceID)
				}
			case "hasServerConnectionId":
				if got[i].serverConn != fe.Value().Boolean() {
					return fmt.Errorf("%s: got %v", path, got[i].serverConn)
				}
			default:
				return skipf("runner: event field %s not supported", fe.Key())
			}
		}
	}
	if len(got) < len(ee.Events) || (!ee.IgnoreExtraEvents && len(got) != len(ee.Events)) {
		return fmt.Errorf("got %d events, want %d:\n%s", len(got), len(ee.Events), describeEvents(got))
	}
	return nil
}

// withoutExistenceChecks removes the listCollections that Database.CreateCollection sends before create (and its
// reply event): motor checks that the collection does not exist first, as Motor does and as issue 3 requires
// (MongoDB 7+ accepts an identical re-create silently), where the spec's drivers send create alone. Only a
// listCollections {nameOnly: true, filter: {name: X}} directly followed by create X is removed, so the create
// command itself is still checked against the spec.
func withoutExistenceChecks(evs []specEvent) []specEvent {
	out := make([]specEvent, 0, len(evs))
	for i := 0; i < len(evs); i++ {
		e := evs[i]
		if e.kind == "commandStartedEvent" && e.name == "listCollections" {
			name, _ := e.doc.Lookup("filter", "name").StringValueOK()
			j := i + 1
			if j < len(evs) && evs[j].name == "listCollections" && evs[j].kind != "commandStartedEvent" {
				j++ // its reply
			}
			if name != "" && j < len(evs) && evs[j].kind == "commandStartedEvent" && evs[j].name == "create" {
				if created, _ := evs[j].doc.Lookup("create").StringValueOK(); created == name {
					i = j - 1
					continue
				}
			}
		}
		out = append(out, e)
	}
	return out
}

func describeEvents(evs []specEvent) string {
	var b strings.Builder
	b.WriteString("observed events:")
	for i, e := range evs {
		fmt.Fprintf(&b, "\n  %d %s %s db=%s %s", i, e.kind, e.name, e.db, e.doc)
	}
	return b.String()
}

// rawValue marshals v into a bson.RawValue, for matching.
func rawValue(v any) bson.RawValue {
	if rv, ok := v.(bson.RawValue); ok {
		return rv
	}
	t, data, err := bson.MarshalValue(v)
	if err != nil {
		panic(fmt.Sprintf("rawValue(%T): %v", v, err))
	}
	return bson.RawValue{Type: t, Value: data}
}

// --- matching (unified test format, "Evaluating Matches") ---

// matcher matches expected values against actual ones. st gives the entities for $$sessionLsid and
// $$matchesEntity; it may be nil where no operator needs them.
type matcher struct{ st *caseState }

// special reports whether d is a special operator: a document whose first and only key starts with "$$".
func special(d bson.Raw) (string, bson.RawValue, bool) {
	elems, err := d.Elements()
	if err != nil || len(elems) != 1 || !strings.HasPrefix(elems[0].Key(), "$$") {
		return "", bson.RawValue{}, false
	}
	return elems[0].Key(), elems[0].Value(), true
}

// match matches actual (Type 0 when missing) against expected. Root-level documents may have extra keys; nested
// ones may not. Numbers compare by value across int32, int64 and double.
func (m *matcher) match(path string, exp, act bson.RawValue, root bool) error {
	switch exp.Type {
	case bson.TypeEmbeddedDocument:
		ed := exp.Document()
		if op, arg, ok := special(ed); ok {
			return m.operator(path, op, arg, act, root)
		}
		ad, ok := act.DocumentOK()
		if !ok {
			return fmt.Errorf("%s: got %s, want a document %s", path, describe(act), ed)
		}
		elems, _ := ed.Elements()
		for _, e := range elems {
			key, ev := e.Key(), e.Value()
			av, err := ad.LookupErr(key)
			present := err == nil
			if d, ok := ev.DocumentOK(); ok {
				if op, arg, ok := special(d); ok {
					switch op {
					case "$$exists":
						if arg.Boolean() != present {
							return fmt.Errorf("%s.%s: $$exists %v, but got %s", path, key, arg.Boolean(), describe(av))
						}
						continue
					case "$$unsetOrMatches":
						if !present {
							continue
						}
					}
				}
			}
			if !present {
				return fmt.Errorf("%s.%s: missing in %s", path, key, ad)
			}
			if err := m.match(path+"."+key, ev, av, false); err != nil {
				return err
			}
		}
		if !root {
			actual, _ := ad.Elements()
			for _, e := range actual {
				if _, err := ed.LookupErr(e.Key()); err != nil {
					return fmt.Errorf("%s: unexpected key %q in nested document %s", path, e.Key(), ad)
				}
			}
		}
		return nil
	case bson.TypeArray:
		aa, ok := act.ArrayOK()
		if !ok {
			return fmt.Errorf("%s: got %s, want an array", path, describe(act))
		}
		ev, _ := exp.Array().Values()
		av, _ := aa.Values()
		if len(ev) != len(av) {
			return fmt.Errorf("%s: got %d elements %s, want %d %s", path, len(av), aa, len(ev), exp.Array())
		}
		for i := range ev {
			if err := m.match(fmt.Sprintf("%s[%d]", path, i), ev[i], av[i], false); err != nil {
				return err
			}
		}
		return nil
	}
	if act.Type == 0 {
		return fmt.Errorf("%s: missing, want %s", path, exp)
	}
	if en, ok := number(exp); ok {
		if an, ok := number(act); ok && en == an {
			return nil
		}
		return fmt.Errorf("%s: got %s, want %s", path, describe(act), exp)
	}
	if exp.Type != act.Type || !exp.Equal(act) {
		return fmt.Errorf("%s: got %s, want %s", path, describe(act), exp)
	}
	return nil
}

// matchEach matches an array of root-level documents (the results of iterable operations).
func (m *matcher) matchEach(exp, act bson.RawValue) error {
	ea, ok := exp.ArrayOK()
	if !ok {
		return m.match("result", exp, act, true)
	}
	aa, ok := act.ArrayOK()
	if !ok {
		return fmt.Errorf("result: got %s, want an array", describe(act))
	}
	ev, _ := ea.Values()
	av, _ := aa.Values()
	if len(ev) != len(av) {
		return fmt.Errorf("result: got %d documents %s, want %d %s", len(av), aa, len(ev), ea)
	}
	for i := range ev {
		if err := m.match(fmt.Sprintf("result[%d]", i), ev[i], av[i], true); err != nil {
			return err
		}
	}
	return nil
}

func (m *matcher) operator(path, op string, arg, act bson.RawValue, root bool) error {
	switch op {
	case "$$exists":
		return fmt.Errorf("%s: $$exists is only valid as the value of a key", path)
	case "$$unsetOrMatches":
		if act.Type == 0 {
			return nil
		}
		return m.match(path, arg, act, root)
	case "$$type":
		if act.Type == 0 {
			return fmt.Errorf("%s: missing, want $$type %s", path, arg)
		}
		var want []bson.RawValue
		if a, ok := arg.ArrayOK(); ok {
			want, _ = a.Values()
		} else {
			want = []bson.RawValue{arg}
		}
		for _, w := range want {
			if typeMatches(w.StringValue(), act.Type) {
				return nil
			}
		}
		return fmt.Errorf("%s: got %s, want $$type %s", path, describe(act), arg)
	case "$$sessionLsid":
		s, err := entity[*specSession](m.st, arg.StringValue())
		if err != nil {
			return err
		}
		return m.match(path+" ($$sessionLsid)", rawValue(s.lsid), act, false)
	case "$$matchesEntity":
		v, err := entity[bson.RawValue](m.st, arg.StringValue())
		if err != nil {
			return err
		}
		return m.match(path, v, act, root)
	case "$$lte":
		an, ok := number(act)
		en, _ := number(arg)
		if !ok || an > en {
			return fmt.Errorf("%s: got %s, want $$lte %s", path, describe(act), arg)
		}
		return nil
	case "$$matchAsDocument":
		s, ok := act.StringValueOK()
		if !ok {
			return fmt.Errorf("%s: got %s, want an Extended JSON string", path, describe(act))
		}
		var d bson.Raw
		if err := bson.UnmarshalExtJSON([]byte(s), false, &d); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		return m.match(path, arg, rawValue(d), false)
	case "$$matchAsRoot":
		return m.match(path, arg, act, true)
	}
	return skipf("runner: matching operator %s not supported", op)
}

// number returns the value of an int32, int64 or double.
func number(v bson.RawValue) (float64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return float64(v.Int32()), true
	case bson.TypeInt64:
		return float64(v.Int64()), true
	case bson.TypeDouble:
		return v.Double(), true
	}
	return 0, false
}

// typeAliases are the $type aliases of the query language.
var typeAliases = map[string]bson.Type{
	"double": bson.TypeDouble, "string": bson.TypeString, "object": bson.TypeEmbeddedDocument,
	"array": bson.TypeArray, "binData": bson.TypeBinary, "undefined": bson.TypeUndefined,
	"objectId": bson.TypeObjectID, "bool": bson.TypeBoolean, "date": bson.TypeDateTime, "null": bson.TypeNull,
	"regex": bson.TypeRegex, "dbPointer": bson.TypeDBPointer, "javascript": bson.TypeJavaScript,
	"symbol": bson.TypeSymbol, "javascriptWithScope": bson.TypeCodeWithScope, "int": bson.TypeInt32,
	"timestamp": bson.TypeTimestamp, "long": bson.TypeInt64, "decimal": bson.TypeDecimal128,
	"minKey": bson.TypeMinKey, "maxKey": bson.TypeMaxKey,
}

func typeMatches(alias string, t bson.Type) bool {
	if alias == "number" {
		return t == bson.TypeInt32 || t == bson.TypeInt64 || t == bson.TypeDouble || t == bson.TypeDecimal128
	}
	want, ok := typeAliases[alias]
	return ok && want == t
}

func describe(v bson.RawValue) string {
	if v.Type == 0 {
		return "nothing"
	}
	return fmt.Sprintf("%s (%s)", v, v.Type)
}

// checkError matches an operation's error against expectError.
func (m *matcher) checkError(want *expectedError, err error) error {
	if err == nil {
		return errors.New("got no error, want one")
	}
	if want.WriteErrors != nil || want.WriteConcernErrors != nil || want.ExpectResult.Type != 0 {
		return skipf("runner: expectError writeErrors/writeConcernErrors/expectResult not supported")
	}
	var ce mongo.CommandError
	isCommand := errors.As(err, &ce)
	var se mongo.ServerError
	isServer := errors.As(err, &se)
	if want.IsClientError != nil {
		client := !isServer || mongo.IsNetworkError(err)
		if client != *want.IsClientError {
			return fmt.Errorf("isClientError %v, got %v: %v", *want.IsClientError, client, err)
		}
	}
	if want.IsTimeoutError != nil && mongo.IsTimeout(err) != *want.IsTimeoutError {
		return fmt.Errorf("isTimeoutError %v: %v", *want.IsTimeoutError, err)
	}
	if want.ErrorContains != nil && !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(*want.ErrorContains)) {
		return fmt.Errorf("error %q does not contain %q", err, *want.ErrorContains)
	}
	if want.ErrorCode != nil && (!isServer || !se.HasErrorCode(int(*want.ErrorCode))) {
		return fmt.Errorf("error code %d, got: %v", *want.ErrorCode, err)
	}
	if want.ErrorCodeName != nil && (!isCommand || ce.Name != *want.ErrorCodeName) {
		return fmt.Errorf("error code name %s, got: %v", *want.ErrorCodeName, err)
	}
	for _, l := range want.ErrorLabelsContain {
		if !isServer || !se.HasErrorLabel(l) {
			return fmt.Errorf("error label %s missing: %v", l, err)
		}
	}
	for _, l := range want.ErrorLabelsOmit {
		if isServer && se.HasErrorLabel(l) {
			return fmt.Errorf("error label %s present: %v", l, err)
		}
	}
	if want.ErrorResponse != nil {
		if !isCommand || ce.Raw == nil {
			return fmt.Errorf("errorResponse: not a server reply: %v", err)
		}
		if err := m.match("errorResponse", rawValue(want.ErrorResponse), rawValue(ce.Raw), true); err != nil {
			return err
		}
	}
	return nil
}

// TestSpecMatcher checks the matching rules the runner relies on, so that a runner bug cannot pass spec tests.
func TestSpecMatcher(t *testing.T) {
	ext := func(s string) bson.RawValue {
		var d bson.Raw
		if err := bson.UnmarshalExtJSON([]byte(s), false, &d); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return rawValue(d)
	}
	tests := []struct {
		desc, exp, act string
		ok             bool
	}{
		{"extra root key", `{"a": 1}`, `{"a": 1, "b": 2}`, true},
		{"extra nested key", `{"a": {"x": 1}}`, `{"a": {"x": 1, "y": 2}}`, false},
		{"missing key", `{"a": 1, "b": 2}`, `{"a": 1}`, false},
		{"key order", `{"a": 1, "b": 2}`, `{"b": 2, "a": 1}`, true},
		{"int32 vs double", `{"ok": 1}`, `{"ok": {"$numberDouble": "1.0"}}`, true},
		{"int32 vs int64", `{"n": 5}`, `{"n": {"$numberLong": "5"}}`, true},
		{"different number", `{"ok": 1}`, `{"ok": 0.5}`, false},
		{"string vs number", `{"a": "1"}`, `{"a": 1}`, false},
		{"array length", `{"a": [1, 2]}`, `{"a": [1, 2, 3]}`, false},
		{"exists false, absent", `{"a": {"$$exists": false}}`, `{"b": 1}`, true},
		{"exists false, present", `{"a": {"$$exists": false}}`, `{"a": 1}`, false},
		{"exists true, absent", `{"a": {"$$exists": true}}`, `{}`, false},
		{"type match", `{"a": {"$$type": ["int", "long"]}}`, `{"a": {"$numberLong": "7"}}`, true},
		{"type mismatch", `{"a": {"$$type": "string"}}`, `{"a": 7}`, false},
		{"unsetOrMatches unset", `{"a": {"$$unsetOrMatches": 1}}`, `{}`, true},
		{"unsetOrMatches mismatch", `{"a": {"$$unsetOrMatches": 1}}`, `{"a": 2}`, false},
		{"lte", `{"a": {"$$lte": 5}}`, `{"a": 6}`, false},
		{"matchAsRoot", `{"a": {"$$matchAsRoot": {"x": 1}}}`, `{"a": {"x": 1, "y": 2}}`, true},
	}
	for _, tc := range tests {
		err := (&matcher{}).match("doc", ext(tc.exp), ext(tc.act), true)
		if (err == nil) != tc.ok {
			t.Errorf("%s: match(%s, %s) = %v, want ok=%v", tc.desc, tc.exp, tc.act, err, tc.ok)
		}
	}
}
