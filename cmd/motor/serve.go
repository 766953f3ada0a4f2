package main

// The embedded server of a data directory. "motor serve" runs it in the foreground; any other subcommand without
// --uri or MONGODB_URI finds the one running for its data directory, or starts "motor serve" in the background:
//
//   - motor serve locks the data directory (embedded.Start does), then writes DIR/.motor-serve.json with its URI and
//     process id, and removes that file when it stops.
//   - A client trusts the state file only while the directory's lock is held (a server crashed otherwise) and its
//     address answers, and then touches the file: its modification time is the server's last use.
//   - Otherwise the client starts "motor serve --idle-timeout 30m" detached, logging to DIR/.motor-serve.log, says so
//     in one line on stderr and waits for the state file. Such a server stops after 30 minutes without a client,
//     or with "motor stop". Two clients that start one at the same time are safe: the second server finds the
//     directory locked and exits, and both clients use the first.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/embedded"
	"github.com/gomotor/motor/internal/ferretproc"
)

const (
	stateName = ".motor-serve.json" // the running server's URI and process id, in the data directory
	logName   = ".motor-serve.log"  // the log of a server started in the background

	// autoIdleTimeout stops a server that a client started in the background once no client used it for that long.
	autoIdleTimeout = 30 * time.Minute

	// autoStartTimeout bounds the wait for a server started in the background.
	autoStartTimeout = time.Minute

	// stopTimeout bounds motor stop's wait; FerretDB gives clients 3 seconds to disconnect.
	stopTimeout = 15 * time.Second
)

// state is the content of the state file.
type state struct {
	URI      string    `json:"uri"`
	PID      int       `json:"pid"`
	FerretDB string    `json:"ferretdb"`
	Started  time.Time `json:"started"`
}

// defaultDataDir returns the per-user data directory: $XDG_DATA_HOME/gomotor/data, else on Linux and other Unix
// systems ~/.local/share/gomotor/data, on macOS ~/Library/Application Support/gomotor/data and on Windows
// %LocalAppData%\gomotor\data.
func defaultDataDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "gomotor", "data"), nil
	}
	switch runtime.GOOS {
	case "windows", "darwin":
		base, err := os.UserConfigDir() // %AppData% on Windows, ~/Library/Application Support on macOS
		if runtime.GOOS == "windows" {
			base, err = os.UserCacheDir() // %LocalAppData%
		}
		if err != nil {
			return "", err
		}
		return filepath.Join(base, "gomotor", "data"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share", "gomotor", "data"), nil
}

// defaultDataDirHelp describes the default data directory for usage texts, the same on every machine.
func defaultDataDirHelp() string {
	switch runtime.GOOS {
	case "windows":
		return `%LocalAppData%\gomotor\data`
	case "darwin":
		return "~/Library/Application Support/gomotor/data"
	}
	return "$XDG_DATA_HOME/gomotor/data or ~/.local/share/gomotor/data"
}

// dataDir returns the absolute data directory: --data, else the default.
func (s *session) dataDir() (string, error) {
	dir := s.g.data
	if dir == "" {
		var err error
		if dir, err = defaultDataDir(s.getenv); err != nil {
			return "", fmt.Errorf("no data directory (use --data DIR): %w", err)
		}
	}
	return filepath.Abs(dir)
}

// running returns the state of the server running for dir, if one is, and marks it used.
func running(dir string) (*state, bool) {
	b, err := os.ReadFile(filepath.Join(dir, stateName))
	if err != nil {
		return nil, false
	}
	var st state
	if json.Unmarshal(b, &st) != nil || st.URI == "" {
		return nil, false
	}
	if !locked(dir) {
		return nil, false // a server crashed and left its state file
	}
	u, err := url.Parse(st.URI)
	if err != nil {
		return nil, false
	}
	c, err := net.DialTimeout("tcp", u.Host, time.Second)
	if err != nil {
		return nil, false
	}
	_ = c.Close()
	now := time.Now()
	_ = os.Chtimes(filepath.Join(dir, stateName), now, now)
	return &st, true
}

// locked reports whether a server holds the data directory dir.
func locked(dir string) bool {
	d, err := ferretproc.OpenData(dir)
	if err != nil {
		return errors.Is(err, ferretproc.ErrDataInUse)
	}
	_ = d.Release()
	return false
}

// embeddedURI returns the URI of the embedded server for the data directory, starting it in the background if none
// is running.
func (s *session) embeddedURI(ctx context.Context) (string, error) {
	dir, err := s.dataDir()
	if err != nil {
		return "", err
	}
	if st, ok := running(dir); ok {
		return st.URI, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	fmt.Fprintf(s.err, "%s: starting the embedded server (FerretDB %s on SQLite) for %s...\n", programName, embedded.FerretDBVersion, dir)

	ctx, cancel := context.WithTimeout(ctx, autoStartTimeout)
	defer cancel()
	exited, err := startBackground(dir)
	if err != nil {
		return "", err
	}
	starts := 1
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if st, ok := running(dir); ok {
			return st.URI, nil
		}
		select {
		case <-exited:
			// It failed, perhaps because another client's server took the directory first; that one will write the
			// state file. If nobody holds the directory, try again (a client's lock probe may have been in the way).
			exited = nil
			if !locked(dir) && starts < 3 {
				starts++
				if exited, err = startBackground(dir); err != nil {
					return "", err
				}
			}
		case <-ctx.Done():
			return "", fmt.Errorf("the embedded server did not start for %s (%v)%s", dir, context.Cause(ctx), logTail(dir))
		case <-tick.C:
		}
		if exited == nil && !locked(dir) && starts >= 3 {
			return "", fmt.Errorf("the embedded server did not start for %s%s", dir, logTail(dir))
		}
	}
}

// startBackground starts "motor serve" for dir, detached from this process and its terminal, logging to
// DIR/.motor-serve.log. The channel is closed when it exits.
func startBackground(dir string) (<-chan struct{}, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start the embedded server: %w", err)
	}
	log, err := os.OpenFile(filepath.Join(dir, logName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("start the embedded server: %w", err)
	}
	defer log.Close()
	cmd := exec.Command(exe, "serve", "--data", dir, "--idle-timeout", autoIdleTimeout.String())
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Dir = dir
	cmd.SysProcAttr = detached()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the embedded server: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	return exited, nil
}

// logTail returns the last lines of the background server's log, as a suffix for an error.
func logTail(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, logName))
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	lines = lines[max(0, len(lines)-3):]
	return ": " + strings.Join(lines, "; ") + " (see " + filepath.Join(dir, logName) + ")"
}

// serveCommand is "motor serve".
func serveCommand() *command {
	return &command{
		name: "serve", maxArgs: 0, local: true,
		summary: "Run the embedded server in the foreground for other clients (mongosh, PyMongo, drivers)",
		example: "motor serve --port 27017   # then: mongosh mongodb://127.0.0.1:27017/",
		setup: func(fs *flag.FlagSet) action {
			port := fs.Int("port", 0, "TCP `port` on 127.0.0.1 (0: a free one)")
			idle := fs.Duration("idle-timeout", 0, "stop after this long without a client command (0: never)")
			return func(s *session, args []string) (op, error) {
				if *port < 0 || *port > 65535 {
					return nil, usageErrorf("--port must be between 0 and 65535")
				}
				return func(ctx context.Context, _ *motor.Database) (any, error) {
					return nil, s.serve(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)), *idle)
				}, nil
			}
		},
	}
}

// serve runs the server for the data directory until ctx is done (Ctrl-C) or it is idle for idle.
func (s *session) serve(ctx context.Context, addr string, idle time.Duration) error {
	dir, err := s.dataDir()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := embedded.Start(ctx, &embedded.Options{Dir: dir, Addr: addr, Logger: logger})
	if err != nil {
		if st, ok := running(dir); ok {
			return fmt.Errorf("a server for %s is already running at %s (pid %d; '%s stop --data %s' stops it)", dir, st.URI, st.PID, programName, dir)
		}
		return err
	}
	st := state{URI: srv.URI(), PID: os.Getpid(), FerretDB: embedded.FerretDBVersion, Started: time.Now().UTC()}
	if err := writeState(dir, &st); err != nil {
		_ = srv.Close()
		return err
	}
	fmt.Fprintln(s.stdio.out, srv.URI())
	fmt.Fprintf(s.err, "%s serve: FerretDB %s on SQLite, data in %s; Ctrl-C stops it\n", programName, embedded.FerretDBVersion, dir)

	var idleC <-chan time.Time
	if idle > 0 {
		t := time.NewTicker(min(idle/4, 30*time.Second))
		defer t.Stop()
		idleC = t.C
	}
	reason := "stopped"
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case <-idleC:
			if fi, err := os.Stat(filepath.Join(dir, stateName)); err == nil && time.Since(fi.ModTime()) > idle {
				reason = fmt.Sprintf("stopped after %v without a client", idle)
				break wait
			}
		}
	}
	removeState(dir, st.PID)
	err = srv.Close()
	fmt.Fprintf(s.err, "%s serve: %s\n", programName, reason)
	return err
}

// writeState writes the state file atomically.
func writeState(dir string, st *state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, stateName+".tmp"+strconv.Itoa(st.PID))
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write the state file: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, stateName)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write the state file: %w", err)
	}
	return nil
}

// removeState removes the state file if the process pid wrote it.
func removeState(dir string, pid int) {
	p := filepath.Join(dir, stateName)
	b, err := os.ReadFile(p)
	if err != nil {
		return
	}
	var st state
	if json.Unmarshal(b, &st) == nil && st.PID == pid {
		_ = os.Remove(p)
	}
}

// stopCommand is "motor stop".
func stopCommand() *command {
	return &command{
		name: "stop", maxArgs: 0, local: true,
		summary: "Stop the embedded server running for the data directory",
		example: "motor stop --data ./data",
		setup: func(fs *flag.FlagSet) action {
			return func(s *session, args []string) (op, error) {
				return func(ctx context.Context, _ *motor.Database) (any, error) {
					return nil, s.stop(ctx)
				}, nil
			}
		},
	}
}

// stop stops the server running for the data directory and waits for it to release the directory.
func (s *session) stop(ctx context.Context) error {
	dir, err := s.dataDir()
	if err != nil {
		return err
	}
	st, ok := running(dir)
	if !ok {
		fmt.Fprintf(s.err, "%s stop: no server is running for %s\n", programName, dir)
		return nil
	}
	p, err := os.FindProcess(st.PID)
	if err == nil {
		err = interrupt(p)
	}
	if err != nil {
		return fmt.Errorf("stop the server (pid %d): %w", st.PID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, stopTimeout)
	defer cancel()
	for locked(dir) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("the server (pid %d) did not stop within %v", st.PID, stopTimeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
	fmt.Fprintf(s.err, "%s stop: stopped the server at %s\n", programName, st.URI)
	return nil
}
