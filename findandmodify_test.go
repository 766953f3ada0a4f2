package motor_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestReturnDocumentString(t *testing.T) {
	diff(t, "strings", []string{"before", "after", "ReturnDocument(7)"},
		[]string{motor.ReturnDocumentBefore.String(), motor.ReturnDocumentAfter.String(), motor.ReturnDocument(7).String()})
}

// TestFindOneAndModify runs the three FindOneAnd methods against the test server and checks the commands sent and
// the documents returned.
// TestProjectionDoc checks the projection of the FindOneAnd methods: a document as it is, PyMongo's list of field
// names as {name: 1, ...}.
func TestProjectionDoc(t *testing.T) {
	type fieldName string
	ab := bson.D{{Key: "a", Value: int32(1)}, {Key: "b", Value: int32(1)}}
	for _, tc := range []struct {
		desc       string
		projection any
		want       any
		wantErr    string
	}{
		{desc: "nil", projection: nil, want: nil},
		{desc: "a document, as it is", projection: bson.D{{Key: "_id", Value: 0}}, want: bson.D{{Key: "_id", Value: 0}}},
		{desc: "a map, as it is", projection: bson.M{"a": true}, want: bson.M{"a": true}},
		{desc: "a []string", projection: []string{"a", "b"}, want: ab},
		{desc: "a name twice is sent once, where it first appears", projection: []string{"a", "b", "a"}, want: ab},
		{desc: "dotted names", projection: []string{"a.b.c", "d"}, want: bson.D{{Key: "a.b.c", Value: int32(1)}, {Key: "d", Value: int32(1)}}},
		{desc: "an empty list is {}", projection: []string{}, want: bson.D{}},
		{desc: "a bson.A of strings", projection: bson.A{"a", "b"}, want: ab},
		{desc: "an array of strings", projection: [2]string{"a", "b"}, want: ab},
		{desc: "a named string type", projection: []fieldName{"a", "b"}, want: ab},
		{desc: "a bson.RawArray of strings", projection: bson.RawArray(rawDoc(t, bson.D{{Key: "0", Value: "a"}, {Key: "1", Value: "b"}})), want: ab},
		{desc: "a list with a number", projection: bson.A{"a", 1}, wantErr: "P must be a document or a list of field names; element 1 is a int, not a string"},
		{desc: "a list with nil", projection: []any{nil}, wantErr: "element 0 is a nil, not a string"},
		{desc: "a raw array with a number", projection: bson.RawArray(rawDoc(t, bson.D{{Key: "0", Value: int32(1)}})),
			wantErr: "element 0 is BSON 32-bit integer, not a string"},
		{desc: "a string alone is left to the document check", projection: "ab", want: "ab"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := motor.ProjectionDoc("P", tc.projection)
			if wantInvalidOption(t, err, tc.wantErr) {
				return
			}
			diff(t, "projection", tc.want, got)
		})
	}
}

func TestFindOneAndModify(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	coll := db.Collection("counters")
	if _, err := coll.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "n", Value: 10}},
		bson.D{{Key: "_id", Value: 2}, {Key: "n", Value: 20}},
		bson.D{{Key: "_id", Value: 3}, {Key: "n", Value: 30}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	decode := func(t *testing.T, r *motor.SingleResult) bson.D {
		t.Helper()
		var d bson.D
		if err := r.Decode(&d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	inc := bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}

	t.Run("update: before, then after", func(t *testing.T) {
		rec.Reset()
		got := decode(t, coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: 1}}, inc, nil))
		diff(t, "before", bson.D{{Key: "_id", Value: int32(1)}, {Key: "n", Value: int32(10)}}, got)
		got = decode(t, coll.FindOneAndUpdate(ctx, bson.D{}, inc, &motor.FindOneAndUpdateOptions{FindOneAndOptions: motor.FindOneAndOptions{Sort: bson.D{{Key: "n", Value: -1}}, Comment: "top"}, ReturnDocument: motor.ReturnDocumentAfter}))
		diff(t, "after", bson.D{{Key: "_id", Value: int32(3)}, {Key: "n", Value: int32(31)}}, got)
		diff(t, "commands", []bson.D{
			withDB(dbn, bson.D{
				{Key: "findAndModify", Value: "counters"}, {Key: "new", Value: false}, {Key: "query", Value: bson.D{{Key: "_id", Value: int32(1)}}},
				{Key: "update", Value: bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int32(1)}}}}}, {Key: "upsert", Value: false},
			}),
			withDB(dbn, bson.D{
				{Key: "findAndModify", Value: "counters"}, {Key: "comment", Value: "top"}, {Key: "new", Value: true}, {Key: "query", Value: bson.D{}},
				{Key: "sort", Value: bson.D{{Key: "n", Value: int32(-1)}}},
				{Key: "update", Value: bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int32(1)}}}}}, {Key: "upsert", Value: false},
			}),
		}, rec.Commands("findAndModify"))
	})

	t.Run("update: upsert, and nothing matched", func(t *testing.T) {
		r := coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: 9}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 0}}}}, nil)
		if r.Err() != mongo.ErrNoDocuments { // unwrapped, as FindOne's
			t.Errorf("nothing matched: %v", r.Err())
		}
		if err := r.Decode(&bson.D{}); err != mongo.ErrNoDocuments {
			t.Errorf("Decode: %v", err)
		}
		got := decode(t, coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: 9}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 0}}}},
			&motor.FindOneAndUpdateOptions{Upsert: true, ReturnDocument: motor.ReturnDocumentAfter}))
		diff(t, "upserted", bson.D{{Key: "_id", Value: int32(9)}, {Key: "n", Value: int32(0)}}, got)
	})

	t.Run("replace", func(t *testing.T) {
		rec.Reset()
		got := decode(t, coll.FindOneAndReplace(ctx, bson.D{{Key: "_id", Value: 2}}, bson.D{{Key: "m", Value: "x"}},
			&motor.FindOneAndReplaceOptions{ReturnDocument: motor.ReturnDocumentAfter}))
		diff(t, "replaced", bson.D{{Key: "_id", Value: int32(2)}, {Key: "m", Value: "x"}}, got)
		r := coll.FindOneAndReplace(ctx, bson.D{{Key: "_id", Value: 8}}, bson.D{{Key: "m", Value: "y"}}, &motor.FindOneAndReplaceOptions{Upsert: true})
		if r.Err() != mongo.ErrNoDocuments { // the document before an upsert that inserted
			t.Errorf("upsert returning the document before: %v", r.Err())
		}
		diff(t, "commands", []bson.D{
			withDB(dbn, bson.D{
				{Key: "findAndModify", Value: "counters"}, {Key: "new", Value: true}, {Key: "query", Value: bson.D{{Key: "_id", Value: int32(2)}}},
				{Key: "update", Value: bson.D{{Key: "m", Value: "x"}}}, {Key: "upsert", Value: false},
			}),
			withDB(dbn, bson.D{
				{Key: "findAndModify", Value: "counters"}, {Key: "new", Value: false}, {Key: "query", Value: bson.D{{Key: "_id", Value: int32(8)}}},
				{Key: "update", Value: bson.D{{Key: "m", Value: "y"}}}, {Key: "upsert", Value: true},
			}),
		}, rec.Commands("findAndModify"))
	})

	t.Run("delete", func(t *testing.T) {
		rec.Reset()
		got := decode(t, coll.FindOneAndDelete(ctx, bson.D{{Key: "n", Value: bson.D{{Key: "$gte", Value: 0}}}}, &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Sort: bson.D{{Key: "n", Value: 1}}}}))
		diff(t, "deleted", bson.D{{Key: "_id", Value: int32(9)}, {Key: "n", Value: int32(0)}}, got)
		diff(t, "commands", []bson.D{withDB(dbn, bson.D{
			{Key: "findAndModify", Value: "counters"}, {Key: "query", Value: bson.D{{Key: "n", Value: bson.D{{Key: "$gte", Value: int32(0)}}}}},
			{Key: "remove", Value: true}, {Key: "sort", Value: bson.D{{Key: "n", Value: int32(1)}}},
		})}, rec.Commands("findAndModify"))
		if n, err := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: 9}}, nil); err != nil || n != 0 {
			t.Errorf("after the delete: %d, %v", n, err)
		}
	})

	t.Run("projection, which FerretDB lacks", func(t *testing.T) {
		var d bson.D
		err := coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: 1}}, inc, &motor.FindOneAndUpdateOptions{FindOneAndOptions: motor.FindOneAndOptions{Projection: bson.D{{Key: "_id", Value: 0}}}}).Decode(&d)
		var ce mongo.CommandError
		switch {
		case motortest.Real() && (err != nil || len(d) != 1):
			t.Errorf("MongoDB: %v, %v", d, err)
		case !motortest.Real() && (!errors.As(err, &ce) || ce.Code != 238 ||
			!strings.HasPrefix(err.Error(), "motor: find one and update "+dbn+".counters: (NotImplemented)")):
			t.Errorf("FerretDB: want NotImplemented, got %v", err)
		}
	})

	t.Run("projection as a list of field names, sent as {name: 1, ...} as PyMongo sends it", func(t *testing.T) {
		for _, tc := range []struct {
			desc string
			run  func(opts any) *motor.SingleResult
		}{
			{"update", func(p any) *motor.SingleResult {
				return coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: 1}}, inc, &motor.FindOneAndUpdateOptions{FindOneAndOptions: motor.FindOneAndOptions{Projection: p}})
			}},
			{"replace", func(p any) *motor.SingleResult {
				return coll.FindOneAndReplace(ctx, bson.D{{Key: "_id", Value: 99}}, bson.D{{Key: "n", Value: 1}}, &motor.FindOneAndReplaceOptions{FindOneAndOptions: motor.FindOneAndOptions{Projection: p}})
			}},
			{"delete", func(p any) *motor.SingleResult {
				return coll.FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: 99}}, &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Projection: p}})
			}},
		} {
			t.Run(tc.desc, func(t *testing.T) {
				rec.Reset()
				err := tc.run([]string{"n", "_id", "n"}).Err()
				var ce mongo.CommandError
				switch {
				case motortest.Real() && err != nil && !errors.Is(err, mongo.ErrNoDocuments):
					t.Errorf("MongoDB: %v", err)
				case !motortest.Real() && (!errors.As(err, &ce) || ce.Code != 238):
					t.Errorf("FerretDB: want NotImplemented, got %v", err)
				}
				cmds := rec.Commands("findAndModify")
				if len(cmds) != 1 {
					t.Fatalf("sent %v", cmds)
				}
				diff(t, "fields", bson.D{{Key: "n", Value: int32(1)}, {Key: "_id", Value: int32(1)}}, getField(cmds[0], "fields"))
			})
		}
	})

	t.Run("server error", func(t *testing.T) {
		err := coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: "x"}}}}, nil).Err()
		var ce mongo.CommandError
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "motor: find one and update "+dbn+".counters: ") {
			t.Errorf("$inc by a string: %v", err)
		}
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		w0 := db.Collection("counters", motor.WithWriteConcern(writeconcern.Unacknowledged()))
		var nilCtx context.Context
		big := bson.D{{Key: "s", Value: strings.Repeat("x", 17<<20)}}
		f := bson.D{}
		for _, tc := range []struct {
			desc string
			want error
			text string
			err  error
		}{
			{"update without operators", motor.ErrInvalidOption, `the update must only have update operators ($set, $inc, ...), not "n"`,
				coll.FindOneAndUpdate(ctx, f, bson.D{{Key: "$set", Value: bson.D{}}, {Key: "n", Value: 1}}, nil).Err()},
			{"empty update", motor.ErrInvalidOption, "the update must not be empty", coll.FindOneAndUpdate(ctx, f, bson.D{}, nil).Err()},
			{"empty pipeline", motor.ErrInvalidOption, "the update pipeline must not be empty", coll.FindOneAndUpdate(ctx, f, mongo.Pipeline{}, nil).Err()},
			{"nil update", motor.ErrInvalidOption, "the update must be a document, not nil", coll.FindOneAndUpdate(ctx, f, nil, nil).Err()},
			{"update a string", motor.ErrInvalidOption, "not a string", coll.FindOneAndUpdate(ctx, f, "x", nil).Err()},
			{"replacement with an operator", motor.ErrInvalidOption, `the replacement must not have update operators, got "$set"`,
				coll.FindOneAndReplace(ctx, f, bson.D{{Key: "a", Value: 1}, {Key: "$set", Value: bson.D{}}}, nil).Err()},
			{"replacement too large", motor.ErrDocumentTooLarge, "", coll.FindOneAndReplace(ctx, f, big, nil).Err()},
			{"nil replacement", motor.ErrInvalidOption, "", coll.FindOneAndReplace(ctx, f, nil, nil).Err()},
			{"nil filter", motor.ErrInvalidOption, "the filter must be a document, not nil", coll.FindOneAndDelete(ctx, nil, nil).Err()},
			{"filter a number", motor.ErrInvalidOption, "", coll.FindOneAndDelete(ctx, 5, nil).Err()},
			{"bad return document", motor.ErrInvalidOption, "ReturnDocument must be", coll.FindOneAndUpdate(ctx, f, inc,
				&motor.FindOneAndUpdateOptions{ReturnDocument: 2}).Err()},
			{"Extra duplicates new", motor.ErrInvalidOption, `FindOneAndReplaceOptions.Extra key "new" duplicates a typed field`,
				coll.FindOneAndReplace(ctx, f, f, &motor.FindOneAndReplaceOptions{FindOneAndOptions: motor.FindOneAndOptions{Extra: bson.D{{Key: "new", Value: true}}}}).Err()},
			{"Extra sets maxTimeMS", motor.ErrInvalidOption, "", coll.FindOneAndDelete(ctx, f, &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Extra: bson.D{{Key: "maxTimeMS", Value: 1}}}}).Err()},
			{"projection a string", motor.ErrInvalidOption, "", coll.FindOneAndDelete(ctx, f, &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Projection: "a"}}).Err()},
			{"projection a list with a number", motor.ErrInvalidOption, "FindOneAndUpdateOptions.Projection must be a document or a list of field names",
				coll.FindOneAndUpdate(ctx, f, inc, &motor.FindOneAndUpdateOptions{FindOneAndOptions: motor.FindOneAndOptions{Projection: bson.A{"a", 1}}}).Err()},
			{"hint a map of two keys", motor.ErrInvalidOption, "ordered document", coll.FindOneAndDelete(ctx, f, &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Hint: bson.M{"a": 1, "b": 1}}}).Err()},
			{"empty hint", motor.ErrInvalidOption, "", coll.FindOneAndDelete(ctx, f, &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Hint: ""}}).Err()},
			{"negative MaxTime", motor.ErrInvalidOption, "", coll.FindOneAndDelete(ctx, f, &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{MaxTime: -1}}).Err()},
			{"array filter a number", motor.ErrInvalidOption, "ArrayFilters[0]", coll.FindOneAndUpdate(ctx, f, inc, &motor.FindOneAndUpdateOptions{ArrayFilters: []any{1}}).Err()},
			{"hint with w: 0", motor.ErrInvalidOption, "unacknowledged", w0.FindOneAndDelete(ctx, f, &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Hint: "_id_"}}).Err()},
			{"collation with w: 0", motor.ErrInvalidOption, "unacknowledged", w0.FindOneAndReplace(ctx, f, f, &motor.FindOneAndReplaceOptions{FindOneAndOptions: motor.FindOneAndOptions{Collation: &options.Collation{Locale: "en"}}}).Err()},
			{"array filters with w: 0", motor.ErrInvalidOption, "unacknowledged", w0.FindOneAndUpdate(ctx, f, inc, &motor.FindOneAndUpdateOptions{ArrayFilters: []any{bson.D{}}}).Err()},
			{"nil context", motor.ErrInvalidOption, "nil context", coll.FindOneAndDelete(nilCtx, f, nil).Err()},
		} {
			switch {
			case !errors.Is(tc.err, tc.want) || !strings.Contains(fmtErr(tc.err), tc.text):
				t.Errorf("%s: %v, want %v containing %q", tc.desc, tc.err, tc.want, tc.text)
			case !strings.HasPrefix(tc.err.Error(), "motor: find one and "):
				t.Errorf("%s: %q is not the operation's error", tc.desc, tc.err)
			}
		}
		if got := rec.Names(); len(got) != 0 {
			t.Errorf("sent %v", got)
		}
	})
}

// TestFindOneAndModifyFake checks on the scripted fake what FerretDB cannot show: every option on the wire, the
// collection's write concern, Extra encoded with the collection's codec options, and the returned document.
func TestFindOneAndModifyFake(t *testing.T) {
	f := motortest.NewFake(t)
	f.Handle("findAndModify", func(bson.D) bson.D {
		return motortest.OK(
			bson.E{Key: "lastErrorObject", Value: bson.D{{Key: "n", Value: int32(1)}, {Key: "updatedExisting", Value: true}}},
			bson.E{Key: "value", Value: bson.D{{Key: "_id", Value: int32(1)}, {Key: "items", Value: bson.A{int32(5)}}}},
		)
	})
	db := fakeDB(t, f, "shop")
	coll := db.Collection("carts", motor.WithWriteConcern(writeconcern.Majority()),
		motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: motor.UUIDStandard}))
	ctx := t.Context()
	uuid := motor.UUID{0: 1, 15: 2}

	var got bson.D
	err := coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: 1}},
		mongo.Pipeline{{{Key: "$set", Value: bson.D{{Key: "items", Value: bson.A{5}}}}}},
		&motor.FindOneAndUpdateOptions{FindOneAndOptions: motor.FindOneAndOptions{Projection: bson.D{{Key: "items", Value: 1}}, Sort: bson.D{{Key: "_id", Value: 1}}, Collation: &options.Collation{Locale: "en"}, Hint: bson.D{{Key: "_id", Value: 1}}, Let: bson.D{{Key: "v", Value: 1}}, Comment: "c", MaxTime: time.Minute, Extra: bson.D{{Key: "tag", Value: uuid}}}, Upsert: true, ReturnDocument: motor.ReturnDocumentAfter, ArrayFilters: []any{bson.D{{Key: "x.a", Value: 1}}}, BypassDocumentValidation: true}).Decode(&got)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "document", bson.D{{Key: "_id", Value: int32(1)}, {Key: "items", Value: bson.A{int32(5)}}}, got)
	if err := coll.FindOneAndDelete(ctx, bson.D{}, &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Hint: "_id_"}}).Err(); err != nil {
		t.Fatal(err)
	}
	wc := bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}
	diff(t, "commands", []bson.D{
		{
			{Key: "findAndModify", Value: "carts"},
			{Key: "arrayFilters", Value: bson.A{bson.D{{Key: "x.a", Value: int32(1)}}}},
			{Key: "bypassDocumentValidation", Value: true},
			{Key: "collation", Value: bson.D{{Key: "locale", Value: "en"}}},
			{Key: "comment", Value: "c"},
			{Key: "fields", Value: bson.D{{Key: "items", Value: int32(1)}}},
			{Key: "new", Value: true},
			{Key: "query", Value: bson.D{{Key: "_id", Value: int32(1)}}},
			{Key: "sort", Value: bson.D{{Key: "_id", Value: int32(1)}}},
			{Key: "update", Value: bson.A{bson.D{{Key: "$set", Value: bson.D{{Key: "items", Value: bson.A{int32(5)}}}}}}},
			{Key: "upsert", Value: true},
			{Key: "hint", Value: bson.D{{Key: "_id", Value: int32(1)}}},
			{Key: "let", Value: bson.D{{Key: "v", Value: int32(1)}}},
			{Key: "tag", Value: bson.Binary{Subtype: 4, Data: uuid[:]}}, // the collection's UUID representation
			wc,
			{Key: "$db", Value: "shop"},
		},
		{{Key: "findAndModify", Value: "carts"}, {Key: "query", Value: bson.D{}}, {Key: "remove", Value: true}, {Key: "hint", Value: "_id_"}, wc, {Key: "$db", Value: "shop"}},
	}, fakeCommands(f, "findAndModify"))
	if ms := getField(f.Commands()[0], "maxTimeMS"); ms != int32(60000) { // exactly MaxTime, as PyMongo sends it
		t.Errorf("maxTimeMS = %#v, want int32(60000)", ms)
	}

	t.Run("a write concern error", func(t *testing.T) {
		f.Handle("findAndModify", func(bson.D) bson.D {
			return motortest.OK(bson.E{Key: "value", Value: nil}, bson.E{Key: "writeConcernError", Value: bson.D{
				{Key: "code", Value: int32(64)}, {Key: "errmsg", Value: "waiting for replication timed out"},
			}})
		})
		err := coll.FindOneAndDelete(ctx, bson.D{}, nil).Err()
		var we mongo.WriteException
		if !errors.As(err, &we) || we.WriteConcernError == nil || we.WriteConcernError.Code != 64 ||
			!strings.HasPrefix(err.Error(), "motor: find one and delete shop.carts: ") {
			t.Errorf("write concern error: %v", err)
		}
	})
}

// TestFindOneAndModifyRetried checks through a proxy that resets the connection at the first reply that
// findAndModify is a retryable write, as PyMongo's is: sent again with the same transaction number.
func TestFindOneAndModifyRetried(t *testing.T) {
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	f.Handle("findAndModify", func(bson.D) bson.D {
		return motortest.OK(bson.E{Key: "value", Value: bson.D{{Key: "_id", Value: int32(1)}}})
	})
	proxy := motortest.NewProxy(t, f.Addr())
	client, err := motor.Connect(proxy.URI(), motor.WithClientOptions(options.Client().SetHeartbeatInterval(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	coll := client.Database("shop").Collection("c")
	if _, err := client.Database("shop").Command(t.Context(), "ping", nil); err != nil {
		t.Fatal(err)
	}
	f.Reset()
	proxy.SetFault(motortest.FaultReset)
	if err := coll.FindOneAndUpdate(t.Context(), bson.D{}, bson.D{{Key: "$set", Value: bson.D{{Key: "a", Value: 1}}}}, nil).Err(); err != nil {
		t.Fatalf("with one reset: %v", err)
	}
	sent := fakeCommands(f, "findAndModify")
	if len(sent) != 2 {
		t.Fatalf("sent %d findAndModify commands, want 2: %v", len(sent), sent)
	}
	if n1, n2 := getField(sent[0], "txnNumber"), getField(sent[1], "txnNumber"); n1 == nil || n1 != n2 {
		t.Errorf("txnNumber %v then %v, want the same", n1, n2)
	}
}

// TestFindOneAndUpdateCodecAndHooks shows that the collection's codec options and the database's document hooks
// (installed by a SON manipulator) apply through the FindOneAnd methods: the returned document is decoded with the
// codec options and through the outgoing manipulators, and a replacement goes through the incoming ones without an
// _id added.
func TestFindOneAndUpdateCodecAndHooks(t *testing.T) {
	ctx := t.Context()
	db, _ := newDB(t)
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	plain := db.Collection("events")
	if _, err := plain.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "at", Value: bson.NewDateTimeFromTime(at)}}, nil); err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}

	t.Run("codec options", func(t *testing.T) {
		coll := db.Collection("events", motor.WithCodecOptions(motor.CodecOptions{
			DocumentType: reflect.TypeOf(bson.M{}), TZAware: true, TZInfo: paris,
		}))
		var got any
		err := coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "$set", Value: bson.D{{Key: "seen", Value: true}}}},
			&motor.FindOneAndUpdateOptions{ReturnDocument: motor.ReturnDocumentAfter}).Decode(&got)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := got.(bson.M)
		if !ok {
			t.Fatalf("decoded a %T, want bson.M", got)
		}
		when, ok := m["at"].(time.Time)
		if !ok || !when.Equal(at) || when.Location() != paris || m["seen"] != true {
			t.Errorf("document %#v", m)
		}
	})

	t.Run("SON manipulators", func(t *testing.T) {
		mdb := db.Client().Database(db.Name())
		if err := mdb.AddSONManipulator(motor.SONManipulator{
			Name: "stamp",
			Incoming: func(doc bson.D, coll *motor.Collection) (bson.D, error) {
				return append(doc, bson.E{Key: "by", Value: coll.Name()}), nil
			},
			Outgoing: func(doc bson.D, _ *motor.Collection) (bson.D, error) {
				return append(doc, bson.E{Key: "read", Value: true}), nil
			},
		}); err != nil {
			t.Fatal(err)
		}
		coll := mdb.Collection("events")
		var got bson.D
		if err := coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "$unset", Value: bson.D{{Key: "seen", Value: ""}}}},
			&motor.FindOneAndUpdateOptions{ReturnDocument: motor.ReturnDocumentAfter}).Decode(&got); err != nil {
			t.Fatal(err)
		}
		diff(t, "through the outgoing manipulator", bson.D{
			{Key: "_id", Value: int32(1)}, {Key: "at", Value: bson.NewDateTimeFromTime(at)}, {Key: "read", Value: true},
		}, got)

		// The replacement has no _id: the incoming manipulator adds its field and no _id, so the server keeps 1.
		if err := coll.FindOneAndReplace(ctx, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "v", Value: 2}}, nil).Err(); err != nil {
			t.Fatal(err)
		}
		var stored bson.D
		if err := plain.FindOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil).Decode(&stored); err != nil {
			t.Fatal(err)
		}
		diff(t, "stored replacement", bson.D{{Key: "_id", Value: int32(1)}, {Key: "v", Value: int32(2)}, {Key: "by", Value: "events"}}, stored)
	})
}
