package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no goroutine is left running after the tests (goleak). The end-to-end test checks that no
// server process is left running.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goroutines left running after the tests: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}
