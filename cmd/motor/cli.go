package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/term"

	"github.com/gomotor/motor"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1 // the server refused, or could not be reached or started
	exitUsage   = 2 // bad flags, arguments or JSON
	defaultDB   = "test"
	envURI      = "MONGODB_URI"
	programName = "motor"
)

// stdio is what a run reads and writes: the process's own, or buffers in tests.
type stdio struct {
	in     io.Reader
	out    io.Writer
	err    io.Writer
	getenv func(string) string
}

// usageError is a mistake in the command line or its JSON: exit code 2. detail, if set, follows the message on
// lines of its own (the line of bad JSON, with a caret).
type usageError struct {
	msg    string
	detail string
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// globals are the flags that every subcommand takes.
type globals struct {
	uri       string
	data      string
	db        string
	canonical bool
	timeout   time.Duration
}

// register adds the global flags to fs.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.uri, "uri", "", "connection string of a MongoDB server (default $"+envURI+"; without either, the embedded server)")
	fs.StringVar(&g.data, "data", "", "data directory of the embedded server (default "+defaultDataDirHelp()+")")
	fs.StringVar(&g.db, "db", defaultDB, "database")
	fs.BoolVar(&g.canonical, "canonical", false, "print canonical Extended JSON (default relaxed, with int64 values marked when piped)")
	fs.DurationVar(&g.timeout, "timeout", 0, "bound the whole command on the client, connecting included, e.g. 5s (0: no bound; an unreachable server fails after the URI's serverSelectionTimeoutMS, else 10s)")
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, io *stdio) int {
	if len(args) == 0 {
		topUsage(io.err)
		return exitUsage
	}
	// Global flags may come before the subcommand too (motor --db shop find orders): they are handed to it.
	lead := flag.NewFlagSet(programName, flag.ContinueOnError)
	lead.SetOutput(io.err)
	lead.Usage = func() {}
	new(globals).register(lead)
	showVersion := lead.Bool("version", false, "print the versions of motor, the driver and the embedded FerretDB")
	if err := lead.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			topUsage(io.out) // motor --help, as motor help
			return exitOK
		}
		fmt.Fprintf(io.err, "Run '%s help' for usage.\n", programName)
		return exitUsage
	}
	if *showVersion {
		printVersion(io.out)
		return exitOK
	}
	if lead.NArg() == 0 {
		topUsage(io.err)
		return exitUsage
	}
	global := args[:len(args)-lead.NArg()]
	name, rest := lead.Arg(0), append(slices.Clip(global), lead.Args()[1:]...)
	switch name {
	case "help", "-h", "-help", "--help":
		if topics := lead.Args()[1:]; len(topics) == 1 {
			if c := lookup(topics[0]); c != nil {
				fs, _ := c.flagSet(new(globals))
				c.usage(io.out, fs)
				return exitOK
			}
		}
		topUsage(io.out)
		return exitOK
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(io.err, "%s: unknown subcommand %q\n", programName, name)
		if s := suggest(name); s != "" {
			fmt.Fprintf(io.err, "Did you mean %q?\n", s)
		}
		fmt.Fprintf(io.err, "Run '%s help' for the list.\n", programName)
		return exitUsage
	}

	g := new(globals)
	fs, act := c.flagSet(g)
	pos, err := parseInterleaved(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		c.usage(io.out, fs)
		return exitOK
	}
	if err == nil && (len(pos) < c.minArgs || (c.maxArgs >= 0 && len(pos) > c.maxArgs)) {
		err = usageErrorf("%s", argCountMessage(c, len(pos)))
	}
	if err == nil && g.timeout < 0 {
		err = usageErrorf("--timeout must not be negative")
	}
	if err == nil {
		if g.timeout > 0 {
			// A timer that cancels the command, not a context deadline: the driver would send a deadline to the
			// server as maxTimeMS, which some commands refuse on FerretDB (distinct), and --max-time is the
			// server's bound where a subcommand has one.
			var cancel context.CancelCauseFunc
			ctx, cancel = context.WithCancelCause(ctx)
			defer cancel(nil)
			defer time.AfterFunc(g.timeout, func() { cancel(fmt.Errorf("--timeout %v exceeded", g.timeout)) }).Stop()
		}
		s := &session{stdio: io, g: g, cmd: c}
		err = s.explain(ctx, s.run(ctx, act, pos))
		if err != nil && g.timeout > 0 && ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", err, context.Cause(ctx))
		}
		s.close()
	}
	return report(io.err, c, err)
}

// run checks the arguments, connects unless the subcommand is local, runs it and prints its result (also when it
// returns an error with it, as validate-collection does for an invalid collection).
func (s *session) run(ctx context.Context, act action, args []string) error {
	o, err := act(s, args)
	if err != nil {
		return err
	}
	var db *motor.Database
	if !s.cmd.local {
		if db, err = s.database(ctx); err != nil {
			return err
		}
	}
	out, err := o(ctx, db)
	if err != nil {
		if r, ok := out.(bson.Raw); !ok || r == nil {
			return err // nothing to print
		}
	}
	if perr := s.print(ctx, out); err == nil {
		err = perr
	}
	return err
}

// report prints err as one line (and a usage hint or detail for usage errors) and returns the exit code.
func report(w io.Writer, c *command, err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(w, "%s %s: %s\n", programName, c.name, oneLine(ue.msg))
		if ue.detail != "" {
			fmt.Fprintln(w, ue.detail)
		}
		fmt.Fprintf(w, "Run '%s %s --help' for usage.\n", programName, c.name)
		return exitUsage
	}
	if errors.Is(err, motor.ErrInvalidOption) || errors.Is(err, motor.ErrInvalidName) {
		// Refused by motor before any I/O: the command line asked for something impossible.
		fmt.Fprintf(w, "%s %s: %s\n", programName, c.name, oneLine(strings.TrimPrefix(err.Error(), "motor: ")))
		return exitUsage
	}
	fmt.Fprintf(w, "%s %s: %s\n", programName, c.name, oneLine(strings.TrimPrefix(err.Error(), "motor: ")))
	return exitFailed
}

// oneLine joins the lines of an error message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// parseInterleaved parses fs's flags wherever they are among the positional arguments (motor find orders --limit 2),
// until "--", and returns the positional arguments. A lone "-" is positional (stdin).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{msg: err.Error()}
		}
		consumed := len(args) - len(fs.Args())
		terminated := consumed > 0 && args[consumed-1] == "--" // fs.Parse swallowed a "--": the rest is positional
		args = fs.Args()
		if terminated {
			return append(pos, args...), nil
		}
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0]) // fs.Parse stopped at it
		args = args[1:]
	}
}

// argCountMessage explains a wrong number of positional arguments.
func argCountMessage(c *command, n int) string {
	if c.args == "" {
		return fmt.Sprintf("takes no arguments, got %d", n)
	}
	if n < c.minArgs {
		return fmt.Sprintf("missing arguments: usage is %s %s %s", programName, c.name, c.args)
	}
	return fmt.Sprintf("too many arguments (%d): usage is %s %s %s", n, programName, c.name, c.args)
}

// suggest returns the subcommand closest to a mistyped name, or "".
func suggest(name string) string {
	best, bestD := "", 4
	for _, c := range commands() {
		if d := distance(name, c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
