package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor/internal/ferretproc"
)

// runOptions are the flags of the orchestrating mode.
type runOptions struct {
	small   bool
	rounds  int
	out     string
	dataDir string
	only    string
	clients string
	profile string
}

// plan is what a run does, after the flags.
type plan struct {
	sizes
	rounds            int
	warmup, duration  time.Duration
	workloads         []workload
	clients           []string
	skipped           map[string]string // client → why it does not run
	exe, benchDir     string
	data              string
	profile           string
	uriEmpty, uriData string
}

func newPlan(o runOptions) (*plan, error) {
	p := &plan{
		sizes:    sizes{Corpus: 1000, Refs: 1000, BulkSmall: 1000, BulkLarge: 10},
		rounds:   3,
		warmup:   500 * time.Millisecond,
		duration: 2 * time.Second,
		skipped:  map[string]string{},
		profile:  o.profile,
	}
	if o.small {
		p.sizes = sizes{Corpus: 100, Refs: 100, BulkSmall: 100, BulkLarge: 2}
		p.rounds, p.warmup, p.duration = 1, 20*time.Millisecond, 100*time.Millisecond
	}
	if o.rounds > 0 {
		p.rounds = o.rounds
	}
	var re *regexp.Regexp
	if o.only != "" {
		var err error
		if re, err = regexp.Compile(o.only); err != nil {
			return nil, err
		}
	}
	for _, w := range workloads {
		switch {
		case re != nil && !re.MatchString(w.name):
		case re == nil && w.optional:
		case o.small && (w.goOnly || w.large):
		default:
			p.workloads = append(p.workloads, w)
		}
	}
	p.clients = allClients
	if o.clients != "" {
		p.clients = nil
		for _, c := range strings.Split(o.clients, ",") {
			c = strings.TrimSpace(c)
			if !slices.Contains(allClients, c) {
				return nil, fmt.Errorf("unknown client %q (have %s)", c, strings.Join(allClients, ", "))
			}
			p.clients = append(p.clients, c)
		}
	}
	return p, nil
}

// run is the orchestrating mode: build, install, start the servers, seed, measure round by round, report.
func run(ctx context.Context, o runOptions, args string) error {
	start := time.Now()
	p, err := newPlan(o)
	if err != nil {
		return err
	}
	if p.exe, err = os.Executable(); err != nil {
		return err
	}
	if p.benchDir, err = findUp(filepath.Join("bench", "motor.py")); err != nil {
		return err
	}
	p.benchDir = filepath.Dir(p.benchDir)
	if p.data, err = specData(o.dataDir); err != nil {
		return err
	}

	// The other clients: install what they need, or say why they are skipped.
	prep := map[string]func() error{
		clientPython: func() error { return preparePython(ctx) },
		clientNode:   func() error { return prepareNode(ctx, filepath.Join(p.benchDir, "node")) },
	}
	var avail []string
	for _, c := range p.clients {
		if f := prep[c]; f != nil {
			if err := f(); err != nil {
				p.skipped[c] = err.Error()
				fmt.Printf("SKIP %s: %v\n", c, err)
				continue
			}
		}
		avail = append(avail, c)
	}
	p.clients = avail

	bctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	bin, err := ferretproc.BinaryPath(bctx)
	if err != nil {
		return err
	}
	fmt.Println("ferretdb:", bin)
	// The clients meet FerretDB itself, not the conformance front of the embedded server (about 10 µs a round
	// trip): the report compares clients, and its figures stay comparable with those measured before the front.
	cfg := &ferretproc.Config{Raw: true}
	empty, err := ferretproc.Start(bctx, cfg)
	if err != nil {
		return fmt.Errorf("start the empty server: %w", err)
	}
	defer empty.Stop()
	full, err := ferretproc.Start(bctx, cfg)
	if err != nil {
		return fmt.Errorf("start the data server: %w", err)
	}
	defer full.Stop()
	p.uriEmpty = "mongodb://" + empty.Addr() + "/"
	p.uriData = "mongodb://" + full.Addr() + "/"
	fmt.Printf("servers: FerretDB %s, empty at %s, data at %s\n", full.Version(), empty.Addr(), full.Addr())

	t := time.Now()
	if err := seed(ctx, p); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("seeded in %.1fs\n", time.Since(t).Seconds())

	res := newResults()
	for r := range p.rounds {
		for _, w := range p.workloads {
			cs := clientsFor(w, p.clients)
			for k := range cs {
				c := cs[(k+r)%len(cs)] // rotate the order each round
				got, err := runOne(ctx, p, w, c, r)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					fmt.Printf("round %d  %-26s %-11s ERROR %v\n", r+1, w.name, c, err)
					res.fail(w.name, c, err)
					continue
				}
				res.add(w.name, c, got)
				fmt.Printf("round %d  %-26s %-11s %10.1f ops/s  p50 %9.0f µs  CPU %9.1f µs/op\n",
					r+1, w.name, c, float64(got.Ops)/got.Seconds, got.P50, got.CPU/float64(got.Ops)*1e6)
			}
		}
	}

	rep := &report{plan: p, res: res, args: args, took: time.Since(start), server: full.Version()}
	fmt.Println()
	fmt.Print(rep.table())
	if o.out == "" && !o.small {
		o.out = "docs"
	}
	if o.out != "" {
		if err := rep.write(o.out); err != nil {
			return err
		}
		fmt.Println("wrote", filepath.Join(o.out, reportFile), "and", filepath.Join(o.out, chartFile))
	}
	if n := res.failures(); n > 0 {
		return fmt.Errorf("%d client runs failed", n)
	}
	return nil
}

// runOne runs one client process for one workload and reads its result.
func runOne(ctx context.Context, p *plan, w workload, client string, round int) (result, error) {
	uri := p.uriData
	if w.server == "empty" {
		uri = p.uriEmpty
	}
	if w.query != "" {
		uri += "?" + w.query
	}
	warmup, maxOps := p.warmup, 1<<20
	if w.heavy {
		warmup, maxOps = 0, 1
	}
	tag := map[string]string{clientMotor: "motor", clientDriver: "driver", clientPython: "py", clientNode: "node", clientWire: "wire", clientRaw: "raw"}[client]
	args := []string{
		"-workload", w.name, "-uri", uri, "-data", p.data, "-tag", tag,
		"-conc", strconv.Itoa(w.conc),
		"-warmup", warmup.String(), "-duration", p.duration.String(), "-max-ops", strconv.Itoa(maxOps),
		"-corpus", strconv.Itoa(p.Corpus), "-refs", strconv.Itoa(p.Refs),
		"-bulk-small", strconv.Itoa(p.BulkSmall), "-bulk-large", strconv.Itoa(p.BulkLarge),
	}
	if w.gridfs {
		args = append(args, "-file-mib", strconv.Itoa(w.fileMiB))
	}
	var name string
	switch client {
	case clientMotor, clientDriver, clientWire, clientRaw:
		name = p.exe
		args = append([]string{"-client", tag}, args...)
		if p.profile != "" && client != clientWire && client != clientRaw && round == 0 {
			if err := os.MkdirAll(p.profile, 0o755); err != nil {
				return result{}, err
			}
			stem := filepath.Join(p.profile, strings.NewReplacer("+", "_", "=", "_").Replace(w.name)+"."+tag)
			args = append(args, "-cpuprofile", stem+".cpu.pprof", "-memprofile", stem+".mem.pprof")
		}
	case clientPython:
		name = python
		args = append([]string{filepath.Join(p.benchDir, "motor.py")}, args...)
	case clientNode:
		name = "node"
		args = append([]string{filepath.Join(p.benchDir, "node", "bench.js")}, args...)
	}
	// Generous: the heavy workloads run at least one operation in each phase, however long it takes.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var res result
	line := lastLine(stdout.Bytes())
	if jerr := json.Unmarshal([]byte(line), &res); jerr != nil {
		if err == nil {
			err = jerr
		}
		return res, fmt.Errorf("%v: %s", err, lastLine(append(stdout.Bytes(), stderr.Bytes()...)))
	}
	if res.Error != "" {
		return res, errors.New(res.Error)
	}
	if err != nil {
		return res, err
	}
	if res.Ops == 0 || res.Seconds <= 0 {
		return res, errors.New("no operation measured")
	}
	return res, nil
}

// seed fills the data server: the collections to list, the referenced documents, the aggregate's input and the
// spec's tweet corpus.
func seed(ctx context.Context, p *plan) error {
	c, err := mongo.Connect(options.Client().ApplyURI(p.uriData))
	if err != nil {
		return err
	}
	defer c.Disconnect(context.Background())

	list := c.Database(dbList)
	for i := range listCollections {
		if err := list.CreateCollection(ctx, fmt.Sprintf("c%02d", i)); err != nil {
			return err
		}
	}
	docs := make([]any, p.Refs)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: int32(i)}, {Key: "v", Value: int32(i)}}
	}
	if _, err := c.Database(dbRef).Collection("refs").InsertMany(ctx, docs); err != nil {
		return err
	}
	docs = make([]any, aggDocs)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: int32(i)}, {Key: "g", Value: int32(i % 10)}, {Key: "v", Value: int32(i)}}
	}
	if _, err := c.Database(dbRef).Collection("agg").InsertMany(ctx, docs); err != nil {
		return err
	}
	spec, err := loadSpecDocs(p.data)
	if err != nil {
		return err
	}
	corpus := c.Database(dbSpec).Collection("corpus")
	for lo := 0; lo < p.Corpus; lo += 1000 {
		docs = docs[:0]
		for i := lo; i < min(lo+1000, p.Corpus); i++ {
			docs = append(docs, append(bson.D{{Key: "_id", Value: int32(i + 1)}}, spec.tweet...))
		}
		if _, err := corpus.InsertMany(ctx, docs); err != nil {
			return err
		}
	}
	return nil
}
