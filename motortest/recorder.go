package motortest

import (
	"context"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
)

// Recorder records the commands a driver client sends and the replies it gets, through the driver's command monitor,
// so that tests can assert exactly what went on the wire, key order included. It is safe for concurrent use.
//
//	rec := motortest.NewRecorder()
//	opts := options.Client().ApplyURI(uri).SetMonitor(rec.Monitor())
type Recorder struct {
	mu      sync.Mutex
	started []event.CommandStartedEvent
	replies map[int64]bson.Raw
	errs    map[int64]error
}

// Volatile are the fields that Commands removes because their values change from run to run: the session id and the
// cluster time.
var Volatile = []string{"lsid", "$clusterTime"}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{replies: map[int64]bson.Raw{}, errs: map[int64]error{}}
}

// Monitor returns a command monitor that feeds the recorder. Chain it into an existing monitor if you have one.
func (r *Recorder) Monitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			e2 := *e
			e2.Command = append(bson.Raw(nil), e.Command...)
			r.mu.Lock()
			r.started = append(r.started, e2)
			r.mu.Unlock()
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			r.mu.Lock()
			r.replies[e.RequestID] = append(bson.Raw(nil), e.Reply...)
			r.mu.Unlock()
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			r.mu.Lock()
			r.errs[e.RequestID] = e.Failure
			r.mu.Unlock()
		},
	}
}

// Reset forgets everything recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = nil
	r.replies = map[int64]bson.Raw{}
	r.errs = map[int64]error{}
}

// Started returns the started events recorded so far whose command name is one of names (compared
// case-insensitively), or all of them when names is empty.
func (r *Recorder) Started(names ...string) []event.CommandStartedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event.CommandStartedEvent
	for _, e := range r.started {
		if matchName(e.CommandName, names) {
			out = append(out, e)
		}
	}
	return out
}

// Commands returns the command documents recorded so far, in the order sent, whose command name is one of names
// (all when names is empty), decoded as bson.D with the [Volatile] fields removed. Everything else the driver added
// ($db, $readPreference, readConcern, writeConcern, txnNumber, ...) stays, in the order sent.
func (r *Recorder) Commands(names ...string) []bson.D {
	var out []bson.D
	for _, e := range r.Started(names...) {
		out = append(out, Strip(e.Command, Volatile...))
	}
	return out
}

// Replies returns the replies to the commands Commands would return (nil for a command that failed with an error
// the driver raised itself, such as a network error), decoded as bson.D.
func (r *Recorder) Replies(names ...string) []bson.D {
	started := r.Started(names...)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]bson.D, 0, len(started))
	for _, e := range started {
		if raw, ok := r.replies[e.RequestID]; ok {
			out = append(out, Strip(raw, "$clusterTime", "operationTime"))
		} else {
			out = append(out, nil)
		}
	}
	return out
}

// Names returns the names of the commands recorded so far, in order.
func (r *Recorder) Names() []string {
	var out []string
	for _, e := range r.Started() {
		out = append(out, e.CommandName)
	}
	return out
}

// Strip decodes raw as a bson.D and removes the top-level fields named drop.
func Strip(raw bson.Raw, drop ...string) bson.D {
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return bson.D{{Key: "motortest.error", Value: err.Error()}}
	}
	out := d[:0]
	for _, e := range d {
		keep := true
		for _, k := range drop {
			if e.Key == k {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	return out
}

func matchName(name string, names []string) bool {
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
