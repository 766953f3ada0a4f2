package motor_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// authUsers returns the users that the connection status of db's client reports, as "user@db".
func authUsers(t testing.TB, db *motor.Database) []string {
	t.Helper()
	raw, err := motor.Exec(t.Context(), db, "connectionStatus", bson.D{{Key: "connectionStatus", Value: 1}})
	if err != nil {
		t.Fatalf("connectionStatus: %v", err)
	}
	var reply struct {
		AuthInfo struct {
			Users []struct{ User, DB string } `bson:"authenticatedUsers"`
		} `bson:"authInfo"`
	}
	if err := bson.Unmarshal(raw, &reply); err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, u := range reply.AuthInfo.Users {
		out = append(out, u.User+"@"+u.DB)
	}
	return out
}

// authNoSecret fails the test if s shows the sentinel password.
func authNoSecret(t testing.TB, what, s string) {
	t.Helper()
	if strings.Contains(s, authSentinel) {
		t.Errorf("%s shows the password: %s", what, s)
	}
}

// authNoSecretErr checks err and everything it wraps.
func authNoSecretErr(t testing.TB, what string, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		authNoSecret(t, what, e.Error())
		authNoSecret(t, what, fmt.Sprintf("%+v %#v", e, e))
	}
}

func TestAuthCredential(t *testing.T) {
	props := map[string]string{"SERVICE_NAME": "mongo"}
	tests := []struct {
		name     string
		user, pw string
		opts     *motor.AuthenticateOptions
		want     options.Credential
		wantErr  string
	}{
		{name: "default", user: "u", pw: "p",
			want: options.Credential{AuthSource: "db", Username: "u", Password: "p", PasswordSet: true}},
		{name: "explicit DEFAULT and source", user: "u", pw: "p", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthDefault, Source: "admin"},
			want: options.Credential{AuthSource: "admin", Username: "u", Password: "p", PasswordSet: true}},
		{name: "SCRAM-SHA-256", user: "u", pw: "p", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthSCRAMSHA256},
			want: options.Credential{AuthMechanism: "SCRAM-SHA-256", AuthSource: "db", Username: "u", Password: "p", PasswordSet: true}},
		{name: "SCRAM-SHA-1", user: "u", pw: "p", opts: &motor.AuthenticateOptions{Mechanism: "SCRAM-SHA-1"},
			want: options.Credential{AuthMechanism: "SCRAM-SHA-1", AuthSource: "db", Username: "u", Password: "p", PasswordSet: true}},
		{name: "PLAIN", user: "u", pw: "p", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthPLAIN, Source: "$external"},
			want: options.Credential{AuthMechanism: "PLAIN", AuthSource: "$external", Username: "u", Password: "p", PasswordSet: true}},
		{name: "X509 without name", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthX509},
			want: options.Credential{AuthMechanism: "MONGODB-X509", AuthSource: "$external"}},
		{name: "X509 with subject", user: "CN=client", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthX509, Source: "$external"},
			want: options.Credential{AuthMechanism: "MONGODB-X509", AuthSource: "$external", Username: "CN=client"}},
		{name: "GSSAPI with properties", user: "u@EXAMPLE.COM", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthGSSAPI, MechanismProperties: props},
			want: options.Credential{AuthMechanism: "GSSAPI", AuthSource: "$external", Username: "u@EXAMPLE.COM",
				AuthMechanismProperties: props}},
		{name: "GSSAPI properties from Extra string", user: "u", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthGSSAPI,
			Extra: bson.D{{Key: "authmechanismproperties", Value: "SERVICE_NAME:mongo,CANONICALIZE_HOST_NAME:true"}}},
			want: options.Credential{AuthMechanism: "GSSAPI", AuthSource: "$external", Username: "u",
				AuthMechanismProperties: map[string]string{"SERVICE_NAME": "mongo", "CANONICALIZE_HOST_NAME": "true"}}},
		{name: "AWS properties from Extra document", user: "AKID", pw: "secret", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthAWS,
			Extra: bson.D{{Key: "authMechanismProperties", Value: bson.D{{Key: "AWS_SESSION_TOKEN", Value: "tok"}}}}},
			want: options.Credential{AuthMechanism: "MONGODB-AWS", AuthSource: "$external", Username: "AKID", Password: "secret",
				PasswordSet: true, AuthMechanismProperties: map[string]string{"AWS_SESSION_TOKEN": "tok"}}},
		{name: "AWS from the environment", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthAWS},
			want: options.Credential{AuthMechanism: "MONGODB-AWS", AuthSource: "$external"}},

		{name: "MONGODB-CR", user: "u", pw: "p", opts: &motor.AuthenticateOptions{Mechanism: "MONGODB-CR"},
			wantErr: "motor: authenticate: the MONGODB-CR mechanism was removed in MongoDB 4.0; use DEFAULT, SCRAM-SHA-1 or SCRAM-SHA-256"},
		{name: "unknown mechanism", user: "u", pw: "p", opts: &motor.AuthenticateOptions{Mechanism: "scram-sha-1"},
			wantErr: `motor: authenticate: mechanism must be one of DEFAULT, SCRAM-SHA-1, SCRAM-SHA-256, PLAIN, MONGODB-X509, GSSAPI, MONGODB-AWS, not "scram-sha-1"`},
		{name: "CRAM-MD5", user: "u", pw: "p", opts: &motor.AuthenticateOptions{Mechanism: "CRAM-MD5"}, wantErr: `not "CRAM-MD5"`},
		{name: "no name", pw: "p", wantErr: "motor: authenticate: DEFAULT requires a user name"},
		{name: "no password", user: "u", wantErr: "motor: authenticate: DEFAULT requires a password"},
		{name: "SCRAM no password", user: "u", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthSCRAMSHA1}, wantErr: "SCRAM-SHA-1 requires a password"},
		{name: "PLAIN no name", pw: "p", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthPLAIN}, wantErr: "PLAIN requires a user name"},
		{name: "X509 password", user: "u", pw: "p", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthX509}, wantErr: "MONGODB-X509 takes no password"},
		{name: "X509 source", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthX509, Source: "admin"},
			wantErr: `motor: authenticate: the source of MONGODB-X509 must be "$external", not "admin"`},
		{name: "GSSAPI no name", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthGSSAPI}, wantErr: "GSSAPI requires a user name"},
		{name: "AWS half", user: "AKID", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthAWS}, wantErr: "or neither"},
		{name: "unknown Extra", user: "u", pw: "p", opts: &motor.AuthenticateOptions{Extra: bson.D{{Key: "bogusOption", Value: 1}}},
			wantErr: `motor: authenticate: unknown authentication option "bogusOption" in Extra`},
		{name: "Extra duplicates MechanismProperties", user: "u", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthGSSAPI, MechanismProperties: props,
			Extra: bson.D{{Key: "authmechanismproperties", Value: "SERVICE_NAME:x"}}}, wantErr: "duplicates MechanismProperties"},
		{name: "Extra twice", user: "u", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthGSSAPI, Extra: bson.D{
			{Key: "authmechanismproperties", Value: "SERVICE_NAME:x"}, {Key: "authMechanismProperties", Value: "SERVICE_NAME:y"}}},
			wantErr: "appears twice"},
		{name: "bad properties string", user: "u", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthGSSAPI,
			Extra: bson.D{{Key: "authmechanismproperties", Value: "SERVICE_NAME"}}}, wantErr: `"KEY:VALUE,KEY:VALUE"`},
		{name: "properties for SCRAM", user: "u", pw: "p", opts: &motor.AuthenticateOptions{MechanismProperties: props},
			wantErr: "the DEFAULT mechanism takes no mechanism properties"},
		{name: "unknown property", user: "u", opts: &motor.AuthenticateOptions{Mechanism: motor.AuthGSSAPI,
			MechanismProperties: map[string]string{"NOPE": "1"}}, wantErr: `unknown GSSAPI mechanism property "NOPE"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := motor.AuthCredential("db", tt.user, tt.pw, tt.opts)
			if wantInvalidOption(t, err, tt.wantErr) {
				return
			}
			diff(t, "credential", tt.want, got)
		})
	}
}

func TestAuthMechanismString(t *testing.T) {
	diff(t, "names", []string{"DEFAULT", "DEFAULT", "SCRAM-SHA-256"},
		[]string{motor.AuthMechanism("").String(), motor.AuthDefault.String(), motor.AuthSCRAMSHA256.String()})
}

// TestAuthenticate authenticates for real (SCRAM) against FerretDB with authentication on.
func TestAuthenticate(t *testing.T) {
	srv := authServer(t)
	ctx := t.Context()
	root := authRoot(t, srv)
	rootDB := root.Database("authdb")
	empty := &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}
	if err := rootDB.AddUser(ctx, "alice", authSentinel, empty); err != nil {
		t.Fatalf("AddUser alice: %v", err)
	}
	if err := rootDB.AddUser(ctx, "bob", "bob-pw", empty); err != nil {
		t.Fatalf("AddUser bob: %v", err)
	}
	if _, err := rootDB.Collection("c").InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}, bson.D{{Key: "_id", Value: 3}}}, nil); err != nil {
		t.Fatal(err)
	}

	rec := motortest.NewRecorder()
	c := authClient(t, srv, options.Client().SetMonitor(rec.Monitor()))
	db := c.Database("authdb")
	coll := db.Collection("c")
	unauthorized := func(what string) {
		t.Helper()
		err := coll.FindOne(ctx, bson.D{}, nil).Err()
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 13 {
			t.Errorf("%s: FindOne error = %v, want Unauthorized (13)", what, err)
		}
	}
	unauthorized("before Authenticate")
	diff(t, "users before", []string{}, authUsers(t, db))
	first := c.Mongo()

	// A wrong password fails clearly and leaves the client as it was.
	err := db.Authenticate(ctx, "alice", "wrong-password", nil)
	if err == nil || !strings.Contains(err.Error(), "AuthenticationFailed") ||
		!strings.HasPrefix(err.Error(), `motor: authenticate as "alice" on "authdb" with DEFAULT: `) {
		t.Fatalf("wrong password: %v", err)
	}
	if c.Mongo() != first {
		t.Error("a failed Authenticate replaced the driver client")
	}
	unauthorized("after a failed Authenticate")

	// An open cursor of the old driver client.
	cur, err := root.Database("authdb").Collection("c").Find(ctx, bson.D{}, &motor.FindOptions{BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(ctx)

	// The right password works, and every handle of the client, made before or after, uses it.
	if err := db.Authenticate(ctx, "alice", authSentinel, nil); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	second := c.Mongo()
	if second == first {
		t.Error("Authenticate kept the driver client")
	}
	diff(t, "users after Authenticate", []string{"alice@authdb"}, authUsers(t, db))
	var got bson.D
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: 2}}, nil).Decode(&got); err != nil {
		t.Fatalf("FindOne after Authenticate: %v", err)
	}
	diff(t, "document", bson.D{{Key: "_id", Value: int32(2)}}, got)
	other := c.Database("authdb").Collection("c")
	if n, err := other.CountDocuments(ctx, bson.D{}, nil); err != nil || n != 3 {
		t.Errorf("CountDocuments on a new handle = %d, %v", n, err)
	}
	// The old client was closed: its operations report a disconnected client.
	if err := first.Ping(ctx, nil); !errors.Is(err, mongo.ErrClientDisconnected) {
		t.Errorf("old driver client Ping = %v, want mongo.ErrClientDisconnected", err)
	}

	// The same credentials again: nothing happens, no I/O.
	rec.Reset()
	if err := db.Authenticate(ctx, "alice", authSentinel, nil); err != nil {
		t.Errorf("same credentials again: %v", err)
	}
	if c.Mongo() != second || len(rec.Names()) != 0 {
		t.Errorf("same credentials again swapped the client or sent %v", rec.Names())
	}
	// Other credentials, on this database or another: an error, no I/O.
	err = db.Authenticate(ctx, "bob", "bob-pw", nil)
	if !errors.Is(err, motor.ErrAlreadyAuthenticated) || err.Error() !=
		`motor: another user is already authenticated to database "authdb"; call Logout first` {
		t.Errorf("other user: %v", err)
	}
	err = c.Database("otherdb").Authenticate(ctx, "bob", "bob-pw", &motor.AuthenticateOptions{Source: "authdb"})
	if !errors.Is(err, motor.ErrAlreadyAuthenticated) || !strings.Contains(err.Error(), `call Logout on "authdb" first`) {
		t.Errorf("other database: %v", err)
	}
	if len(rec.Names()) != 0 {
		t.Errorf("refused Authenticate calls sent %v", rec.Names())
	}
	// Logout on another database does nothing.
	if err := c.Database("otherdb").Logout(ctx); err != nil || c.Mongo() != second {
		t.Errorf("Logout on another database: %v (swapped: %v)", err, c.Mongo() != second)
	}

	// Logout returns to unauthenticated; a second Logout does nothing.
	if err := db.Logout(ctx); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if c.Mongo() == second {
		t.Error("Logout kept the driver client")
	}
	unauthorized("after Logout")
	diff(t, "users after Logout", []string{}, authUsers(t, db))
	if err := db.Logout(ctx); err != nil {
		t.Errorf("second Logout: %v", err)
	}

	// Explicit mechanisms and a source: bob authenticates on another database against authdb.
	for _, mech := range []motor.AuthMechanism{motor.AuthSCRAMSHA1, motor.AuthSCRAMSHA256} {
		odb := c.Database("otherdb")
		if err := odb.Authenticate(ctx, "bob", "bob-pw", &motor.AuthenticateOptions{Source: "authdb", Mechanism: mech}); err != nil {
			t.Fatalf("%s: %v", mech, err)
		}
		diff(t, "users with "+mech.String(), []string{"bob@authdb"}, authUsers(t, odb))
		if err := odb.Logout(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// The cursor of the root client is unaffected (another client); a cursor of c is invalidated by a swap.
	if err := db.Authenticate(ctx, "alice", authSentinel, nil); err != nil {
		t.Fatal(err)
	}
	mine, err := coll.Find(ctx, bson.D{}, &motor.FindOptions{BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close(ctx)
	if !mine.Next(ctx) {
		t.Fatalf("first batch: %v", mine.Err())
	}
	if err := db.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	n := 0
	for mine.Next(ctx) {
		n++
	}
	if mine.Err() == nil {
		t.Errorf("a cursor opened before Logout read %d more documents without error", n)
	}
	n = 0
	for cur.Next(ctx) {
		n++
	}
	if cur.Err() != nil || n != 3 {
		t.Errorf("root's cursor: %d documents, %v", n, cur.Err())
	}
}

// TestAuthenticateConcurrent swaps the driver client while other goroutines run operations: each operation runs on
// one driver client or the next, never on a closed one.
func TestAuthenticateConcurrent(t *testing.T) {
	srv := authServer(t)
	ctx := t.Context()
	rootDB := authRoot(t, srv).Database("authdb")
	if err := rootDB.AddUser(ctx, "alice", "alice-pw", &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}); err != nil {
		t.Fatal(err)
	}
	c := authClient(t, srv, nil)
	db := c.Database("authdb")
	coll := db.Collection("c")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := coll.FindOne(ctx, bson.D{}, nil).Err()
				var ce mongo.CommandError
				if err != nil && !errors.Is(err, mongo.ErrNoDocuments) && !(errors.As(err, &ce) && ce.Code == 13) {
					errs <- err
					return
				}
			}
		})
	}
	for range 5 {
		if err := db.Authenticate(ctx, "alice", "alice-pw", nil); err != nil {
			t.Fatal(err)
		}
		if err := db.Logout(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("operation during swaps: %v", err)
	}
}

// TestAuthenticateReplacesClientCredentials: a client made with credentials runs as the user given to Authenticate
// until Logout, which puts the client's own credentials back.
func TestAuthenticateReplacesClientCredentials(t *testing.T) {
	srv := authServer(t)
	ctx := t.Context()
	c := authRoot(t, srv)
	db := c.Database("authdb")
	if err := db.AddUser(ctx, "alice", "alice-pw", &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}); err != nil {
		t.Fatal(err)
	}
	diff(t, "users before", []string{"root@admin"}, authUsers(t, db))
	if err := db.Authenticate(ctx, "alice", "alice-pw", nil); err != nil {
		t.Fatal(err)
	}
	diff(t, "users after Authenticate", []string{"alice@authdb"}, authUsers(t, db))
	if err := db.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "users after Logout", []string{"root@admin"}, authUsers(t, db))
}

func TestAuthenticateErrors(t *testing.T) {
	ctx := t.Context()

	// Validation comes before anything else.
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database("db")
	if err := db.Authenticate(ctx, "u", "p", &motor.AuthenticateOptions{Mechanism: "MONGODB-CR"}); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("MONGODB-CR: %v", err)
	}
	if err := db.Authenticate(nil, "u", "p", nil); !errors.Is(err, motor.ErrInvalidOption) { //nolint:staticcheck // the nil-context check
		t.Errorf("nil ctx: %v", err)
	}
	if err := db.Logout(nil); !errors.Is(err, motor.ErrInvalidOption) { //nolint:staticcheck // the nil-context check
		t.Errorf("nil ctx: %v", err)
	}
	// Logout without Authenticate does nothing.
	if err := db.Logout(ctx); err != nil {
		t.Errorf("Logout: %v", err)
	}

	// A client made by NewClient cannot rebuild its driver client.
	mc, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/"))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := motor.NewClient(mc)
	if err != nil {
		t.Fatal(err)
	}
	err = nc.Database("db").Authenticate(ctx, "u", "p", nil)
	if !errors.Is(err, motor.ErrInvalidOption) || !strings.Contains(err.Error(), "NewClient") {
		t.Errorf("NewClient: %v", err)
	}
	_ = nc.Disconnect(ctx)

	// After Disconnect.
	if err := c.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Authenticate(ctx, "u", "p", nil); !errors.Is(err, motor.ErrClientDisconnected) {
		t.Errorf("after Disconnect: %v", err)
	}
	if err := db.Logout(ctx); !errors.Is(err, motor.ErrClientDisconnected) {
		t.Errorf("Logout after Disconnect: %v", err)
	}
}

// logSink records the driver's log lines.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (s *logSink) Info(level int, msg string, kv ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, fmt.Sprint(level, msg, kv))
}

func (s *logSink) Error(err error, msg string, kv ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, fmt.Sprint(err, msg, kv))
}

// TestAuthPasswordNeverShown runs AddUser and Authenticate through their success and failure paths with a sentinel
// password, and checks every error, String() and log line.
func TestAuthPasswordNeverShown(t *testing.T) {
	srv := authServer(t)
	ctx := t.Context()
	sink := &logSink{}
	logged := func() *options.ClientOptions {
		return options.Client().SetLoggerOptions(options.Logger().SetSink(sink).
			SetComponentLevel(options.LogComponentAll, options.LogLevelDebug))
	}
	root := authClient(t, srv, logged().SetAuth(options.Credential{Username: authRootUser, Password: authRootPassword, AuthSource: "admin"}))
	rootDB := root.Database("authdb")
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	// AddUser: argument errors, a server error (FerretDB refuses non-empty roles), success, update.
	check(rootDB.AddUser(ctx, "sam", authSentinel, &motor.AddUserOptions{Extra: bson.D{{Key: "digestPassword", Value: true}}}))
	check(rootDB.AddUser(ctx, "sam", authSentinel, &motor.AddUserOptions{ReadOnly: true, Extra: bson.D{{Key: "roles", Value: bson.A{}}}}))
	check(rootDB.AddUser(ctx, "sam", authSentinel, &motor.AddUserOptions{Extra: bson.D{{Key: "pwd", Value: authSentinel}}}))
	if err := rootDB.AddUser(ctx, "sam", authSentinel, nil); err == nil {
		t.Error("AddUser with the default dbOwner role succeeded on FerretDB")
	} else {
		check(err)
	}
	if err := rootDB.AddUser(ctx, "sam", authSentinel, &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}); err != nil {
		t.Fatal(err)
	}
	if err := rootDB.AddUser(ctx, "sam", authSentinel, nil); err != nil { // updateUser
		t.Fatal(err)
	}
	if len(errs) != 4 {
		t.Errorf("AddUser errors: %v", errs)
	}

	// Authenticate: the sentinel as a wrong password, as a right one, argument errors, the cache.
	c := authClient(t, srv, logged())
	db := c.Database("authdb")
	err := db.Authenticate(ctx, authRootUser, authSentinel, &motor.AuthenticateOptions{Source: "admin"})
	if err == nil {
		t.Fatal("wrong password accepted")
	}
	check(err)
	check(db.Authenticate(ctx, "sam", authSentinel, &motor.AuthenticateOptions{Mechanism: motor.AuthX509}))
	check(db.Authenticate(ctx, "sam", authSentinel, &motor.AuthenticateOptions{Mechanism: "MONGODB-CR"}))
	check(db.Authenticate(ctx, "sam", authSentinel, &motor.AuthenticateOptions{Extra: bson.D{{Key: "x", Value: authSentinel}}}))
	if err := db.Authenticate(ctx, "sam", authSentinel, nil); err != nil {
		t.Fatal(err)
	}
	check(db.Authenticate(ctx, "sam", authSentinel+"x", nil))
	check(c.Database("other").Authenticate(ctx, "sam", authSentinel, &motor.AuthenticateOptions{Source: "authdb"}))
	if err := db.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	check(rootDB.RemoveUser(ctx, "nobody"))
	if err := rootDB.RemoveUser(ctx, "sam"); err != nil {
		t.Fatal(err)
	}

	if len(errs) < 10 {
		t.Errorf("only %d errors checked", len(errs))
	}
	for _, err := range errs {
		t.Log(err)
		authNoSecretErr(t, "error", err)
	}
	for _, v := range []any{c, db, root, rootDB, db.Collection("c")} {
		authNoSecret(t, "String", fmt.Sprintf("%v %+v %s", v, v, v))
		authNoSecret(t, "GoString", fmt.Sprintf("%#v", v))
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.lines) == 0 {
		t.Error("the driver logged nothing; the log check checks nothing")
	}
	for _, l := range sink.lines {
		authNoSecret(t, "log line", l)
	}
}

func TestScrubError(t *testing.T) {
	inner := mongo.CommandError{Code: 18, Name: "AuthenticationFailed", Message: "bad password " + authSentinel}
	err := motor.ScrubError(inner, []string{authSentinel}, "authenticate as %q", "u")
	diff(t, "message", `motor: authenticate as "u": (AuthenticationFailed) bad password xxxxx`, err.Error())
	if errors.Unwrap(err) != nil {
		t.Error("a scrubbed error still unwraps to the secret")
	}
	plain := mongo.CommandError{Code: 18, Message: "Authentication failed."}
	err = motor.ScrubError(plain, []string{authSentinel}, "authenticate")
	var ce mongo.CommandError
	if !errors.As(err, &ce) || ce.Code != 18 {
		t.Errorf("clean error lost its chain: %v", err)
	}
}
