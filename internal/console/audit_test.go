package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

var (
	entryRE  = regexp.MustCompile(`(?s)<tr id="entry-(\d+)">(.*?)</tr>`)
	actionRE = regexp.MustCompile(`<td class="action">([^<]*)</td>`)
	olderRE  = regexp.MustCompile(`<a href="([^"]*)" rel="next">Older</a>`)
)

// auditRows returns the audit page's entries: id and the row's HTML.
func auditRows(t *testing.T, p page) (ids, actions, rows []string) {
	t.Helper()
	for _, m := range entryRE.FindAllStringSubmatch(p.body, -1) {
		a := actionRE.FindStringSubmatch(m[2])
		if a == nil {
			t.Fatalf("entry %s has no action cell: %s", m[1], m[2])
		}
		ids, actions, rows = append(ids, m[1]), append(actions, a[1]), append(rows, m[2])
	}
	return ids, actions, rows
}

// TestAuditPage: the audit log filtered by the native language and by
// the builder, paged by the cursor, its diffs readable; moderators are
// refused it and do not see the links to it or to webhooks.
func TestAuditPage(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, adminToken := s.Admin("root", core.LevelAdmin)
		s.Admin("mod", core.LevelModerator)
		var ids []int64
		for _, n := range []string{"ann", "ben", "cal"} {
			id, _ := s.Signup(n)
			ids = append(ids, id)
		}
		s.Want(s.Do("PATCH", "/v1/users/"+itoa(ids[1]), adminToken, map[string]any{"banned": true, "bio": "<b>bold</b>"}), 200)
		s.Want(s.Do("PATCH", "/v1/users/"+itoa(ids[2]), adminToken, map[string]any{"password": "a new password"}), 200)

		mod := newBrowser(t, s, "/admin")
		mod.mustSignIn("mod")
		p := mod.get("/")
		for _, l := range []string{`href="/admin/audit"`, `href="/admin/webhooks"`} {
			if strings.Contains(p.body, l) {
				t.Errorf("a moderator's nav has %s", l)
			}
		}
		mod.get("/audit").want(t, "audit log as moderator", http.StatusForbidden)
		mod.get("/audit?filter="+url.QueryEscape(`action = "user.created"`)).want(t, "audit log as moderator", http.StatusForbidden)

		br := newBrowser(t, s, "/admin")
		br.mustSignIn("root")
		br.get("/").want(t, "users as admin", 200, `href="/admin/audit">Audit log</a>`, `href="/admin/webhooks">Webhooks</a>`)

		// By filter: the sign-ups, newest first, two a page.
		created := url.Values{"filter": {`action = "user.created"`}, "limit": {"2"}}
		p = br.get("/audit?" + created.Encode())
		p.want(t, "user.created entries", 200, `action = &#34;user.created&#34;`)
		var seen []string
		for range 5 {
			pageIDs, actions, _ := auditRows(t, p)
			if len(pageIDs) > 2 {
				t.Fatalf("a page of 2 has %d entries", len(pageIDs))
			}
			for _, a := range actions {
				if a != core.AuditUserCreated {
					t.Errorf("filtered by user.created, an entry is %s", a)
				}
			}
			seen = append(seen, pageIDs...)
			if !olderRE.MatchString(p.body) {
				break
			}
			p = br.get(href(t, olderRE, p))
			p.want(t, "older entries", 200, ">Newest</a>")
		}
		// root, mod, ann, ben, cal: five sign-ups, each once, newest first.
		if len(seen) != 5 {
			t.Fatalf("paging gave %d entries, want the 5 sign-ups: %q", len(seen), seen)
		}
		for i := 1; i < len(seen); i++ {
			if a, b := mustInt(t, seen[i-1]), mustInt(t, seen[i]); b >= a {
				t.Errorf("entries not newest first, or one shown twice: %q", seen)
			}
		}

		// The builder writes the language: a ban of one target.
		p = br.get("/audit?" + url.Values{"add": {"1"}, "action": {core.AuditUserBanned}, "target": {itoa(ids[1])}}.Encode())
		p.want(t, "builder", http.StatusSeeOther)
		loc, err := url.Parse(p.header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := loc.Query().Get("filter"), `action = "user.banned" && target_id = `+itoa(ids[1]); got != want {
			t.Errorf("builder filter = %q, want %q", got, want)
		}
		p = br.get(strings.TrimPrefix(loc.String(), "/admin"))
		_, actions, rows := auditRows(t, p)
		if !slices.Equal(actions, []string{core.AuditUserBanned}) {
			t.Fatalf("the ban's entries: %q", actions)
		}
		// The target links to the user page; the diff reads field by field,
		// its values escaped.
		for _, want := range []string{
			`<a href="/admin/users/` + itoa(ids[1]) + `">ben</a>`,
			`<a href="/admin/users/`, // the actor
			`<span class="field">banned</span>: <span class="old">false</span> → <span class="new">true</span>`,
			`<span class="field">bio</span>: <span class="old">—</span> → <span class="new">&lt;b&gt;bold&lt;/b&gt;</span>`,
			`<td class="face">native</td>`,
		} {
			if !strings.Contains(rows[0], want) {
				t.Errorf("the ban's row lacks %s\n%s", want, rows[0])
			}
		}
		p = br.get("/audit?" + url.Values{"add": {"1"}, "action": {core.AuditUserPassword}, "target": {itoa(ids[2])}}.Encode())
		p = br.get(strings.TrimPrefix(p.header.Get("Location"), "/admin"))
		if _, _, rows = auditRows(t, p); len(rows) != 1 || !strings.Contains(rows[0], `<span class="field">password_hash</span>: <em>changed</em>`) {
			t.Errorf("a password change shows as %q, want password_hash changed", rows)
		}
		br.get("/audit?"+url.Values{"add": {"1"}, "action": {"user.exploded"}}.Encode()).want(t, "builder, unknown action", 400)
		br.get("/audit?"+url.Values{"add": {"1"}, "target": {"ben"}}.Encode()).want(t, "builder, not an id", 400, "must be a user id")

		// Refusals show on the page with the filter kept.
		p = br.get("/audit?filter=" + url.QueryEscape(`action = `))
		p.want(t, "broken filter", 400, "Invalid filter", `id="filter"`)
		p = br.get("/audit?filter=" + url.QueryEscape(`diff = "x"`))
		p.want(t, "unfilterable field", 400, html.EscapeString(`diff = "x"`))
		br.get("/audit?limit=0").want(t, "limit 0", 400)
		br.get("/audit?cursor=nonsense").want(t, "bad cursor", 400)
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
