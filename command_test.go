package motor_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/tag"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestCommandCmd(t *testing.T) {
	// A bson.Raw with no Extra goes to the driver as it is, not a copy.
	ping := rawDoc(t, bson.D{{Key: "ping", Value: 1}})
	if got, _, err := motor.CommandCmd(ping, nil, nil, motor.DefaultRegistry); err != nil || &got.(bson.Raw)[0] != &ping[0] {
		t.Errorf("commandCmd(bson.Raw) = %v, %v; want the same bytes", got, err)
	}

	type collStats struct {
		CollStats string `bson:"collStats"`
		Scale     int32  `bson:"scale,omitempty"`
	}
	uuid := motor.UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	caller := bson.D{{Key: "count", Value: "c"}}
	tests := []struct {
		desc    string
		cmd     any
		value   any
		extra   bson.D
		want    bson.D
		wantErr error
	}{
		{desc: "name, value 1 by default", cmd: "buildinfo", want: bson.D{{Key: "buildinfo", Value: int32(1)}}},
		{desc: "name and value", cmd: "collstats", value: "coll", want: bson.D{{Key: "collstats", Value: "coll"}}},
		{
			desc: "name, value and extra in order", cmd: "filemd5", value: int32(7),
			extra: bson.D{{Key: "root", Value: "fs"}, {Key: "a", Value: 1}},
			want:  bson.D{{Key: "filemd5", Value: int32(7)}, {Key: "root", Value: "fs"}, {Key: "a", Value: 1}},
		},
		{
			desc: "bson.D as is, then extra", cmd: bson.D{{Key: "count", Value: "c"}, {Key: "limit", Value: 5}},
			extra: bson.D{{Key: "query", Value: bson.D{{Key: "x", Value: 1}}}},
			want:  bson.D{{Key: "count", Value: "c"}, {Key: "limit", Value: 5}, {Key: "query", Value: bson.D{{Key: "x", Value: 1}}}},
		},
		{desc: "pointer to bson.D", cmd: &caller, want: bson.D{{Key: "count", Value: "c"}}},
		{
			desc: "bson.Raw", cmd: rawDoc(t, bson.D{{Key: "ping", Value: 1.0}, {Key: "n", Value: int64(2)}}),
			extra: bson.D{{Key: "comment", Value: "x"}},
			want:  bson.D{{Key: "ping", Value: 1.0}, {Key: "n", Value: int64(2)}, {Key: "comment", Value: "x"}},
		},
		{desc: "bson.E", cmd: bson.E{Key: "ping", Value: 1}, want: bson.D{{Key: "ping", Value: 1}}},
		{desc: "one-key bson.M", cmd: bson.M{"ping": 1}, want: bson.D{{Key: "ping", Value: 1}}},
		{desc: "one-key map[string]int", cmd: map[string]int{"ping": 1}, want: bson.D{{Key: "ping", Value: 1}}},
		{
			desc: "struct, encoded in field order", cmd: collStats{CollStats: "c", Scale: 1024},
			want: bson.D{{Key: "collStats", Value: "c"}, {Key: "scale", Value: int32(1024)}},
		},
		{desc: "pointer to struct", cmd: &collStats{CollStats: "c"}, want: bson.D{{Key: "collStats", Value: "c"}}},
		{
			desc: "struct values encode with the registry (UUID as Python legacy subtype 3)",
			cmd:  struct{ Find, Filter any }{"c", bson.D{{Key: "u", Value: uuid}}},
			want: bson.D{{Key: "find", Value: "c"}, {Key: "filter", Value: bson.D{{Key: "u", Value: bson.Binary{Subtype: 3, Data: uuid[:]}}}}},
		},
		{desc: "nil", cmd: nil, wantErr: motor.ErrInvalidOption},
		{desc: "empty name", cmd: "", wantErr: motor.ErrInvalidOption},
		{desc: "empty bson.D", cmd: bson.D{}, wantErr: motor.ErrInvalidOption},
		{desc: "empty first key", cmd: bson.D{{Key: "", Value: 1}}, wantErr: motor.ErrInvalidOption},
		{desc: "empty bson.M", cmd: bson.M{}, wantErr: motor.ErrInvalidOption},
		{desc: "multi-key bson.M has no order", cmd: bson.M{"count": "c", "limit": 1}, wantErr: motor.ErrInvalidOption},
		{desc: "map with non-string keys", cmd: map[int]int{1: 1}, wantErr: motor.ErrInvalidOption},
		{desc: "int", cmd: 5, wantErr: motor.ErrInvalidOption},
		{desc: "bson.A", cmd: bson.A{"ping"}, wantErr: motor.ErrInvalidOption},
		{desc: "nil pointer", cmd: (*collStats)(nil), wantErr: motor.ErrInvalidOption},
		{desc: "invalid bson.Raw", cmd: bson.Raw{1, 2, 3}, wantErr: motor.ErrInvalidOption},
		{desc: "empty bson.Raw", cmd: rawDoc(t, bson.D{}), wantErr: motor.ErrInvalidOption},
		{desc: "empty struct", cmd: struct{}{}, wantErr: motor.ErrInvalidOption},
		{desc: "value with a document", cmd: bson.D{{Key: "ping", Value: 1}}, value: 2, wantErr: motor.ErrInvalidOption},
		{desc: "extra repeats the verb", cmd: "count", value: "c", extra: bson.D{{Key: "count", Value: "d"}}, wantErr: motor.ErrInvalidOption},
		{desc: "extra repeats a key of the document", cmd: bson.D{{Key: "count", Value: "c"}, {Key: "limit", Value: 1}}, extra: bson.D{{Key: "limit", Value: 2}}, wantErr: motor.ErrInvalidOption},
		{desc: "extra key twice", cmd: "ping", extra: bson.D{{Key: "a", Value: 1}, {Key: "a", Value: 2}}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, verb, err := motor.CommandCmd(tt.cmd, tt.value, tt.extra, motor.DefaultRegistry)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			// What the driver sends: the document encoded with the registry.
			gotRaw, err := motor.EncodeDoc(motor.DefaultRegistry, got)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "command", rawDoc(t, tt.want).String(), gotRaw.String())
			if verb != tt.want[0].Key {
				t.Errorf("verb %q, want %q", verb, tt.want[0].Key)
			}
		})
	}
	// The caller's document is not modified, even when it has spare capacity.
	spare := make(bson.D, 1, 4)
	spare[0] = bson.E{Key: "ping", Value: 1}
	if _, _, err := motor.CommandCmd(spare, nil, bson.D{{Key: "x", Value: 1}}, motor.DefaultRegistry); err != nil {
		t.Fatal(err)
	}
	if got := spare[:2][1]; got.Key != "" {
		t.Errorf("caller's bson.D was written to: %v", got)
	}
}

func TestCommandAllowable(t *testing.T) {
	failed := bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "ns not found"}, {Key: "code", Value: int32(26)}, {Key: "codeName", Value: "NamespaceNotFound"}}
	sharded := bson.D{
		{Key: "raw", Value: bson.D{
			{Key: "sh0/a:1", Value: bson.D{{Key: "ok", Value: 1.0}}},
			{Key: "sh1/b:1", Value: bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "shard says no"}, {Key: "code", Value: int32(13)}}},
			{Key: "sh2/c:1", Value: bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "later shard"}, {Key: "code", Value: int32(14)}}},
		}},
		{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "top"}, {Key: "code", Value: int32(1)},
	}
	tests := []struct {
		desc  string
		reply bson.D
		codes []int32
		msgs  []string
		want  bool
	}{
		{desc: "none given", reply: failed},
		{desc: "code matches", reply: failed, codes: []int32{59, 26}, want: true},
		{desc: "message matches exactly", reply: failed, msgs: []string{"ns not found"}, want: true},
		{desc: "message is not a substring match", reply: failed, msgs: []string{"not found"}},
		{desc: "neither", reply: failed, codes: []int32{59}, msgs: []string{"x"}},
		{desc: "first failed shard's code", reply: sharded, codes: []int32{13}, want: true},
		{desc: "first failed shard's message", reply: sharded, msgs: []string{"shard says no"}, want: true},
		{desc: "not the top-level code when a shard failed", reply: sharded, codes: []int32{1}},
		{desc: "not a later shard", reply: sharded, codes: []int32{14}},
		{desc: "no code in the reply", reply: bson.D{{Key: "ok", Value: 0}, {Key: "errmsg", Value: "m"}}, codes: []int32{0}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := motor.Allowable(rawDoc(t, tt.reply), tt.codes, tt.msgs); got != tt.want {
				t.Errorf("motor.Allowable = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCommand(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithReadPreference(readpref.SecondaryPreferred()),
		motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	dbn := db.Name()
	insertN(t, db.Collection("c"), 3)
	rec.Reset()

	t.Run("name", func(t *testing.T) {
		got, err := db.Command(ctx, "ping", nil)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "reply", bson.D{{Key: "ok", Value: 1.0}}, got)
	})
	t.Run("name, value and Extra", func(t *testing.T) {
		got, err := motor.CommandAs[struct{ N int }](ctx, db, "count", &motor.CommandOptions{
			Value: "c", Extra: bson.D{{Key: "query", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: 1}}}}}},
		})
		if err != nil || got.N != 2 {
			t.Fatalf("count = %+v, %v", got, err)
		}
	})
	t.Run("document kinds", func(t *testing.T) {
		type countCmd struct {
			Count string `bson:"count"`
		}
		for _, cmd := range []any{
			bson.D{{Key: "count", Value: "c"}}, bson.M{"count": "c"}, countCmd{"c"}, &countCmd{"c"},
			bson.E{Key: "count", Value: "c"}, bson.Raw(rawDoc(t, bson.D{{Key: "count", Value: "c"}})),
		} {
			got, err := motor.CommandAs[struct{ N int }](ctx, db, cmd, nil)
			if err != nil || got.N != 3 {
				t.Errorf("%T: count = %+v, %v", cmd, got, err)
			}
		}
	})
	want := []bson.D{
		{{Key: "ping", Value: int32(1)}, {Key: "$db", Value: dbn}},
		{{Key: "count", Value: "c"}, {Key: "query", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: int32(1)}}}}}, {Key: "$db", Value: dbn}},
	}
	for range 6 {
		want = append(want, bson.D{{Key: "count", Value: "c"}, {Key: "$db", Value: dbn}})
	}
	// Primary, not the database's secondaryPreferred: on a standalone no $readPreference is sent for primary.
	diff(t, "commands", want, rec.Commands())

	t.Run("codec options: the defaults, not the database's", func(t *testing.T) {
		cmd := bson.D{{Key: "find", Value: "c"}, {Key: "filter", Value: bson.D{{Key: "_id", Value: 1}}}}
		got, err := db.Command(ctx, cmd, nil)
		if err != nil {
			t.Fatal(err)
		}
		cursor, ok := getField(got, "cursor").(bson.D)
		if !ok {
			t.Fatalf("cursor is a %T, want bson.D (default codec options)", getField(got, "cursor"))
		}
		diff(t, "firstBatch", bson.A{bson.D{{Key: "_id", Value: int32(1)}, {Key: "sub", Value: bson.D{{Key: "i", Value: int32(1)}}}}}, getField(cursor, "firstBatch"))

		got, err = db.Command(ctx, cmd, &motor.CommandOptions{CodecOptions: &motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}})
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "firstBatch with bson.M", bson.A{bson.M{"_id": int32(1), "sub": bson.M{"i": int32(1)}}}, getField(got, "cursor").(bson.M)["firstBatch"])

		if _, err := db.Command(ctx, "ping", &motor.CommandOptions{CodecOptions: &motor.CodecOptions{TZInfo: time.UTC}}); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("invalid codec options: %v", err)
		}
	})

	t.Run("check, allowable errors", func(t *testing.T) {
		_, err := db.Command(ctx, "noSuchCommand", nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 59 || ce.Name != "CommandNotFound" || len(ce.Raw) == 0 {
			t.Fatalf("unknown command: %v (%#v)", err, ce)
		}
		if !strings.HasPrefix(err.Error(), "motor: command noSuchCommand: ") {
			t.Errorf("error text %q", err)
		}
		wantReply := bson.D{
			{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: ce.Message}, {Key: "code", Value: int32(59)},
			{Key: "codeName", Value: "CommandNotFound"},
		}
		for _, opts := range []*motor.CommandOptions{
			{NoCheck: true},
			{AllowableCodes: []int32{26, 59}},
			{AllowableMessages: []string{ce.Message}},
		} {
			got, err := db.Command(ctx, "noSuchCommand", opts)
			if err != nil {
				t.Errorf("%+v: %v", opts, err)
				continue
			}
			diff(t, "allowed reply", wantReply, motortest.Strip(rawDoc(t, got), "$clusterTime", "operationTime"))
		}
		if _, err := db.Command(ctx, "noSuchCommand", &motor.CommandOptions{AllowableCodes: []int32{26}, AllowableMessages: []string{"no such"}}); !errors.As(err, &ce) {
			t.Errorf("not allowed: %v", err)
		}
		res, err := motor.CommandAs[struct {
			OK   float64 `bson:"ok"`
			Code int32   `bson:"code"`
		}](ctx, db, "noSuchCommand", &motor.CommandOptions{NoCheck: true})
		if err != nil || res.OK != 0 || res.Code != 59 {
			t.Errorf("CommandAs NoCheck = %+v, %v", res, err)
		}
	})

	t.Run("ok: 1 with writeErrors is a reply, as in Motor", func(t *testing.T) {
		got, err := db.Command(ctx, "insert", &motor.CommandOptions{
			Value: "c", Extra: bson.D{{Key: "documents", Value: bson.A{bson.D{{Key: "_id", Value: 1}}}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		we, _ := getField(got, "writeErrors").(bson.A)
		if len(we) != 1 || getField(we[0].(bson.D), "code") != int32(11000) {
			t.Errorf("reply %v", got)
		}
	})

	t.Run("CommandAs", func(t *testing.T) {
		raw, err := motor.CommandAs[bson.Raw](ctx, db, "ping", nil)
		if err != nil || raw.Lookup("ok").Double() != 1 {
			t.Errorf("bson.Raw: %v, %v", raw, err)
		}
		m, err := motor.CommandAs[bson.M](ctx, db, "ping", nil)
		if err != nil || m["ok"] != 1.0 {
			t.Errorf("bson.M: %v, %v", m, err)
		}
		if _, err := motor.CommandAs[bson.D](ctx, nil, "ping", nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil db: %v", err)
		}
		n, err := motor.CommandAs[int](ctx, db, "ping", nil)
		if err == nil || n != 0 {
			t.Errorf("decoding a document into an int: %v, %v", n, err)
		}
		if _, err := motor.CommandAs[bson.D](ctx, db, "noSuchCommand", nil); !errors.As(err, new(mongo.CommandError)) {
			t.Errorf("failure: %v", err)
		}
	})

	t.Run("session in ctx", func(t *testing.T) {
		sess, err := db.Client().StartSession(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sess.EndSession(ctx)
		rec.Reset()
		if _, err := db.Command(mongo.NewSessionContext(ctx, sess), "ping", nil); err != nil {
			t.Fatal(err)
		}
		started := rec.Started("ping")
		if len(started) != 1 {
			t.Fatalf("recorded %v", rec.Names())
		}
		lsid, ok := started[0].Command.Lookup("lsid").DocumentOK()
		if !ok || !bytes.Equal(lsid, sess.ID()) {
			t.Errorf("lsid %v, session %v", lsid, sess.ID())
		}
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		var nilCtx context.Context
		for _, tc := range []struct {
			ctx  context.Context
			cmd  any
			opts *motor.CommandOptions
		}{
			{ctx, bson.M{"count": "c", "query": bson.M{}}, nil},
			{ctx, "", nil},
			{ctx, bson.D{}, nil},
			{ctx, nil, nil},
			{ctx, 42, nil},
			{ctx, bson.D{{Key: "ping", Value: 1}}, &motor.CommandOptions{Value: 1}},
			{ctx, "count", &motor.CommandOptions{Value: "c", Extra: bson.D{{Key: "count", Value: "d"}}}},
			{nilCtx, "ping", nil},
		} {
			if _, err := db.Command(tc.ctx, tc.cmd, tc.opts); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("Command(%v, %+v) = %v, want ErrInvalidOption", tc.cmd, tc.opts, err)
			}
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

// TestCommandFake checks what FerretDB cannot show: the read preference sent to a mongos, a writeConcernError in an
// ok: 1 reply, and allowable errors of a sharded reply.
func TestCommandFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	fakeMongos(f)
	db := fakeDB(t, f, "shop", motor.WithReadPreference(readpref.SecondaryPreferred()))

	f.Handle("dbStats", func(bson.D) bson.D { return motortest.OK(bson.E{Key: "db", Value: "shop"}) })
	if _, err := db.Command(ctx, "dbStats", nil); err != nil {
		t.Fatal(err)
	}
	nearest, err := readpref.New(readpref.NearestMode, readpref.WithTagSets(tag.NewTagSetsFromMaps([]map[string]string{{"dc": "x"}, {}})...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Command(ctx, "dbStats", &motor.CommandOptions{ReadPreference: nearest}); err != nil {
		t.Fatal(err)
	}
	diff(t, "commands", []bson.D{
		// Primary by default, whatever the database's read preference: nothing is sent to a mongos for primary.
		{{Key: "dbStats", Value: int32(1)}, {Key: "$db", Value: "shop"}},
		{{Key: "dbStats", Value: int32(1)}, {Key: "$db", Value: "shop"}, {Key: "$readPreference", Value: bson.D{
			{Key: "mode", Value: "nearest"}, {Key: "tags", Value: bson.A{bson.D{{Key: "dc", Value: "x"}}, bson.D{}}},
		}}},
	}, fakeCommands(f, "dbStats"))

	wce := motortest.OK(bson.E{Key: "writeConcernError", Value: bson.D{{Key: "code", Value: int32(64)}, {Key: "errmsg", Value: "waiting for replication timed out"}}})
	f.Handle("createIndexes", func(bson.D) bson.D { return wce })
	got, err := db.Command(ctx, "createIndexes", &motor.CommandOptions{Value: "c"})
	if err != nil {
		t.Fatalf("writeConcernError in an ok: 1 reply: %v", err)
	}
	diff(t, "reply", wce, got)

	sharded := bson.D{
		{Key: "raw", Value: bson.D{{Key: "sh1/h:1", Value: motortest.CommandError(26, "NamespaceNotFound", "ns not found")}}},
		{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "top level"}, {Key: "code", Value: int32(1)},
	}
	f.Handle("collMod", func(bson.D) bson.D { return sharded })
	if _, err := db.Command(ctx, "collMod", &motor.CommandOptions{Value: "c", AllowableMessages: []string{"ns not found"}}); err != nil {
		t.Errorf("shard's message not allowed: %v", err)
	}
	if _, err := db.Command(ctx, "collMod", &motor.CommandOptions{Value: "c", AllowableCodes: []int32{1}}); err == nil {
		t.Error("top-level code allowed although a shard failed")
	}
}

func TestCommandNilContext(t *testing.T) {
	db, rec := newDB(t)
	var ctx context.Context
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, motor.ErrInvalidOption) || err.Error() != "motor: "+what+": nil context" {
			t.Errorf("%s: %v", what, err)
		}
	}
	_, err := db.Command(ctx, "ping", nil)
	check("command ping", err)
	_, err = motor.CommandAs[bson.D](ctx, db, "ping", nil)
	check("command ping", err)
	_, err = db.CommandCursor(ctx, "find", &motor.CommandCursorOptions{Value: "c"})
	check("command find", err)
	_, err = db.CreateCollection(ctx, "c", nil)
	check("create collection c: list collections", err)
	_, err = db.DropCollection(ctx, "c", nil)
	check("drop collection c", err)
	_, err = db.ListCollections(ctx, nil)
	check("list collections", err)
	_, err = db.ListCollectionNames(ctx, nil)
	check("list collections", err)
	_, err = db.CollectionNames(ctx, true) //nolint:staticcheck // testing the deprecated helper
	check("list collections", err)
	if names := rec.Names(); len(names) != 0 {
		t.Errorf("sent %v", names)
	}
}

// FuzzCommandCmd builds command documents from arbitrary bytes given as a bson.Raw command, with and without
// Extra: it must return, never panic, and a document it accepts must be valid BSON whose first key is the verb.
func FuzzCommandCmd(f *testing.F) {
	ping, _ := bson.Marshal(bson.D{{Key: "ping", Value: 1}})
	f.Add([]byte(ping), "comment")
	f.Add([]byte{5, 0, 0, 0, 0}, "")
	f.Add([]byte{12, 0, 0, 0, 0x10, 0, 1, 0, 0, 0, 0, 0}, "x")
	f.Fuzz(func(t *testing.T, data []byte, extraKey string) {
		var extra bson.D
		if extraKey != "" {
			extra = bson.D{{Key: extraKey, Value: int32(1)}}
		}
		doc, verb, err := motor.CommandCmd(bson.Raw(data), nil, extra, motor.DefaultRegistry)
		if err != nil {
			return
		}
		raw, err := motor.EncodeDoc(motor.DefaultRegistry, doc)
		if err != nil {
			t.Fatalf("accepted a command it cannot encode: %v", err)
		}
		if err := raw.Validate(); err != nil {
			t.Fatalf("built an invalid document from % x: %v", data, err)
		}
		if first, err := raw.IndexErr(0); err != nil || first.Key() != verb || verb == "" {
			t.Errorf("verb %q, document %v", verb, raw)
		}
	})
}
