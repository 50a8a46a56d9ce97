package protofuzz_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/danbooru"
	"usersd/internal/face/e621"
	"usersd/internal/face/native"
	"usersd/internal/facetest"
)

// TestProtocolFuzz sends random but well-formed requests to every route
// of every face of a real server, on each backend: path parameters that
// name existing, deleted and missing users, query parameters from each
// face's vocabulary with values from numbers, huge numbers, dates, Unicode,
// ranges and wildcards, random JSON, form and multipart bodies for writes,
// random Accept headers and format suffixes, as anonymous and as each kind
// of caller. Any 5xx (but a 503 with Retry-After, which is load shedding),
// a body not well-formed for its Content-Type, a body without a
// Content-Type, or a dropped or hung connection fails the test.
//
// USERSD_PROTOFUZZ_SEED replays a run (the seed is logged and named in
// every failure); USERSD_PROTOFUZZ_N sets the number of requests per
// backend. A long run:
//
//	USERSD_PROTOFUZZ_N=100000 go test -run TestProtocolFuzz -timeout 2h ./internal/protofuzz
func TestProtocolFuzz(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("USERSD_PROTOFUZZ_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("USERSD_PROTOFUZZ_SEED=%q: %v", s, err)
		}
		seed = v
	}
	n := 2500
	if s := os.Getenv("USERSD_PROTOFUZZ_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("USERSD_PROTOFUZZ_N=%q: want a positive count", s)
		}
		n = v
	}
	t.Logf("USERSD_PROTOFUZZ_SEED=%d USERSD_PROTOFUZZ_N=%d", seed, n)
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		// Failed logins by the thousand would lock the fixtures out and
		// leave the authenticated paths untried.
		s := facetest.Start(t, b, "--login-account-limit", "1000000", "--login-addr-limit", "1000000")
		f := &fuzzer{t: t, s: s, svc: core.NewService(b.Open(t)), seed: seed,
			rng: rand.New(rand.NewPCG(seed, 0x7573657273640a))}
		f.seedUsers()
		start := time.Now()
		statuses := map[int]int{}
		for i := range n {
			if i > 0 && i%250 == 0 {
				f.seedUsers() // random writes ban, delete and demote the callers
			}
			statuses[f.one(i)]++
			if f.failures >= maxFailures {
				t.Errorf("stopping after %d failures (seed %d)", f.failures, seed)
				break
			}
		}
		t.Logf("%s: %d requests in %v, statuses %v", b.Name, n, time.Since(start).Round(time.Millisecond), statuses)
	})
}

const maxFailures = 15

// caller is a fixture account with a write and a read-only key.
type caller struct {
	kind     string // admin, mod, member, banned, deleted, …
	id       int64
	name     string
	key      string
	readKey  string
	password string
}

type fuzzer struct {
	t        *testing.T
	s        *facetest.Server
	svc      *core.Service
	seed     uint64
	rng      *rand.Rand
	callers  []*caller
	ids      []int64 // every fixture user, deleted ones too
	names    []string
	tokenIDs []int64
	round    int
	failures int
	seen     map[string]bool
}

// seedUsers makes a fresh set of callers: owner, admin, moderator, two
// members (one with a password), a banned and a deleted user.
func (f *fuzzer) seedUsers() {
	f.t.Helper()
	f.round++
	ctx := context.Background()
	f.callers = nil
	for _, k := range []struct {
		kind     string
		level    int
		password string
	}{
		{"owner", core.LevelOwner, ""}, {"admin", core.LevelAdmin, ""}, {"mod", core.LevelModerator, ""},
		{"member", core.LevelMember, "password-member-1"}, {"member2", core.LevelMember, ""},
		{"banned", core.LevelMember, ""}, {"deleted", core.LevelMember, ""},
	} {
		name := fmt.Sprintf("pf%d_%s", f.round, k.kind)
		u, err := f.svc.CreateUser(ctx, core.System, core.NewUser{Name: name, Password: k.password, Fields: core.Patch{"level": int64(k.level)}})
		if err != nil {
			f.t.Fatal(err)
		}
		key, tk, err := f.svc.CreateToken(ctx, core.System, u.ID, "fuzz", core.ScopeWrite)
		if err != nil {
			f.t.Fatal(err)
		}
		read, _, err := f.svc.CreateToken(ctx, core.System, u.ID, "fuzz-read", core.ScopeRead)
		if err != nil {
			f.t.Fatal(err)
		}
		switch k.kind {
		case "banned":
			if _, err := f.svc.UpdateUser(ctx, core.System, u.ID, core.Update{Fields: core.Patch{"banned": true}}); err != nil {
				f.t.Fatal(err)
			}
		case "deleted":
			if err := f.svc.DeleteUser(ctx, core.System, u.ID); err != nil {
				f.t.Fatal(err)
			}
		}
		f.callers = append(f.callers, &caller{kind: k.kind, id: u.ID, name: name, key: key, readKey: read, password: k.password})
		f.ids = append(f.ids, u.ID)
		f.names = append(f.names, name)
		f.tokenIDs = append(f.tokenIDs, tk.ID)
	}
}

// face is one face under test: its mount, routes and vocabulary.
type face struct {
	name      string
	mount     string
	routes    []string
	suffixes  []string
	params    []string // query keys
	bodyKeys  []string // keys of a write's body (inside user[…] for the Rails faces)
	rails     bool     // Rack parameters, Basic auth, user[…] bodies
	idIsToken map[string]bool
}

var faces = []face{
	{
		name: "native", mount: "/v1", routes: native.Routes(), suffixes: []string{"", "", "", "", "", "", "", "", "", "", "", "", ".json", ".xml", "/"},
		params:   []string{"filter", "filter", "sort", "limit", "page", "cursor", "total", "fields", "format"},
		bodyKeys: nativeBodyKeys(),
		idIsToken: map[string]bool{
			"DELETE /me/tokens/{id}": true,
		},
	},
	{
		name: "danbooru", mount: "/danbooru", routes: danbooru.Routes(), rails: true,
		suffixes: railsSuffixes,
		params: []string{"limit", "limit", "page", "page", "only", "only", "format", "search[order]", "login", "api_key",
			"callback", "redirect", "commit", "user[name]", "expiry", "search"},
		bodyKeys: []string{"name", "password", "password_confirmation", "old_password", "current_password", "email", "email_address",
			"level", "per_page", "time_zone", "theme", "comment_threshold", "blacklisted_tags", "favorite_tags", "custom_style",
			"default_image_size", "receive_email_notifications", "enable_safe_mode", "show_deleted_children", "disable_post_tooltips",
			"new_post_navigation_layout", "enable_private_favorites", "is_banned", "inviter_id", "upload_points", "can_upload_free",
			"bit_prefs", "reason", "max_level"},
	},
	{
		name: "e621", mount: "/e621", routes: e621.Routes, rails: true,
		suffixes: railsSuffixes,
		params: []string{"limit", "limit", "page", "page", "id", "name", "order", "format", "login", "api_key", "callback",
			"level", "search", "search[order]", "commit", "expiry"},
		bodyKeys: []string{"name", "password", "password_confirmation", "old_password", "current_password", "email",
			"profile_about", "profile_artinfo", "avatar_id", "blacklisted_tags", "comment_threshold", "custom_style", "per_page",
			"time_zone", "default_image_size", "enable_privacy_mode", "enable_auto_complete", "enable_keyboard_navigation",
			"dmail_filter_attributes", "favorite_tags", "show_post_statistics", "hide_comments", "description_collapsed_initially",
			"disable_user_dmails", "receive_email_notifications", "level", "base_upload_limit", "title", "recent_tags"},
	},
}

// railsSuffixes are the format extensions the Rails faces get, weighted
// to the ones they serve.
var railsSuffixes = []string{"", "", "", ".json", ".json", ".json", ".json", ".xml", ".xml", ".xml", ".html", ".atom",
	".js", ".txt", ".JSON", ".json.xml", "."}

// danbooruSearch and e621Search are the search keys each face reads
// (danbooru: with the attribute suffixes of Searchable).
var (
	danbooruAttrs = []string{"id", "name", "level", "created_at", "updated_at", "inviter_id", "email", "last_ip_addr",
		"last_logged_in_at", "post_upload_count", "post_update_count", "note_update_count", "favorite_count", "comment_count",
		"forum_post_count", "is_banned", "is_deleted", "bit_prefs", "per_page", "theme", "time_zone", "upload_points"}
	danbooruSuffixes = []string{"", "", "", "_eq", "_not_eq", "_not", "_lt", "_gt", "_lteq", "_gteq", "_like", "_ilike",
		"_not_like", "_not_ilike", "_regex", "_not_regex", "_present", "_array", "_comma", "_space", "_lower_array",
		"_lower_comma", "_lower_space"}
	danbooruSpecial = []string{"name_matches", "any_name_matches", "name_or_past_name_matches", "min_level", "max_level",
		"current_user_first", "has_inviter", "has_posts", "has_comments", "has_bans", "has_feedback", "inviter[name]",
		"inviter[id]", "inviter[inviter][name_matches]", "inviter[level]", "order", "is_banned", "is_deleted"}
	e621Search = []string{"id", "name", "name_matches", "about_me", "avatar_id", "level", "min_level", "max_level",
		"can_upload_free", "can_approve_posts", "email_matches", "ip_addr", "order", "created_at", "updated_at",
		"post_upload_count", "post_update_count", "note_update_count", "favorite_count", "comment_count", "forum_post_count",
		"is_banned", "user_id", "blacklisted_tags", "per_page", "custom_title", "has_artist_tags", "is_verified"}
)

// nativeBodyKeys are the registry's fields, flat and in their groups, and
// the write requests' special members.
func nativeBodyKeys() []string {
	keys := []string{"name", "password", "current_password", "label", "scope", "expires_at", "expires_in"}
	for _, fd := range core.Fields {
		keys = append(keys, fd.Name)
	}
	return keys
}

var nativeGroups = []string{"profile", "settings", "danbooru", "e621", "counters"}

var accepts = []string{"", "", "*/*", "application/json", "application/xml", "text/xml", "text/html", "text/plain",
	"application/json;q=0.5, application/xml", "application/xml;q=0.1, application/json", "application/atom+xml",
	"application/problem+json", "application/*", "image/png", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
	"application/vnd.api+json", "*/*;q=0"}

// one sends the i-th request and checks the answer; it returns the status.
func (f *fuzzer) one(i int) int {
	g := f.rng
	fc := faces[g.IntN(len(faces))]
	route := fc.routes[g.IntN(len(fc.routes))]
	method, pattern, _ := strings.Cut(route, " ")
	if fc.rails && method == "GET" && g.IntN(10) == 0 {
		method = "POST" // legacy routes ignore the verb; others must refuse it cleanly
	}
	if g.IntN(40) == 0 {
		method = pick(g, []string{"HEAD", "OPTIONS", "PUT", "DELETE"})
	}
	path := pattern
	if i := strings.Index(path, "{id}"); i >= 0 { // pathID draws from the generator only when there is an id
		path = path[:i] + url.PathEscape(f.pathID(fc, route)) + path[i+len("{id}"):]
	}
	path += pick(g, fc.suffixes)

	q := url.Values{}
	for range g.IntN(5) {
		k := f.paramName(fc)
		q.Add(k, f.paramValue(fc, k))
	}
	raw := q.Encode()
	if fc.rails && g.IntN(8) == 0 {
		// Rack's own spellings: unencoded brackets, arrays, repeated keys.
		raw = strings.NewReplacer("%5B", "[", "%5D", "]").Replace(raw)
		if g.IntN(2) == 0 {
			raw += "&search[name_array][]=" + url.QueryEscape(f.value()) + "&search[name_array][]=" + url.QueryEscape(f.value())
		}
	}
	target := f.s.Base + fc.mount + path
	if raw != "" {
		target += "?" + raw
	}

	var body []byte
	var ctype string
	if method != "GET" && method != "HEAD" && (method != "DELETE" || g.IntN(3) == 0) && (method != "OPTIONS") {
		ctype, body = f.body(fc, route)
	}
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		f.t.Fatalf("seed %d case %d: building %s %s: %v", f.seed, i, method, target, err)
	}
	if body == nil {
		req.Body, req.ContentLength = nil, 0
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if a := pick(g, accepts); a != "" {
		req.Header.Set("Accept", a)
	}
	if g.IntN(10) == 0 {
		req.Header.Set("Origin", "https://example.test")
	}
	who := f.authorize(fc, req)

	status, problem := f.send(req, fc.name == "danbooru" && req.URL.Query().Has("cause_error"))
	if problem != "" {
		f.fail(i, fc, route, who, req, body, status, problem)
	}
	return status
}

// pathID fills a route's {id}: an existing, deleted or missing user, by
// id or by name, or a token id on token routes.
func (f *fuzzer) pathID(fc face, route string) string {
	g := f.rng
	if fc.idIsToken[route] {
		if g.IntN(4) > 0 {
			return strconv.FormatInt(f.tokenIDs[g.IntN(len(f.tokenIDs))], 10)
		}
	}
	switch g.IntN(14) {
	case 0, 1, 2, 3, 10, 11, 12, 13:
		return strconv.FormatInt(f.ids[g.IntN(len(f.ids))], 10)
	case 4, 5:
		if fc.name == "native" {
			return strconv.FormatInt(f.ids[g.IntN(len(f.ids))], 10)
		}
		n := f.names[g.IntN(len(f.names))]
		if g.IntN(3) == 0 {
			n = strings.ToUpper(n)
		}
		return n
	case 6:
		return pick(g, []string{"0", "-1", "999999999", "9223372036854775807", "9223372036854775808", "99999999999999999999999", "1e3", "0x10", "+1", "01"})
	case 7:
		return pick(g, []string{"me", "@me", "upload_limit", "show", "index", "new", "edit", "restore", "names", "tokens"})
	default:
		return f.value()
	}
}

// paramName picks a query key of the face.
func (f *fuzzer) paramName(fc face) string {
	g := f.rng
	switch fc.name {
	case "danbooru":
		if g.IntN(3) > 0 {
			if g.IntN(4) == 0 {
				return "search[" + pick(g, danbooruSpecial) + "]"
			}
			return "search[" + pick(g, danbooruAttrs) + pick(g, danbooruSuffixes) + "]"
		}
	case "e621":
		if g.IntN(2) == 0 {
			return "search[" + pick(g, e621Search) + "]"
		}
	}
	switch g.IntN(40) {
	case 0:
		return f.value() // an unknown key
	case 1:
		if fc.name == "danbooru" {
			return "cause_error" // Danbooru's testing aid: the status asked for
		}
	}
	return pick(g, fc.params)
}

// paramValue gives a value for a key: the key's own syntax some of the
// time, any value otherwise.
func (f *fuzzer) paramValue(fc face, key string) string {
	g := f.rng
	if g.IntN(3) == 0 {
		return f.value()
	}
	switch key {
	case "filter":
		return f.filter(0)
	case "sort":
		var parts []string
		for range 1 + g.IntN(3) {
			p := f.fieldName()
			if g.IntN(2) == 0 {
				p = "-" + p
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, ",")
	case "fields", "only":
		var parts []string
		for range 1 + g.IntN(4) {
			if g.IntN(3) == 0 {
				parts = append(parts, pick(g, nativeGroups))
			} else {
				parts = append(parts, f.fieldName())
			}
		}
		return strings.Join(parts, ",")
	case "total":
		return pick(g, []string{"true", "false", "1", "yes", ""})
	case "cursor":
		return pick(g, []string{base64.RawURLEncoding.EncodeToString([]byte(`{"o":"id","v":[5]}`)),
			base64.RawURLEncoding.EncodeToString([]byte(`{"o":"-id","v":[99999999999999999999]}`)),
			base64.RawURLEncoding.EncodeToString([]byte(`{"o":"id","v":[null]}`)), "!!", f.value()})
	case "page":
		return pick(g, []string{"1", "2", "0", "-1", "b5", "a5", "b0", "a99999999999999999999", "1000000", "99999999999", f.number()})
	case "limit":
		return pick(g, []string{"0", "1", "5", "320", "1000", "-1", "1e9", f.number()})
	case "login":
		if len(f.callers) > 0 {
			return f.callers[g.IntN(len(f.callers))].name
		}
	case "api_key":
		if len(f.callers) > 0 && g.IntN(2) == 0 {
			return f.callers[g.IntN(len(f.callers))].key
		}
	case "callback":
		return pick(g, []string{"cb", "jQuery123_456", "a.b", "alert(1)", "<x>", ""})
	case "format":
		return pick(g, []string{"json", "xml", "html", "atom", "js", "csv", ""})
	}
	if strings.HasSuffix(key, "order]") || key == "order" {
		return pick(g, []string{"id", "id_asc", "id_desc", "name", "post_upload_count", "note_count", "post_update_count",
			"created_at", "custom", "level", "score", "random", ""})
	}
	return f.value()
}

// fieldName is a registry field name, now and then a made-up one.
func (f *fuzzer) fieldName() string {
	if f.rng.IntN(15) == 0 {
		return pick(f.rng, []string{"nope", "password_hash", "id.x", "", "profile.bio", "settings.per_page"})
	}
	return core.Fields[f.rng.IntN(len(core.Fields))].Name
}

var ops = []string{"=", "!=", "<", "<=", ">", ">=", "contains", "like", "in", "is null", "is not null", "~", "matches", "startswith"}

// filter builds a native filter expression, mostly well-formed.
func (f *fuzzer) filter(depth int) string {
	g := f.rng
	if depth < 3 && g.IntN(3) == 0 {
		l, r := f.filter(depth+1), f.filter(depth+1)
		switch g.IntN(4) {
		case 0:
			return l + " && " + r
		case 1:
			return l + " || " + r
		case 2:
			return "!(" + l + ")"
		default:
			return "(" + l + " || " + r + ") && " + f.filter(depth+1)
		}
	}
	op := pick(g, ops)
	field := f.fieldName()
	switch op {
	case "is null", "is not null":
		return field + " " + op
	case "in":
		var vs []string
		for range 1 + g.IntN(4) {
			vs = append(vs, f.filterValue())
		}
		return field + " in (" + strings.Join(vs, ", ") + ")"
	}
	return field + " " + op + " " + f.filterValue()
}

// filterValue is a literal of the native filter language.
func (f *fuzzer) filterValue() string {
	g := f.rng
	switch g.IntN(6) {
	case 0:
		return f.number()
	case 1:
		return pick(g, []string{"true", "false", "null"})
	case 2:
		return strconv.Quote(pick(g, dates))
	default:
		return strconv.Quote(f.value())
	}
}

// deepJSON is an array nested deeper than either backend stores.
var deepJSON = strings.Repeat("[", 1200) + "1" + strings.Repeat("]", 1200)

var (
	huge = []string{"99999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "2147483647", "2147483648", "-2147483649", "4294967296", "1e308", "1e309", "-1e309",
		"1.7976931348623157e308", "0.000000000000000000001", "NaN", "Infinity", "-0", "1_000", "0x7fffffff", "0b101", "00012"}
	dates = []string{"2024-01-01", "2024-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "-0001-01-01",
		"1970-01-01T00:00:00Z", "2024-01-01T10:00:00+14:00", "2024-01-01T10:00:00-12:00", "2024-01-01 10:00", "2024/01/01",
		"20240101", "Jan 2, 2024", "yesterday", "today", "3d", "1w", "2_weeks_ago", "1y2mo3d", "99999y", "1.5y", "0s",
		"2024-13-45", "1d12h", "2 weeks", "99999999999999999999d", "2024-01-01T00:00:00.123456789Z"}
	unicode = []string{"é", "e\u0301", "café", "ad\u200bmin", "\u00ad", "\u202eevil", "\u0301", "\u3164", "ａｄｍｉｎ",
		"𝐚𝐝𝐦𝐢𝐧", "аdmin", "ß", "SS", "\uFFFE", "\uFFFF", "\U0001F600", "\x00", "\x01\x1f", "\ufeff", "\ud7ff", "日本語",
		"<b>&amp;</b>", "]]>", "\"'", "\\", "%", "_", "?", "\r\n", "\t", " ", "  x  ", "\xff\xfe", "\xc0\x80", "Ⅻ", "İ", "ı"}
	ranges = []string{"1..5", "5..1", ">5", ">=5", "<5", "<=5", "1...3", "5..", "..5", "..", "...", "1,2,3", "1 2 3",
		"1,5..9,>20", "any", "none", ",", "1..2..3", ">", "<", ">=", "2024-01-01..2024-02-01", ">2024-01-01", "<1w",
		"1w..2w", "20,30,40,50", "-5..-1", "99999999999999999999..1"}
	wildcards = []string{"*", "a*", "*a*", "pf*", `\*`, `a\*b*`, "**", "*_*", "%", "%%", "_", "a?c", "[a-z]*", ".*",
		"^pf", "(", "\\", `\\*`}
	bools = []string{"true", "false", "t", "f", "yes", "no", "y", "n", "1", "0", "on", "off", "maybe", "TRUE", "nil", "null"}
)

// number is a small, negative or huge number.
func (f *fuzzer) number() string {
	g := f.rng
	switch g.IntN(4) {
	case 0:
		return pick(g, huge)
	case 1:
		return strconv.Itoa(g.IntN(100) - 10)
	case 2:
		return pick(g, []string{"10", "20", "30", "31", "32", "35", "37", "40", "50", "60", "1.5", "-0.5", "1e2"})
	default:
		return strconv.FormatInt(f.ids[g.IntN(len(f.ids))], 10)
	}
}

// value draws from every family of values.
func (f *fuzzer) value() string {
	g := f.rng
	switch g.IntN(12) {
	case 0, 1:
		return f.number()
	case 2:
		return pick(g, dates)
	case 3:
		return pick(g, unicode)
	case 4:
		return pick(g, unicode) + f.names[g.IntN(len(f.names))] + pick(g, unicode)
	case 5:
		return pick(g, ranges)
	case 6:
		return pick(g, wildcards)
	case 7:
		return pick(g, bools)
	case 8:
		return f.names[g.IntN(len(f.names))]
	case 9:
		return pick(g, []string{"", " ", strings.Repeat("a", 300), strings.Repeat("x", 5000), strings.Repeat("1,", 500),
			strings.Repeat("é", 1000), strings.Repeat("*", 200), strings.Repeat("a*", 60)})
	case 10:
		return f.filter(1)
	default:
		var b strings.Builder
		for range 1 + g.IntN(12) {
			b.WriteRune(rune(g.IntN(0x3000)))
		}
		return b.String()
	}
}

// jsonValue is a random JSON value of any type, with the given string
// source for strings.
func (f *fuzzer) jsonValue(depth int) any {
	g := f.rng
	switch g.IntN(9) {
	case 0, 1, 2:
		return f.value()
	case 3:
		n := f.number()
		if json.Valid([]byte(n)) {
			return json.RawMessage(n)
		}
		return n
	case 4:
		return g.IntN(2) == 0
	case 5:
		return nil
	case 6:
		if depth > 3 {
			return "deep"
		}
		var a []any
		for range g.IntN(4) {
			a = append(a, f.jsonValue(depth+1))
		}
		return a
	case 7:
		if depth > 3 {
			return 0
		}
		m := map[string]any{}
		for range g.IntN(4) {
			m[pick(g, []string{"name", "value", "text", "status", "url", "x", "label", "", "pronoun"})] = f.jsonValue(depth + 1)
		}
		return m
	default:
		return json.RawMessage(pick(g, []string{deepJSON,
			`{"a":{"a":{"a":{"a":{"a":{"a":{"a":{}}}}}}}}`, `1e400`, `-0`, `123456789012345678901234567890`, `"\u0000"`,
			`"\ud800"`, `"\ufffe"`, `{"__proto__":1}`}))
	}
}

// body builds a write's body: JSON for the native API; a form, JSON or
// multipart user[…] hash for the Rails faces; now and then a broken one.
func (f *fuzzer) body(fc face, route string) (string, []byte) {
	g := f.rng
	if g.IntN(25) == 0 {
		return pick(g, []string{"application/json", "application/x-www-form-urlencoded", "text/plain", ""}),
			[]byte(pick(g, []string{`{`, `[]`, `"x"`, `null`, `{"a":1}{"b":2}`, `user[=1&&=`, "\xff\xfe", `{"name":"a","name":"b"}`, ""}))
	}
	fields := map[string]any{}
	n := 1 + g.IntN(4)
	switch route {
	case "POST /users":
		fields["name"] = f.newName()
		fields["password"] = pick(g, []string{"correct-horse-battery", "short", f.value()})
		if fc.rails {
			fields["password_confirmation"] = fields["password"]
		}
		n = g.IntN(3)
	case "POST /login":
		c := f.callers[g.IntN(len(f.callers))]
		fields["name"] = c.name
		fields["password"] = pick(g, []string{c.password, "wrong", f.value()})
		n = g.IntN(2)
	case "POST /me/tokens":
		fields["label"] = f.value()
		fields["scope"] = pick(g, []string{"read", "write", "admin", "", "READ"})
		n = g.IntN(2)
	}
	for range n {
		k := pick(g, fc.bodyKeys)
		if k == "password" && g.IntN(3) > 0 {
			continue // keep the callers' passwords most of the time
		}
		fields[k] = f.jsonValue(0)
	}
	if !fc.rails {
		obj := map[string]any{}
		for k, v := range fields {
			fd := core.FieldByName(k)
			if fd != nil && g.IntN(3) == 0 {
				grp := pick(g, nativeGroups)
				sub, _ := obj[grp].(map[string]any)
				if sub == nil {
					sub = map[string]any{}
					obj[grp] = sub
				}
				sub[k] = v
				continue
			}
			obj[k] = v
		}
		b, err := json.Marshal(obj)
		if err != nil {
			f.t.Fatal(err)
		}
		return pick(g, []string{"application/json", "application/json", "application/json; charset=utf-8", "application/merge-patch+json"}), b
	}
	switch g.IntN(5) {
	case 0:
		b, err := json.Marshal(map[string]any{"user": fields})
		if err != nil {
			f.t.Fatal(err)
		}
		return "application/json", b
	case 1:
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			w.WriteField("user["+k+"]", scalar(v))
		}
		w.Close()
		return w.FormDataContentType(), buf.Bytes()
	default:
		form := url.Values{}
		for k, v := range fields {
			if a, ok := v.([]any); ok && g.IntN(2) == 0 {
				for _, x := range a {
					form.Add("user["+k+"][]", scalar(x))
				}
				continue
			}
			form.Add("user["+k+"]", scalar(v))
		}
		return "application/x-www-form-urlencoded", []byte(form.Encode())
	}
}

// scalar is a form field's text for a JSON value.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case json.RawMessage:
		return string(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// newName is a name for a sign-up: mostly plain, sometimes hostile.
func (f *fuzzer) newName() string {
	g := f.rng
	if g.IntN(3) == 0 {
		return f.value()
	}
	return fmt.Sprintf("pfnew%d_%d", f.round, g.IntN(1_000_000))
}

// authorize presents one caller's credentials (write or read key, in the
// header or, on the Rails faces, in the query), wrong ones, or none; it
// returns who the request claims to be.
func (f *fuzzer) authorize(fc face, req *http.Request) string {
	g := f.rng
	if g.IntN(5) == 0 {
		return "anonymous"
	}
	c := f.callers[g.IntN(len(f.callers))]
	key, how := c.key, "write key"
	switch g.IntN(10) {
	case 0, 1:
		key, how = c.readKey, "read key"
	case 2:
		key, how = "wrong-"+c.key[:4], "wrong key"
	}
	if !fc.rails {
		req.Header.Set("Authorization", "Bearer "+key)
		return c.kind + " (" + how + ")"
	}
	login := c.name
	if g.IntN(8) == 0 {
		login = strings.ToUpper(login)
	}
	if g.IntN(5) == 0 {
		q := req.URL.Query()
		q.Set("login", login)
		q.Set("api_key", key)
		req.URL.RawQuery = q.Encode()
		return c.kind + " (" + how + ", in the query)"
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(login+":"+key)))
	return c.kind + " (" + how + ")"
}

var client = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// send performs the request and returns its status and what is wrong with
// the answer, if anything.
func (f *fuzzer) send(req *http.Request, wantsError bool) (int, string) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, "no answer: " + err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "body cut off: " + err.Error()
	}
	return resp.StatusCode, checkResponse(req, resp, body, wantsError)
}

// checkResponse is the oracle: no server error, a Content-Type on every
// body, and every JSON or XML body well-formed. wantsError excuses the
// 5xx of Danbooru's cause_error, its testing aid that answers the status
// asked for (spec/danbooru.md §1, "a value outside 400..599 → 500").
func checkResponse(req *http.Request, resp *http.Response, body []byte, wantsError bool) string {
	status := resp.StatusCode
	if status >= 500 && !wantsError && !(status == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "") {
		return fmt.Sprintf("server error %d: %.600s", status, body)
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		// A response without content needs no type (RFC 9110 §8.3): 204,
		// 304, answers to HEAD, and redirects without a body, such as
		// Go's ServeMux sends for a path with dot segments on a PATCH.
		bodiless := status == http.StatusNoContent || status == http.StatusNotModified || req.Method == "HEAD" ||
			status >= 300 && status < 400 && resp.Header.Get("Location") != ""
		if len(body) > 0 || !bodiless {
			return fmt.Sprintf("status %d without a Content-Type, body %.300q", status, body)
		}
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Sprintf("Content-Type %q does not parse: %v", ct, err)
	}
	if req.Method == "HEAD" || len(body) == 0 && status == http.StatusNoContent {
		return ""
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		if !json.Valid(body) {
			return fmt.Sprintf("%s body is not JSON: %.600q", mt, body)
		}
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		if err := facetest.CheckXML(body); err != nil {
			return fmt.Sprintf("%s body is not well-formed XML (%v): %.600q", mt, err, body)
		}
	case mt == "application/javascript" || mt == "text/javascript":
		if err := checkJSONP(body); err != nil {
			return fmt.Sprintf("%s body: %v: %.600q", mt, err, body)
		}
	}
	return ""
}

var jsonpRE = regexp.MustCompile(`(?s)^(?:/\*\*/)?\s*(?:typeof [\w.$]+ === 'function' && )?[\w.$\[\]]+\((.*)\);?\s*$`)

// checkJSONP accepts callback(JSON) with the JSON well-formed.
func checkJSONP(b []byte) error {
	m := jsonpRE.FindSubmatch(b)
	if m == nil {
		return errors.New("not a JSONP call")
	}
	if !json.Valid(m[1]) {
		return errors.New("JSONP argument is not JSON")
	}
	return nil
}

// fail reports a failing case once per route, status and kind of problem,
// with the request to replay it and the server's log on a server error.
func (f *fuzzer) fail(i int, fc face, route, who string, req *http.Request, body []byte, status int, problem string) {
	f.t.Helper()
	kind, _, _ := strings.Cut(problem, ":")
	sig := fmt.Sprintf("%s %s %d %s", fc.name, route, status, kind)
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	f.failures++
	if f.seen[sig] {
		return
	}
	f.seen[sig] = true
	msg := fmt.Sprintf("seed %d case %d: %s %s\n  route %s %s as %s\n  Content-Type %q Accept %q\n  body %.400q\n  -> %s",
		f.seed, i, req.Method, req.URL.RequestURI(), fc.name, route, who, req.Header.Get("Content-Type"), req.Header.Get("Accept"), body, problem)
	if status >= 500 || status == 0 {
		msg += "\n  server log:\n" + logTail(f.s.Log(), 2000)
	}
	f.t.Error(msg)
}

func logTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func pick[T any](g *rand.Rand, xs []T) T { return xs[g.IntN(len(xs))] }
