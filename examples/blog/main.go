// Command blog is a small blog on motor: posts and their comments, indexes, a $push update, a view counter with
// FindOneAndUpdate, a bulk write and an aggregation. It is the Go form of a Motor program of the same shape, and
// runs on the embedded server: go run ./examples/blog.
package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/embedded"
)

// Post is a blog post with its comments.
type Post struct {
	ID       string    `bson:"_id"`
	Author   string    `bson:"author"`
	Title    string    `bson:"title"`
	Tags     []string  `bson:"tags"`
	Views    int       `bson:"views"`
	Comments []Comment `bson:"comments,omitempty"`
}

// Comment is a reader's comment on a post.
type Comment struct {
	Who  string    `bson:"who"`
	Text string    `bson:"text"`
	At   time.Time `bson:"at"`
}

func main() {
	ctx := context.Background()
	srv, err := embedded.Start(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	posts := client.Database("blog").Collection("posts")

	// Indexes: posts by author, newest first, and by tag.
	if _, err := posts.CreateIndexes(ctx, []motor.IndexModel{
		{Keys: bson.D{{Key: "author", Value: 1}, {Key: "_id", Value: -1}}},
		{Keys: bson.D{{Key: "tags", Value: 1}}},
	}, nil); err != nil {
		log.Fatal(err)
	}

	// Three posts in one bulk write, and a correction to one of them.
	if _, err := posts.BulkWrite(ctx, []motor.WriteModel{
		motor.InsertOne{Document: Post{ID: "go-1", Author: "ada", Title: "Hello, Go", Tags: []string{"go"}}},
		motor.InsertOne{Document: Post{ID: "mongo-1", Author: "ada", Title: "Documents", Tags: []string{"mongo", "go"}}},
		motor.InsertOne{Document: Post{ID: "py-1", Author: "bob", Title: "Hello, Python", Tags: []string{"python"}}},
		motor.UpdateOne{
			Filter: bson.D{{Key: "_id", Value: "py-1"}},
			Update: bson.D{{Key: "$set", Value: bson.D{{Key: "title", Value: "Hello, Motor"}}}},
		},
	}, nil); err != nil {
		log.Fatal(err)
	}

	// A comment is pushed onto its post.
	comment := Comment{Who: "bob", Text: "Nice!", At: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	if _, err := posts.UpdateOne(ctx, bson.D{{Key: "_id", Value: "go-1"}},
		bson.D{{Key: "$push", Value: bson.D{{Key: "comments", Value: comment}}}}, nil); err != nil {
		log.Fatal(err)
	}

	// Every read of a post counts a view, and returns the post as it is after the count.
	var post Post
	for range 3 {
		if err := posts.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "go-1"}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "views", Value: 1}}}},
			&motor.FindOneAndUpdateOptions{ReturnDocument: motor.ReturnDocumentAfter}).Decode(&post); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%s: %d views, %d comment(s), first by %s\n", post.Title, post.Views, len(post.Comments), post.Comments[0].Who)

	// Ada's posts, newest first, titles only.
	cur, err := posts.Find(ctx, bson.D{{Key: "author", Value: "ada"}}, &motor.FindOptions{
		Sort:       bson.D{{Key: "_id", Value: -1}},
		Projection: []string{"title"},
	})
	if err != nil {
		log.Fatal(err)
	}
	adas, err := motor.ToListAs[Post](ctx, cur, 0)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range adas {
		fmt.Println("ada wrote:", p.Title)
	}

	// Posts per tag, most used first.
	cur, err = posts.Aggregate(ctx, bson.A{
		bson.D{{Key: "$unwind", Value: "$tags"}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$tags"}, {Key: "posts", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		bson.D{{Key: "$sort", Value: bson.D{{Key: "posts", Value: -1}, {Key: "_id", Value: 1}}}},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	var tags []struct {
		Tag   string `bson:"_id"`
		Posts int    `bson:"posts"`
	}
	if err := cur.All(ctx, &tags); err != nil {
		log.Fatal(err)
	}
	for _, t := range tags {
		fmt.Printf("#%s: %d\n", t.Tag, t.Posts)
	}
}
