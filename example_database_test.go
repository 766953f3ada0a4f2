package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
)

func ExampleDatabase_Collection() {
	client, err := motor.Connect("mongodb://127.0.0.1:27017/") // no I/O here, nor below
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	posts := client.Database("blog").Collection("posts")
	files := posts.Database().Collection("fs.files") // a sub-collection is a dotted name
	fmt.Println(posts.FullName(), files.FullName())

	// A bad name stays in the handle: Err reports it, and every operation returns it.
	fmt.Println(posts.Database().Collection("fs..files").Err())
	// Output:
	// blog.posts blog.fs.files
	// motor: invalid collection name "fs..files": must not contain an empty segment ("..")
}

// Check a handle made from a name that comes from outside, such as a flag, before using it.
func ExampleCollection_Err() {
	client, err := motor.Connect("mongodb://127.0.0.1:27017/") // no I/O
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	name := "logs$2024" // say, from a command-line flag
	coll := client.Database("app").Collection(name)
	if err := coll.Err(); err != nil {
		fmt.Println("bad collection:", err)
		return
	}
	fmt.Println("using", coll.FullName())
	// Output: bad collection: motor: invalid collection name "logs$2024": must not contain '$' (only names starting with "$cmd" or "oplog.$main" may)
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
