package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
)

func ExampleDatabase_Collection() {
	client, err := motor.Connect("mongodb://127.0.0.1:27017/")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database("app")
	files := db.Collection("fs.files")
	err = files.Err()
	fmt.Println(files.FullName(), err)

	err = db.Collection("fs..files").Err()
	fmt.Println(err)
	// Output:
	// app.fs.files <nil>
	// motor: invalid collection name "fs..files": must not contain an empty segment ("..")
}

func ExampleDatabase_WithOptions() {
	client, err := motor.Connect("mongodb://127.0.0.1:27017/")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database("app")
	secondary := db.WithOptions(motor.WithReadPreference(readpref.Secondary()))
	fmt.Println(db.ReadPreference().Mode(), secondary.ReadPreference().Mode())
	// Output: primary secondary
}
