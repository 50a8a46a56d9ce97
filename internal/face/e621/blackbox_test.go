package e621_test

// Black-box tests of the e621 face (spec/e621.md), mounted at "/" as an
// e621 client expects. Each numbered edge case of the spec's Part D has a
// subtest named D01…D30, run against SQLite and PostgreSQL.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/e621"
	"usersd/internal/facetest"
	"usersd/internal/httpx"
)

// e6Client does not follow redirects: e621's 302s are under test.
var e6Client = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

// e6Opt shapes one request.
type e6Opt struct {
	body   string
	ctype  string
	as     string // send HTTP Basic with this fixture user's API key
	header map[string]string
}

// subtests returns a function running fn as subtest name of t, on a copy
// of the fixture that reports to the subtest.
func (f *e6Fixture) subtests(t *testing.T) func(name string, fn func(f *e6Fixture)) {
	return func(name string, fn func(f *e6Fixture)) {
		t.Run(name, func(t *testing.T) {
			g := *f
			g.t = t
			fn(&g)
		})
	}
}

// e6Fixture is a server with the e621 face at "/" and a set of users.
type e6Fixture struct {
	t     *testing.T
	s     *facetest.Server
	ids   map[string]int64
	keys  map[string]string // e621 API keys (usersd tokens)
	admin string            // native token of root, the owner
}

var e6KeyRE = regexp.MustCompile(`(?m)^(usd_\S+)$`)

// user creates a user through the CLI at a canonical level and mints an
// API key for it.
func (f *e6Fixture) user(name string, level int) int64 {
	f.t.Helper()
	out, err := f.s.CLI("user", "create", "--name", name, "--password", "password-"+name, "--level", fmt.Sprint(level))
	if err != nil {
		f.t.Fatal(err)
	}
	var u struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		f.t.Fatalf("user create output: %v\n%s", err, out)
	}
	out, err = f.s.CLI("token", "create", "--name", name)
	if err != nil {
		f.t.Fatal(err)
	}
	m := e6KeyRE.FindStringSubmatch(out)
	if m == nil {
		f.t.Fatalf("no token in %q", out)
	}
	f.ids[name], f.keys[name] = u.ID, m[1]
	return u.ID
}

// set writes canonical fields as the owner, through the native API.
func (f *e6Fixture) set(name string, fields map[string]any) {
	f.t.Helper()
	f.s.Want(f.s.Do("PATCH", fmt.Sprintf("/v1/users/%d", f.ids[name]), f.admin, fields), 200)
}

// req sends one request to the e621 face.
func (f *e6Fixture) req(method, path string, o e6Opt) facetest.Response {
	f.t.Helper()
	var rd io.Reader
	if o.body != "" {
		rd = strings.NewReader(o.body)
	}
	req, err := http.NewRequest(method, f.s.Base+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if o.ctype != "" {
		req.Header.Set("Content-Type", o.ctype)
	} else if o.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if o.as != "" {
		req.SetBasicAuth(o.as, f.keys[o.as])
	}
	for k, v := range o.header {
		req.Header.Set(k, v)
	}
	resp, err := e6Client.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return facetest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (f *e6Fixture) get(path string) facetest.Response {
	f.t.Helper()
	return f.req("GET", path, e6Opt{})
}

func (f *e6Fixture) getAs(name, path string) facetest.Response {
	f.t.Helper()
	return f.req("GET", path, e6Opt{as: name})
}

// expect checks status and exact body (timestamps normalized, see e6Norm).
func (f *e6Fixture) expect(r facetest.Response, status int, body string) {
	f.t.Helper()
	if got := e6Norm(string(r.Body)); r.Status != status || got != body {
		f.t.Errorf("got %d %s\nwant %d %s", r.Status, got, status, body)
	}
}

// list decodes a JSON array of objects.
func (f *e6Fixture) list(r facetest.Response) []map[string]any {
	f.t.Helper()
	if r.Status != 200 {
		f.t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var out []map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		f.t.Fatalf("not a JSON array: %v\n%s", err, r.Body)
	}
	return out
}

// names lists the "name" of each object of a JSON array response.
func (f *e6Fixture) names(r facetest.Response) []string {
	f.t.Helper()
	out := []string{}
	for _, m := range f.list(r) {
		out = append(out, m["name"].(string))
	}
	return out
}

func (f *e6Fixture) wantNames(r facetest.Response, want ...string) {
	f.t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := f.names(r); !slices.Equal(got, want) {
		f.t.Errorf("names = %q, want %q", got, want)
	}
}

// sub replaces {name} with that user's id.
func (f *e6Fixture) sub(s string) string {
	for name, id := range f.ids {
		s = strings.ReplaceAll(s, "{"+name+"}", fmt.Sprint(id))
	}
	return s
}

var (
	e6TimeRE   = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[-+]\d\d:\d\d)"`)
	e6LegacyRE = regexp.MustCompile(`"\d{4}-\d\d-\d\d \d\d:\d\d"`)
)

// e6Norm replaces e621ng timestamps (ISO 8601 with milliseconds and an
// offset) by "TS" and legacy ones ("YYYY-MM-DD HH:MM") by "LTS"; a value
// in any other format stays and fails the comparison.
func e6Norm(s string) string {
	s = e6TimeRE.ReplaceAllString(s, `"TS"`)
	return e6LegacyRE.ReplaceAllString(s, `"LTS"`)
}

// e6Setup starts the server and creates the fixture users:
//
//	root         owner (60)          e621 Admin
//	purple_fox   member              counters, the spec's example user
//	Purple_Haze  gold (30)           Privileged; note edits
//	violet       approver (37)       legacy/classic Janitor; avatar and artist tags
//	banned_bob   member, banned      Blocked
//	newbie       restricted (10)     legacy Unactivated, e621ng Member unverified
//	builder      builder (32)        legacy Contributor
//	a_b_c, axbxc, 100%fox            literal _ and % in name searches
func e6Setup(t *testing.T, b facetest.Backend) *e6Fixture {
	t.Helper()
	s := facetest.Start(t, b, "--mount", "e621=/")
	f := &e6Fixture{t: t, s: s, ids: map[string]int64{}, keys: map[string]string{}}
	f.user("root", 60)
	_, f.admin = s.Login("root", "password-root")
	for _, u := range []struct {
		name  string
		level int
	}{
		{"purple_fox", 20}, {"Purple_Haze", 30}, {"violet", 37}, {"banned_bob", 20},
		{"newbie", 10}, {"builder", 32}, {"a_b_c", 20}, {"axbxc", 20}, {"100%fox", 20},
	} {
		f.user(u.name, u.level)
	}
	f.set("purple_fox", map[string]any{"post_upload_count": 5, "post_deleted_count": 2, "post_update_count": 27,
		"favorite_count": 140, "forum_post_count": 1, "comment_count": 5, "set_count": 1})
	f.set("Purple_Haze", map[string]any{"post_update_count": 5, "note_update_count": 9, "post_upload_count": 2})
	f.set("violet", map[string]any{"post_update_count": 50, "avatar_post_id": 77, "artist_tags": []string{"some_artist", "<b&b>"},
		"positive_feedback_count": 3, "negative_feedback_count": 1, "post_upload_count": 40, "post_deleted_count": 4,
		"email": "Violet@Example.com"})
	f.set("builder", map[string]any{"note_update_count": 3})
	f.set("banned_bob", map[string]any{"banned": true})
	return f
}

// allNames is every fixture user, newest first.
var e6AllNames = []string{"100%fox", "axbxc", "a_b_c", "builder", "newbie", "banned_bob", "violet", "Purple_Haze", "purple_fox", "root"}

func e6Zero(names ...string) []string {
	var out []string
	for _, n := range e6AllNames {
		if !slices.Contains(names, n) {
			out = append(out, n)
		}
	}
	return out
}

const e6LegacyPurple = `{"name":"purple_fox","id":{purple_fox},"level":20,"created_at":"LTS","avatar_id":null,"stats":{"post_count":3,"del_post_count":2,"edit_count":27,"favorite_count":140,"wiki_count":0,"forum_post_count":1,"note_count":0,"comment_count":5,"blip_count":0,"set_count":1,"pool_update_count":0,"pos_user_records":0,"neutral_user_records":0,"neg_user_records":0},"artist_tags":[]}`

const e6LegacyViolet = `{"name":"violet","id":{violet},"level":35,"created_at":"LTS","avatar_id":77,"stats":{"post_count":36,"del_post_count":4,"edit_count":50,"favorite_count":0,"wiki_count":0,"forum_post_count":0,"note_count":0,"comment_count":0,"blip_count":0,"set_count":0,"pool_update_count":0,"pos_user_records":3,"neutral_user_records":0,"neg_user_records":1},"artist_tags":["some_artist","\u003cb\u0026b\u003e"]}`

const e6LegacyVioletXML = `<?xml version="1.0" encoding="UTF-8"?>
<user name="violet" id="{violet}" level="35" created_at="LTS" avatar_id="77">
  <stats post_count="36" del_post_count="4" edit_count="50" favorite_count="0" wiki_count="0" forum_post_count="0" note_count="0" comment_count="0" blip_count="0" set_count="0" pool_update_count="0" pos_user_records="3" neutral_user_records="0" neg_user_records="1"/>
  <artist_tags>
    <artist_tag>some_artist</artist_tag>
    <artist_tag>&lt;b&amp;b&gt;</artist_tag>
  </artist_tags>
</user>
`

const e6LegacyPurpleXMLItem = `  <user name="purple_fox" id="{purple_fox}" level="20" created_at="LTS" avatar_id="">
    <stats post_count="3" del_post_count="2" edit_count="27" favorite_count="140" wiki_count="0" forum_post_count="1" note_count="0" comment_count="5" blip_count="0" set_count="1" pool_update_count="0" pos_user_records="0" neutral_user_records="0" neg_user_records="0"/>
    <artist_tags/>
  </user>
`

// TestE621Legacy covers the legacy v1 edge cases (Part D 1–11, 30).
func TestE621Legacy(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := e6Setup(t, b)
		run := f.subtests(t)
		run("D01_order_tagedits_taggedits_notes", func(f *e6Fixture) {
			want := append([]string{"violet", "purple_fox", "Purple_Haze"}, e6Zero("violet", "purple_fox", "Purple_Haze")...)
			f.wantNames(f.get("/user/index.json?order=tagedits"), want...)
			f.wantNames(f.get("/user/index.json?order=taggedits"), want...)
			f.wantNames(f.get("/user/index.json?order=notes"), append([]string{"Purple_Haze", "builder"}, e6Zero("Purple_Haze", "builder")...)...)
			f.wantNames(f.get("/user/index.json?order=posts&limit=3"), "violet", "purple_fox", "Purple_Haze")
			f.wantNames(f.get("/user/index.json?order=deleted&limit=2"), "violet", "purple_fox")
			f.wantNames(f.get("/user/index.json?order=record&limit=1"), "violet")
			f.wantNames(f.get("/user/index.json?order=name&limit=4"), "100%fox", "a_b_c", "axbxc", "banned_bob")
			f.wantNames(f.get("/user/index.json?order=date&limit=2"), "100%fox", "axbxc")
			f.wantNames(f.get("/user/index.json?order=bogus"), e6AllNames...)
		})
		run("D02_level_minus_one_is_any_else_exact", func(f *e6Fixture) {
			f.wantNames(f.get("/user/index.json?level=-1"), e6AllNames...)
			f.wantNames(f.get("/user/index.json"), e6AllNames...)
			f.wantNames(f.get("/user/index.json?level=20"), "100%fox", "axbxc", "a_b_c", "purple_fox")
			f.wantNames(f.get("/user/index.json?level=30"), "Purple_Haze") // not violet (35)
			f.wantNames(f.get("/user/index.json?level=35"), "violet")
			f.wantNames(f.get("/user/index.json?level=33"), "builder")
			f.wantNames(f.get("/user/index.json?level=0"), "newbie")
			f.wantNames(f.get("/user/index.json?level=10"), "banned_bob")
			f.wantNames(f.get("/user/index.json?level=50"), "root")
			f.wantNames(f.get("/user/index.json?level=34")) // Former Staff: nobody renders it
			f.wantNames(f.get("/user/index.json?level=%3E20"))
			f.wantNames(f.get("/user/index.json?level=20..40"))
			f.wantNames(f.get("/user/index.json?level=abc"))
		})
		run("D03_name_is_case_insensitive_substring", func(f *e6Fixture) {
			f.wantNames(f.get("/user/index.json?name=PURPLE"), "Purple_Haze", "purple_fox")
			f.wantNames(f.get("/user/index.json?name=fox"), "100%fox", "purple_fox")
			f.wantNames(f.get("/user/index.json?name=e_f"), "purple_fox")
			f.wantNames(f.get("/user/index.json?name=a_b"), "a_b_c") // _ is literal: not axbxc
			f.wantNames(f.get("/user/index.json?name=0%25f"), "100%fox")
			f.wantNames(f.get("/user/index.json?name=0_f"))
			f.wantNames(f.get("/user/index.json?name=p*fox"), "purple_fox")
			f.wantNames(f.get("/user/index.json?name=urple_"), "Purple_Haze", "purple_fox")
		})
		run("D04_created_at_minute_precision", func(f *e6Fixture) {
			r := f.get(f.sub("/user/show.json?id={purple_fox}"))
			var m map[string]any
			if err := json.Unmarshal(r.Body, &m); err != nil {
				t.Fatal(err)
			}
			native := f.s.Want(f.s.Do("GET", f.sub("/v1/users/{purple_fox}"), "", nil), 200)
			at, err := time.Parse(time.RFC3339Nano, native["created_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := m["created_at"], at.UTC().Format("2006-01-02 15:04"); got != want {
				t.Errorf("created_at = %v, want %v (UTC, minutes, no T or zone)", got, want)
			}
			if strings.Contains(string(r.Body), "json_class") {
				t.Errorf("legacy object uses the {json_class,s,n} form: %s", r.Body)
			}
			x := f.get(f.sub("/user/show.xml?id={purple_fox}"))
			if want := fmt.Sprintf(`created_at="%s"`, at.UTC().Format("2006-01-02 15:04")); !strings.Contains(string(x.Body), want) {
				t.Errorf("XML lacks %s:\n%s", want, x.Body)
			}
		})
		run("D05_avatar_null_artist_tags_array_stats_complete", func(f *e6Fixture) {
			f.expect(f.get(f.sub("/user/show.json?id={purple_fox}")), 200, f.sub(e6LegacyPurple))
			f.expect(f.get(f.sub("/user/show.json?id={violet}")), 200, f.sub(e6LegacyViolet))
			f.expect(f.get(f.sub("/user/show.xml?id={violet}")), 200, f.sub(e6LegacyVioletXML))
			x := f.get("/user/index.xml?name=purple_f")
			f.expect(x, 200, f.sub("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<users type=\"array\">\n"+e6LegacyPurpleXMLItem+"</users>\n"))
			if ct := x.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
				t.Errorf("Content-Type = %q", ct)
			}
			f.expect(f.get("/user/index.xml?name=nobody"), 200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<users type=\"array\"/>\n")
			f.expect(f.get("/user/index.json?name=nobody"), 200, "[]")
		})
		run("D06_show_without_id_is_the_caller", func(f *e6Fixture) {
			f.expect(f.get("/user/show.json?login=purple_fox&password_hash="+f.keys["purple_fox"]), 200, f.sub(e6LegacyPurple))
			f.expect(f.get("/user/show.json"), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.get("/user/show.xml"), 404, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response success=\"false\" reason=\"not found\"/>\n")
			f.expect(f.get("/user/show.json?name=PURPLE_FOX"), 200, f.sub(e6LegacyPurple))
		})
		run("D07_show_object_index_array", func(f *e6Fixture) {
			f.expect(f.get(f.sub("/user/index.json?id={purple_fox}")), 200, "["+f.sub(e6LegacyPurple)+"]")
			f.expect(f.get(f.sub("/user/show.json?id={purple_fox}")), 200, f.sub(e6LegacyPurple))
			f.expect(f.get(f.sub("/user/show/{purple_fox}.json")), 200, f.sub(e6LegacyPurple))
			f.expect(f.get("/user/index.json?id=999999"), 200, "[]")
			f.expect(f.get("/user/index.json?id=abc"), 200, "[]")
		})
		run("D08_legacy_error_bodies", func(f *e6Fixture) {
			f.expect(f.get("/user/show.json?id=999999"), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.get("/user/show.xml?id=999999"), 404, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response success=\"false\" reason=\"not found\"/>\n")
			f.expect(f.get("/user/show.json?id=abc"), 424, `{"success":false,"reason":"invalid parameters"}`)
			f.expect(f.get("/user/show.xml?id=abc"), 424, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response success=\"false\" reason=\"invalid parameters\"/>\n")
			f.expect(f.req("DELETE", "/user/index.json", e6Opt{}), 405, `{"success":false,"reason":"method not allowed"}`)
		})
		run("D09_no_private_data_for_any_viewer", func(f *e6Fixture) {
			f.set("purple_fox", map[string]any{"email": "fox@example.com", "bio": "secret-ish"})
			path := f.sub("/user/show.json?id={purple_fox}")
			anon := f.get(path)
			f.expect(anon, 200, f.sub(e6LegacyPurple))
			for _, as := range []string{"purple_fox", "root"} {
				f.expect(f.getAs(as, path), 200, f.sub(e6LegacyPurple))
			}
			for _, as := range []string{"", "purple_fox", "root"} {
				r := f.req("GET", "/user/index.json?name=purple_f", e6Opt{as: as})
				f.expect(r, 200, "["+f.sub(e6LegacyPurple)+"]")
				if strings.Contains(string(r.Body), "example.com") {
					t.Errorf("e-mail leaked to %q", as)
				}
			}
		})
		run("D10_credentials_and_fallback_to_anonymous", func(f *e6Fixture) {
			key := f.keys["purple_fox"]
			me := f.sub(e6LegacyPurple)
			f.expect(f.get("/user/show.json?login=purple_fox&password_hash="+key), 200, me)
			f.expect(f.get("/user/show.json?login=Purple_Fox&api_key="+key), 200, me)
			f.expect(f.req("POST", "/user/show.json", e6Opt{body: "login=purple_fox&password_hash=" + key}), 200, me)
			f.expect(f.req("GET", "/user/show.json", e6Opt{as: "purple_fox"}), 200, me)
			// Wrong credentials are anonymous, not 401.
			f.expect(f.get("/user/show.json?login=purple_fox&password_hash=wrong"), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.get("/user/show.json?login=violet&password_hash="+key), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.req("GET", "/user/show.json", e6Opt{header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("purple_fox:nope"))}}), 404, `{"success":false,"reason":"not found"}`)
			if r := f.get("/user/index.json?login=purple_fox&password_hash=wrong&limit=1"); r.Status != 200 {
				t.Errorf("index with wrong credentials: %d", r.Status)
			}
		})
		run("D11_jsonp_wraps_only_json", func(f *e6Fixture) {
			r := f.get(f.sub("/user/show.json?id={purple_fox}&callback=cb.done"))
			f.expect(r, 200, "cb.done("+f.sub(e6LegacyPurple)+")")
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/javascript") {
				t.Errorf("JSONP Content-Type = %q", ct)
			}
			f.expect(f.get("/user/index.json?name=nobody&callback=$f"), 200, "$f([])")
			f.expect(f.get("/user/show.json?id=999999&callback=cb"), 404, `cb({"success":false,"reason":"not found"})`)
			f.expect(f.get(f.sub("/user/show.xml?id={violet}&callback=cb")), 200, f.sub(e6LegacyVioletXML))
			f.expect(f.get("/user/index.json?callback=alert(1)"), 424, `{"success":false,"reason":"invalid parameters"}`)
		})
		run("D30_legacy_routes_answer_not_redirect", func(f *e6Fixture) {
			for _, path := range []string{"/user/index.json?page=1", "/user/index", "/user.json", f.sub("/user/show/{purple_fox}")} {
				if r := f.get(path); r.Status != 200 || r.Header.Get("Location") != "" {
					t.Errorf("%s: %d Location %q", path, r.Status, r.Header.Get("Location"))
				}
			}
			f.wantNames(f.get("/user/index.json?page=2&limit=4"), "newbie", "banned_bob", "violet", "Purple_Haze")
			f.wantNames(f.get("/user/index.json?page=0&limit=1"), "100%fox")
			f.wantNames(f.get("/user/index.json?page=99999999999999999999"))
		})
	})
}

// e6Purple is purple_fox's e621ng show object for anyone but themself.
const e6PurpleShow = `{"wiki_page_version_count":0,"artist_version_count":0,"pool_version_count":0,"forum_post_count":1,"comment_count":5,"flag_count":0,"favorite_count":140,"positive_feedback_count":0,"neutral_feedback_count":0,"negative_feedback_count":0,"upload_slots":10,"profile_about":"","profile_artinfo":"","id":{purple_fox},"created_at":"TS","name":"purple_fox","level":20,"base_upload_limit":10,"upload_karma":0,"upload_karma_free":false,"post_upload_count":5,"post_update_count":27,"note_update_count":0,"is_banned":false,"can_approve_posts":false,"can_upload_free":false,"level_string":"Member","avatar_id":null,"is_verified":true,"has_cropped_avatar":false}`

// e6PurpleIndex is purple_fox in a /users.json list for others.
const e6PurpleIndex = `{"id":{purple_fox},"created_at":"TS","name":"purple_fox","level":20,"base_upload_limit":10,"upload_karma":0,"upload_karma_free":false,"post_upload_count":5,"post_update_count":27,"note_update_count":0,"is_banned":false,"can_approve_posts":false,"can_upload_free":false,"level_string":"Member","avatar_id":null,"is_verified":true,"has_cropped_avatar":false}`

// e6PurpleSelfBlock is the self block of purple_fox, created by the CLI
// (so with the column defaults); FAV marks favorite_count, which the show
// view has already emitted in its first block.
const e6PurpleSelfBlock = `"blacklist_users":false,"description_collapsed_initially":false,"hide_comments":false,"show_hidden_comments":false,"show_post_statistics":true,"receive_email_notifications":false,"enable_keyboard_navigation":true,"enable_privacy_mode":false,"enable_auto_complete":true,"enable_safe_mode":false,"disable_responsive_mode":false,"no_flagging":false,"disable_user_dmails":false,"enable_compact_uploader":false,"replacements_beta":false,"forum_notification_dot":false,"updated_at":"TS","email":null,"last_logged_in_at":"TS","last_forum_read_at":null,"recent_tags":"","comment_threshold":-8,"default_image_size":"large","favorite_tags":null,"blacklisted_tags":"","time_zone":"Eastern Time (US \u0026 Canada)","per_page":20,"custom_style":null,FAV"api_regen_multiplier":1,"api_burst_limit":60,"remaining_api_limit":60,"statement_timeout":3000,"favorite_limit":100000,"tag_query_limit":40,"has_mail":false,"unread_dmail_count":0}`

// e6PurpleSelf returns the self block; show drops the repeated favorite_count.
func e6PurpleSelf(show bool) string {
	if show {
		return strings.Replace(e6PurpleSelfBlock, "FAV", "", 1)
	}
	return strings.Replace(e6PurpleSelfBlock, "FAV", `"favorite_count":140,`, 1)
}

const e6HTML406 = "<!DOCTYPE html>\n<html>\n<head>\n  <title>Unexpected Error</title>\n</head>\n<body>\n  <p>application/xml is not a supported format for this page</p>\n  <p>Log ID: (none)</p>\n</body>\n</html>\n"

// e6Message is a shape-2 error body (static/error.json.erb).
func e6Message(msg string) string {
	return "{\n  \"success\": false,\n  \"message\": " + strings.TrimSpace(string(mustJSON(msg))) + ",\n  \"code\": null\n}\n"
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// e6Base is the public block's keys, in order (B.7.1).
var e6Base = []string{"id", "created_at", "name", "level", "base_upload_limit", "upload_karma", "upload_karma_free",
	"post_upload_count", "post_update_count", "note_update_count", "is_banned", "can_approve_posts", "can_upload_free",
	"level_string", "avatar_id", "is_verified", "has_cropped_avatar"}

// e6Keys returns the keys of a JSON object in order.
func e6Keys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", body)
	}
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestE621NG covers the e621ng edge cases (Part D 12–28).
func TestE621NG(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := e6Setup(t, b)
		run := f.subtests(t)
		run("D12_no_xml_no_delete", func(f *e6Fixture) {
			for _, path := range []string{"/users.xml", f.sub("/users/{purple_fox}.xml"), "/users/me.xml"} {
				r := f.get(path)
				f.expect(r, 406, e6HTML406)
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("%s: Content-Type %q", path, ct)
				}
			}
			f.expect(f.req("DELETE", f.sub("/users/{purple_fox}.json"), e6Opt{as: "purple_fox"}), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.get(f.sub("/users/{purple_fox}.json")), 200, f.sub(e6PurpleShow))
		})
		run("D13_search_name_is_forbidden_name_matches_is_not", func(f *e6Fixture) {
			f.expect(f.get("/users.json?search[name]=purple_fox"), 403, `{"success":false,"reason":"found unpermitted parameter: :name"}`)
			f.expect(f.get("/users.json?search[name]=x&search[is_banned]=true"), 403, `{"success":false,"reason":"found unpermitted parameters: :name, :is_banned"}`)
			f.expect(f.get("/users.json?search[name_eq]=x"), 403, `{"success":false,"reason":"found unpermitted parameter: :name_eq"}`)
			f.expect(f.get("/users.json?search[ip_addr]=127.0.0.1"), 403, `{"success":false,"reason":"found unpermitted parameter: :ip_addr"}`)
			f.wantNames(f.get("/users.json?search[name_matches]=PURPLE*"), "Purple_Haze", "purple_fox")
			f.wantNames(f.get("/users.json?search[name_matches]=Purple%20Fox"), "purple_fox")
			f.wantNames(f.get("/users.json?search[name_matches]=purple")) // no "*": exact
			f.wantNames(f.get("/users.json?search[name_matches]=*_b*"), "a_b_c", "banned_bob")
			if a, b := f.get("/users.json?search[name_matches]=*fox&bogus=x"), f.get("/users.json?search[name_matches]=*fox"); string(a.Body) != string(b.Body) || a.Status != 200 {
				t.Errorf("unknown top-level params are ignored: %d %s vs %s", a.Status, a.Body, b.Body)
			}
			// Admins may also search by address and e-mail.
			f.getAs("purple_fox", "/users/me.json") // records purple_fox's address
			f.wantNames(f.getAs("root", "/users.json?search[ip_addr]=127.0.0.0/8&search[order]=name"), "purple_fox", "root")
			f.wantNames(f.getAs("root", "/users.json?search[email_matches]=*@example.COM"), "violet")
		})
		run("D14_name_param_redirects_without_json", func(f *e6Fixture) {
			r := f.get("/users.json?name=purple_fox")
			if r.Status != 302 || r.Header.Get("Location") != f.s.Base+"/users/purple_fox" || len(r.Body) != 0 {
				t.Errorf("got %d Location %q body %q", r.Status, r.Header.Get("Location"), r.Body)
			}
			// Rails gives redirects its default type (found by the protocol fuzzer).
			if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("name redirect Content-Type %q", ct)
			}
			r = f.get("/users.json?name=Purple%20Fox&limit=5")
			if r.Status != 302 || r.Header.Get("Location") != f.s.Base+"/users/Purple%20Fox" {
				t.Errorf("got %d Location %q", r.Status, r.Header.Get("Location"))
			}
			// The target answers (usersd serves JSON without an extension).
			f.expect(f.get("/users/purple_fox"), 200, f.sub(e6PurpleShow))
			// Blank search values redirect to the cleaned URL (B.2).
			r = f.get("/users.json?search[name_matches]=&search[level]=20&limit=5")
			if want := f.s.Base + "/users.json?limit=5&search%5Blevel%5D=20"; r.Status != 302 || r.Header.Get("Location") != want {
				t.Errorf("blank search: %d %q, want 302 %q", r.Status, r.Header.Get("Location"), want)
			}
			if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("blank search redirect Content-Type %q", ct)
			}
			r = f.get("/users.json?search[level][]=20")
			if want := f.s.Base + "/users.json"; r.Status != 302 || r.Header.Get("Location") != want {
				t.Errorf("array search: %d %q, want 302 %q", r.Status, r.Header.Get("Location"), want)
			}
		})
		run("D16_limit", func(f *e6Fixture) {
			f.expect(f.get("/users.json?limit=0"), 200, "[]")
			f.wantNames(f.get("/users.json?limit=2"), "100%fox", "axbxc")
			if n := len(f.list(f.get("/users.json?limit=320"))); n < 10 {
				t.Errorf("limit=320 gave %d users", n)
			}
			if n := len(f.list(f.get("/users.json"))); n < 10 {
				t.Errorf("default limit gave %d users", n)
			}
			f.expect(f.get("/users.json?limit=321"), 410, e6Message("Limit must be between 0 and 320."))
			f.expect(f.get("/users.json?limit=abc"), 410, e6Message("Invalid limit."))
			f.expect(f.get("/users.json?limit=-1"), 410, e6Message("Invalid limit."))
			f.expect(f.get("/users.json?limit[]=1"), 410, e6Message("Invalid limit."))
		})
		run("D17_page", func(f *e6Fixture) {
			f.expect(f.get("/users.json?page=0"), 410, e6Message("Invalid page number."))
			f.expect(f.get("/users.json?page=751"), 410, e6Message("You cannot go beyond page 750. Please narrow your search terms."))
			f.expect(f.get("/users.json?page=750"), 200, "[]")
			f.expect(f.get("/users.json?page=B3"), 410, e6Message("Invalid page number."))
			f.expect(f.get("/users.json?page=A3"), 410, e6Message("Invalid page number."))
			f.expect(f.get("/users.json?page=b2147483648"), 410, e6Message("Page parameter is out of valid range."))
			f.expect(f.get("/users.json?page[x]=1"), 410, e6Message("Invalid page number."))
			f.wantNames(f.get("/users.json?page=2&limit=3"), "builder", "newbie", "banned_bob")
			f.wantNames(f.get(f.sub("/users.json?page=b{violet}&limit=2")), "Purple_Haze", "purple_fox")
			f.wantNames(f.get(f.sub("/users.json?page=a{violet}&limit=2")), "newbie", "banned_bob")
			f.wantNames(f.get(f.sub("/users.json?page=a{violet}&limit=2&search[order]=name")), "newbie", "banned_bob")
			f.wantNames(f.get(f.sub("/users.json?page=b{purple_fox}")), "root")
		})
		run("D18_number_syntax", func(f *e6Fixture) {
			f.expect(f.get("/users.json?search[id]=abc"), 200, "[]")
			f.expect(f.get("/users.json?search[id]=any"), 200, "[]")
			f.expect(f.get("/users.json?search[id]=none"), 200, "[]")
			f.wantNames(f.get(f.sub("/users.json?search[id]={purple_fox}..{violet}")), "violet", "Purple_Haze", "purple_fox")
			f.wantNames(f.get(f.sub("/users.json?search[id]={violet}..{purple_fox}"))) // not re-sorted
			f.wantNames(f.get(f.sub("/users.json?search[id]={purple_fox},{violet}")), "violet", "purple_fox")
			f.wantNames(f.get(f.sub("/users.json?search[id]={purple_fox}%20{violet}")), "purple_fox") // no space lists: to_i
			f.wantNames(f.get(f.sub("/users.json?search[id]=>={builder}")), "100%fox", "axbxc", "a_b_c", "builder")
			f.wantNames(f.get(f.sub("/users.json?search[id]=..{Purple_Haze}")), "Purple_Haze", "purple_fox", "root")
			f.wantNames(f.get(f.sub("/users.json?search[id]={root},{purple_fox}..{Purple_Haze}")), "Purple_Haze", "purple_fox", "root")
			f.wantNames(f.get("/users.json?search[level]=30"), "builder", "Purple_Haze")
			f.wantNames(f.get("/users.json?search[level]=35..50"), "violet", "root")
			f.wantNames(f.get("/users.json?search[level]=10"), "banned_bob")
			f.wantNames(f.get("/users.json?search[level]=20,10"), "100%fox", "axbxc", "a_b_c", "newbie", "banned_bob", "purple_fox")
			f.wantNames(f.get("/users.json?search[min_level]=35"), "violet", "root")
			f.wantNames(f.get("/users.json?search[max_level]=10"), "banned_bob")
			f.wantNames(f.get("/users.json?search[min_level]=abc&limit=1"), "100%fox")
		})
		run("D19_dates", func(f *e6Fixture) {
			var m map[string]any
			json.Unmarshal(f.get("/users/purple_fox.json").Body, &m)
			day := m["created_at"].(string)[:10] // in US Eastern, the anonymous zone
			f.wantNames(f.get("/users.json?search[created_at]="+day+"&search[name_matches]=purple_fox"), "purple_fox")
			f.wantNames(f.get("/users.json?search[created_at]=2001-01-01"))
			f.wantNames(f.get("/users.json?search[created_at]=garbage&limit=2"), "100%fox", "axbxc") // dropped
			f.wantNames(f.get("/users.json?search[created_at]=%3Eyesterday&limit=2"), "100%fox", "axbxc")
			f.wantNames(f.get("/users.json?search[created_at]=%3C2001-01-01"))
			f.wantNames(f.get("/users.json?search[created_at]=today")) // a Date: midnight UTC only, as on e621ng
			f.wantNames(f.get("/users.json?search[created_at]=%3E1h&limit=1"), "100%fox")
			f.wantNames(f.get("/users.json?search[updated_at]=..2001-01-01"))
			f.expect(f.get("/users.json?search[created_at]=99999y"), 422, e6Message("Invalid date: 99999y"))
		})
		run("D20_never_emitted_fields", func(f *e6Fixture) {
			f.getAs("violet", "/users/me.json") // records violet's address and login time
			for _, c := range []struct{ as, path string }{
				{"", "/users/violet.json"}, {"purple_fox", "/users/violet.json"}, {"root", "/users/violet.json"},
				{"", "/users.json?search[name_matches]=violet"}, {"root", "/users.json?search[name_matches]=violet"},
			} {
				body := string(f.req("GET", c.path, e6Opt{as: c.as}).Body)
				for _, bad := range []string{`"bit_prefs"`, `"last_ip_addr"`, `"custom_title"`, `"email"`, `"password_hash"`,
					`"blacklisted_tags"`, `"Violet@Example.com"`, `"127.0.0.1"`} {
					if strings.Contains(body, bad) {
						t.Errorf("%s as %q shows %s: %s", c.path, c.as, bad, body)
					}
				}
			}
			self := string(f.getAs("violet", "/users/me.json").Body)
			if !strings.Contains(self, `"email":"Violet@Example.com"`) || strings.Contains(self, "last_ip") || strings.Contains(self, "bit_prefs") {
				t.Errorf("self view: %s", self)
			}
			r := f.get("/users.json?search[name_matches]=violet")
			if keys := e6Keys(t, []byte(strings.TrimSuffix(strings.TrimPrefix(string(r.Body), "["), "]"))); !slices.Equal(keys, e6Base) {
				t.Errorf("index keys = %q", keys)
			}
		})
		run("D21_show_block_first", func(f *e6Fixture) {
			f.expect(f.get("/users/purple_fox.json"), 200, f.sub(e6PurpleShow))
			keys := e6Keys(t, f.getAs("purple_fox", "/users/purple_fox.json").Body)
			if keys[0] != "wiki_page_version_count" || keys[12] != "profile_artinfo" || keys[13] != "id" {
				t.Errorf("self show keys = %q", keys)
			}
			if n := strings.Count(string(f.getAs("purple_fox", "/users/purple_fox.json").Body), `"favorite_count"`); n != 1 {
				t.Errorf("favorite_count appears %d times", n)
			}
			f.set("violet", map[string]any{"bio": "Paints foxes.\nCommissions open", "artist_info": "see site"})
			var m map[string]any
			json.Unmarshal(f.get("/users/violet.json").Body, &m)
			if m["profile_about"] != "Paints foxes.\nCommissions open" || m["profile_artinfo"] != "see site" || m["upload_slots"] != float64(12) {
				t.Errorf("violet = %v", m)
			}
		})
		run("D22_favorite_count_visibility", func(f *e6Fixture) {
			f.getAs("purple_fox", "/users/me.json") // sets last_logged_in_at
			var show map[string]any
			json.Unmarshal(f.get("/users/purple_fox.json").Body, &show)
			if show["favorite_count"] != float64(140) {
				t.Errorf("show favorite_count = %v", show["favorite_count"])
			}
			f.expect(f.get("/users.json?search[name_matches]=purple_fox"), 200, "["+f.sub(e6PurpleIndex)+"]")
			f.expect(f.getAs("violet", "/users.json?search[name_matches]=purple_fox"), 200, "["+f.sub(e6PurpleIndex)+"]")
			self := f.getAs("purple_fox", "/users.json?search[name_matches]=purple_fox")
			f.expect(self, 200, "["+strings.TrimSuffix(f.sub(e6PurpleIndex), "}")+","+e6PurpleSelf(false)+"]")
		})
		run("D23_level_string_and_is_banned", func(f *e6Fixture) {
			want := map[string][3]any{
				"banned_bob": {10.0, "Blocked", true}, "root": {50.0, "Admin", false}, "violet": {35.0, "Janitor", false},
				"builder": {30.0, "Privileged", false}, "newbie": {20.0, "Member", false}, "Purple_Haze": {30.0, "Privileged", false},
			}
			for _, m := range f.list(f.get("/users.json")) {
				if _, ok := m["level_string"]; !ok {
					t.Errorf("%v has no level_string", m["name"])
				}
				if w, ok := want[m["name"].(string)]; ok && (m["level"] != w[0] || m["level_string"] != w[1] || m["is_banned"] != w[2]) {
					t.Errorf("%s: level %v %v banned %v, want %v", m["name"], m["level"], m["level_string"], m["is_banned"], w)
				}
				if m["name"] == "newbie" && m["is_verified"] != false {
					t.Errorf("newbie is_verified = %v", m["is_verified"])
				}
			}
			// Blocked accounts cannot authenticate on e621ng.
			f.expect(f.getAs("banned_bob", "/users/me.json"), 401, e6Message("Account is banned: forever"))
		})
		run("D26_error_shapes", func(f *e6Fixture) {
			f.expect(f.get("/users/nobody.json"), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.get("/users.json?search[x]=1"), 403, `{"success":false,"reason":"found unpermitted parameter: :x"}`)
			f.expect(f.get("/users.json?login=purple_fox&api_key=wrong"), 401, e6Message("SessionLoader::AuthenticationFailure"))
			f.expect(f.get("/users.json?page=0"), 410, e6Message("Invalid page number."))
			f.expect(f.get("/users.json?search[created_at]=99999y"), 422, e6Message("Invalid date: 99999y"))
			f.expect(f.req("POST", "/users.json", e6Opt{ctype: "application/json", body: `{"user": `}), 400, `{"success":false,"message":"Invalid JSON body","code":null}`)
			f.expect(f.get("/nothing/here"), 404, `{"success":false,"reason":"not found"}`)
		})
		run("D27_blank_login_or_key_is_anonymous", func(f *e6Fixture) {
			anon := f.get("/users/me.json")
			if anon.Status != 200 || !strings.Contains(string(anon.Body), `"id":null`) || !strings.Contains(string(anon.Body), `"name":"Anonymous","level":0`) {
				t.Fatalf("anonymous me: %d %s", anon.Status, anon.Body)
			}
			for _, q := range []string{"login=purple_fox", "api_key=" + f.keys["purple_fox"], "login=purple_fox&api_key=", "login=%20&api_key=" + f.keys["purple_fox"]} {
				if r := f.get("/users/me.json?" + q); r.Status != 200 || !strings.Contains(string(r.Body), `"id":null`) {
					t.Errorf("%s: %d %s", q, r.Status, r.Body)
				}
			}
			f.expect(f.get("/users/me.json?login=purple_fox&api_key=nope"), 401, e6Message("SessionLoader::AuthenticationFailure"))
			f.expect(f.req("GET", "/users/me.json", e6Opt{header: map[string]string{"Authorization": "Basic !!!"}}), 401, e6Message("SessionLoader::AuthenticationFailure"))
			f.expect(f.req("GET", "/users/me.json", e6Opt{header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("purple_fox"))}}), 401, e6Message("SessionLoader::AuthenticationFailure"))
			if r := f.req("GET", "/users/me.json", e6Opt{header: map[string]string{"Authorization": "Bearer x"}}); r.Status != 200 {
				t.Errorf("Bearer without OAuth is ignored: %d", r.Status)
			}
			// Params in a form body and Basic with a name in another case authenticate.
			me := f.req("GET", "/users/me.json?login=PURPLE_FOX&api_key="+url.QueryEscape(f.keys["purple_fox"]), e6Opt{})
			if !strings.Contains(string(me.Body), `"name":"purple_fox"`) {
				t.Errorf("login param: %s", me.Body)
			}
			f.expect(f.get("/users/upload_limit.json"), 403, `{"success":false,"reason":"Access Denied: Must be logged in"}`)
		})
		run("B_me_upload_limit_and_cors", func(f *e6Fixture) {
			f.getAs("purple_fox", "/users/me.json") // sets last_logged_in_at
			me := f.getAs("purple_fox", "/users/me.json")
			f.expect(me, 200, strings.TrimSuffix(f.sub(e6PurpleShow), "}")+","+e6PurpleSelf(true))
			f.expect(f.getAs("purple_fox", "/users/upload_limit.json"), 200, strings.TrimSuffix(f.sub(e6PurpleIndex), "}")+","+e6PurpleSelf(false))
			f.expect(f.getAs("violet", "/users/purple_fox/upload_limit.json"), 200, f.sub(e6PurpleShow))
			r := f.req("GET", "/users/purple_fox.json", e6Opt{header: map[string]string{"Origin": "https://example.org"}})
			if r.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("CORS header: %v", r.Header)
			}
			r = f.req("OPTIONS", "/users/1.json", e6Opt{header: map[string]string{"Origin": "https://example.org", "Access-Control-Request-Method": "PATCH"}})
			if r.Status != 200 || !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "PATCH") {
				t.Errorf("preflight: %d %v", r.Status, r.Header)
			}
			// An admin sees last_logged_in_at of others.
			if keys := e6Keys(t, f.getAs("root", "/users/purple_fox.json").Body); keys[len(keys)-1] != "last_logged_in_at" {
				t.Errorf("admin view keys: %q", keys)
			}
			r = f.get("/users.json?expiry=2&limit=1")
			if r.Header.Get("Cache-Control") != "max-age=172800, private" {
				t.Errorf("expiry: Cache-Control %q", r.Header.Get("Cache-Control"))
			}
		})
		run("D15_show_by_name_digits_are_ids", func(f *e6Fixture) {
			want := f.sub(e6PurpleShow)
			f.expect(f.get(f.sub("/users/{purple_fox}.json")), 200, want)
			f.expect(f.get("/users/purple_fox.json"), 200, want)
			f.expect(f.get("/users/PURPLE_FOX.json"), 200, want)
			f.expect(f.get("/users/Purple%20Fox.json"), 200, want)
			// A name of digits only: the name rule refuses them now, but a
			// row from before it may hold one.
			f.s.Backend.RawName(f.t, f.user("digits", 20), "4242")
			f.expect(f.get("/users/4242.json"), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.get("/users/2147483648.json"), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.get("/users/99999999999999999999999.json"), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.get("/users/nobody.json"), 404, `{"success":false,"reason":"not found"}`)
			f.expect(f.get("/users/a.b.json"), 404, `{"success":false,"reason":"not found"}`)
		})
		run("D24_update_changes_the_caller", func(f *e6Fixture) {
			f.user("updater", 20)
			r := f.req("PATCH", "/users/999999.json", e6Opt{as: "updater", body: "user[per_page]=100&user[enable_safe_mode]=true&user[blacklisted_tags]=gore%0Ascat&user[enable_privacy_mode]=on&user[time_zone]=Tokyo&user[profile_about]=hi"})
			f.expect(r, 204, "")
			var me map[string]any
			json.Unmarshal(f.getAs("updater", "/users/me.json").Body, &me)
			for k, v := range map[string]any{"per_page": 100.0, "enable_safe_mode": true, "blacklisted_tags": "gore\nscat",
				"enable_privacy_mode": false, "time_zone": "Tokyo", "profile_about": "hi"} {
				if me[k] != v {
					t.Errorf("%s = %v, want %v", k, me[k], v)
				}
			}
			f.expect(f.req("PUT", "/users/1.json", e6Opt{as: "updater", ctype: "application/json", body: `{"user": {"per_page": 50, "enable_privacy_mode": true}}`}), 204, "")
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", ctype: "application/json", body: `{"comment_threshold": 5}`}), 204, "") // wrapped into user
			json.Unmarshal(f.getAs("updater", "/users/me.json").Body, &me)
			if me["per_page"] != 50.0 || me["enable_privacy_mode"] != true || me["comment_threshold"] != 5.0 {
				t.Errorf("after JSON update: %v %v %v", me["per_page"], me["enable_privacy_mode"], me["comment_threshold"])
			}
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", body: "per_page=5"}), 400, e6Message("param is missing or the value is empty or invalid: user"))
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", ctype: "application/json", body: `{"enable_safe_mode": true}`}), 400, e6Message("param is missing or the value is empty or invalid: user"))
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", body: "user="}), 400, e6Message("param is missing or the value is empty or invalid: user"))
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{body: "user[per_page]=5"}), 403, `{"success":false,"reason":"Access Denied: Must be logged in"}`)
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", body: "user[level]=80"}), 403, `{"success":false,"reason":"found unpermitted parameter: :level"}`)
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", body: "user[per_page]=0&user[comment_threshold]=abc&user[time_zone]=Mars&user[default_image_size]=huge"}), 422,
				`{"errors":{"default_image_size":["is not included in the list"],"per_page":["is not included in the list"],"comment_threshold":["is not a number"],"time_zone":["is not included in the list"]}}`)
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", body: "user[comment_threshold]=50000"}), 422, `{"errors":{"comment_threshold":["must be less than 50000"]}}`)
			// Password change: needs the old password; a wrong one saves nothing.
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", body: "user[password]=a-new-long-secret&user[password_confirmation]=a-new-long-secret&user[old_password]=wrong&user[per_page]=7"}), 422, `{"errors":{"old_password":["is incorrect"]}}`)
			json.Unmarshal(f.getAs("updater", "/users/me.json").Body, &me)
			if me["per_page"] != 50.0 {
				t.Errorf("a failed update saved per_page = %v", me["per_page"])
			}
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", body: "user[password]=a-new-long-secret&user[password_confirmation]=a-new-long-secret&user[old_password]=password-updater"}), 204, "")
			f.s.Login("updater", "a-new-long-secret")
			// Staff cannot disable dmails (silently kept off); members can.
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "root", body: "user[disable_user_dmails]=1"}), 204, "")
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", body: "user[disable_user_dmails]=1"}), 204, "")
			for who, want := range map[string]bool{"root": false, "updater": true} {
				var m map[string]any
				json.Unmarshal(f.getAs(who, "/users/me.json").Body, &m)
				if m["disable_user_dmails"] != want {
					t.Errorf("%s disable_user_dmails = %v, want %v", who, m["disable_user_dmails"], want)
				}
			}
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "updater", body: "user[password]=short&user[password_confirmation]=other"}), 422,
				`{"errors":{"password":["is too short (minimum is 8 characters)","is insecure"],"password_confirmation":["doesn't match Password"]}}`)
		})
		run("D25_create", func(f *e6Fixture) {
			f.expect(f.req("POST", "/users.json", e6Opt{body: "user[name]=fox&user[password]=short&user[password_confirmation]=other"}), 422,
				`{"errors":{"password":["is too short (minimum is 8 characters)","is insecure"],"password_confirmation":["doesn't match Password"]}}`)
			f.expect(f.req("POST", "/users.json", e6Opt{body: "user[name]=_x&user[password]=correct-horse-battery&user[password_confirmation]=correct-horse-battery"}), 422,
				`{"errors":{"name":["must not begin with a special character","cannot begin or end with an underscore"]}}`)
			f.expect(f.req("POST", "/users.json", e6Opt{body: "user[name]=PURPLE_FOX&user[password]=password&user[password_confirmation]=password"}), 422,
				`{"errors":{"name":["already exists"],"password":["is insecure: This is a top-10 common password"]}}`)
			f.expect(f.req("POST", "/users.json", e6Opt{body: "user[name]=a%20very--long__name_that_is_admin&user[password]=correct-horse-battery&user[password_confirmation]=correct-horse-battery"}), 422,
				`{"errors":{"name":["must be 2 to 20 characters long","must contain only alphanumeric characters, hyphens, apostrophes, tildes and underscores","must not contain consecutive special characters","cannot contain \"admin\""]}}`)
			f.expect(f.req("POST", "/users.json", e6Opt{body: "user[name]=12345&user[password]=correct-horse-battery"}), 422,
				`{"errors":{"name":["cannot consist of numbers only"],"password_confirmation":["can't be blank"]}}`)
			f.expect(f.req("POST", "/users.json", e6Opt{body: "user[name]=me&user[password]=correct-horse-battery&user[password_confirmation]=correct-horse-battery"}), 422,
				`{"errors":{"name":["cannot be one of the reserved words"]}}`)
			f.expect(f.req("POST", "/users.json", e6Opt{body: "user[name]=&user[password]=correct-horse-battery&user[password_confirmation]=correct-horse-battery"}), 422,
				`{"errors":{"name":["can't be blank"]}}`)
			f.expect(f.req("POST", "/users.json", e6Opt{body: "user[name]=fox_kit&user[level]=50"}), 403, `{"success":false,"reason":"found unpermitted parameter: :level"}`)
			f.expect(f.req("POST", "/users.json", e6Opt{body: "user[name]=fox_kit&user[profile_about]=x"}), 403, `{"success":false,"reason":"found unpermitted parameter: :profile_about"}`)
			f.expect(f.req("POST", "/users.json", e6Opt{body: "name=fox_kit"}), 400, e6Message("param is missing or the value is empty or invalid: user"))
			f.expect(f.req("POST", "/users.json", e6Opt{as: "purple_fox", body: "user[name]=fox_kit"}), 403, `{"success":false,"reason":"Access Denied: Already signed in"}`)
			r := f.req("POST", "/users.json", e6Opt{body: "user[name]=fox_kit&user[password]=correct-horse-battery&user[password_confirmation]=correct-horse-battery&user[email]=fox@example.com&user[enable_safe_mode]=1"})
			if r.Status != 201 {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			var m map[string]any
			json.Unmarshal(r.Body, &m)
			if loc := r.Header.Get("Location"); loc != fmt.Sprintf("%s/users/%v", f.s.Base, m["id"]) {
				t.Errorf("Location = %q", loc)
			}
			for k, v := range map[string]any{"name": "fox_kit", "level": 20.0, "per_page": 75.0, "comment_threshold": -10.0, "blacklisted_tags": "",
				"email": "fox@example.com", "enable_safe_mode": true, "time_zone": "Eastern Time (US & Canada)", "default_image_size": "large",
				"enable_auto_complete": true, "enable_keyboard_navigation": true, "show_post_statistics": true, "base_upload_limit": 10.0} {
				if m[k] != v {
					t.Errorf("created %s = %v, want %v", k, m[k], v)
				}
			}
			if _, ok := m["wiki_page_version_count"]; ok {
				t.Error("create answers the show view; want the self view")
			}
			r = f.req("POST", "/users.json", e6Opt{ctype: "application/json", body: `{"user": {"name": "fox_kat", "password": "correct-horse-battery", "password_confirmation": "correct-horse-battery"}}`})
			if r.Status != 201 {
				t.Errorf("JSON create: %d %s", r.Status, r.Body)
			}
			f.expect(f.req("POST", "/users.json", e6Opt{ctype: "application/json", body: `{"user": {"name": "fox_kut", "password": "correct-horse-battery", "password_confirmation": "correct-horse-battery", "email": "FOX@example.com"}}`}), 422,
				`{"errors":{"email":["has already been taken"]}}`)
		})
		run("D28_time_zone", func(f *e6Fixture) {
			ny, _ := time.LoadLocation("America/New_York")
			tokyo, _ := time.LoadLocation("Asia/Tokyo")
			native := f.s.Want(f.s.Do("GET", "/v1/users/purple_fox", "", nil), 200)
			at, _ := time.Parse(time.RFC3339Nano, native["created_at"].(string))
			created := func(r facetest.Response) string {
				var m map[string]any
				json.Unmarshal(r.Body, &m)
				return m["created_at"].(string)
			}
			if got, want := created(f.get("/users/purple_fox.json")), at.In(ny).Format("2006-01-02T15:04:05.000Z07:00"); got != want {
				t.Errorf("anonymous: %s, want %s", got, want)
			}
			if got, want := created(f.get("/users/purple_fox.json?time_zone=UTC")), at.UTC().Format("2006-01-02T15:04:05.000Z"); got != want {
				t.Errorf("?time_zone=UTC: %s, want %s", got, want)
			}
			if got, want := created(f.get("/users/purple_fox.json?time_zone=Tokyo")), at.In(tokyo).Format("2006-01-02T15:04:05.000Z07:00"); got != want {
				t.Errorf("?time_zone=Tokyo: %s, want %s", got, want)
			}
			if got, want := created(f.get("/users/purple_fox.json?time_zone=Mars")), at.In(ny).Format("2006-01-02T15:04:05.000Z07:00"); got != want {
				t.Errorf("unknown zone: %s, want %s", got, want)
			}
			f.user("zoned", 20)
			f.expect(f.req("PATCH", "/users/1.json", e6Opt{as: "zoned", body: "user[time_zone]=Tokyo"}), 204, "")
			if got, want := created(f.getAs("zoned", "/users/purple_fox.json")), at.In(tokyo).Format("2006-01-02T15:04:05.000Z07:00"); got != want {
				t.Errorf("viewer in Tokyo: %s, want %s", got, want)
			}
			if got, want := created(f.getAs("zoned", "/users/purple_fox.json?time_zone=UTC")), at.UTC().Format("2006-01-02T15:04:05.000Z"); got != want {
				t.Errorf("param beats the viewer's zone: %s, want %s", got, want)
			}
		})
	})
}

// e6InProcess serves the e621 face with explicit options over the
// backend's store (the CLI has no flag for them), for the options' tests.
func e6InProcess(t *testing.T, b facetest.Backend, opts e621.Options) (*core.Service, *httptest.Server) {
	t.Helper()
	db := b.Open(t)
	svc := core.NewService(db)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(httpx.Middleware(log, e621.NewHandler(svc, log, opts)))
	t.Cleanup(srv.Close)
	return svc, srv
}

// e6Make creates a user as the system, optionally banned, with an API key.
func e6Make(t *testing.T, svc *core.Service, name string, level int, banned bool) (int64, string) {
	t.Helper()
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: name, Password: "password-" + name, Fields: core.Patch{"level": int64(level)}})
	if err != nil {
		t.Fatal(err)
	}
	if banned {
		if _, err := svc.UpdateUser(ctx, core.System, u.ID, core.Update{Fields: core.Patch{"banned": true}}); err != nil {
			t.Fatal(err)
		}
	}
	key, _, err := svc.CreateToken(ctx, core.System, u.ID, "e621", core.ScopeWrite)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, key
}

func e6Get(t *testing.T, srv *httptest.Server, method, path, body string, auth ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if len(auth) == 2 {
		req.SetBasicAuth(auth[0], auth[1])
	}
	resp, err := e6Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestE621D29LevelTables: the e621ng level table is an option (classic
// by default, or June 2026's numbers); the legacy API keeps its own.
func TestE621D29LevelTables(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		svc, srv := e6InProcess(t, b, e621.Options{Levels: e621.Table2026})
		for _, u := range []struct {
			name   string
			level  int
			banned bool
		}{{"root", 60, false}, {"mod", 40, false}, {"approver", 37, false}, {"gold", 30, false}, {"member", 20, false}, {"blocked", 50, true}} {
			e6Make(t, svc, u.name, u.level, u.banned)
		}
		_, body := e6Get(t, srv, "GET", "/users.json", "")
		var list []map[string]any
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		got := map[string]string{}
		for _, m := range list {
			got[m["name"].(string)] = fmt.Sprintf("%v %v", m["level"], m["level_string"])
		}
		want := map[string]string{"root": "80 Admin", "mod": "70 Moderator", "approver": "60 Janitor", "gold": "30 Privileged", "member": "20 Member", "blocked": "10 Blocked"}
		if !e6MapsEqual(got, want) {
			t.Errorf("2026 levels = %v, want %v", got, want)
		}
		names := func(path string) []string {
			_, body := e6Get(t, srv, "GET", path, "")
			var l []map[string]any
			json.Unmarshal([]byte(body), &l)
			out := []string{}
			for _, m := range l {
				out = append(out, m["name"].(string))
			}
			return out
		}
		for path, want := range map[string][]string{
			"/users.json?search[level]=70":              {"mod"},
			"/users.json?search[min_level]=60":          {"approver", "mod", "root"},
			"/users.json?search[level]=40":              {}, // Former Staff: nobody
			"/users.json?search[level]=50":              {}, // Staff: nobody
			"/users.json?search[level]=35":              {}, // the classic Janitor number
			"/users.json?search[max_level]=10":          {"blocked"},
			"/user/index.json?level=40":                 {"mod"}, // the legacy numbers stay
			"/user/index.json?level=35":                 {"approver"},
			"/users.json?search[level]=20..30&limit=10": {"member", "gold"},
		} {
			if got := names(path); !slices.Equal(got, want) {
				t.Errorf("%s = %q, want %q", path, got, want)
			}
		}
		// The default table is classic.
		_, classic := e6InProcess(t, b, e621.Options{Levels: e621.DefaultLevelTable})
		_, body = e6Get(t, classic, "GET", "/users.json?search[level]=40", "")
		if !strings.Contains(body, `"name":"mod","level":40,`) || !strings.Contains(body, `"level_string":"Moderator"`) {
			t.Errorf("classic table: %s", body)
		}
	})
}

func e6MapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestE621SockPuppetAndScopes: the sign-up address rule is an option
// (Part D 25), and read-only tokens may not write.
func TestE621SockPuppetAndScopes(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		svc, srv := e6InProcess(t, b, e621.Options{SockPuppetCheck: true})
		_, key := e6Make(t, svc, "first", 20, false)
		signup := "user[name]=second&user[password]=correct-horse-battery&user[password_confirmation]=correct-horse-battery"
		// first has not been seen from this address yet: allowed.
		if status, body := e6Get(t, srv, "POST", "/users.json", strings.Replace(signup, "second", "early", 1)); status != 201 {
			t.Fatalf("sign-up: %d %s", status, body)
		}
		if status, _ := e6Get(t, srv, "GET", "/users/me.json", "", "first", key); status != 200 {
			t.Fatal("first cannot authenticate")
		}
		status, body := e6Get(t, srv, "POST", "/users.json", signup)
		if want := `{"errors":{"last_ip_addr":["was used recently for another account and cannot be reused for another day"]}}`; status != 422 || body != want {
			t.Errorf("sock puppet: %d %s", status, body)
		}
		ctx := context.Background()
		u, _ := svc.GetUser(ctx, core.System, "first")
		ro, _, err := svc.CreateToken(ctx, core.System, u.ID, "ro", core.ScopeRead)
		if err != nil {
			t.Fatal(err)
		}
		if status, body := e6Get(t, srv, "PATCH", "/users/1.json", "user[per_page]=10", "first", ro); status != 403 || body != `{"success":false,"reason":"Access Denied"}` {
			t.Errorf("read-only token write: %d %s", status, body)
		}
		if status, _ := e6Get(t, srv, "GET", "/users/me.json", "", "first", ro); status != 200 {
			t.Errorf("read-only token read: %d", status)
		}
		// Sign-up closed by the operator.
		closed := facetest.Start(t, b, "--mount", "e621=/", "--signup=false")
		resp, err := http.Post(closed.Base+"/users.json", "application/x-www-form-urlencoded", strings.NewReader(signup))
		if err != nil {
			t.Fatal(err)
		}
		body2, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || string(body2) != `{"success":false,"reason":"Access Denied: Signups are disabled"}` {
			t.Errorf("closed sign-up: %d %s", resp.StatusCode, body2)
		}
	})
}

// TestE621BadInput: malformed requests get 4xx answers, never a 5xx.
func TestE621BadInput(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := e6Setup(t, b)
		deep := strings.Repeat("[a]", 200)
		for _, c := range []struct {
			method, path, body, ctype string
		}{
			{"GET", "/users/a%00b.json", "", ""},
			{"GET", "/users/%FF%FE.json", "", ""},
			{"GET", "/users.json?search[name_matches]=%00%FF*", "", ""},
			{"GET", "/users.json?search[id]=99999999999999999999999", "", ""},
			{"GET", "/users.json?search[avatar_id]=99999999999999999999999", "", ""},
			{"GET", "/users.json?search[created_at]=99999999999999999999d", "", ""},
			{"GET", "/users.json?search[created_at]=2147483647mo", "", ""},
			{"GET", "/users.json?search[level]=" + strings.Repeat("1,", 2000), "", ""},
			{"GET", "/users.json?search[about_me]=%25_%5C*", "", ""},
			{"GET", "/users.json?search" + deep + "=1", "", ""},
			{"GET", "/users.json?page=%zz&limit=%", "", ""},
			{"GET", "/users.json?time_zone[x]=1", "", ""},
			{"GET", "/users/" + strings.Repeat("x", 5000) + ".json", "", ""},
			{"GET", "/users/99999999999999999999999/upload_limit.json", "", ""},
			{"GET", "/user/index.json?id=99999999999999999999&level=99999999999999999999&page=-5&limit=99999", "", ""},
			{"GET", "/user/show.json?id=-1", "", ""},
			{"GET", "/user/index.json?name=%00%FF", "", ""},
			{"POST", "/users.json", `{"user": ` + strings.Repeat("[", 100), "application/json"},
			{"POST", "/users.json", "\xff\xfe", "application/json"},
			{"POST", "/users.json", `{"user": {"name": {"x": 1}}}`, "application/json"},
			{"POST", "/users.json", `{"user": {"name": "ok_name", "password": null, "password_confirmation": null, "per_page": null, "comment_threshold": null, "time_zone": null}}`, "application/json"},
			{"POST", "/users.json", "user[name]=ok%00name&user[password]=" + strings.Repeat("x", 3000), ""},
			{"POST", "/users.json", "--b\r\nbroken", "multipart/form-data; boundary=b"},
			{"POST", "/user/index.json", "{", "application/json"},
			{"PATCH", "/users/1.json", "user[avatar_id]=-5&user[favorite_tags]=" + strings.Repeat("t ", 300), ""},
		} {
			o := e6Opt{body: c.body, ctype: c.ctype}
			if c.method == "PATCH" {
				o.as = "purple_fox"
			}
			r := f.req(c.method, c.path, o)
			if r.Status >= 500 || r.Status < 200 {
				t.Errorf("%s %.80s: %d %s", c.method, c.path, r.Status, r.Body)
			}
		}
	})
}
