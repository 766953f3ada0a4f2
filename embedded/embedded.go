// Package embedded starts a MongoDB-wire server for tests, examples and tools, in the spirit of
// [net/http/httptest]: FerretDB v1.24.2 on its SQLite backend, listening on 127.0.0.1 and a free
// port, with its data in a temporary directory, stopped by [Server.Close].
//
//	srv, err := embedded.Start(ctx, nil)
//	if err != nil {
//		t.Fatal(err)
//	}
//	t.Cleanup(func() { srv.Close() })
//	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
//
// Without [Options.Auth] the server runs inside the calling process (package
// github.com/FerretDB/FerretDB/ferretdb) and starts in about a millisecond; it has no
// authentication and no user-management commands. With [Options.Auth] it runs the ferretdb binary
// as a child process with real SCRAM-SHA-1 and SCRAM-SHA-256 authentication; see [BinaryPath] for
// where that binary comes from.
//
// FerretDB is not MongoDB: it answers most CRUD, index and administration commands, and rejects
// or ignores some others. Clients connect to it through the conformance front, a wire proxy in this
// process that turns the answers FerretDB v1 is known to get wrong into errors (NotImplemented, BadValue)
// or repairs them; [Options.Raw] bypasses it. Code that must match a real mongod should also be tested
// against one.
//
// This package is a module of its own, github.com/gomotor/motor/embedded: nothing in the root module
// github.com/gomotor/motor imports it, so a program that does not import it never compiles or even
// resolves FerretDB. The root module's tests run the ferretdb binary through motortest instead.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"runtime/debug"
	"sync"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/gomotor/motor/internal/ferretproc"
	"github.com/gomotor/motor/internal/front"
)

// FerretDBVersion is the FerretDB release that this package embeds and that [BinaryPath] builds.
const FerretDBVersion = ferretproc.Version

// BinaryEnv names the environment variable that [BinaryPath] reads first: the path of a ferretdb
// binary (FerretDB v1.24.2 or compatible), or a name to look up in PATH. scripts/build-ferretdb.sh
// builds one. A relative path is taken from the current directory, which in a test is the
// package's directory, so an absolute path is best.
const BinaryEnv = ferretproc.BinaryEnv

// BinaryPath returns the path of the ferretdb binary that [Start] runs with [Options.Auth].
//
// If the environment variable [BinaryEnv] is set, BinaryPath returns the executable it names, or an
// error if it names none that answers --version. Otherwise it returns gomotor/ferretdb-v1.24.2/ferretdb
// under [os.UserCacheDir] (~/.cache on Linux), building it there first when it is missing or is not
// [FerretDBVersion]: with the go command (GOROOT/bin/go, else go from PATH) it creates a
// throwaway module that requires FerretDB v1.24.2 from the module proxy (honoring GOPROXY,
// GOMODCACHE and the like), vendors it, writes the build/version/version.txt file that FerretDB's
// build expects and builds cmd/ferretdb. That takes a minute or two on two cores and needs the
// module proxy or a module cache that already has FerretDB's dependencies. A lock file keeps
// concurrent processes from building at the same time, and the binary is renamed into place, so
// no process sees a partly written file. ctx bounds the wait for the lock and the build.
//
// Running scripts/build-ferretdb.sh ahead of time, for example in CI, avoids the wait in a test.
func BinaryPath(ctx context.Context) (string, error) {
	p, err := ferretproc.BinaryPath(ctx)
	if err != nil {
		return "", fmt.Errorf("embedded: %w", err)
	}
	return p, nil
}

// Options configure [Start]. A nil *Options means the zero value: a new temporary directory,
// no logs and no authentication.
type Options struct {
	// Dir is the SQLite data directory. It is created if missing and kept by Close, so a later
	// Start with the same Dir sees the same data. Only one server may use a directory at a time:
	// Start locks it (a .motor.lock file) until Close, and a second Start on a directory that a
	// server of any process holds fails with an error that says so. "" means a new temporary
	// directory that Close removes.
	Dir string

	// Addr is the TCP address to listen on, "host:port", for a server that other programs connect to at a
	// known address (motor serve --port). "" means 127.0.0.1 and a free port that the kernel picks, which is
	// what tests want: no two servers collide. The server has no authentication unless Auth is set, so listen
	// on an address other than loopback only on a network you trust.
	Addr string

	// Logger receives FerretDB's log records. nil discards them all.
	// With Auth, records come from the child process and the password is replaced by
	// "[REDACTED]" wherever it appears; a Logger that enables slog.LevelDebug makes FerretDB
	// log every request and reply.
	Logger *slog.Logger

	// Auth turns on authentication. nil means none, in process.
	Auth *Auth

	// Raw connects clients to FerretDB itself. Without it, they connect to the conformance front: a wire
	// proxy in this process, listening on Addr, that answers an error (NotImplemented, BadValue) instead of a
	// wrong answer or a dropped connection where FerretDB v1 gives one, and repairs what it can exactly (replies
	// to w:0 writes, maxTimeMS on distinct, duplicate-key errors, bulk update replies). Set Raw only in tests that
	// study FerretDB's own answers.
	Raw bool
}

// Auth turns on FerretDB's real SCRAM-SHA-1 and SCRAM-SHA-256 authentication (its
// --test-enable-new-auth mode) with one initial user on the admin database, and with it the
// commands createUser, usersInfo, updateUser, dropUser and dropAllUsersFromDatabase (which accept
// only empty roles). Every command then needs an authenticated connection except hello, isMaster,
// ping, buildInfo, connectionStatus, whatsmyuri, logout, saslStart and saslContinue. It runs the
// ferretdb binary from [BinaryPath] as a child process.
//
// The password never appears in [Server.URI], [Server.String], an error from this package or the
// child's command line (it travels in the child's environment); connect with
// [go.mongodb.org/mongo-driver/v2/mongo/options.Credential].
type Auth struct {
	// Username is the initial user's name, on the admin database. It must not be empty.
	Username string

	// Password is the initial user's password. It must not be empty.
	Password string
}

// Server is a running embedded FerretDB. Create it with [Start] and stop it with [Server.Close].
// Its methods are safe for concurrent use.
type Server struct {
	addr    string
	version string
	auth    bool

	stop      func() error // stops the server and waits for it; called once
	closeOnce sync.Once
	closeErr  error
}

// inProcessMu serializes ferretdb.New, which writes a package-level variable of FerretDB's.
var inProcessMu sync.Mutex

// Start starts a server and returns once it accepts connections on [Server.Addr] (opts.Addr, or 127.0.0.1 and a
// free port).
// ctx bounds the start only (the server runs until Close); a nil ctx is an error.
//
// Without opts.Auth it runs FerretDB in this process. With opts.Auth it first calls [BinaryPath],
// which may build the ferretdb binary (a minute or two, once per machine), then starts it and waits
// up to a minute for it to listen. Errors are prefixed "embedded: " and may end with the last
// warnings and errors that FerretDB logged; they never contain the password.
func Start(ctx context.Context, opts *Options) (*Server, error) {
	if ctx == nil {
		return nil, errors.New("embedded: nil context")
	}
	if opts == nil {
		opts = new(Options)
	}
	if a := opts.Auth; a != nil {
		if a.Username == "" {
			return nil, errors.New("embedded: auth username is empty")
		}
		if a.Password == "" {
			return nil, errors.New("embedded: auth password is empty")
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embedded: start: %w", err)
	}

	if opts.Auth != nil {
		p, err := ferretproc.Start(ctx, &ferretproc.Config{
			Dir:    opts.Dir,
			Addr:   opts.Addr,
			Logger: opts.Logger,
			Auth:   &ferretproc.Auth{Username: opts.Auth.Username, Password: opts.Auth.Password},
			Raw:    opts.Raw,
		})
		if err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
		return &Server{addr: p.Addr(), version: p.Version(), auth: true, stop: p.Stop}, nil
	}

	data, err := ferretproc.OpenData(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	serverAddr := opts.Addr
	if !opts.Raw {
		serverAddr = "" // the front listens on opts.Addr
	}
	s, err := startInProcess(ctx, data.Path, serverAddr, opts.Logger)
	if err != nil {
		_ = data.Release()
		return nil, err
	}
	stop := s.stop
	if !opts.Raw {
		f, err := front.Start(opts.Addr, s.addr)
		if err != nil {
			_ = stop()
			_ = data.Release()
			return nil, fmt.Errorf("embedded: %w", err)
		}
		s.addr = f.Addr()
		stopServer := stop
		stop = func() error {
			ferr := f.Close()
			return errors.Join(ferr, stopServer())
		}
	}
	s.stop = func() error {
		err := stop()
		if rerr := data.Release(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("embedded: %w", rerr))
		}
		return err
	}
	return s, nil
}

// URI returns the server's connection string, "mongodb://127.0.0.1:PORT/": the conformance front's
// address, or FerretDB's with [Options.Raw].
// It never contains credentials, even with [Options.Auth].
func (s *Server) URI() string {
	return (&url.URL{Scheme: "mongodb", Host: s.addr, Path: "/"}).String()
}

// Addr returns the server's TCP address, "127.0.0.1:PORT".
func (s *Server) Addr() string {
	return s.addr
}

// Close stops the server, waits for it to stop and removes the temporary data directory if Start
// created one. FerretDB gives connected clients up to 3 seconds to disconnect before it closes
// their connections, so disconnect clients first (with t.Cleanup, register Close before the
// client's Disconnect) to make Close immediate. Calling Close again, even concurrently, waits for
// the first call and returns the same error.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.stop()
	})
	return s.closeErr
}

// String describes the server for logs, for example
// "embedded FerretDB v1.24.2 at 127.0.0.1:40123 (sqlite)" or "... (sqlite, auth)".
// It never contains the password.
func (s *Server) String() string {
	mode := "sqlite"
	if s.auth {
		mode += ", auth"
	}
	return fmt.Sprintf("embedded FerretDB %s at %s (%s)", s.version, s.addr, mode)
}

// startInProcess runs FerretDB in this process, listening on addr ("" for 127.0.0.1:0).
func startInProcess(ctx context.Context, dir, addr string, logger *slog.Logger) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler) // FerretDB would use slog.Default()
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	} else {
		// FerretDB v1.24.2's New leaks its SQLite backend when it cannot listen, and the backend's finalizer then
		// panics the whole program; so find out first whether the address is free. Another process may still
		// take it in between, which this cannot prevent.
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
		if err = l.Close(); err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
	}

	inProcessMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: ferretproc.SQLiteURL(dir),
	})
	inProcessMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("embedded: start ferretdb: %w", err)
	}

	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx) // always nil
	}()
	stop := func() error {
		cancel()
		<-done
		return nil
	}

	// The listener is bound by New, so MongoDBURI does not block.
	u, err := url.Parse(f.MongoDBURI())
	if err == nil && u.Host == "" {
		err = errors.New("no host")
	}
	if err != nil {
		_ = stop()
		return nil, fmt.Errorf("embedded: ferretdb address: %w", err)
	}

	if err = ferretproc.WaitDial(ctx, u.Host, nil); err != nil {
		_ = stop()
		return nil, fmt.Errorf("embedded: %w", err)
	}

	return &Server{
		addr:    u.Host,
		version: linkedVersion(),
		stop:    stop,
	}, nil
}

// linkedVersion returns the version of FerretDB linked into this program.
func linkedVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == ferretproc.Module {
				if m.Replace != nil && m.Replace.Version != "" {
					return m.Replace.Version
				}
				return m.Version
			}
		}
	}
	return FerretDBVersion
}
