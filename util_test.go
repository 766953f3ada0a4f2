package motor_test

import (
	"testing"

	"github.com/gomotor/motor/motortest"
	"reflect"
	"strings"
)

func reflectTypeOf(v any) reflect.Type { return reflect.TypeOf(v) }
func boolPtr(b bool) *bool             { return &b }
func contains(s, sub string) bool      { return strings.Contains(s, sub) }

func uriOf(t testing.TB) string { return motortest.URI(t) }
