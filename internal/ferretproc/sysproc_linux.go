package ferretproc

import "syscall"

// sysProcAttr makes the kernel kill the child if this process dies without calling Close.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
