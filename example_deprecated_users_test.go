package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleDatabase_AddUser() {
	ctx := context.Background()
	// FerretDB with authentication on, whose first user is root on admin.
	srv, err := motortest.StartServer(ctx, &motortest.ServerOptions{Auth: &motortest.Auth{Username: "root", Password: "root-secret"}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rootCred := options.Credential{Username: "root", Password: "root-secret", AuthSource: "admin"}
	root, err := motor.Connect(srv.URI(), motor.WithClientOptions(options.Client().SetAuth(rootCred)))
	if err != nil {
		log.Fatal(err)
	}
	defer root.Disconnect(ctx)
	db := root.Database("reports")

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
	err = db.AddUser(ctx, "viewer", "pw", &motor.AddUserOptions{ReadOnly: true})
	fmt.Println(err)
	// Output:
	// reports.reporter [SCRAM-SHA-256]
	// <nil>
	// motor: add user "viewer": createUser: (NotImplemented) createUser: support for field "roles" with non-default value &{[read] false} is not implemented yet
}

func ExampleDatabase_RemoveUser() {
	ctx := context.Background()
	// FerretDB with authentication on, whose first user is root on admin.
	srv, err := motortest.StartServer(ctx, &motortest.ServerOptions{Auth: &motortest.Auth{Username: "root", Password: "root-secret"}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	rootCred := options.Credential{Username: "root", Password: "root-secret", AuthSource: "admin"}
	root, err := motor.Connect(srv.URI(), motor.WithClientOptions(options.Client().SetAuth(rootCred)))
	if err != nil {
		log.Fatal(err)
	}
	defer root.Disconnect(ctx)
	db := root.Database("reports")
	if err := db.AddUser(ctx, "reporter", "pw", &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}); err != nil {
		log.Fatal(err)
	}

	fmt.Println(db.RemoveUser(ctx, "reporter"))
	err = db.RemoveUser(ctx, "reporter")
	var ce mongo.CommandError
	fmt.Println(errors.As(err, &ce), ce.Code, err)
	// Output:
	// <nil>
	// true 11 motor: remove user "reporter": (UserNotFound) User 'reporter@reports' not found
}
