package motortest_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor/motortest"
)

const serverTestPassword = "motortest-s3ntinel-pw"

func TestStartServer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     *motortest.ServerOptions
		cred     *options.Credential
		wantMode string
	}{
		{"plain", nil, nil, "(sqlite)"},
		{
			"auth",
			&motortest.ServerOptions{Auth: &motortest.Auth{Username: "root", Password: serverTestPassword}},
			&options.Credential{Username: "root", Password: serverTestPassword, AuthSource: "admin"},
			"(sqlite, auth)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := motortest.StartServer(t.Context(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{srv.URI(), srv.String()} {
				if strings.Contains(s, serverTestPassword) {
					t.Errorf("%q contains the password", s)
				}
			}
			if want := "mongodb://" + srv.Addr() + "/"; srv.URI() != want {
				t.Errorf("URI = %q, want %q", srv.URI(), want)
			}
			if s := srv.String(); !strings.HasPrefix(s, "FerretDB v") || !strings.HasSuffix(s, srv.Addr()+" "+tc.wantMode) {
				t.Errorf("String = %q", s)
			}

			co := options.Client().ApplyURI(srv.URI()).SetTimeout(30 * time.Second)
			if tc.cred != nil {
				co.SetAuth(*tc.cred)
			}
			client, err := mongo.Connect(co)
			if err != nil {
				t.Fatal(err)
			}
			coll := client.Database("motortest").Collection("c")
			if _, err = coll.InsertOne(t.Context(), bson.D{{Key: "_id", Value: 1}}); err != nil {
				t.Errorf("InsertOne: %v", err)
			}
			if err = client.Disconnect(t.Context()); err != nil {
				t.Error(err)
			}

			if err = srv.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err = srv.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if c, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
				c.Close()
				t.Errorf("%s still accepts connections after Close", srv.Addr())
			}
		})
	}
}

func TestStartServerErrors(t *testing.T) {
	_, err := motortest.StartServer(t.Context(), &motortest.ServerOptions{Auth: &motortest.Auth{Password: serverTestPassword}})
	if err == nil || !strings.HasPrefix(err.Error(), "motortest: ") || strings.Contains(err.Error(), serverTestPassword) {
		t.Errorf("StartServer without a username: %v", err)
	}
	var nilCtx context.Context
	if _, err = motortest.StartServer(nilCtx, nil); err == nil || !strings.HasPrefix(err.Error(), "motortest: ") {
		t.Errorf("StartServer(nil ctx): %v", err)
	}
}

// TestServerKilledMidWrite kills the server while a client inserts, starts another on the same data directory, and
// checks that every acknowledged insert is there exactly once.
func TestServerKilledMidWrite(t *testing.T) {
	dir := t.TempDir()
	srv, err := motortest.StartServer(t.Context(), &motortest.ServerOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	connect := func(uri string) *mongo.Client {
		c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(2 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
		return c
	}
	coll := connect(srv.URI()).Database("crash").Collection("c")

	var acked []int32
	progress := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := int32(0); ; i++ {
			if _, err := coll.InsertOne(context.Background(), bson.D{{Key: "_id", Value: i}}); err != nil {
				return // the server is gone: this insert was not acknowledged
			}
			acked = append(acked, i)
			select {
			case progress <- len(acked):
			default:
			}
		}
	}()
	for n := 0; n < 200; n = <-progress {
	}
	srv.Kill()
	<-done
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	again, err := motortest.StartServer(t.Context(), &motortest.ServerOptions{Dir: dir})
	if err != nil {
		t.Fatalf("the data directory does not open again: %v", err)
	}
	t.Cleanup(func() { _ = again.Close() })
	cur, err := connect(again.URI()).Database("crash").Collection("c").Find(t.Context(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		ID int32 `bson:"_id"`
	}
	if err := cur.All(t.Context(), &docs); err != nil {
		t.Fatal(err)
	}
	stored := make([]int32, len(docs))
	for i, d := range docs {
		stored[i] = d.ID
	}
	motortest.ExactlyOnce(t, acked, stored)
	if len(docs) < len(acked) || len(docs) > len(acked)+1 { // the insert in flight at the kill may have landed
		t.Errorf("%d documents after the crash, %d inserts acknowledged", len(docs), len(acked))
	}
	t.Logf("%d inserts acknowledged before the kill, %d documents after it", len(acked), len(docs))
}

// TestServerRaw: clients reach FerretDB through the conformance front, or directly with ServerOptions.Raw. FerretDB
// v1 returns the field path of {$project: {x: "$qty"}} as a string; the front refuses it.
func TestServerRaw(t *testing.T) {
	for _, raw := range []bool{false, true} {
		srv, err := motortest.StartServer(t.Context(), &motortest.ServerOptions{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		if (srv.Addr() == srv.RawAddr()) != raw {
			t.Errorf("raw %v: Addr %s, RawAddr %s", raw, srv.Addr(), srv.RawAddr())
		}
		client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
		if err != nil {
			t.Fatal(err)
		}
		coll := client.Database("raw").Collection("c")
		if _, err = coll.InsertOne(t.Context(), bson.D{{Key: "qty", Value: 5}}); err != nil {
			t.Fatal(err)
		}
		var got []bson.M
		cur, err := coll.Aggregate(t.Context(), mongo.Pipeline{{{Key: "$project", Value: bson.D{{Key: "x", Value: "$qty"}}}}})
		if err == nil {
			err = cur.All(t.Context(), &got)
		}
		switch {
		case raw && (err != nil || len(got) != 1 || got[0]["x"] != "$qty"):
			t.Errorf("raw: %v %v", got, err)
		case !raw && (err == nil || !strings.Contains(err.Error(), "NotImplemented")):
			t.Errorf("front: %v %v", got, err)
		}
		_ = client.Disconnect(context.Background())
		if err = srv.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
