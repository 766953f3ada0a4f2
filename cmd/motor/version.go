package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"go.mongodb.org/mongo-driver/v2/version"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/embedded"
)

// versionCommand is "motor version", which "motor --version" runs too.
func versionCommand() *command {
	return &command{
		name: "version", maxArgs: 0, local: true,
		summary: "Print the versions of motor, the Go driver and the embedded FerretDB",
		example: "motor version",
		setup: func(fs *flag.FlagSet) action {
			return func(s *session, args []string) (op, error) {
				return func(context.Context, *motor.Database) (any, error) {
					printVersion(s.stdio.out)
					return nil, nil
				}, nil
			}
		},
	}
}

// printVersion prints motor's version (its module's, "(devel)" when built from a checkout, with the commit when
// the build knows it), the driver's and the embedded FerretDB's, and the Go toolchain's.
func printVersion(w io.Writer) {
	v, rev := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	fmt.Fprintf(w, "motor %s%s\n", v, rev)
	fmt.Fprintf(w, "go.mongodb.org/mongo-driver/v2 v%s\n", version.Driver)
	fmt.Fprintf(w, "FerretDB %s (embedded, SQLite)\n", embedded.FerretDBVersion)
	fmt.Fprintf(w, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
