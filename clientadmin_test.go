package motor_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestListDatabasesCmd(t *testing.T) {
	list := bson.E{Key: "listDatabases", Value: int32(1)}
	byName := bson.D{{Key: "name", Value: "app"}}
	tests := []struct {
		desc    string
		opts    *motor.ListDatabasesOptions
		want    bson.D
		wantErr string
	}{
		{desc: "nil", want: bson.D{list}},
		{desc: "zero", opts: &motor.ListDatabasesOptions{}, want: bson.D{list}},
		{desc: "nameOnly", opts: &motor.ListDatabasesOptions{NameOnly: true}, want: bson.D{list, {Key: "nameOnly", Value: true}}},
		{desc: "filter", opts: &motor.ListDatabasesOptions{Filter: byName}, want: bson.D{list, {Key: "filter", Value: byName}}},
		{desc: "every field, in order",
			opts: &motor.ListDatabasesOptions{Filter: byName, NameOnly: true, AuthorizedDatabases: boolPtr(false), Comment: "c",
				Extra: bson.D{{Key: "maxTimeMS", Value: 10}}},
			want: bson.D{list, {Key: "filter", Value: byName}, {Key: "nameOnly", Value: true},
				{Key: "authorizedDatabases", Value: false}, {Key: "comment", Value: "c"}, {Key: "maxTimeMS", Value: 10}}},
		{desc: "authorizedDatabases true", opts: &motor.ListDatabasesOptions{AuthorizedDatabases: boolPtr(true)},
			want: bson.D{list, {Key: "authorizedDatabases", Value: true}}},
		{desc: "filter not a document", opts: &motor.ListDatabasesOptions{Filter: "app"},
			wantErr: "the listDatabases filter must be a document, not a string"},
		{desc: "Extra duplicates a typed field", opts: &motor.ListDatabasesOptions{Extra: bson.D{{Key: "nameOnly", Value: true}}},
			wantErr: `ListDatabasesOptions.Extra key "nameOnly" duplicates a typed field`},
		{desc: "Extra twice", opts: &motor.ListDatabasesOptions{Extra: bson.D{{Key: "x", Value: 1}, {Key: "x", Value: 2}}},
			wantErr: `ListDatabasesOptions.Extra key "x" appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.ListDatabasesCmd(tt.opts, motor.DefaultRegistry, "ListDatabasesOptions")
			if wantInvalidOption(t, err, tt.wantErr) {
				return
			}
			diff(t, "command", tt.want, got)
		})
	}

	names := []struct {
		desc    string
		opts    *motor.ListDatabaseNamesOptions
		want    bson.D
		wantErr string
	}{
		{desc: "nil", want: bson.D{list, {Key: "nameOnly", Value: true}}},
		{desc: "every field",
			opts: &motor.ListDatabaseNamesOptions{Filter: byName, AuthorizedDatabases: boolPtr(true), Comment: "c", Extra: bson.D{{Key: "x", Value: 1}}},
			want: bson.D{list, {Key: "filter", Value: byName}, {Key: "nameOnly", Value: true},
				{Key: "authorizedDatabases", Value: true}, {Key: "comment", Value: "c"}, {Key: "x", Value: 1}}},
		{desc: "Extra nameOnly", opts: &motor.ListDatabaseNamesOptions{Extra: bson.D{{Key: "nameOnly", Value: false}}},
			wantErr: `ListDatabaseNamesOptions.Extra key "nameOnly" duplicates a typed field`},
	}
	for _, tt := range names {
		t.Run("names, "+tt.desc, func(t *testing.T) {
			got, err := motor.ListDatabaseNamesCmd(tt.opts, motor.DefaultRegistry)
			if wantInvalidOption(t, err, tt.wantErr) {
				return
			}
			diff(t, "command", tt.want, got)
		})
	}
}

func TestDropDatabaseCmd(t *testing.T) {
	drop := bson.E{Key: "dropDatabase", Value: int32(1)}
	tests := []struct {
		desc string
		wc   *writeconcern.WriteConcern
		want bson.D
	}{
		{"no write concern", nil, bson.D{drop}},
		{"server default", &writeconcern.WriteConcern{}, bson.D{drop}},
		{"w1", writeconcern.W1(), bson.D{drop, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}}}},
		{"majority, journaled", &writeconcern.WriteConcern{W: "majority", Journal: boolPtr(true)},
			bson.D{drop, {Key: "writeConcern", Value: bson.D{{Key: "j", Value: true}, {Key: "w", Value: "majority"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) { diff(t, "command", tt.want, motor.DropDatabaseCmd(tt.wc)) })
	}
}

func TestURIDatabase(t *testing.T) {
	for uri, want := range map[string]string{
		"mongodb://host":                             "",
		"mongodb://host/":                            "",
		"mongodb://host/?w=1":                        "",
		"mongodb://host?w=1":                         "",
		"mongodb://host/shop":                        "shop",
		"mongodb://host:27017/shop?replicaSet=rs0":   "shop",
		"mongodb://a,b,c/shop?w=majority":            "shop",
		"mongodb://user:p%2Fw@host/shop":             "shop",
		"mongodb+srv://cluster.example.net/shop?x=1": "shop",
		"mongodb://%2Ftmp%2Fmongodb-27017.sock/shop": "shop",
		"mongodb://host/my%20db":                     "my db",
		"not a uri":                                  "",
	} {
		if got := motor.URIDatabase(uri); got != want {
			t.Errorf("URIDatabase(%q) = %q, want %q", uri, got, want)
		}
	}
}

// TestClientAdmin runs the Client's database commands against the test server and checks what they send.
func TestClientAdmin(t *testing.T) {
	ctx := t.Context()
	c, rec := newClient(t)
	name := motortest.DBName(t)
	db := c.Database(name)
	t.Cleanup(func() { _ = db.Mongo().Drop(context.Background()) })
	if _, err := db.Collection("c").InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	admin := func(d ...bson.E) bson.D { return withDB("admin", d) }
	list := bson.E{Key: "listDatabases", Value: int32(1)}

	t.Run("ListDatabaseNames", func(t *testing.T) {
		rec.Reset()
		names, err := c.ListDatabaseNames(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(names, name) {
			t.Errorf("%s not in %v", name, names)
		}
		diff(t, "commands", []bson.D{admin(list, bson.E{Key: "nameOnly", Value: true})}, rec.Commands())

		rec.Reset()
		filter := bson.D{{Key: "name", Value: name}}
		names, err = c.ListDatabaseNames(ctx, &motor.ListDatabaseNamesOptions{Filter: filter})
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "names", []string{name}, names)
		diff(t, "commands", []bson.D{admin(list, bson.E{Key: "filter", Value: filter}, bson.E{Key: "nameOnly", Value: true})}, rec.Commands())
	})

	t.Run("ListDatabases", func(t *testing.T) {
		rec.Reset()
		filter := bson.D{{Key: "name", Value: name}}
		cur, err := c.ListDatabases(ctx, &motor.ListDatabasesOptions{Filter: filter})
		if err != nil {
			t.Fatal(err)
		}
		var infos []struct {
			Name       string
			SizeOnDisk int64
			Empty      bool
		}
		if err := cur.All(ctx, &infos); err != nil {
			t.Fatal(err)
		}
		if len(infos) != 1 || infos[0].Name != name || infos[0].Empty {
			t.Errorf("ListDatabases = %+v", infos)
		}
		diff(t, "commands", []bson.D{admin(list, bson.E{Key: "filter", Value: filter})}, rec.Commands())
		if cur.ID() != 0 {
			t.Errorf("cursor id %d", cur.ID())
		}
	})

	t.Run("ListDatabases decodes with the client's codec options", func(t *testing.T) {
		mc, _ := newClient(t, motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(bson.M{})}))
		cur, err := mc.ListDatabases(ctx, &motor.ListDatabasesOptions{NameOnly: true, Filter: bson.D{{Key: "name", Value: name}}})
		if err != nil {
			t.Fatal(err)
		}
		var docs []any
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		diff(t, "documents", []any{bson.M{"name": name}}, docs)
	})

	t.Run("ServerInfo", func(t *testing.T) {
		rec.Reset()
		info, err := c.ServerInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := getField(info, "version").(string); v == "" {
			t.Errorf("ServerInfo has no version: %v", info)
		}
		diff(t, "commands", []bson.D{admin(bson.E{Key: "buildinfo", Value: int32(1)})}, rec.Commands())
	})

	t.Run("DropDatabase", func(t *testing.T) {
		rec.Reset()
		if err := c.DropDatabase(ctx, name); err != nil {
			t.Fatal(err)
		}
		diff(t, "commands", []bson.D{withDB(name, bson.D{{Key: "dropDatabase", Value: int32(1)}})}, rec.Commands())
		names, err := c.ListDatabaseNames(ctx, nil)
		if err != nil || slices.Contains(names, name) {
			t.Errorf("after DropDatabase: %v, %v", names, err)
		}
		if err := c.DropDatabase(ctx, name); err != nil {
			t.Errorf("dropping a missing database: %v", err)
		}
	})

	t.Run("write concerns", func(t *testing.T) {
		wc, rec := newClient(t, motor.WithWriteConcern(writeconcern.W1()))
		if err := wc.DropDatabase(ctx, name); err != nil {
			t.Fatal(err)
		}
		wdb := wc.Database(name, motor.WithWriteConcern(writeconcern.Majority()))
		if err := wdb.Drop(ctx); err != nil {
			t.Fatal(err)
		}
		if err := wc.Database(name).Drop(ctx); err != nil {
			t.Fatal(err)
		}
		w := func(v any) bson.E { return bson.E{Key: "writeConcern", Value: bson.D{{Key: "w", Value: v}}} }
		drop := bson.E{Key: "dropDatabase", Value: int32(1)}
		diff(t, "commands", []bson.D{
			withDB(name, bson.D{drop, w(int32(1))}),   // the client's
			withDB(name, bson.D{drop, w("majority")}), // the database's
			withDB(name, bson.D{drop, w(int32(1))}),   // the database's, inherited from the client
		}, rec.Commands())
	})

	t.Run("bad input, before I/O", func(t *testing.T) {
		rec.Reset()
		var nilCtx context.Context
		if err := c.DropDatabase(ctx, "a.b"); !errors.Is(err, motor.ErrInvalidName) {
			t.Errorf("DropDatabase(a.b) = %v", err)
		}
		for what, err := range map[string]error{
			"ListDatabaseNames": func() error { _, err := c.ListDatabaseNames(nilCtx, nil); return err }(),
			"ListDatabases":     func() error { _, err := c.ListDatabases(nilCtx, nil); return err }(),
			"ListDatabases bad": func() error { _, err := c.ListDatabases(ctx, &motor.ListDatabasesOptions{Filter: 1}); return err }(),
			"ServerInfo":        func() error { _, err := c.ServerInfo(nilCtx); return err }(),
			"DropDatabase":      c.DropDatabase(nilCtx, name),
			"Drop":              db.Drop(nilCtx),
		} {
			if !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("%s: %v", what, err)
			}
		}
		if err := db.Drop(nilCtx); err == nil || err.Error() != "motor: drop database "+name+": nil context" {
			t.Errorf("Drop(nil) = %v", err)
		}
		if names := rec.Names(); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

func TestDefaultDatabase(t *testing.T) {
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/shop?readPreference=secondary")
	if err != nil {
		t.Fatal(err)
	}
	db, err := c.DefaultDatabase()
	if err != nil || db.Name() != "shop" || db.ReadPreference().Mode() != readpref.SecondaryMode {
		t.Errorf("DefaultDatabase() = %v, %v", db, err)
	}
	db, err = c.DefaultDatabase(motor.WithReadPreference(readpref.Nearest()))
	if err != nil || db.Name() != "shop" || db.ReadPreference().Mode() != readpref.NearestMode {
		t.Errorf("DefaultDatabase(nearest) = %v, %v", db, err)
	}

	for uri, want := range map[string]string{
		"mongodb://127.0.0.1:1/":      "motor: default database: the connection string names no database (mongodb://host/DATABASE)",
		"mongodb://127.0.0.1:1/?w=1":  "motor: default database: the connection string names no database (mongodb://host/DATABASE)",
		"mongodb://127.0.0.1:1/a%20b": `motor: invalid database name "a b": must not contain the character ' '`,
	} {
		c, err := connectOffline(t, uri)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.DefaultDatabase(); err == nil || err.Error() != want {
			t.Errorf("%s: DefaultDatabase() = %v, want %q", uri, err, want)
		}
	}

	nc := wrapDriverClient(t, "mongodb://127.0.0.1:1/shop")
	if _, err := nc.DefaultDatabase(); !errors.Is(err, motor.ErrInvalidOption) || !strings.Contains(err.Error(), "NewClient") {
		t.Errorf("NewClient: DefaultDatabase() = %v", err)
	}
}

// TestClientAdminFake checks what FerretDB cannot show: retries, odd replies and write concern errors.
func TestClientAdminFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	c := fakeClient(t, f)
	var reply atomic.Pointer[bson.D]
	f.Handle("listDatabases", func(bson.D) bson.D { return *reply.Load() })
	set := func(d bson.D) { reply.Store(&d) }
	dbs := bson.A{bson.D{{Key: "name", Value: "b"}, {Key: "sizeOnDisk", Value: int64(1)}}, bson.D{{Key: "name", Value: "a"}}}

	t.Run("server order", func(t *testing.T) {
		set(motortest.OK(bson.E{Key: "databases", Value: dbs}, bson.E{Key: "totalSize", Value: int64(1)}))
		names, err := c.ListDatabaseNames(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "names", []string{"b", "a"}, names)
	})

	for _, tc := range []struct {
		desc  string
		reply bson.D
		want  string
	}{
		{"no databases", motortest.OK(), "motor: list databases: the listDatabases reply has no databases array"},
		{"not a document", motortest.OK(bson.E{Key: "databases", Value: bson.A{"a"}}),
			"motor: list databases: the listDatabases reply holds a database that is not a document"},
		{"no name", motortest.OK(bson.E{Key: "databases", Value: bson.A{bson.D{{Key: "sizeOnDisk", Value: 1}}}}),
			"motor: list databases: a listDatabases document has no string name"},
		{"server error", motortest.CommandError(13, "Unauthorized", "not authorized on admin"),
			"motor: list databases: (Unauthorized) not authorized on admin"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			set(tc.reply)
			_, err := c.ListDatabaseNames(ctx, nil)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}

	t.Run("retried once after a retryable error", func(t *testing.T) {
		var calls atomic.Int32
		f.Handle("listDatabases", func(bson.D) bson.D {
			if calls.Add(1) == 1 {
				return motortest.CommandError(91, "ShutdownInProgress", "shutting down")
			}
			return motortest.OK(bson.E{Key: "databases", Value: dbs})
		})
		f.Reset()
		cur, err := c.ListDatabases(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.D
		if err := cur.All(ctx, &docs); err != nil || len(docs) != 2 {
			t.Fatalf("ListDatabases = %v, %v", docs, err)
		}
		if n := len(fakeCommands(f, "listDatabases")); n != 2 {
			t.Errorf("sent %d listDatabases, want 2", n)
		}
	})

	t.Run("dropDatabase with a writeConcernError", func(t *testing.T) {
		f.Handle("dropDatabase", func(bson.D) bson.D {
			return motortest.OK(bson.E{Key: "writeConcernError", Value: bson.D{
				{Key: "code", Value: int32(64)}, {Key: "codeName", Value: "WriteConcernFailed"}, {Key: "errmsg", Value: "waiting for replication timed out"},
			}})
		})
		err := c.DropDatabase(ctx, "app")
		var we mongo.WriteException
		if !errors.As(err, &we) || we.WriteConcernError == nil || !strings.HasPrefix(err.Error(), "motor: drop database app: ") {
			t.Errorf("error = %v", err)
		}
	})
}
