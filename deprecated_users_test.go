package motor_test

import (
	"errors"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestAddUserCmd(t *testing.T) {
	roles := bson.E{Key: "roles", Value: bson.A{"readWrite"}}
	custom := bson.E{Key: "customData", Value: bson.D{{Key: "k", Value: 1}}}
	tests := []struct {
		name    string
		db      string
		pw      string
		create  bool
		wc      *writeconcern.WriteConcern
		opts    *motor.AddUserOptions
		want    bson.D
		wantErr string
	}{
		{name: "create, default role", db: "app", pw: "pw", create: true,
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "roles", Value: bson.A{"dbOwner"}}, {Key: "pwd", Value: "pw"}}},
		{name: "create on admin", db: "admin", pw: "pw", create: true,
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "roles", Value: bson.A{"root"}}, {Key: "pwd", Value: "pw"}}},
		{name: "create read-only", db: "app", pw: "pw", create: true, opts: &motor.AddUserOptions{ReadOnly: true},
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "roles", Value: bson.A{"read"}}, {Key: "pwd", Value: "pw"}}},
		{name: "create read-only on admin", db: "admin", pw: "pw", create: true, opts: &motor.AddUserOptions{ReadOnly: true},
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "roles", Value: bson.A{"readAnyDatabase"}}, {Key: "pwd", Value: "pw"}}},
		{name: "create with roles: after pwd, in call order", db: "app", pw: "pw", create: true, opts: &motor.AddUserOptions{Extra: bson.D{roles}},
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "pwd", Value: "pw"}, roles}},
		{name: "create with customData", db: "app", pw: "pw", create: true, opts: &motor.AddUserOptions{Extra: bson.D{custom}},
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "roles", Value: bson.A{"dbOwner"}}, {Key: "pwd", Value: "pw"}, custom}},
		{name: "create without password", db: "$external", create: true, opts: &motor.AddUserOptions{Extra: bson.D{roles}},
			want: bson.D{{Key: "createUser", Value: "u"}, roles}},
		{name: "update", db: "app", pw: "pw2",
			want: bson.D{{Key: "updateUser", Value: "u"}, {Key: "pwd", Value: "pw2"}}},
		{name: "update read-only", db: "app", pw: "pw", opts: &motor.AddUserOptions{ReadOnly: true},
			want: bson.D{{Key: "updateUser", Value: "u"}, {Key: "roles", Value: bson.A{"read"}}, {Key: "pwd", Value: "pw"}}},
		{name: "update roles only", db: "app", opts: &motor.AddUserOptions{Extra: bson.D{roles}},
			want: bson.D{{Key: "updateUser", Value: "u"}, roles}},
		{name: "write concern w=1", db: "app", pw: "pw", wc: writeconcern.W1(),
			want: bson.D{{Key: "updateUser", Value: "u"}, {Key: "pwd", Value: "pw"}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}}}},
		{name: "write concern majority journaled", db: "app", pw: "pw", create: true,
			wc:   &writeconcern.WriteConcern{W: "majority", Journal: boolPtr(true)},
			opts: &motor.AddUserOptions{Extra: bson.D{custom}},
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "roles", Value: bson.A{"dbOwner"}}, {Key: "pwd", Value: "pw"},
				{Key: "writeConcern", Value: bson.D{{Key: "j", Value: true}, {Key: "w", Value: "majority"}}}, custom}},
		{name: "unacknowledged write concern is not sent", db: "app", pw: "pw", wc: writeconcern.Unacknowledged(),
			want: bson.D{{Key: "updateUser", Value: "u"}, {Key: "pwd", Value: "pw"}}},
		{name: "empty write concern is not sent", db: "app", pw: "pw", wc: &writeconcern.WriteConcern{},
			opts: &motor.AddUserOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{{Key: "w", Value: 2}}}}},
			want: bson.D{{Key: "updateUser", Value: "u"}, {Key: "pwd", Value: "pw"}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: 2}}}}},
		{name: "digestPassword without password", db: "app", opts: &motor.AddUserOptions{Extra: bson.D{{Key: "digestPassword", Value: false}}},
			want: bson.D{{Key: "updateUser", Value: "u"}, {Key: "digestPassword", Value: false}}},

		{name: "empty name", wantErr: "motor: add user: the user name must not be empty"},
		{name: "read-only with roles", pw: "pw", opts: &motor.AddUserOptions{ReadOnly: true, Extra: bson.D{roles}},
			wantErr: `motor: add user: cannot use ReadOnly and "roles" together`},
		{name: "digestPassword", pw: "pw", opts: &motor.AddUserOptions{Extra: bson.D{{Key: "digestPassword", Value: true}}},
			wantErr: "digestPassword option is not supported by AddUser"},
		{name: "pwd in Extra", opts: &motor.AddUserOptions{Extra: bson.D{{Key: "pwd", Value: "x"}}}, wantErr: `Extra must not set "pwd"`},
		{name: "verb in Extra", opts: &motor.AddUserOptions{Extra: bson.D{{Key: "createUser", Value: "x"}}}, wantErr: `Extra must not set "createUser"`},
		{name: "write concern twice", wc: writeconcern.Majority(),
			opts: &motor.AddUserOptions{Extra: bson.D{{Key: "writeConcern", Value: bson.D{}}}}, wantErr: "duplicates the database's write concern"},
		{name: "key twice", opts: &motor.AddUserOptions{Extra: bson.D{custom, custom}}, wantErr: `"customData" appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "u"
			if tt.name == "empty name" {
				name = ""
			}
			got, err := motor.AddUserCmd(tt.db, name, tt.pw, tt.create, tt.wc, tt.opts)
			if wantInvalidOption(t, err, tt.wantErr) {
				return
			}
			diff(t, "command", tt.want, got)
		})
	}
}

func TestRemoveUserCmd(t *testing.T) {
	tests := []struct {
		name    string
		user    string
		wc      *writeconcern.WriteConcern
		want    bson.D
		wantErr bool
	}{
		{name: "plain", user: "u", want: bson.D{{Key: "dropUser", Value: "u"}}},
		{name: "w=1", user: "u", wc: writeconcern.W1(),
			want: bson.D{{Key: "dropUser", Value: "u"}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}}}},
		{name: "w=0", user: "u", wc: writeconcern.Unacknowledged(), want: bson.D{{Key: "dropUser", Value: "u"}}},
		{name: "empty name", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := motor.RemoveUserCmd(tt.user, tt.wc)
			if tt.wantErr != (err != nil) || (err != nil && !errors.Is(err, motor.ErrInvalidOption)) {
				t.Fatalf("error = %v", err)
			}
			diff(t, "command", tt.want, got)
		})
	}
}

// TestAddUserFake checks AddUser's commands against MongoDB-shaped replies, which FerretDB cannot give (it has only
// empty roles), and reads the documents as they arrive on the wire (the driver's monitor redacts user commands).
func TestAddUserFake(t *testing.T) {
	existing := motortest.OK(bson.E{Key: "users", Value: bson.A{bson.D{
		{Key: "_id", Value: "app.u"}, {Key: "user", Value: "u"}, {Key: "db", Value: "app"},
		{Key: "roles", Value: bson.A{bson.D{{Key: "role", Value: "dbOwner"}, {Key: "db", Value: "app"}}}},
		{Key: "mechanisms", Value: bson.A{"SCRAM-SHA-1", "SCRAM-SHA-256"}},
	}}})
	none := motortest.OK(bson.E{Key: "users", Value: bson.A{}})
	unauthorized := motortest.CommandError(13, "Unauthorized", "command usersInfo requires authentication")
	tests := []struct {
		name      string
		db        string
		opts      []motor.Option
		usersInfo bson.D
		addOpts   *motor.AddUserOptions
		want      bson.D // the second command; nil when none is sent
		wantErr   string
	}{
		{name: "new user", db: "app", usersInfo: none,
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "roles", Value: bson.A{"dbOwner"}}, {Key: "pwd", Value: "pw"}, {Key: "$db", Value: "app"}}},
		{name: "new user on admin", db: "admin", usersInfo: none,
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "roles", Value: bson.A{"root"}}, {Key: "pwd", Value: "pw"}, {Key: "$db", Value: "admin"}}},
		{name: "new user with roles and customData", db: "app", usersInfo: none,
			addOpts: &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{bson.D{{Key: "role", Value: "read"}, {Key: "db", Value: "other"}}}},
				{Key: "customData", Value: bson.D{{Key: "team", Value: "ops"}}}, {Key: "mechanisms", Value: bson.A{"SCRAM-SHA-256"}}}},
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "pwd", Value: "pw"},
				{Key: "roles", Value: bson.A{bson.D{{Key: "role", Value: "read"}, {Key: "db", Value: "other"}}}},
				{Key: "customData", Value: bson.D{{Key: "team", Value: "ops"}}}, {Key: "mechanisms", Value: bson.A{"SCRAM-SHA-256"}},
				{Key: "$db", Value: "app"}}},
		{name: "existing user", db: "app", usersInfo: existing,
			want: bson.D{{Key: "updateUser", Value: "u"}, {Key: "pwd", Value: "pw"}, {Key: "$db", Value: "app"}}},
		{name: "existing user, read-only, w=1 database", db: "app", usersInfo: existing,
			opts: []motor.Option{motor.WithWriteConcern(writeconcern.W1())}, addOpts: &motor.AddUserOptions{ReadOnly: true},
			want: bson.D{{Key: "updateUser", Value: "u"}, {Key: "roles", Value: bson.A{"read"}}, {Key: "pwd", Value: "pw"},
				{Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}}, {Key: "$db", Value: "app"}}},
		{name: "localhost exception", db: "admin", usersInfo: unauthorized,
			want: bson.D{{Key: "createUser", Value: "u"}, {Key: "roles", Value: bson.A{"root"}}, {Key: "pwd", Value: "pw"}, {Key: "$db", Value: "admin"}}},
		{name: "usersInfo fails", db: "app", usersInfo: motortest.CommandError(59, "CommandNotFound", "no such command: 'usersInfo'"),
			wantErr: `motor: add user "u": usersInfo: (CommandNotFound) no such command: 'usersInfo'`},
		{name: "usersInfo without users", db: "app", usersInfo: motortest.OK(),
			wantErr: `motor: add user "u": the usersInfo reply has no users array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := motortest.NewFake(t)
			f.Handle("usersInfo", func(bson.D) bson.D { return tt.usersInfo })
			f.Handle("createUser", func(bson.D) bson.D { return motortest.OK() })
			f.Handle("updateUser", func(bson.D) bson.D { return motortest.OK() })
			db := fakeDB(t, f, tt.db, tt.opts...)
			err := db.AddUser(t.Context(), "u", "pw", tt.addOpts)
			sent := fakeCommands(f)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("error = %v, want %q", err, tt.wantErr)
				}
				diff(t, "commands", []bson.D{{{Key: "usersInfo", Value: "u"}, {Key: "$db", Value: tt.db}}}, sent)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "commands", []bson.D{{{Key: "usersInfo", Value: "u"}, {Key: "$db", Value: tt.db}}, tt.want}, sent)
		})
	}

	t.Run("server error", func(t *testing.T) {
		f := motortest.NewFake(t)
		f.Handle("usersInfo", func(bson.D) bson.D { return none })
		f.Handle("createUser", func(bson.D) bson.D {
			return motortest.CommandError(51003, "Location51003", "User \"u@app\" already exists")
		})
		err := fakeDB(t, f, "app").AddUser(t.Context(), "u", "pw", nil)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 51003 || !strings.HasPrefix(err.Error(), `motor: add user "u": createUser: `) {
			t.Errorf("error = %v", err)
		}
	})

	t.Run("argument errors before I/O", func(t *testing.T) {
		f := motortest.NewFake(t)
		c := fakeClient(t, f)
		err := c.Database("app").AddUser(t.Context(), "u", "pw", &motor.AddUserOptions{Extra: bson.D{{Key: "digestPassword", Value: true}}})
		if !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("error = %v", err)
		}
		//nolint:staticcheck // the nil-context check
		if err := c.Database("app").AddUser(nil, "u", "pw", nil); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("nil ctx: %v", err)
		}
		if sent := fakeCommands(f); len(sent) != 0 {
			t.Errorf("sent %v", sent)
		}
	})
}

func TestRemoveUserFake(t *testing.T) {
	f := motortest.NewFake(t)
	c := fakeClient(t, f)
	var reply bson.D
	f.Handle("dropUser", func(bson.D) bson.D { return reply })
	ctx := t.Context()

	reply = motortest.OK()
	if err := c.Database("app").RemoveUser(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	db := c.Database("app", motor.WithWriteConcern(writeconcern.Majority()))
	if err := db.RemoveUser(ctx, "v"); err != nil {
		t.Fatal(err)
	}
	reply = motortest.CommandError(11, "UserNotFound", "User 'w@app' not found")
	err := db.RemoveUser(ctx, "w")
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 11 || err.Error() != `motor: remove user "w": (UserNotFound) User 'w@app' not found` {
		t.Errorf("error = %v", err)
	}
	if err := db.RemoveUser(ctx, ""); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("empty name: %v", err)
	}
	diff(t, "commands", []bson.D{
		{{Key: "dropUser", Value: "u"}, {Key: "$db", Value: "app"}},
		{{Key: "dropUser", Value: "v"}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}, {Key: "$db", Value: "app"}},
		{{Key: "dropUser", Value: "w"}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}}, {Key: "$db", Value: "app"}},
	}, fakeCommands(f))
}

// TestAddUserFerretDB creates, updates and removes a user on FerretDB with authentication on, and checks each by
// logging in.
func TestAddUserFerretDB(t *testing.T) {
	srv := authServer(t)
	ctx := t.Context()
	rec := motortest.NewRecorder()
	root := authClient(t, srv, options.Client().SetMonitor(rec.Monitor()).SetAuth(options.Credential{
		Username: authRootUser, Password: authRootPassword, AuthSource: "admin",
	}))
	db := root.Database("usersdb")
	empty := bson.E{Key: "roles", Value: bson.A{}}
	login := func(pw string) error {
		t.Helper()
		c := authClient(t, srv, nil)
		return c.Database("usersdb").Authenticate(ctx, "carol", pw, nil)
	}
	usersInfo := func() bson.D {
		t.Helper()
		raw, err := motor.Exec(ctx, db, "usersInfo", bson.D{{Key: "usersInfo", Value: "carol"}})
		if err != nil {
			t.Fatal(err)
		}
		var reply struct {
			Users []bson.D `bson:"users"`
		}
		if err := bson.Unmarshal(raw, &reply); err != nil {
			t.Fatal(err)
		}
		if len(reply.Users) == 0 {
			return nil
		}
		d := reply.Users[0]
		out := bson.D{}
		for _, e := range d {
			if e.Key != "userId" {
				out = append(out, e)
			}
		}
		return out
	}

	// Create: FerretDB takes only empty roles; mechanisms pass through.
	err := db.AddUser(ctx, "carol", "pw-1", &motor.AddUserOptions{Extra: bson.D{empty, {Key: "mechanisms", Value: bson.A{"SCRAM-SHA-256"}}}})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "commands", []string{"usersInfo", "createUser"}, rec.Names())
	diff(t, "user", bson.D{{Key: "_id", Value: "usersdb.carol"}, {Key: "user", Value: "carol"}, {Key: "db", Value: "usersdb"},
		{Key: "roles", Value: bson.A{}}, {Key: "mechanisms", Value: bson.A{"SCRAM-SHA-256"}}}, usersInfo())
	if err := login("pw-1"); err != nil {
		t.Errorf("login with the first password: %v", err)
	}

	// Update the password of the existing user.
	rec.Reset()
	if err := db.AddUser(ctx, "carol", "pw-2", nil); err != nil {
		t.Fatal(err)
	}
	diff(t, "commands", []string{"usersInfo", "updateUser"}, rec.Names())
	if err := login("pw-1"); err == nil {
		t.Error("the old password still works")
	}
	if err := login("pw-2"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}

	// FerretDB's refusal of the default role comes back as its error.
	err = db.AddUser(ctx, "dave", "pw", nil)
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 238 || !strings.HasPrefix(err.Error(), `motor: add user "dave": createUser: (NotImplemented)`) {
		t.Errorf("default role on FerretDB: %v", err)
	}

	// Remove.
	rec.Reset()
	if err := db.RemoveUser(ctx, "carol"); err != nil {
		t.Fatal(err)
	}
	diff(t, "commands", []string{"dropUser"}, rec.Names())
	if u := usersInfo(); u != nil {
		t.Errorf("user after RemoveUser: %v", u)
	}
	if err := login("pw-2"); err == nil {
		t.Error("login after RemoveUser works")
	}
	err = db.RemoveUser(ctx, "carol")
	if !errors.As(err, &ce) || ce.Code != 11 {
		t.Errorf("RemoveUser of a missing user: %v", err)
	}
}
