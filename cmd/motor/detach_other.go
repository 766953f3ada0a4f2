//go:build !unix

package main

import (
	"os"
	"syscall"
)

// detached starts a background server in the default way on this system.
func detached() *syscall.SysProcAttr {
	return nil
}

// interrupt stops the server p; this system cannot send it an interrupt, so it is killed, and its state file stays
// until the next start replaces it.
func interrupt(p *os.Process) error {
	return p.Kill()
}
