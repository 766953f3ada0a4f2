package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// specFiles are the spec documents the workloads use, from single_and_multi_document.tgz.
var specFiles = []string{"tweet.json", "small_doc.json", "large_doc.json"}

// findUp returns the first of rel under the current directory or one of its parents that exists.
func findUp(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no %s in the current directory or above", rel)
		}
		dir = parent
	}
}

// specData unpacks tweet.json, small_doc.json and large_doc.json from the spec's single_and_multi_document.tgz
// in tgzDir (found upward as shared/benchmarking-data when "") into a cache directory, once, and returns that
// directory.
func specData(tgzDir string) (string, error) {
	if tgzDir == "" {
		d, err := findUp(filepath.Join("shared", "benchmarking-data"))
		if err != nil {
			return "", fmt.Errorf("the driver benchmark data: %w (set -spec-data)", err)
		}
		tgzDir = d
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	out := filepath.Join(cache, "gomotor", "bench-data")
	have := true
	for _, f := range specFiles {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			have = false
		}
	}
	if have {
		return out, nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	f, err := os.Open(filepath.Join(tgzDir, "single_and_multi_document.tgz"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		name := filepath.Base(h.Name)
		if h.Typeflag != tar.TypeReg || !slices.Contains(specFiles, name) {
			continue
		}
		tmp := filepath.Join(out, name+".tmp")
		w, err := os.Create(tmp)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(w, tr)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp, filepath.Join(out, name))
		}
		if err != nil {
			return "", err
		}
	}
	return out, nil
}

// python is Debian's Python, which Debian's python3-motor installs into.
const python = "/usr/bin/python3"

// preparePython makes sure that /usr/bin/python3 imports motor 2.x, installing Debian's python3-motor with
// apt-get when it does not (apt-get update first if the package is unknown). It returns why it cannot.
func preparePython(ctx context.Context) error {
	check := func() error {
		out, err := exec.CommandContext(ctx, python, "-c", "import motor, sys; sys.stdout.write(motor.version)").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s cannot import motor: %s", python, lastLine(out))
		}
		if !strings.HasPrefix(string(out), "2.") {
			return fmt.Errorf("motor %s, not 2.x", out)
		}
		return nil
	}
	if err := check(); err == nil {
		return nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return errors.New("no motor for /usr/bin/python3 and no apt-get to install python3-motor")
	}
	install := func() error {
		cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "-q", "--no-install-recommends", "python3-motor")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get install python3-motor: %s", lastLine(out))
		}
		return nil
	}
	fmt.Println("installing Debian's python3-motor with apt-get")
	if err := install(); err != nil {
		if out, err := exec.CommandContext(ctx, "apt-get", "update", "-q").CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get update: %s", lastLine(out))
		}
		if err := install(); err != nil {
			return err
		}
	}
	return check()
}

// prepareNode makes sure that node runs and that dir (bench/node) has its locked dependencies, running npm ci
// when node_modules is missing or older than the lockfile. It returns why it cannot.
func prepareNode(ctx context.Context, dir string) error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("no node in PATH")
	}
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return err
	}
	mods, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json"))
	if err != nil || mods.ModTime().Before(lock.ModTime()) {
		if _, err := exec.LookPath("npm"); err != nil {
			return errors.New("no npm in PATH")
		}
		fmt.Println("installing the Node.js driver with npm ci in", dir)
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("npm ci: %s", lastLine(out))
		}
	}
	cmd := exec.CommandContext(ctx, "node", "-e", "process.stdout.write(require('mongodb/package.json').version)")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("node cannot load mongodb: %s", lastLine(out))
	}
	return nil
}

// lastLine returns the last non-empty line of out, for short error messages.
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
