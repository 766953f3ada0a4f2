package motor_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
)

func TestDefaults(t *testing.T) {
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database("app")
	coll := db.Collection("things")
	for _, h := range []interface {
		ReadPreference() *readpref.ReadPref
		ReadConcern() *readconcern.ReadConcern
		WriteConcern() *writeconcern.WriteConcern
		CodecOptions() motor.CodecOptions
	}{c, db, coll} {
		if h.ReadPreference().Mode() != readpref.PrimaryMode {
			t.Errorf("%v: ReadPreference = %v", h, h.ReadPreference())
		}
		if h.ReadConcern().Level != "" {
			t.Errorf("%v: ReadConcern = %+v", h, h.ReadConcern())
		}
		if h.WriteConcern().W != nil || h.WriteConcern().Journal != nil {
			t.Errorf("%v: WriteConcern = %+v", h, h.WriteConcern())
		}
		if h.CodecOptions() != (motor.CodecOptions{}) {
			t.Errorf("%v: CodecOptions = %+v", h, h.CodecOptions())
		}
	}
	if db.Client() != c || coll.Database() != db {
		t.Error("Client() / Database() do not return the parent handle")
	}
}

func TestURISettings(t *testing.T) {
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/?readPreference=secondaryPreferred&readConcernLevel=majority&w=2")
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database("app")
	if db.ReadPreference().Mode() != readpref.SecondaryPreferredMode || db.ReadConcern().Level != "majority" || db.WriteConcern().W != 2 {
		t.Errorf("URI settings not inherited: %v %+v %+v", db.ReadPreference(), db.ReadConcern(), db.WriteConcern())
	}
	// Options override the URI.
	c2, err := connectOffline(t, "mongodb://127.0.0.1:1/?w=2", motor.WithWriteConcern(writeconcern.Majority()))
	if err != nil {
		t.Fatal(err)
	}
	if c2.WriteConcern().W != "majority" {
		t.Errorf("WriteConcern = %+v", c2.WriteConcern())
	}
}

// TestInheritance checks client -> database -> collection inheritance of every setting, overriding at each level.
func TestInheritance(t *testing.T) {
	loc := time.FixedZone("IST", 5*3600+1800)
	clientCO := motor.CodecOptions{UUIDRepresentation: motor.UUIDStandard}
	dbCO := motor.CodecOptions{TZAware: true, TZInfo: loc}
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/",
		motor.WithReadPreference(readpref.SecondaryPreferred()),
		motor.WithReadConcern(readconcern.Local()),
		motor.WithWriteConcern(writeconcern.W1()),
		motor.WithCodecOptions(clientCO))
	if err != nil {
		t.Fatal(err)
	}
	// Database inherits everything, overrides read concern and codec options.
	db := c.Database("app", motor.WithReadConcern(readconcern.Majority()), motor.WithCodecOptions(dbCO))
	if db.ReadPreference().Mode() != readpref.SecondaryPreferredMode || db.WriteConcern().W != 1 {
		t.Errorf("db did not inherit: %v %+v", db.ReadPreference(), db.WriteConcern())
	}
	if db.ReadConcern().Level != "majority" {
		t.Errorf("db ReadConcern = %+v", db.ReadConcern())
	}
	if db.CodecOptions() != dbCO {
		t.Errorf("db CodecOptions = %+v", db.CodecOptions())
	}

	// Collection inherits from the database, overrides read preference and write concern.
	coll := db.Collection("things", motor.WithReadPreference(readpref.Nearest()), motor.WithWriteConcern(writeconcern.Majority()))
	if coll.ReadPreference().Mode() != readpref.NearestMode || coll.WriteConcern().W != "majority" || coll.ReadConcern().Level != "majority" {
		t.Errorf("coll settings: %v %+v %+v", coll.ReadPreference(), coll.WriteConcern(), coll.ReadConcern())
	}
	if coll.CodecOptions() != dbCO {
		t.Errorf("coll CodecOptions = %+v", coll.CodecOptions())
	}

	// A plain collection of the database has the database's settings.
	plain := db.Collection("plain")
	if plain.ReadPreference().Mode() != readpref.SecondaryPreferredMode || plain.ReadConcern().Level != "majority" || plain.WriteConcern().W != 1 {
		t.Errorf("plain coll settings: %v %+v %+v", plain.ReadPreference(), plain.ReadConcern(), plain.WriteConcern())
	}

	// WithOptions returns a changed copy; the original is unchanged.
	db2 := db.WithOptions(motor.WithReadPreference(readpref.Primary()))
	if db2.ReadPreference().Mode() != readpref.PrimaryMode || db.ReadPreference().Mode() != readpref.SecondaryPreferredMode {
		t.Errorf("WithOptions: copy %v, original %v", db2.ReadPreference(), db.ReadPreference())
	}
	if db2.Name() != db.Name() || db2.ReadConcern().Level != "majority" {
		t.Errorf("WithOptions lost settings: %q %+v", db2.Name(), db2.ReadConcern())
	}
	// The driver handles beneath get the same settings: v2 driver handles have no getters, so TestSettingsOnTheWire
	// checks what they send.
}

func TestInvalidOptions(t *testing.T) {
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc    string
		opt     motor.Option
		wantErr string
	}{
		{"tzinfo without tzaware", motor.WithCodecOptions(motor.CodecOptions{TZInfo: time.UTC}), "motor: cannot specify TZInfo without also setting TZAware"},
		{"bad uuid rep", motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: 42}), "motor: unknown UUID representation 42"},
		{"bad unicode handler", motor.WithCodecOptions(motor.CodecOptions{UnicodeDecodeErrorHandler: -1}), "motor: unknown unicode decode error handler -1"},
		{"bad document type", motor.WithCodecOptions(motor.CodecOptions{DocumentType: reflect.TypeOf(3)}), "motor: DocumentType must be bson.D, bson.Raw, a map with string keys or a struct, not int"},
		{"j with w0", motor.WithWriteConcern(&writeconcern.WriteConcern{W: 0, Journal: boolPtr(true)}), "motor: invalid write concern: j=true cannot be combined with w=0"},
		{"negative w", motor.WithWriteConcern(&writeconcern.WriteConcern{W: -1}), "motor: invalid write concern: w must not be negative, got -1"},
		{"client options on a database", motor.WithClientOptions(options.Client()), "motor: WithClientOptions applies only to Connect"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			err := c.Database("app", tt.opt).Err()
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("error = %v, want %s", err, tt.wantErr)
			}
			if !errors.Is(err, motor.ErrInvalidOption) {
				t.Errorf("error does not wrap ErrInvalidOption")
			}
		})
	}
}

func TestCredentialsNeverShown(t *testing.T) {
	const pw = "s3ntinel-Pa55"
	_, err := connectOffline(t, "mongodb://user:"+pw+"@127.0.0.1:1/?authMechanism=BOGUS")
	if err == nil {
		t.Fatal("no error for a bad auth mechanism")
	}
	if strings.Contains(err.Error(), pw) {
		t.Errorf("error shows the password: %v", err)
	}
	c, err := connectOffline(t, "mongodb://user:"+pw+"@127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.String(), pw) || strings.Contains(c.String(), "user") {
		t.Errorf("String() shows credentials: %s", c)
	}
	if c.String() != "motor.Client(127.0.0.1:1)" {
		t.Errorf("String() = %s", c)
	}

	// Every way of printing the handles, and the error of a failed operation, leaves the URI's password out.
	c, err = connectOffline(t, "mongodb://user:"+authSentinel+"@127.0.0.1:1/?serverSelectionTimeoutMS=50")
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database("d")
	coll := db.Collection("c")
	_, opErr := db.Command(t.Context(), "ping", nil)
	if opErr == nil {
		t.Fatal("ping to nowhere succeeded")
	}
	for _, v := range []any{c, db, coll, opErr} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			authNoSecret(t, fmt.Sprintf("%s of %T", verb, v), fmt.Sprintf(verb, v))
		}
	}
	authNoSecretErr(t, "a failed ping", opErr)
}

// TestSettingsOnTheWire checks that the collection's inherited settings are what the driver sends.
func TestSettingsOnTheWire(t *testing.T) {
	ctx := t.Context()
	db, rec := newDB(t, motor.WithReadConcern(readconcern.Local()), motor.WithWriteConcern(writeconcern.W1()))
	coll := db.Collection("wire")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := coll.FindOne(ctx, bson.D{}, nil).Err(); err != nil {
		t.Fatal(err)
	}
	diff(t, "commands", []bson.D{
		{{Key: "insert", Value: "wire"}, {Key: "ordered", Value: true}, {Key: "writeConcern", Value: bson.D{{Key: "w", Value: int32(1)}}}, {Key: "$db", Value: db.Name()}, {Key: "documents", Value: bson.A{bson.D{{Key: "_id", Value: int32(1)}}}}},
		{{Key: "find", Value: "wire"}, {Key: "filter", Value: bson.D{}}, {Key: "limit", Value: int32(1)}, {Key: "singleBatch", Value: true}, {Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}}, {Key: "$db", Value: db.Name()}},
	}, rec.Commands("insert", "find"))
}
