package main

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// result is what one client process reports for one workload: the last line of its standard output, as JSON.
// The Python and Node.js clients print the same fields.
type result struct {
	Ops     int     `json:"ops"`
	Seconds float64 `json:"seconds"` // wall time of the timed phase
	CPU     float64 `json:"cpu"`     // the process's user+system CPU seconds in the timed phase (getrusage)
	P50     float64 `json:"p50_us"`  // latency of one operation, nearest rank
	P99     float64 `json:"p99_us"`
	Mallocs float64 `json:"mallocs"` // Go clients: heap allocations in the timed phase (runtime.MemStats), else -1
	Error   string  `json:"error,omitempty"`
}

// opFunc runs one operation; i counts the operations of the phase, from 0, across all callers.
type opFunc func(ctx context.Context, i int) error

// phase says how long to run: warm-up first, untimed, then the timed phase; each lasts its duration and at least
// one operation (a zero warm-up is none), and each stops early after maxOps operations.
type phase struct {
	warmup, duration time.Duration
	conc, maxOps     int
}

// measure runs op with p.conc concurrent callers, warm-up first, and returns the timed phase's figures. The
// latency slots are allocated before the timed phase, so that the loop itself allocates nothing of its own.
func measure(ctx context.Context, op opFunc, p phase) result {
	if p.warmup > 0 {
		if err := loop(ctx, op, p.conc, p.warmup, p.maxOps, nil); err != nil {
			return result{Error: err.Error()}
		}
	}
	lat := make([]time.Duration, p.maxOps)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := cpuTime()
	start := time.Now()
	err := loop(ctx, op, p.conc, p.duration, p.maxOps, lat)
	elapsed := time.Since(start)
	cpu1 := cpuTime()
	runtime.ReadMemStats(&m1)
	if err != nil {
		return result{Error: err.Error()}
	}
	n := 0
	for _, d := range lat {
		if d > 0 {
			lat[n] = d
			n++
		}
	}
	lat = lat[:n]
	slices.Sort(lat)
	return result{
		Ops:     n,
		Seconds: elapsed.Seconds(),
		CPU:     (cpu1 - cpu0).Seconds(),
		P50:     us(nearestRank(lat, 50)),
		P99:     us(nearestRank(lat, 99)),
		Mallocs: float64(m1.Mallocs - m0.Mallocs),
	}
}

// loop runs op with conc callers until d has passed (and at least one operation ran) or maxOps operations ran,
// recording each latency in lat when lat is not nil. The first error stops every caller.
func loop(ctx context.Context, op opFunc, conc int, d time.Duration, maxOps int, lat []time.Duration) error {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		failed   atomic.Bool
	)
	deadline := time.Now().Add(d)
	for range conc {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= maxOps || (i > 0 && time.Now().After(deadline)) {
					return
				}
				t := time.Now()
				if err := op(ctx, i); err != nil {
					errOnce.Do(func() { firstErr = err })
					failed.Store(true)
					return
				}
				if lat != nil {
					lat[i] = max(time.Since(t), 1)
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// cpuTime returns the user+system CPU time this process has used (getrusage(RUSAGE_SELF)).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// nearestRank returns the p-th percentile of sorted by the driver benchmark specification's nearest-rank rule.
func nearestRank(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(float64(len(sorted))*p/100)) - 1
	return sorted[max(i, 0)]
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
