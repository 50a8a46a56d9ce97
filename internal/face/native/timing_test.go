package native_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"usersd/internal/facetest"
)

// TestLoginTimingUnknownName checks that a login for a name that does not
// exist costs what one with a wrong password for a real account costs, so
// the time of a refusal does not tell who has an account. 200 attempts of
// each, interleaved in random order, against a server whose login limits
// are out of the way; the medians must agree within a factor of 1.6.
//
// The hash is the whole cost: argon2id at m = 19 MiB, t = 2 takes tens of
// milliseconds, a refusal without it well under one. An unknown-name path
// that skipped the dummy verification would make the unknown median a few
// percent of the known one, far outside the band, on any machine; noise
// on a busy machine moves both medians alike. A cheap request interleaved
// with them shows that the known path does pay for a hash.
//
// Only SQLite: the store's part is a point lookup, noise beside the hash.
func TestLoginTimingUnknownName(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t), "--login-account-limit", "100000", "--login-addr-limit", "100000")
	s.Signup("timed_user")
	login := func(name string) time.Duration {
		body := fmt.Appendf(nil, `{"name":%q,"password":"not the password"}`, name)
		req, _ := http.NewRequest("POST", s.Base+"/v1/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		t0 := time.Now()
		r := s.Send(req)
		d := time.Since(t0)
		if r.Status != 401 {
			t.Fatalf("login as %s: %d, want 401\n%s", name, r.Status, r.Body)
		}
		return d
	}
	cheap := func() time.Duration {
		t0 := time.Now()
		s.Want(s.Do("GET", "/v1/users/timed_user", "", nil), 200)
		return time.Since(t0)
	}
	login("timed_user") // warm the connection and the hasher
	login("nobody_at_all")
	const n = 200
	var known, unknown, base []time.Duration
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		if rng.IntN(2) == 0 {
			known = append(known, login("timed_user"))
			unknown = append(unknown, login(fmt.Sprintf("nobody_%d", i)))
		} else {
			unknown = append(unknown, login(fmt.Sprintf("nobody_%d", i)))
			known = append(known, login("timed_user"))
		}
		base = append(base, cheap())
	}
	mk, mu, mb := median(known), median(unknown), median(base)
	t.Logf("medians over %d each: known name %v, unknown name %v (ratio %.2f), a plain read %v", n, mk, mu, float64(mu)/float64(mk), mb)
	if mk < 5*mb {
		t.Errorf("a wrong password costs %v, under 5× a plain read (%v): the hash is not being paid, the test measures nothing", mk, mb)
	}
	if r := float64(mu) / float64(mk); r < 1/1.6 || r > 1.6 {
		t.Errorf("unknown-name login median %v vs known-name %v (ratio %.2f): timing tells whether a name exists", mu, mk, r)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
