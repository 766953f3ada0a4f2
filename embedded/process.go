package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// startTimeout bounds how long Start waits for the child to listen, on top of ctx.
	startTimeout = time.Minute

	// stopTimeout is how long Close waits after SIGTERM before it sends SIGKILL.
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

// startProcess runs the ferretdb binary with authentication on.
//
// It listens on port 0 and reads the port that the kernel picked from FerretDB's log,
// so no other process can take the port between a probe and FerretDB's bind.
func startProcess(ctx context.Context, dir string, logger *slog.Logger, auth *Auth) (*Server, error) {
	bin, err := BinaryPath(ctx)
	if err != nil {
		return nil, err
	}
	version, err := binaryVersion(ctx, bin)
	if err != nil {
		return nil, err
	}

	// Info is the least that shows the listening message; the sink filters by the logger's level.
	level := slog.LevelInfo
	if logger != nil && logger.Enabled(ctx, slog.LevelDebug) {
		level = slog.LevelDebug
	}

	sink := newLogSink(logger, auth.Password)
	cmd := exec.Command(bin,
		"--handler=sqlite",
		"--sqlite-url="+sqliteURL(dir),
		"--listen-addr=127.0.0.1:0",
		"--state-dir=-",
		"--telemetry=disable",
		"--debug-addr=-",
		"--log-format=json",
		"--log-level="+level.String(),
		"--test-enable-new-auth",
		"--setup-database=admin",
		"--setup-username="+auth.Username,
	)
	cmd.Env = append(childEnv(), passwordEnv+"="+auth.Password)
	cmd.Dir = dir
	cmd.Stderr = sink
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second
	if err = cmd.Start(); err != nil {
		return nil, fmt.Errorf("embedded: start ferretdb: %w", err)
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

	var addr string
	select {
	case addr = <-sink.listening:
	case <-exited:
		return nil, fmt.Errorf("embedded: ferretdb exited during startup (%v)%s", waitErr, sink.tail())
	case <-ctx.Done():
		kill()
		return nil, fmt.Errorf("embedded: start ferretdb: %w%s", ctx.Err(), sink.tail())
	case <-timer.C:
		kill()
		return nil, fmt.Errorf("embedded: ferretdb did not listen within %v%s", startTimeout, sink.tail())
	}

	if err = waitDial(ctx, addr, exited); err != nil {
		kill()
		return nil, fmt.Errorf("%w%s", err, sink.tail())
	}

	stop := func() error {
		select {
		case <-exited:
			return fmt.Errorf("embedded: ferretdb exited unexpectedly (%v)%s", waitErr, sink.tail())
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

	return &Server{
		addr:    addr,
		version: version,
		auth:    true,
		stop:    stop,
	}, nil
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

func newLogSink(logger *slog.Logger, password string) *logSink {
	quoted, _ := json.Marshal(password)
	escaped := string(quoted[1 : len(quoted)-1]) // the password inside a JSON string
	return &logSink{
		logger:    logger,
		redact:    strings.NewReplacer(password, redacted, escaped, redacted),
		listening: make(chan string, 1),
	}
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
