//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ferretproc

import "context"

// lockFile does not lock on this system: concurrent processes may build the binary at the same
// time, and the last rename wins, which is still safe.
func lockFile(ctx context.Context, path string) (func(), error) {
	return func() {}, ctx.Err()
}
