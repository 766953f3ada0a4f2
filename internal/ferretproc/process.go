package ferretproc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gomotor/motor/internal/front"
)

const (
	// startTimeout bounds how long Start waits for the child to listen, on top of ctx.
	startTimeout = time.Minute

	// stopTimeout is how long Stop waits after SIGTERM before it sends SIGKILL.
	// FerretDB itself waits up to 3 seconds for clients to disconnect.
	stopTimeout = 10 * time.Second

	// passwordEnv carries the password to the child, so that it is not on its command line.
	// FerretDB's flags all have FERRETDB_ environment variables (kong.DefaultEnvars).
	passwordEnv = "FERRETDB_SETUP_PASSWORD"

	// listeningMsg starts the message that FerretDB logs once its TCP listener is bound,
	// followed by the address and "...". Setup (the initial user) is done by then.
	listeningMsg = "Listening on TCP "

	// redacted replaces the password in FerretDB's log records.
	redacted = "[REDACTED]"
)

// Config configures [Start]. A nil *Config means the zero value.
type Config struct {
	// Dir is the SQLite data directory, created if missing and kept by Stop.
	// "" means a new temporary directory that Stop removes.
	Dir string

	// Addr is the TCP address to listen on, "host:port". "" means 127.0.0.1 and a port the kernel picks.
	Addr string

	// Logger receives the child's log records, with the password redacted. nil discards them.
	// A Logger that enables slog.LevelDebug makes FerretDB log every request and reply.
	Logger *slog.Logger

	// Auth turns on authentication. nil means none.
	Auth *Auth

	// Raw connects clients to FerretDB itself, without the conformance front (internal/front) that otherwise
	// listens on Addr and relays every connection to FerretDB. For tests that study FerretDB's own answers.
	Raw bool
}

// Auth is FerretDB's --test-enable-new-auth mode with one initial user on the admin database.
// The password travels in the child's environment, never on its command line.
type Auth struct {
	Username string // must not be empty
	Password string // must not be empty
}

// Process is a running ferretdb child process. Its methods are safe for concurrent use.
type Process struct {
	addr    string // where clients connect: the front's address, or FerretDB's when raw
	server  string // FerretDB's own address
	front   *front.Front
	version string
	auth    bool

	stop     func() error // stops the child and waits for it; called once
	stopOnce sync.Once
	stopErr  error
	kill     func() // kills the child (SIGKILL) and waits for it
	killed   atomic.Bool
}

// Kill kills the child at once (SIGKILL), as a crash would, closes the front and waits for the child to exit. FerretDB gets no chance to
// finish what it is doing. Stop must still be called, to release the data directory.
func (p *Process) Kill() {
	p.killed.Store(true)
	p.kill()
	if p.front != nil {
		_ = p.front.Close() // a crash takes the whole server down: its address refuses connections
	}
}

// Addr returns the address clients connect to, "127.0.0.1:PORT": the conformance front's, or FerretDB's own with
// Config.Raw.
func (p *Process) Addr() string { return p.addr }

// ServerAddr returns FerretDB's own address, behind the front. It is Addr with Config.Raw.
func (p *Process) ServerAddr() string { return p.server }

// Version returns the FerretDB version that the binary reports.
func (p *Process) Version() string { return p.version }

// Auth reports whether the child runs with authentication.
func (p *Process) Auth() bool { return p.auth }

// Stop closes the front and its connections, stops the child (SIGTERM, then SIGKILL after 10 seconds), waits for it and removes the
// temporary data directory if Start created one. It returns an error if the child had already
// exited. Calling Stop again, even concurrently, waits for the first call and returns its error.
func (p *Process) Stop() error {
	p.stopOnce.Do(func() {
		p.stopErr = p.stop()
	})
	return p.stopErr
}

// Start runs the ferretdb binary from [BinaryPath] on SQLite, listening on 127.0.0.1, and
// returns once it accepts connections. ctx bounds the start only; a nil ctx is an error.
//
// It listens on port 0 and reads the port that the kernel picked from FerretDB's log,
// so no other process can take the port between a probe and FerretDB's bind.
// Errors have no prefix (callers add theirs), may end with the last warnings and errors that
// FerretDB logged, and never contain the password.
func Start(ctx context.Context, cfg *Config) (*Process, error) {
	if ctx == nil {
		return nil, errors.New("nil context")
	}
	if cfg == nil {
		cfg = new(Config)
	}
	if a := cfg.Auth; a != nil {
		if a.Username == "" {
			return nil, errors.New("auth username is empty")
		}
		if a.Password == "" {
			return nil, errors.New("auth password is empty")
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}

	bin, err := BinaryPath(ctx)
	if err != nil {
		return nil, err
	}
	version, err := binaryVersion(ctx, bin)
	if err != nil {
		return nil, err
	}

	data, err := OpenData(cfg.Dir)
	if err != nil {
		return nil, err
	}
	serverAddr := cfg.Addr
	if !cfg.Raw {
		serverAddr = "" // the front listens on cfg.Addr
	}
	p, err := startProcess(ctx, bin, data.Path, serverAddr, cfg.Logger, cfg.Auth)
	if err != nil {
		_ = data.Release()
		return nil, err
	}
	p.version = version
	stop := p.stop
	p.stop = func() error { return errors.Join(stop(), data.Release()) }
	if !cfg.Raw {
		f, err := front.Start(cfg.Addr, p.server)
		if err != nil {
			return nil, errors.Join(err, p.Stop())
		}
		p.front, p.addr = f, f.Addr()
		p.stop = func() error { return errors.Join(f.Close(), stop(), data.Release()) }
	}
	return p, nil
}

// args returns the ferretdb command line (without the binary) for a SQLite data directory dir, a
// listening address addr ("" for 127.0.0.1:0), a log level and, if auth is not nil, authentication; the password is
// not in it (see passwordEnv).
func args(dir, addr string, level slog.Level, auth *Auth) []string {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	args := []string{
		"--handler=sqlite",
		"--sqlite-url=" + SQLiteURL(dir),
		"--listen-addr=" + addr,
		"--state-dir=-",
		"--telemetry=disable",
		"--debug-addr=-",
		"--log-format=json",
		"--log-level=" + level.String(),
	}
	if auth != nil {
		args = append(args,
			"--test-enable-new-auth",
			"--setup-database=admin",
			"--setup-username="+auth.Username,
		)
	}
	return args
}

// startProcess runs bin on the data directory dir, listening on addr ("" for 127.0.0.1:0).
func startProcess(ctx context.Context, bin, dir, addr string, logger *slog.Logger, auth *Auth) (*Process, error) {
	// Info is the least that shows the listening message; the sink filters by the logger's level.
	level := slog.LevelInfo
	if logger != nil && logger.Enabled(ctx, slog.LevelDebug) {
		level = slog.LevelDebug
	}

	var password string
	cmd := exec.Command(bin, args(dir, addr, level, auth)...)
	cmd.Env = childEnv()
	if auth != nil {
		password = auth.Password
		cmd.Env = append(cmd.Env, passwordEnv+"="+password)
	}
	sink := newLogSink(logger, password)
	cmd.Dir = dir
	cmd.Stderr = sink
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start ferretdb: %w", err)
	}

	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		sink.flush()
		close(exited)
	}()
	kill := func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()

	select {
	case addr = <-sink.listening: // the address bound, with the port the kernel picked
	case <-exited:
		return nil, fmt.Errorf("ferretdb exited during startup (%v)%s", waitErr, sink.tail())
	case <-ctx.Done():
		kill()
		return nil, fmt.Errorf("start ferretdb: %w%s", ctx.Err(), sink.tail())
	case <-timer.C:
		kill()
		return nil, fmt.Errorf("ferretdb did not listen within %v%s", startTimeout, sink.tail())
	}

	if err := WaitDial(ctx, addr, exited); err != nil {
		kill()
		return nil, fmt.Errorf("%w%s", err, sink.tail())
	}

	p := &Process{addr: addr, server: addr, auth: auth != nil, kill: kill}
	p.stop = func() error {
		select {
		case <-exited:
			if p.killed.Load() {
				return nil
			}
			return fmt.Errorf("ferretdb exited unexpectedly (%v)%s", waitErr, sink.tail())
		default:
		}

		if cmd.Process.Signal(syscall.SIGTERM) != nil { // not on Windows
			_ = cmd.Process.Kill()
		}
		t := time.NewTimer(stopTimeout)
		defer t.Stop()
		select {
		case <-exited:
		case <-t.C:
			kill()
		}
		return nil
	}

	return p, nil
}

// Data is a data directory held by one server: created if missing and locked, so that no other server of any
// process uses it at the same time (two FerretDB servers on the same SQLite files see different data, then fail).
type Data struct {
	// Path is the absolute path of the directory.
	Path string

	temp   bool
	unlock func()
}

// lockName is the lock file in a data directory.
const lockName = ".motor.lock"

// ErrDataInUse is the error of OpenData for a data directory that another server holds.
var ErrDataInUse = errors.New("the data directory is in use by another server")

// OpenData returns the data directory dir, created if missing and locked; "" means a new temporary directory
// "motor-ferretdb-*", removed by Release. A directory that another server holds, in this process or another, is an
// error wrapping ErrDataInUse that names it.
func OpenData(dir string) (*Data, error) {
	d := &Data{}
	if dir == "" {
		p, err := os.MkdirTemp("", "motor-ferretdb-*")
		if err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		d.Path, d.temp = p, true
	} else {
		p, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		if err = os.MkdirAll(p, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		d.Path = p
	}
	unlock, held, err := tryLockFile(filepath.Join(d.Path, lockName))
	switch {
	case err != nil:
		err = fmt.Errorf("lock data directory %s: %w", d.Path, err)
	case held:
		err = fmt.Errorf("%w: %s (stop the other server, or use another directory)", ErrDataInUse, d.Path)
	}
	if err != nil {
		if d.temp {
			_ = os.RemoveAll(d.Path)
		}
		return nil, err
	}
	d.unlock = unlock
	return d, nil
}

// Release unlocks the directory and removes it if OpenData made it. Call it once the server has stopped.
func (d *Data) Release() error {
	d.unlock()
	if !d.temp {
		return nil
	}
	if err := os.RemoveAll(d.Path); err != nil {
		return fmt.Errorf("remove data directory: %w", err)
	}
	return nil
}

// SQLiteURL returns FerretDB's SQLite URL for the absolute directory dir: a file URL ending in "/".
func SQLiteURL(dir string) string {
	p := filepath.ToSlash(dir)
	if p[len(p)-1] != '/' {
		p += "/"
	}
	if p[0] != '/' {
		p = "/" + p // a Windows drive letter
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// WaitDial dials addr until a connection succeeds, ctx is done or exited (which may be nil) is closed.
func WaitDial(ctx context.Context, addr string, exited <-chan struct{}) error {
	var d net.Dialer
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			_ = c.Close()
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("wait for ferretdb at %s: %w", addr, ctxErr)
		}

		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-exited:
			t.Stop()
			return fmt.Errorf("ferretdb exited before accepting connections at %s", addr)
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("wait for ferretdb at %s: %w", addr, ctx.Err())
		}
	}
}

// childEnv returns this process's environment without FerretDB's variables,
// which would otherwise change flags that the command line does not set.
func childEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "FERRETDB_")
	})
}

// logSink receives the child's stderr (JSON log records, or plain text such as a panic).
// It forwards records to a logger, remembers recent warnings and errors for error messages,
// and reports the listening address. The password is redacted before anything else.
type logSink struct {
	logger    *slog.Logger // nil discards
	redact    *strings.Replacer
	listening chan string // receives the listening address once

	partial []byte // an incomplete line; only the writing goroutine uses it

	mu       sync.Mutex
	recent   []string // recent warnings and errors, redacted and rendered
	listened bool
}

const (
	maxLine   = 1 << 20 // longer lines are split
	maxRecent = 8       // warnings and errors kept for error messages
	maxShown  = 400     // bytes of each kept line
)

// newLogSink returns a sink that redacts password, unless it is "" (no authentication).
func newLogSink(logger *slog.Logger, password string) *logSink {
	s := &logSink{
		logger:    logger,
		redact:    strings.NewReplacer(), // replaces nothing
		listening: make(chan string, 1),
	}
	if password != "" {
		quoted, _ := json.Marshal(password)
		escaped := string(quoted[1 : len(quoted)-1]) // the password inside a JSON string
		s.redact = strings.NewReplacer(password, redacted, escaped, redacted)
	}
	return s
}

// Write implements [io.Writer].
func (s *logSink) Write(p []byte) (int, error) {
	s.partial = append(s.partial, p...)
	rest := s.partial
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		s.line(rest[:i])
		rest = rest[i+1:]
	}
	if len(rest) > maxLine {
		s.line(rest)
		rest = nil
	}
	s.partial = append(s.partial[:0], rest...)
	return len(p), nil
}

// flush handles a last line without a newline; call it after the child's stderr is closed.
func (s *logSink) flush() {
	if len(s.partial) > 0 {
		s.line(s.partial)
		s.partial = nil
	}
}

// line handles one line of the child's stderr.
func (s *logSink) line(b []byte) {
	raw := s.redact.Replace(string(bytes.TrimRight(b, "\r")))
	if strings.TrimSpace(raw) == "" {
		return
	}

	ctx := context.Background()

	var rec map[string]any
	d := json.NewDecoder(strings.NewReader(raw))
	d.UseNumber()
	msg, isRec := "", false
	if d.Decode(&rec) == nil {
		msg, isRec = rec["msg"].(string)
	}
	if !isRec {
		s.keep(raw)
		if s.logger != nil {
			s.logger.LogAttrs(ctx, slog.LevelError, raw)
		}
		return
	}

	var level slog.Level
	if l, ok := rec["level"].(string); !ok || level.UnmarshalText([]byte(l)) != nil {
		level = slog.LevelInfo
	}

	if a, ok := strings.CutPrefix(msg, listeningMsg); ok {
		a = strings.TrimSuffix(a, "...")
		if _, _, err := net.SplitHostPort(a); err == nil {
			s.mu.Lock()
			if !s.listened {
				s.listened = true
				s.listening <- a
			}
			s.mu.Unlock()
		}
	}

	delete(rec, "time")
	delete(rec, "level")
	delete(rec, "msg")
	delete(rec, "source")
	keys := make([]string, 0, len(rec))
	for k := range rec {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	if level >= slog.LevelWarn {
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s %s", level, msg)
		for _, k := range keys {
			fmt.Fprintf(&sb, " %s=%v", k, rec[k])
		}
		s.keep(sb.String())
	}

	if s.logger != nil && s.logger.Enabled(ctx, level) {
		attrs := make([]slog.Attr, len(keys))
		for i, k := range keys {
			attrs[i] = slog.Any(k, rec[k])
		}
		s.logger.LogAttrs(ctx, level, msg, attrs...)
	}
}

// keep remembers a redacted line for error messages.
func (s *logSink) keep(line string) {
	if len(line) > maxShown {
		line = line[:maxShown] + "..."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recent = append(s.recent, line)
	if len(s.recent) > maxRecent {
		s.recent = slices.Delete(s.recent, 0, len(s.recent)-maxRecent)
	}
}

// tail returns the recent warnings and errors as a suffix for an error message, or "".
func (s *logSink) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.recent) == 0 {
		return ""
	}
	return ": ferretdb logged: " + strings.Join(s.recent, "; ")
}
