package facetest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/face/danbooru"
	"usersd/internal/face/drf"
	"usersd/internal/face/e621"
	"usersd/internal/face/native"
	"usersd/internal/face/pronouns"
	"usersd/internal/face/reviewboard"
	"usersd/internal/facetest"
)

func TestMain(m *testing.M) { os.Exit(facetest.Main(m)) }

// The authorization matrix: every route of every face, called by every
// kind of caller, with the status each must get and, for reads, only the
// fields the face's visibility profile lets that caller see. A route
// without a row fails the test, so a new route or face must add its rows.

// callers, in the order of a row's statuses. The banned caller acts on
// the target here; standing_test.go holds the banned user's rows on their
// own account, and the searches on hidden fields.
var callers = []string{"anon", "self", "member", "mod", "admin", "owner", "banned", "deleted", "revoked", "readonly"}

// row is one route's expectations. want holds one status per caller, in
// the order of callers. fresh gives every caller a new target user, for
// routes that change or delete it; deletedTarget makes that target deleted
// first.
type row struct {
	want          string
	path          string // below the face's mount; {id} is the target's id, {xid} its xid, {flag} the xid of a pride flag of the target's
	ctype, body   string // {name} is replaced by a unique name
	fresh         bool
	deletedTarget bool
}

// faceUnderTest is one face: where it is mounted, how callers present
// their key, its routes and its profile.
type faceUnderTest struct {
	name    string
	mount   string
	routes  []string
	profile *core.Profile
	auth    func(r *http.Request, name, key string)
	keys    map[string]string // wire key → registry field, where they differ
	rows    map[string]row
}

func bearer(r *http.Request, _, key string) { r.Header.Set("Authorization", "Bearer "+key) }

func rbToken(r *http.Request, _, key string) { r.Header.Set("Authorization", "token "+key) }

func drfToken(r *http.Request, _, key string) { r.Header.Set("Authorization", "Token "+key) }

func basic(r *http.Request, name, key string) {
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(name+":"+key)))
}

const form = "application/x-www-form-urlencoded"

// onePixelPNG is a 1×1 PNG data URI, for rows that upload an image.
const onePixelPNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

var faces = []faceUnderTest{
	{
		name: "native", mount: "/v1", routes: native.Routes(), profile: core.NativeProfile, auth: bearer,
		rows: map[string]row{
			"GET /openapi.json":        {want: "200 200 200 200 200 200 200 401 401 200", path: "/openapi.json"},
			"POST /login":              {want: "401 401 401 401 401 401 401 401 401 403", path: "/login", body: `{"name":"nobody-{name}","password":"wrong password"}`},
			"GET /users":               {want: "200 200 200 200 200 200 200 401 401 200", path: "/users?limit=1000"},
			"POST /users":              {want: "201 201 201 201 201 201 201 401 401 403", path: "/users", body: `{"name":"{name}","password":"password-{name}"}`},
			"GET /users/export":        {want: "401 403 403 403 200 200 403 401 401 403", path: "/users/export"},
			"POST /users/import":       {want: "401 403 403 403 200 200 403 401 401 403", path: "/users/import", ctype: "application/x-ndjson", body: `{"name":"{name}"}`},
			"GET /users/{id}":          {want: "200 200 200 200 200 200 200 401 401 200", path: "/users/{id}"},
			"PATCH /users/{id}":        {want: "401 200 403 403 200 200 403 401 401 403", path: "/users/{id}", body: `{"bio":"matrix"}`},
			"DELETE /users/{id}":       {want: "401 204 403 403 204 204 403 401 401 403", path: "/users/{id}", fresh: true},
			"POST /users/{id}/restore": {want: "401 401 404 403 200 200 404 401 401 401", path: "/users/{id}/restore", fresh: true, deletedTarget: true},
			"GET /users/{id}/names":    {want: "200 200 200 200 200 200 200 401 401 200", path: "/users/{id}/names"},
			"GET /me":                  {want: "401 200 200 200 200 200 200 401 401 200", path: "/me"},
			"PATCH /me":                {want: "401 200 200 200 200 200 403 401 401 403", path: "/me", body: `{"bio":"matrix"}`},
			"GET /me/tokens":           {want: "401 200 200 200 200 200 200 401 401 200", path: "/me/tokens"},
			"POST /me/tokens":          {want: "401 201 201 201 201 201 403 401 401 403", path: "/me/tokens", body: `{"label":"matrix"}`},
			"DELETE /me/tokens/{id}":   {want: "401 204 404 404 404 404 404 401 401 403", path: "/me/tokens/{token}", fresh: true},
			"GET /audit":               {want: "401 403 403 403 200 200 403 401 401 403", path: "/audit"},
			"GET /audit/export":        {want: "401 403 403 403 200 200 403 401 401 403", path: "/audit/export"},
			// Webhooks are admins' alone; an unknown one is a 404 only to them.
			"GET /webhooks": {want: "401 403 403 403 200 200 403 401 401 403", path: "/webhooks"},
			"POST /webhooks": {want: "401 403 403 403 201 201 403 401 401 403", path: "/webhooks",
				body: `{"url":"http://127.0.0.1:9/{name}","events":["flag.deleted"],"enabled":false}`},
			"GET /webhooks/{id}":                       {want: "401 403 403 403 404 404 403 401 401 403", path: "/webhooks/999999"},
			"PATCH /webhooks/{id}":                     {want: "401 403 403 403 404 404 403 401 401 403", path: "/webhooks/999999", body: `{"enabled":true}`},
			"DELETE /webhooks/{id}":                    {want: "401 403 403 403 404 404 403 401 401 403", path: "/webhooks/999999"},
			"POST /webhooks/{id}/rotate-secret":        {want: "401 403 403 403 404 404 403 401 401 403", path: "/webhooks/999999/rotate-secret"},
			"POST /webhooks/{id}/test":                 {want: "401 403 403 403 404 404 403 401 401 403", path: "/webhooks/999999/test"},
			"GET /webhooks/{id}/deliveries":            {want: "401 403 403 403 404 404 403 401 401 403", path: "/webhooks/999999/deliveries"},
			"GET /webhooks/{id}/deliveries/{delivery}": {want: "401 403 403 403 404 404 403 401 401 403", path: "/webhooks/999999/deliveries/1"},
			"POST /webhooks/{id}/deliveries/{delivery}/retry": {want: "401 403 403 403 404 404 403 401 401 403",
				path: "/webhooks/999999/deliveries/1/retry"},
		},
	},
	{
		name: "danbooru", mount: "/danbooru", routes: danbooru.Routes(), profile: danbooru.Profile, auth: basic,
		keys: map[string]string{"last_logged_in_at": "last_login_at", "last_ip_addr": "last_ip", "is_banned": "banned",
			"is_deleted": "deleted", "time_zone": "timezone", "is_verified": "email_verified"},
		rows: map[string]row{
			"GET /users":              {want: "200 200 200 200 200 200 200 401 401 200", path: "/users.json?limit=1000"},
			"POST /users":             {want: "201 403 403 403 403 403 403 401 401 403", path: "/users.json", ctype: form, body: "user[name]={name}&user[password]=password-{name}"},
			"GET /users/{id}":         {want: "200 200 200 200 200 200 200 401 401 200", path: "/users/{id}.json"},
			"PUT /users/{id}":         {want: "403 204 403 403 403 403 403 401 401 403", path: "/users/{id}.json", ctype: form, body: "user[per_page]=30"},
			"PATCH /users/{id}":       {want: "403 204 403 403 403 403 403 401 401 403", path: "/users/{id}.json", ctype: form, body: "user[per_page]=30"},
			"DELETE /users/{id}":      {want: "403 204 403 403 403 204 403 401 401 403", path: "/users/{id}.json", ctype: form, body: "user[password]={password}", fresh: true},
			"GET /profile":            {want: "200 200 200 200 200 200 200 401 401 200", path: "/profile.json"},
			"PUT /admin/users/{id}":   {want: "403 403 403 302 302 302 403 401 401 403", path: "/admin/users/{id}.json", ctype: form, body: "user[level]=30", fresh: true},
			"PATCH /admin/users/{id}": {want: "403 403 403 302 302 302 403 401 401 403", path: "/admin/users/{id}.json", ctype: form, body: "user[level]=30", fresh: true},
			"GET /user/show/{id}":     {want: "301 301 301 301 301 301 301 401 401 301", path: "/user/show/{id}"},
		},
	},
	{
		name: "e621", mount: "/e621", routes: e621.Routes, profile: e621.Profile, auth: basic,
		keys: map[string]string{"profile_about": "bio", "profile_artinfo": "artist_info", "avatar_id": "avatar_post_id",
			"is_banned": "banned", "last_logged_in_at": "last_login_at", "enable_privacy_mode": "enable_private_favorites",
			"time_zone": "timezone", "has_mail": "unread_dmail_count", "is_verified": "requires_verification"},
		rows: map[string]row{
			// The legacy API treats bad credentials as anonymous.
			"GET /user":                    {want: "200 200 200 200 200 200 200 200 200 200", path: "/user.json"},
			"GET /user/index":              {want: "200 200 200 200 200 200 200 200 200 200", path: "/user/index.json"},
			"GET /user/show":               {want: "404 200 200 200 200 200 404 404 404 200", path: "/user/show.json"},
			"GET /user/show/{id}":          {want: "200 200 200 200 200 200 200 200 200 200", path: "/user/show/{id}.json"},
			"GET /users":                   {want: "200 200 200 200 200 200 401 401 401 200", path: "/users.json?limit=320"},
			"POST /users":                  {want: "201 403 403 403 403 403 401 401 401 403", path: "/users.json", ctype: form, body: "user[name]={name}&user[password]=correct-horse-{name}&user[password_confirmation]=correct-horse-{name}"},
			"GET /users/me":                {want: "200 200 200 200 200 200 401 401 401 200", path: "/users/me.json"},
			"GET /users/upload_limit":      {want: "403 200 200 200 200 200 401 401 401 200", path: "/users/upload_limit.json"},
			"GET /users/{id}":              {want: "200 200 200 200 200 200 401 401 401 200", path: "/users/{id}.json"},
			"PATCH /users/{id}":            {want: "403 204 204 204 204 204 401 401 401 403", path: "/users/{id}.json", ctype: form, body: "user[comment_threshold]=-5"},
			"PUT /users/{id}":              {want: "403 204 204 204 204 204 401 401 401 403", path: "/users/{id}.json", ctype: form, body: "user[comment_threshold]=-5"},
			"GET /users/{id}/upload_limit": {want: "403 200 200 200 200 200 401 401 401 200", path: "/users/{id}/upload_limit.json"},
		},
	},
	{
		// Anyone reads; a token that fails (a deleted user's, a revoked
		// one) is 401 code 104. Creates are for superusers (admin, owner;
		// holders of auth.add_user are in the face's tests), 401 code 103
		// anonymously, else 403 code 101, a read-only token's too. Updates
		// are the user's own and, by the core's rank rule, staff's over
		// members; a banned caller changes nothing.
		name: "reviewboard", mount: "/reviewboard", routes: reviewboard.Routes, profile: reviewboard.Profile, auth: rbToken,
		keys: map[string]string{"username": "name", "is_active": "active"},
		rows: map[string]row{
			"GET /api/":                  {want: "200 200 200 200 200 200 200 401 401 200", path: "/api/"},
			"GET /api/users/":            {want: "200 200 200 200 200 200 200 401 401 200", path: "/api/users/?max-results=200&include-inactive=1"},
			"POST /api/users/":           {want: "401 403 403 403 201 201 403 401 401 403", path: "/api/users/", ctype: form, body: "username={name}&email={name}@example.com&password=password-{name}"},
			"GET /api/users/{username}/": {want: "200 200 200 200 200 200 200 401 401 200", path: "/api/users/target/"},
			"PUT /api/users/{username}/": {want: "401 200 403 200 200 200 403 401 401 403", path: "/api/users/target/", ctype: form, body: "first_name=matrix"},
		},
	},
	{
		// DRF commerce: staff alone read and create (403 for members, the
		// banned and read-only keys; spec/fields.md §5 Q2); a deleted
		// user's or revoked key is 401 everywhere, login included, where a
		// valid key still leaves wrong credentials a 400.
		name: "drf", mount: "/drf", routes: drf.Routes, profile: drf.Profile, auth: drfToken,
		keys: map[string]string{"pk": "id", "username": "name", "date_joined": "created_at", "modified_date": "updated_at",
			"last_login": "last_login_at", "language_code": "language", "is_active": "active", "is_anonymized": "anonymized",
			"is_staff": "level", "is_superuser": "level"},
		rows: map[string]row{
			"GET /users/":          {want: "401 403 403 200 200 200 403 401 401 403", path: "/users/?limit=100"},
			"POST /users/":         {want: "401 403 403 201 201 201 403 401 401 403", path: "/users/", body: `{"username":"{name}","password":"password-{name}"}`},
			"HEAD /users/":         {want: "401 403 403 200 200 200 403 401 401 403", path: "/users/"},
			"OPTIONS /users/":      {want: "401 403 403 200 200 200 403 401 401 403", path: "/users/"},
			"GET /users/{id}/":     {want: "401 403 403 200 200 200 403 401 401 403", path: "/users/{id}/"},
			"HEAD /users/{id}/":    {want: "401 403 403 200 200 200 403 401 401 403", path: "/users/{id}/"},
			"OPTIONS /users/{id}/": {want: "401 403 403 200 200 200 403 401 401 403", path: "/users/{id}/"},
			"POST /auth/login/":    {want: "400 400 400 400 400 400 400 401 401 400", path: "/auth/login/", body: `{"username":"nobody-{name}","password":"wrong password"}`},
			"OPTIONS /auth/login/": {want: "200 200 200 200 200 200 200 401 401 200", path: "/auth/login/"},
		},
	},
	{
		// No token on an auth-only route is 403, a bad (revoked, or a
		// deleted user's) token 401 everywhere, a read-only token on a
		// write (the reroll GET included) 403 (spec §2); banned callers may
		// change nothing (403) before a flag is looked up. A flag that is
		// not the caller's is 404 (§8.4), a member that is not the
		// caller's 403 code 3004 on writes. Users are keyed by xid here.
		name: "pronouns", mount: "/pronouns", routes: pronouns.Routes, profile: pronouns.Profile, auth: bearer,
		keys: map[string]string{"names": "preferred_names", "fields": "profile_fields", "last_sid_reroll": "last_sid_reroll_at"},
		rows: map[string]row{
			"GET /api/v1/users/{ref}":             {want: "200 200 200 200 200 200 200 401 401 200", path: "/api/v1/users/{xid}"},
			"GET /api/v1/users/{ref}/members":     {want: "200 200 200 200 200 200 200 401 401 200", path: "/api/v1/users/{xid}/members"},
			"GET /api/v1/users/@me":               {want: "403 200 200 200 200 200 200 401 401 200", path: "/api/v1/users/@me"},
			"PATCH /api/v1/users/@me":             {want: "403 200 200 200 200 200 403 401 401 403", path: "/api/v1/users/@me", body: `{"bio":"matrix"}`},
			"GET /api/v1/users/@me/flags":         {want: "403 200 200 200 200 200 200 401 401 200", path: "/api/v1/users/@me/flags"},
			"POST /api/v1/users/@me/flags":        {want: "403 200 200 200 200 200 403 401 401 403", path: "/api/v1/users/@me/flags", body: `{"flag":"` + onePixelPNG + `","name":"matrix"}`},
			"PATCH /api/v1/users/@me/flags/{id}":  {want: "403 200 404 404 404 404 403 401 401 403", path: "/api/v1/users/@me/flags/{flag}", body: `{"name":"matrix"}`},
			"DELETE /api/v1/users/@me/flags/{id}": {want: "403 204 404 404 404 404 403 401 401 403", path: "/api/v1/users/@me/flags/{flag}", fresh: true},
			// Every caller rerolls their own short id once: fresh users may.
			"GET /api/v1/users/@me/reroll": {want: "403 200 200 200 200 200 403 401 401 403", path: "/api/v1/users/@me/reroll", fresh: true},
			// Members: public reads; only the owner writes (3004).
			"GET /api/v1/users/@me/members":               {want: "403 200 200 200 200 200 200 401 401 200", path: "/api/v1/users/@me/members"},
			"GET /api/v1/users/@me/members/{memberRef}":   {want: "403 200 404 404 404 404 404 401 401 200", path: "/api/v1/users/@me/members/{member}"},
			"GET /api/v1/users/{ref}/members/{memberRef}": {want: "200 200 200 200 200 200 200 401 401 200", path: "/api/v1/users/{xid}/members/{member}"},
			"POST /api/v1/members":                        {want: "403 200 200 200 200 200 403 401 401 403", path: "/api/v1/members", body: `{"name":"{name}"}`},
			"GET /api/v1/members/{id}":                    {want: "200 200 200 200 200 200 200 401 401 200", path: "/api/v1/members/{member}"},
			"PATCH /api/v1/members/{id}":                  {want: "403 200 403 403 403 403 403 401 401 403", path: "/api/v1/members/{member}", body: `{"bio":"matrix"}`},
			"DELETE /api/v1/members/{id}":                 {want: "403 204 403 403 403 403 403 401 401 403", path: "/api/v1/members/{member}", fresh: true},
			"GET /api/v1/members/{id}/reroll":             {want: "403 200 403 403 403 403 403 401 401 403", path: "/api/v1/members/{member}/reroll", fresh: true},
		},
	},
}

// account is a fixture user with a write key and, for the target, a
// read-only key.
type account struct {
	user     *core.User
	key      string
	readKey  string
	password string
}

// fixture is one server and its callers.
type fixture struct {
	t       *testing.T
	s       *facetest.Server
	svc     *core.Service
	callers map[string]*account
	target  *account
	n       int
}

func (f *fixture) make(name string, level int, password string) *account {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.svc.CreateUser(ctx, core.System, core.NewUser{Name: name, Password: password, Fields: core.Patch{"level": int64(level)}})
	if err != nil {
		f.t.Fatal(err)
	}
	key, _, err := f.svc.CreateToken(ctx, core.System, u.ID, "matrix", core.ScopeWrite)
	if err != nil {
		f.t.Fatal(err)
	}
	read, _, err := f.svc.CreateToken(ctx, core.System, u.ID, "matrix-read", core.ScopeRead)
	if err != nil {
		f.t.Fatal(err)
	}
	return &account{user: u, key: key, readKey: read, password: password}
}

func (f *fixture) unique(prefix string) string {
	f.n++
	return fmt.Sprintf("%s%d", prefix, f.n)
}

func newFixture(t *testing.T, b facetest.Backend) *fixture {
	s := facetest.Start(t, b)
	f := &fixture{t: t, s: s, svc: core.NewService(b.Open(t)), callers: map[string]*account{}}
	ctx := context.Background()
	f.target = f.make("target", core.LevelMember, "password-target")
	f.callers["member"] = f.make("member", core.LevelMember, "")
	f.callers["mod"] = f.make("mod", core.LevelModerator, "")
	f.callers["admin"] = f.make("admin", core.LevelAdmin, "")
	f.callers["owner"] = f.make("owner", core.LevelOwner, "")
	banned := f.make("banned", core.LevelMember, "")
	if _, err := f.svc.UpdateUser(ctx, core.System, banned.user.ID, core.Update{Fields: core.Patch{"banned": true}}); err != nil {
		t.Fatal(err)
	}
	banned.user.Banned = true
	f.callers["banned"] = banned
	gone := f.make("gone", core.LevelMember, "")
	if err := f.svc.DeleteUser(ctx, core.System, gone.user.ID); err != nil {
		t.Fatal(err)
	}
	f.callers["deleted"] = gone
	revoked := f.make("revoked", core.LevelMember, "")
	ts, _ := f.svc.ListTokens(ctx, core.System, revoked.user.ID)
	for _, tk := range ts {
		if err := f.svc.RevokeToken(ctx, core.System, revoked.user.ID, tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	f.callers["revoked"] = revoked
	return f
}

func TestAuthorizationMatrix(t *testing.T) {
	for _, face := range faces {
		for _, route := range face.routes {
			if _, ok := face.rows[route]; !ok {
				t.Errorf("%s: route %q has no row in the authorization matrix", face.name, route)
			}
		}
		for route := range face.rows {
			if !slices.Contains(face.routes, route) {
				t.Errorf("%s: row %q names no route of the face", face.name, route)
			}
		}
	}
	if t.Failed() {
		return
	}
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b)
		for _, face := range faces {
			routes := slices.Sorted(func(yield func(string) bool) {
				for r := range face.rows {
					if !yield(r) {
						return
					}
				}
			})
			for _, route := range routes {
				f.check(face, route, face.rows[route])
			}
		}
	})
}

// check runs one row: one request per caller.
func (f *fixture) check(face faceUnderTest, route string, rw row) {
	t := f.t
	want := strings.Fields(rw.want)
	if len(want) != len(callers) {
		t.Fatalf("%s %s: %d statuses for %d callers", face.name, route, len(want), len(callers))
	}
	method, _, _ := strings.Cut(route, " ")
	for i, who := range callers {
		target := f.target
		if rw.fresh {
			target = f.make(f.unique("fresh"), core.LevelMember, "password-fresh")
		}
		if rw.deletedTarget {
			if err := f.svc.DeleteUser(context.Background(), core.System, target.user.ID); err != nil {
				t.Fatal(err)
			}
			target.user.Deleted = true
		}
		var viewer *core.User
		var name, key string
		switch who {
		case "anon":
		case "self":
			viewer, name, key = target.user, target.user.Name, target.key
		case "readonly":
			viewer, name, key = target.user, target.user.Name, target.readKey
		default:
			a := f.callers[who]
			viewer, name, key = a.user, a.user.Name, a.key
		}
		path := strings.ReplaceAll(rw.path, "{id}", strconv.FormatInt(target.user.ID, 10))
		path = strings.ReplaceAll(path, "{xid}", target.user.XID)
		if strings.Contains(path, "{flag}") {
			fl, err := f.svc.Face(core.NativeProfile).CreateFlag(context.Background(), target.user, core.NewFlag{Image: onePixelPNG, Name: "matrix"})
			if err != nil {
				t.Errorf("%s %s: a flag for the target: %v", face.name, route, err)
				return
			}
			path = strings.ReplaceAll(path, "{flag}", fl.XID)
		}
		if strings.Contains(path, "{member}") {
			m, err := f.svc.Face(core.NativeProfile).CreateMember(context.Background(), target.user, core.MemberInput{Fields: core.Patch{"name": f.unique("member")}})
			if err != nil {
				t.Errorf("%s %s: a member for the target: %v", face.name, route, err)
				return
			}
			path = strings.ReplaceAll(path, "{member}", m.XID)
		}
		if strings.Contains(path, "{token}") {
			ts, err := f.svc.ListTokens(context.Background(), core.System, target.user.ID)
			if err != nil || len(ts) == 0 {
				t.Fatalf("tokens of the target: %v", err)
			}
			path = strings.ReplaceAll(path, "{token}", strconv.FormatInt(ts[0].ID, 10))
		}
		body := strings.NewReplacer("{name}", f.unique("m"), "{password}", target.password).Replace(rw.body)
		req, err := http.NewRequest(method, f.s.Base+face.mount+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case rw.ctype != "":
			req.Header.Set("Content-Type", rw.ctype)
		case body != "":
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			face.auth(req, name, key)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("%s %s as %s: %v", face.name, route, who, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := strconv.Itoa(resp.StatusCode); got != want[i] {
			t.Errorf("%s %s as %s: status %s, want %s\n%.300s", face.name, route, who, got, want[i], raw)
			continue
		}
		if method == http.MethodGet && resp.StatusCode == 200 && strings.Contains(resp.Header.Get("Content-Type"), "json") {
			f.checkFields(face, route, who, viewer, raw)
		}
	}
}

// checkFields asserts that every user object in a read shows only fields
// the face's profile lets the viewer see on that user.
func (f *fixture) checkFields(face faceUnderTest, route, who string, viewer *core.User, raw []byte) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return // JSONP and the like: not a document to check
	}
	users := map[int64]*core.User{f.target.user.ID: f.target.user}
	byXID := map[string]*core.User{f.target.user.XID: f.target.user}
	for _, a := range f.callers {
		users[a.user.ID] = a.user
		byXID[a.user.XID] = a.user
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, y := range x {
				walk(y)
			}
		case map[string]any:
			var target *core.User
			switch id := x["id"].(type) {
			case float64:
				target = users[int64(id)]
			case string: // pronouns.cc keys users by xid
				target = byXID[id]
			}
			if target == nil {
				for _, y := range x {
					walk(y)
				}
				return
			}
			f.checkUser(face, route, who, viewer, target, x)
		}
	}
	walk(v)
}

func (f *fixture) checkUser(face faceUnderTest, route, who string, viewer, target *core.User, obj map[string]any) {
	for k, v := range obj {
		name := k
		if n, ok := face.keys[k]; ok {
			name = n
		}
		fd := core.FieldByName(name)
		if fd == nil {
			if nested, ok := v.(map[string]any); ok {
				// A group of fields (the native API's profile, settings …).
				f.checkUser(face, route, who, viewer, target, nested)
			}
			continue
		}
		if !face.profile.Sees(fd, viewer, target) {
			f.t.Errorf("%s %s as %s: shows %s (%s) of %s, which its profile hides", face.name, route, who, k, name, target.Name)
		}
	}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
