package ferretproc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// BinaryEnv names the environment variable that [BinaryPath] reads first: the path of a ferretdb
// binary (FerretDB v1.24.2 or compatible), or a name to look up in PATH. scripts/build-ferretdb.sh
// builds one. A relative path is taken from the current directory, which in a test is the
// package's directory, so an absolute path is best.
const BinaryEnv = "MOTOR_FERRETDB_BIN"

// Version is the FerretDB release that [BinaryPath] builds.
const Version = "v1.24.2"

// Module is FerretDB's module path.
const Module = "github.com/FerretDB/FerretDB"

// versionTimeout bounds "ferretdb --version".
const versionTimeout = 30 * time.Second

// BinaryPath returns the path of the ferretdb binary that [Start] runs.
//
// If the environment variable [BinaryEnv] is set, BinaryPath returns the executable it names, or an
// error if it names none that answers --version. Otherwise it returns gomotor/ferretdb-v1.24.2/ferretdb
// under [os.UserCacheDir] (~/.cache on Linux), building it there first when it is missing or is not
// [Version]: with the go command (GOROOT/bin/go, else go from PATH) it creates a
// throwaway module that requires FerretDB v1.24.2 from the module proxy (honoring GOPROXY,
// GOMODCACHE and the like), vendors it, writes the build/version/version.txt file that FerretDB's
// build expects and builds cmd/ferretdb. That takes a minute or two on two cores and needs the
// module proxy or a module cache that already has FerretDB's dependencies. A lock file keeps
// concurrent processes from building at the same time, and the binary is renamed into place, so
// no process sees a partly written file. ctx bounds the wait for the lock and the build.
//
// Running scripts/build-ferretdb.sh ahead of time, for example in CI, avoids the wait in a test.
func BinaryPath(ctx context.Context) (string, error) {
	if ctx == nil {
		return "", errors.New("nil context")
	}

	if name := os.Getenv(BinaryEnv); name != "" {
		p, err := exec.LookPath(name)
		if err == nil {
			p, err = filepath.Abs(p) // Start runs it from the data directory
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", BinaryEnv, err)
		}
		if _, err = binaryVersion(ctx, p); err != nil {
			return "", fmt.Errorf("%s: %w", BinaryEnv, err)
		}
		return p, nil
	}

	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("ferretdb binary: %w", err)
	}
	dir := filepath.Join(cache, "gomotor", "ferretdb-"+Version)
	bin := filepath.Join(dir, "ferretdb"+exeSuffix())
	if v, err := binaryVersion(ctx, bin); err == nil && v == Version {
		return bin, nil
	}

	if err = os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("ferretdb binary: %w", err)
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, "build.lock"))
	if err != nil {
		return "", fmt.Errorf("lock ferretdb build: %w", err)
	}
	defer unlock()

	// Another process may have built it while this one waited for the lock.
	if v, err := binaryVersion(ctx, bin); err == nil && v == Version {
		return bin, nil
	}
	if err = buildBinary(ctx, dir, bin); err != nil {
		return "", err
	}
	return bin, nil
}

// checked remembers the binaries whose version this process has read, by path.
var checked struct {
	sync.Mutex
	m map[string]checkedBinary
}

// checkedBinary is a binary whose version was read.
type checkedBinary struct {
	version string
	size    int64
	modTime time.Time
}

// binaryVersion returns the FerretDB version that the binary at path reports with --version.
// It runs the binary once per process and file; a changed file is run again.
func binaryVersion(ctx context.Context, path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
		return "", fmt.Errorf("%s is not an executable file", path)
	}

	checked.Lock()
	c, ok := checked.m[path]
	checked.Unlock()
	if ok && c.size == fi.Size() && c.modTime.Equal(fi.ModTime()) {
		return c.version, nil
	}

	v, err := runVersion(ctx, path)
	if err != nil {
		return "", err
	}

	checked.Lock()
	if checked.m == nil {
		checked.m = make(map[string]checkedBinary)
	}
	checked.m[path] = checkedBinary{version: v, size: fi.Size(), modTime: fi.ModTime()}
	checked.Unlock()
	return v, nil
}

// runVersion runs "path --version" and returns the version it prints.
func runVersion(ctx context.Context, path string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Env = childEnv()
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", path, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "version: "); ok && v != "" {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("%s --version: no version in its output", path)
}

// buildBinary builds FerretDB's cmd/ferretdb into bin, which is in dir.
// Keep it in sync with scripts/build-ferretdb.sh.
func buildBinary(ctx context.Context, dir, bin string) error {
	goCmd, err := goCommand()
	if err != nil {
		return fmt.Errorf("build ferretdb: %w", err)
	}

	work, err := os.MkdirTemp("", "motor-ferretdb-build-*")
	if err != nil {
		return fmt.Errorf("build ferretdb: %w", err)
	}
	defer os.RemoveAll(work)

	// A directory next to bin, so that the final rename stays on one file system.
	out, err := os.MkdirTemp(dir, "build-*")
	if err != nil {
		return fmt.Errorf("build ferretdb: %w", err)
	}
	defer os.RemoveAll(out)
	tmp := filepath.Join(out, filepath.Base(bin))

	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOFLAGS", "GOWORK", "GOOS", "GOARCH":
			return true
		}
		return false
	})
	env = append(env, "GOWORK=off", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)

	pkg := Module + "/cmd/ferretdb"
	steps := []struct {
		goflags string
		args    []string
	}{
		{"-mod=mod", []string{"mod", "init", "gomotor.invalid/ferretdb-build"}},
		{"-mod=mod", []string{"get", "-tool", pkg + "@" + Version}},
		{"-mod=mod", []string{"mod", "vendor"}},
		{"", nil}, // version.txt
		// -trimpath keeps the build cache valid across throwaway directories.
		{"", []string{"build", "-mod=vendor", "-trimpath", "-buildvcs=false", "-o", tmp, pkg}},
	}
	for _, step := range steps {
		if step.args == nil {
			vf := filepath.Join(work, "vendor", filepath.FromSlash(Module), "build", "version", "version.txt")
			if err = os.WriteFile(vf, []byte(Version+"\n"), 0o644); err != nil {
				return fmt.Errorf("build ferretdb: %w", err)
			}
			continue
		}

		cmd := exec.CommandContext(ctx, goCmd, step.args...)
		cmd.Dir = work
		cmd.Env = append(env, "GOFLAGS="+step.goflags)
		if b, err := cmd.CombinedOutput(); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				err = ctxErr
			}
			return fmt.Errorf("build ferretdb: go %s: %w%s", strings.Join(step.args[:2], " "), err, outputTail(b))
		}
	}

	v, err := runVersion(ctx, tmp)
	if err != nil {
		return fmt.Errorf("build ferretdb: %w", err)
	}
	if v != Version {
		return fmt.Errorf("build ferretdb: built version %q, want %q", v, Version)
	}
	if err = os.Rename(tmp, bin); err != nil {
		return fmt.Errorf("build ferretdb: %w", err)
	}
	return nil
}

// goCommand returns the go command: the one of the toolchain that built this program if it is
// still there, else the one in PATH.
func goCommand() (string, error) {
	//lint:ignore SA1019 the toolchain that built this program is the best match when it is still there; PATH is the fallback.
	if root := runtime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", "go"+exeSuffix())
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return exec.LookPath("go")
}

// outputTail returns the end of a command's output as a suffix for an error message.
func outputTail(b []byte) string {
	const n = 2000
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ""
	}
	if len(b) > n {
		b = append([]byte("..."), b[len(b)-n:]...)
	}
	return ":\n" + string(b)
}

// exeSuffix returns the file name suffix of executables.
func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}
