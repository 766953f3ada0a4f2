package motor_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestDropCollectionCmd(t *testing.T) {
	tests := []struct {
		desc    string
		name    string
		opts    *motor.DropCollectionOptions
		wc      *writeconcern.WriteConcern
		want    bson.D
		wantErr error
	}{
		{desc: "plain", name: "c", want: bson.D{{Key: "drop", Value: "c"}}},
		{
			desc: "comment, Extra, then the write concern", name: "c", wc: &writeconcern.WriteConcern{W: "majority"},
			opts: &motor.DropCollectionOptions{Comment: bson.D{{Key: "why", Value: 1}}, Extra: bson.D{{Key: "x", Value: 1}}},
			want: bson.D{{Key: "drop", Value: "c"}, {Key: "comment", Value: bson.D{{Key: "why", Value: 1}}}, {Key: "x", Value: 1}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}},
		},
		{desc: "server default write concern not sent", name: "c", wc: &writeconcern.WriteConcern{}, want: bson.D{{Key: "drop", Value: "c"}}},
		{desc: "invalid name", name: "a..b", wantErr: motor.ErrInvalidName},
		{desc: "Extra repeats comment", name: "c", opts: &motor.DropCollectionOptions{Extra: bson.D{{Key: "comment", Value: 1}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra sets writeConcern", name: "c", opts: &motor.DropCollectionOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{}}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra repeats drop", name: "c", opts: &motor.DropCollectionOptions{Extra: bson.D{{Key: "drop", Value: "d"}}}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.DropCollectionCmd(tt.name, tt.opts, tt.wc)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			diff(t, "command", tt.want, got)
		})
	}
}

func TestDropCollection(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	coll := db.Collection("c")
	insertN(t, coll, 1)
	insertN(t, db.Collection("d"), 1)
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
		wdb := db.WithOptions(motor.WithWriteConcern(writeconcern.W1()))
		// A collection with another write concern: the database's is sent, as in PyMongo.
		c := wdb.Collection("c", motor.WithWriteConcern(writeconcern.Majority()))
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
