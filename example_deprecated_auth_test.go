package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func ExampleDatabase_Authenticate() {
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
	anon, err := motor.Connect(srv.URI()) // no credentials
	if err != nil {
		log.Fatal(err)
	}
	defer anon.Disconnect(ctx)
	admin := root.Database("reports")
	if err := admin.AddUser(ctx, "reporter", "reporter-pw", &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}); err != nil {
		log.Fatal(err)
	}

	db := anon.Database("reports")
	sales := db.Collection("sales")
	_, err = sales.CountDocuments(ctx, bson.D{}, nil)
	fmt.Println("before:", err)

	err = db.Authenticate(ctx, "reporter", "wrong-pw", nil)
	fmt.Println("wrong password fails:", strings.Contains(err.Error(), "(AuthenticationFailed) Authentication failed."))

	if err := db.Authenticate(ctx, "reporter", "reporter-pw", nil); err != nil {
		log.Fatal(err)
	}
	// The same handles now run with the credentials.
	n, err := sales.CountDocuments(ctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("after:", n)

	// Other credentials need a Logout first.
	err = db.Authenticate(ctx, "root", "root-secret", &motor.AuthenticateOptions{Source: "admin"})
	fmt.Println(errors.Is(err, motor.ErrAlreadyAuthenticated), err)
	// Output:
	// before: motor: count documents reports.sales: (Unauthorized) Command aggregate requires authentication
	// wrong password fails: true
	// after: 0
	// true motor: another user is already authenticated to database "reports"; call Logout first
}

func ExampleDatabase_Logout() {
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
	anon, err := motor.Connect(srv.URI()) // no credentials
	if err != nil {
		log.Fatal(err)
	}
	defer anon.Disconnect(ctx)
	admin := root.Database("reports")
	if err := admin.AddUser(ctx, "reporter", "reporter-pw", &motor.AddUserOptions{Extra: bson.D{{Key: "roles", Value: bson.A{}}}}); err != nil {
		log.Fatal(err)
	}

	db := anon.Database("reports")
	sales := db.Collection("sales")
	if err := db.Authenticate(ctx, "reporter", "reporter-pw", &motor.AuthenticateOptions{Mechanism: motor.AuthSCRAMSHA256}); err != nil {
		log.Fatal(err)
	}
	n, err := sales.CountDocuments(ctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("authenticated:", n)

	if err := db.Logout(ctx); err != nil {
		log.Fatal(err)
	}
	_, err = sales.CountDocuments(ctx, bson.D{}, nil)
	fmt.Println("after Logout:", err)
	// Output:
	// authenticated: 0
	// after Logout: motor: count documents reports.sales: (Unauthorized) Command aggregate requires authentication
}
