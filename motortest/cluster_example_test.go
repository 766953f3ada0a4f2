package motortest_test

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor/motortest"
)

func ExampleReplicaSet() {
	// in tests, use motortest.NewReplicaSet(t, 3, nil), which closes the set on cleanup
	rs, err := motortest.StartReplicaSet(3, nil)
	if err != nil {
		panic(err)
	}
	defer rs.Close()

	rs.Handle("count", func(bson.D) bson.D { return motortest.OK(bson.E{Key: "n", Value: int32(7)}) })

	ctx := context.Background()

	client, err := mongo.Connect(options.Client().ApplyURI(rs.URI()))
	if err != nil {
		panic(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // runs before rs.Close

	db := client.Database("shop")
	for _, rp := range []*readpref.ReadPref{readpref.Primary(), readpref.Secondary()} {
		rs.Reset()

		var res struct{ N int32 }
		if err := db.RunCommand(ctx, bson.D{{Key: "count", Value: "orders"}}, options.RunCmd().SetReadPreference(rp)).Decode(&res); err != nil {
			panic(err)
		}

		for _, m := range rs.Members() {
			for _, cmd := range m.Commands() {
				role := "secondary"
				if m == rs.Primary() {
					role = "primary"
				}

				sent := "no $readPreference"
				for _, e := range cmd {
					if e.Key == "$readPreference" {
						sent = fmt.Sprintf("$readPreference %v", e.Value)
					}
				}

				fmt.Printf("%s: n=%d from the %s, %s\n", rp.Mode(), res.N, role, sent)
			}
		}
	}

	// Output:
	// primary: n=7 from the primary, no $readPreference
	// secondary: n=7 from the secondary, $readPreference {"mode":"secondary"}
}
