package motor_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestRenameCmd(t *testing.T) {
	tests := []struct {
		desc    string
		newName string
		opts    *motor.RenameOptions
		wc      *writeconcern.WriteConcern
		want    bson.D
		wantErr error
	}{
		{desc: "plain", newName: "new", want: bson.D{{Key: "renameCollection", Value: "db.old"}, {Key: "to", Value: "db.new"}}},
		{
			desc: "every option, then the write concern", newName: "a.b",
			opts: &motor.RenameOptions{DropTarget: new(true), Comment: "why", Extra: bson.D{{Key: "stayTemp", Value: true}}},
			wc:   writeconcern.Majority(),
			want: bson.D{
				{Key: "renameCollection", Value: "db.old"}, {Key: "to", Value: "db.a.b"}, {Key: "dropTarget", Value: true},
				{Key: "comment", Value: "why"}, {Key: "stayTemp", Value: true}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}},
			},
		},
		{desc: "dropTarget false is sent, as PyMongo sends dropTarget=False", newName: "new", opts: &motor.RenameOptions{DropTarget: new(false)},
			want: bson.D{{Key: "renameCollection", Value: "db.old"}, {Key: "to", Value: "db.new"}, {Key: "dropTarget", Value: false}}},
		{desc: "oplog.$main is allowed", newName: "oplog.$main", want: bson.D{{Key: "renameCollection", Value: "db.old"}, {Key: "to", Value: "db.oplog.$main"}}},
		{desc: "empty", newName: "", wantErr: motor.ErrInvalidName},
		{desc: "empty segment", newName: "a..b", wantErr: motor.ErrInvalidName},
		{desc: "leading dot", newName: ".a", wantErr: motor.ErrInvalidName},
		{desc: "trailing dot", newName: "a.", wantErr: motor.ErrInvalidName},
		{desc: "a $", newName: "a$b", wantErr: motor.ErrInvalidName},
		{desc: "$cmd, which rename refuses", newName: "$cmd.x", wantErr: motor.ErrInvalidName},
		{desc: "NUL", newName: "a\x00", wantErr: motor.ErrInvalidName},
		{desc: "Extra sets to", newName: "n", opts: &motor.RenameOptions{Extra: bson.D{{Key: "to", Value: "x.y"}}}, wantErr: motor.ErrInvalidOption},
		{desc: "Extra sets writeConcern", newName: "n", opts: &motor.RenameOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{}}}}, wantErr: motor.ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.RenameCmd("db.old", "db", tt.newName, tt.opts, tt.wc)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			diff(t, "command", tt.want, got)
		})
	}
}

func TestRename(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t)
	dbn := db.Name()
	old := db.Collection("old")
	if _, err := old.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	renamed, err := old.Rename(ctx, "new", nil)
	if err != nil {
		t.Fatal(err)
	}
	if renamed.FullName() != dbn+".new" || renamed.Database() != db {
		t.Errorf("renamed handle %v", renamed)
	}
	diff(t, "command", []bson.D{{
		{Key: "renameCollection", Value: dbn + ".old"}, {Key: "to", Value: dbn + ".new"}, {Key: "$db", Value: "admin"},
	}}, rec.Commands("renameCollection"))
	if n, err := renamed.CountDocuments(ctx, bson.D{}, nil); err != nil || n != 1 {
		t.Errorf("the renamed collection has %d documents, %v", n, err)
	}
	names, err := db.ListCollectionNames(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "collections", []string{"new"}, names)

	t.Run("server errors", func(t *testing.T) {
		var ce mongo.CommandError
		_, err := old.Rename(ctx, "other", nil) // old no longer exists
		if !errors.As(err, &ce) || ce.Code != 26 || !strings.HasPrefix(err.Error(), "motor: rename "+dbn+".old: ") {
			t.Errorf("a missing collection: %v", err)
		}
		if _, err := db.Collection("taken").InsertOne(ctx, bson.D{}, nil); err != nil {
			t.Fatal(err)
		}
		_, err = renamed.Rename(ctx, "taken", nil)
		if !errors.As(err, &ce) || ce.Code != 48 {
			t.Errorf("a taken name: %v", err)
		}
		_, err = renamed.Rename(ctx, "taken", &motor.RenameOptions{DropTarget: new(true)})
		switch {
		case motortest.Real() && err != nil:
			t.Errorf("MongoDB, dropTarget: %v", err)
		case !motortest.Real() && (!errors.As(err, &ce) || ce.Code != 238):
			t.Errorf("FerretDB, dropTarget: want NotImplemented, got %v", err)
		}
	})

	t.Run("dropTarget: false is sent", func(t *testing.T) {
		rec.Reset()
		back, err := renamed.Rename(ctx, "back", &motor.RenameOptions{DropTarget: new(false)})
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "command", []bson.D{{
			{Key: "renameCollection", Value: dbn + ".new"}, {Key: "to", Value: dbn + ".back"}, {Key: "dropTarget", Value: false},
			{Key: "$db", Value: "admin"},
		}}, rec.Commands("renameCollection"))
		if renamed, err = back.Rename(ctx, "new", nil); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("bad input: error before I/O", func(t *testing.T) {
		rec.Reset()
		var nilCtx context.Context
		_, err := renamed.Rename(ctx, "a$b", nil)
		if !errors.Is(err, motor.ErrInvalidName) || !strings.HasPrefix(err.Error(), "motor: rename "+dbn+".new: invalid collection name") {
			t.Errorf("bad name: %v", err)
		}
		if _, err := renamed.Rename(nilCtx, "x", nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil context: %v", err)
		}
		if got := rec.Names(); len(got) != 0 {
			t.Errorf("sent %v", got)
		}
	})
}

// TestRenameWriteConcern checks on the scripted fake that renameCollection goes to admin with the collection's
// write concern and dropTarget.
func TestRenameWriteConcern(t *testing.T) {
	f := motortest.NewFake(t)
	f.Handle("renameCollection", func(bson.D) bson.D { return motortest.OK() })
	coll := fakeDB(t, f, "shop").Collection("orders", motor.WithWriteConcern(writeconcern.Majority()))
	if _, err := coll.Rename(t.Context(), "archive", &motor.RenameOptions{DropTarget: new(true)}); err != nil {
		t.Fatal(err)
	}
	diff(t, "command", []bson.D{{
		{Key: "renameCollection", Value: "shop.orders"}, {Key: "to", Value: "shop.archive"}, {Key: "dropTarget", Value: true},
		{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}, {Key: "$db", Value: "admin"},
	}}, fakeCommands(f, "renameCollection"))
}
