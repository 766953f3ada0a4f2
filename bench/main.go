// Command bench measures motor side by side with the raw Go driver, Motor 2.3 (Python), the Node.js driver 7 and a
// wire floor, on FerretDB's ferretdb binary run out of process, and writes docs/BENCHMARKS.md with a chart (issue
// 12). From the repository root:
//
//	go run ./bench          # the full run: 3 rounds, about 10 minutes on 2 cores; writes docs/
//	go run ./bench -small   # a smoke test of the same steps in well under a minute; writes nothing
//
// It builds or finds the ferretdb binary (as the tests do: $MOTOR_FERRETDB_BIN, else built into the user cache),
// unpacks the driver benchmark specification's data (../shared/benchmarking-data), installs what the other clients
// need when it can (Debian's python3-motor with apt-get, npm ci in bench/node) and says which it skips, starts two
// servers (an empty one for ping, whose cost grows with the collections on the server, and one with data for the
// rest), then runs every workload with every client, interleaved round by round, each client in its own process
// so that getrusage gives its own CPU time. The same binary is the Go clients: it runs itself with -client.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
)

func main() {
	client := flag.String("client", "", "run as one client (motor, driver or wire) and print its result as JSON")
	var cc clientConfig
	var p phase
	flag.StringVar(&cc.workload, "workload", "", "client mode: the workload to run")
	flag.IntVar(&cc.FileMiB, "file-mib", 1, "client mode: the GridFS workloads' file size in MiB")
	flag.StringVar(&cc.uri, "uri", "", "client mode: the server's connection string")
	flag.StringVar(&cc.data, "data", "", "client mode: the directory of the spec's JSON documents")
	flag.StringVar(&cc.tag, "tag", "", "client mode: a name for the client's own collections")
	flag.IntVar(&p.conc, "conc", 1, "client mode: concurrent callers")
	flag.DurationVar(&p.warmup, "warmup", time.Second, "client mode: warm-up time")
	flag.DurationVar(&p.duration, "duration", 2*time.Second, "client mode: timed phase")
	flag.IntVar(&p.maxOps, "max-ops", 1<<20, "client mode: at most this many operations in each phase")
	flag.IntVar(&cc.Corpus, "corpus", 10000, "client mode: tweets in the corpus")
	flag.IntVar(&cc.Refs, "refs", 1000, "client mode: references per deref op")
	flag.IntVar(&cc.BulkSmall, "bulk-small", 1000, "client mode: small documents per insertMany")
	flag.IntVar(&cc.BulkLarge, "bulk-large", 10, "client mode: large documents per insertMany")
	cpuProfile := flag.String("cpuprofile", "", "client mode: write a CPU profile of the timed phase to this file")
	memProfile := flag.String("memprofile", "", "client mode: write an allocation profile (alloc_space) to this file")

	var o runOptions
	flag.BoolVar(&o.small, "small", false, "small iterations (a smoke test for CI, under a minute); writes no report unless -out is set")
	flag.IntVar(&o.rounds, "rounds", 0, "rounds (default 3, or 1 with -small)")
	flag.StringVar(&o.out, "out", "", `directory for BENCHMARKS.md and benchmarks.svg (default "docs", or none with -small)`)
	flag.StringVar(&o.dataDir, "spec-data", "", "the directory of the spec's .tgz files (default: ../shared/benchmarking-data, looked for upward)")
	flag.StringVar(&o.only, "only", "", "run only the workloads whose names match this regular expression")
	flag.StringVar(&o.clients, "clients", "", "comma-separated clients to run (default all that can run)")
	flag.StringVar(&o.profile, "profile", "", "directory: the Go clients write CPU and allocation profiles of each workload there")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if *client != "" {
		res := runClient(ctx, *client, cc, p, *cpuProfile, *memProfile)
		b, _ := json.Marshal(res)
		fmt.Println(string(b))
		if res.Error != "" {
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, o, strings.Join(os.Args[1:], " ")); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// runClient is the client mode: one Go client, one workload.
func runClient(ctx context.Context, name string, cfg clientConfig, p phase, cpuProfile, memProfile string) result {
	var (
		op   opFunc
		done func()
		err  error
	)
	switch name {
	case "wire":
		op, done, err = wireOp(cfg, p.conc)
	case "raw":
		op, done, err = connected(func() (*mongo.Client, error) { return mongo.Connect(options.Client().ApplyURI(cfg.uri)) },
			func(c *mongo.Client) (opFunc, error) { return rawChunksWorkload(ctx, c, cfg) })
	case "motor", "driver":
		var docs specDocs
		if docs, err = loadSpecDocs(cfg.data); err != nil {
			break
		}
		if isGridFS(cfg.workload) {
			if name == "motor" {
				op, done, err = connected(func() (*motor.Client, error) { return motor.Connect(cfg.uri) },
					func(c *motor.Client) (opFunc, error) { return motorGridFS(ctx, c, cfg) })
			} else {
				op, done, err = connected(func() (*mongo.Client, error) { return mongo.Connect(options.Client().ApplyURI(cfg.uri)) },
					func(c *mongo.Client) (opFunc, error) { return driverGridFS(ctx, c, cfg) })
			}
		} else if name == "motor" {
			op, done, err = connected(func() (*motor.Client, error) { return motor.Connect(cfg.uri) },
				func(c *motor.Client) (opFunc, error) { return motorWorkload(ctx, c, cfg, docs) })
		} else {
			op, done, err = connected(func() (*mongo.Client, error) { return mongo.Connect(options.Client().ApplyURI(cfg.uri)) },
				func(c *mongo.Client) (opFunc, error) { return driverWorkload(ctx, c, cfg, docs) })
		}
	default:
		err = fmt.Errorf("unknown client %q", name)
	}
	if err != nil {
		return result{Error: err.Error()}
	}
	defer done()

	if cpuProfile != "" {
		// Profile the timed phase only: warm up first, then measure with the profile on.
		if p.warmup > 0 {
			if err := loop(ctx, op, p.conc, p.warmup, p.maxOps, nil); err != nil {
				return result{Error: err.Error()}
			}
			p.warmup = 0
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return result{Error: err.Error()}
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return result{Error: err.Error()}
		}
		defer pprof.StopCPUProfile()
	}
	res := measure(ctx, op, p)
	if memProfile != "" {
		if f, err := os.Create(memProfile); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	return res
}

// base is a workload's name without its driver-setting suffix: "ping_64" for "ping_64+maxPoolSize=8".
func base(workload string) string {
	b, _, _ := strings.Cut(workload, "+")
	return b
}
