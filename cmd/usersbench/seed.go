package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// storeArgs are usersd's own store flags, passed through to its import
// and serve commands.
type storeArgs struct {
	data string
	db   string
}

func (s storeArgs) args() []string {
	if s.db != "" {
		return []string{"--db", s.db}
	}
	return []string{"--data", s.data}
}

// errNoImport says the usersd binary has no import command.
var errNoImport = errors.New("this usersd has no import command (usersd import --format jsonl -)")

// importUsers seeds the store through usersd's import path: gen streams
// into "usersd import --format jsonl -" on its standard input, so the
// users take the same validation, batching and hashing rules as any
// import, and memory stays flat on both sides. usersd reports progress
// on stderr. The one place that starts the import is here; were the
// import an in-process API, this function would call it instead.
func importUsers(ctx context.Context, bin string, store storeArgs, c genConfig, stderr io.Writer) error {
	if !hasImport(ctx, bin) {
		return errNoImport
	}
	args := append([]string{"import", "--format", "jsonl", "--on-conflict", "fail"}, store.args()...)
	cmd := exec.CommandContext(ctx, bin, append(args, "-")...)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	genErr := generate(in, c)
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("usersd import: %w", err)
	}
	if genErr != nil {
		return fmt.Errorf("gen: %w", genErr)
	}
	return nil
}

// hasImport reports whether bin knows "usersd import" (its -h succeeds;
// an unknown command fails).
func hasImport(ctx context.Context, bin string) bool {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "import", "-h")
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd.Run() == nil && !strings.Contains(out.String(), "unknown command")
}

// usersdBinary returns the usersd to run: bin when given, otherwise one
// built from this module's cmd/usersd into dir (go build caches, so a
// second build is quick).
func usersdBinary(ctx context.Context, bin, dir string, stderr io.Writer) (string, error) {
	if bin != "" {
		return exec.LookPath(bin)
	}
	var gomod bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "env", "GOMOD")
	cmd.Stdout = &gomod
	if err := cmd.Run(); err != nil || strings.TrimSpace(gomod.String()) == "" || strings.TrimSpace(gomod.String()) == os.DevNull {
		return "", errors.New("no --usersd given and not inside usersd's module to build one")
	}
	out := filepath.Join(dir, "usersd")
	cmd = exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/usersd")
	cmd.Dir = filepath.Dir(strings.TrimSpace(gomod.String()))
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/usersd: %w", err)
	}
	return out, nil
}

func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", stderr)
	users := fs.Int("users", 10000, "users to import")
	seed := fs.Uint64("seed", 1, "gen's random seed")
	var st storeArgs
	fs.StringVar(&st.data, "data", "./data", "usersd's data directory (SQLite)")
	fs.StringVar(&st.db, "db", "", "usersd's database URL (postgres://…); wins over --data")
	bin := fs.String("usersd", "", "the usersd binary; empty builds this module's cmd/usersd")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *users < 1 || *users > maxUsers {
		return fmt.Errorf("--users must be 1..%d", maxUsers)
	}
	tmp, err := os.MkdirTemp("", "usersbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	path, err := usersdBinary(ctx, *bin, tmp, stderr)
	if err != nil {
		return err
	}
	c, err := newGenConfig(*users, *seed)
	if err != nil {
		return err
	}
	if err := importUsers(ctx, path, st, c, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d users (password %q)\n", *users, BenchPassword)
	return nil
}
