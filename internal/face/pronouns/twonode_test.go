package pronouns_test

// Two usersd nodes on one PostgreSQL schema and one Redis prefix behave as
// one: a reroll race has one winner, and the PATCH /users/@me bucket is
// shared.

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"usersd/internal/facetest"
	"usersd/internal/testdb"
)

func TestTwoNodes(t *testing.T) {
	be := facetest.Postgres(t) // skips without PostgreSQL, fails in CI
	url, prefix := testdb.Redis(t)
	flags := []string{"--redis", url, "--redis-prefix", prefix, "--pronouns-rates=PATCH /users/@me=10"}
	a := newFx(t, be, flags...)
	b := a.on(t)
	b.s = facetest.Start(t, be, append([]string{"--rename-cooldown=0"}, flags...)...) // after a, which migrated the schema
	nodes := []*fx{a, b}

	t.Run("reroll race", func(t *testing.T) {
		u := a.on(t).user("racer")
		const n = 12
		type result struct {
			status int
			body   string
		}
		results := make([]result, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			base := nodes[i%2].s.Base
			wg.Go(func() {
				<-start
				req, _ := http.NewRequest("GET", base+api+"/users/@me/reroll", nil)
				req.Header.Set("Authorization", "Bearer "+u.key)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					results[i] = result{0, err.Error()}
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				results[i] = result{resp.StatusCode, string(body)}
			})
		}
		close(start)
		wg.Wait()
		won := 0
		var sid string
		for i, r := range results {
			switch r.status {
			case 200:
				won++
				m := object(t, facetest.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(r.body)})
				sid, _ = m["sid"].(string)
			case 403:
				wantErr(t, facetest.Response{Status: 403, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(r.body)}, 403, 2004)
			default:
				t.Errorf("reroll %d (node %d): %d %.300s", i, i%2, r.status, r.body)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d concurrent rerolls succeeded, want exactly 1", won, n)
		}
		for i, g := range nodes {
			if got := g.on(t).get(u.xid, ""); got["sid"] != sid || !userSIDRE.MatchString(sid) {
				t.Errorf("node %d shows sid %v, the winner got %q", i, got["sid"], sid)
			}
			wantErr(t, g.on(t).do("GET", "/users/@me/reroll", u.key, nil), 403, 2004)
		}
	})

	t.Run("shared PATCH bucket", func(t *testing.T) {
		u := a.on(t).user("spender")
		for i := range 10 {
			g := nodes[i/5].on(t) // 5 on node a, then 5 on node b
			r := g.patch(u.key, map[string]any{"bio": fmt.Sprintf("spend %d", i)})
			if r.Status != 200 {
				t.Fatalf("PATCH %d on node %d: %d %s", i+1, i/5, r.Status, r.Body)
			}
			if got, want := r.Header.Get("X-RateLimit-Remaining"), fmt.Sprint(9-i); got != want {
				t.Errorf("PATCH %d on node %d: X-RateLimit-Remaining %q, want %s", i+1, i/5, got, want)
			}
		}
		for i, g := range nodes {
			g := g.on(t)
			r := g.patch(u.key, map[string]any{"bio": "one too many"})
			wantErr(t, r, 429, 429)
			if r.Header.Get("Retry-After") == "" || !strings.Contains(r.Header.Get("X-RateLimit-Bucket"), "@me") {
				t.Errorf("node %d 429 headers: %v", i, r.Header)
			}
			if got := g.get("@me", u.key); got["bio"] != "spend 9" {
				t.Errorf("node %d: bio %v after refusals", i, got["bio"])
			}
		}
	})
}
