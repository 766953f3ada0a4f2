//go:build unix

package main

import (
	"os"
	"syscall"
)

// detached makes a background server a session leader: the terminal's Ctrl-C and hangup do not reach it.
func detached() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}

// interrupt asks the server p to stop, as Ctrl-C does.
func interrupt(p *os.Process) error {
	return p.Signal(os.Interrupt)
}
