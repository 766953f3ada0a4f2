package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// exampleAuthServer starts a FerretDB with authentication on, whose admin user is root / rootPassword, and returns a
// client authenticated as root, a client without credentials, and a function that stops everything.
func exampleAuthServer(rootPassword string) (root, anon *motor.Client, stop func()) {
	ctx := context.Background()
	srv, err := startAuthServer(ctx, rootPassword)
	if err != nil {
		log.Fatal(err)
	}
	root, err = motor.Connect(srv.URI(), motor.WithClientOptions(rootCredential(rootPassword)))
	if err != nil {
		log.Fatal(err)
	}
	anon, err = motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	return root, anon, func() {
		_ = anon.Disconnect(ctx)
		_ = root.Disconnect(ctx)
		_ = srv.Close()
	}
}

// firstKeys returns the keys of cmd, without the driver's session and read preference fields.
func firstKeys(cmd bson.D) []string {
	var keys []string
	for _, e := range cmd {
		if e.Key != "lsid" && e.Key != "$readPreference" {
			keys = append(keys, e.Key)
		}
	}
	return keys
}

func ExampleDatabase_AddUser() {
	ctx := context.Background()
	root, _, stop := exampleAuthServer("root-secret")
	defer stop()
	db, _ := root.Database("reports")

	// FerretDB accepts only empty roles; on MongoDB, leave roles out for the default dbOwner, or name your own.
	opts := &motor.AddUserOptions{Extra: bson.D{
		{Key: "roles", Value: bson.A{}},
		{Key: "mechanisms", Value: bson.A{"SCRAM-SHA-256"}},
	}}
	if err := db.AddUser(ctx, "reporter", "first-password", opts); err != nil {
		log.Fatal(err)
	}
	var info struct {
		Users []struct {
			ID         string   `bson:"_id"`
			Mechanisms []string `bson:"mechanisms"`
		} `bson:"users"`
	}
	if err := db.Mongo().RunCommand(ctx, bson.D{{Key: "usersInfo", Value: "reporter"}}).Decode(&info); err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Users[0].ID, info.Users[0].Mechanisms)

	// The user exists now: this changes the password (updateUser).
	fmt.Println(db.AddUser(ctx, "reporter", "second-password", nil))

	// PyMongo's default role is refused by FerretDB, and its error comes back.
	err := db.AddUser(ctx, "viewer", "pw", &motor.AddUserOptions{ReadOnly: true})
	fmt.Println(err)
	// Output:
	// reports.reporter [SCRAM-SHA-256]
	// <nil>
	// motor: add user "viewer": createUser: (NotImplemented) createUser: support for field "roles" with non-default value &{[read] false} is not implemented yet
}

func ExampleDatabase_RemoveUser() {
	ctx := context.Background()
	root, _, stop := exampleAuthServer("root-secret")
	defer stop()
	db, _ := root.Database("reports")
	if err := db.AddUser(ctx, "reporter", "pw", &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}); err != nil {
		log.Fatal(err)
	}

	fmt.Println(db.RemoveUser(ctx, "reporter"))
	err := db.RemoveUser(ctx, "reporter")
	var ce mongo.CommandError
	fmt.Println(errors.As(err, &ce), ce.Code, err)
	// Output:
	// <nil>
	// true 11 motor: remove user "reporter": (UserNotFound) User 'reporter@reports' not found
}

func ExampleDatabase_Authenticate() {
	ctx := context.Background()
	root, anon, stop := exampleAuthServer("root-secret")
	defer stop()
	admin, _ := root.Database("reports")
	if err := admin.AddUser(ctx, "reporter", "reporter-pw", &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}); err != nil {
		log.Fatal(err)
	}

	db, _ := anon.Database("reports")
	sales, _ := db.Collection("sales")
	_, err := sales.CountDocuments(ctx, bson.D{})
	fmt.Println("before:", err)

	err = db.Authenticate(ctx, "reporter", "wrong-pw", nil)
	fmt.Println("wrong password fails:", strings.Contains(err.Error(), "(AuthenticationFailed) Authentication failed."))

	if err := db.Authenticate(ctx, "reporter", "reporter-pw", nil); err != nil {
		log.Fatal(err)
	}
	// The same handles now run with the credentials.
	n, err := sales.CountDocuments(ctx, bson.D{})
	fmt.Println("after:", n, err)

	// Other credentials need a Logout first.
	err = db.Authenticate(ctx, "root", "root-secret", &motor.AuthenticateOptions{Source: "admin"})
	fmt.Println(errors.Is(err, motor.ErrAlreadyAuthenticated), err)
	// Output:
	// before: motor: count reports.sales: (Unauthorized) Command aggregate requires authentication
	// wrong password fails: true
	// after: 0 <nil>
	// true motor: another user is already authenticated to database "reports"; call Logout first
}

func ExampleDatabase_Logout() {
	ctx := context.Background()
	root, anon, stop := exampleAuthServer("root-secret")
	defer stop()
	admin, _ := root.Database("reports")
	if err := admin.AddUser(ctx, "reporter", "reporter-pw", &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}); err != nil {
		log.Fatal(err)
	}

	db, _ := anon.Database("reports")
	sales, _ := db.Collection("sales")
	if err := db.Authenticate(ctx, "reporter", "reporter-pw", &motor.AuthenticateOptions{Mechanism: motor.AuthSCRAMSHA256}); err != nil {
		log.Fatal(err)
	}
	n, err := sales.CountDocuments(ctx, bson.D{})
	fmt.Println("authenticated:", n, err)

	if err := db.Logout(ctx); err != nil {
		log.Fatal(err)
	}
	_, err = sales.CountDocuments(ctx, bson.D{})
	fmt.Println("after Logout:", err)
	// Output:
	// authenticated: 0 <nil>
	// after Logout: motor: count reports.sales: (Unauthorized) Command aggregate requires authentication
}

func ExampleDatabase_Eval() {
	ctx := context.Background()
	// MongoDB before 4.2 runs $eval; this scripted server answers like one.
	f, db, stop := exampleFake("$eval", motortest.OK(bson.E{Key: "retval", Value: 3.0}))
	defer stop()

	v, err := db.Eval(ctx, "function (x, y) { return x + y; }", 1, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Double())
	cmd := f.Commands()[0]
	fmt.Println(firstKeys(cmd), cmd[0].Value, cmd[1].Value)

	// MongoDB 4.2 and later answer CommandNotFound.
	f.Handle("$eval", nil)
	_, err = db.Eval(ctx, "1")
	fmt.Println(err)
	// Output:
	// 3
	// [$eval args $db] function (x, y) { return x + y; } [1 2]
	// motor: eval: the $eval command was removed in MongoDB 4.2: (CommandNotFound) no such command: '$eval'
}

func ExampleDatabase_Error() {
	ctx := context.Background()
	// MongoDB before 5.1 answers getLastError; this scripted server answers like one with no error.
	_, db, stop := exampleFake("getLastError", motortest.OK(bson.E{Key: "err", Value: nil}, bson.E{Key: "n", Value: int32(0)}))
	defer stop()
	reply, err := db.Error(ctx)
	fmt.Println(reply == nil, err)

	// The embedded FerretDB, like MongoDB 5.1+, has no getLastError.
	fdb, done := exampleDB("example_error")
	defer done()
	_, err = fdb.Error(ctx)
	fmt.Println(err)
	// Output:
	// true <nil>
	// motor: error: the getlasterror command was removed in MongoDB 5.1: (CommandNotFound) no such command: 'getlasterror'
}

func ExampleDatabase_LastStatus() {
	ctx := context.Background()
	_, db, stop := exampleFake("getLastError", motortest.OK(bson.E{Key: "err", Value: nil}, bson.E{Key: "n", Value: int32(1)},
		bson.E{Key: "updatedExisting", Value: true}))
	defer stop()
	status, err := db.LastStatus(ctx)
	fmt.Println(status, err)
	// Output: {"err":null,"n":{"$numberInt":"1"},"updatedExisting":true,"ok":{"$numberDouble":"1.0"}} <nil>
}

func ExampleDatabase_PreviousError() {
	ctx := context.Background()
	_, db, stop := exampleFake("getPrevError", motortest.OK(bson.E{Key: "err", Value: "E11000 duplicate key error"},
		bson.E{Key: "code", Value: int32(11000)}, bson.E{Key: "nPrev", Value: int32(1)}))
	defer stop()
	prev, err := db.PreviousError(ctx)
	fmt.Println(prev, err)
	// Output: {"err":"E11000 duplicate key error","code":{"$numberInt":"11000"},"nPrev":{"$numberInt":"1"},"ok":{"$numberDouble":"1.0"}} <nil>
}

func ExampleDatabase_ResetErrorHistory() {
	ctx := context.Background()
	f, db, stop := exampleFake("resetError", motortest.OK())
	defer stop()
	fmt.Println(db.ResetErrorHistory(ctx), firstKeys(f.Commands()[0]))

	// The embedded FerretDB, like MongoDB 5.0+, has no resetError.
	fdb, done := exampleDB("example_reset_error")
	defer done()
	fmt.Println(fdb.ResetErrorHistory(ctx))
	// Output:
	// <nil> [reseterror $db]
	// motor: reset error history: the reseterror command was removed in MongoDB 5.0: (CommandNotFound) no such command: 'reseterror'
}

func ExampleDatabase_AddSONManipulator() {
	ctx := context.Background()
	db, done := exampleDB("example_son")
	defer done()

	// Stamp each inserted document with its collection's name, and hide the stamp when reading.
	err := db.AddSONManipulator(motor.SONManipulator{
		Name: "NamespaceInjector",
		Incoming: func(doc bson.D, coll *motor.Collection) (bson.D, error) {
			return append(doc, bson.E{Key: "_ns", Value: coll.Name()}), nil
		},
		Outgoing: func(doc bson.D, _ *motor.Collection) (bson.D, error) {
			out := doc[:0]
			for _, e := range doc {
				if e.Key != "_ns" {
					out = append(out, e)
				}
			}
			return out, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	people, _ := db.Collection("people")
	if _, err := people.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}}); err != nil {
		log.Fatal(err)
	}
	var doc bson.D
	_ = people.FindOne(ctx, bson.D{}).Decode(&doc)
	fmt.Println("through the database:", doc)

	// Another handle on the same database has no manipulators: it shows what is stored.
	other, _ := db.Client().Database(db.Name())
	otherPeople, _ := other.Collection("people")
	_ = otherPeople.FindOne(ctx, bson.D{}).Decode(&doc)
	fmt.Println("stored:", doc)
	// Output:
	// through the database: {"_id":{"$numberInt":"1"},"name":"ann"}
	// stored: {"_id":{"$numberInt":"1"},"name":"ann","_ns":"people"}
}

// exampleManipulators registers A, B, a copying C and an incoming-only D, as PyMongo's own check does.
func exampleManipulators() *motor.Database {
	client, _ := motor.Connect("mongodb://127.0.0.1:27017/")
	db, _ := client.Database("app")
	keep := func(doc bson.D, _ *motor.Collection) (bson.D, error) { return doc, nil }
	for _, m := range []motor.SONManipulator{
		{Name: "A", Incoming: keep, Outgoing: keep},
		{Name: "B", Incoming: keep, Outgoing: keep},
		{Name: "C", Incoming: keep, Outgoing: keep, Copying: true},
		{Name: "D", Incoming: keep},
	} {
		if err := db.AddSONManipulator(m); err != nil {
			log.Fatal(err)
		}
	}
	return db
}

func ExampleDatabase_IncomingManipulators() {
	db := exampleManipulators()
	defer db.Client().Disconnect(context.Background())
	fmt.Println(db.IncomingManipulators()) // newest first
	// Output: [D B A]
}

func ExampleDatabase_IncomingCopyingManipulators() {
	db := exampleManipulators()
	defer db.Client().Disconnect(context.Background())
	fmt.Println(db.IncomingCopyingManipulators())
	// Output: [C]
}

func ExampleDatabase_OutgoingManipulators() {
	db := exampleManipulators()
	defer db.Client().Disconnect(context.Background())
	fmt.Println(db.OutgoingManipulators()) // oldest first: the order they run in
	// Output: [A B]
}

func ExampleDatabase_OutgoingCopyingManipulators() {
	db := exampleManipulators()
	defer db.Client().Disconnect(context.Background())
	fmt.Println(db.OutgoingCopyingManipulators())
	// Output: [C]
}
