// Command usersbench measures usersd: it makes realistic users, seeds a
// database with them through usersd's import, drives a running usersd
// with closed-loop HTTP load, and compares its throughput on each
// workload with a bare net/http server's on the same machine.
//
//	usersbench gen --users 1000000 --seed 1 > users.jsonl
//	usersbench seed --users 100000 --data ./benchdata
//	usersbench run --target http://127.0.0.1:8080 --workload get --face native --duration 10s --conns 64
//	usersbench compare --users 100000 --duration 5s --conns 64
//
// Load goes to loopback addresses only, and every run is bounded in
// requests and in time. BENCHMARKS.md has the figures and the commands
// that made them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: usersbench <command> [flags]

commands:
  gen      write N users as JSONL, the import format (--users, --seed)
  seed     make N users and import them: usersd import, fed by gen
  run      drive a running usersd with one workload on one face
  compare  start usersd and a bare net/http ceiling, run every workload on both, print ratios

Run "usersbench <command> -h" for a command's flags.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if os.Getenv(ceilingEnv) != "" {
		if err := serveCeiling(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "usersbench ceiling:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "usersbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "gen":
		return genCmd(args[1:], stdout, stderr)
	case "seed":
		return seedCmd(ctx, args[1:], stdout, stderr)
	case "run":
		return runCmd(ctx, args[1:], stdout, stderr)
	case "compare":
		return compareCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("usersbench "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// maxUsers bounds --users: ten million users is past every target.
const maxUsers = 10_000_000

func genCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", stderr)
	users := fs.Int("users", 1000, "users to write (the first is "+AdminName+", level 50)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed and count give the same bytes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *users < 1 || *users > maxUsers {
		return fmt.Errorf("--users must be 1..%d", maxUsers)
	}
	c, err := newGenConfig(*users, *seed)
	if err != nil {
		return err
	}
	return generate(stdout, c)
}
