package motor_test

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Iterate a query one document at a time.
func ExampleCursor_Next() {
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
	coll := client.Database("example_cursor_next").Collection("numbers")
	if _, err := coll.InsertMany(ctx, []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}}, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := coll.Find(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var doc struct {
			ID int `bson:"_id"`
		}
		if err := cur.Decode(&doc); err != nil {
			log.Fatal(err)
		}
		fmt.Println(doc.ID)
	}
	if err := cur.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1
	// 2
}

// Decode every remaining document into a slice.
func ExampleCursor_All() {
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
	coll := client.Database("example_cursor_all").Collection("people")
	if _, err := coll.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "ann"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "name", Value: "bob"}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := coll.Find(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	var people []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &people); err != nil {
		log.Fatal(err)
	}
	fmt.Println(people)
	// Output: [{ann} {bob}]
}

// TryNext does not wait for more results: it reports false when none is ready, and the cursor ID tells whether
// the server has more.
func ExampleCursor_TryNext() {
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
	coll := client.Database("example_cursor_trynext").Collection("people")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := coll.Find(ctx, bson.D{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	fmt.Println(cur.TryNext(ctx), cur.TryNext(ctx), cur.ID(), cur.Err())
	// Output: true false 0 <nil>
}

// Read a cursor a few documents at a time, as Motor's to_list(length) does; n <= 0 reads the rest and closes it.
func ExampleCursor_ToList() {
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
	coll := client.Database("example_cursor_tolist").Collection("numbers")
	if _, err := coll.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}, bson.D{{Key: "_id", Value: 3}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := coll.Find(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	first, err := cur.ToList(ctx, 2)
	if err != nil {
		log.Fatal(err)
	}
	rest, err := cur.ToList(ctx, 0)
	if err != nil {
		log.Fatal(err)
	}
	for _, doc := range append(first, rest...) {
		fmt.Println(doc)
	}
	fmt.Println(len(first), len(rest))
	// Output:
	// {"_id":{"$numberInt":"1"}}
	// {"_id":{"$numberInt":"2"}}
	// {"_id":{"$numberInt":"3"}}
	// 2 1
}

// Decode a page of documents at a time into a Go type.
func ExampleToListAs() {
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
	coll := client.Database("example_tolistas").Collection("tasks")
	var tasks []any
	for i := 1; i <= 5; i++ {
		tasks = append(tasks, bson.D{{Key: "_id", Value: i}, {Key: "title", Value: fmt.Sprint("task ", i)}})
	}
	if _, err := coll.InsertMany(ctx, tasks, nil); err != nil {
		log.Fatal(err)
	}

	cur, err := coll.Find(ctx, bson.D{}, &motor.FindOptions{Sort: bson.D{{Key: "_id", Value: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	defer cur.Close(ctx)
	type task struct {
		Title string `bson:"title"`
	}
	for {
		page, err := motor.ToListAs[task](ctx, cur, 2)
		if err != nil {
			log.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		fmt.Println(page)
	}
	// Output:
	// [{task 1} {task 2}]
	// [{task 3} {task 4}]
	// [{task 5}]
}
