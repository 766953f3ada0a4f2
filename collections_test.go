package motor_test

// Tests of Database.Command, CommandAs, CommandCursor, CreateCollection, DropCollection, ListCollections,
// ListCollectionNames and CollectionNames against the test server (embedded FerretDB, or $MONGODB_URI), and against
// the scripted fake for what FerretDB cannot show. The pure tests of the command builders are in command_test.go.

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/tag"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func cmdCollInfo(name string) bson.D {
	return bson.D{{Key: "name", Value: name}, {Key: "type", Value: "collection"}}
}

func cmdInsert(t *testing.T, coll *motor.Collection, n int) {
	t.Helper()
	docs := make([]any, n)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: i + 1}, {Key: "sub", Value: bson.D{{Key: "i", Value: i + 1}}}}
	}
	if _, err := coll.InsertMany(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
}

func TestCommand(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithReadPreference(readpref.SecondaryPreferred()),
		motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	dbn := db.Name()
	cmdInsert(t, mustColl(t, db, "c"), 3)
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
		sess, err := db.Client().StartSession()
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

func TestCommandCursor(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	dbn := db.Name()
	cmdInsert(t, mustColl(t, db, "c"), 5)
	rec.Reset()

	find := bson.D{{Key: "find", Value: "c"}, {Key: "sort", Value: bson.D{{Key: "_id", Value: int32(1)}}}, {Key: "batchSize", Value: int32(2)}}
	cur, err := db.CommandCursor(ctx, find, &motor.CommandCursorOptions{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if cur.ID() == 0 {
		t.Fatal("cursor id 0 after the first batch of 2 of 5")
	}
	var got []bson.D
	if err := cur.All(ctx, &got); err != nil {
		t.Fatal(err)
	}
	var want []bson.D
	for i := 1; i <= 5; i++ {
		want = append(want, bson.D{{Key: "_id", Value: int32(i)}, {Key: "sub", Value: bson.M{"i": int32(i)}}})
	}
	diff(t, "documents, decoded with the database's codec options", want, got)
	cmds := rec.Commands("find", "getMore")
	if len(cmds) < 2 {
		t.Fatalf("recorded %v", rec.Names())
	}
	diff(t, "find", withDB(dbn, slices.Clone(find)), cmds[0])
	id := cmds[1][0].Value
	diff(t, "getMore", bson.D{{Key: "getMore", Value: id}, {Key: "collection", Value: "c"}, {Key: "batchSize", Value: int32(2)}, {Key: "$db", Value: dbn}}, cmds[1])

	t.Run("Next, Decode, TryNext, early Close kills the cursor", func(t *testing.T) {
		rec.Reset()
		cur, err := db.CommandCursor(ctx, "find", &motor.CommandCursorOptions{
			Value: "c", Extra: bson.D{{Key: "batchSize", Value: 1}}, CodecOptions: &motor.CodecOptions{}, BatchSize: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := cur.Decode(new(bson.D)); err == nil {
			t.Error("Decode before Next: no error")
		}
		if !cur.Next(ctx) {
			t.Fatal(cur.Err())
		}
		var d any
		if err := cur.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if _, ok := d.(bson.D); !ok {
			t.Errorf("decoded a %T with the zero codec options, want bson.D", d)
		}
		if !cur.TryNext(ctx) {
			t.Fatalf("TryNext: %v", cur.Err())
		}
		id := cur.ID()
		if err := cur.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if err := cur.Close(ctx); err != nil {
			t.Errorf("second Close: %v", err)
		}
		diff(t, "killCursors", []bson.D{{{Key: "killCursors", Value: "c"}, {Key: "cursors", Value: bson.A{id}}, {Key: "$db", Value: dbn}}}, rec.Commands("killCursors"))
		diff(t, "find", []bson.D{{{Key: "find", Value: "c"}, {Key: "batchSize", Value: int32(1)}, {Key: "$db", Value: dbn}}}, rec.Commands("find"))
	})

	t.Run("errors", func(t *testing.T) {
		if _, err := db.CommandCursor(ctx, "ping", nil); err == nil || !strings.HasPrefix(err.Error(), "motor: command ping: ") {
			t.Errorf("a reply without a cursor: %v", err)
		}
		_, err := db.CommandCursor(ctx, "noSuchCommand", nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 59 {
			t.Errorf("failure: %v", err)
		}
		rec.Reset()
		for _, opts := range []*motor.CommandCursorOptions{
			{BatchSize: -1}, {MaxAwaitTime: -time.Second}, {CodecOptions: &motor.CodecOptions{TZInfo: time.UTC}},
			{Extra: bson.D{{Key: "find", Value: "d"}}},
		} {
			if _, err := db.CommandCursor(ctx, "find", opts); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("%+v: %v", opts, err)
			}
		}
		if _, err := db.CommandCursor(ctx, bson.M{"find": "c", "batchSize": 1}, nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("multi-key map: %v", err)
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

func TestCreateCollection(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	listFor := func(name string) bson.D {
		return bson.D{
			{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}, {Key: "nameOnly", Value: true},
			{Key: "filter", Value: bson.D{{Key: "name", Value: name}}}, {Key: "$db", Value: dbn},
		}
	}

	coll, err := db.CreateCollection(ctx, "plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	if coll.Name() != "plain" || coll.Database() != db || coll.ReadPreference().Mode() != readpref.PrimaryMode {
		t.Errorf("collection %v", coll)
	}
	diff(t, "commands", []bson.D{listFor("plain"), {{Key: "create", Value: "plain"}, {Key: "$db", Value: dbn}}}, rec.Commands())

	t.Run("capped, settings of the returned collection", func(t *testing.T) {
		rec.Reset()
		co := motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}
		coll, err := db.CreateCollection(ctx, "capped", &motor.CreateCollectionOptions{
			Capped: true, Size: 4096, Max: 10,
			CodecOptions: &co, ReadPreference: readpref.SecondaryPreferred(),
			WriteConcern: writeconcern.W1(), ReadConcern: readconcern.Local(),
		})
		if err != nil {
			t.Fatal(err)
		}
		if coll.CodecOptions().DocumentType != co.DocumentType || coll.ReadPreference().Mode() != readpref.SecondaryPreferredMode ||
			coll.WriteConcern().W != 1 || coll.ReadConcern().Level != "local" {
			t.Errorf("settings: %+v %v %+v %+v", coll.CodecOptions(), coll.ReadPreference(), coll.WriteConcern(), coll.ReadConcern())
		}
		diff(t, "commands", []bson.D{listFor("capped"), {
			{Key: "create", Value: "capped"}, {Key: "capped", Value: true}, {Key: "size", Value: 4096.0}, {Key: "max", Value: int32(10)},
			{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}}, {Key: "$db", Value: dbn},
		}}, rec.Commands())

		cur, err := db.ListCollections(ctx, &motor.ListCollectionsOptions{Filter: bson.D{{Key: "name", Value: "capped"}}})
		if err != nil {
			t.Fatal(err)
		}
		var infos []struct {
			Name    string
			Options struct {
				Capped bool
				Size   int64
				Max    int64
			}
		}
		if err := cur.All(ctx, &infos); err != nil {
			t.Fatal(err)
		}
		if len(infos) != 1 || !infos[0].Options.Capped || infos[0].Options.Size < 4096 || infos[0].Options.Max != 10 {
			t.Errorf("listCollections: %+v", infos)
		}
	})

	t.Run("existing collection", func(t *testing.T) {
		rec.Reset()
		_, err := db.CreateCollection(ctx, "plain", &motor.CreateCollectionOptions{Capped: true, Size: 1})
		if !errors.Is(err, motor.ErrCollectionInvalid) || err.Error() != "motor: collection plain already exists" {
			t.Errorf("err = %v", err)
		}
		diff(t, "commands", []bson.D{listFor("plain")}, rec.Commands())
	})

	t.Run("database write concern", func(t *testing.T) {
		wdb, err := db.WithOptions(motor.WithWriteConcern(writeconcern.Majority()))
		if err != nil {
			t.Fatal(err)
		}
		rec.Reset()
		coll, err := wdb.CreateCollection(ctx, "wc", nil)
		if err != nil {
			t.Fatal(err)
		}
		if coll.WriteConcern().W != "majority" {
			t.Errorf("collection write concern %+v", coll.WriteConcern())
		}
		diff(t, "create", []bson.D{{{Key: "create", Value: "wc"}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}, {Key: "$db", Value: dbn}}}, rec.Commands("create"))
	})

	t.Run("collation", func(t *testing.T) {
		rec.Reset()
		_, err := db.CreateCollection(ctx, "collated", &motor.CreateCollectionOptions{Collation: &options.Collation{Locale: "en_US", Strength: 2}})
		diff(t, "create", []bson.D{{
			{Key: "create", Value: "collated"},
			{Key: "collation", Value: bson.D{{Key: "locale", Value: "en_US"}, {Key: "strength", Value: int32(2)}}},
			{Key: "$db", Value: dbn},
		}}, rec.Commands("create"))
		var ce mongo.CommandError
		switch {
		case motortest.Real() && err != nil:
			t.Errorf("MongoDB: %v", err)
		case !motortest.Real() && (!errors.As(err, &ce) || ce.Code != 238 || !strings.HasPrefix(err.Error(), "motor: create collection collated: ")):
			t.Errorf("FerretDB: want NotImplemented, got %v", err)
		}
	})

	t.Run("typed options sent as typed", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opts *motor.CreateCollectionOptions
			want bson.D // after create, before $db
			// notImpl: FerretDB answers NotImplemented (238); MongoDB creates the collection.
			notImpl bool
		}{
			{
				name: "validated",
				opts: &motor.CreateCollectionOptions{
					Validator:       bson.D{{Key: "$jsonSchema", Value: bson.D{{Key: "bsonType", Value: "object"}}}},
					ValidationLevel: "moderate", ValidationAction: "warn",
				},
				want: bson.D{
					{Key: "validator", Value: bson.D{{Key: "$jsonSchema", Value: bson.D{{Key: "bsonType", Value: "object"}}}}},
					{Key: "validationLevel", Value: "moderate"}, {Key: "validationAction", Value: "warn"},
				},
				notImpl: true,
			},
			{
				name:    "view",
				opts:    &motor.CreateCollectionOptions{ViewOn: "plain", Pipeline: bson.A{bson.D{{Key: "$match", Value: bson.D{}}}}},
				want:    bson.D{{Key: "viewOn", Value: "plain"}, {Key: "pipeline", Value: bson.A{bson.D{{Key: "$match", Value: bson.D{}}}}}},
				notImpl: true,
			},
			{
				name: "series",
				opts: &motor.CreateCollectionOptions{
					Timeseries:         &motor.TimeseriesOptions{TimeField: "t", MetaField: "m", Granularity: "minutes"},
					ExpireAfterSeconds: 86400,
				},
				want: bson.D{
					{Key: "timeseries", Value: bson.D{{Key: "timeField", Value: "t"}, {Key: "metaField", Value: "m"}, {Key: "granularity", Value: "minutes"}}},
					{Key: "expireAfterSeconds", Value: int32(86400)},
				},
				notImpl: true,
			},
			{
				name: "clustered",
				opts: &motor.CreateCollectionOptions{
					ClusteredIndex: bson.D{{Key: "key", Value: bson.D{{Key: "_id", Value: 1}}}, {Key: "unique", Value: true}},
					Comment:        "made by a test",
				},
				want: bson.D{
					{Key: "clusteredIndex", Value: bson.D{{Key: "key", Value: bson.D{{Key: "_id", Value: int32(1)}}}, {Key: "unique", Value: true}}},
					{Key: "comment", Value: "made by a test"},
				},
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec.Reset()
				_, err := db.CreateCollection(ctx, tc.name, tc.opts)
				want := append(append(bson.D{{Key: "create", Value: tc.name}}, tc.want...), bson.E{Key: "$db", Value: dbn})
				diff(t, "create", []bson.D{want}, rec.Commands("create"))
				var ce mongo.CommandError
				switch {
				case motortest.Real() || !tc.notImpl:
					if err != nil {
						t.Error(err)
					}
				case !errors.As(err, &ce) || ce.Code != 238:
					t.Errorf("FerretDB: want NotImplemented, got %v", err)
				}
			})
		}
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		w0, err := db.WithOptions(motor.WithWriteConcern(writeconcern.Unacknowledged()))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			db   *motor.Database
			name string
			opts *motor.CreateCollectionOptions
			want error
		}{
			{db, "a..b", nil, motor.ErrInvalidName},
			{db, "", nil, motor.ErrInvalidName},
			{db, "$x", nil, motor.ErrInvalidName},
			{db, "ok", &motor.CreateCollectionOptions{Size: -1}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{Validator: 1}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{Extra: bson.D{{Key: "capped", Value: true}}}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{CodecOptions: &motor.CodecOptions{TZInfo: time.UTC}}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{WriteConcern: &writeconcern.WriteConcern{W: -1}}, motor.ErrInvalidOption},
			{db, "ok", &motor.CreateCollectionOptions{Collation: &options.Collation{Locale: "en"}, WriteConcern: writeconcern.Unacknowledged()}, motor.ErrInvalidOption},
			{w0, "ok", &motor.CreateCollectionOptions{Collation: &options.Collation{Locale: "en"}}, motor.ErrInvalidOption},
		} {
			if _, err := tc.db.CreateCollection(ctx, tc.name, tc.opts); !errors.Is(err, tc.want) {
				t.Errorf("CreateCollection(%q, %+v) = %v, want %v", tc.name, tc.opts, err, tc.want)
			}
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

// TestCreateCollectionFake checks the server's NamespaceExists (a race the listCollections check cannot see) and a
// server error of create.
func TestCreateCollectionFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	db := fakeDB(t, f, "shop")
	f.Handle("listCollections", func(bson.D) bson.D { return cursorReply(0, "shop.$cmd.listCollections", "firstBatch") })

	f.Handle("create", func(bson.D) bson.D {
		return motortest.CommandError(48, "NamespaceExists", "Collection shop.orders already exists.")
	})
	_, err := db.CreateCollection(ctx, "orders", nil)
	var ce mongo.CommandError
	if !errors.Is(err, motor.ErrCollectionInvalid) || !errors.As(err, &ce) || ce.Code != 48 {
		t.Errorf("NamespaceExists: %v", err)
	}
	if !strings.HasPrefix(fmtErr(err), "motor: collection orders already exists: ") {
		t.Errorf("error text %q", fmtErr(err))
	}

	f.Handle("create", func(bson.D) bson.D {
		return motortest.CommandError(72, "InvalidOptions", "invalid option")
	})
	_, err = db.CreateCollection(ctx, "orders", &motor.CreateCollectionOptions{Extra: bson.D{{Key: "bogus", Value: 1}}})
	if !errors.As(err, &ce) || ce.Code != 72 || errors.Is(err, motor.ErrCollectionInvalid) {
		t.Errorf("InvalidOptions: %v", err)
	}

	f.Handle("listCollections", func(bson.D) bson.D { return motortest.CommandError(13, "Unauthorized", "not authorized") })
	f.Reset()
	_, err = db.CreateCollection(ctx, "orders", nil)
	if !errors.As(err, &ce) || ce.Code != 13 || !strings.HasPrefix(err.Error(), "motor: create collection orders: list collections: ") {
		t.Errorf("listCollections failure: %v", err)
	}
	diff(t, "no create after a failed check", []string{"listCollections"}, fakeNames(f))
}

func TestDropCollection(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	coll := mustColl(t, db, "c")
	cmdInsert(t, coll, 1)
	cmdInsert(t, mustColl(t, db, "d"), 1)
	rec.Reset()

	got, err := db.DropCollection(ctx, "c", nil)
	if err != nil {
		t.Fatal(err)
	}
	if getField(got, "ok") != 1.0 {
		t.Errorf("reply %v", got)
	}
	if _, err := db.DropCollection(ctx, "d", &motor.DropCollectionOptions{Extra: bson.D{{Key: "x", Value: 1}}}); err != nil {
		var ce mongo.CommandError
		if !errors.As(err, &ce) {
			t.Errorf("unknown field: %v", err)
		}
	}
	missing, err := db.DropCollection(ctx, "missing", nil)
	if err != nil {
		t.Fatalf("missing collection: %v", err)
	}
	if getField(missing, "ok") == nil {
		t.Errorf("missing: reply %v", missing)
	}
	diff(t, "commands", []bson.D{
		{{Key: "drop", Value: "c"}, {Key: "$db", Value: dbn}},
		{{Key: "drop", Value: "d"}, {Key: "x", Value: int32(1)}, {Key: "$db", Value: dbn}},
		{{Key: "drop", Value: "missing"}, {Key: "$db", Value: dbn}},
	}, rec.Commands())
	names, err := db.ListCollectionNames(ctx, nil)
	if err != nil || slices.Contains(names, "c") {
		t.Errorf("after drop: %v, %v", names, err)
	}

	t.Run("database write concern", func(t *testing.T) {
		wdb, _ := db.WithOptions(motor.WithWriteConcern(writeconcern.W1()))
		// A collection with another write concern: the database's is sent, as in PyMongo.
		c := mustColl(t, wdb, "c", motor.WithWriteConcern(writeconcern.Majority()))
		rec.Reset()
		if _, err := wdb.DropCollection(ctx, c.Name(), nil); err != nil {
			t.Fatal(err)
		}
		diff(t, "drop", []bson.D{{{Key: "drop", Value: "c"}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}}, {Key: "$db", Value: dbn}}}, rec.Commands())
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		for _, tc := range []struct {
			ref  string
			opts *motor.DropCollectionOptions
			want error
		}{
			{"", nil, motor.ErrInvalidName},
			{"a..b", nil, motor.ErrInvalidName},
			{"c", &motor.DropCollectionOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{}}}}, motor.ErrInvalidOption},
		} {
			if _, err := db.DropCollection(ctx, tc.ref, tc.opts); !errors.Is(err, tc.want) {
				t.Errorf("DropCollection(%v) = %v, want %v", tc.ref, err, tc.want)
			}
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

// TestDropCollectionFake checks the replies FerretDB does not give: NamespaceNotFound from servers before 7.0, a
// writeConcernError, and another failure.
func TestDropCollectionFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	db := fakeDB(t, f, "shop")
	var reply bson.D
	f.Handle("drop", func(bson.D) bson.D { return reply })

	for _, nsNotFound := range []bson.D{
		motortest.CommandError(26, "NamespaceNotFound", "ns not found"),
		{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "ns not found"}},
		{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "something else"}, {Key: "code", Value: int32(26)}},
	} {
		reply = nsNotFound
		got, err := db.DropCollection(ctx, "missing", nil)
		if err != nil {
			t.Errorf("%v: %v", nsNotFound, err)
		}
		diff(t, "reply", nsNotFound, got)
	}

	// A mongos reply: the first failed shard's code and message decide, as in PyMongo.
	shardNotFound := bson.D{
		{Key: "raw", Value: bson.D{{Key: "sh0/a:1", Value: motortest.CommandError(26, "NamespaceNotFound", "ns not found")}}},
		{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "drop failed on a shard"}, {Key: "code", Value: int32(96)},
	}
	reply = shardNotFound
	if got, err := db.DropCollection(ctx, "missing", nil); err != nil {
		t.Errorf("shard's NamespaceNotFound: %v", err)
	} else {
		diff(t, "shard reply", shardNotFound, got)
	}
	reply = bson.D{
		{Key: "raw", Value: bson.D{{Key: "sh0/a:1", Value: motortest.CommandError(13, "Unauthorized", "not authorized")}}},
		{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "ns not found"}, {Key: "code", Value: int32(26)},
	}
	if _, err := db.DropCollection(ctx, "missing", nil); err == nil {
		t.Error("a shard's Unauthorized swallowed because the top level says ns not found")
	}

	reply = motortest.OK(bson.E{Key: "writeConcernError", Value: bson.D{{Key: "code", Value: int32(64)}, {Key: "errmsg", Value: "timed out"}, {Key: "errInfo", Value: bson.D{{Key: "wtimeout", Value: true}}}}})
	_, err := db.DropCollection(ctx, "c", nil)
	var we mongo.WriteException
	if !errors.As(err, &we) || we.WriteConcernError == nil || we.WriteConcernError.Code != 64 {
		t.Errorf("writeConcernError: %v", err)
	}

	reply = append(motortest.CommandError(26, "NamespaceNotFound", "ns not found"), bson.E{Key: "writeConcernError", Value: bson.D{{Key: "code", Value: int32(64)}}})
	if _, err := db.DropCollection(ctx, "c", nil); err == nil {
		t.Error("ns not found with a writeConcernError: no error")
	}

	reply = motortest.CommandError(13, "Unauthorized", "not authorized on shop to execute command")
	_, err = db.DropCollection(ctx, "c", nil)
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 13 || !strings.HasPrefix(err.Error(), "motor: drop collection c: ") {
		t.Errorf("Unauthorized: %v", err)
	}
}

func TestListCollections(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithReadPreference(readpref.SecondaryPreferred()),
		motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
	dbn := db.Name()
	for _, name := range []string{"b", "a"} {
		cmdInsert(t, mustColl(t, db, name), 1)
	}
	if _, err := db.CreateCollection(ctx, "capped", &motor.CreateCollectionOptions{Capped: true, Size: 4096}); err != nil {
		t.Fatal(err)
	}
	rec.Reset()

	cur, err := db.ListCollections(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var all []bson.M
	if err := cur.All(ctx, &all); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, info := range all {
		names = append(names, info["name"].(string))
		if info["type"] != "collection" {
			t.Errorf("type of %v", info)
		}
		if info["name"] == "capped" {
			// The database's codec options, from the first batch on (Motor decodes the first batch with defaults).
			if opts, ok := info["options"].(bson.M); !ok || opts["capped"] != true {
				t.Errorf("options of capped: %#v", info["options"])
			}
		}
	}
	slices.Sort(names)
	diff(t, "names", []string{"a", "b", "capped"}, names)

	cur, err = db.ListCollections(ctx, &motor.ListCollectionsOptions{
		Filter: bson.D{{Key: "name", Value: "a"}}, NameOnly: true, Comment: "c",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !cur.Next(ctx) {
		t.Fatal(cur.Err())
	}
	var info bson.D
	if err := cur.Decode(&info); err != nil {
		t.Fatal(err)
	}
	if getField(info, "name") != "a" || cur.Next(ctx) || cur.Err() != nil || cur.ID() != 0 {
		t.Errorf("name filter: %v, err %v", info, cur.Err())
	}
	_ = cur.Close(ctx)

	cur, err = db.ListCollections(ctx, &motor.ListCollectionsOptions{Filter: bson.D{{Key: "options.capped", Value: true}}, AuthorizedCollections: true})
	if err != nil {
		t.Fatal(err)
	}
	var capped []struct{ Name string }
	if err := cur.All(ctx, &capped); err != nil || len(capped) != 1 || capped[0].Name != "capped" {
		t.Errorf("options filter: %+v, %v", capped, err)
	}

	head := bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{}}}
	with := func(es ...bson.E) bson.D {
		return append(slices.Clone(head), append(es, bson.E{Key: "$db", Value: dbn})...)
	}
	// Primary, not the database's secondaryPreferred: no $readPreference on a standalone.
	diff(t, "commands", []bson.D{
		with(),
		with(bson.E{Key: "comment", Value: "c"}, bson.E{Key: "nameOnly", Value: true}, bson.E{Key: "filter", Value: bson.D{{Key: "name", Value: "a"}}}),
		with(bson.E{Key: "authorizedCollections", Value: true}, bson.E{Key: "filter", Value: bson.D{{Key: "options.capped", Value: true}}}),
	}, rec.Commands())

	t.Run("ListCollectionNames", func(t *testing.T) {
		rec.Reset()
		names, err := db.ListCollectionNames(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(names)
		diff(t, "all", []string{"a", "b", "capped"}, names)

		names, err = db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{Filter: bson.D{{Key: "name", Value: "b"}}})
		diff(t, "by name", []string{"b"}, names)
		if err != nil {
			t.Fatal(err)
		}
		// A filter on options must not be sent with nameOnly (the driver's ListCollectionNames gets this wrong).
		names, err = db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{Filter: bson.M{"options.capped": true}})
		diff(t, "by options", []string{"capped"}, names)
		if err != nil {
			t.Fatal(err)
		}
		names, err = db.ListCollectionNames(ctx, &motor.ListCollectionNamesOptions{Filter: bson.D{{Key: "name", Value: "nothing"}}})
		if err != nil || names == nil || len(names) != 0 {
			t.Errorf("none: %#v, %v", names, err)
		}
		diff(t, "commands", []bson.D{
			with(bson.E{Key: "nameOnly", Value: true}),
			with(bson.E{Key: "nameOnly", Value: true}, bson.E{Key: "filter", Value: bson.D{{Key: "name", Value: "b"}}}),
			with(bson.E{Key: "filter", Value: bson.D{{Key: "options.capped", Value: true}}}),
			with(bson.E{Key: "nameOnly", Value: true}, bson.E{Key: "filter", Value: bson.D{{Key: "name", Value: "nothing"}}}),
		}, rec.Commands())
	})

	t.Run("CollectionNames", func(t *testing.T) {
		rec.Reset()
		for _, include := range []bool{true, false} {
			names, err := db.CollectionNames(ctx, include) //nolint:staticcheck // testing the deprecated helper
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(names)
			diff(t, "names", []string{"a", "b", "capped"}, names)
		}
		// The same command either way: system collections are left out on the client.
		diff(t, "commands", []bson.D{with(bson.E{Key: "nameOnly", Value: true}), with(bson.E{Key: "nameOnly", Value: true})}, rec.Commands())
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		for _, opts := range []*motor.ListCollectionsOptions{
			{Filter: "a"}, {BatchSize: -1}, {Extra: bson.D{{Key: "filter", Value: bson.D{}}}},
		} {
			if _, err := db.ListCollections(ctx, opts); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("%+v: %v", opts, err)
			}
		}
		for _, opts := range []*motor.ListCollectionNamesOptions{{Filter: 1}, {Extra: bson.D{{Key: "nameOnly", Value: false}}}} {
			if _, err := db.ListCollectionNames(ctx, opts); !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("%+v: %v", opts, err)
			}
		}
		var nilCtx context.Context
		if _, err := db.ListCollections(nilCtx, nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil ctx: %v", err)
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

// TestListCollectionsFake checks getMore batches, killCursors on early close, the retry of a retryable failure,
// system collections and a document without a name: FerretDB always answers listCollections in one batch.
func TestListCollectionsFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	db := fakeDB(t, f, "shop")
	const ns = "shop.$cmd.listCollections"
	f.Handle("listCollections", func(bson.D) bson.D {
		return cursorReply(42, ns, "firstBatch", cmdCollInfo("a"), cmdCollInfo("system.views"))
	})
	f.Handle("getMore", func(bson.D) bson.D {
		return cursorReply(0, ns, "nextBatch", cmdCollInfo("system.profile"), cmdCollInfo("b"))
	})

	t.Run("getMore", func(t *testing.T) {
		f.Reset()
		cur, err := db.ListCollections(ctx, &motor.ListCollectionsOptions{BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for cur.Next(ctx) {
			var info struct{ Name string }
			if err := cur.Decode(&info); err != nil {
				t.Fatal(err)
			}
			names = append(names, info.Name)
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		diff(t, "names", []string{"a", "system.views", "system.profile", "b"}, names)
		diff(t, "commands", []bson.D{
			{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(2)}}}, {Key: "$db", Value: "shop"}},
			{{Key: "getMore", Value: int64(42)}, {Key: "collection", Value: "$cmd.listCollections"}, {Key: "batchSize", Value: int32(2)}, {Key: "$db", Value: "shop"}},
		}, fakeCommands(f))
	})

	t.Run("names across batches; CollectionNames leaves system collections out", func(t *testing.T) {
		names, err := db.ListCollectionNames(ctx, nil)
		diff(t, "ListCollectionNames", []string{"a", "system.views", "system.profile", "b"}, names)
		if err != nil {
			t.Fatal(err)
		}
		names, err = db.CollectionNames(ctx, false) //nolint:staticcheck // testing the deprecated helper
		diff(t, "CollectionNames(false)", []string{"a", "b"}, names)
		if err != nil {
			t.Fatal(err)
		}
		names, err = db.CollectionNames(ctx, true) //nolint:staticcheck // testing the deprecated helper
		diff(t, "CollectionNames(true)", []string{"a", "system.views", "system.profile", "b"}, names)
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("early Close sends killCursors", func(t *testing.T) {
		cur, err := db.ListCollections(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.Reset()
		if err := cur.Close(ctx); err != nil {
			t.Fatal(err)
		}
		diff(t, "killCursors", []bson.D{{{Key: "killCursors", Value: "$cmd.listCollections"}, {Key: "cursors", Value: bson.A{int64(42)}}, {Key: "$db", Value: "shop"}}}, fakeCommands(f))
	})

	t.Run("a getMore failure", func(t *testing.T) {
		f.Handle("getMore", func(bson.D) bson.D { return motortest.CommandError(43, "CursorNotFound", "cursor id 42 not found") })
		defer f.Handle("getMore", nil)
		_, err := db.ListCollectionNames(ctx, nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 43 || !strings.HasPrefix(err.Error(), "motor: list collections: ") {
			t.Errorf("getMore failure: %v", err)
		}
	})

	t.Run("a name that is not a string", func(t *testing.T) {
		f.Handle("listCollections", func(bson.D) bson.D {
			return cursorReply(0, ns, "firstBatch", bson.D{{Key: "name", Value: 1}})
		})
		_, err := db.ListCollectionNames(ctx, nil)
		if got := fmtErr(err); got != "motor: list collections: a listCollections document has no string name" {
			t.Errorf("err = %s", got)
		}
	})

	t.Run("retry", func(t *testing.T) {
		for _, tc := range []struct {
			desc  string
			first bson.D
			db    *motor.Database
			sent  int
			err   bool
		}{
			{"retryable code: retried once", motortest.CommandError(9001, "SocketException", "socket"), db, 2, false},
			{"other failure: not retried", motortest.CommandError(13, "Unauthorized", "no"), db, 1, true},
			{"retryReads off: not retried", motortest.CommandError(9001, "SocketException", "socket"),
				mustDB(t, fakeClient(t, f, motor.WithClientOptions(options.Client().SetRetryReads(false))), "shop"), 1, true},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				calls := 0
				f.Handle("listCollections", func(bson.D) bson.D {
					calls++
					if calls == 1 {
						return tc.first
					}
					return cursorReply(0, ns, "firstBatch", cmdCollInfo("a"))
				})
				f.Reset()
				names, err := tc.db.ListCollectionNames(ctx, nil)
				if (err != nil) != tc.err {
					t.Errorf("names %v, err %v", names, err)
				}
				if n := len(fakeCommands(f, "listCollections")); n != tc.sent {
					t.Errorf("sent listCollections %d times, want %d", n, tc.sent)
				}
			})
		}
	})
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
	check("create collection c", err)
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
