package conformance_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor/embedded"
)

var update = flag.Bool("update", false, "rewrite the generated table in the root README's section \"What the embedded server cannot do\"")

// caseTimeout bounds one case: a server that does not answer in time gives a wrong answer.
const caseTimeout = 15 * time.Second

// suite is the server that every test of this binary runs against, and the client connected to it.
var suite struct {
	uri    string
	client *mongo.Client
	real   bool // MONGODB_URI: a real MongoDB, where every case must be correct
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suite.uri = os.Getenv("MONGODB_URI")
	suite.real = suite.uri != ""
	if u := os.Getenv("CONFORMANCE_URI"); u != "" && !suite.real {
		suite.uri = u // another server to classify as the embedded one, a motor serve for example
	} else if !suite.real {
		// CONFORMANCE_RAW=1 runs the cases against FerretDB itself, without the conformance front: the list of its
		// wrong answers.
		srv, err := embedded.Start(ctx, &embedded.Options{Raw: os.Getenv("CONFORMANCE_RAW") != ""})
		if err != nil {
			fmt.Fprintln(os.Stderr, "conformance:", err)
			return 1
		}
		defer srv.Close()
		suite.uri = srv.URI()
	}
	client, err := mongo.Connect(options.Client().ApplyURI(suite.uri).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		return 1
	}
	suite.client = client
	defer func() {
		dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer dcancel()
		_ = client.Disconnect(dctx)
	}()
	return m.Run()
}

// tcase is one case of the table: a command and MongoDB's documented answer to it.
type tcase struct {
	area    string // query, update, aggregation, expression, write, index, command
	feature string // the operator, stage, option or command that the case is about, as the README names it
	name    string // what the case checks

	// docs are the documents of collection c before the case (an extended JSON array); setup are commands run
	// next, in order, on the case's database; cmd is the command under test (relaxed extended JSON), or run
	// runs something else in its place.
	docs  string
	setup []string
	cmd   string
	run   func(ctx context.Context, db *mongo.Database) (result, error)

	want    string // the cursor's documents (a JSON array), or fields of the reply (a JSON document); ${db} is the database's name
	after   string // the documents of c afterwards, sorted by _id (a JSON array)
	code    int32  // MongoDB's error code; the command must fail with it (anyError: with some error)
	ordered bool   // the cursor's documents must come in want's order
	exact   bool   // numbers must also have want's BSON type and sign
}

// anyError is the code of a case whose error MongoDB documents without its code: any server error is its answer.
const anyError = -1

// result is what a command answered: a cursor's documents, or a reply.
type result struct {
	docs   []bson.Raw
	reply  bson.Raw
	cursor bool
}

// outcome is how a case ended.
type outcome int

const (
	correct outcome = iota
	refused
	wrong
)

func (o outcome) String() string { return [...]string{"correct", "refused", "wrong"}[o] }

// record is one case's outcome, for the counts and the README.
type record struct {
	source  string // "table" or "crud spec"
	area    string
	feature string
	name    string
	outcome outcome
	detail  string // for refused: the server's code and message; for wrong: what differs
}

var records struct {
	sync.Mutex
	list []record
}

func addRecord(r record) {
	records.Lock()
	defer records.Unlock()
	records.list = append(records.list, r)
}

// refusalCodes are the error codes that say that something is not supported.
var refusalCodes = map[int32]string{238: "NotImplemented", 115: "CommandNotSupported", 59: "CommandNotFound"}

// isRefusal reports whether a server error refuses the command clearly: a code that says that something is not
// supported, or a BadValue (2) whose message names the embedded server (the front's answer to values on which
// FerretDB would close the connection).
func isRefusal(code int32, msg string) bool {
	if msg == "" {
		return false
	}
	return refusalCodes[code] != "" || code == 2 && strings.Contains(msg, "FerretDB")
}

// serverError extracts the code and message of a server's error; ok is false for any other error (a network error,
// a timeout, a client-side error).
func serverError(err error) (code int32, msg string, ok bool) {
	if err == nil || mongo.IsNetworkError(err) || mongo.IsTimeout(err) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) {
		return 0, "", false
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return ce.Code, ce.Message, true
	}
	var we mongo.WriteException
	if errors.As(err, &we) {
		if len(we.WriteErrors) > 0 {
			return int32(we.WriteErrors[0].Code), we.WriteErrors[0].Message, true
		}
		if we.WriteConcernError != nil {
			return int32(we.WriteConcernError.Code), we.WriteConcernError.Message, true
		}
	}
	var be mongo.BulkWriteException
	if errors.As(err, &be) && len(be.WriteErrors) > 0 {
		return int32(be.WriteErrors[0].Code), be.WriteErrors[0].Message, true
	}
	return 0, "", false
}

// classifyError classifies a command's error against the case's expected code.
func classifyError(want int32, err error) (outcome, string) {
	code, msg, ok := serverError(err)
	switch {
	case !ok && mongo.IsNetworkError(err):
		return wrong, "dropped connection: " + err.Error()
	case !ok && (mongo.IsTimeout(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)):
		return wrong, "no answer in time: " + err.Error()
	case !ok:
		return wrong, "error: " + err.Error()
	case want != 0 && code == want, want == anyError && !isRefusal(code, msg):
		return correct, ""
	case isRefusal(code, msg):
		return refused, fmt.Sprintf("%d: %s", code, msg)
	case want != 0:
		return wrong, fmt.Sprintf("error %d (%s), MongoDB answers %d", code, msg, want)
	default:
		return wrong, fmt.Sprintf("error %d (%s), MongoDB succeeds", code, msg)
	}
}

// writeError returns the first write error or write concern error of a write command's reply as an error.
func writeError(reply bson.Raw) error {
	if arr, ok := reply.Lookup("writeErrors").ArrayOK(); ok {
		if vals, _ := arr.Values(); len(vals) > 0 {
			d := vals[0].Document()
			code, _ := d.Lookup("code").AsInt64OK()
			msg, _ := d.Lookup("errmsg").StringValueOK()
			return mongo.CommandError{Code: int32(code), Message: msg}
		}
	}
	if d, ok := reply.Lookup("writeConcernError").DocumentOK(); ok {
		code, _ := d.Lookup("code").AsInt64OK()
		msg, _ := d.Lookup("errmsg").StringValueOK()
		return mongo.CommandError{Code: int32(code), Message: msg}
	}
	return nil
}

// ext parses relaxed extended JSON, wrapped as {"v": s}, into a value.
func ext(s string) (bson.RawValue, error) {
	var d bson.Raw
	if err := bson.UnmarshalExtJSON([]byte(`{"v":`+s+`}`), false, &d); err != nil {
		return bson.RawValue{}, fmt.Errorf("bad extended JSON %s: %w", s, err)
	}
	return d.Lookup("v"), nil
}

func extDoc(s string) (bson.Raw, error) {
	v, err := ext(s)
	if err != nil {
		return nil, err
	}
	d, ok := v.DocumentOK()
	if !ok {
		return nil, fmt.Errorf("not a document: %s", s)
	}
	return d, nil
}

// runCommand runs one command: find and aggregate through a cursor (all batches), the others as they are.
func runCommand(ctx context.Context, db *mongo.Database, cmd string) (result, error) {
	d, err := extDoc(cmd)
	if err != nil {
		return result{}, err
	}
	elems, _ := d.Elements()
	if len(elems) > 0 && (elems[0].Key() == "find" || elems[0].Key() == "aggregate") {
		if _, explain := d.Lookup("explain").BooleanOK(); !explain {
			cur, err := db.RunCommandCursor(ctx, d)
			if err != nil {
				return result{}, err
			}
			var docs []bson.Raw
			for cur.Next(ctx) {
				docs = append(docs, append(bson.Raw(nil), cur.Current...))
			}
			err = cur.Err()
			_ = cur.Close(context.WithoutCancel(ctx))
			return result{docs: docs, cursor: true}, err
		}
	}
	reply, err := db.RunCommand(ctx, d).Raw()
	if err != nil {
		return result{}, err
	}
	if err := writeError(reply); err != nil {
		return result{reply: reply}, err
	}
	return result{reply: reply}, nil
}

// contents returns the documents of collection c, sorted by _id.
func contents(ctx context.Context, db *mongo.Database) ([]bson.Raw, error) {
	r, err := runCommand(ctx, db, `{"find": "c", "sort": {"_id": 1}}`)
	return r.docs, err
}

// runCase runs c on a fresh database and classifies the answer.
func runCase(ctx context.Context, db *mongo.Database, c *tcase) (outcome, string, error) {
	if c.docs != "" {
		if _, err := runCommand(ctx, db, `{"insert": "c", "documents": `+c.docs+`}`); err != nil {
			o, d := classifyError(0, err)
			return o, "inserting the documents: " + d, nil
		}
	}
	for _, s := range c.setup {
		if _, err := runCommand(ctx, db, s); err != nil {
			o, d := classifyError(0, err)
			return o, "setup " + s + ": " + d, nil
		}
	}
	var res result
	var err error
	if c.run != nil {
		res, err = c.run(ctx, db)
	} else {
		res, err = runCommand(ctx, db, c.cmd)
	}
	if err != nil {
		o, d := classifyError(c.code, err)
		if o != correct || res.reply == nil {
			return o, d, nil
		}
		// A write error with the expected code: the reply's counts and the collection must be MongoDB's too.
	} else if c.code != 0 {
		return wrong, fmt.Sprintf("succeeded (%s), MongoDB answers error %d (-1: some error)", show(res), c.code), nil
	}
	if c.want != "" {
		w, err := ext(strings.ReplaceAll(c.want, "${db}", db.Name()))
		if err != nil {
			return 0, "", err
		}
		if diff := compareResult(w, res, c.ordered, c.exact); diff != "" {
			return wrong, diff, nil
		}
	}
	if c.after != "" {
		w, err := ext(c.after)
		if err != nil {
			return 0, "", err
		}
		got, err := contents(ctx, db)
		if err != nil {
			o, d := classifyError(0, err)
			if o == refused {
				o = wrong
			}
			return o, "reading the collection afterwards: " + d, nil
		}
		if diff := compareDocs(w, got, true, c.exact); diff != "" {
			return wrong, "collection afterwards: " + diff, nil
		}
	}
	return correct, "", nil
}

func show(r result) string {
	if r.cursor {
		parts := make([]string, len(r.docs))
		for i, d := range r.docs {
			parts[i] = d.String()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return r.reply.String()
}

// compareResult compares a command's result with want: an array for a cursor's documents, a document for the
// reply's fields (the reply may have other fields).
func compareResult(want bson.RawValue, got result, ordered, exact bool) string {
	if got.cursor {
		return compareDocs(want, got.docs, ordered, exact)
	}
	wd, ok := want.DocumentOK()
	if !ok {
		return "want is not a document but the reply is: " + got.reply.String()
	}
	elems, _ := wd.Elements()
	for _, e := range elems {
		gv, err := got.reply.LookupErr(e.Key())
		if err != nil {
			return fmt.Sprintf("reply has no %q: %s", e.Key(), got.reply)
		}
		if e.Key() == "writeErrors" || e.Key() == "lastErrorObject" {
			if !contains(e.Value(), gv) {
				return fmt.Sprintf("reply's %q is %s, want %s (reply %s)", e.Key(), gv, e.Value(), got.reply)
			}
			continue
		}
		if !equal(e.Value(), gv, exact) {
			return fmt.Sprintf("reply's %q is %s, want %s (reply %s)", e.Key(), gv, e.Value(), got.reply)
		}
	}
	return ""
}

// compareDocs compares documents with want, an array of documents, in order or as a multiset.
func compareDocs(want bson.RawValue, got []bson.Raw, ordered, exact bool) string {
	arr, ok := want.ArrayOK()
	if !ok {
		return "want is not an array"
	}
	wv, _ := arr.Values()
	mismatch := func() string {
		return fmt.Sprintf("got %s, want %s", show(result{docs: got, cursor: true}), arr)
	}
	if len(wv) != len(got) {
		return mismatch()
	}
	if ordered {
		for i := range wv {
			if !equal(wv[i], docValue(got[i]), exact) {
				return mismatch()
			}
		}
		return ""
	}
	used := make([]bool, len(got))
next:
	for _, w := range wv {
		for j, g := range got {
			if !used[j] && equal(w, docValue(g), exact) {
				used[j] = true
				continue next
			}
		}
		return mismatch()
	}
	return ""
}

func docValue(d bson.Raw) bson.RawValue {
	return bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: d}
}

// equal compares two values as MongoDB's unified test format does: numbers by value whatever their type (unless
// exact), documents field by field in any order, arrays element by element.
func equal(w, g bson.RawValue, exact bool) bool {
	if isNumber(w.Type) && isNumber(g.Type) {
		if exact {
			if w.Type != g.Type {
				return false
			}
			if w.Type == bson.TypeDouble {
				wf, gf := w.Double(), g.Double()
				return wf == gf && math.Signbit(wf) == math.Signbit(gf) || math.IsNaN(wf) && math.IsNaN(gf)
			}
		}
		wi, wInt := w.AsInt64OK()
		gi, gInt := g.AsInt64OK()
		if wInt && gInt && w.Type != bson.TypeDouble && g.Type != bson.TypeDouble {
			return wi == gi
		}
		wf, gf := toFloat(w), toFloat(g)
		return wf == gf || math.IsNaN(wf) && math.IsNaN(gf)
	}
	if w.Type != g.Type {
		return false
	}
	switch w.Type {
	case bson.TypeEmbeddedDocument:
		we, _ := w.Document().Elements()
		ge, _ := g.Document().Elements()
		if len(we) != len(ge) {
			return false
		}
		for _, e := range we {
			gv, err := g.Document().LookupErr(e.Key())
			if err != nil || !equal(e.Value(), gv, exact) {
				return false
			}
		}
		return true
	case bson.TypeArray:
		wv, _ := w.Array().Values()
		gv, _ := g.Array().Values()
		if len(wv) != len(gv) {
			return false
		}
		for i := range wv {
			if !equal(wv[i], gv[i], exact) {
				return false
			}
		}
		return true
	}
	return w.Equal(g)
}

// contains compares g with w as equal does, except that g's documents may have fields that w's lack (the
// errmsg of a write error, for example).
func contains(w, g bson.RawValue) bool {
	switch {
	case w.Type == bson.TypeEmbeddedDocument && g.Type == bson.TypeEmbeddedDocument:
		we, _ := w.Document().Elements()
		for _, e := range we {
			gv, err := g.Document().LookupErr(e.Key())
			if err != nil || !contains(e.Value(), gv) {
				return false
			}
		}
		return true
	case w.Type == bson.TypeArray && g.Type == bson.TypeArray:
		wv, _ := w.Array().Values()
		gv, _ := g.Array().Values()
		if len(wv) != len(gv) {
			return false
		}
		for i := range wv {
			if !contains(wv[i], gv[i]) {
				return false
			}
		}
		return true
	}
	return equal(w, g, false)
}

func isNumber(t bson.Type) bool {
	return t == bson.TypeInt32 || t == bson.TypeInt64 || t == bson.TypeDouble
}

func toFloat(v bson.RawValue) float64 {
	switch v.Type {
	case bson.TypeDouble:
		return v.Double()
	case bson.TypeInt32:
		return float64(v.Int32())
	default:
		return float64(v.Int64())
	}
}

// TestConformance runs the table (TestConformance/cases/<area>/<feature>/<name>, each on a fresh database), then
// MongoDB's CRUD specification tests (TestConformance/crud-spec), logs the counts and checks the README's table of
// what the embedded server refuses (TestConformance/README). A wrong answer fails the test.
func TestConformance(t *testing.T) {
	cases := allCases()
	seen := map[string]bool{}
	for _, c := range cases {
		id := c.area + "/" + c.feature + "/" + c.name
		if seen[id] {
			t.Fatalf("two cases named %s", id)
		}
		seen[id] = true
	}
	start := time.Now()
	t.Run("cases", func(t *testing.T) {
		for i := range cases {
			c := &cases[i]
			t.Run(c.area+"/"+c.feature+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				// No deadline on the context: the driver would add maxTimeMS to every command, and each case
				// sends exactly its command. The timer ends a case that gets no answer.
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				timer := time.AfterFunc(caseTimeout, cancel)
				defer timer.Stop()
				db := suite.client.Database(fmt.Sprintf("conf_%d", i))
				defer func() { _ = db.Drop(context.WithoutCancel(ctx)) }()
				_ = db.Drop(ctx)
				o, detail, err := runCase(ctx, db, c)
				if err != nil {
					t.Fatal(err) // a broken case
				}
				addRecord(record{source: "table", area: c.area, feature: c.feature, name: c.name, outcome: o, detail: detail})
				report(t, o, detail)
			})
		}
	})
	logCounts(t, "table", time.Since(start))
	t.Run("crud-spec", runCRUDSpec)
	logCounts(t, "all", time.Since(start))

	records.Lock()
	n := len(records.list)
	records.Unlock()
	complete := n == len(cases)+specRunnable
	t.Run("README", func(t *testing.T) { checkREADME(t, complete) })
}

// report fails the test on a wrong answer (and, against a real MongoDB, on a refusal) and logs the others.
func report(t *testing.T, o outcome, detail string) {
	t.Helper()
	switch {
	case o == wrong:
		t.Errorf("wrong answer: %s", detail)
	case o == refused && suite.real:
		t.Errorf("refused by a real MongoDB: %s", detail)
	case o == refused:
		t.Logf("refused: %s", detail)
	}
}

// counts returns the number of records of source ("" for all) per outcome.
func counts(source string) [3]int {
	records.Lock()
	defer records.Unlock()
	var n [3]int
	for _, r := range records.list {
		if source == "" || r.source == source {
			n[r.outcome]++
		}
	}
	return n
}

// logCounts logs the counts of a source, or of all with "all".
func logCounts(t *testing.T, source string, d time.Duration) {
	name := source
	if source == "all" {
		source = ""
	}
	n := counts(source)
	t.Logf("%s: %d cases: %d correct, %d refused, %d wrong (%v)", name, n[0]+n[1]+n[2], n[0], n[1], n[2], d.Round(time.Millisecond))
}
