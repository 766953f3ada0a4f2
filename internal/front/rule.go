package front

import (
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/gomotor/motor/internal/wire"
)

// Rule is one conformance rule: what the front does about one FerretDB v1 behaviour. A rule has one or more hooks;
// each may be nil.
type Rule struct {
	// Name names the FerretDB behaviour in a few words, for tests and the package's list.
	Name string

	// Commands lists the command names (the first key of the body, exactly as sent: list "findAndModify" and
	// "findandmodify" if both spellings matter) that the rule applies to. Empty means every OP_MSG command; such a
	// rule may only have Refuse.
	Commands []string

	// Refuse looks at the request and returns the error to answer instead of sending it, or nil. It must not keep
	// cmd or anything it points to.
	Refuse func(cmd *Command) *Error

	// Applies says whether Serve handles this request; nil means always.
	Applies func(cmd *Command) bool

	// Serve answers the request itself, talking to FerretDB through x, and returns the reply's body. The first
	// rule whose Applies accepts the request serves it; without one the request is forwarded. Returning
	// [ErrTimeout] answers MaxTimeMSExpired; another error closes the client's connection.
	Serve func(x *Exchange) (bsoncore.Document, error)

	// Repair looks at the reply and returns a corrected one, or nil to keep it. Rules with Repair see every reply
	// to their commands, in registration order, each the previous one's output.
	Repair func(cmd *Command, reply bsoncore.Document) bsoncore.Document
}

// rules is the rule table: the built-in rules of rules.go, then the ones that other files add with [register] from
// an init function (suite_rules.go).
var rules = builtinRules()

// register adds rules to the table. Call it from an init function; the table is read when a [Front] starts.
func register(rs ...Rule) {
	rules = append(rules, rs...)
}

// table is the rule table indexed by command name.
type table struct {
	global []*Rule // Refuse hooks for every command
	byName map[string]*entry
}

type entry struct {
	name                  string
	refuse, serve, repair []*Rule
}

func compile(rs []Rule) *table {
	t := &table{byName: map[string]*entry{}}
	for i := range rs {
		r := &rs[i]
		if len(r.Commands) == 0 {
			if r.Refuse == nil || r.Serve != nil || r.Repair != nil {
				panic("front: rule " + r.Name + " applies to every command but is not a Refuse rule")
			}
			t.global = append(t.global, r)
			continue
		}
		for _, name := range r.Commands {
			e := t.byName[name]
			if e == nil {
				e = &entry{name: name}
				t.byName[name] = e
			}
			if r.Refuse != nil {
				e.refuse = append(e.refuse, r)
			}
			if r.Serve != nil {
				e.serve = append(e.serve, r)
			}
			if r.Repair != nil {
				e.repair = append(e.repair, r)
			}
		}
	}
	return t
}

// Command is a client's OP_MSG command as the rules see it. Its slices point into the message and are valid during
// the hook call only.
type Command struct {
	// Name is the command name, as listed in the rule's Commands; "" for a command no rule names.
	Name string

	// Body is the body section: the command document with $db, lsid and the like.
	Body bsoncore.Document

	// Seqs are the document sequences (the driver sends insert's documents and update's updates this way).
	Seqs []wire.Sequence

	// MoreToCome is set for a fire-and-forget message (w:0): the client reads no reply.
	MoreToCome bool

	front *Front
}

// Lookup returns the body's field key, or a zero Value (Type 0) if it has none.
func (c *Command) Lookup(key ...string) bsoncore.Value {
	v, err := c.Body.LookupErr(key...)
	if err != nil {
		return bsoncore.Value{}
	}
	return v
}

// DB returns the command's database ($db).
func (c *Command) DB() string {
	s, _ := c.Lookup("$db").StringValueOK()
	return s
}

// Collection returns the command's first value when it is a string: the collection of most commands.
func (c *Command) Collection() string {
	s, _ := c.Lookup(c.Name).StringValueOK()
	return s
}

// Docs calls fn with each document of the array field key, or of the document sequence of that name, until fn
// returns false.
func (c *Command) Docs(key string, fn func(doc bsoncore.Document) bool) {
	for _, s := range c.Seqs {
		if s.ID == key {
			s.Each(func(d []byte) bool { return fn(d) })
			return
		}
	}
	arr, ok := c.Lookup(key).ArrayOK()
	if !ok {
		return
	}
	for rest := []byte(arr); ; {
		// arrays are documents whose keys are indexes
		el, r, ok := nextElement(rest, len(rest) == len(arr))
		if !ok {
			return
		}
		rest = r
		if d, ok := el.Value().DocumentOK(); ok && !fn(d) {
			return
		}
	}
}

// nextElement returns the next element of a document: from its start (first) or from the remaining elements.
func nextElement(b []byte, first bool) (bsoncore.Element, []byte, bool) {
	if first {
		if len(b) < 5 {
			return nil, nil, false
		}
		b = b[4:]
	}
	if len(b) < 2 || b[0] == 0 {
		return nil, nil, false
	}
	el, rest, ok := bsoncore.ReadElement(b)
	return el, rest, ok
}

// each calls fn with each element of the document (or array) d until fn returns false.
func each(d []byte, fn func(el bsoncore.Element) bool) {
	for rest, first := d, true; ; first = false {
		el, r, ok := nextElement(rest, first)
		if !ok {
			return
		}
		rest = r
		if !fn(el) {
			return
		}
	}
}

// Error is a server error reply: {ok: 0, errmsg, code, codeName}.
type Error struct {
	Code     int32
	CodeName string
	Msg      string
}

// MongoDB error codes the front answers with.
const (
	codeInternalError        = 1
	codeBadValue             = 2
	codeMaxTimeMSExpired     = 50
	codeCommandNotFound      = 59
	codeCannotCreateIndex    = 67
	codeIndexOptionsConflict = 85
	codeNotImplemented       = 238
	codeDuplicateKey         = 11000
)

// notImplemented returns a NotImplemented (238) error; its message says what FerretDB v1 gets wrong and what to
// use instead.
func notImplemented(format string, args ...any) *Error {
	return &Error{Code: codeNotImplemented, CodeName: "NotImplemented", Msg: fmt.Sprintf(format, args...)}
}

// badValue returns a BadValue (2) error.
func badValue(format string, args ...any) *Error {
	return &Error{Code: codeBadValue, CodeName: "BadValue", Msg: fmt.Sprintf(format, args...)}
}

// maxTimeExpired is MongoDB's MaxTimeMSExpired error.
func maxTimeExpired() *Error {
	return &Error{Code: codeMaxTimeMSExpired, CodeName: "MaxTimeMSExpired", Msg: "operation exceeded time limit"}
}

// doc returns the error's reply document.
func (e *Error) doc() bsoncore.Document {
	return bsoncore.NewDocumentBuilder().
		AppendDouble("ok", 0).
		AppendString("errmsg", e.Msg).
		AppendInt32("code", e.Code).
		AppendString("codeName", e.CodeName).
		Build()
}

// legacyDoc returns the error's OP_REPLY document for a query failure: {$err, code, ok: 0}.
func (e *Error) legacyDoc() bsoncore.Document {
	return bsoncore.NewDocumentBuilder().
		AppendString("$err", e.Msg).
		AppendInt32("code", e.Code).
		AppendString("codeName", e.CodeName).
		AppendDouble("ok", 0).
		Build()
}

// errorReply returns the error in a reply document, if it is one: ok is 0.
func errorReply(reply bsoncore.Document) (code int32, msg string, ok bool) {
	if okv, found := numberOK(reply.Lookup("ok")); !found || okv != 0 {
		return 0, "", false
	}
	c, _ := numberOK(reply.Lookup("code"))
	msg, _ = reply.Lookup("errmsg").StringValueOK()
	return int32(c), msg, true
}

// numberOK returns a numeric value as a float64.
func numberOK(v bsoncore.Value) (float64, bool) {
	switch v.Type {
	case bsoncore.TypeDouble:
		return v.Double(), true
	case bsoncore.TypeInt32:
		return float64(v.Int32()), true
	case bsoncore.TypeInt64:
		return float64(v.Int64()), true
	}
	return 0, false
}

// maxTime returns the command's maxTimeMS as a duration, and whether it has a positive one.
func maxTime(cmd *Command) (time.Duration, bool) {
	ms, ok := numberOK(cmd.Lookup("maxTimeMS"))
	if !ok || ms <= 0 {
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}

// without returns a copy of doc without the fields named in drop, and with extra elements appended (each built by
// a bsoncore.AppendXElement function).
func without(doc bsoncore.Document, drop []string, extra ...func(dst []byte) []byte) bsoncore.Document {
	idx, out := bsoncore.AppendDocumentStart(nil)
	each(doc, func(el bsoncore.Element) bool {
		k := el.Key()
		for _, d := range drop {
			if k == d {
				return true
			}
		}
		out = append(out, el...)
		return true
	})
	for _, f := range extra {
		out = f(out)
	}
	out, _ = bsoncore.AppendDocumentEnd(out, idx)
	return out
}

// withField returns a copy of doc with the field key's element replaced by the one that elem appends, in place, or
// appended if doc has no such field.
func withField(doc bsoncore.Document, key string, elem func(dst []byte) []byte) bsoncore.Document {
	idx, out := bsoncore.AppendDocumentStart(nil)
	done := false
	each(doc, func(el bsoncore.Element) bool {
		if el.Key() == key && !done {
			out, done = elem(out), true
		} else {
			out = append(out, el...)
		}
		return true
	})
	if !done {
		out = elem(out)
	}
	out, _ = bsoncore.AppendDocumentEnd(out, idx)
	return out
}

// isOperator reports whether a key is an operator ($ followed by a letter), not a field name.
func isOperator(key string) bool {
	return len(key) > 1 && key[0] == '$'
}

// isDigits reports whether s is a non-empty run of ASCII digits (an array index in a path).
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hasIndexComponent reports whether a dotted path has an array index component ("a.0.b").
func hasIndexComponent(path string) bool {
	for part := range strings.SplitSeq(path, ".") {
		if isDigits(part) {
			return true
		}
	}
	return false
}
