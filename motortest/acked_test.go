package motortest

import "testing"

// errorsTB counts Errorf calls.
type errorsTB struct {
	testing.TB
	n int
}

func (e *errorsTB) Helper()               {}
func (e *errorsTB) Errorf(string, ...any) { e.n++ }

func TestExactlyOnce(t *testing.T) {
	for _, tc := range []struct {
		acked, stored []int
		want          int
	}{
		{[]int{1, 2}, []int{1, 2, 3}, 0}, // an unacknowledged write may have landed
		{[]int{1, 2}, []int{1}, 1},       // lost
		{[]int{1, 2}, []int{1, 2, 2}, 1}, // applied twice
	} {
		tb := &errorsTB{TB: t}
		ExactlyOnce(tb, tc.acked, tc.stored)
		if tb.n != tc.want {
			t.Errorf("ExactlyOnce(%v, %v) reported %d errors, want %d", tc.acked, tc.stored, tb.n, tc.want)
		}
	}
}
