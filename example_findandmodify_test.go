package motor_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Increment a counter and read its new value in one round trip, creating the counter on first use.
func ExampleCollection_FindOneAndUpdate() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	counters := client.Database("example_find_one_and_update").Collection("counters")

	for range 2 {
		var next struct {
			Seq int `bson:"seq"`
		}
		err := counters.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "invoice"}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: 1}}}},
			&motor.FindOneAndUpdateOptions{Upsert: true, ReturnDocument: motor.ReturnDocumentAfter},
		).Decode(&next)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("invoice", next.Seq)
	}

	// A document without update operators is refused before any I/O.
	err = counters.FindOneAndUpdate(ctx, bson.D{}, bson.D{{Key: "seq", Value: 0}}, nil).Err()
	fmt.Println(errors.Is(err, motor.ErrInvalidOption))
	// Output:
	// invoice 1
	// invoice 2
	// true
}

// Replace a document and get the version it replaced.
func ExampleCollection_FindOneAndReplace() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	profiles := client.Database("example_find_one_and_replace").Collection("profiles")
	if _, err := profiles.InsertOne(ctx, bson.D{{Key: "_id", Value: "ann"}, {Key: "theme", Value: "light"}}, nil); err != nil {
		log.Fatal(err)
	}

	var before struct {
		Theme string `bson:"theme"`
	}
	err = profiles.FindOneAndReplace(ctx, bson.D{{Key: "_id", Value: "ann"}},
		bson.D{{Key: "theme", Value: "dark"}, {Key: "font", Value: "large"}}, nil).Decode(&before)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("was", before.Theme)
	// Output:
	// was light
}

// Take the oldest job off a queue; an empty queue is mongo.ErrNoDocuments.
func ExampleCollection_FindOneAndDelete() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	jobs := client.Database("example_find_one_and_delete").Collection("jobs")
	if _, err := jobs.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "task", Value: "resize"}, {Key: "queued", Value: 2}},
		bson.D{{Key: "_id", Value: 2}, {Key: "task", Value: "email"}, {Key: "queued", Value: 1}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	opts := &motor.FindOneAndDeleteOptions{FindOneAndOptions: motor.FindOneAndOptions{Sort: bson.D{{Key: "queued", Value: 1}}}}
	for {
		var job struct {
			Task string `bson:"task"`
		}
		err := jobs.FindOneAndDelete(ctx, bson.D{}, opts).Decode(&job)
		if errors.Is(err, mongo.ErrNoDocuments) {
			fmt.Println("queue empty")
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("took", job.Task)
	}
	// Output:
	// took email
	// took resize
	// queue empty
}

func ExampleReturnDocument() {
	fmt.Println(motor.ReturnDocumentBefore, motor.ReturnDocumentAfter)
	// Output:
	// before after
}
