//go:build !unix

package front_test

import "time"

// processCPU returns 0 where getrusage is missing: the benchmark then reports no CPU time.
func processCPU() time.Duration { return 0 }
