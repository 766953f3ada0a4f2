package motortest

import "testing"

// TestMain stops the shared server that the examples start, and checks for leaked goroutines.
func TestMain(m *testing.M) { Main(m) }
