package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

var (
	tbodyRE = regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`)
	rowRE   = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRE  = regexp.MustCompile(`(?s)<td>(.*?)</td>`)
	headRE  = regexp.MustCompile(`(?s)<th scope="col"[^>]*>(?:<a href="[^"]*">)?([^<]*)`)
	nextRE  = regexp.MustCompile(`<a href="([^"]*)" rel="next">`)
	firstRE = regexp.MustCompile(`<a href="([^"]*)">First page</a>`)
	totalRE = regexp.MustCompile(`<strong id="total">(\d+)</strong>`)
)

// table returns the users table's column names and rows of cells.
func table(t *testing.T, p page) (cols []string, rows [][]string) {
	t.Helper()
	for _, m := range headRE.FindAllStringSubmatch(p.body, -1) {
		if c := strings.TrimSpace(strings.TrimRight(m[1], " ▲▼")); c != "" {
			cols = append(cols, c)
		}
	}
	body := tbodyRE.FindStringSubmatch(p.body)
	if body == nil {
		t.Fatalf("no table body\n%.2000s", p.body)
	}
	for _, r := range rowRE.FindAllStringSubmatch(body[1], -1) {
		var cells []string
		for _, c := range cellRE.FindAllStringSubmatch(r[1], -1) {
			cells = append(cells, html.UnescapeString(c[1]))
		}
		if len(cells) > 1 {
			rows = append(rows, cells)
		}
	}
	return cols, rows
}

// column returns one column of rows.
func column(rows [][]string, i int) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r[i])
	}
	return out
}

// href is a link of a page as a path below the console.
func href(t *testing.T, re *regexp.Regexp, p page) string {
	t.Helper()
	m := re.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no link %s\n%.3000s", re, p.body)
	}
	return strings.TrimPrefix(html.UnescapeString(m[1]), "/admin")
}

// TestUsersTable: the native filter language, the builder that writes
// it, sorting by column, chosen columns, cursor pages and the total.
func TestUsersTable(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, adminToken := s.Admin("root", core.LevelAdmin)
		for _, n := range []string{"amber", "april", "arlo", "axel", "ayla", "bob"} {
			s.Signup(n)
		}
		id := int64(s.Want(s.Do("GET", "/v1/users/axel", adminToken, nil), 200)["id"].(float64))
		s.Want(s.Do("PATCH", "/v1/users/"+itoa(id), adminToken, map[string]any{"banned": true}), 200)
		br := newBrowser(t, s, "/admin")
		br.mustSignIn("root")

		q := url.Values{"filter": {`name startswith "a"`}, "sort": {"-name"}, "limit": {"2"}, "total": {"1"}, "col": {"name", "id", "nonsense"}}
		p := br.get("/?" + q.Encode())
		p.want(t, "first page", 200)
		cols, rows := table(t, p)
		if want := []string{"name", "id"}; !slices.Equal(cols, want) {
			t.Errorf("columns = %q, want %q", cols, want)
		}
		if got := totalRE.FindStringSubmatch(p.body); got == nil || got[1] != "5" {
			t.Errorf("total = %v, want 5", got)
		}
		var names []string
		names = append(names, column(rows, 0)...)
		for range 3 {
			if !nextRE.MatchString(p.body) {
				break
			}
			p = br.get(href(t, nextRE, p))
			p.want(t, "next page", 200)
			if !firstRE.MatchString(p.body) {
				t.Error("a later page has no link to the first")
			}
			_, rows = table(t, p)
			names = append(names, column(rows, 0)...)
		}
		if want := []string{"ayla", "axel", "arlo", "april", "amber"}; !slices.Equal(names, want) {
			t.Errorf("pages gave %q, want %q", names, want)
		}
		if nextRE.MatchString(p.body) {
			t.Error("the last page links to a next one")
		}
		p = br.get(href(t, firstRE, p))
		if _, rows = table(t, p); !slices.Equal(column(rows, 0), []string{"ayla", "axel"}) {
			t.Errorf("first page again: %q", column(rows, 0))
		}

		// Column headers sort, and flip on a second click.
		p = br.get("/?" + url.Values{"filter": {`name startswith "a"`}, "col": {"id", "name"}}.Encode())
		sortName := regexp.MustCompile(`<a href="([^"]*sort=name[^"]*)">name</a>`)
		p = br.get(href(t, sortName, p))
		if _, rows = table(t, p); !slices.Equal(column(rows, 1), []string{"amber", "april", "arlo", "axel", "ayla"}) {
			t.Errorf("sorted by name: %q", column(rows, 1))
		}
		if !strings.Contains(p.body, `aria-sort="ascending"`) {
			t.Error("the sorted column is not marked aria-sort")
		}
		p = br.get(href(t, regexp.MustCompile(`<a href="([^"]*sort=-name[^"]*)">name ▲</a>`), p))
		if _, rows = table(t, p); column(rows, 1)[0] != "ayla" {
			t.Errorf("sorted by -name: %q", column(rows, 1))
		}

		// The builder writes conditions in the filter language, joined
		// with &&, parenthesizing an || before it.
		for _, tt := range []struct{ filter, field, op, value, want string }{
			{``, "name", "contains", `x"l`, `name contains "x\"l"`},
			{`name startswith "a"`, "banned", "=", "true", `name startswith "a" && banned = true`},
			{`level = 20 || level = 50`, "id", ">", "2", `(level = 20 || level = 50) && id > 2`},
			{``, "email", "is null", "ignored", `email is null`},
		} {
			p := br.get("/?" + url.Values{"add": {"1"}, "filter": {tt.filter}, "bf": {tt.field}, "bo": {tt.op}, "bv": {tt.value}, "col": {"name"}}.Encode())
			p.want(t, "builder "+tt.want, http.StatusSeeOther)
			loc, err := url.Parse(p.header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			if got := loc.Query().Get("filter"); got != tt.want {
				t.Errorf("builder: filter %q, want %q", got, tt.want)
			}
			if loc.Query().Get("bf") != "" || loc.Query().Get("col") != "name" {
				t.Errorf("builder: %s keeps the builder's fields or drops the columns", loc)
			}
		}
		p = br.get("/?" + url.Values{"add": {"1"}, "bf": {"banned"}, "bo": {"="}, "bv": {"true"}, "col": {"name"}}.Encode())
		p = br.get(strings.TrimPrefix(p.header.Get("Location"), "/admin"))
		if _, rows = table(t, p); !slices.Equal(column(rows, 0), []string{"axel"}) {
			t.Errorf("banned users: %q, want axel", column(rows, 0))
		}
		br.get("/?"+url.Values{"add": {"1"}, "bf": {"level"}, "bo": {"="}, "bv": {"high"}}.Encode()).want(t, "builder, not a number", 400, "takes an integer")

		// Refusals show on the page, with the form kept.
		br.get("/?filter="+url.QueryEscape(`name = `)).want(t, "broken filter", 400, "Invalid filter", `id="filter"`)
		br.get("/?sort=bio").want(t, "unsortable field", 400, "cannot be sorted on")
		br.get("/?filter="+url.QueryEscape(`password_hash = "x"`)).want(t, "secret field", 400)
	})
}
