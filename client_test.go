package motor_test

import (
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestDisconnected(t *testing.T) {
	ctx := t.Context()
	c, _ := newClient(t)
	db := c.Database("app")
	coll := db.Collection("x")
	if err := c.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Disconnect(ctx); err != nil {
		t.Errorf("second Disconnect: %v", err)
	}
	if _, err := coll.InsertOne(ctx, bson.D{}, nil); !errors.Is(err, motor.ErrClientDisconnected) {
		t.Errorf("InsertOne after Disconnect = %v", err)
	}
	if c.Mongo() != nil || db.Mongo() != nil || coll.Mongo() != nil {
		t.Error("Mongo() after Disconnect is not nil")
	}
	if _, err := c.StartSession(ctx, nil); !errors.Is(err, motor.ErrClientDisconnected) {
		t.Errorf("StartSession after Disconnect = %v", err)
	}
}

func TestNewClient(t *testing.T) {
	ctx := t.Context()
	mc, err := mongo.Connect(options.Client().ApplyURI(motortest.URI(t)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := motor.NewClient(mc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(ctx)
	if c.Mongo() != mc {
		t.Error("Mongo() is not the wrapped client")
	}
	db := c.Database("newclient")
	if db.Mongo().Name() != "newclient" {
		t.Error("driver database name")
	}
	if _, err := motor.NewClient(nil); !errors.Is(err, motor.ErrInvalidOption) {
		t.Errorf("NewClient(nil) = %v", err)
	}
}
