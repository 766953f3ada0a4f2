package motor_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func reflectTypeOf(v any) reflect.Type { return reflect.TypeOf(v) }
func boolPtr(b bool) *bool             { return &b }
func contains(s, sub string) bool      { return strings.Contains(s, sub) }

func uriOf(t testing.TB) string { return motortest.URI(t) }

// connectOffline is motor.Connect for tests that do no I/O (the address is never dialled successfully); the client is
// disconnected at the end of the test so that its monitoring goroutines end.
func connectOffline(tb testing.TB, uri string, opts ...motor.Option) (*motor.Client, error) {
	c, err := motor.Connect(uri, opts...)
	if err == nil {
		tb.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	}
	return c, err
}

// rawDoc marshals the document d, failing the test on error.
func rawDoc(t testing.TB, d any) bson.Raw {
	t.Helper()
	raw, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
