//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ferretproc

import (
	"context"
	"os"
)

// lockFile does not lock on this system: concurrent processes may build the binary at the same
// time, and the last rename wins, which is still safe.
func lockFile(ctx context.Context, path string) (func(), error) {
	return func() {}, ctx.Err()
}

// tryLockFile creates path and does not lock it on this system: only one server per data directory is the
// caller's duty here.
func tryLockFile(path string) (unlock func(), held bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, err
	}
	return func() { _ = f.Close() }, false, nil
}
