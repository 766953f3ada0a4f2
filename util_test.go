package motor_test

import (
	"context"
	"testing"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
	"reflect"
	"strings"
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
