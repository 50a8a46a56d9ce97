package pronouns_test

// Black-box tests of spec/pronouns.md §11: one subtest per numbered edge
// case (E01…E20), each on SQLite and PostgreSQL, all but E15 on one server
// per backend. Statuses and codes are pinned; message text only for 2001.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/xid"

	"usersd/internal/core"
	"usersd/internal/facetest"
	"usersd/internal/imaging/imagingtest"
)

// publicKeys are spec §7.1's, shown to everyone; ownerKeys §7.2's, shown
// to the owner alone (absent, not null, for others).
var (
	publicKeys = []string{"id", "sid", "name", "display_name", "bio", "member_title", "avatar", "links", "names",
		"pronouns", "fields", "flags", "members", "badges", "utc_offset", "custom_preferences"}
	ownerKeys = []string{"created_at", "timezone", "is_admin", "list_private", "last_sid_reroll",
		"discord", "discord_username", "tumblr", "tumblr_username", "google", "google_username",
		"fediverse", "fediverse_username", "fediverse_instance"}
)

func TestSpecEdgeCases(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFx(t, b)
		f.sub("E01_xid_beats_name", e01)
		f.sub("E02_missing_and_bad_tokens", e02)
		f.sub("E03_bearer_optional", e03)
		f.sub("E04_patch_null_zero_empty", e04)
		f.sub("E05_usernames", e05)
		f.sub("E06_custom_status_in_effect", e06)
		f.sub("E07_string_statuses", e07)
		f.sub("E08_never_null", e08)
		f.sub("E09_owner_keys_absent", e09)
		f.sub("E10_list_private", e10)
		f.sub("E11_reroll", e11)
		f.sub("E12_avatar_types", e12)
		f.sub("E13_flags", e13)
		f.sub("E14_error_bodies", e14)
		f.sub("E15_rate_limits", e15)
		f.sub("E16_utc_offset", e16)
		f.sub("E17_unicode_lengths", e17)
		f.sub("E18_patch_atomic", e18)
		f.sub("E19_deleted_accounts", e19)
		f.sub("E20_sid_not_a_ref", e20)
	})
}

// e01: an xid-shaped ref naming an existing user id wins over an equal
// username; one naming no id falls back to the username.
func e01(f *fx) {
	a := f.user("idowner")
	b := f.user("idclash")
	f.rename(b, a.xid)
	if got := f.get(a.xid, ""); got["id"] != a.xid || got["name"] != a.name {
		f.t.Errorf("GET /users/%s = user %v %v, want the user with that id (%s)", a.xid, got["id"], got["name"], a.name)
	}
	if got := f.get(b.xid, ""); got["name"] != a.xid {
		f.t.Errorf("GET /users/{b's id} = %v, want b", got["name"])
	}
	// An xid-shaped name that is no id is found as a name.
	free := xid.New().String()
	c := f.user("xidname")
	f.rename(c, free)
	if got := f.get(free, ""); got["id"] != c.xid {
		f.t.Errorf("GET /users/%s = %v, want the user of that name (%s)", free, got["id"], c.xid)
	}
}

// rename gives a the name, through the face's PATCH when the core's
// rules let it and straight into the row otherwise.
func (f *fx) rename(a *acct, name string) {
	f.t.Helper()
	if r := f.patch(a.key, map[string]any{"name": name}); r.Status != 200 {
		f.t.Logf("PATCH name %q: %d %s; writing it into the database", name, r.Status, r.Body)
		f.b.RawName(f.t, a.id, name)
	}
	a.name = name
}

// e02: no token → 403 code 403 on every auth-only route; a read-only
// token → 403 code 4002 on writes; a bad token → 401 code 1003
// everywhere, public reads included.
func e02(f *fx) {
	a := f.user("tokens")
	flag := xid.New().String()
	authOnly := []struct{ method, path string }{
		{"GET", "/users/@me"}, {"PATCH", "/users/@me"}, {"GET", "/users/@me/flags"}, {"POST", "/users/@me/flags"},
		{"PATCH", "/users/@me/flags/" + flag}, {"DELETE", "/users/@me/flags/" + flag}, {"GET", "/users/@me/reroll"},
	}
	for _, rt := range authOnly {
		var body any
		if rt.method == "PATCH" || rt.method == "POST" {
			body = map[string]any{"bio": "x", "name": "x"}
		}
		f.t.Run(rt.method+rt.path, func(t *testing.T) { wantErr(t, f.on(t).do(rt.method, rt.path, "", body), 403, 403) })
	}

	// A read-only token reads but does not write (spec §2: 4002).
	if m := f.get("@me", a.readKey); m["id"] != a.xid {
		f.t.Errorf("read-only token reads user %v", m["id"])
	}
	wantErr(f.t, f.patch(a.readKey, map[string]any{"bio": "x"}), 403, 4002)
	wantErr(f.t, f.do("POST", "/users/@me/flags", a.readKey, map[string]any{"flag": pngURI(2, 2), "name": "ro"}), 403, 4002)
	wantErr(f.t, f.do("DELETE", "/users/@me/flags/"+flag, a.readKey, nil), 403, 4002)
	if m := f.get("@me", a.key); m["bio"] != nil {
		f.t.Errorf("read-only PATCH wrote bio %v", m["bio"])
	}

	ctx := context.Background()
	revoked := f.user("revoked")
	ts, err := f.svc.ListTokens(ctx, core.System, revoked.id)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, tk := range ts {
		if err := f.svc.RevokeToken(ctx, core.System, revoked.id, tk.ID); err != nil {
			f.t.Fatal(err)
		}
	}
	bad := map[string]string{"garbage": "not-a-token", "revoked": revoked.key, "malformed usd_": "usd_" + strings.Repeat("0", 40)}
	for kind, tok := range bad {
		for _, rt := range []struct{ method, path string }{
			{"GET", "/users/@me"}, {"GET", "/users/" + a.xid}, {"GET", "/users/" + a.name},
			{"PATCH", "/users/@me"}, {"GET", "/users/@me/reroll"},
		} {
			f.t.Run(kind+"/"+rt.method+rt.path, func(t *testing.T) {
				var body any
				if rt.method == "PATCH" {
					body = map[string]any{"bio": "x"}
				}
				wantErr(t, f.on(t).do(rt.method, rt.path, tok, body), 401, 1003)
			})
		}
	}
}

// e03: the token with and without "Bearer ".
func e03(f *fx) {
	a := f.user("bearer")
	for _, auth := range []string{a.key, "Bearer " + a.key} {
		r := f.rawAuth("GET", "/users/@me", auth)
		if r.Status != 200 {
			f.t.Errorf("Authorization %.10q…: status %d\n%s", auth, r.Status, r.Body)
			continue
		}
		if m := object(f.t, r); m["id"] != a.xid {
			f.t.Errorf("Authorization %.10q…: user %v, want %s", auth, m["id"], a.xid)
		}
	}
}

// e04: null leaves a field alone, "" and [] clear, false is false, a body
// with no known key is 400.
func e04(f *fx) {
	a := f.user("patchsem")
	m := f.ok("PATCH", "/users/@me", a.key, map[string]any{"display_name": "Dee", "bio": "about", "member_title": "Crew",
		"links": []string{"https://a.example", "https://b.example"}, "names": []any{map[string]any{"value": "Dee", "status": "favourite"}},
		"list_private": true})
	if m["display_name"] != "Dee" || m["bio"] != "about" || m["member_title"] != "Crew" || m["list_private"] != true || len(arr(m["links"])) != 2 {
		f.t.Fatalf("PATCH answered %v", m)
	}
	// The answer is the owner view.
	for _, k := range ownerKeys {
		if _, ok := m[k]; !ok {
			f.t.Errorf("PATCH answer lacks owner key %s", k)
		}
	}
	m = f.ok("PATCH", "/users/@me", a.key, map[string]any{"display_name": nil, "bio": "", "links": []any{}, "names": nil, "member_title": nil})
	if m["display_name"] != "Dee" || m["bio"] != nil || m["member_title"] != "Crew" || len(arr(m["names"])) != 1 {
		f.t.Errorf("null/empty PATCH answered display_name=%v bio=%v member_title=%v names=%v", m["display_name"], m["bio"], m["member_title"], m["names"])
	}
	if l, isArr := m["links"].([]any); !isArr || len(l) != 0 {
		f.t.Errorf("links after [] = %#v, want []", m["links"])
	}
	m = f.ok("PATCH", "/users/@me", a.key, map[string]any{"list_private": false, "names": []any{}})
	if m["list_private"] != false || len(arr(m["names"])) != 0 {
		f.t.Errorf("false/[] PATCH answered list_private=%v names=%v", m["list_private"], m["names"])
	}
	// Read back: the answers were what was stored.
	g := f.get("@me", a.key)
	if g["display_name"] != "Dee" || g["bio"] != nil || g["member_title"] != "Crew" || g["list_private"] != false {
		f.t.Errorf("stored %v", g)
	}
	for _, body := range []string{`{}`, `{"unknown_key":1}`, `{"display_name":null}`} {
		f.t.Run(body, func(t *testing.T) {
			wantErr(t, f.on(t).patch(a.key, body), 400, 400)
		})
	}
	wantErr(f.t, f.patch(a.key, `{"bio":`), 400, 400)   // malformed JSON
	wantErr(f.t, f.patch(a.key, `{"bio":5}`), 400, 400) // wrong type
	wantErr(f.t, f.patch(a.key, `[]`), 400, 400)
}

// e05: the username rule: 1006 for invalid names, 1007 for taken ones
// (case-insensitively), and lookups that agree with that.
func e05(f *fx) {
	a := f.user("renamer")
	other := f.user("Taken")
	n := f.n.Add(1)
	for _, name := range []string{
		fmt.Sprintf("ab%d", n)[:2], fmt.Sprintf("Digits%d", n), fmt.Sprintf("a.b-c_d%d", n),
		fmt.Sprintf("%s%d", strings.Repeat("x", 34), 100000+n)[:40], fmt.Sprintf("-lead.%d", n),
	} {
		f.t.Run("valid/"+name, func(t *testing.T) {
			g := f.on(t)
			m := g.ok("PATCH", "/users/@me", a.key, map[string]any{"name": name})
			if m["name"] != name {
				t.Errorf("renamed to %v, want %s", m["name"], name)
			}
			if got := g.get(name, ""); got["id"] != a.xid {
				t.Errorf("GET /users/%s = %v", name, got["id"])
			}
		})
	}
	cur := fmt.Sprintf("MixedCase%d", n)
	f.ok("PATCH", "/users/@me", a.key, map[string]any{"name": cur})
	// The current name again is a no-op.
	if m := f.ok("PATCH", "/users/@me", a.key, map[string]any{"name": cur}); m["name"] != cur {
		f.t.Errorf("same name again: %v", m["name"])
	}
	for _, ref := range []string{cur, strings.ToLower(cur), strings.ToUpper(cur)} {
		if got := f.get(ref, ""); got["id"] != a.xid {
			f.t.Errorf("GET /users/%s = %v, want %s (names are case-insensitive)", ref, got["id"], a.xid)
		}
	}
	invalid := []string{"a", strings.Repeat("y", 41), ".", "..", "admin", "administrator", "mod", "moderator", "api", "page",
		"pronouns", "settings", "pronouns.cc", "pronounscc", "has space", "at@sign", "slash/name", "ümlaut", "emoji😀", "plus+sign"}
	for _, name := range invalid {
		f.t.Run("invalid/"+name, func(t *testing.T) {
			wantErr(t, f.on(t).patch(a.key, map[string]any{"name": name}), 400, 1006)
		})
	}
	for _, name := range []string{other.name, strings.ToUpper(other.name), strings.ToLower(other.name)} {
		f.t.Run("taken/"+name, func(t *testing.T) {
			wantErr(t, f.on(t).patch(a.key, map[string]any{"name": name}), 400, 1007)
		})
	}
	if g := f.get("@me", a.key); g["name"] != cur {
		f.t.Errorf("refused renames changed the name to %v", g["name"])
	}
}

// customPref is a valid custom preference.
func customPref(tooltip string) map[string]any {
	return map[string]any{"icon": "heart", "tooltip": tooltip, "size": "normal", "muted": false, "favourite": false}
}

// e06: a custom status is checked against the preferences in effect after
// the request: the new map when one is sent with it.
func e06(f *fx) {
	a := f.user("custom")
	u1, u2 := "1f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000001", "1f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000002"
	// Unknown before any map exists.
	wantErr(f.t, f.patch(a.key, map[string]any{"names": []any{map[string]any{"value": "n", "status": u1}}}), 400, 400)
	// Allowed when the map that defines it comes in the same request.
	m := f.ok("PATCH", "/users/@me", a.key, map[string]any{
		"custom_preferences": map[string]any{u1: customPref("Partners only")},
		"names":              []any{map[string]any{"value": "n", "status": u1}},
	})
	if cp, _ := m["custom_preferences"].(map[string]any); cp[u1] == nil {
		f.t.Fatalf("custom_preferences = %v", m["custom_preferences"])
	}
	// The stored map applies to a later request.
	f.ok("PATCH", "/users/@me", a.key, map[string]any{"pronouns": []any{map[string]any{"pronouns": "they/them", "display_text": nil, "status": u1}}})
	wantErr(f.t, f.patch(a.key, map[string]any{"fields": []any{map[string]any{"name": "F", "entries": []any{map[string]any{"value": "v", "status": u2}}}}}), 400, 400)
	// A new map without u1 sent with entries using u1 is refused, and
	// nothing changes.
	wantErr(f.t, f.patch(a.key, map[string]any{
		"custom_preferences": map[string]any{u2: customPref("Other")},
		"names":              []any{map[string]any{"value": "n2", "status": u1}},
	}), 400, 400)
	g := f.get("@me", a.key)
	if cp, _ := g["custom_preferences"].(map[string]any); cp[u1] == nil || cp[u2] != nil {
		f.t.Errorf("a refused PATCH changed custom_preferences: %v", g["custom_preferences"])
	}
	// A new map with u2 and entries using u2 together is fine.
	f.ok("PATCH", "/users/@me", a.key, map[string]any{
		"custom_preferences": map[string]any{u2: customPref("Other")},
		"names":              []any{map[string]any{"value": "n2", "status": u2}},
		"pronouns":           []any{map[string]any{"pronouns": "she/her", "display_text": nil, "status": "okay"}},
	})
	g = f.get(a.xid, "")
	if names := arr(g["names"]); len(names) != 1 || at(names, 0)["status"] != u2 {
		f.t.Errorf("names = %v", g["names"])
	}
	// Bad preferences themselves.
	for name, cp := range map[string]any{
		"key not a uuid": map[string]any{"not-a-uuid": customPref("x")},
		"bad size":       map[string]any{u1: map[string]any{"icon": "heart", "tooltip": "x", "size": "huge"}},
		"empty tooltip":  map[string]any{u1: map[string]any{"icon": "heart", "tooltip": "", "size": "small"}},
		"long tooltip":   map[string]any{u1: customPref(strings.Repeat("t", 101))},
		"unknown icon":   map[string]any{u1: map[string]any{"icon": "no-such-icon-anywhere", "tooltip": "x", "size": "small"}},
	} {
		f.t.Run(name, func(t *testing.T) {
			wantErr(t, f.on(t).patch(a.key, map[string]any{"custom_preferences": cp}), 400, 400)
		})
	}
}

// e07: statuses are strings; the integers of the first API are refused.
func e07(f *fx) {
	a := f.user("status")
	for _, st := range []string{"favourite", "okay", "jokingly", "friends_only", "avoid"} {
		m := f.ok("PATCH", "/users/@me", a.key, map[string]any{
			"names":    []any{map[string]any{"value": "v", "status": st}},
			"pronouns": []any{map[string]any{"pronouns": "it/its", "display_text": nil, "status": st}},
			"fields":   []any{map[string]any{"name": "F", "entries": []any{map[string]any{"value": "v", "status": st}}}},
		})
		if p := at(m["pronouns"], 0); p["status"] != st {
			f.t.Errorf("status %s stored as %v", st, p["status"])
		}
	}
	bad := []any{1, 2, 3, 5, "1", "Favourite", "unknown", "", nil, true}
	for _, st := range bad {
		f.t.Run(fmt.Sprintf("%T_%v", st, st), func(t *testing.T) {
			g := f.on(t)
			wantErr(t, g.patch(a.key, map[string]any{"names": []any{map[string]any{"value": "v", "status": st}}}), 400, 400)
			wantErr(t, g.patch(a.key, map[string]any{"pronouns": []any{map[string]any{"pronouns": "v", "status": st}}}), 400, 400)
			wantErr(t, g.patch(a.key, map[string]any{"fields": []any{map[string]any{"name": "F", "entries": []any{map[string]any{"value": "v", "status": st}}}}}), 400, 400)
		})
	}
}

// e08: arrays are [] and custom_preferences {} — never null — on a fresh
// user, after clearing, for every viewer.
func e08(f *fx) {
	a := f.user("empty")
	check := func(who string, m map[string]any) {
		for _, k := range []string{"links", "names", "pronouns", "fields", "flags", "members"} {
			if v, isArr := m[k].([]any); !isArr || v == nil {
				f.t.Errorf("%s: %s = %#v, want an array", who, k, m[k])
			}
		}
		if v, isObj := m["custom_preferences"].(map[string]any); !isObj || v == nil {
			f.t.Errorf("%s: custom_preferences = %#v, want an object", who, m["custom_preferences"])
		}
	}
	check("anonymous", f.get(a.xid, ""))
	check("owner", f.get("@me", a.key))
	f.ok("PATCH", "/users/@me", a.key, map[string]any{"links": []string{"https://x.example"}, "fields": []any{map[string]any{"name": "Empty", "entries": []any{}}}})
	m := f.get(a.name, "")
	check("after set", m)
	if fl := arr(m["fields"]); len(fl) != 1 {
		f.t.Errorf("fields = %v", fl)
	} else if e, isArr := at(fl, 0)["entries"].([]any); !isArr || len(e) != 0 {
		f.t.Errorf("a field with no entries shows entries = %#v, want []", at(fl, 0)["entries"])
	}
	check("PATCH answer", f.ok("PATCH", "/users/@me", a.key, map[string]any{"links": []any{}, "fields": []any{}, "custom_preferences": map[string]any{}}))
	check("after clear", f.get(a.xid, ""))
	if fl, err := f.list("/users/@me/flags", a.key); err == nil && fl == nil {
		f.t.Error("GET /users/@me/flags is null")
	}
}

// list decodes a JSON array (null decodes to nil).
func (f *fx) list(path, token string) ([]any, error) {
	f.t.Helper()
	r := f.do("GET", path, token, nil)
	if r.Status != 200 {
		f.t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	var v []any
	err := json.Unmarshal(r.Body, &v)
	if err != nil {
		f.t.Fatalf("GET %s: %v\n%s", path, err, r.Body)
	}
	return v, nil
}

// e09: the §7.2 keys are absent for anonymous callers and other users,
// present for the owner, by @me, id or name; admins get no more.
func e09(f *fx) {
	a := f.user("owner")
	other := f.user("viewer")
	_, adminKey := f.admin("pnsadmin")
	f.ok("PATCH", "/users/@me", a.key, map[string]any{"timezone": "Europe/Amsterdam"})
	views := map[string]map[string]any{
		"anonymous":   f.get(a.xid, ""),
		"other user":  f.get(a.xid, other.key),
		"other/name":  f.get(a.name, other.key),
		"admin":       f.get(a.xid, adminKey),
		"read-only":   f.get(other.xid, a.readKey),
		"owner @me":   f.get("@me", a.key),
		"owner id":    f.get(a.xid, a.key),
		"owner name":  f.get(a.name, a.key),
		"owner read":  f.get("@me", a.readKey),
		"owner upper": f.get(strings.ToUpper(a.name), a.key),
	}
	for who, m := range views {
		owner := strings.HasPrefix(who, "owner")
		for _, k := range publicKeys {
			if _, ok := m[k]; !ok {
				f.t.Errorf("%s: no %s", who, k)
			}
		}
		for _, k := range ownerKeys {
			if _, ok := m[k]; ok != owner {
				f.t.Errorf("%s: %s present = %v, want %v", who, k, ok, owner)
			}
		}
		if owner && m["timezone"] != "Europe/Amsterdam" {
			f.t.Errorf("%s: timezone = %v", who, m["timezone"])
		}
		if _, ok := m["utc_offset"].(float64); !ok && who != "read-only" {
			f.t.Errorf("%s: utc_offset = %#v, want a number", who, m["utc_offset"])
		}
	}
	// created_at is the id's time; a fresh user's last reroll is an hour
	// before it (so they may reroll at once).
	m := views["owner @me"]
	created, err := time.Parse(time.RFC3339, str(f.t, m, "created_at"))
	if err != nil {
		f.t.Fatal(err)
	}
	id, err := xid.FromString(a.xid)
	if err != nil {
		f.t.Fatal(err)
	}
	if d := created.Sub(id.Time()); d < 0 || d >= time.Second {
		f.t.Errorf("created_at %v is not the xid's time %v", created, id.Time())
	}
	last, err := time.Parse(time.RFC3339, str(f.t, m, "last_sid_reroll"))
	if err != nil {
		f.t.Fatal(err)
	}
	if created.Sub(last) < 59*time.Minute {
		f.t.Errorf("a fresh user's last_sid_reroll %v is not an hour before created_at %v", last, created)
	}
	if m["is_admin"] != false || m["badges"] != float64(0) {
		f.t.Errorf("member: is_admin %v badges %v", m["is_admin"], m["badges"])
	}
	if adm := f.get("@me", adminKey); adm["is_admin"] != true || int(num(adm["badges"]))&1 != 1 {
		f.t.Errorf("admin: is_admin %v badges %v", adm["is_admin"], adm["badges"])
	}
}

// admin creates an administrator (level 50) through the core.
func (f *fx) admin(prefix string) (*acct, string) {
	f.t.Helper()
	a := f.user(prefix)
	if _, err := f.svc.UpdateUser(context.Background(), core.System, a.id, core.Update{Fields: core.Patch{"level": int64(core.LevelAdmin)}}); err != nil {
		f.t.Fatal(err)
	}
	return a, a.key
}

// member creates a member of a through the core.
func (f *fx) member(a *acct, name string) *core.Member {
	f.t.Helper()
	m, err := f.svc.Face(core.NativeProfile).CreateMember(context.Background(), a.u, core.MemberInput{Fields: core.Patch{"name": name}})
	if err != nil {
		f.t.Fatalf("create member %s: %v", name, err)
	}
	return m
}

// e10: a private member list is [] inside the user and 403 2002 on the
// list endpoint, to everyone but the owner.
func e10(f *fx) {
	a := f.user("private")
	other := f.user("peeker")
	mem := f.member(a, "Alpha")
	hidden, err := f.svc.Face(core.NativeProfile).CreateMember(context.Background(), a.u, core.MemberInput{Fields: core.Patch{"name": "Hidden", "unlisted": true}})
	if err != nil {
		f.t.Fatalf("create an unlisted member: %v", err)
	}
	memberIDs := func(v any) []string {
		ids := []string{}
		for _, m := range arr(v) {
			ids = append(ids, fmt.Sprint(obj(m)["id"]))
		}
		slices.Sort(ids)
		return ids
	}
	listed, all := []string{mem.XID}, []string{mem.XID, hidden.XID}
	slices.Sort(all)
	// A public list: others see the listed members, the owner all.
	for who, tok := range map[string]string{"anonymous": "", "other": other.key, "owner": a.key} {
		want := listed
		if who == "owner" {
			want = all
		}
		if got := memberIDs(f.get(a.xid, tok)["members"]); !slices.Equal(got, want) {
			f.t.Errorf("public list, %s: user.members %v, want %v", who, got, want)
		}
		r := f.do("GET", "/users/"+a.xid+"/members", tok, nil)
		if r.Status != 200 {
			f.t.Fatalf("public list, %s: %d %s", who, r.Status, r.Body)
		}
		var list []any
		for _, m := range array(f.t, r) {
			list = append(list, m)
		}
		if got := memberIDs(list); !slices.Equal(got, want) {
			f.t.Errorf("public list, %s: GET members %v, want %v", who, got, want)
		}
	}
	f.ok("PATCH", "/users/@me", a.key, map[string]any{"list_private": true})
	for who, tok := range map[string]string{"anonymous": "", "other": other.key} {
		got := f.get(a.xid, tok)
		if m, isArr := got["members"].([]any); !isArr || len(m) != 0 {
			f.t.Errorf("%s sees members %#v of a private list, want []", who, got["members"])
		}
		wantErr(f.t, f.do("GET", "/users/"+a.xid+"/members", tok, nil), 403, 2002)
		wantErr(f.t, f.do("GET", "/users/"+a.name+"/members", tok, nil), 403, 2002)
	}
	own := f.get(a.xid, a.key)
	if got := memberIDs(own["members"]); !slices.Equal(got, all) {
		f.t.Fatalf("owner sees members %v of their private list, want %v", got, all)
	}
	for _, pm := range arr(own["members"]) {
		pm := obj(pm)
		if !memSIDRE.MatchString(fmt.Sprint(pm["sid"])) {
			f.t.Errorf("member sid %v, want 6 letters a-z", pm["sid"])
		}
		for _, k := range []string{"fields", "flags", "user"} {
			if _, ok := pm[k]; ok {
				f.t.Errorf("partial member shows %s", k)
			}
		}
		for _, k := range []string{"id", "sid", "name", "display_name", "bio", "avatar", "links", "names", "pronouns"} {
			if _, ok := pm[k]; !ok {
				f.t.Errorf("partial member lacks %s", k)
			}
		}
	}
	r := f.do("GET", "/users/"+a.xid+"/members", a.key, nil)
	if r.Status != 200 || len(array(f.t, r)) != 2 {
		f.t.Errorf("owner's member list: %d %s", r.Status, r.Body)
	}
	wantErr(f.t, f.do("GET", "/users/"+xid.New().String()+"/members", "", nil), 404, 2001)
}

// e11: reroll is a GET that needs a write token, works at once for a new
// user, then not again within the hour; user sids are 5 letters, member
// sids 6.
func e11(f *fx) {
	a := f.user("reroll")
	for _, m := range []*core.Member{f.member(a, "One"), f.member(a, "Two")} {
		if !memSIDRE.MatchString(m.SID) {
			f.t.Errorf("member sid %q", m.SID)
		}
	}
	before := f.get("@me", a.key)
	old := str(f.t, before, "sid")
	if !userSIDRE.MatchString(old) {
		f.t.Errorf("sid %q, want 5 letters a-z", old)
	}
	wantErr(f.t, f.do("GET", "/users/@me/reroll", "", nil), 403, 403)
	wantErr(f.t, f.do("GET", "/users/@me/reroll", a.readKey, nil), 403, 4002)
	start := time.Now().Add(-time.Second)
	m := f.ok("GET", "/users/@me/reroll", a.key, nil)
	sid := str(f.t, m, "sid")
	if !userSIDRE.MatchString(sid) || sid == old {
		f.t.Errorf("rerolled sid %q (was %q)", sid, old)
	}
	if m["id"] != a.xid {
		f.t.Errorf("reroll answered user %v", m["id"])
	}
	last, err := time.Parse(time.RFC3339, str(f.t, m, "last_sid_reroll"))
	if err != nil || last.Before(start) || last.After(time.Now().Add(time.Second)) {
		f.t.Errorf("last_sid_reroll %v (%v), want now", m["last_sid_reroll"], err)
	}
	if got := f.get(a.xid, ""); got["sid"] != sid {
		f.t.Errorf("stored sid %v, want %s", got["sid"], sid)
	}
	wantErr(f.t, f.do("GET", "/users/@me/reroll", a.key, nil), 403, 2004)
	if got := f.get(a.xid, ""); got["sid"] != sid {
		f.t.Errorf("a refused reroll changed sid to %v", got["sid"])
	}
	// The cooldown is per user.
	b := f.user("reroll")
	if m := f.ok("GET", "/users/@me/reroll", b.key, nil); m["sid"] == sid || !userSIDRE.MatchString(fmt.Sprint(m["sid"])) {
		f.t.Errorf("second user's sid %v", m["sid"])
	}
	// Members in the profile keep their 6-letter sids.
	for _, pm := range arr(f.get(a.xid, "")["members"]) {
		if s := fmt.Sprint(obj(pm)["sid"]); !memSIDRE.MatchString(s) {
			f.t.Errorf("member sid %q in the profile", s)
		}
	}
}

// e12: avatars are PNG, JPEG or WebP data URIs; "" removes; bodies past
// 2 MB are 413 code 4001 (image_blackbox_test.go holds the format cases).
func e12(f *fx) {
	a := f.user("avatar")
	m := f.ok("PATCH", "/users/@me", a.key, map[string]any{"avatar": pngURI(8, 8)})
	h := str(f.t, m, "avatar")
	if !hashRE.MatchString(h) {
		f.t.Fatalf("avatar %q, want 64 hex", h)
	}
	for name, uri := range map[string]string{
		"gif":          "data:image/gif;base64," + b64(imagingtest.GIF()),
		"text":         "data:text/plain;base64,aGVsbG8=",
		"no data uri":  "https://example.com/a.png",
		"bad base64":   "data:image/png;base64,!!!!",
		"empty image":  "data:image/png;base64,",
		"svg":          "data:image/svg+xml;base64," + b64([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)),
		"png but text": "data:image/png;base64," + b64([]byte("hello, not an image")),
	} {
		f.t.Run(name, func(t *testing.T) {
			g := f.on(t)
			wantErr(t, g.patch(a.key, map[string]any{"avatar": uri, "bio": "changed"}), 400, 400)
			if got := g.get("@me", a.key); got["avatar"] != h || got["bio"] != nil {
				t.Errorf("refused avatar left avatar %v bio %v", got["avatar"], got["bio"])
			}
		})
	}
	wantErr(f.t, f.patch(a.key, map[string]any{"avatar": "data:image/png;base64," + strings.Repeat("A", 2<<20+1024)}), 413, 4001)
	if got := f.get("@me", a.key); got["avatar"] != h {
		f.t.Errorf("oversized body changed the avatar to %v", got["avatar"])
	}
	if m := f.ok("PATCH", "/users/@me", a.key, map[string]any{"avatar": ""}); m["avatar"] != nil {
		f.t.Errorf(`avatar "" left %v`, m["avatar"])
	}
	if got := f.get(a.xid, ""); got["avatar"] != nil {
		f.t.Errorf(`stored avatar after "": %v`, got["avatar"])
	}
}

// e13: pride flags: the limit (400 2003), DELETE 204 with no body, a
// deleted flag leaves every profile, foreign or unknown ids in PATCH flags
// are 400 with no partial write.
func e13(f *fx) {
	a := f.user("flagger")
	b := f.user("flagother")
	create := func(tok, name string) map[string]any {
		f.t.Helper()
		m := f.ok("POST", "/users/@me/flags", tok, map[string]any{"flag": pngURI(6, 4), "name": name, "description": "d " + name})
		if !xidRE.MatchString(fmt.Sprint(m["id"])) || !hashRE.MatchString(fmt.Sprint(m["hash"])) || m["name"] != name || m["description"] != "d "+name {
			f.t.Fatalf("created flag %v", m)
		}
		return m
	}
	f1, f2 := create(a.key, "One"), create(a.key, "Two")
	fb := create(b.key, "Theirs")
	id1, id2, idb := f1["id"].(string), f2["id"].(string), fb["id"].(string)
	if id1 == id2 || id1 == a.xid {
		f.t.Errorf("flag ids %s %s not unique", id1, id2)
	}
	// The caller's flags are listed whether or not a profile shows them.
	if own, _ := f.list("/users/@me/flags", a.key); len(own) != 2 {
		f.t.Errorf("GET /users/@me/flags: %v, want both flags", own)
	}
	for _, k := range []string{"id", "hash", "name", "description"} {
		if _, ok := f1[k]; !ok {
			f.t.Errorf("flag object lacks %s", k)
		}
	}
	flags := []string{id2, id1}
	mem, err := f.svc.Face(core.NativeProfile).CreateMember(context.Background(), a.u, core.MemberInput{Fields: core.Patch{"name": "Flagged"}, Flags: &flags})
	if err != nil {
		f.t.Fatalf("create a member showing flags: %v", err)
	}
	memberFlags := func() []string {
		f.t.Helper()
		list, _ := f.list("/users/"+a.xid+"/members", "")
		for _, x := range list {
			if obj(x)["id"] == mem.XID {
				return flagIDs(obj(x))
			}
		}
		f.t.Fatalf("member %s not in the list %v", mem.XID, list)
		return nil
	}
	if got := memberFlags(); !slices.Equal(got, flags) {
		f.t.Errorf("member shows flags %v, want %v", got, flags)
	}
	m := f.ok("PATCH", "/users/@me", a.key, map[string]any{"flags": []string{id2, id1}})
	if ids := flagIDs(m); !slices.Equal(ids, []string{id2, id1}) {
		f.t.Errorf("profile flags %v, want %v in that order", ids, []string{id2, id1})
	}
	if got := flagIDs(f.get(a.xid, "")); !slices.Equal(got, []string{id2, id1}) {
		f.t.Errorf("anonymous sees flags %v", got)
	}
	// Foreign, unknown and malformed ids: 400, nothing written.
	for name, ids := range map[string][]string{"foreign": {id1, idb}, "unknown": {xid.New().String()}, "malformed": {"nope"}} {
		f.t.Run(name, func(t *testing.T) {
			g := f.on(t)
			wantErr(t, g.patch(a.key, map[string]any{"flags": ids, "bio": "partial"}), 400, 400)
			got := g.get("@me", a.key)
			if !slices.Equal(flagIDs(got), []string{id2, id1}) || got["bio"] != nil {
				t.Errorf("refused PATCH wrote flags %v bio %v", flagIDs(got), got["bio"])
			}
		})
	}
	// Flag routes on someone else's flag or none.
	wantErr(f.t, f.do("PATCH", "/users/@me/flags/"+idb, a.key, map[string]any{"name": "Mine now"}), 404, 404)
	wantErr(f.t, f.do("DELETE", "/users/@me/flags/"+idb, a.key, nil), 404, 404)
	wantErr(f.t, f.do("PATCH", "/users/@me/flags/"+xid.New().String(), a.key, map[string]any{"name": "x"}), 404, 404)
	wantErr(f.t, f.do("PATCH", "/users/@me/flags/not-an-id", a.key, map[string]any{"name": "x"}), 400, 400)
	wantErr(f.t, f.do("PATCH", "/users/@me/flags/"+id1, a.key, map[string]any{"name": ""}), 400, 400)
	wantErr(f.t, f.do("POST", "/users/@me/flags", a.key, map[string]any{"flag": pngURI(2, 2)}), 400, 400)
	wantErr(f.t, f.do("POST", "/users/@me/flags", a.key, map[string]any{"flag": pngURI(2, 2), "name": strings.Repeat("n", 101)}), 400, 400)
	wantErr(f.t, f.do("POST", "/users/@me/flags", a.key, map[string]any{"flag": pngURI(2, 2), "name": "n", "description": strings.Repeat("d", 501)}), 400, 400)
	wantErr(f.t, f.do("POST", "/users/@me/flags", a.key, map[string]any{"name": "no image"}), 400, 400)
	wantErr(f.t, f.do("POST", "/users/@me/flags", a.readKey, map[string]any{"flag": pngURI(2, 2), "name": "ro"}), 403, 4002)
	if up := f.ok("PATCH", "/users/@me/flags/"+id1, a.key, map[string]any{"name": "Uno", "description": ""}); up["name"] != "Uno" || up["description"] != nil || up["hash"] != f1["hash"] {
		f.t.Errorf("updated flag %v", up)
	}
	// DELETE: 204, empty body, gone from the profile and the flag list.
	r := f.do("DELETE", "/users/@me/flags/"+id2, a.key, nil)
	if r.Status != 204 || len(r.Body) != 0 {
		f.t.Errorf("DELETE flag: %d %q, want 204 and no body", r.Status, r.Body)
	}
	if got := flagIDs(f.get(a.xid, "")); !slices.Equal(got, []string{id1}) {
		f.t.Errorf("after DELETE the profile shows %v", got)
	}
	if got := memberFlags(); !slices.Equal(got, []string{id1}) {
		f.t.Errorf("after DELETE the member shows flags %v", got)
	}
	own, _ := f.list("/users/@me/flags", a.key)
	if len(own) != 1 || at(own, 0)["id"] != id1 {
		f.t.Errorf("flags after DELETE: %v", own)
	}
	wantErr(f.t, f.do("DELETE", "/users/@me/flags/"+id2, a.key, nil), 404, 404)

	// The limit: fill up to it straight in the database (posting 500
	// images would take minutes), then one more POST is 400 2003.
	f.fillFlags(id1, core.DefaultMaxFlags-1)
	if own, _ := f.list("/users/@me/flags", a.key); len(own) != core.DefaultMaxFlags {
		f.t.Fatalf("%d flags after the fill, want %d", len(own), core.DefaultMaxFlags)
	}
	wantErr(f.t, f.do("POST", "/users/@me/flags", a.key, map[string]any{"flag": pngURI(2, 2), "name": "one too many"}), 400, 2003)
	if own, _ := f.list("/users/@me/flags", a.key); len(own) != core.DefaultMaxFlags {
		f.t.Errorf("%d flags after a refused POST", len(own))
	}
}

// fillFlags copies flag src n times in the database, each with a new xid.
func (f *fx) fillFlags(src string, n int) {
	f.t.Helper()
	db := f.b.Open(f.t)
	ph := db.F.Placeholder
	ctx := context.Background()
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	defer tx.Rollback()
	q := "INSERT INTO pride_flags (xid, user_id, hash, name, description, created_at) SELECT " + ph(1) +
		", user_id, hash, name, description, created_at FROM pride_flags WHERE xid = " + ph(2)
	for range n {
		if _, err := tx.ExecContext(ctx, q, xid.New().String(), src); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		f.t.Fatal(err)
	}
}

func flagIDs(u map[string]any) []string {
	ids := []string{}
	fl := arr(u["flags"])
	for _, x := range fl {
		ids = append(ids, fmt.Sprint(obj(x)["id"]))
	}
	return ids
}

// e14: every error has a numeric code implying its status (wantErr checks
// the body of each); a sample of the face's errors.
func e14(f *fx) {
	a := f.user("errors")
	m := wantErr(f.t, f.do("GET", "/users/no-such-user-here", "", nil), 404, 2001)
	if m["message"] != "User not found" {
		f.t.Errorf("2001 message %q, want %q", m["message"], "User not found")
	}
	wantErr(f.t, f.do("GET", "/no/such/route", "", nil), 404, 404)
	wantErr(f.t, f.do("PUT", "/users/@me", a.key, map[string]any{"bio": "x"}), 405, 405)
	wantErr(f.t, f.patch(a.key, `{"bio": "unterminated`), 400, 400)
	wantErr(f.t, f.patch(a.key, map[string]any{"links": make([]string, 26)}), 400, 400)
	wantErr(f.t, f.patch(a.key, map[string]any{"name": "x"}), 400, 1006)
	// No unversioned alias.
	if r := f.s.Do("GET", "/pronouns/api/users/"+a.xid, "", nil); r.Status != 404 {
		f.t.Errorf("unversioned path: %d", r.Status)
	}
}

// e15: rate-limit headers on every response; the most specific bucket
// applies: PATCH /users/@me allows 10 a minute, not the fallback's 120.
func e15(f *fx) {
	g := newFx(f.t, f.b, "--pronouns-rates=PATCH /users/@me=10")
	a := g.user("limited")
	b := g.user("unlimited")
	checkHeaders := func(what string, r facetest.Response) {
		g.t.Helper()
		for _, h := range []string{"X-RateLimit-Bucket", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
			if r.Header.Get(h) == "" {
				g.t.Errorf("%s: no %s header", what, h)
			}
		}
	}
	getR := g.do("GET", "/users/"+a.xid, "", nil)
	checkHeaders("GET user", getR)
	checkHeaders("404", g.do("GET", "/users/nobody-at-all", "", nil))
	checkHeaders("403", g.do("GET", "/users/@me", "", nil))
	if lim := getR.Header.Get("X-RateLimit-Limit"); lim != "60" {
		g.t.Errorf("GET /users/{id} limit %q, want 60 (bucket GET /users/*)", lim)
	}
	start := time.Now()
	var last facetest.Response
	for i := range 10 {
		last = g.patch(a.key, map[string]any{"bio": fmt.Sprintf("spend %d", i)})
		if last.Status != 200 {
			g.t.Fatalf("PATCH %d: %d %s", i+1, last.Status, last.Body)
		}
		checkHeaders("PATCH", last)
		if got, want := last.Header.Get("X-RateLimit-Remaining"), strconv.Itoa(9-i); got != want {
			g.t.Errorf("PATCH %d: X-RateLimit-Remaining %q, want %s", i+1, got, want)
		}
	}
	if got := last.Header.Get("X-RateLimit-Bucket"); got != "PATCH /users/@me" || got == getR.Header.Get("X-RateLimit-Bucket") {
		g.t.Errorf("PATCH bucket %q (GET's %q), want PATCH /users/@me", got, getR.Header.Get("X-RateLimit-Bucket"))
	}
	if got := last.Header.Get("X-RateLimit-Limit"); got != "10" {
		g.t.Errorf("PATCH X-RateLimit-Limit %q, want 10", got)
	}
	r := g.patch(a.key, map[string]any{"bio": "one too many"})
	m := wantErr(g.t, r, 429, 429)
	checkHeaders("429", r)
	reset, isNum := m["ratelimit_reset"].(float64)
	if !isNum || int64(reset) < start.Unix() || int64(reset) > time.Now().Unix()+61 {
		g.t.Errorf("ratelimit_reset %v, want a unix time within the minute", m["ratelimit_reset"])
	}
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		g.t.Errorf("Retry-After %q, want 1..60 seconds", r.Header.Get("Retry-After"))
	}
	if hr, err := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64); err != nil || hr < start.Unix() || hr > time.Now().Unix()+61 {
		g.t.Errorf("X-RateLimit-Reset %q", r.Header.Get("X-RateLimit-Reset"))
	}
	if rem := r.Header.Get("X-RateLimit-Remaining"); rem != "0" {
		g.t.Errorf("429 X-RateLimit-Remaining %q, want 0", rem)
	}
	if got := g.get("@me", a.key); got["bio"] != "spend 9" {
		g.t.Errorf("the refused PATCH wrote bio %v", got["bio"])
	}
	// Other buckets of the same user, and the same bucket of another
	// user, are still open.
	g.get("@me", a.key)
	g.ok("PATCH", "/users/@me", b.key, map[string]any{"bio": "mine"})
}

// e16: utc_offset follows the zone's offset at request time (DST-aware);
// the zone itself is the owner's.
func e16(f *fx) {
	a := f.user("tz")
	other := f.user("tzviewer")
	for _, zone := range []string{"America/New_York", "Europe/Amsterdam", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			f.t.Fatal(err)
		}
		offset := func() float64 { _, o := time.Now().In(loc).Zone(); return float64(o) }
		before := offset()
		m := f.ok("PATCH", "/users/@me", a.key, map[string]any{"timezone": zone})
		pub := f.get(a.xid, other.key)
		after := offset()
		for who, v := range map[string]map[string]any{"owner": m, "other": pub} {
			if o := v["utc_offset"]; o != before && o != after {
				f.t.Errorf("%s: %s: utc_offset %v, want %v", zone, who, o, after)
			}
		}
		if m["timezone"] != zone {
			f.t.Errorf("timezone %v, want %s", m["timezone"], zone)
		}
		if _, ok := pub["timezone"]; ok {
			f.t.Errorf("%s: another user sees the timezone", zone)
		}
	}
	for _, bad := range []string{"Mars/Olympus", "europe/amsterdam ", "+02:00", "../../etc/passwd"} {
		wantErr(f.t, f.patch(a.key, map[string]any{"timezone": bad}), 400, 400)
	}
	m := f.ok("PATCH", "/users/@me", a.key, map[string]any{"timezone": ""})
	if m["timezone"] != nil || m["utc_offset"] != nil {
		f.t.Errorf(`timezone "" left timezone %v utc_offset %v`, m["timezone"], m["utc_offset"])
	}
	if v, ok := f.get(a.xid, "")["utc_offset"]; !ok || v != nil {
		f.t.Errorf("unset zone: utc_offset %v (present %v), want null", v, ok)
	}
}

// e17: lengths count characters, not bytes.
func e17(f *fx) {
	a := f.user("unicode")
	const e = "😀" // one code point, four bytes
	for _, c := range []struct {
		key  string
		max  int
		wrap func(string) any
	}{
		{"bio", 1000, nil}, {"display_name", 100, nil}, {"member_title", 150, nil},
		{"links", 256, func(s string) any { return []string{s} }},
		{"names", 100, func(s string) any { return []any{map[string]any{"value": s, "status": "okay"}} }},
		{"pronouns", 100, func(s string) any { return []any{map[string]any{"pronouns": s, "display_text": nil, "status": "okay"}} }},
	} {
		f.t.Run(c.key, func(t *testing.T) {
			g := f.on(t)
			val := func(n int) any {
				s := strings.Repeat(e, n)
				if c.wrap != nil {
					return c.wrap(s)
				}
				return s
			}
			m := g.ok("PATCH", "/users/@me", a.key, map[string]any{c.key: val(c.max)})
			got, _ := json.Marshal(m[c.key])
			want, _ := json.Marshal(val(c.max))
			if string(got) != string(want) {
				t.Errorf("%s of %d emoji came back as %.80s…", c.key, c.max, got)
			}
			wantErr(t, g.patch(a.key, map[string]any{c.key: val(c.max + 1)}), 400, 400)
			if back, _ := json.Marshal(g.get("@me", a.key)[c.key]); string(back) != string(want) {
				t.Errorf("%s changed by a refused PATCH", c.key)
			}
		})
	}
	// Combining marks are characters too: 1000 "e\u0301" pairs are 2000.
	wantErr(f.t, f.patch(a.key, map[string]any{"bio": strings.Repeat("e\u0301", 501)}), 400, 400)
}

// e18: one bad field refuses the whole PATCH: no rename, no other field.
func e18(f *fx) {
	a := f.user("atomic")
	taken := f.user("atomictaken")
	f.ok("PATCH", "/users/@me", a.key, map[string]any{"bio": "before", "display_name": "Before", "timezone": "Europe/Berlin"})
	newName := fmt.Sprintf("renamed%d", f.n.Add(1))
	for name, body := range map[string]map[string]any{
		"bad link":      {"name": newName, "bio": "after", "links": []string{strings.Repeat("l", 257)}},
		"bad timezone":  {"name": newName, "display_name": "After", "timezone": "Mars/Olympus"},
		"bad status":    {"name": newName, "bio": "after", "names": []any{map[string]any{"value": "v", "status": 1}}},
		"bad avatar":    {"name": newName, "bio": "after", "avatar": "data:image/png;base64," + b64([]byte("junk"))},
		"bad flag":      {"name": newName, "bio": "after", "flags": []string{xid.New().String()}},
		"taken name":    {"name": taken.name, "bio": "after", "display_name": "After"},
		"invalid name":  {"name": "..", "bio": "after", "timezone": "Asia/Tokyo"},
		"long bio":      {"name": newName, "bio": strings.Repeat("b", 1001)},
		"bad prefs":     {"name": newName, "custom_preferences": map[string]any{"x": customPref("x")}},
		"too many refs": {"name": newName, "bio": "after", "links": make([]string, 26)},
	} {
		f.t.Run(name, func(t *testing.T) {
			g := f.on(t)
			r := g.patch(a.key, body)
			if r.Status != 400 {
				t.Fatalf("status %d, want 400\n%s", r.Status, r.Body)
			}
			m := g.get("@me", a.key)
			if m["name"] != a.name || m["bio"] != "before" || m["display_name"] != "Before" || m["timezone"] != "Europe/Berlin" || m["avatar"] != nil || len(arr(m["links"])) != 0 || len(arr(m["names"])) != 0 {
				t.Errorf("a refused PATCH changed the user: %v", m)
			}
			wantErr(t, g.do("GET", "/users/"+newName, "", nil), 404, 2001)
		})
	}
}

// e19: deleted accounts are 404 2001 by id and by name, and their tokens
// stop working.
func e19(f *fx) {
	a := f.user("doomed")
	b := f.user("doomedcli")
	// Deleted by the user on the native API …
	f.s.Want(f.s.Do("DELETE", fmt.Sprintf("/v1/users/%d", a.id), a.key, nil), 204)
	// … and by staff (the CLI has no delete).
	if err := f.svc.DeleteUser(context.Background(), core.System, b.id); err != nil {
		f.t.Fatal(err)
	}
	viewer := f.user("mourner")
	for _, d := range []*acct{a, b} {
		for _, ref := range []string{d.xid, d.name, strings.ToUpper(d.name)} {
			for _, tok := range []string{"", viewer.key} {
				m := wantErr(f.t, f.do("GET", "/users/"+ref, tok, nil), 404, 2001)
				if m["message"] != "User not found" {
					f.t.Errorf("message %q", m["message"])
				}
			}
			wantErr(f.t, f.do("GET", "/users/"+ref+"/members", "", nil), 404, 2001)
		}
		wantErr(f.t, f.do("GET", "/users/@me", d.key, nil), 401, 1003)
	}
}

// e20: a sid is not a user reference.
func e20(f *fx) {
	a := f.user("sidref")
	sid := str(f.t, f.get(a.xid, ""), "sid")
	for _, ref := range []string{sid, strings.ToUpper(sid)} {
		wantErr(f.t, f.do("GET", "/users/"+ref, "", nil), 404, 2001)
	}
}
