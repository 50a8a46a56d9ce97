package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/native"
	"usersd/internal/store/postgres"
	"usersd/internal/store/sqlite"
	"usersd/internal/store/sqlstore"
)

const usage = `usage: usersd <command> [flags]

commands:
  serve                 run the HTTP service
  migrate               apply database migrations
  user create           create a user (--name, --password, [--email], [--level])
  user set-level        set a user's level (--name, --level)
  token create          mint an API token for a user (--name, [--label], [--expires-in])
  names check           list stored names that look like earlier ones or break the name rule
  import FILE           import users from JSONL or CSV (exit 2 when records were refused)
  export                export users as JSONL or CSV
  version               print the build's version and VCS revision
  help [command]        this text, or a command's flags

Every flag may also be set as USERSD_<FLAG> in the environment
(e.g. USERSD_DB, USERSD_ADDR, USERSD_MOUNT=e621=/,danbooru=/danbooru).
Run "usersd <command> -h" or "usersd help <command>" for a command's flags.`

// run is the whole program, with its inputs as arguments so tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h or --help: usage went to stdout
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command")
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "user" || cmd == "token" || cmd == "names") && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	if cmd != "serve" {
		// What a command changes is the CLI's in the audit log.
		ctx = core.WithOrigin(ctx, core.Origin{Face: "cli"})
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, rest, getenv, stdout, stderr)
	case "user create":
		return userCreate(ctx, rest, getenv, stdout, stderr)
	case "user set-level":
		return userSetLevel(ctx, rest, getenv, stdout, stderr)
	case "token create":
		return tokenCreate(ctx, rest, getenv, stdout, stderr)
	case "names check":
		return namesCheck(ctx, rest, getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, getenv, stdout, stderr)
	case "export":
		return exportCmd(ctx, rest, getenv, stdout, stderr)
	case "version":
		return versionCmd(rest, getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && rest[0] != "help" && !strings.HasPrefix(rest[0], "-") {
			// "usersd help user create" is "usersd user create -h".
			return dispatch(ctx, append(rest, "-h"), getenv, stdout, stderr)
		}
		fmt.Fprintln(stdout, usage)
		return nil
	case "user", "token", "names":
		if len(rest) > 0 && isHelpFlag(rest[0]) {
			fmt.Fprintln(stdout, usage)
			return nil
		}
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("%s: want a subcommand", cmd)
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func isHelpFlag(s string) bool {
	return s == "-h" || s == "-help" || s == "--help" || s == "--h"
}

// newFlagSet returns a flag set whose usage names the command and its
// synopsis.
func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: usersd %s [flags]\n\n%s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nEvery flag may also be set as USERSD_<FLAG> in the environment.")
	}
	return fs
}

// storeFlags are the flags every command shares.
type storeFlags struct {
	data string
	db   string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.data, "data", "./data", "data directory for the embedded SQLite database")
	fs.StringVar(&s.db, "db", "", "database URL: postgres://… for PostgreSQL, sqlite:PATH, or empty for SQLite in --data")
}

// parseFlags parses args, then fills every flag not given on the command
// line from USERSD_<FLAG> (upper case, '-' as '_'). Asked for with -h, the
// usage goes to stdout and the error is flag.ErrHelp, which run treats as
// success; a bad flag's message and the usage go to stderr.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return parseFlagsArgs(fs, args, nil, getenv, stdout, stderr)
}

// parseFlagsArgs is parseFlags for a command that takes arguments besides
// flags, before, between or after them: they are appended to positional.
func parseFlagsArgs(fs *flag.FlagSet, args []string, positional *[]string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out bytes.Buffer
	fs.SetOutput(&out)
	err := fs.Parse(args)
	for err == nil && positional != nil && fs.NArg() > 0 {
		*positional = append(*positional, fs.Arg(0))
		err = fs.Parse(fs.Args()[1:])
	}
	fs.SetOutput(stderr)
	if errors.Is(err, flag.ErrHelp) {
		_, werr := stdout.Write(out.Bytes())
		return errors.Join(err, werr)
	}
	stderr.Write(out.Bytes())
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags come as --name value; a boolean as --name=false)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		env := "USERSD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: not a valid --%s: %w", env, v, f.Name, e)
			}
		}
	})
	return err
}

// openStore opens the store the flags name and applies migrations.
func openStore(ctx context.Context, s storeFlags) (*sqlstore.DB, string, error) {
	switch {
	case strings.HasPrefix(s.db, "postgres://"), strings.HasPrefix(s.db, "postgresql://"):
		db, err := postgres.Open(ctx, s.db)
		return db, "postgres", err
	case s.db == "" || strings.HasPrefix(s.db, "sqlite:"):
		path := strings.TrimPrefix(s.db, "sqlite:")
		if path == "" {
			if strings.TrimSpace(s.data) == "" {
				return nil, "", errors.New("--data: want a directory for the SQLite database (or --db)")
			}
			if err := os.MkdirAll(s.data, 0o750); err != nil {
				return nil, "", err
			}
			path = filepath.Join(s.data, "usersd.db")
		}
		db, err := sqlite.Open(ctx, path)
		return db, "sqlite", err
	}
	return nil, "", fmt.Errorf("--db: unsupported URL (want postgres://… or sqlite:PATH)")
}

func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "Apply the database migrations and print the schema version.")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args, getenv, stdout, stderr); err != nil {
		return err
	}
	db, kind, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := reportNameCollisions(ctx, db, slog.New(slog.NewTextHandler(stderr, nil))); err != nil {
		return err
	}
	v, err := db.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s schema at version %d\n", kind, v)
	return nil
}

func adminService(ctx context.Context, sf storeFlags) (*core.Service, func(), error) {
	db, _, err := openStore(ctx, sf)
	if err != nil {
		return nil, nil, err
	}
	return bindFaces(core.NewService(db)), func() { db.Close() }, nil
}

// adminUser opens the store and finds the user a command names.
func adminUser(ctx context.Context, sf storeFlags, name string) (*core.Service, *core.User, func(), error) {
	svc, done, err := adminService(ctx, sf)
	if err != nil {
		return nil, nil, nil, err
	}
	u, err := svc.GetUserByName(ctx, core.System, name)
	if err != nil {
		done()
		return nil, nil, nil, describe(err)
	}
	return svc, u, done, nil
}

func userCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user create", "Create a user; prints it as the native API renders it to the system.")
	var sf storeFlags
	sf.register(fs)
	name := fs.String("name", "", "user name (required)")
	password := fs.String("password", "", "password (required)")
	email := fs.String("email", "", "e-mail address")
	level := fs.Int("level", core.LevelMember, "level on Danbooru's scale (20 member … 50 admin, 60 owner)")
	if err := parseFlags(fs, args, getenv, stdout, stderr); err != nil {
		return err
	}
	if *name == "" || *password == "" {
		return errors.New("user create: --name and --password are required")
	}
	svc, done, err := adminService(ctx, sf)
	if err != nil {
		return err
	}
	defer done()
	fields := core.Patch{"level": int64(*level)}
	if *email != "" {
		fields["email"] = *email
	}
	u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: *name, Password: *password, Fields: fields})
	if err != nil {
		return describe(err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", native.MarshalUser(u, core.System))
	return err
}

func userSetLevel(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user set-level", "Set a user's level on Danbooru's scale.")
	var sf storeFlags
	sf.register(fs)
	name := fs.String("name", "", "user name (required)")
	level := fs.Int("level", 0, "new level (required)")
	if err := parseFlags(fs, args, getenv, stdout, stderr); err != nil {
		return err
	}
	if *name == "" || *level == 0 {
		return errors.New("user set-level: --name and --level are required")
	}
	svc, u, done, err := adminUser(ctx, sf, *name)
	if err != nil {
		return err
	}
	defer done()
	if u, err = svc.SetLevel(ctx, core.System, u.ID, *level); err != nil {
		return describe(err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", native.MarshalUser(u, core.System))
	return err
}

func tokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token create", "Mint a write-scoped API token for a user; the secret is the last line.")
	var sf storeFlags
	sf.register(fs)
	name := fs.String("name", "", "user name (required)")
	label := fs.String("label", "cli", "token label")
	expiresIn := fs.Duration("expires-in", 0, "lifetime of the token, e.g. 720h; 0 never expires")
	if err := parseFlags(fs, args, getenv, stdout, stderr); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("token create: --name is required")
	}
	svc, u, done, err := adminUser(ctx, sf, *name)
	if err != nil {
		return err
	}
	defer done()
	secret, t, err := svc.CreateTokenWith(ctx, core.System, u.ID, core.NewToken{Label: *label, Scope: core.ScopeWrite, ExpiresIn: *expiresIn})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "token %d for user %s (id %d), label %q; shown once:\n", t.ID, u.Name, u.ID, t.Label)
	_, err = fmt.Fprintln(stdout, secret)
	return err
}

// describe renders a domain error for the terminal.
func describe(err error) error {
	e := core.AsError(err)
	if e.Code == core.Internal {
		return err
	}
	msg := e.Message
	for f, r := range e.Fields {
		msg += fmt.Sprintf(" %s %s.", f, r)
	}
	return errors.New(msg)
}
