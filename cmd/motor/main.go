// Command motor runs the operations of Motor's database API from a shell, one subcommand per method, named like
// Motor's methods in kebab case (list_collection_names becomes list-collection-names), and serves the embedded
// MongoDB-wire server (FerretDB on SQLite) to other clients with "motor serve".
//
// Install it from a checkout of github.com/gomotor/motor with
//
//	go install ./cmd/motor
//
// Documents go in and out as MongoDB Extended JSON. Without --uri or MONGODB_URI, motor uses the embedded server
// for its data directory, starting it in the background on first use; see "motor help" for the subcommands and
// "motor SUBCOMMAND --help" for each one's flags and an example.
//
// Piped output keeps every BSON type: it is relaxed Extended JSON with int64 values written {"$numberLong": "..."},
// so that "motor find | motor insert -" copies documents exactly.
//
// Exit codes: 0 on success, 1 when the server refuses, cannot be reached or resolved, or --timeout runs out, 2 for a
// usage error only.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}
