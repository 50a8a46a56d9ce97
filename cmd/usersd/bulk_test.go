package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
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

	"github.com/rs/xid"

	"usersd/internal/core"
	"usersd/internal/face/native"
	"usersd/internal/facetest"
)

// freshBackend returns a new empty database of b's kind.
func freshBackend(t *testing.T, b facetest.Backend) facetest.Backend {
	if b.Name == "postgres" {
		return facetest.Postgres(t)
	}
	return facetest.SQLite(t)
}

// runIn runs usersd with args on backend b.
func runIn(b facetest.Backend, args ...string) (stdout, stderr string, err error) {
	return runCLI(append(args, b.Args...)...)
}

// fullRecord is a user with every field the export carries set to a
// value other than its default, as a JSONL line of the native shape.
func fullRecord(t *testing.T, i int, inviter int64) []byte {
	t.Helper()
	var shape map[string]any
	if err := json.Unmarshal(native.AppendExportUser(nil, &core.User{}, true), &shape); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2019, 3, 4, 5, 6, 7, 890123000, time.UTC).Add(time.Duration(i) * time.Hour)
	special := map[string]any{
		"id": 100 + i, "xid": xid.NewWithTime(at).String(), "sid": "abcd" + string(rune('a'+i)),
		"name": fmt.Sprintf("Full_%d", i), "email": fmt.Sprintf("full%d@example.com", i), "display_name": "Full Name",
		"inviter_id": nil, "avatar": nil, "deleted": i == 2, "deleted_at": nil,
		"timezone": "Europe/Berlin", "language": "de", "date_of_birth": "1990-02-03", "phone": "+49 30 123456",
		"last_ip": "192.0.2.7", "level": 50, "per_page": 40, "comment_threshold": -3,
		"links":           []any{"https://example.com/a"},
		"preferred_names": []any{map[string]any{"value": "Fu", "status": "okay"}},
		"pronouns":        []any{map[string]any{"pronouns": "they/them", "display_text": "they", "status": "favourite"}},
		"profile_fields":  []any{map[string]any{"name": "Likes", "entries": []any{map[string]any{"value": "tea", "status": "okay"}}}},
		"artist_tags":     []any{"tag_one"},
		"custom_preferences": map[string]any{"0b1c3f1e-1a2b-4c3d-8e9f-0123456789ab": map[string]any{
			"icon": "0-circle", "tooltip": "mine", "size": "large", "muted": false, "favourite": true}},
		"upload_karma":      -5,
		"post_upload_count": 9, "post_deleted_count": 2, "post_active_count": 7,
		"positive_feedback_count": 5, "neutral_feedback_count": 1, "negative_feedback_count": 2, "feedback_score": 3,
		"password_hash": "pbkdf2_sha256$1000$salt$c2FsdHlrZXk=",
	}
	if inviter > 0 {
		special["inviter_id"] = inviter
	}
	if i == 2 {
		special["deleted_at"] = at.Add(time.Minute).Format(time.RFC3339Nano)
	}
	fill := func(name string) any {
		if v, ok := special[name]; ok {
			return v
		}
		f := core.FieldByName(name)
		switch f.Kind {
		case core.KindBool:
			return true
		case core.KindInt:
			return f.Min + 4 + i
		case core.KindTime:
			return at.Format(time.RFC3339Nano)
		case core.KindJSON:
			return map[string]any{"k": fmt.Sprintf("v%d", i)}
		case core.KindText:
			if f.Enum != nil {
				return f.Enum[len(f.Enum)-1]
			}
			s := fmt.Sprintf("%s %d", strings.Repeat("x", max(f.Min, 1)), i)
			return s[:min(len(s), f.Max)]
		}
		t.Fatalf("no value for %s", name)
		return nil
	}
	for k, v := range shape {
		if g, ok := v.(map[string]any); ok {
			for name := range g {
				g[name] = fill(name)
			}
			continue
		}
		shape[k] = fill(k)
	}
	b, err := json.Marshal(shape)
	if err != nil {
		t.Fatal(err)
	}
	return b
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
		in := [][]byte{fullRecord(t, 0, 0), fullRecord(t, 1, 100), fullRecord(t, 2, 101)}
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
			for k, wv := range want {
				if g, ok := wv.(map[string]any); ok {
					for name, v := range g {
						if gv := got[k].(map[string]any)[name]; fmt.Sprint(gv) != fmt.Sprint(v) {
							t.Errorf("user %d: %s.%s exported %v, imported %v", i, k, name, gv, v)
						}
					}
				} else if fmt.Sprint(got[k]) != fmt.Sprint(wv) {
					t.Errorf("user %d: %s exported %v, imported %v", i, k, got[k], wv)
				}
			}
		}
		for _, format := range []string{"jsonl", "csv"} {
			exported, _, err := runIn(b, "export", "--format", format)
			if err != nil {
				t.Fatal(err)
			}
			file := writeFile(t, "export."+format, []byte(strings.TrimSuffix(exported, "\n")))
			empty := freshBackend(t, b)
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
			[]byte(`{"name":"ok1","password_hash":"pbkdf2_sha256$1000$seasalt$`+djangoKey(t)+`"}`),
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

// djangoKey is the key of Django's pbkdf2_sha256 hash of "lètmein",
// 1000 iterations, salt "seasalt".
func djangoKey(t *testing.T) string {
	key, err := pbkdf2.Key(sha256.New, "lètmein", []byte("seasalt"), 1000, 32)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(key)
}

// TestImportResumesAfterKill: an import killed mid-way (kill -9) and run
// again with --on-conflict skip ends with every user once.
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
			if _, err := fmt.Sscanf(sc.Text(), "imported %d users", &done); err == nil && done >= 2000 {
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
		if read != n || created+skipped != n || skipped < 2000 || created == 0 {
			t.Errorf("re-run: %s", out)
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
