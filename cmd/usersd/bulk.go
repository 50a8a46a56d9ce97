package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/native"
	"usersd/internal/query"
)

// exitError carries a command's exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitRefused is the status of an import that ran to its end but refused
// records.
const exitRefused = 2

// maxShownRefusals bounds the refusals an import prints to stderr when
// they go to no rejects file.
const maxShownRefusals = 20

func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", `Import users from FILE ("-" for stdin; before or after the flags), in the
format usersd export writes: JSONL (the native representation, one user a
line) or CSV (a header of native field paths). Records are checked as
creates are; refused records are reported with their line and the rest go
on. Exits 0 when every record was written (or skipped), 2 when some were
refused, 1 on an error that stopped the import (batches committed before
it stay).`)
	var sf storeFlags
	sf.register(fs)
	format := fs.String("format", "jsonl", "input format: jsonl or csv")
	onConflict := fs.String("on-conflict", "skip", "a record whose name or e-mail a user holds: skip, update or fail")
	dryRun := fs.Bool("dry-run", false, "check and count everything, write nothing")
	rejects := fs.String("rejects", "", "write refused records' lines and reasons to this file")
	batch := fs.Int("batch", core.DefaultImportBatch, "records per transaction")
	interval := fs.Duration("progress", 2*time.Second, "interval of progress lines when stderr is not a terminal (0: none)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file (go tool pprof)")
	file, err := parseFileArg(fs, args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	mode, err := core.ParseConflictMode(*onConflict)
	if err != nil {
		return fmt.Errorf("--on-conflict %w", err)
	}
	if *batch < 1 || *batch > 100_000 {
		return fmt.Errorf("--batch %d: want 1 to 100000", *batch)
	}
	in, size, closeIn, err := openInput(file)
	if err != nil {
		return err
	}
	defer closeIn()
	counted := &countingReader{r: in}
	r, err := native.NewUserReader(*format, counted)
	if err != nil {
		return fmt.Errorf("--%w", err)
	}
	var rej *bufio.Writer
	if *rejects != "" {
		f, err := os.Create(*rejects)
		if err != nil {
			return err
		}
		defer f.Close()
		rej = bufio.NewWriter(f)
		defer rej.Flush()
	}
	svc, done, err := adminService(ctx, sf)
	if err != nil {
		return err
	}
	defer done()
	bar := newProgress(stderr, "imported", size, size >= 0, *interval)
	shown := 0
	opt := core.ImportOptions{
		OnConflict: mode, DryRun: *dryRun, Batch: *batch,
		Progress: func(s core.ImportSummary) { bar.update(s.Created+s.Updated+s.Skipped, counted.n.Load()) },
		Refused: func(r core.Refusal) {
			line := r.String()
			if rej != nil {
				fmt.Fprintln(rej, line)
			} else if shown++; shown <= maxShownRefusals {
				fmt.Fprintln(stderr, "refused", line)
			}
		},
	}
	start := time.Now()
	sum, err := svc.Import(ctx, core.System, r, opt)
	bar.finish()
	what := "imported"
	if *dryRun {
		what = "dry run: would have imported"
	}
	fmt.Fprintf(stdout, "%s: %s in %s\n", what, sum, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return fmt.Errorf("import stopped after %d records: %w", sum.Read, describe(err))
	}
	if sum.Refused > 0 {
		where := "see above"
		if rej != nil {
			where = "see " + *rejects
		} else if shown > maxShownRefusals {
			where = fmt.Sprintf("the first %d above; --rejects FILE lists all", maxShownRefusals)
		}
		return &exitError{exitRefused, fmt.Errorf("%d records refused (%s)", sum.Refused, where)}
	}
	return nil
}

func exportCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", `Export users in id order, every field the system keeps but token secrets,
password hashes included (so that usersd import carries logins over):
JSONL (the native representation, one user a line) or CSV.`)
	var sf storeFlags
	sf.register(fs)
	format := fs.String("format", "jsonl", "output format: jsonl or csv")
	filter := fs.String("filter", "", "only users matching this native filter expression (as ?filter= of GET /v1/users)")
	out := fs.String("out", "-", `output file ("-": stdout)`)
	interval := fs.Duration("progress", 2*time.Second, "interval of progress lines when stderr is not a terminal (0: none)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the export to this file (go tool pprof)")
	if err := parseFlags(fs, args, getenv, stdout, stderr); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	var expr query.Expr
	if *filter != "" {
		if expr, err = query.Parse(*filter); err != nil {
			return fmt.Errorf("--filter: %w", err)
		}
	}
	w := stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	uw, err := native.NewUserWriter(*format, w, core.ExportsHashes(core.System))
	if err != nil {
		return fmt.Errorf("--%w", err)
	}
	svc, done, err := adminService(ctx, sf)
	if err != nil {
		return err
	}
	defer done()
	total := int64(-1)
	bar := newProgress(stderr, "exported", total, false, *interval)
	if bar.bar != nil {
		n, err := svc.CountExport(ctx, core.System, expr)
		if err != nil {
			return describe(err)
		}
		bar.bar.ChangeMax64(int64(n))
	}
	n := 0
	start := time.Now()
	err = svc.ExportUsers(ctx, core.System, expr, func(u *core.User) error {
		n++
		if n%1000 == 0 {
			bar.update(n, int64(n))
		}
		return uw.Write(u)
	})
	if err == nil {
		err = uw.Flush()
	}
	bar.finish()
	if err != nil {
		return fmt.Errorf("export stopped after %d users: %w", n, describe(err))
	}
	fmt.Fprintf(stderr, "exported %d users in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

// parseFileArg parses flags and the one FILE argument, which may come
// before, between or after them.
func parseFileArg(fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) (string, error) {
	var files []string
	if err := parseFlagsArgs(fs, args, &files, getenv, stdout, stderr); err != nil {
		return "", err
	}
	if len(files) != 1 {
		return "", errors.New(`want one FILE to import ("-" for stdin)`)
	}
	return files[0], nil
}

// openInput opens FILE or stdin, with its size when it is a regular file
// (-1 otherwise).
func openInput(file string) (io.Reader, int64, func(), error) {
	if file == "-" {
		return os.Stdin, -1, func() {}, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, nil, err
	}
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return f, size, func() { f.Close() }, nil
}

// startCPUProfile profiles the process's CPU into path until the returned
// function runs; an empty path profiles nothing.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
