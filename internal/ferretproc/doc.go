// Package ferretproc builds, finds and runs FerretDB's full ferretdb binary as a child process on
// SQLite, with or without authentication. It does not import FerretDB: motortest (root module) and
// github.com/gomotor/motor/embedded (its own module) both run the server through it. Clients reach
// the child through the conformance front (internal/front), which listens on Config.Addr, unless
// Config.Raw is set.
package ferretproc
