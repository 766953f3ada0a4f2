package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// buildMotor builds the motor binary once per test.
func buildMotor(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the motor binary")
	}
	bin := filepath.Join(t.TempDir(), "motor")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cli runs the motor binary.
type cli struct {
	t   *testing.T
	bin string
	env []string
}

// newCLI returns a runner whose environment has no MONGODB_URI and a data home of its own, so that nothing touches
// the user's data directory.
func newCLI(t *testing.T, bin string) *cli {
	env := []string{"XDG_DATA_HOME=" + t.TempDir()}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envURI+"=") && !strings.HasPrefix(kv, "XDG_DATA_HOME=") {
			env = append(env, kv)
		}
	}
	return &cli{t: t, bin: bin, env: env}
}

// run runs motor with args and returns its stdout, stderr and exit code.
func (c *cli) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		c.t.Fatalf("motor %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// must runs motor and fails the test unless it exits 0.
func (c *cli) must(args ...string) (stdout, stderr string) {
	c.t.Helper()
	stdout, stderr, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("motor %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout, stderr
}

// noServerLeft registers a cleanup that fails the test if a server still runs for the data directory dir, and
// kills it.
func noServerLeft(t *testing.T, dir string) {
	t.Cleanup(func() {
		if !locked(dir) {
			return
		}
		t.Errorf("a server is still running for %s", dir)
		b, err := os.ReadFile(filepath.Join(dir, stateName))
		var st state
		if err == nil && json.Unmarshal(b, &st) == nil && st.PID > 0 {
			if p, err := os.FindProcess(st.PID); err == nil {
				_ = p.Kill()
			}
		}
	})
}

func TestEndToEnd(t *testing.T) {
	bin := buildMotor(t)

	t.Run("background server", func(t *testing.T) {
		c := newCLI(t, bin)
		data := t.TempDir()
		noServerLeft(t, data)

		out, errOut := c.must("--data", data, "insert", "orders", `{"item": "tea", "qty": 2}`)
		if !strings.Contains(errOut, "starting the embedded server") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("first command: stderr %q, want one status line", errOut)
		}
		if !strings.HasPrefix(out, `{"insertedId":{"$oid":"`) {
			t.Errorf("insert printed %q", out)
		}

		start := time.Now()
		out, errOut = c.must("find", "orders", "--data", data, "--projection", `{"_id": 0}`)
		took := time.Since(start)
		if out != `{"item":"tea","qty":2}`+"\n" || errOut != "" {
			t.Errorf("second command: stdout %q, stderr %q", out, errOut)
		}
		t.Logf("second command took %v", took)
		if took > 5*time.Second {
			t.Errorf("second command took %v: the server was not reused", took)
		}

		// Failures: exit 1 when the server refuses, 2 for usage errors.
		if _, errOut, code := c.run("--data", data, "command", "noSuchCommand"); code != 1 || !strings.Contains(errOut, "--uri") {
			t.Errorf("unknown command: exit %d, stderr %q", code, errOut)
		}
		if _, _, code := c.run("--data", data, "find", "orders", "{"); code != 2 {
			t.Errorf("bad JSON: exit %d, want 2", code)
		}

		_, errOut = c.must("--data", data, "stop")
		if !strings.Contains(errOut, "stopped the server") {
			t.Errorf("stop: stderr %q", errOut)
		}
		if locked(data) {
			t.Errorf("the data directory is still locked after stop")
		}
		if _, err := os.Stat(filepath.Join(data, stateName)); !os.IsNotExist(err) {
			t.Errorf("state file after stop: %v", err)
		}
	})

	t.Run("default data directory", func(t *testing.T) {
		c := newCLI(t, bin)
		var data string
		for _, kv := range c.env {
			if v, ok := strings.CutPrefix(kv, "XDG_DATA_HOME="); ok {
				data = filepath.Join(v, "gomotor", "data")
			}
		}
		noServerLeft(t, data)
		c.must("insert", "notes", `{"n": 1}`)
		if _, err := os.Stat(filepath.Join(data, stateName)); err != nil {
			t.Errorf("no state file in the default data directory: %v", err)
		}
		c.must("stop")
	})

	t.Run("serve", func(t *testing.T) {
		c := newCLI(t, bin)
		data := t.TempDir()
		noServerLeft(t, data)

		uri, stop := serve(t, c, "--data", data)
		if !strings.HasPrefix(uri, "mongodb://127.0.0.1:") {
			t.Fatalf("serve printed %q, want a connection string", uri)
		}

		// A second client, the driver, connects to the printed address.
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		client, err := mongo.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Database("test").Collection("pets").InsertOne(ctx, bson.D{{Key: "name", Value: "Rex"}}); err != nil {
			t.Fatalf("driver insert: %v", err)
		}
		if err := client.Disconnect(ctx); err != nil {
			t.Fatal(err)
		}

		// motor finds the running server through the data directory, or by --uri.
		for _, args := range [][]string{{"--data", data}, {"--uri", uri}} {
			out, errOut := c.must(append(args, "find", "pets", "--projection", `{"_id": 0}`)...)
			if out != `{"name":"Rex"}`+"\n" || errOut != "" {
				t.Errorf("motor %v find: stdout %q, stderr %q", args, out, errOut)
			}
		}
		if _, errOut, code := c.run("serve", "--data", data); code != 1 || !strings.Contains(errOut, "already running at "+uri) {
			t.Errorf("second serve: exit %d, stderr %q", code, errOut)
		}

		errOut := stop()
		if !strings.Contains(errOut, "motor serve: stopped") {
			t.Errorf("serve stderr: %q", errOut)
		}

		// The data stays in the directory: a background server started for it sees the document.
		out, _ := c.must("--data", data, "find", "pets", "--projection", `{"_id": 0}`)
		if out != `{"name":"Rex"}`+"\n" {
			t.Errorf("after a restart: %q", out)
		}
		c.must("--data", data, "stop")
	})

	t.Run("idle timeout", func(t *testing.T) {
		c := newCLI(t, bin)
		data := t.TempDir()
		noServerLeft(t, data)
		cmd := exec.Command(bin, "serve", "--data", data, "--idle-timeout", "1s")
		cmd.Env = c.env
		var errb bytes.Buffer
		cmd.Stderr = &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("serve: %v\n%s", err, errb.String())
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("an idle server stopped after %v", took)
		}
		if !strings.Contains(errb.String(), "without a client") {
			t.Errorf("stderr %q", errb.String())
		}
	})
}

// serve starts "motor serve args..." and returns the connection string it printed and a function that stops it with
// SIGINT (Ctrl-C), checks that it exited 0 and returns its stderr.
func serve(t *testing.T, c *cli, args ...string) (uri string, stop func() string) {
	t.Helper()
	cmd := exec.Command(c.bin, append([]string{"serve"}, args...)...)
	cmd.Env = c.env
	var errb bytes.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		for sc.Scan() {
		}
		exited <- cmd.Wait()
	}()
	wait := func() error {
		select {
		case err := <-exited:
			return err
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			return errors.New("did not stop within 20s after SIGINT")
		}
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case uri = <-lines:
	case <-time.After(time.Minute):
		t.Fatalf("serve printed nothing within a minute; stderr: %s", errb.String())
	}
	return uri, func() string {
		stopped = true
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if err := wait(); err != nil {
			t.Errorf("serve after SIGINT: %v; stderr: %s", err, errb.String())
		}
		return errb.String()
	}
}
