package main

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/facetest"
	"usersd/internal/store/storetest"
)

// costlyFilter is the search of the finding: 50 distinct wildcard name
// conditions, each of which the trigram index answers with every row as a
// candidate and none as a match, so each reads the whole table.
func costlyFilter() string {
	var terms []string
	for _, p := range []string{"use", "ser"} {
		for k := 2; k <= 26; k++ {
			terms = append(terms, `name like "*`+p+"*"+strings.Repeat("_*", k)+`"`)
		}
	}
	return strings.Join(terms, " || ")
}

// TestQueryDeadlineAndConcurrency: on 5,000 users (25,000 on PostgreSQL), where the 50-condition
// search with total=true runs for a long while unbounded, a server with the
// pattern cap turned off stops it at --query-timeout in the database (400
// query_timeout, or the total left out; each face's timeout answer is
// checked in its package), lets at most --query-concurrency such searches
// run at once (the others 503 with Retry-After on every face), and answers
// a get by id while four are in flight. The deadline is a fraction of what
// the search takes unbounded on this machine, measured first, so the test
// holds on fast and slow machines alike.
func TestQueryDeadlineAndConcurrency(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		n := 5_000
		if b.Name == "postgres" {
			n = 25_000 // PostgreSQL runs the search some ten times faster
		}
		users := storetest.Seed(t, b.Open(t), n)
		list := "/v1/users?total=true&filter=" + url.QueryEscape(costlyFilter())

		free := startServer(t, b, "--query-max-patterns", "0", "--query-timeout", "0", "--query-concurrency", "0")
		free.Want(free.Do("GET", list, "", nil), 200) // warm caches
		// The quicker of two runs: one slowed by other tests running beside
		// it would set a deadline the search then beats.
		took := time.Duration(math.MaxInt64)
		for range 2 {
			start := time.Now()
			free.Want(free.Do("GET", list, "", nil), 200)
			took = min(took, time.Since(start))
		}
		deadline := (took / 3).Round(time.Millisecond)
		t.Logf("the search takes %v unbounded; deadline %v", took, deadline)
		if deadline < 50*time.Millisecond {
			t.Fatalf("the search took only %v: seed more users for a deadline to cut it", took)
		}

		s := startServer(t, b, "--query-max-patterns", "0", "--query-timeout", deadline.String(),
			"--query-concurrency", "2", "--query-queue-wait", "10ms")

		// Alone, the search is cut at the deadline: in its page (400
		// query_timeout) or, when the page beat it, in its total, which is
		// then left out.
		cut := func(r facetest.Response) bool {
			switch r.Status {
			case 400:
				return strings.Contains(string(r.Body), "took longer than")
			case 200:
				_, total := r.JSON(t)["total"]
				return !total
			}
			return false
		}
		if r := s.Do("GET", list, "", nil); !cut(r) {
			t.Errorf("search alone not cut at the deadline: %d %s", r.Status, r.Body)
		}
		danbooru := "/danbooru/users.json?search[name_matches]=" + url.QueryEscape("*use*_*_*")
		e621 := "/e621/users.json?search[name_matches]=" + url.QueryEscape("*ser*_*_*")

		// Four at once: two run until the deadline, two wait 10 ms and are
		// turned away; a get by id meanwhile answers.
		var wg sync.WaitGroup
		got := make([]facetest.Response, 4)
		for i := range got {
			wg.Go(func() { got[i] = s.Do("GET", list, "", nil) })
		}
		for _, u := range users[:5] {
			s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", u.ID), "", nil), 200)
		}
		wg.Wait()
		busy := 0
		for _, r := range got {
			switch {
			case cut(r):
			case r.Status == 503:
				busy++
				if r.Header.Get("Retry-After") == "" {
					t.Errorf("503 without Retry-After")
				}
			default:
				t.Errorf("concurrent search: %d %s", r.Status, r.Body)
			}
		}
		if busy == 0 {
			t.Errorf("four costly searches ran at once under --query-concurrency 2")
		}

		// Every face answers the overload in its own format, as a 503: the
		// server's state, not the client's quota (a 429) or a fault (a 500).
		_, staff := s.Admin("cost_staff", core.LevelAdmin)
		for _, tc := range []struct{ name, path, token, want string }{
			{"native", list, "", "urn:usersd:problem:unavailable"},
			{"danbooru", danbooru, "", "ActiveRecord::ConnectionTimeoutError"},
			{"e621", e621, "", "Too many searches"},
			{"e621 legacy", "/e621/user/index.json?name=" + url.QueryEscape("use*_*_*"), "", "rate limited"},
			{"drf", "/drf/users/?username__icontains=use", staff, `"detail":"Service temporarily unavailable`},
			{"reviewboard", "/reviewboard/api/users/?q=use&counts-only=1", "", `"code": 226`},
		} {
			// On a loaded machine the probe may reach a slot before the
			// two it should queue behind (it then runs to the deadline
			// itself): up to three tries.
			seen := false
			for try := 0; try < 3 && !seen; try++ {
				var wg sync.WaitGroup
				for range 2 {
					wg.Go(func() { s.Do("GET", list, "", nil) })
				}
				for end := time.Now().Add(deadline); time.Now().Before(end); {
					time.Sleep(deadline / 20) // the two take their slots, and hold them until the deadline
					req, err := http.NewRequest("GET", s.Base+tc.path, nil)
					if err != nil {
						t.Fatal(err)
					}
					if tc.token != "" {
						req.Header.Set("Authorization", "Token "+tc.token)
					}
					r := s.Send(req)
					if r.Status == 503 {
						seen = true
						if !strings.Contains(string(r.Body), tc.want) || r.Header.Get("Retry-After") == "" {
							t.Errorf("%s: 503 %v %s", tc.name, r.Header, r.Body)
						}
						break
					}
				}
				wg.Wait()
			}
			if !seen {
				t.Errorf("%s: never turned away while two costly searches ran", tc.name)
			}
		}
	})
}

// TestQueryBudgetFlags: negative budget flags are refused before the
// database is opened.
func TestQueryBudgetFlags(t *testing.T) {
	for _, f := range []string{"--query-timeout=-1s", "--query-max-patterns=-1", "--query-concurrency=-1", "--query-queue-wait=-1s"} {
		err := run(t.Context(), []string{"serve", "--data", t.TempDir(), f}, func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "must not be negative") {
			t.Errorf("%s: %v", f, err)
		}
	}
}
