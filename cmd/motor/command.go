package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
)

// command is a subcommand: its usage, and setup, which registers its own flags and returns what it does.
type command struct {
	name    string
	args    string // the positional arguments, for usage
	summary string // one line, for "motor help"
	motor   string // the Motor method it runs, or ""
	example string // shown by --help
	minArgs int
	maxArgs int  // -1: any number
	local   bool // the op needs no database (serve, stop)
	setup   func(fs *flag.FlagSet) action
}

// action checks a subcommand's positional arguments and the flags that setup registered, before any I/O, and returns
// what the subcommand does.
type action func(s *session, args []string) (op, error)

// op runs a subcommand on the --db database (nil for a local subcommand) and returns what to print: nothing (nil), a
// document, a list of documents, a cursor's documents, names one per line ([]string) or a line of text.
type op func(ctx context.Context, db *motor.Database) (any, error)

// text is a line of plain output.
type text string

// lookup returns the subcommand name, or nil.
func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// globalFlags are the flags of every subcommand, listed apart in usage.
var globalFlags = []string{"uri", "data", "db", "canonical", "timeout"}

// flagSet returns the subcommand's flag set with the global flags bound to g, and its action.
func (c *command) flagSet(g *globals) (*flag.FlagSet, action) {
	fs := flag.NewFlagSet(programName+" "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, usage by usage
	g.register(fs)
	return fs, c.setup(fs)
}

// usage prints the subcommand's help: synopsis, summary, example and flags.
func (c *command) usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s %s", programName, c.name)
	if c.args != "" {
		fmt.Fprintf(w, " %s", c.args)
	}
	fmt.Fprintf(w, " [flags]\n\n%s.\n", c.summary)
	if c.motor != "" {
		fmt.Fprintf(w, "Motor: %s\n", c.motor)
	}
	fmt.Fprintf(w, "\nExample:\n")
	for _, l := range strings.Split(c.example, "\n") {
		fmt.Fprintf(w, "  %s\n", l)
	}
	var own, global strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		b := &own
		if slices.Contains(globalFlags, f.Name) {
			b = &global
		}
		typ, text := flag.UnquoteUsage(f)
		fmt.Fprintf(b, "  --%s", f.Name)
		if typ != "" {
			fmt.Fprintf(b, " %s", typ)
		}
		fmt.Fprintf(b, "\n      %s", text)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" && !strings.Contains(text, "(default") {
			fmt.Fprintf(b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	if own.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", own.String())
	}
	fmt.Fprintf(w, "\nGlobal flags:\n%s", global.String())
}

// topUsage prints the list of subcommands.
func topUsage(w io.Writer) {
	fmt.Fprintf(w, `Usage: %[1]s SUBCOMMAND [flags] [arguments]

%[1]s runs Motor's database API from a shell. Documents go in and out as MongoDB Extended JSON: relaxed, pretty
and coloured on a terminal; one per line when piped, relaxed with int64 values written {"$numberLong": "..."}, so
that "%[1]s find | %[1]s insert" keeps every BSON type; canonical with --canonical. An argument "-" is read from stdin.

The server is --uri, else $%[2]s, else the embedded FerretDB on SQLite with its data in --data (default
%[3]s), started in the background on first use and stopped after %[4]d minutes
without a client or by "%[1]s stop".

Subcommands:
`, programName, envURI, defaultDataDirHelp(), int(autoIdleTimeout.Minutes()))
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-22s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Run '%[1]s SUBCOMMAND --help' for its flags and an example; '%[1]s --version' prints the versions.
Exit codes: 0 success, 1 the server refused or could not be reached or resolved, 2 usage error.
`, programName)
}

// explain adds a hint to err when the server is FerretDB (the embedded server, or another) and err is one of its
// known gaps: a command it lacks, $eval (it drops the connection), or a key that starts with '$'.
func (s *session) explain(ctx context.Context, err error) error {
	if err == nil || s.db == nil {
		return err
	}
	var hint string
	var ce mongo.CommandError
	switch {
	case strings.Contains(err.Error(), "key must not start with '$'") || strings.Contains(err.Error(), "keys that start with '$'"):
		hint = "FerretDB, the embedded server, refuses keys that start with '$', such as a stored DBRef's $ref; " +
			"use MongoDB with --uri, or store references as plain fields"
	case errors.As(err, &ce) && ce.Code == 59: // CommandNotFound
		hint = "FerretDB, the embedded server, lacks this command; run it against MongoDB with --uri or " + envURI
	case errors.As(err, &ce) && (ce.Code == 115 || ce.Code == 238): // CommandNotSupported, NotImplemented: an operator, stage, field or option
		hint = "FerretDB, the embedded server, does not implement this yet; run it against MongoDB with --uri or " + envURI
	case s.cmd.name == "eval":
		hint = "FerretDB, the embedded server, has no JavaScript; run it against MongoDB 4.0 or older with --uri"
	case strings.Contains(err.Error(), "connection closed unexpectedly"):
		hint = "FerretDB, the embedded server, closes the connection on what it cannot handle, such as Decimal128 " +
			"values; run it against MongoDB with --uri or " + envURI
	default:
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	info, berr := s.db.Command(ctx, "buildInfo", nil)
	if berr != nil {
		return err
	}
	for _, e := range info {
		if e.Key == "ferretdbVersion" {
			return fmt.Errorf("%w (%s)", err, hint)
		}
	}
	return err
}

// print prints what an op returned.
func (s *session) print(ctx context.Context, v any) error {
	p := s.printer()
	switch v := v.(type) {
	case nil:
		return nil
	case text:
		return p.line(string(v))
	case []string:
		for _, l := range v {
			if err := p.line(l); err != nil {
				return err
			}
		}
		return nil
	case []bson.Raw:
		for _, d := range v {
			if err := p.doc(d); err != nil {
				return err
			}
		}
		return nil
	case bson.RawValue:
		return p.value(v)
	case []bson.RawValue:
		for _, x := range v {
			if err := p.value(x); err != nil {
				return err
			}
		}
		return nil
	case *motor.Cursor:
		defer v.Close(context.WithoutCancel(ctx))
		for v.Next(ctx) {
			if err := p.doc(v.Current()); err != nil {
				return err
			}
		}
		return v.Err()
	}
	return p.doc(v)
}
