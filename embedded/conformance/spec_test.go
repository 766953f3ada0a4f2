package conformance_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// runCRUDSpec runs MongoDB's unified CRUD specification tests in testdata/crud (copies from
// github.com/mongodb/specifications, source/crud/tests/unified, commit 92b3c0b9287bfba1b0ec4084300858d05c654f8c)
// and classifies each test as correct, refused or wrong, as TestConformance does its cases.
//
// The root module has a unified-format runner (spec_runner_test.go), but it lives in package motor_test, drives
// motor's API (which these tests must not depend on) and passes or skips rather than classifying; it cannot be
// imported from here. This one is deliberately small: client, database and collection entities, the aggregate
// and find operations that the CRUD files use, expectResult, expectError and commandStartedEvent expectations
// with the matching rules of the format ($$exists, $$unsetOrMatches, $$type). A test that needs more is reported
// as not run, with the reason, and fails the test, so that a newly copied file cannot pass unnoticed.
func runCRUDSpec(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "crud", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRUD specification files: %v", err)
	}
	sort.Strings(files)
	version, topology := serverVersion(t)
	start := time.Now()
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var f specFile
			if err := bson.UnmarshalExtJSON(data, false, &f); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, tc := range f.Tests {
				t.Run(tc.Description, func(t *testing.T) {
					if why := runOn(f.RunOnRequirements, tc.RunOnRequirements, version, topology); why != "" {
						t.Skipf("not for this server: %s", why)
					}
					specRunnable++
					if tc.SkipReason != "" {
						t.Skip(tc.SkipReason)
					}
					o, detail := runSpecTest(t, &f, &tc)
					addRecord(record{source: "crud spec", area: "crud spec", feature: specFeature(&tc), name: f.Description + "/" + tc.Description, outcome: o, detail: detail})
					report(t, o, detail)
				})
			}
		})
	}
	logCounts(t, "crud spec", time.Since(start))
}

// specRunnable counts the CRUD specification tests that this server meets the requirements of.
var specRunnable int

type specFile struct {
	Description       string     `bson:"description"`
	RunOnRequirements []runOnReq `bson:"runOnRequirements"`
	CreateEntities    []bson.Raw `bson:"createEntities"`
	InitialData       []struct {
		CollectionName string     `bson:"collectionName"`
		DatabaseName   string     `bson:"databaseName"`
		Documents      []bson.Raw `bson:"documents"`
	} `bson:"initialData"`
	Tests []specTest `bson:"tests"`
}

type runOnReq struct {
	MinServerVersion string   `bson:"minServerVersion"`
	MaxServerVersion string   `bson:"maxServerVersion"`
	Topologies       []string `bson:"topologies"`
	Serverless       string   `bson:"serverless"`
}

type specTest struct {
	Description       string     `bson:"description"`
	RunOnRequirements []runOnReq `bson:"runOnRequirements"`
	SkipReason        string     `bson:"skipReason"`
	Operations        []struct {
		Name         string        `bson:"name"`
		Object       string        `bson:"object"`
		Arguments    bson.Raw      `bson:"arguments"`
		ExpectError  bson.Raw      `bson:"expectError"`
		ExpectResult bson.RawValue `bson:"expectResult"`
	} `bson:"operations"`
	ExpectEvents []struct {
		Client string     `bson:"client"`
		Events []bson.Raw `bson:"events"`
	} `bson:"expectEvents"`
}

// specFeature names what a spec test is about for the README: the first stage of its first aggregate, or its
// first operation.
func specFeature(tc *specTest) string {
	if len(tc.Operations) == 0 {
		return ""
	}
	op := tc.Operations[0]
	if p, ok := op.Arguments.Lookup("pipeline").ArrayOK(); ok {
		if vals, _ := p.Values(); len(vals) > 0 {
			if elems, _ := vals[0].Document().Elements(); len(elems) > 0 {
				return op.Name + " " + elems[0].Key()
			}
		}
	}
	return op.Name
}

func serverVersion(t *testing.T) ([3]int, string) {
	var bi struct {
		VersionArray []int32 `bson:"versionArray"`
	}
	if err := suite.client.Database("admin").RunCommand(t.Context(), bson.D{{Key: "buildInfo", Value: 1}}).Decode(&bi); err != nil {
		t.Fatal(err)
	}
	var v [3]int
	for i := 0; i < 3 && i < len(bi.VersionArray); i++ {
		v[i] = int(bi.VersionArray[i])
	}
	hello, err := suite.client.Database("admin").RunCommand(t.Context(), bson.D{{Key: "hello", Value: 1}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	topology := "single"
	if msg, _ := hello.Lookup("msg").StringValueOK(); msg == "isdbgrid" {
		topology = "sharded"
	} else if _, err := hello.LookupErr("setName"); err == nil {
		topology = "replicaset"
	}
	return v, topology
}

// runOn returns why the requirements exclude the server, or "": the file's requirements (any one) and the test's
// (any one) must both hold.
func runOn(file, test []runOnReq, version [3]int, topology string) string {
	for _, reqs := range [][]runOnReq{file, test} {
		if len(reqs) == 0 {
			continue
		}
		var why []string
		ok := false
		for _, r := range reqs {
			w := ""
			switch {
			case r.MinServerVersion != "" && compareVersion(version, r.MinServerVersion) < 0:
				w = "server older than " + r.MinServerVersion
			case r.MaxServerVersion != "" && compareVersion(version, r.MaxServerVersion) > 0:
				w = "server newer than " + r.MaxServerVersion
			case len(r.Topologies) > 0 && !contains2(r.Topologies, topology):
				w = "topology " + strings.Join(r.Topologies, ", ")
			case r.Serverless == "require":
				w = "serverless"
			}
			if w == "" {
				ok = true
				break
			}
			why = append(why, w)
		}
		if !ok {
			return strings.Join(why, "; ")
		}
	}
	return ""
}

func contains2(list []string, s string) bool {
	for _, x := range list {
		if x == s || x == "sharded-replicaset" && s == "sharded" {
			return true
		}
	}
	return false
}

func compareVersion(v [3]int, s string) int {
	parts := strings.Split(s, ".")
	for i := 0; i < 3; i++ {
		n := 0
		if i < len(parts) {
			n, _ = strconv.Atoi(parts[i])
		}
		if v[i] != n {
			if v[i] < n {
				return -1
			}
			return 1
		}
	}
	return 0
}

// specEntities are a test's entities: clients with their command started events, databases and collections.
type specEntities struct {
	mu      sync.Mutex
	events  map[string][]bson.Raw // client id: commands started, in order
	clients map[string]*mongo.Client
	dbs     map[string]*mongo.Database
	colls   map[string]*mongo.Collection
}

func (e *specEntities) close() {
	for _, c := range e.clients {
		_ = c.Disconnect(context.Background())
	}
}

func createEntities(ctx context.Context, f *specFile) (*specEntities, error) {
	e := &specEntities{events: map[string][]bson.Raw{}, clients: map[string]*mongo.Client{},
		dbs: map[string]*mongo.Database{}, colls: map[string]*mongo.Collection{}}
	for _, raw := range f.CreateEntities {
		elems, _ := raw.Elements()
		if len(elems) != 1 {
			return e, fmt.Errorf("bad entity %s", raw)
		}
		kind, spec := elems[0].Key(), elems[0].Value().Document()
		id, _ := spec.Lookup("id").StringValueOK()
		switch kind {
		case "client":
			clientID := id
			mon := &event.CommandMonitor{Started: func(_ context.Context, ev *event.CommandStartedEvent) {
				if ev.CommandName == "hello" || ev.CommandName == "isMaster" || ev.CommandName == "buildInfo" {
					return
				}
				e.mu.Lock()
				e.events[clientID] = append(e.events[clientID], append(bson.Raw(nil), ev.Command...))
				e.mu.Unlock()
			}}
			c, err := mongo.Connect(options.Client().ApplyURI(suite.uri).SetMonitor(mon))
			if err != nil {
				return e, err
			}
			e.clients[id] = c
		case "database":
			cid, _ := spec.Lookup("client").StringValueOK()
			name, _ := spec.Lookup("databaseName").StringValueOK()
			e.dbs[id] = e.clients[cid].Database(name)
		case "collection":
			did, _ := spec.Lookup("database").StringValueOK()
			name, _ := spec.Lookup("collectionName").StringValueOK()
			e.colls[id] = e.dbs[did].Collection(name)
		default:
			return e, skipf("entity %s", kind)
		}
	}
	return e, nil
}

type skipError string

func (s skipError) Error() string { return string(s) }

func skipf(format string, args ...any) error { return skipError(fmt.Sprintf(format, args...)) }

// runSpecTest runs one test's operations and expectations and classifies the outcome.
func runSpecTest(t *testing.T, f *specFile, tc *specTest) (outcome, string) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	timer := time.AfterFunc(caseTimeout, cancel)
	defer timer.Stop()

	for _, d := range f.InitialData {
		coll := suite.client.Database(d.DatabaseName).Collection(d.CollectionName)
		if err := coll.Drop(ctx); err != nil {
			return classifyError(0, err)
		}
		if len(d.Documents) > 0 {
			if _, err := coll.InsertMany(ctx, d.Documents); err != nil {
				return classifyError(0, err)
			}
		}
	}
	ents, err := createEntities(ctx, f)
	defer ents.close()
	if err != nil {
		t.Fatalf("not run: %v", err)
	}
	for i, op := range tc.Operations {
		res, err := specOperation(ctx, ents, op.Object, op.Name, op.Arguments)
		if s, ok := err.(skipError); ok {
			t.Fatalf("not run: operation %d: %s", i, s)
		}
		if op.ExpectError != nil {
			if err == nil {
				return wrong, fmt.Sprintf("operation %d succeeded, the specification expects an error %s", i, op.ExpectError)
			}
			want := int32(0)
			if c, ok := op.ExpectError.Lookup("errorCode").AsInt64OK(); ok {
				want = int32(c)
			}
			o, d := classifyError(want, err)
			if want == 0 && o == wrong {
				if _, _, isServer := serverError(err); isServer {
					o, d = correct, "" // isError: any server error
				}
			}
			if o != correct {
				return o, fmt.Sprintf("operation %d: %s", i, d)
			}
			continue
		}
		if err != nil {
			o, d := classifyError(0, err)
			return o, fmt.Sprintf("operation %d (%s): %s", i, op.Name, d)
		}
		if op.ExpectResult.Type != 0 {
			got := bson.RawValue{Type: bson.TypeArray, Value: res}
			if !unifiedMatch(op.ExpectResult, got, true) {
				return wrong, fmt.Sprintf("operation %d: got %s, the specification expects %s", i, got, op.ExpectResult)
			}
		}
	}
	for _, exp := range tc.ExpectEvents {
		ents.mu.Lock()
		got := ents.events[exp.Client]
		ents.mu.Unlock()
		if len(got) != len(exp.Events) {
			return wrong, fmt.Sprintf("client %s: %d commands started, the specification expects %d", exp.Client, len(got), len(exp.Events))
		}
		for i, ev := range exp.Events {
			cmd, ok := ev.Lookup("commandStartedEvent", "command").DocumentOK()
			if !ok {
				t.Fatalf("not run: event %s", ev)
			}
			if !unifiedMatch(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: cmd}, bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: got[i]}, true) {
				return wrong, fmt.Sprintf("command %d is %s, the specification expects %s", i, got[i], cmd)
			}
		}
	}
	return correct, ""
}

// specOperation runs one operation on an entity and returns the cursor's documents as a BSON array.
func specOperation(ctx context.Context, e *specEntities, object, name string, args bson.Raw) ([]byte, error) {
	pipeline, _ := args.Lookup("pipeline").ArrayOK()
	var cmd bson.D
	var db *mongo.Database
	switch {
	case name == "aggregate" && e.dbs[object] != nil:
		db = e.dbs[object]
		cmd = bson.D{{Key: "aggregate", Value: 1}, {Key: "pipeline", Value: pipeline}, {Key: "cursor", Value: bson.D{}}}
	case name == "aggregate" && e.colls[object] != nil:
		db = e.colls[object].Database()
		cmd = bson.D{{Key: "aggregate", Value: e.colls[object].Name()}, {Key: "pipeline", Value: pipeline}, {Key: "cursor", Value: bson.D{}}}
	default:
		return nil, skipf("operation %s on %s", name, object)
	}
	elems, _ := args.Elements()
	for _, el := range elems {
		switch el.Key() {
		case "pipeline":
		case "allowDiskUse", "comment", "let", "maxTimeMS", "batchSize":
			if el.Key() == "batchSize" {
				cmd[2].Value = bson.D{{Key: "batchSize", Value: el.Value()}}
				continue
			}
			cmd = append(cmd, bson.E{Key: el.Key(), Value: el.Value()})
		case "rawData":
			// The specification: drivers send rawData to MongoDB 8.2 and later only.
		default:
			return nil, skipf("argument %s", el.Key())
		}
	}
	cur, err := db.RunCommandCursor(ctx, cmd)
	if err != nil {
		return nil, err
	}
	defer func() { _ = cur.Close(context.WithoutCancel(ctx)) }()
	var docs bson.A
	for cur.Next(ctx) {
		docs = append(docs, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	_, arr, err := bson.MarshalValue(docs)
	return arr, err
}

// unifiedMatch matches actual against expected by the unified test format's rules: root-level documents (and the
// documents of a root-level array) may have extra fields; $$exists, $$unsetOrMatches and $$type; numbers by value.
func unifiedMatch(w, g bson.RawValue, root bool) bool {
	switch w.Type {
	case bson.TypeEmbeddedDocument:
		if g.Type != bson.TypeEmbeddedDocument {
			return false
		}
		we, _ := w.Document().Elements()
		for _, e := range we {
			v := e.Value()
			if op, ok := v.DocumentOK(); ok {
				if oe, _ := op.Elements(); len(oe) == 1 && strings.HasPrefix(oe[0].Key(), "$$") {
					gv, err := g.Document().LookupErr(e.Key())
					switch oe[0].Key() {
					case "$$exists":
						if oe[0].Value().Boolean() != (err == nil) {
							return false
						}
						continue
					case "$$unsetOrMatches":
						if err != nil {
							continue
						}
						if !unifiedMatch(oe[0].Value(), gv, false) {
							return false
						}
						continue
					case "$$type":
						if err != nil || !typeMatches(oe[0].Value(), gv.Type) {
							return false
						}
						continue
					}
				}
			}
			gv, err := g.Document().LookupErr(e.Key())
			if err != nil || !unifiedMatch(v, gv, false) {
				return false
			}
		}
		if !root {
			ge, _ := g.Document().Elements()
			return len(ge) == len(we)
		}
		return true
	case bson.TypeArray:
		if g.Type != bson.TypeArray {
			return false
		}
		wv, _ := w.Array().Values()
		gv, _ := g.Array().Values()
		if len(wv) != len(gv) {
			return false
		}
		for i := range wv {
			if !unifiedMatch(wv[i], gv[i], root) {
				return false
			}
		}
		return true
	}
	return equal(w, g, false)
}

func typeMatches(want bson.RawValue, t bson.Type) bool {
	names := map[string][]bson.Type{
		"double": {bson.TypeDouble}, "string": {bson.TypeString}, "object": {bson.TypeEmbeddedDocument},
		"array": {bson.TypeArray}, "binData": {bson.TypeBinary}, "objectId": {bson.TypeObjectID},
		"bool": {bson.TypeBoolean}, "date": {bson.TypeDateTime}, "null": {bson.TypeNull}, "int": {bson.TypeInt32},
		"long": {bson.TypeInt64}, "decimal": {bson.TypeDecimal128}, "timestamp": {bson.TypeTimestamp},
		"number": {bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128},
	}
	var list []string
	if s, ok := want.StringValueOK(); ok {
		list = []string{s}
	} else if arr, ok := want.ArrayOK(); ok {
		vals, _ := arr.Values()
		for _, v := range vals {
			list = append(list, v.StringValue())
		}
	}
	for _, n := range list {
		for _, tt := range names[n] {
			if tt == t {
				return true
			}
		}
	}
	return false
}
