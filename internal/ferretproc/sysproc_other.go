//go:build !linux

package ferretproc

import "syscall"

// sysProcAttr returns the child's process attributes: none beyond the defaults on this system.
func sysProcAttr() *syscall.SysProcAttr {
	return nil
}
