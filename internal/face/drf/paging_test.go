package drf_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// TestPagingWalk follows next from page 1 under several filters and
// sorts over a few hundred users: every matching user shows once, in
// sort order, and count is right on every page. TestPagingWalk10k is the
// 10,000-user version.
func TestPagingWalk(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b, "/drf")
		f.staff("walker")
		type row struct {
			id     int64
			name   string
			first  string
			gender string
			mail   bool
			joined time.Time
		}
		rows := []row{{id: f.ids["walker"], name: "walker", joined: time.Now()}}
		base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
		firsts := []string{"Ada", "Bo", "Cy", "Di"}
		for i := range 300 {
			r := row{name: fmt.Sprintf("u%03d", (i*37)%300), first: firsts[i%4], mail: i%3 == 0,
				joined: base.Add(time.Duration((i*7919)%300) * time.Hour)}
			p := core.Patch{"first_name": r.first, "first_name_key": core.Fold(r.first), "email_allowed": r.mail, "created_at": r.joined}
			if i%5 != 0 {
				r.gender = []string{"male", "female"}[i%2]
				p["gender"] = r.gender
			}
			u := f.user(r.name, p)
			r.id = u
			rows = append(rows, r)
		}
		cases := []struct {
			query string
			match func(row) bool
			less  func(a, b row) int
		}{
			{"gender=female&limit=7", func(r row) bool { return r.gender == "female" }, nil},
			{"email_allowed=true&sort=-username&limit=13", func(r row) bool { return r.mail }, func(a, b row) int { return -cmp.Compare(a.name, b.name) }},
			{"first_name=Bo&gender=male&sort=date_joined&limit=5", func(r row) bool { return r.first == "Bo" && r.gender == "male" },
				func(a, b row) int { return a.joined.Compare(b.joined) }},
			{"id__gt=50&sort=first_name,-date_joined", func(r row) bool { return r.id > 50 }, func(a, b row) int {
				return cmp.Or(cmp.Compare(strings.ToLower(a.first), strings.ToLower(b.first)), -a.joined.Compare(b.joined))
			}},
		}
		for _, c := range cases {
			var want []string
			sorted := slices.Clone(rows)
			slices.SortStableFunc(sorted, func(a, b row) int {
				if c.less != nil {
					if n := c.less(a, b); n != 0 {
						return n
					}
				}
				return cmp.Compare(a.id, b.id)
			})
			for _, r := range sorted {
				if c.match(r) {
					want = append(want, r.name)
				}
			}
			got, pages := f.walk(t, "/users/?"+c.query, len(want), 400)
			if !slices.Equal(got, want) {
				t.Errorf("%s: walked %d users over %d pages, want %d\n got %v\nwant %v", c.query, len(got), pages, len(want), got, want)
			}
		}
	})
}

// walk follows next from path (below the mount) as "walker" and returns
// the usernames shown, in order, and the pages taken. Every page must
// answer 200, say count = want and hold at most 100 results (the face's
// largest page); more than maxPages pages is a walk without end.
func (f *fixture) walk(t *testing.T, path string, want, maxPages int) (got []string, pages int) {
	t.Helper()
	next := f.s.Base + "/drf" + path
	for next != "" {
		pages++
		if pages > maxPages {
			t.Fatalf("%s: no end", path)
		}
		next = pageNext(t, f, next, want, pages, &got)
	}
	return got, pages
}

// pageNext fetches one page of a walk, checks it and appends its
// usernames to got; it returns the page's next link, "" on the last.
func pageNext(t *testing.T, f *fixture, url string, want, n int, got *[]string) string {
	t.Helper()
	r := f.get(strings.TrimPrefix(url, f.s.Base+"/drf"), "walker")
	if r.Status != 200 {
		t.Fatalf("%s: %d %s", url, r.Status, r.Body)
	}
	var p page
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Count != want {
		t.Errorf("%s (page %d): count %d, want %d", url, n, p.Count, want)
	}
	if len(p.Results) > 100 {
		t.Errorf("%s (page %d): %d results, at most 100", url, n, len(p.Results))
	}
	*got = append(*got, names(p)...)
	if p.Next == nil {
		return ""
	}
	return *p.Next
}
