package danbooru_test

// Black-box tests of the Danbooru face, written from spec/danbooru.md: one
// test per edge case of §14 (named by number), plus the routes and
// behaviours around them. Each runs against SQLite and PostgreSQL.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"usersd/internal/facetest"
)

// danFixture is a running server with an owner ("root", level 60) that
// sets up users through the native API.
type danFixture struct {
	*facetest.Server
	t        *testing.T
	ownerID  int64
	ownerTok string // native Bearer token
	keys     map[string]string
}

func danSetup(t *testing.T, b facetest.Backend, extra ...string) *danFixture {
	t.Helper()
	s := facetest.Start(t, b, extra...)
	id, tok := s.Admin("root", 60)
	return &danFixture{Server: s, t: t, ownerID: id, ownerTok: tok, keys: map[string]string{}}
}

// user creates a user through the native API (no password, so no hashing)
// with extra canonical fields, and returns its id.
func (f *danFixture) user(name string, fields map[string]any) int64 {
	f.t.Helper()
	body := map[string]any{"name": name}
	for k, v := range fields {
		body[k] = v
	}
	m := f.Want(f.Do("POST", "/v1/users", f.ownerTok, body), 201)
	return int64(m["id"].(float64))
}

// set writes canonical fields of a user as the owner.
func (f *danFixture) set(id int64, fields map[string]any) {
	f.t.Helper()
	f.Want(f.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), f.ownerTok, fields), 200)
}

// key mints (once) an API key for the named user.
func (f *danFixture) key(name string) string {
	f.t.Helper()
	if k, ok := f.keys[name]; ok {
		return k
	}
	out, err := f.CLI("token", "create", "--name", name)
	if err != nil {
		f.t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	f.keys[name] = lines[len(lines)-1]
	return f.keys[name]
}

// as appends login and api_key for the named user to a path.
func (f *danFixture) as(name, path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "login=" + url.QueryEscape(name) + "&api_key=" + url.QueryEscape(f.key(name))
}

var danClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// req sends a request to the face (under /danbooru) without following
// redirects; hdr are header name, value pairs.
func (f *danFixture) req(method, path, body string, hdr ...string) facetest.Response {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, f.Base+"/danbooru"+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := danClient.Do(r)
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

func (f *danFixture) get(path string, hdr ...string) facetest.Response {
	f.t.Helper()
	return f.req("GET", path, "", hdr...)
}

// jsonBody sends a JSON body.
func (f *danFixture) jsonBody(method, path, body string) facetest.Response {
	f.t.Helper()
	return f.req(method, path, body, "Content-Type", "application/json")
}

// expect checks a status and an exact body.
func (f *danFixture) expect(r facetest.Response, status int, body string) {
	f.t.Helper()
	if r.Status != status || string(r.Body) != body {
		f.t.Fatalf("got %d\n%s\nwant %d\n%s", r.Status, r.Body, status, body)
	}
}

func (f *danFixture) status(r facetest.Response, status int) {
	f.t.Helper()
	if r.Status != status {
		f.t.Fatalf("status = %d, want %d\n%s", r.Status, status, r.Body)
	}
}

// list decodes a JSON array of objects.
func (f *danFixture) list(r facetest.Response) []map[string]any {
	f.t.Helper()
	f.status(r, 200)
	var out []map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		f.t.Fatalf("not a JSON array: %v\n%s", err, r.Body)
	}
	return out
}

func (f *danFixture) object(r facetest.Response) map[string]any {
	f.t.Helper()
	var out map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		f.t.Fatalf("not a JSON object: %v\n%s", err, r.Body)
	}
	return out
}

// names lists the names of a JSON index response, in order.
func (f *danFixture) names(r facetest.Response) []string {
	f.t.Helper()
	var out []string
	for _, m := range f.list(r) {
		out = append(out, m["name"].(string))
	}
	return out
}

// wantNames checks the names of a JSON index response, in order.
func (f *danFixture) wantNames(r facetest.Response, want ...string) {
	f.t.Helper()
	got := f.names(r)
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		f.t.Fatalf("names = %q, want %q", got, want)
	}
}

// createdAt returns a user's created_at as the anonymous viewer sees it.
func (f *danFixture) createdAt(id int64) string {
	f.t.Helper()
	m := f.object(f.get(fmt.Sprintf("/users/%d.json", id)))
	return m["created_at"].(string)
}

// danUser is the public view of a user (spec §6.1), for exact bodies.
type danUser struct {
	id                      int64
	createdAt               string // JSON form
	name                    string
	inviter                 *int64
	level                   int
	uploads, updates, notes int
	deleted, banned         bool
}

var danLevelNames = map[int]string{10: "Restricted", 20: "Member", 30: "Gold", 31: "Platinum", 32: "Builder",
	35: "Contributor", 37: "Approver", 40: "Moderator", 50: "Admin", 60: "Owner"}

func (u danUser) json() string {
	inv := "null"
	if u.inviter != nil {
		inv = strconv.FormatInt(*u.inviter, 10)
	}
	return fmt.Sprintf(`{"id":%d,"created_at":%q,"name":%q,"inviter_id":%s,"level":%d,"post_upload_count":%d,"post_update_count":%d,"note_update_count":%d,"is_deleted":%v,"level_string":%q,"is_banned":%v}`,
		u.id, u.createdAt, u.name, inv, u.level, u.uploads, u.updates, u.notes, u.deleted, danLevelNames[u.level], u.banned)
}

// xmlTime turns a JSON timestamp into the XML form (no milliseconds).
var danMillis = regexp.MustCompile(`\.\d{3}`)

func xmlTime(s string) string { return danMillis.ReplaceAllString(s, "") }

func (u danUser) xml(indent string) string {
	inv := `<inviter-id type="integer" nil="true"/>`
	if u.inviter != nil {
		inv = fmt.Sprintf(`<inviter-id type="integer">%d</inviter-id>`, *u.inviter)
	}
	lines := []string{
		"<user>",
		fmt.Sprintf(`  <id type="integer">%d</id>`, u.id),
		fmt.Sprintf(`  <created-at type="dateTime">%s</created-at>`, xmlTime(u.createdAt)),
		fmt.Sprintf(`  <name>%s</name>`, u.name),
		"  " + inv,
		fmt.Sprintf(`  <level type="integer">%d</level>`, u.level),
		fmt.Sprintf(`  <post-upload-count type="integer">%d</post-upload-count>`, u.uploads),
		fmt.Sprintf(`  <post-update-count type="integer">%d</post-update-count>`, u.updates),
		fmt.Sprintf(`  <note-update-count type="integer">%d</note-update-count>`, u.notes),
		fmt.Sprintf(`  <is-deleted type="boolean">%v</is-deleted>`, u.deleted),
		fmt.Sprintf(`  <level-string>%s</level-string>`, danLevelNames[u.level]),
		fmt.Sprintf(`  <is-banned type="boolean">%v</is-banned>`, u.banned),
		"</user>",
	}
	return indent + strings.Join(lines, "\n"+indent) + "\n"
}

const danXMLHead = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// danError is the generic JSON error body (spec §8.1).
func danError(class, message string) string {
	return fmt.Sprintf(`{"success":false,"error":%q,"message":%q,"backtrace":[]}`+"\n", class, message)
}

// signup signs a user up through the face and returns the 201 body.
func (f *danFixture) signup(name, password string) map[string]any {
	f.t.Helper()
	r := f.req("POST", "/users.json", "user[name]="+url.QueryEscape(name)+"&user[password]="+url.QueryEscape(password)+"&user[password_confirmation]="+url.QueryEscape(password))
	f.status(r, 201)
	return f.object(r)
}

// §14.1: search[name] is a case-insensitive wildcard match; equality is
// search[name_eq].
func TestDanbooru14_01_NameIsWildcard(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("Miku_Hatsune", nil)
		f.user("miku2", nil)
		f.user("Rin", nil)
		f.wantNames(f.get("/users.json?search[name]=MIKU*"), "miku2", "Miku_Hatsune")
		f.wantNames(f.get("/users.json?search[name]=miku_hatsune"), "Miku_Hatsune")
		f.wantNames(f.get("/users.json?search[name]=*IN"), "Rin")
		f.wantNames(f.get("/users.json?search[name_eq]=miku_hatsune"))
		f.wantNames(f.get("/users.json?search[name_eq]=Miku_Hatsune"), "Miku_Hatsune")
		f.wantNames(f.get("/users.json?search[name_ilike]=MIKU_H*"), "Miku_Hatsune")
		f.wantNames(f.get("/users.json?search[name_like]=miku*"), "miku2") // case-sensitive
		f.wantNames(f.get("/users.json?search[name_not_ilike]=*miku*&search[id]=>1"), "Rin")
		f.wantNames(f.get("/users.json?search[name_comma]=Rin,miku2"), "Rin", "miku2")
		f.wantNames(f.get("/users.json?search[name_lower_array][]=RIN&search[name_lower_array][]=MIKU2"), "Rin", "miku2")
		f.wantNames(f.get("/users.json?search[name_space]=rin+miku2"), "miku2")
		f.wantNames(f.get("/users.json?search[name_regex]=^M"), "Miku_Hatsune")
		f.wantNames(f.get("/users.json?search[name_not_regex]=[0-9_]&search[id]=>1"), "Rin")
	})
}

// §14.2: name_matches normalizes the input; _ and % are literal, * is the
// only wildcard, \* a literal star.
func TestDanbooru14_02_NameMatchesEscaping(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("a_b", nil)
		f.user("axb", nil)
		f.user("50%off", nil)
		f.user("500off", nil)
		f.user("star*name", nil)
		f.user("starlight", nil)
		f.user("hatsune_miku", nil)
		f.wantNames(f.get("/users.json?search[name_matches]=%20Hatsune%20Miku%20"), "hatsune_miku")
		f.wantNames(f.get("/users.json?search[name_matches]=a_b"), "a_b")
		f.wantNames(f.get("/users.json?search[name_matches]=50%25off"), "50%off")
		f.wantNames(f.get("/users.json?search[name_matches]=star*"), "starlight", "star*name")
		f.wantNames(f.get(`/users.json?search[name_matches]=star%5C*name`), "star*name")
		f.wantNames(f.get(`/users.json?search[name_matches]=star%5C**`), "star*name")
		f.wantNames(f.get("/users.json?search[name_matches]=a?b"))
	})
}

// §14.3: name= with exactly one match redirects to the show page keeping
// the format; zero or several matches are a plain list.
func TestDanbooru14_03_NameRedirect(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		miku := f.user("miku", nil)
		f.user("viewer", nil)
		base := f.Base + "/danbooru"
		r := f.get("/users.json?name=MIKU")
		f.status(r, 302)
		if got, want := r.Header.Get("Location"), fmt.Sprintf("%s/users/%d.json", base, miku); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		r = f.get("/users.xml?name=miku")
		if got, want := r.Header.Get("Location"), fmt.Sprintf("%s/users/%d.xml", base, miku); r.Status != 302 || got != want {
			t.Errorf("XML: %d Location = %q, want %q", r.Status, got, want)
		}
		f.expect(f.get("/users.json?name=nobody"), 200, "[]")

		// Two users once called "twin": a plain list, for logged-in
		// viewers, who see the name history; anonymous sees none.
		a := f.user("twin", nil)
		f.set(a, map[string]any{"name": "twin_a"})
		c := f.user("twin", nil)
		f.set(c, map[string]any{"name": "twin_c"})
		f.wantNames(f.get(f.as("viewer", "/users.json?name=twin")), "twin_c", "twin_a")
		f.expect(f.get("/users.json?name=twin"), 200, "[]")
		// One past holder: logged-in viewers are sent to them.
		r = f.get(f.as("viewer", "/users.json?name=twin_a"))
		if r.Status != 302 || !strings.HasSuffix(r.Header.Get("Location"), fmt.Sprintf("/users/%d.json", a)) {
			t.Errorf("current name: %d %s", r.Status, r.Header.Get("Location"))
		}
		// redirect=true alone redirects on one result; search[name_matches]
		// must then equal the result's name.
		if r := f.get("/users.json?search[name_matches]=mik*&redirect=true"); r.Status != 200 {
			t.Errorf("wildcard name_matches redirected: %d", r.Status)
		}
		if r := f.get("/users.json?search[name_matches]=MIKU&redirect=true"); r.Status != 302 {
			t.Errorf("exact name_matches did not redirect: %d", r.Status)
		}
	})
}

// §14.4: blank search values redirect (302) to the cleaned URL, before
// pagination and format checks.
func TestDanbooru14_04_BlankSearchRedirect(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		base := f.Base + "/danbooru"
		for _, tt := range []struct{ path, want string }{
			{"/users.json?search[name]=&search[level]=20", "/users.json?search[level]=20"},
			{"/users.json?search[name]=&limit=5&search[id]=%20", "/users.json?limit=5"},
			{"/users.json?search%5Bname%5D=&page=5000", "/users.json?page=5000"}, // before the page check
			{"/users.atom?search[name]=", "/users.atom"},                         // before the format check
			{"/users.json?search[name_array][]=&search[name]", "/users.json?search[name_array][]="},
			// The path stays escaped: a raw tab made the Location unparsable
			// (found by the protocol fuzzer).
			{"/users/%09.json?search[name]=", "/users/%09.json"},
			{"/users/a%20b?search[name]=&x=1", "/users/a%20b?x=1"},
		} {
			r := f.get(tt.path)
			if r.Status != 302 || r.Header.Get("Location") != base+tt.want {
				t.Errorf("%s: %d %q, want 302 %q", tt.path, r.Status, r.Header.Get("Location"), base+tt.want)
			}
		}
		// A nested hash with blank values inside is not blank; search=foo is
		// replaced by an empty search without a redirect.
		f.status(f.get("/users.json?search[inviter][name]=&search[level]=20"), 200)
		f.status(f.get("/users.json?search=foo"), 200)
		// Not on writes.
		f.status(f.req("POST", "/users.json?search[name]=", "user[name]=blanky&user[password]=hunter22"), 201)
	})
}

// §14.5: limit defaults to 20 and is clamped to 1..1000 after to_i.
func TestDanbooru14_05_Limit(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		for i := range 22 {
			f.user(fmt.Sprintf("user%02d", i), nil)
		}
		count := func(path string) int { return len(f.list(f.get(path))) }
		for path, want := range map[string]int{
			"/users.json":             20,
			"/users.json?limit=0":     1,
			"/users.json?limit=abc":   1,
			"/users.json?limit=-5":    1,
			"/users.json?limit=":      1,
			"/users.json?limit=3":     3,
			"/users.json?limit=7abc":  7,
			"/users.json?limit=99999": 23,
		} {
			if got := count(path); got != want {
				t.Errorf("%s: %d users, want %d", path, got, want)
			}
		}
		// The user's per_page setting is not used.
		f.set(f.ownerID, map[string]any{"per_page": 5})
		if got := count(f.as("root", "/users.json")); got != 20 {
			t.Errorf("per_page changed the page size: %d", got)
		}
	})
}

// §14.6: numbered pages below 1 or garbage are page 1; past the viewer's
// page limit they are 410.
func TestDanbooru14_06_PageNumbers(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("one", nil)
		f.user("two", nil)
		f.user("gold", map[string]any{"level": 30})
		for _, p := range []string{"0", "-1", "abc", "", "b12x"} {
			f.wantNames(f.get("/users.json?limit=1&page="+p), "gold")
		}
		f.wantNames(f.get("/users.json?limit=1&page=2"), "two")
		f.wantNames(f.get("/users.json?limit=1&page=3"), "one")
		f.wantNames(f.get("/users.json?limit=1&page=1000"))
		f.expect(f.get("/users.json?page=1001"), 410, danError("PaginationExtension::PaginationError", "You cannot go beyond page 1000."))
		f.expect(f.get(f.as("two", "/users.json?page=1001")), 410, danError("PaginationExtension::PaginationError", "You cannot go beyond page 1000."))
		f.expect(f.get(f.as("gold", "/users.json?page=1001")), 200, "[]")
		f.expect(f.get(f.as("gold", "/users.json?page=5000&limit=1000")), 200, "[]") // deep pages are served, not refused
		f.expect(f.get(f.as("gold", "/users.json?page=5001")), 410, danError("PaginationExtension::PaginationError", "You cannot go beyond page 5000."))
		r := f.get("/users.xml?page=1001")
		f.expect(r, 410, danXMLHead+`<result>
  <success type="boolean">false</success>
  <error>PaginationExtension::PaginationError</error>
  <message>You cannot go beyond page 1000.</message>
  <backtrace type="array"/>
</result>

`)
	})
}

// §14.7: page=a<id> gives the rows just above id, page=b<id> the rows
// below, both in descending order, overriding search[order].
func TestDanbooru14_07_SequentialPages(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		ids := map[string]int64{}
		for _, n := range []string{"u1", "u2", "u3", "u4", "u5"} {
			ids[n] = f.user(n, nil)
		}
		f.wantNames(f.get(fmt.Sprintf("/users.json?page=a%d&limit=2", ids["u1"])), "u3", "u2")
		f.wantNames(f.get(fmt.Sprintf("/users.json?page=A%d&limit=2", ids["u3"])), "u5", "u4")
		f.wantNames(f.get(fmt.Sprintf("/users.json?page=b%d&limit=2", ids["u5"])), "u4", "u3")
		f.wantNames(f.get(fmt.Sprintf("/users.json?page=B%d&limit=2&search[order]=name", ids["u4"])), "u3", "u2")
		f.wantNames(f.get(fmt.Sprintf("/users.json?page=a%d&limit=10&search[order]=name&search[name]=u*", ids["u2"])), "u5", "u4", "u3")
		f.wantNames(f.get("/users.json?page=a99999999999999999999"))
		f.wantNames(f.get("/users.json?page=b99999999999999999999&search[name]=u*&limit=1"), "u5")
	})
}

// §14.8: the number syntax.
func TestDanbooru14_08_NumberSyntax(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		boss := f.user("boss", map[string]any{"level": 40})
		for i := 1; i <= 6; i++ {
			fields := map[string]any{"post_upload_count": i}
			if i%2 == 0 {
				fields["inviter_id"] = boss
			}
			f.user(fmt.Sprintf("c%d", i), fields)
		}
		for path, want := range map[string][]string{
			"search[post_upload_count]=3..":                                            {"c6", "c5", "c4", "c3"},
			"search[post_upload_count]=..2":                                            {"c2", "c1", "boss", "root"},
			"search[post_upload_count]=2...4":                                          {"c3", "c2"},
			"search[post_upload_count]=4..2":                                           {"c4", "c3", "c2"},
			"search[post_upload_count]=1+3+5":                                          {"c5", "c3", "c1"},
			"search[post_upload_count]=1,3":                                            {"c3", "c1"},
			"search[post_upload_count]=1,4..5,>5":                                      {"c6", "c5", "c4", "c1"},
			"search[post_upload_count]=>=5":                                            {"c6", "c5"},
			"search[post_upload_count]=<2":                                             {"c1", "boss", "root"},
			"search[post_upload_count_not]=1..5":                                       {"c6", "boss", "root"},
			"search[post_upload_count_gteq]=6":                                         {"c6"},
			"search[post_upload_count_lt]=1":                                           {"boss", "root"},
			"search[post_upload_count_not_eq]=0":                                       {"c6", "c5", "c4", "c3", "c2", "c1"},
			"search[inviter_id]=any":                                                   {"c6", "c4", "c2"},
			"search[inviter_id]=none&search[id]=>1":                                    {"c5", "c3", "c1", "boss"},
			"search[inviter_id_not]=" + strconv.FormatInt(boss, 10) + "&search[id]=>1": {"c5", "c3", "c1", "boss"},
			"search[inviter_id_not_eq]=" + strconv.FormatInt(boss, 10):                 {},
			"search[level]=40,60":                                                      {"boss", "root"},
			"search[min_level]=40&search[max_level]=50":                                {"boss"},
			"search[id]=0x" + strconv.FormatInt(boss, 16):                              {"boss"},
		} {
			got := f.names(f.get("/users.json?" + path))
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s: got %q, want %q", path, got, want)
			}
		}
	})
}

// §14.9: unparsable numbers and dates give an empty list, not an error.
func TestDanbooru14_09_UnparsableIsEmpty(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("someone", nil)
		for _, q := range []string{
			"search[id]=abc", "search[level]=1,x", "search[id]=1..2..3", "search[created_at]=garbage",
			"search[updated_at]=2024-02-30", "search[id_gt]=abc", "search[created_at_lt]=soon", "search[id][]=1",
		} {
			f.expect(f.get("/users.json?"+q), 200, "[]")
			f.expect(f.get("/users.xml?"+q), 200, danXMLHead+`<users type="array"/>`+"\n")
		}
		// A negation of nothing is everything.
		if n := len(f.list(f.get("/users.json?search[id_not]=abc"))); n != 2 {
			t.Errorf("id_not=abc: %d users, want 2", n)
		}
	})
}

// §14.10: ages invert comparisons; a bare date is exact midnight.
func TestDanbooru14_10_AgesAndDates(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		id := f.user("fresh", nil)
		created, err := time.Parse("2006-01-02T15:04:05.000Z07:00", f.createdAt(id))
		if err != nil {
			t.Fatal(err)
		}
		day := created.Format("2006-01-02") // in US Eastern, the anonymous zone
		next := created.AddDate(0, 0, 1).Format("2006-01-02")
		for q, want := range map[string][]string{
			"search[created_at]=<1w":                       {"fresh", "root"},
			"search[created_at]=>1w":                       {},
			"search[created_at]=1w..2w":                    {},
			"search[created_at]=<1d12h&search[name]=fresh": {"fresh"},
			"search[created_at]=" + day:                    {},
			"search[created_at]=" + day + ".." + next:      {"fresh", "root"},
			"search[created_at]=0d&search[name]=fresh":     {"fresh"}, // today, as a whole day
			"search[created_at_gteq]=" + day:               {"fresh", "root"},
			"search[created_at_lt]=" + day:                 {},
			"search[updated_at]=<1h&search[name]=fresh":    {"fresh"},
			"search[created_at_not]=" + day + ".." + next:  {},
			"search[created_at]=" + created.UTC().Format(time.RFC3339Nano)[:10] + "T00:00:00Z..2999-01-01": {"fresh", "root"},
		} {
			got := f.names(f.get("/users.json?" + strings.ReplaceAll(q, "+", "%2B")))
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s: got %q, want %q", q, got, want)
			}
		}
	})
}

// §14.11: an unrecognised boolean for is_deleted is an error (usersd: 422,
// upstream 500); for is_banned it is ignored.
func TestDanbooru14_11_BadBooleans(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("banned_one", map[string]any{"banned": true})
		f.expect(f.get("/users.json?search[is_deleted]=maybe"), 422, danError("ArgumentError", "value must be truthy or falsy"))
		f.expect(f.get("/users.xml?search[is_deleted]=maybe"), 422, danXMLHead+`<result>
  <success type="boolean">false</success>
  <error>ArgumentError</error>
  <message>value must be truthy or falsy</message>
  <backtrace type="array"/>
</result>

`)
		f.wantNames(f.get("/users.json?search[is_banned]=maybe"), "banned_one", "root")
		f.wantNames(f.get("/users.json?search[is_banned]=yes"), "banned_one")
		f.wantNames(f.get("/users.json?search[is_banned]=f"), "root")
		f.wantNames(f.get("/users.json?search[is_deleted]=0"), "banned_one", "root")
		f.wantNames(f.get("/users.json?search[is_deleted]=TRUE"))
	})
}

// §14.12: order=custom needs a plain id or id list in search[id] and
// returns those users in that order.
func TestDanbooru14_12_CustomOrder(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		a := f.user("a1", nil)
		c := f.user("c1", nil)
		d := f.user("d1", nil)
		f.wantNames(f.get(fmt.Sprintf("/users.json?search[order]=custom&search[id]=%d,%d,%d", c, a, d)), "c1", "a1", "d1")
		f.wantNames(f.get(fmt.Sprintf("/users.json?search[order]=custom&search[id]=%d+%d", d, a)), "d1", "a1")
		f.wantNames(f.get(fmt.Sprintf("/users.json?search[order]=custom&search[id]=%d", c)), "c1")
		f.wantNames(f.get(fmt.Sprintf("/users.json?search[order]=custom&search[id]=%d,%d,%d&limit=1&page=2", c, a, d)), "a1")
		f.wantNames(f.get(fmt.Sprintf("/users.json?search[order]=custom&search[id]=%d..%d", a, d)))
		f.wantNames(f.get("/users.json?search[order]=custom&search[id]=any"))
		f.wantNames(f.get("/users.json?search[order]=custom"))
		f.wantNames(f.get(fmt.Sprintf("/users.json?search[order]=custom&search[id]=%d,%d&search[current_user_first]=1", a, c)+"&"+strings.TrimPrefix(f.as("c1", ""), "?")), "c1", "a1")
	})
}

// §14.13: order=note_count sorts by note_update_count (descending); the
// other orders and the default.
func TestDanbooru14_13_Orders(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("bravo", map[string]any{"note_update_count": 5, "post_upload_count": 1, "post_update_count": 9})
		f.user("alpha", map[string]any{"note_update_count": 9, "post_upload_count": 3, "post_update_count": 1})
		f.user("charlie", map[string]any{"note_update_count": 5, "post_upload_count": 2})
		q := "/users.json?search[id]=>1&search[order]="
		f.wantNames(f.get(q+"note_count"), "alpha", "charlie", "bravo") // ties: newest first
		f.wantNames(f.get(q+"post_upload_count"), "alpha", "charlie", "bravo")
		f.wantNames(f.get(q+"post_update_count"), "bravo", "alpha", "charlie")
		f.wantNames(f.get(q+"name"), "alpha", "bravo", "charlie")
		f.wantNames(f.get(q+"bogus"), "charlie", "alpha", "bravo")
		f.wantNames(f.get(q+"note_update_count"), "charlie", "alpha", "bravo") // not a Danbooru order
		// current_user_first puts the viewer first, then the order.
		f.wantNames(f.get(f.as("bravo", q+"name&search[current_user_first]=true")), "bravo", "alpha", "charlie")
		f.wantNames(f.get(q+"name&search[current_user_first]=true"), "alpha", "bravo", "charlie")
		f.user("Zulu", nil) // name order is by code point: upper case first
		f.wantNames(f.get(q+"name"), "Zulu", "alpha", "bravo", "charlie")
	})
}

// §14.14: favorite_count, updated_at, last_logged_in_at, settings and flags
// are shown to the user only; favorite_count is searchable by anyone.
func TestDanbooru14_14_SelfOnlyFields(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		id := f.user("fan", map[string]any{"favorite_count": 40})
		f.user("other", nil)
		created := f.createdAt(id)
		self := f.object(f.get(f.as("fan", fmt.Sprintf("/users/%d.json", id))))
		for _, k := range []string{"favorite_count", "updated_at", "last_logged_in_at", "per_page", "enable_safe_mode", "theme", "statement_timeout"} {
			if _, ok := self[k]; !ok {
				t.Errorf("self view lacks %s", k)
			}
		}
		if self["favorite_count"] != float64(40) {
			t.Errorf("favorite_count = %v", self["favorite_count"])
		}
		want := danUser{id: id, createdAt: created, name: "fan", level: 20}.json()
		f.expect(f.get(f.as("other", fmt.Sprintf("/users.json?search[id]=%d", id))), 200, "["+want+"]")
		f.expect(f.get(fmt.Sprintf("/users.json?search[id]=%d", id)), 200, "["+want+"]")
		f.wantNames(f.get("/users.json?search[favorite_count]=>10"), "fan")
		f.wantNames(f.get("/users.json?search[favorite_count]=40&search[updated_at]=<1d"), "fan")
	})
}

// §14.15: last_ip_addr is shown to moderators and above on every record,
// their own included, and to nobody else.
func TestDanbooru14_15_LastIPForModerators(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		mod := f.user("mod", map[string]any{"level": 40})
		member := f.user("member", nil)
		f.get(f.as("member", "/profile.json")) // an authenticated request records the address
		for _, tt := range []struct {
			viewer string
			target int64
			want   bool
		}{
			{"mod", member, true}, {"mod", mod, true}, {"root", member, true},
			{"member", member, false}, {"member", mod, false},
		} {
			m := f.object(f.get(f.as(tt.viewer, fmt.Sprintf("/users/%d.json", tt.target))))
			ip, has := m["last_ip_addr"]
			if has != tt.want {
				t.Errorf("%s viewing %d: last_ip_addr shown = %v, want %v", tt.viewer, tt.target, has, tt.want)
			}
			if has && tt.target == member && ip != "127.0.0.1" {
				t.Errorf("last_ip_addr = %v", ip)
			}
		}
		if _, has := f.object(f.get(fmt.Sprintf("/users/%d.json", member)))["last_ip_addr"]; has {
			t.Error("anonymous sees last_ip_addr")
		}
		for _, m := range f.list(f.get(f.as("mod", "/users.json"))) {
			if _, has := m["last_ip_addr"]; !has {
				t.Errorf("index row %v lacks last_ip_addr for a moderator", m["name"])
			}
		}
		x := string(f.get(f.as("mod", fmt.Sprintf("/users/%d.xml", member))).Body)
		if !strings.Contains(x, `<last-ip-addr type="inet">127.0.0.1</last-ip-addr>`) {
			t.Errorf("XML:\n%s", x)
		}
	})
}

// §14.16: show adds twelve counts that index lacks and only= cannot select.
func TestDanbooru14_16_ShowOnlyCounts(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		id := f.user("counted", map[string]any{"comment_count": 5, "forum_post_count": 3, "favorite_group_count": 1})
		created := f.createdAt(id)
		base := danUser{id: id, createdAt: created, name: "counted", level: 20}.json()
		counts := `"wiki_page_version_count":0,"artist_version_count":0,"artist_commentary_version_count":0,"pool_version_count":0,` +
			`"forum_post_count":3,"comment_count":5,"favorite_group_count":1,"appeal_count":0,"flag_count":0,` +
			`"positive_feedback_count":0,"neutral_feedback_count":0,"negative_feedback_count":0`
		f.expect(f.get(fmt.Sprintf("/users/%d.json", id)), 200, strings.TrimSuffix(base, "}")+","+counts+"}")
		f.expect(f.get(fmt.Sprintf("/users.json?search[id]=%d", id)), 200, "["+base+"]")
		f.expect(f.get(fmt.Sprintf("/users/%d.json?only=id,comment_count", id)), 200, fmt.Sprintf(`{"id":%d}`, id))
		f.expect(f.get(fmt.Sprintf("/users/%d", id), "Accept", "application/json"), 200, strings.TrimSuffix(base, "}")+","+counts+"}")
	})
}

// §14.17: only= drops unknown and invisible fields; the inviter include is
// absent, not null, without an inviter.
func TestDanbooru14_17_Only(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		boss := f.user("boss", map[string]any{"level": 50})
		guest := f.user("guest", map[string]any{"inviter_id": boss})
		bossCreated := f.createdAt(boss)
		f.expect(f.get(fmt.Sprintf("/users/%d.json?only=name,id,bogus,favorite_count,per_page", guest)), 200,
			fmt.Sprintf(`{"id":%d,"name":"guest"}`, guest))
		f.expect(f.get(fmt.Sprintf("/users/%d.json?only=id,inviter", boss)), 200, fmt.Sprintf(`{"id":%d}`, boss))
		f.expect(f.get(fmt.Sprintf("/users/%d.json?only=id,inviter[id,name]", guest)), 200,
			fmt.Sprintf(`{"id":%d,"inviter":{"id":%d,"name":"boss"}}`, guest, boss))
		f.expect(f.get(fmt.Sprintf("/users/%d.json?only=inviter,id", guest)), 200,
			fmt.Sprintf(`{"id":%d,"inviter":%s}`, guest, danUser{id: boss, createdAt: bossCreated, name: "boss", level: 50}.json()))
		f.expect(f.get(fmt.Sprintf("/users.json?search[id]=%d,%d&only=name,inviter[name]", guest, boss)), 200,
			`[{"name":"guest","inviter":{"name":"boss"}},{"name":"boss"}]`)
		f.expect(f.get(fmt.Sprintf("/users/%d.json?only=", guest)), 200, `{}`)
		f.expect(f.get(fmt.Sprintf("/users/%d.json?only=bans,level_string", guest)), 200, `{"level_string":"Member","bans":[]}`)
		f.expect(f.get(fmt.Sprintf("/users/%d.xml?only=id,inviter[name,inviter_id]", guest)), 200, danXMLHead+fmt.Sprintf(`<user>
  <id type="integer">%d</id>
  <inviter>
    <name>boss</name>
    <inviter-id nil="true"/>
  </inviter>
</user>
`, guest))
		// The user sees their own private fields through only=.
		m := f.object(f.get(f.as("guest", "/profile.json?only=per_page,favorite_count,id")))
		if len(m) != 3 || m["per_page"] != float64(20) {
			t.Errorf("self only= = %v", m)
		}
	})
}

// §14.18: infinite limits are JSON null (XML Infinity).
func TestDanbooru14_18_InfiniteLimits(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		for _, tt := range []struct {
			level int
			want  string
		}{
			{20, `{"statement_timeout":3000,"favorite_group_limit":10,"tag_query_limit":2,"max_saved_searches":250}`},
			{30, `{"statement_timeout":6000,"favorite_group_limit":null,"tag_query_limit":6,"max_saved_searches":1000}`},
			{31, `{"statement_timeout":9000,"favorite_group_limit":null,"tag_query_limit":null,"max_saved_searches":1000}`},
			{32, `{"statement_timeout":9000,"favorite_group_limit":null,"tag_query_limit":null,"max_saved_searches":null}`},
		} {
			name := fmt.Sprintf("level%d", tt.level)
			f.user(name, map[string]any{"level": tt.level})
			f.expect(f.get(f.as(name, "/profile.json?only=statement_timeout,favorite_group_limit,tag_query_limit,max_saved_searches")), 200, tt.want)
		}
		f.expect(f.get(f.as("level32", "/profile.xml?only=max_saved_searches,tag_query_limit")), 200, danXMLHead+`<user>
  <max-saved-searches type="float">Infinity</max-saved-searches>
  <tag-query-limit type="float">Infinity</tag-query-limit>
</user>
`)
	})
}

// §14.19: /profile.json as anonymous is the anonymous pseudo-user.
func TestDanbooru14_19_AnonymousProfile(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		r := f.get("/profile.json")
		f.status(r, 200)
		m := f.object(r)
		if m["id"] != nil || m["name"] != "Anonymous" || m["level"] != float64(0) || m["level_string"] != nil || m["updated_at"] != nil {
			t.Errorf("profile = %v", m)
		}
		if _, ok := m["comment_count"]; !ok || m["new_post_navigation_layout"] != true || m["per_page"] != float64(20) || m["time_zone"] != "Eastern Time (US & Canada)" {
			t.Errorf("profile lacks defaults: %v", m)
		}
		var keys []string
		dec := json.NewDecoder(strings.NewReader(string(r.Body)))
		dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var v any
			dec.Decode(&v)
		}
		if len(keys) != 52 || keys[0] != "id" || keys[2] != "updated_at" || keys[len(keys)-1] != "negative_feedback_count" {
			t.Errorf("keys = %q", keys)
		}
		x := string(f.get("/profile.xml").Body)
		for _, frag := range []string{`<id type="integer" nil="true"/>`, `<level-string nil="true"/>`, `<name>Anonymous</name>`, `<updated-at type="dateTime" nil="true"/>`} {
			if !strings.Contains(x, frag) {
				t.Errorf("XML lacks %s:\n%s", frag, x)
			}
		}
		// HTML for anonymous goes to the login page; a member's is their own.
		r = f.get("/profile")
		if r.Status != 302 || r.Header.Get("Location") != f.Base+"/danbooru/login?url=%2Fdanbooru%2Fprofile" {
			t.Errorf("HTML profile: %d %s", r.Status, r.Header.Get("Location"))
		}
		if m := f.object(f.get(f.as("root", "/profile.json"))); m["name"] != "root" || m["level_string"] != "Owner" {
			t.Errorf("root profile = %v", m)
		}
	})
}

// §14.20: timestamps are in the viewer's zone (anonymous: US Eastern with
// DST); JSON has milliseconds, XML does not.
func TestDanbooru14_20_ViewerTimeZone(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		id := f.user("tokyo", nil)
		f.status(f.req("PUT", f.as("tokyo", fmt.Sprintf("/users/%d.json", id)), "user[time_zone]=Tokyo"), 204)
		anon := f.createdAt(id)
		inst, err := time.Parse("2006-01-02T15:04:05.000Z07:00", anon)
		if err != nil {
			t.Fatal(err)
		}
		ny, _ := time.LoadLocation("America/New_York")
		tk, _ := time.LoadLocation("Asia/Tokyo")
		if want := inst.In(ny).Format("2006-01-02T15:04:05.000-07:00"); anon != want {
			t.Errorf("anonymous created_at = %s, want Eastern %s", anon, want)
		}
		mine := f.object(f.get(f.as("tokyo", fmt.Sprintf("/users/%d.json", id))))
		if want := inst.In(tk).Format("2006-01-02T15:04:05.000-07:00"); mine["created_at"] != want || mine["time_zone"] != "Tokyo" {
			t.Errorf("Tokyo viewer: created_at %v time_zone %v, want %s", mine["created_at"], mine["time_zone"], want)
		}
		x := string(f.get(f.as("tokyo", fmt.Sprintf("/users/%d.xml", id))).Body)
		if want := "<created-at type=\"dateTime\">" + inst.In(tk).Format("2006-01-02T15:04:05-07:00") + "</created-at>"; !strings.Contains(x, want) {
			t.Errorf("XML lacks %s:\n%s", want, x)
		}
		// Zones written by IANA name render as the first Rails name.
		f.status(f.req("PUT", f.as("tokyo", fmt.Sprintf("/users/%d.json", id)), "user[time_zone]=Europe/London"), 204)
		if m := f.object(f.get(f.as("tokyo", "/profile.json?only=time_zone"))); m["time_zone"] != "Edinburgh" {
			t.Errorf("time_zone = %v", m["time_zone"])
		}
		f.status(f.req("PUT", f.as("tokyo", fmt.Sprintf("/users/%d.json", id)), "user[time_zone]=London"), 204)
		if m := f.object(f.get(f.as("tokyo", "/profile.json?only=time_zone"))); m["time_zone"] != "London" {
			t.Errorf("time_zone = %v", m["time_zone"])
		}
		f.expect(f.req("PUT", f.as("tokyo", fmt.Sprintf("/users/%d.json", id)), "user[time_zone]=Mars"), 422, `{"errors":{"time_zone":["is not included in the list"]}}`)
	})
}

// §14.21: XML shapes: users root with type="array", dasherized tags, type
// attributes, nil="true"; single records use the root user.
func TestDanbooru14_21_XML(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		boss := f.user("boss", map[string]any{"level": 50})
		guest := f.user("guest", map[string]any{"inviter_id": boss, "banned": true, "post_update_count": 12})
		bu := danUser{id: boss, createdAt: f.createdAt(boss), name: "boss", level: 50}
		gu := danUser{id: guest, createdAt: f.createdAt(guest), name: "guest", level: 20, inviter: &boss, banned: true, updates: 12}
		r := f.get(fmt.Sprintf("/users.xml?search[id]=%d,%d", boss, guest))
		f.expect(r, 200, danXMLHead+"<users type=\"array\">\n"+gu.xml("  ")+bu.xml("  ")+"</users>\n")
		if ct := r.Header.Get("Content-Type"); ct != "application/xml; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		f.expect(f.get("/users.xml?search[id]=0"), 200, danXMLHead+"<users type=\"array\"/>\n")
		show := string(f.get(fmt.Sprintf("/users/%d.xml", boss)).Body)
		if !strings.HasPrefix(show, danXMLHead+"<user>\n") || !strings.HasSuffix(show, "  <negative-feedback-count type=\"integer\">0</negative-feedback-count>\n</user>\n") {
			t.Errorf("show XML:\n%s", show)
		}
		// The self view: nil strings have no type, theme keeps the
		// column's integer type. guest was made through the native API,
		// so it has no Danbooru default blacklist.
		x := string(f.get(f.as("guest", "/profile.xml")).Body)
		for _, frag := range []string{`<favorite-tags nil="true"/>`, `<theme type="integer">auto</theme>`, `<time-zone>Eastern Time (US &amp; Canada)</time-zone>`,
			"<blacklisted-tags></blacklisted-tags>", `<per-page type="integer">20</per-page>`} {
			if !strings.Contains(x, frag) {
				t.Errorf("profile XML lacks %s:\n%s", frag, x)
			}
		}
		// format= and Accept choose XML too.
		f.expect(f.get(fmt.Sprintf("/users?search[id]=%d&format=xml", boss)), 200, danXMLHead+"<users type=\"array\">\n"+bu.xml("  ")+"</users>\n")
		f.expect(f.get(fmt.Sprintf("/users?search[id]=%d", boss), "Accept", "application/xml"), 200, danXMLHead+"<users type=\"array\">\n"+bu.xml("  ")+"</users>\n")
	})
}

// §14.22: credentials come from the query string only; any Authorization
// header or a bare login/api_key key makes it an API request, and
// incomplete credentials are 401, not anonymous.
func TestDanbooru14_22_Authentication(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		id := f.user("Hatsune_Miku", nil)
		key := f.key("Hatsune_Miku")
		missing := danError("SessionLoader::AuthenticationFailure", "Missing `login` or `api_key`")
		invalid := danError("SessionLoader::AuthenticationFailure", "Invalid API key")
		f.expect(f.get("/profile.json?login=Hatsune_Miku"), 401, missing)
		f.expect(f.get("/profile.json?api_key="+key), 401, missing)
		f.expect(f.get("/profile.json?login=&api_key="), 401, missing)
		f.expect(f.get("/profile.json?login=Hatsune_Miku&api_key=nope"), 401, invalid)
		f.expect(f.get("/profile.json?login=someone_else&api_key="+key), 401, invalid)
		f.expect(f.get("/profile.json", "Authorization", "Bearer "+key), 401, invalid)
		f.expect(f.get("/users.xml", "Authorization", "Bearer x"), 401, danXMLHead+`<result>
  <success type="boolean">false</success>
  <error>SessionLoader::AuthenticationFailure</error>
  <message>Invalid API key</message>
  <backtrace type="array"/>
</result>

`)
		// The name is matched as Danbooru normalizes it; Basic works too.
		for _, r := range []facetest.Response{
			f.get("/profile.json?login=%20hatsune%20MIKU%20&api_key=" + url.QueryEscape(key)),
			f.get("/profile.json", "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("hatsune_miku:"+key))),
		} {
			if m := f.object(r); r.Status != 200 || m["id"] != float64(id) {
				t.Errorf("authenticated profile: %d %s", r.Status, r.Body)
			}
		}
		// Credentials in a body are ignored: this sign-up is anonymous.
		r := f.req("POST", "/users.json", "login=Hatsune_Miku&api_key="+url.QueryEscape(key)+"&user[name]=newbie&user[password]=hunter22")
		f.status(r, 201)
		r = f.jsonBody("PUT", fmt.Sprintf("/users/%d.json", id), `{"login":"Hatsune_Miku","api_key":"`+key+`","user":{"per_page":50}}`)
		f.expect(r, 403, danError("Pundit::NotAuthorizedError", "Access denied"))
		if r := f.get("/users.json", "Authorization", ""); r.Status != 200 {
			t.Errorf("a blank Authorization header is not API authentication: %d", r.Status)
		}
		// Responses carry the CORS and git headers.
		if r := f.get("/users.json"); r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("X-Git-Hash") == "" {
			t.Errorf("headers = %v", r.Header)
		}
	})
}

// §14.23: the lookup precedes authorization: a missing record is 404 for
// any caller.
func TestDanbooru14_23_LookupBeforePolicy(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		other := f.user("other", nil)
		f.user("member", nil)
		nf := danError("ActiveRecord::RecordNotFound", "That record was not found.")
		denied := danError("Pundit::NotAuthorizedError", "Access denied")
		f.expect(f.req("PUT", "/users/999999999.json", "user[per_page]=5"), 404, nf)
		f.expect(f.req("PUT", f.as("member", "/users/999999999.json"), "user[per_page]=5"), 404, nf)
		f.expect(f.req("DELETE", f.as("member", "/users/999999999.json"), ""), 404, nf)
		f.expect(f.req("PUT", f.as("member", "/admin/users/999999999.json"), "user[level]=30"), 404, nf)
		f.expect(f.get("/users/999999999.json"), 404, nf)
		f.expect(f.get("/users/abc.json"), 404, nf)
		f.expect(f.get("/users/0.json"), 404, nf)
		f.expect(f.req("PUT", fmt.Sprintf("/users/%d.json", other), "user[per_page]=5"), 403, denied)
		f.expect(f.req("PUT", f.as("member", fmt.Sprintf("/users/%d.json", other)), "user[per_page]=5"), 403, denied)
		f.expect(f.req("DELETE", f.as("member", fmt.Sprintf("/users/%d.json", other)), ""), 403, denied)
		f.expect(f.req("PUT", f.as("member", fmt.Sprintf("/admin/users/%d.json", other)), "user[level]=30"), 403, denied)
	})
}

// §14.24: sign-up is for anonymous callers only; updates are self-only,
// even for the owner.
func TestDanbooru14_24_CreateAnonymousUpdateSelf(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		member := f.user("member", nil)
		denied := danError("Pundit::NotAuthorizedError", "Access denied")
		f.expect(f.req("POST", f.as("member", "/users.json"), "user[name]=second&user[password]=hunter22"), 403, denied)
		f.expect(f.req("PUT", f.as("root", fmt.Sprintf("/users/%d.json", member)), "user[per_page]=123"), 403, denied)
		if m := f.object(f.get(f.as("member", "/profile.json"))); m["per_page"] != float64(20) {
			t.Errorf("per_page = %v", m["per_page"])
		}
		f.expect(f.req("PUT", f.as("member", fmt.Sprintf("/users/%d.json", member)), "user[per_page]=123"), 204, "")
	})
}

// §14.25: any key outside the permitted settings is 403 and nothing is saved.
func TestDanbooru14_25_UnpermittedKeys(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		id := f.user("member", nil)
		path := f.as("member", fmt.Sprintf("/users/%d.json", id))
		for _, tt := range []struct{ body, msg string }{
			{"user[per_page]=50&user[level]=50", "found unpermitted parameter: :level"},
			{"user[name]=renamed", "found unpermitted parameter: :name"},
			{"user[password]=x&user[per_page]=50&user[email]=a@b.c", "found unpermitted parameters: :password, :email"},
			{"user[always_resize_images]=1", "found unpermitted parameter: :always_resize_images"},
			{"user[per_page][x]=1", "found unpermitted parameter: :per_page"},
		} {
			f.expect(f.req("PUT", path, tt.body), 403, danError("ActionController::UnpermittedParameters", tt.msg))
		}
		f.expect(f.jsonBody("PATCH", path, `{"user":{"level":50,"per_page":50}}`), 403, danError("ActionController::UnpermittedParameters", "found unpermitted parameter: :level"))
		// Top-level JSON column names are wrapped into user[…] (ParamsWrapper).
		f.expect(f.jsonBody("PATCH", path, `{"per_page":50,"level":50}`), 403, danError("ActionController::UnpermittedParameters", "found unpermitted parameter: :level"))
		if m := f.object(f.get(f.as("member", "/profile.json"))); m["per_page"] != float64(20) || m["level"] != float64(20) || m["name"] != "member" {
			t.Errorf("a refused update changed something: %v", m)
		}
	})
}

// §14.26: an update answers 204 with an empty body; a sign-up 201 with the
// self view.
func TestDanbooru14_26_UpdateAndCreateResponses(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		r := f.req("POST", "/users.json", "user[name]=Newbie&user[password]=hunter22&user[password_confirmation]=hunter22")
		f.status(r, 201)
		m := f.object(r)
		id := int64(m["id"].(float64))
		if r.Header.Get("Location") != fmt.Sprintf("%s/danbooru/users/%d", f.Base, id) {
			t.Errorf("Location = %q", r.Header.Get("Location"))
		}
		created := m["created_at"].(string)
		want := fmt.Sprintf(`{"id":%d,"created_at":%q,"updated_at":%q,"name":"Newbie","inviter_id":null,"level":20,"last_logged_in_at":%q,`+
			`"last_forum_read_at":"1960-01-01T00:00:00.000-05:00","post_upload_count":0,"post_update_count":0,"note_update_count":0,"favorite_count":0,`+
			`"comment_threshold":-8,"default_image_size":"large","favorite_tags":null,"blacklisted_tags":"guro\nscat\nfurry -rating:g",`+
			`"time_zone":"Eastern Time (US & Canada)","per_page":20,"custom_style":null,"theme":"auto","is_deleted":false,"level_string":"Member",`+
			`"is_banned":false,"receive_email_notifications":false,"new_post_navigation_layout":true,"enable_private_favorites":false,`+
			`"show_deleted_children":false,"disable_categorized_saved_searches":false,"disable_tagged_filenames":false,`+
			`"disable_mobile_gestures":false,"enable_safe_mode":false,"enable_desktop_mode":false,"disable_post_tooltips":false,`+
			`"requires_verification":false,"is_verified":false,"show_deleted_posts":false,"statement_timeout":3000,"favorite_group_limit":10,`+
			`"tag_query_limit":2,"max_saved_searches":250}`, id, created, m["updated_at"], m["last_logged_in_at"])
		f.expect(r, 201, want)
		// The new account logs in with its password through the native API.
		f.Login("newbie", "hunter22")

		key := f.key("Newbie")
		path := fmt.Sprintf("/users/%d.json?login=newbie&api_key=%s", id, url.QueryEscape(key))
		r = f.req("PUT", path, "user[per_page]=100&user[enable_safe_mode]=true&user[favorite_tags]=touhou%20scenery")
		f.expect(r, 204, "")
		r = f.jsonBody("PATCH", path, `{"user":{"comment_threshold":-50,"default_image_size":"original","theme":"dark","blacklisted_tags":"  a  \n\n b ","custom_style":"body { color: red; }"}}`)
		f.expect(r, 204, "")
		f.expect(f.jsonBody("PATCH", path, `{"receive_email_notifications":true}`), 204, "") // wrapped
		f.expect(f.req("PUT", path, ""), 204, "")                                            // no user hash: nothing to do
		got := f.object(f.get(fmt.Sprintf("/profile.json?login=newbie&api_key=%s&only=per_page,enable_safe_mode,favorite_tags,comment_threshold,default_image_size,theme,blacklisted_tags,custom_style,receive_email_notifications", url.QueryEscape(key))))
		for k, v := range map[string]any{"per_page": float64(100), "enable_safe_mode": true, "favorite_tags": "touhou scenery", "comment_threshold": float64(-50),
			"default_image_size": "original", "theme": "dark", "blacklisted_tags": "a\n\nb", "custom_style": "body { color: red; }", "receive_email_notifications": true} {
			if got[k] != v {
				t.Errorf("%s = %#v, want %#v", k, got[k], v)
			}
		}
		// XML sign-up.
		r = f.req("POST", "/users.xml", "user[name]=xmler&user[password]=hunter22")
		if r.Status != 201 || !strings.HasPrefix(string(r.Body), danXMLHead+"<user>\n  <id type=\"integer\">") {
			t.Errorf("XML sign-up: %d\n%s", r.Status, r.Body)
		}
		// A JSON sign-up, wrapped or not.
		f.status(f.jsonBody("POST", "/users.json", `{"user":{"name":"jsoner","password":"hunter22","password_confirmation":"hunter22"}}`), 201)
		f.status(f.jsonBody("POST", "/users.json", `{"name":"jsoner2","password":"hunter22"}`), 201)
	})
}

// §14.27: validation errors are {"errors":{attr:[messages]}} with 422.
func TestDanbooru14_27_ValidationShape(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		id := f.user("member", nil)
		path := f.as("member", fmt.Sprintf("/users/%d", id))
		f.expect(f.jsonBody("PUT", path+"&format=json", `{"user":{"per_page":500}}`), 422, `{"errors":{"per_page":["is not included in the list"]}}`)
		xmlPath := strings.Replace(path, fmt.Sprintf("/users/%d", id), fmt.Sprintf("/users/%d.xml", id), 1)
		f.expect(f.req("PUT", xmlPath, "user[per_page]=0&user[comment_threshold]=6&user[default_image_size]=fit&user[theme]=pink"), 422,
			danXMLHead+`<errors>
  <error>Default image size is not included in the list</error>
  <error>Per page is not included in the list</error>
  <error>Comment threshold is not included in the list</error>
  <error>Theme is not included in the list</error>
</errors>
`)
		f.expect(f.req("PUT", path+"&format=json", "user[blacklisted_tags]=%E2%80%8B&user[favorite_tags]="+strings.Repeat("t+", 1001)+"&user[custom_style]=a%7Bcontent:%22x%0A%7D"), 422,
			`{"errors":{"blacklisted_tags":["can't be blank"],"favorite_tags":["can't have more than 1000 favorite tags"],"custom_style":["contains a syntax error. Validate it with https://codebeautify.org/cssvalidate"]}}`)
		f.expect(f.req("POST", "/users.json", "user[name]=x&user[password]=abc&user[password_confirmation]=abd"), 422,
			`{"errors":{"name":["must be more than 1 character long"],"password":["is too short (minimum is 5 characters)"],"password_confirmation":["Passwords don't match"]}}`)
		f.expect(f.req("POST", "/users.xml", "user[name]=member&user[password]=hunter22"), 422, danXMLHead+"<errors>\n  <error>Name already taken</error>\n</errors>\n")
		f.expect(f.req("POST", "/users.json", "user[name]=mailer&user[password]=hunter22&user[email_address][address]=nope"), 422,
			`{"errors":{"email_address.address":["is invalid"]}}`)
		f.status(f.req("POST", "/users.json", "user[name]=mailer&user[password]=hunter22&user[email_address][address]=mailer@example.com"), 201)
		f.expect(f.req("POST", "/users.json", "user[password]=hunter22"), 422, `{"errors":{"name":["must be more than 1 character long"]}}`)
	})
}

// §14.28: passwords need 5 characters; a mismatch is reported on
// password_confirmation.
func TestDanbooru14_28_Passwords(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.expect(f.req("POST", "/users.json", "user[name]=shorty&user[password]=abcd"), 422, `{"errors":{"password":["is too short (minimum is 5 characters)"]}}`)
		f.expect(f.req("POST", "/users.json", "user[name]=shorty&user[password]=abcde&user[password_confirmation]=abcdf"), 422, `{"errors":{"password_confirmation":["Passwords don't match"]}}`)
		f.expect(f.req("POST", "/users.json", "user[name]=shorty"), 422, `{"errors":{"password":["is too short (minimum is 5 characters)"]}}`)
		f.status(f.req("POST", "/users.json", "user[name]=shorty&user[password]=abcde"), 201) // no confirmation: not checked
		f.status(f.req("POST", "/users.json", "user[name]=%E5%88%9D%E9%9F%B3&user[password]=%E3%81%82%E3%81%84%E3%81%86%E3%81%88%E3%81%8A"), 201)
		f.Login("shorty", "abcde")
	})
}

// §14.29: name validation reports only the first failing rule, checks
// uniqueness first, and allows 2..24 characters.
func TestDanbooru14_29_NameRules(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("taken_name", nil)
		for _, tt := range []struct{ name, msg string }{
			{"TAKEN_NAME", "already taken"},
			{"taken name", "already taken"}, // normalized before the lookup
			{"x", "must be more than 1 character long"},
			{strings.Repeat("a", 25), "must be less than 25 characters long"},
			{"foo bar", "can't contain whitespace"},
			{"-foo", "can't start with '-'"},
			{"foo!", "can't end with '!'"},
			{"bob.json", "can't end with a file extension"},
			{"a__b", "can't contain multiple underscores in a row"},
			{"a!b@c", "can't contain '!' and '@'"},
			{"über", "must contain only basic letters or numbers"},
			{"Moderator", "is a reserved name and can't be used"},
		} {
			f.expect(f.req("POST", "/users.json", "user[name]="+url.QueryEscape(tt.name)+"&user[password]=hunter22"), 422,
				fmt.Sprintf(`{"errors":{"name":[%q]}}`, tt.msg))
		}
		f.status(f.req("POST", "/users.json", "user[name]="+strings.Repeat("a", 24)+"&user[password]=hunter22"), 201)
		f.status(f.req("POST", "/users.json", "user[name]=ab&user[password]=hunter22"), 201)
	})
}

// §14.30: user_<digits> names belong to deleted accounts, in any case.
func TestDanbooru14_30_DeletedUserNames(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		for _, n := range []string{"user_12", "USER_999", "User_1"} {
			f.expect(f.req("POST", "/users.json", "user[name]="+n+"&user[password]=hunter22"), 422, `{"errors":{"name":["can't be the same as a deleted user"]}}`)
		}
		f.status(f.req("POST", "/users.json", "user[name]=user_12a&user[password]=hunter22"), 201)
	})
}

// §14.31: bit-flag booleans are true iff the value contains t, 1 or y.
func TestDanbooru14_31_BitFlagQuirk(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		id := f.user("flags", nil)
		path := f.as("flags", fmt.Sprintf("/users/%d.json", id))
		for in, want := range map[string]bool{"true": true, "on": false, "nothing": true, "10": true, "2": false, "no": false, "yes": true, "": false, "off": false, "TRUE": false} {
			f.status(f.req("PUT", path, "user[enable_safe_mode]="+url.QueryEscape(in)), 204)
			if m := f.object(f.get(f.as("flags", "/profile.json?only=enable_safe_mode"))); m["enable_safe_mode"] != want {
				t.Errorf("%q: enable_safe_mode = %v, want %v", in, m["enable_safe_mode"], want)
			}
		}
		f.status(f.jsonBody("PUT", path, `{"user":{"disable_post_tooltips":true,"show_deleted_posts":1,"enable_safe_mode":false}}`), 204)
		m := f.object(f.get(f.as("flags", "/profile.json?only=disable_post_tooltips,show_deleted_posts,enable_safe_mode")))
		if m["disable_post_tooltips"] != true || m["show_deleted_posts"] != true || m["enable_safe_mode"] != false {
			t.Errorf("JSON flags = %v", m)
		}
	})
}

// §14.32: enabling private favorites below Gold is a 422 base error.
func TestDanbooru14_32_PrivateFavorites(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		member := f.user("member", nil)
		gold := f.user("gold", map[string]any{"level": 30})
		f.expect(f.req("PUT", f.as("member", fmt.Sprintf("/users/%d.json", member)), "user[enable_private_favorites]=true"), 422,
			`{"errors":{"base":["Can't enable privacy mode without a Gold account"]}}`)
		f.expect(f.req("PUT", f.as("member", fmt.Sprintf("/users/%d.xml", member)), "user[enable_private_favorites]=1"), 422,
			danXMLHead+"<errors>\n  <error>Can't enable privacy mode without a Gold account</error>\n</errors>\n")
		f.expect(f.req("PUT", f.as("member", fmt.Sprintf("/users/%d.json", member)), "user[enable_private_favorites]=false"), 204, "")
		f.expect(f.req("PUT", f.as("gold", fmt.Sprintf("/users/%d.json", gold)), "user[enable_private_favorites]=true"), 204, "")
		if m := f.object(f.get(f.as("gold", "/profile.json?only=enable_private_favorites"))); m["enable_private_favorites"] != true {
			t.Errorf("gold: %v", m)
		}
		// A member who already has it (demoted) may keep it on.
		f.set(gold, map[string]any{"level": 20})
		f.expect(f.req("PUT", f.as("gold", fmt.Sprintf("/users/%d.json", gold)), "user[enable_private_favorites]=yes"), 204, "")
	})
}

// §14.33: deleting an account renames it user_<id>; the old name is a past
// name that staff can find (other users see no history of deleted users).
func TestDanbooru14_33_DeletionRename(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		r0 := f.req("POST", "/users.json", "user[name]=Leaver&user[password]=hunter22&user[email_address][address]=leaver@example.com")
		f.status(r0, 201)
		id := int64(f.object(r0)["id"].(float64))
		f.user("member", nil)
		f.user("mod", map[string]any{"level": 40})
		key := f.key("Leaver")
		f.status(f.req("PUT", fmt.Sprintf("/users/%d.json?login=leaver&api_key=%s", id, url.QueryEscape(key)),
			"user[per_page]=50&user[time_zone]=Tokyo&user[enable_safe_mode]=1&user[favorite_tags]=x"), 204)
		f.expect(f.req("DELETE", fmt.Sprintf("/users/%d.json?login=leaver&api_key=%s", id, url.QueryEscape(key)), "user[password]=hunter22"), 204, "")
		deleted := fmt.Sprintf("user_%d", id)
		// Settings, e-mail and login times are reset (UserDeletion#delete_user_settings).
		native := facetest.FlatUser(t, f.Want(f.Do("GET", fmt.Sprintf("/v1/users/%d", id), f.ownerTok, nil), 200))
		for k, v := range map[string]any{"name": deleted, "deleted": true, "per_page": float64(20), "timezone": nil, "enable_safe_mode": false,
			"favorite_tags": nil, "email": nil, "last_login_at": nil, "new_post_navigation_layout": false} {
			if native[k] != v {
				t.Errorf("after deletion %s = %#v, want %#v", k, native[k], v)
			}
		}
		f.wantNames(f.get(fmt.Sprintf("/users.json?search[id]=%d", id)), deleted)
		got := f.object(f.get(fmt.Sprintf("/users/%d.json?only=name,is_deleted", id)))
		if got["name"] != deleted || got["is_deleted"] != true {
			t.Errorf("deleted user = %v", got)
		}
		f.wantNames(f.get(f.as("mod", "/users.json?search[any_name_matches]=leaver")), deleted)
		f.wantNames(f.get(f.as("mod", "/users.json?search[any_name_matches]="+deleted)), deleted)
		f.wantNames(f.get(f.as("member", "/users.json?search[any_name_matches]=leaver")))
		f.wantNames(f.get("/users.json?search[any_name_matches]=leaver"))
		// The moderator is sent to the deleted account by its past name.
		if r := f.get(f.as("mod", "/users.json?name=Leaver")); r.Status != 302 {
			t.Errorf("mod name= redirect: %d", r.Status)
		}
		f.expect(f.get(f.as("member", "/users.json?name=Leaver")), 200, "[]")
		// Tokens are gone, settings reset, the name is free again.
		f.expect(f.get(fmt.Sprintf("/profile.json?login=%s&api_key=%s", deleted, url.QueryEscape(key))), 401, danError("SessionLoader::AuthenticationFailure", "Invalid API key"))
		f.signup("leaver", "hunter22")
		// A renamed (not deleted) user's past name is visible to members.
		r := f.user("renamed", nil)
		f.set(r, map[string]any{"name": "renamed2"})
		f.wantNames(f.get(f.as("member", "/users.json?search[any_name_matches]=RENAMED")), "renamed2")
		f.wantNames(f.get("/users.json?search[any_name_matches]=renamed"))
		// The owner may delete members (no password), not Gold+ accounts.
		victim := f.user("victim", nil)
		f.expect(f.req("DELETE", f.as("root", fmt.Sprintf("/users/%d.json", victim)), ""), 204, "")
		f.wantNames(f.get(fmt.Sprintf("/users.json?search[id]=%d", victim)), fmt.Sprintf("user_%d", victim))
	})
}

// §14.34: a refused self-deletion redirects (302) to the deactivation page
// instead of answering an error status (a usersd choice kept from upstream).
func TestDanbooru14_34_FailedDeletionRedirects(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		m := f.signup("Stayer", "hunter22")
		id := int64(m["id"].(float64))
		key := f.key("Stayer")
		path := fmt.Sprintf("/users/%d.json?login=stayer&api_key=%s", id, url.QueryEscape(key))
		loc := fmt.Sprintf("%s/danbooru/users/%d/deactivate", f.Base, id)
		check := func(r facetest.Response) {
			t.Helper()
			if r.Status != 302 || r.Header.Get("Location") != loc {
				t.Fatalf("got %d %q, want 302 %q\n%s", r.Status, r.Header.Get("Location"), loc, r.Body)
			}
		}
		check(f.req("DELETE", path, "user[password]=wrong"))
		check(f.req("DELETE", path, ""))
		check(f.jsonBody("DELETE", path, `{"user":{"password":"wrong"}}`))
		// Banned users and moderators cannot delete themselves.
		f.set(id, map[string]any{"banned": true})
		check(f.req("DELETE", path, "user[password]=hunter22"))
		f.set(id, map[string]any{"banned": false, "level": 40})
		check(f.req("DELETE", path, "user[password]=hunter22"))
		// The owner cannot delete a privileged account.
		gold := f.user("goldie", map[string]any{"level": 30})
		r := f.req("DELETE", f.as("root", fmt.Sprintf("/users/%d.json", gold)), "")
		if r.Status != 302 || !strings.HasSuffix(r.Header.Get("Location"), fmt.Sprintf("/users/%d/deactivate", gold)) {
			t.Errorf("owner deleting gold: %d %s", r.Status, r.Header.Get("Location"))
		}
		if got := f.object(f.get(fmt.Sprintf("/users/%d.json?only=name,is_deleted", id))); got["name"] != "Stayer" || got["is_deleted"] != false {
			t.Errorf("user changed: %v", got)
		}
		// With the right password (and no longer a moderator), it works;
		// a JSON body is read too.
		f.set(id, map[string]any{"level": 20})
		f.expect(f.jsonBody("DELETE", path, `{"user":{"password":"hunter22"}}`), 204, "")
	})
}

// §14.35: a GET with a body is 400.
func TestDanbooru14_35_GetWithBody(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.expect(f.req("GET", "/users.json", "x=1"), 400, danError("ApplicationController::RequestBodyNotAllowedError", "Request body not allowed for GET request"))
		f.expect(f.req("GET", "/profile.json?login=nobody&api_key=x", "x=1"), 400, danError("ApplicationController::RequestBodyNotAllowedError", "Request body not allowed for GET request"))
		f.expect(f.req("GET", "/users.json?search[name]=", "x=1"), 400, danError("ApplicationController::RequestBodyNotAllowedError", "Request body not allowed for GET request"))
		if r := f.req("HEAD", "/users.json", "x=1"); r.Status != 400 {
			t.Errorf("HEAD with a body: %d", r.Status)
		}
		if r := f.req("HEAD", "/users.json", ""); r.Status != 200 || len(r.Body) != 0 {
			t.Errorf("HEAD: %d %q", r.Status, r.Body)
		}
	})
}

// §14.36: an unsupported format is 406 (rendered as HTML); .json and .xml
// choose the format reliably.
func TestDanbooru14_36_UnsupportedFormat(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		for path, mime := range map[string]string{
			"/users.atom":       "application/atom+xml",
			"/users?format=jpg": "image/jpeg",
			"/users/1.js":       "text/javascript",
			"/profile.png":      "image/png",
		} {
			r := f.get(path)
			if r.Status != 406 || !strings.Contains(string(r.Body), mime+" is not a supported format for this page") ||
				!strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s: %d %s\n%s", path, r.Status, r.Header.Get("Content-Type"), r.Body)
			}
		}
		if r := f.get("/users", "Accept", "image/png"); r.Status != 406 {
			t.Errorf("Accept: image/png: %d", r.Status)
		}
		if r := f.get("/users"); r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("no format: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		if r := f.get("/users", "Accept", "*/*"); !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("*/*: %s", r.Header.Get("Content-Type"))
		}
		for path, ct := range map[string]string{"/users.json": "application/json; charset=utf-8", "/users.xml": "application/xml; charset=utf-8"} {
			if r := f.get(path, "Accept", "text/html"); r.Status != 200 || r.Header.Get("Content-Type") != ct {
				t.Errorf("%s: %d %s", path, r.Status, r.Header.Get("Content-Type"))
			}
		}
		f.expect(f.get("/nowhere.json"), 404, `{"success":false,"error":"NilClass","message":"Page not found","backtrace":null}`+"\n")
		f.expect(f.req("POST", "/users/1.json", ""), 404, `{"success":false,"error":"NilClass","message":"Page not found","backtrace":null}`+"\n")
	})
}

// §14.37: search[inviter_name] naming nobody finds users without an
// inviter, as upstream does (find_by_name's nil reaches where(inviter:)).
func TestDanbooru14_37_InviterNameQuirk(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		boss := f.user("Boss", map[string]any{"level": 40})
		f.user("invited", map[string]any{"inviter_id": boss})
		f.user("loner", nil)
		f.wantNames(f.get("/users.json?search[inviter_name]=nobody"), "loner", "Boss", "root")
		f.wantNames(f.get("/users.json?search[inviter_name]=boss"), "invited")
		f.wantNames(f.get("/users.json?search[inviter_name]=BO*"), "invited")
		f.wantNames(f.get("/users.json?search[inviter_name]=zz*"))
		f.wantNames(f.get("/users.json?search[has_inviter]=true"), "invited")
		f.wantNames(f.get("/users.json?search[inviter][level]=40"), "invited")
		f.wantNames(f.get("/users.json?search[inviter][name]=boss&search[inviter][level]=50"))
		f.wantNames(f.get(fmt.Sprintf("/users.json?search[inviter_id]=%d", boss)), "invited")
	})
}

// The routes beside §14: the legacy redirect, level changes, has_<assoc>
// searches, and mounting the face at "/".
func TestDanbooruRoutes(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		id := f.user("member", map[string]any{"post_upload_count": 2, "comment_count": 1})
		f.user("mod", map[string]any{"level": 40})
		f.user("admin", map[string]any{"level": 50})
		r := f.get(fmt.Sprintf("/user/show/%d", id))
		if r.Status != 301 || r.Header.Get("Location") != fmt.Sprintf("%s/danbooru/users/%d", f.Base, id) {
			t.Errorf("legacy: %d %s", r.Status, r.Header.Get("Location"))
		}
		f.wantNames(f.get("/users.json?search[has_posts]=true&search[has_comments]=yes"), "member")
		f.wantNames(f.get("/users.json?search[has_posts]=false&search[id]=>1"), "admin", "mod")
		f.wantNames(f.get("/users.json?search[has_feedback]=true&search[name]=member"), "member") // unknown: ignored

		// /admin/users/{id}: moderators promote below their own level.
		edit := fmt.Sprintf("%s/danbooru/admin/users/%d/edit", f.Base, id)
		r = f.req("PUT", f.as("mod", fmt.Sprintf("/admin/users/%d", id)), "user[level]=37")
		if r.Status != 302 || r.Header.Get("Location") != edit {
			t.Fatalf("promote: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		if m := f.object(f.get(fmt.Sprintf("/users/%d.json?only=level,level_string", id))); m["level"] != float64(37) || m["level_string"] != "Approver" {
			t.Errorf("after promotion: %v", m)
		}
		privilege := danError("User::PrivilegeError", "Access denied")
		f.expect(f.req("PUT", f.as("mod", fmt.Sprintf("/admin/users/%d.json", id)), "user[level]=40"), 403, privilege) // to their rank
		f.expect(f.req("PUT", f.as("mod", fmt.Sprintf("/admin/users/%d.json", id)), "user[level]=0"), 403, privilege)  // not a level
		f.expect(f.req("PUT", f.as("mod", fmt.Sprintf("/admin/users/%d.json", id)), "user[level]=21"), 403, privilege) // not a level
		f.expect(f.req("PUT", f.as("admin", fmt.Sprintf("/admin/users/%d.json", f.ownerID)), "user[level]=20"), 403, privilege)
		modID := int64(f.list(f.get("/users.json?search[name]=mod"))[0]["id"].(float64))
		f.expect(f.req("PUT", f.as("mod", fmt.Sprintf("/admin/users/%d.json", modID)), "user[level]=20"), 403, privilege) // themselves
		f.expect(f.req("PUT", f.as("member", fmt.Sprintf("/admin/users/%d.json", modID)), "user[level]=20"), 403, danError("Pundit::NotAuthorizedError", "Access denied"))
		r = f.jsonBody("PATCH", f.as("admin", fmt.Sprintf("/admin/users/%d.json", id)), `{"user":{"level":"20"}}`)
		if r.Status != 302 {
			t.Errorf("admin demote: %d %s", r.Status, r.Body)
		}

		// cause_error forces an error page; url= sets a sign-up's Location.
		f.expect(f.get("/users.json?cause_error=418"), 418, danError("StandardError", ""))
		f.expect(f.get("/users.json?cause_error=200"), 500, danError("ArgumentError", ""))
		if r := f.req("POST", "/users.json", "user[name]=urly&user[password]=hunter22&url=/posts"); r.Status != 201 || r.Header.Get("Location") != "/posts" {
			t.Errorf("sign-up with url=: %d %s", r.Status, r.Header.Get("Location"))
		}

		// Mounted at "/", the same routes answer at the root.
		s2 := facetest.Start(t, b, "--mount", "danbooru=/")
		resp, err := danClient.Get(s2.Base + "/users.json?search[name]=")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 302 || resp.Header.Get("Location") != s2.Base+"/users.json" {
			t.Errorf("root mount: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, err = danClient.Get(s2.Base + "/profile.json")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("root mount profile: %d", resp.StatusCode)
		}
	})
}
