package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"usersd/internal/facetest"
)

// runIn runs usersd with args on backend b.
func runIn(b facetest.Backend, args ...string) (stdout, stderr string, err error) {
	return runCLI(append(args, b.Args...)...)
}

func writeFile(t *testing.T, name string, lines ...[]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, append(bytes.Join(lines, []byte("\n")), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImportExportRoundTrip: a file with every field set imports, exports
// with each value as given, and its export imported into an empty
// database exports byte for byte the same, in JSONL and in CSV.
func TestImportExportRoundTrip(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		in := [][]byte{facetest.FullRecord(t, 0, 0), facetest.FullRecord(t, 1, 100), facetest.FullRecord(t, 2, 101)}
		file := writeFile(t, "in.jsonl", in...)
		if out, errOut, err := runIn(b, "import", file); err != nil || !strings.Contains(out, "3 created") {
			t.Fatalf("import: %v\n%s%s", err, out, errOut)
		}
		first, errOut, err := runIn(b, "export")
		if err != nil {
			t.Fatalf("export: %v %s", err, errOut)
		}
		lines := strings.Split(strings.TrimSuffix(first, "\n"), "\n")
		if len(lines) != len(in) {
			t.Fatalf("export has %d lines, want %d:\n%s", len(lines), len(in), first)
		}
		for i, line := range lines {
			var want, got map[string]any
			json.Unmarshal(in[i], &want)
			json.Unmarshal([]byte(line), &got)
			facetest.SameRecord(t, i, want, got)
		}
		for _, format := range []string{"jsonl", "csv"} {
			exported, _, err := runIn(b, "export", "--format", format)
			if err != nil {
				t.Fatal(err)
			}
			file := writeFile(t, "export."+format, []byte(strings.TrimSuffix(exported, "\n")))
			empty := facetest.Fresh(t, b)
			if out, errOut, err := runIn(empty, "import", "--format", format, file); err != nil || !strings.Contains(out, "3 created") {
				t.Fatalf("%s: import of the export: %v\n%s%s", format, err, out, errOut)
			}
			again, _, err := runIn(empty, "export", "--format", format)
			if err != nil || again != exported {
				t.Errorf("%s: export after import differs (%v):\n%s\nwas\n%s", format, err, again, exported)
			}
		}
		// The filter of the native API narrows the export.
		out, _, err := runIn(b, "export", "--filter", `name = "full_1" || deleted = true`)
		if err != nil || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"name":"Full_1"`) {
			t.Errorf("filtered export: %v\n%s", err, out)
		}
		if _, _, err := runIn(b, "export", "--filter", "password_hash = 'x'"); err == nil {
			t.Error("export filtered on the password hash succeeded")
		}
	})
}

// TestImportCLI: refusals with their lines go to the rejects file and
// exit status 2; a dry run writes nothing; a re-run creates nothing; an
// imported Django hash logs in.
func TestImportCLI(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		file := writeFile(t, "in.jsonl",
			[]byte(`{"name":"ok1","password_hash":"pbkdf2_sha256$1000$seasalt$`+facetest.DjangoKey(t)+`"}`),
			[]byte(`{"name":"bad","password_hash":"md5$x$y"}`),
			[]byte(`not json`),
			[]byte(`{"name":"ok2","level":30}`),
			[]byte(`{"name":"ok3","profile":{"bio":""}}`),
		)
		rejects := filepath.Join(t.TempDir(), "rejects.txt")
		out, _, err := runIn(b, "import", "--dry-run", "--rejects", rejects, file)
		var exit *exitError
		if !errors.As(err, &exit) || exit.code != exitRefused || !strings.Contains(out, "dry run: would have imported: 5 read, 2 created, 0 updated, 0 skipped, 3 refused") {
			t.Fatalf("dry run: %v\n%s", err, out)
		}
		if out, _, _ := runIn(b, "export"); out != "" {
			t.Fatalf("dry run wrote:\n%s", out)
		}
		out, _, err = runIn(b, "import", file, "--rejects", rejects)
		if !errors.As(err, &exit) || !strings.Contains(out, "2 created") {
			t.Fatalf("import: %v\n%s", err, out)
		}
		rej, _ := os.ReadFile(rejects)
		for _, want := range []string{"line 2 (bad): Invalid input. password_hash is not an argon2id", "line 3: Not a JSON object.", "line 5 (ok3): Invalid input. bio"} {
			if !strings.Contains(string(rej), want) {
				t.Errorf("rejects lack %q:\n%s", want, rej)
			}
		}
		out, _, err = runIn(b, "import", "--on-conflict", "update", file)
		if !errors.As(err, &exit) || !strings.Contains(out, "0 created, 2 updated") {
			t.Errorf("re-run: %v\n%s", err, out)
		}
		if _, errOut, err := runIn(b, "import", "--on-conflict", "merge", file); err == nil || errOut != "" && !strings.Contains(err.Error(), "skip, update or fail") {
			t.Errorf("--on-conflict merge: %v", err)
		}
		if _, _, err := runIn(b, "import"); err == nil || !strings.Contains(err.Error(), "want one FILE") {
			t.Errorf("no file: %v", err)
		}
		s := startServer(t, b)
		r := s.Do("POST", "/v1/login", "", map[string]any{"name": "ok1", "password": "lètmein"})
		if r.Status != 200 {
			t.Errorf("login with the imported hash: %d %s", r.Status, r.Body)
		}
		out, _, _ = runIn(b, "export", "--filter", `name = "ok1"`)
		if !strings.Contains(out, `"password_hash":"$argon2id$`) {
			t.Errorf("hash not rehashed at login:\n%s", out)
		}
	})
}

// TestImportResumesAfterKill: an import killed mid-way (kill -9), after
// it deferred the secondary indexes of the table it found empty, and run
// again with --on-conflict skip ends with every user once, and with the
// indexes and the name search built again.
func TestImportResumesAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports 20,000 users")
	}
	bin := filepath.Join(t.TempDir(), "usersd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const n = 20000
	var buf bytes.Buffer
	for i := range n {
		fmt.Fprintf(&buf, `{"name":"user%05d","email":"u%d@example.com","profile":{"bio":"b%d"}}`+"\n", i, i, i)
	}
	file := writeFile(t, "big.jsonl", bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		cmd := exec.Command(bin, append([]string{"import", "--batch", "500", "--progress", "1ms", file}, b.Args...)...)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		killed := false
		for sc.Scan() {
			var done int
			if _, err := fmt.Sscanf(sc.Text(), "imported %d users", &done); err == nil && done >= 8000 {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
				break
			}
		}
		cmd.Wait()
		if !killed {
			t.Fatal("the import ended before it could be killed")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, append([]string{"import", "--on-conflict", "skip", file}, b.Args...)...).Output()
		if err != nil {
			t.Fatalf("re-run: %v\n%s", err, out)
		}
		var read, created, updated, skipped int
		fmt.Sscanf(string(out), "imported: %d read, %d created, %d updated, %d skipped", &read, &created, &updated, &skipped)
		if read != n || created+skipped != n || skipped < 8000 || created == 0 {
			t.Errorf("re-run: %s", out)
		}
		// Users of both runs found by a name fragment (the trigram index).
		found, _, err := runIn(b, "export", "--format", "csv", "--filter", `name contains "er0000" || name contains "er1999"`)
		if err != nil {
			t.Fatal(err)
		}
		if k := strings.Count(found, "\n") - 1; k != 20 {
			t.Errorf("name search after the resumed import: %d users, want 20:\n%s", k, found)
		}
		exported, err := exec.Command(bin, append([]string{"export", "--format", "csv"}, b.Args...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		rows := strings.Split(strings.TrimSuffix(string(exported), "\n"), "\n")[1:]
		seen := map[string]bool{}
		for _, row := range rows {
			name := strings.Split(row, ",")[3]
			if seen[name] {
				t.Fatalf("%s twice", name)
			}
			seen[name] = true
		}
		if len(rows) != n {
			t.Errorf("%d users after the resumed import, want %d", len(rows), n)
		}
	})
}
