package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// runCLI runs usersd with args and no environment.
func runCLI(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, &out, &errb)
	return out.String(), errb.String(), err
}

// TestHelp: asking for help succeeds and prints to stdout; a bad flag or
// command fails and prints to stderr.
func TestHelp(t *testing.T) {
	commands := [][]string{{"serve"}, {"migrate"}, {"user", "create"}, {"user", "set-level"}, {"token", "create"}, {"import"}, {"export"}, {"version"}}
	for _, cmd := range commands {
		name := strings.Join(cmd, " ")
		for _, h := range []string{"-h", "--help", "-help"} {
			out, errOut, err := runCLI(append(cmd, h)...)
			if err != nil || !strings.HasPrefix(out, "usage: usersd "+name+" [flags]") || errOut != "" {
				t.Errorf("%s %s: err %v, stdout %.40q, stderr %q", name, h, err, out, errOut)
			}
		}
		// Help after other flags, and through "usersd help CMD".
		if name != "version" {
			out, _, err := runCLI(append(cmd, "--data", t.TempDir(), "-h")...)
			if err != nil || !strings.HasPrefix(out, "usage: usersd "+name) {
				t.Errorf("%s --data x -h: err %v, stdout %.40q", name, err, out)
			}
		}
		out, errOut, err := runCLI(append([]string{"help"}, cmd...)...)
		if err != nil || !strings.HasPrefix(out, "usage: usersd "+name) || errOut != "" {
			t.Errorf("help %s: err %v, stdout %.40q, stderr %q", name, err, out, errOut)
		}
		out, errOut, err = runCLI(append(cmd, "--no-such-flag")...)
		if err == nil || out != "" || !strings.Contains(errOut, "flag provided but not defined: -no-such-flag") {
			t.Errorf("%s --no-such-flag: err %v, stdout %q, stderr %.80q", name, err, out, errOut)
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"user", "-h"}, {"token", "--help"}} {
		out, errOut, err := runCLI(args...)
		if err != nil || !strings.HasPrefix(out, "usage: usersd <command>") || errOut != "" {
			t.Errorf("%v: err %v, stdout %.40q, stderr %q", args, err, out, errOut)
		}
	}
	for _, args := range [][]string{{}, {"nosuch"}, {"user"}, {"user", "nosuch"}, {"help", "nosuch"}, {"version", "extra"}} {
		out, _, err := runCLI(args...)
		if err == nil || strings.HasPrefix(out, "usage:") {
			t.Errorf("%v: err %v, stdout %.40q; want an error", args, err, out)
		}
	}
}

func TestVersionText(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name              string
		bi                *debug.BuildInfo
		version, revision string
		want              []string
	}{
		{"no build info", nil, "", "", []string{"usersd (devel)\n", "revision unknown ("}},
		{"go run", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "usersd", Version: "(devel)"}}, "", "",
			[]string{"usersd (devel)\n", "revision unknown (", "built with go1.26.8 "}},
		{"go build, dirty", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261206144500-3817f668b7bd+dirty"},
			Settings: vcs("vcs", "git", "vcs.revision", "3817f668b7bd", "vcs.time", "2026-12-06T14:45:00Z", "vcs.modified", "true")}, "", "",
			[]string{"usersd v0.0.0-20261206144500-3817f668b7bd+dirty\n", "revision 3817f668b7bd committed 2026-12-06T14:45:00Z, with uncommitted changes\n"}},
		{"go build, clean", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"},
			Settings: vcs("vcs.revision", "abc", "vcs.modified", "false")}, "", "",
			[]string{"usersd v1.2.3\n", "revision abc, clean\n"}},
		{"go install module@version", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "", "",
			[]string{"usersd v1.2.3\n", "revision unknown ("}},
		{"link-time values win", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", "old", "vcs.modified", "true")}, "v2.0.0", "new",
			[]string{"usersd v2.0.0\n", "revision new\n"}},
	}
	for _, tt := range tests {
		got := versionText(tt.bi, tt.version, tt.revision)
		if n := strings.Count(got, "\n"); n != 3 {
			t.Errorf("%s: %d lines:\n%s", tt.name, n, got)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.name, w, got)
			}
		}
	}
}

func TestVersionCommand(t *testing.T) {
	out, errOut, err := runCLI("version")
	if err != nil || !strings.HasPrefix(out, "usersd ") || strings.Count(out, "\n") != 3 || errOut != "" {
		t.Errorf("version: err %v, stdout %q, stderr %q", err, out, errOut)
	}
}

// TestBuiltBinary builds usersd and runs it, for what only a real binary
// shows: the exit status, and the revision the go command or the linker
// stamped into it.
func TestBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "usersd")
	build := func(flags ...string) string {
		t.Helper()
		cmd := exec.Command("go", append(append([]string{"build", "-o", bin}, flags...), ".")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %v: %v\n%s", flags, err, out)
		}
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatalf("usersd version: %v", err)
		}
		return string(out)
	}
	// The linker's value, which works in every checkout.
	if out := build("-ldflags=-X main.buildRevision=0123456789ab"); !strings.Contains(out, "revision 0123456789ab\n") {
		t.Errorf("built with -X main.buildRevision: version says\n%s", out)
	}
	code := func(args ...string) int {
		err := exec.Command(bin, args...).Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"serve", "--help"}, 0}, {[]string{"serve", "-h"}, 0}, {[]string{"help"}, 0},
		{[]string{"help", "token", "create"}, 0}, {[]string{"serve", "--bogus"}, 1}, {[]string{"bogus"}, 1},
	} {
		if got := code(c.args...); got != c.want {
			t.Errorf("usersd %v: exit status %d, want %d", c.args, got, c.want)
		}
	}
	// The go command's stamp, where it can make one: a checkout whose .git
	// is a directory (linked worktrees are golang/go#58218).
	head, err := exec.Command("git", "rev-parse", "--show-toplevel", "HEAD").Output()
	if err != nil {
		t.Logf("no git checkout to stamp from (%v); the go command's stamp is not checked", err)
		return
	}
	lines := strings.Fields(string(head))
	if fi, err := os.Stat(filepath.Join(lines[0], ".git")); err != nil || !fi.IsDir() {
		t.Logf("%s is a linked worktree, which the go command does not stamp (golang/go#58218); the stamp is not checked", lines[0])
		return
	}
	if out := build("-buildvcs=true"); !strings.Contains(out, "revision "+lines[1]) {
		t.Errorf("built with -buildvcs=true at %s: version says\n%s", lines[1], out)
	}
}

// TestServeFlags: a bad value is refused with a message naming the flag,
// before the database is opened.
func TestServeFlags(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--login-account-limit", "0"}, nil, "--login-account-limit 0: must be at least 1"},
		{[]string{"--login-account-limit", "-5"}, nil, "--login-account-limit -5: must be at least 1"},
		{[]string{"--login-addr-limit", "0"}, nil, "--login-addr-limit 0: must be at least 1"},
		{nil, map[string]string{"USERSD_LOGIN_ADDR_LIMIT": "-1"}, "--login-addr-limit -1: must be at least 1"},
		{nil, map[string]string{"USERSD_LOGIN_ADDR_LIMIT": "many"}, `USERSD_LOGIN_ADDR_LIMIT="many": not a valid --login-addr-limit`},
		{[]string{"--login-account-limit", "five"}, nil, `invalid value "five" for flag -login-account-limit`},
		{[]string{"--addr", "8080"}, nil, `--addr "8080": want HOST:PORT`},
		{[]string{"--addr", "127.0.0.1:99999"}, nil, `--addr "127.0.0.1:99999": port must be 0..65535`},
		{[]string{"--addr", "127.0.0.1:-1"}, nil, "port must be"},
		{[]string{"--log-format", "yaml"}, nil, `--log-format "yaml": want text or json`},
		{[]string{"--mount", "e621"}, nil, "want FACE=PREFIX"},
		{[]string{"--signup=maybe"}, nil, "invalid boolean value"},
		{[]string{"--signup-addr-limit", "0"}, nil, "--signup-addr-limit 0: must be at least 1"},
		{nil, map[string]string{"USERSD_MAX_USER_BYTES": "1000"}, "--max-user-bytes 1000: must be from 16384 to 16777216"},
		{[]string{"--max-user-bytes", "1073741824"}, nil, "--max-user-bytes 1073741824: must be from"},
		{[]string{"--signup", "false"}, nil, `unexpected argument "false"`},
		{[]string{"--db", "mysql://localhost/x"}, nil, "--db: unsupported URL"},
		{[]string{"--data", ""}, nil, "--data: want a directory"},
		{[]string{"stray"}, nil, `unexpected argument "stray"`},
		{[]string{"--metrics", "metrics"}, nil, `--metrics "metrics": want a path`},
		{[]string{"--metrics", "/"}, nil, `--metrics "/": want a path`},
		{[]string{"--metrics", "/healthz"}, nil, `system already answers /healthz`},
		{[]string{"--metrics", "/v1/metrics"}, nil, `native already answers /v1`},
		{[]string{"--metrics", "/e621/metrics"}, nil, `e621 already answers /e621`},
		{[]string{"--metrics", "/x/metrics", "--mount", "danbooru=/x"}, nil, `danbooru already answers /x`},
		{[]string{"--rename-cooldown", "-1h"}, nil, "--rename-cooldown -1h0m0s: must be 0 (no limit) or more"},
		{[]string{"--rename-cooldown", "week"}, nil, `invalid value "week" for flag -rename-cooldown`},
		{nil, map[string]string{"USERSD_UPSTREAM_HIDDEN_SEARCH": "sometimes"}, "USERSD_UPSTREAM_HIDDEN_SEARCH"},
		{[]string{"--pronouns-rates", "GET /users/x=5"}, nil, `--pronouns-rates "GET /users/x=5": unknown bucket`},
		{nil, map[string]string{"USERSD_PRONOUNS_RATES": "/=0"}, `--pronouns-rates "/=0": the limit must be`},
		{[]string{"--pronouns-rates", "*"}, nil, `--pronouns-rates "*": want BUCKET=N`},
		{[]string{"--reviewboard-rates", "robot=5"}, nil, `--reviewboard-rates "robot=5": unknown name`},
		{nil, map[string]string{"USERSD_REVIEWBOARD_RATES": "anon=0"}, `--reviewboard-rates "anon=0": the limit must be`},
		{[]string{"--drf-rates", "staff=5/m"}, nil, `--drf-rates "staff=5/m": unknown name`},
		{nil, map[string]string{"USERSD_DRF_RATES": "user=5/week"}, `--drf-rates "user=5/week": the period must be`},
		{[]string{"--max-flags", "0"}, nil, `--max-flags 0, --max-members 500: each must be at least 1`},
		{[]string{"--reroll-cooldown", "-1s"}, nil, `--reroll-cooldown, --sweep-interval and --audit-retention must be 0 or more`},
	}
	for _, tt := range tests {
		data := filepath.Join(t.TempDir(), "data")
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, tt.args...)
		var out, errb bytes.Buffer
		err := run(t.Context(), args, func(k string) string { return tt.env[k] }, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("serve %v %v: err %v, want %q", tt.args, tt.env, err, tt.want)
		}
		if _, serr := os.Stat(data); serr == nil && tt.want != "--db: unsupported URL" {
			t.Errorf("serve %v %v: created %s before refusing", tt.args, tt.env, data)
		}
	}
	for _, args := range [][]string{{"migrate", "--data", ""}, {"user", "create", "--name", "x", "--password", "long secret", "--data", ""}} {
		if _, _, err := runCLI(args...); err == nil || !strings.Contains(err.Error(), "--data: want a directory") {
			t.Errorf("%v: err %v", args, err)
		}
	}
}

// TestPostgresUnreachable: the commands report a closed port as an
// unreachable server, not as a missing extension, and hide the password.
func TestPostgresUnreachable(t *testing.T) {
	dsn := "postgres://usersd:hunter2-pw@127.0.0.1:1/usersd"
	for _, args := range [][]string{{"migrate", "--db", dsn}, {"serve", "--addr", "127.0.0.1:0", "--db", dsn}} {
		_, _, err := runCLI(args...)
		if err == nil || !strings.Contains(err.Error(), "cannot reach the server at 127.0.0.1:1") ||
			strings.Contains(err.Error(), "pg_trgm") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: err %v", args[0], err)
		}
	}
}
