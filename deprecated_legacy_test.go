package motor_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestEvalCmd(t *testing.T) {
	scope := bson.CodeWithScope{Code: "function () { return x; }", Scope: bson.D{{Key: "x", Value: 1}}}
	tests := []struct {
		name    string
		code    any
		args    []any
		want    bson.D
		wantErr string
	}{
		{name: "string with args", code: "function (x, y) { return x + y; }", args: []any{1, 2},
			want: bson.D{{Key: "$eval", Value: bson.JavaScript("function (x, y) { return x + y; }")}, {Key: "args", Value: bson.A{1, 2}}}},
		{name: "no args: args is []", code: "1",
			want: bson.D{{Key: "$eval", Value: bson.JavaScript("1")}, {Key: "args", Value: bson.A{}}}},
		{name: "bson.JavaScript", code: bson.JavaScript("db.x.count()"),
			want: bson.D{{Key: "$eval", Value: bson.JavaScript("db.x.count()")}, {Key: "args", Value: bson.A{}}}},
		{name: "code with scope", code: scope, args: []any{"a"},
			want: bson.D{{Key: "$eval", Value: scope}, {Key: "args", Value: bson.A{"a"}}}},
		{name: "pointer to code with scope", code: &scope,
			want: bson.D{{Key: "$eval", Value: scope}, {Key: "args", Value: bson.A{}}}},
		{name: "nil", code: nil, wantErr: "motor: eval: code must be a string, bson.JavaScript or bson.CodeWithScope, not <nil>"},
		{name: "int", code: 3, wantErr: "not int"},
		{name: "nil pointer", code: (*bson.CodeWithScope)(nil), wantErr: "nil *bson.CodeWithScope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := motor.EvalCmd(tt.code, tt.args)
			if wantInvalidOption(t, err, tt.wantErr) {
				return
			}
			diff(t, "command", tt.want, got)
		})
	}
}

func TestEvalFake(t *testing.T) {
	f := motortest.NewFake(t)
	ctx := t.Context()
	db := fakeDB(t, f, "app")
	var reply bson.D
	f.Handle("$eval", func(bson.D) bson.D { return reply })

	reply = motortest.OK(bson.E{Key: "retval", Value: 3.0})
	v, err := db.Eval(ctx, "function (x, y) { return x + y; }", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := v.DoubleOK(); !ok || got != 3 {
		t.Errorf("retval = %v", v)
	}

	reply = motortest.OK(bson.E{Key: "retval", Value: bson.D{{Key: "n", Value: int32(1)}}})
	v, err = db.Eval(ctx, bson.CodeWithScope{Code: "function () { return {n: n}; }", Scope: bson.D{{Key: "n", Value: int32(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	var doc bson.D
	if err := v.Unmarshal(&doc); err != nil {
		t.Fatal(err)
	}
	diff(t, "retval document", bson.D{{Key: "n", Value: int32(1)}}, doc)

	reply = motortest.OK(bson.E{Key: "retval", Value: nil})
	if v, err = db.Eval(ctx, "null"); err != nil || v.Type != bson.TypeNull {
		t.Errorf("null retval = %v, %v", v, err)
	}
	reply = motortest.OK()
	if v, err = db.Eval(ctx, "undefined"); err != nil || v.Type != 0 {
		t.Errorf("no retval = %v, %v", v, err)
	}

	diff(t, "commands", []bson.D{
		{{Key: "$eval", Value: bson.JavaScript("function (x, y) { return x + y; }")}, {Key: "args", Value: bson.A{int32(1), int32(2)}}, {Key: "$db", Value: "app"}},
		{{Key: "$eval", Value: bson.CodeWithScope{Code: "function () { return {n: n}; }", Scope: bson.D{{Key: "n", Value: int32(1)}}}},
			{Key: "args", Value: bson.A{}}, {Key: "$db", Value: "app"}},
		{{Key: "$eval", Value: bson.JavaScript("null")}, {Key: "args", Value: bson.A{}}, {Key: "$db", Value: "app"}},
		{{Key: "$eval", Value: bson.JavaScript("undefined")}, {Key: "args", Value: bson.A{}}, {Key: "$db", Value: "app"}},
	}, fakeCommands(f))

	// A server error other than CommandNotFound passes through.
	reply = motortest.CommandError(139, "JSInterpreterFailure", "ReferenceError: x is not defined")
	_, err = db.Eval(ctx, "x")
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 139 || err.Error() != "motor: eval: (JSInterpreterFailure) ReferenceError: x is not defined" {
		t.Errorf("error = %v", err)
	}

	// MongoDB 4.2+: CommandNotFound.
	reply = motortest.CommandError(59, "CommandNotFound", "no such command: '$eval'")
	_, err = db.Eval(ctx, "1")
	if !errors.As(err, &ce) || ce.Code != 59 ||
		err.Error() != "motor: eval: the $eval command was removed in MongoDB 4.2: (CommandNotFound) no such command: '$eval'" {
		t.Errorf("error = %v", err)
	}

	// A server that drops the connection.
	reply = nil
	_, err = db.Eval(ctx, "1")
	if !mongo.IsNetworkError(err) || !strings.HasPrefix(err.Error(),
		"motor: eval: the server closed the connection; the $eval command was removed in MongoDB 4.2") {
		t.Errorf("error = %v", err)
	}

	// Bad code: before any I/O.
	f.Reset()
	if _, err := db.Eval(ctx, 42); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("error = %v", err)
	}
	//nolint:staticcheck // the nil-context check
	if _, err := db.Eval(nil, "1"); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("nil ctx: %v", err)
	}
	if sent := fakeCommands(f); len(sent) != 0 {
		t.Errorf("sent %v", sent)
	}
}

// TestEvalClientErrors: a deadline or a cancellation of the caller's context is not the server dropping $eval, and
// args are encoded with the default codec options whatever the database's are.
func TestEvalClientErrors(t *testing.T) {
	f := motortest.NewFake(t)
	block := make(chan struct{})
	f.Handle("$eval", func(bson.D) bson.D { <-block; return motortest.OK() })
	t.Cleanup(func() { close(block) })
	db := fakeDB(t, f, "app")

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := db.Eval(ctx, "1")
	if !mongo.IsTimeout(err) || strings.Contains(err.Error(), "closed the connection") ||
		!strings.HasPrefix(err.Error(), "motor: eval: ") {
		t.Errorf("deadline: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err = db.Eval(ctx, "1")
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "closed the connection") {
		t.Errorf("cancellation: %v", err)
	}

	f.Handle("$eval", func(bson.D) bson.D { return motortest.OK() })
	f.Reset()
	sdb := db.WithOptions(motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: motor.UUIDStandard}))
	u := motor.UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	if _, err := sdb.Eval(t.Context(), "function (u) { return u; }", u); err != nil {
		t.Fatal(err)
	}
	diff(t, "commands", []bson.D{{
		{Key: "$eval", Value: bson.JavaScript("function (u) { return u; }")},
		{Key: "args", Value: bson.A{bson.Binary{Subtype: 3, Data: u[:]}}}, {Key: "$db", Value: "app"},
	}}, fakeCommands(f))
}

func TestErrorHelpersFake(t *testing.T) {
	f := motortest.NewFake(t)
	ctx := t.Context()
	db := fakeDB(t, f, "app")
	var reply bson.D
	for _, name := range []string{"getlasterror", "getpreverror", "reseterror"} {
		f.Handle(name, func(bson.D) bson.D { return reply })
	}
	noErr := motortest.OK(bson.E{Key: "err", Value: nil}, bson.E{Key: "n", Value: int32(0)})
	dup := motortest.OK(bson.E{Key: "err", Value: "E11000 duplicate key error"}, bson.E{Key: "code", Value: int32(11000)},
		bson.E{Key: "n", Value: int32(0)})
	noField := motortest.OK(bson.E{Key: "n", Value: int32(0)})

	type result struct {
		doc bson.D
		err error
	}
	call := func(r bson.D, fn func() (bson.D, error)) result {
		reply = r
		d, err := fn()
		return result{d, err}
	}
	check := func(what string, got result, want bson.D) {
		t.Helper()
		if got.err != nil {
			t.Errorf("%s: %v", what, got.err)
		}
		diff(t, what, want, got.doc)
	}
	errorFn := func() (bson.D, error) { return db.Error(ctx) }
	lastFn := func() (bson.D, error) { return db.LastStatus(ctx) }
	prevFn := func() (bson.D, error) { return db.PreviousError(ctx) }

	check("Error, err null", call(noErr, errorFn), nil)
	check("Error, err set", call(dup, errorFn), dup)
	check("Error, no err field", call(noField, errorFn), noField)
	check("LastStatus, err null", call(noErr, lastFn), noErr)
	check("LastStatus, err set", call(dup, lastFn), dup)
	check("PreviousError, err null", call(noErr, prevFn), nil)
	check("PreviousError, err set", call(dup, prevFn), dup)
	check("PreviousError, no err field", call(noField, prevFn), noField)
	reply = motortest.OK()
	if err := db.ResetErrorHistory(ctx); err != nil {
		t.Errorf("ResetErrorHistory: %v", err)
	}
	want := func(name string, n int) []bson.D {
		var out []bson.D
		for range n {
			out = append(out, bson.D{{Key: name, Value: int32(1)}, {Key: "$db", Value: "app"}})
		}
		return out
	}
	diff(t, "getlasterror commands", want("getlasterror", 5), fakeCommands(f, "getlasterror"))
	diff(t, "getpreverror commands", want("getpreverror", 3), fakeCommands(f, "getpreverror"))
	diff(t, "reseterror commands", want("reseterror", 1), fakeCommands(f, "reseterror"))

	// Servers that removed the commands.
	reply = motortest.CommandError(59, "CommandNotFound", "no such command")
	removed := []struct {
		name string
		fn   func() error
		want string
	}{
		{"Error", func() error { _, err := db.Error(ctx); return err }, "motor: error: the getlasterror command was removed in MongoDB 5.1: "},
		{"LastStatus", func() error { _, err := db.LastStatus(ctx); return err }, "motor: last status: the getlasterror command was removed in MongoDB 5.1: "},
		{"PreviousError", func() error { _, err := db.PreviousError(ctx); return err }, "motor: previous error: the getpreverror command was removed in MongoDB 4.2: "},
		{"ResetErrorHistory", func() error { return db.ResetErrorHistory(ctx) }, "motor: reset error history: the reseterror command was removed in MongoDB 5.0: "},
	}
	for _, r := range removed {
		err := r.fn()
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 59 || err.Error() != r.want+"(CommandNotFound) no such command" {
			t.Errorf("%s: %v", r.name, err)
		}
	}
	// Other errors pass through without the sentence.
	reply = motortest.CommandError(13, "Unauthorized", "not authorized")
	if _, err := db.Error(ctx); err == nil || err.Error() != "motor: error: (Unauthorized) not authorized" {
		t.Errorf("Error: %v", err)
	}
	//nolint:staticcheck // the nil-context check
	if err := db.ResetErrorHistory(nil); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("nil ctx: %v", err)
	}
}

// TestDeprecatedFerretDB runs the removed commands on the embedded server, which lacks them all: CommandNotFound for
// the getLastError family, and for $eval from the conformance front (FerretDB itself closes the connection on it).
func TestDeprecatedFerretDB(t *testing.T) {
	if motortest.Real() {
		t.Skip("FerretDB's answers")
	}
	ctx := t.Context()
	db, rec := newDB(t)

	_, err := db.Eval(ctx, "function (x, y) { return x + y; }", 1, 2)
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 59 || !strings.Contains(err.Error(), "the $eval command was removed in MongoDB 4.2") {
		t.Errorf("Eval: %v", err)
	}
	checks := []struct {
		name string
		err  error
		want string
	}{
		{"Error", errOnly(db.Error(ctx)), "motor: error: the getlasterror command was removed in MongoDB 5.1: "},
		{"LastStatus", errOnly(db.LastStatus(ctx)), "motor: last status: the getlasterror command was removed in MongoDB 5.1: "},
		{"PreviousError", errOnly(db.PreviousError(ctx)), "motor: previous error: the getpreverror command was removed in MongoDB 4.2: "},
		{"ResetErrorHistory", db.ResetErrorHistory(ctx), "motor: reset error history: the reseterror command was removed in MongoDB 5.0: "},
	}
	for _, ch := range checks {
		var ce mongo.CommandError
		if !errors.As(ch.err, &ce) || ce.Code != 59 || !strings.HasPrefix(ch.err.Error(), ch.want) {
			t.Errorf("%s: %v", ch.name, ch.err)
		}
	}
	got := rec.Commands("$eval", "getlasterror", "getpreverror", "reseterror")
	for i := range got {
		got[i] = slices.DeleteFunc(got[i], func(e bson.E) bool { return e.Key == "$readPreference" })
	}
	name := db.Name()
	diff(t, "commands", []bson.D{
		{{Key: "$eval", Value: bson.JavaScript("function (x, y) { return x + y; }")}, {Key: "args", Value: bson.A{int32(1), int32(2)}}, {Key: "$db", Value: name}},
		{{Key: "getlasterror", Value: int32(1)}, {Key: "$db", Value: name}},
		{{Key: "getlasterror", Value: int32(1)}, {Key: "$db", Value: name}},
		{{Key: "getpreverror", Value: int32(1)}, {Key: "$db", Value: name}},
		{{Key: "reseterror", Value: int32(1)}, {Key: "$db", Value: name}},
	}, got)
}

func errOnly[T any](_ T, err error) error { return err }
