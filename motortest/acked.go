package motortest

import "testing"

// ExactlyOnce fails the test for each id of acked (the _ids of acknowledged inserts) that is not in stored (the
// _ids found in the collection afterwards) exactly once: a write lost, or applied twice.
func ExactlyOnce[T comparable](tb testing.TB, acked, stored []T) {
	tb.Helper()
	seen := make(map[T]int, len(stored))
	for _, id := range stored {
		seen[id]++
	}
	for _, id := range acked {
		if seen[id] != 1 {
			tb.Errorf("acknowledged insert %v is there %d times", id, seen[id])
		}
	}
}
