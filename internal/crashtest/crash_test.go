// Package crashtest kills usersd with SIGKILL under a write load and checks
// that every write it acknowledged survived and that the database is
// intact. Long run: USERSD_CRASH_KILLS=200 go test -run Crash ./internal/crashtest/
// (USERSD_CRASH_SEED repeats a run's kill moments).
package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"usersd/internal/facetest"
)

func TestMain(m *testing.M) { os.Exit(facetest.Main(m)) }

func envInt(t *testing.T, name string, def int64) int64 {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", name, v, err)
		}
		return n
	}
	return def
}

// client sends requests that may fail because the server was killed; a
// transport error is an unacknowledged write, never a test failure.
var client = &http.Client{Timeout: 30 * time.Second}

func send(ctx context.Context, base, method, path, token string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err // a cut-off body is no acknowledgement
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m, nil
}

// ledger is what the server acknowledged.
type ledger struct {
	mu sync.Mutex
	// users created (id → name) and each one's bio: the last acknowledged
	// value, and values sent after it whose answer was lost (one of them
	// may have committed).
	names   map[int64]string
	bio     map[int64]string
	pending map[int64][]string
	// tokens created (secret → owner id) and tokens whose deletion was
	// acknowledged (secret → true).
	tokens  map[string]int64
	deleted map[string]bool
	writes  int // acknowledged writes
}

// worker is one writer; its state outlives the server processes.
type worker struct {
	id    int
	kind  string // "users" or "tokens"
	admin string
	n     int
	mine  []int64 // users this worker created (users kind)
	// tokens kind: its member's session token and the live tokens it made
	session string
	owner   int64
	live    []tokenRef
}

type tokenRef struct {
	id     int64
	secret string
}

// step sends one write and records an acknowledged one.
func (w *worker) step(ctx context.Context, base string, rng *rand.Rand, l *ledger) {
	w.n++
	switch {
	case w.kind == "users" && (len(w.mine) == 0 || rng.IntN(3) == 0):
		name := fmt.Sprintf("crash%d_%d", w.id, w.n)
		bio := "born " + name
		st, m, err := send(ctx, base, "POST", "/v1/users", w.admin, map[string]any{"name": name, "level": 20, "profile": map[string]any{"bio": bio}})
		if err != nil || st != 201 {
			return
		}
		id := int64(m["id"].(float64))
		l.mu.Lock()
		l.names[id], l.bio[id] = name, bio
		l.writes++
		l.mu.Unlock()
		w.mine = append(w.mine, id)
	case w.kind == "users":
		id := w.mine[rng.IntN(len(w.mine))]
		bio := fmt.Sprintf("edit %d by %d", w.n, w.id)
		l.mu.Lock()
		l.pending[id] = append(l.pending[id], bio)
		l.mu.Unlock()
		st, _, err := send(ctx, base, "PATCH", fmt.Sprintf("/v1/users/%d", id), w.admin, map[string]any{"profile": map[string]any{"bio": bio}})
		if err != nil || st != 200 {
			return
		}
		l.mu.Lock()
		l.bio[id], l.pending[id] = bio, nil
		l.writes++
		l.mu.Unlock()
	case len(w.live) >= 30:
		// Delete the oldest token, so the user stays under the token cap.
		tk := w.live[0]
		st, _, err := send(ctx, base, "DELETE", fmt.Sprintf("/v1/me/tokens/%d", tk.id), w.session, nil)
		// Whatever the answer, the token's fate is no longer known unless
		// the deletion was acknowledged: a kill may cut the answer to a
		// deletion the server committed.
		w.live = w.live[1:]
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.tokens, tk.secret)
		if err == nil && (st == 204 || st == 200) {
			l.deleted[tk.secret] = true
			l.writes++
		}
	default:
		st, m, err := send(ctx, base, "POST", "/v1/me/tokens", w.session, map[string]any{"label": fmt.Sprintf("t%d", w.n), "scope": "read"})
		if err == nil && st == 409 {
			w.prune(ctx, base)
		}
		if err != nil || st != 201 {
			return
		}
		tk := tokenRef{int64(m["id"].(float64)), m["token"].(string)}
		w.live = append(w.live, tk)
		l.mu.Lock()
		l.tokens[tk.secret] = w.owner
		l.writes++
		l.mu.Unlock()
	}
}

// prune deletes tokens whose creation was never acknowledged (their
// answers were lost to kills), which a long run piles up to the cap.
func (w *worker) prune(ctx context.Context, base string) {
	st, m, err := send(ctx, base, "GET", "/v1/me/tokens", w.session, nil)
	if err != nil || st != 200 {
		return
	}
	known := map[int64]bool{}
	for _, tk := range w.live {
		known[tk.id] = true
	}
	for _, x := range m["tokens"].([]any) {
		tk := x.(map[string]any)
		if id := int64(tk["id"].(float64)); !known[id] && tk["kind"] != "login" {
			send(ctx, base, "DELETE", fmt.Sprintf("/v1/me/tokens/%d", id), w.session, nil)
		}
	}
}

// start runs usersd on b's database until kill; it returns the base URL
// and a function that SIGKILLs it and waits for it to be gone.
func start(t *testing.T, b facetest.Backend) (string, *facetest.LogBuffer, func()) {
	t.Helper()
	log := facetest.NewLogBuffer()
	cmd := exec.Command(facetest.Binary(t), append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "text"}, b.Args...)...)
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	kill := func() {
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
	select {
	case addr := <-log.Addr():
		return "http://" + addr, log, kill
	case err := <-done:
		t.Fatalf("usersd did not start: %v\n%s", err, log.String())
	case <-time.After(60 * time.Second):
		kill()
		t.Fatalf("usersd did not start in time\n%s", log.String())
	}
	return "", nil, nil
}

func TestCrashSafety(t *testing.T) {
	seed := uint64(envInt(t, "USERSD_CRASH_SEED", time.Now().UnixNano()))
	kills := int(envInt(t, "USERSD_CRASH_KILLS", 20))
	t.Logf("seed %d (USERSD_CRASH_SEED=%d repeats it), %d kills", seed, seed, kills)
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		rng := rand.New(rand.NewPCG(seed, uint64(len(b.Name))))
		l := &ledger{names: map[int64]string{}, bio: map[int64]string{}, pending: map[int64][]string{},
			tokens: map[string]int64{}, deleted: map[string]bool{}}

		// Fixtures on a server that is then killed like the others.
		base, log, kill := start(t, b)
		s := facetest.Attach(t, base, b, log, nil)
		_, admin := s.Admin("crashroot", 50)
		var workers []*worker
		for i := range 4 {
			w := &worker{id: i, kind: "users", admin: admin}
			if i == 3 {
				w.kind = "tokens"
				w.owner, w.session = s.Signup("crashtok")
			}
			workers = append(workers, w)
		}
		kill()

		var lost int
		for k := range kills {
			base, _, kill := start(t, b)
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for _, w := range workers {
				wrng := rand.New(rand.NewPCG(seed, uint64(k*10+w.id)))
				wg.Go(func() {
					for ctx.Err() == nil {
						w.step(ctx, base, wrng, l)
					}
				})
			}
			// A random moment: most within the first second of load, some
			// while the server is only starting to take it.
			time.Sleep(time.Duration(30+rng.IntN(700)) * time.Millisecond)
			kill()
			cancel()
			wg.Wait()
			lost++
		}

		// Check on a cleanly started server: every acknowledged write is there.
		s = facetest.Start(t, b)
		checked := 0
		for id, name := range l.names {
			m := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", id), admin, nil), 200)
			checked++
			if m["name"] != name {
				t.Errorf("user %d: name %v, want %s", id, m["name"], name)
			}
			bio, _ := m["profile"].(map[string]any)["bio"].(string)
			ok := bio == l.bio[id]
			for _, p := range l.pending[id] {
				ok = ok || bio == p
			}
			if !ok {
				t.Errorf("user %d: bio %q, want the acknowledged %q (or a later unacknowledged %q)", id, bio, l.bio[id], l.pending[id])
			}
		}
		for secret, owner := range l.tokens {
			m := s.Want(s.Do("GET", "/v1/me", secret, nil), 200)
			checked++
			if int64(m["id"].(float64)) != owner {
				t.Errorf("token of user %d authenticates user %v", owner, m["id"])
			}
		}
		for secret := range l.deleted {
			if r := s.Do("GET", "/v1/me", secret, nil); r.Status != 401 {
				t.Errorf("a token whose deletion was acknowledged answers %d", r.Status)
			}
			checked++
		}
		integrity(t, b)
		t.Logf("%s: %d kills survived, %d acknowledged writes, %d checked (%d users, %d tokens, %d deletions)",
			b.Name, lost, l.writes, checked, len(l.names), len(l.tokens), len(l.deleted))
		if len(l.names) == 0 || len(l.tokens) == 0 {
			t.Errorf("the load acknowledged too little to test: %d users, %d tokens", len(l.names), len(l.tokens))
		}
	})
}

// integrity runs the backend's own consistency checks.
func integrity(t *testing.T, b facetest.Backend) {
	t.Helper()
	db := b.Open(t)
	ctx := context.Background()
	rows := func(q string) []string {
		t.Helper()
		rs, err := db.R.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		var out []string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		if err := rs.Err(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return out
	}
	if b.Name == "sqlite" {
		if got := rows("PRAGMA integrity_check"); len(got) != 1 || got[0] != "ok" {
			t.Errorf("PRAGMA integrity_check: %q", got)
		}
		if got := rows("PRAGMA foreign_key_check"); len(got) != 0 {
			t.Errorf("PRAGMA foreign_key_check: %q", got)
		}
		return
	}
	// PostgreSQL: no invalid index, no duplicate under a unique key, and
	// amcheck's B-tree verification of every index of the schema when the
	// extension can be had.
	if got := rows(`SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND NOT (i.indisvalid AND i.indisready)`); len(got) != 0 {
		t.Errorf("invalid indexes: %q", got)
	}
	if got := rows(`SELECT name_key FROM users GROUP BY name_key HAVING count(*) > 1`); len(got) != 0 {
		t.Errorf("duplicate name keys: %q", got)
	}
	if got := rows(`SELECT secret_hash FROM api_tokens GROUP BY secret_hash HAVING count(*) > 1`); len(got) != 0 {
		t.Errorf("duplicate token hashes: %q", got)
	}
	if _, err := db.W.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA public"); err != nil {
		t.Logf("amcheck unavailable (%v); checked index validity and uniqueness only", err)
		return
	}
	got := rows(`SELECT c.relname, public.bt_index_check(c.oid, true) FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
		WHERE am.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace`)
	if len(got) == 0 {
		t.Error("amcheck found no B-tree index to check")
	}
	t.Logf("amcheck: %d B-tree indexes verified", len(got))
}
