package pronouns_test

// Helpers the black-box tests of the pronouns.cc face share: a fixture
// (one server, users made through the core), requests below the face's
// API root, and the checks every error body gets (spec §3).

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// api is the face's API root at its default mount.
const api = "/pronouns/api/v1"

var (
	xidRE     = regexp.MustCompile(`^[0-9a-v]{20}$`)
	userSIDRE = regexp.MustCompile(`^[a-z]{5}$`)
	memSIDRE  = regexp.MustCompile(`^[a-z]{6}$`)
	hashRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// codeStatus is spec §3's code → HTTP status table.
var codeStatus = map[int]int{
	400: 400, 403: 403, 404: 404, 405: 405, 429: 429, 500: 500,
	1003: 401, 1006: 400, 1007: 400,
	2001: 404, 2002: 403, 2003: 400, 2004: 403,
	3001: 404, 3002: 400, 3003: 400, 3004: 403,
	4001: 413, 4002: 403,
}

// fx is one server and a way to make users on it; sub hands a copy to a
// subtest so that failures report there.
type fx struct {
	t   *testing.T
	s   *facetest.Server
	b   facetest.Backend
	svc *core.Service
	n   *atomic.Int64
}

// newFx starts a server on b. Renames are not rate limited here: several
// cases rename one user more than once.
func newFx(t *testing.T, b facetest.Backend, extra ...string) *fx {
	t.Helper()
	s := facetest.Start(t, b, append([]string{"--rename-cooldown=0"}, extra...)...)
	return &fx{t: t, s: s, b: b, svc: core.NewService(b.Open(t)), n: new(atomic.Int64)}
}

// on returns a copy of f reporting to t.
func (f *fx) on(t *testing.T) *fx {
	g := *f
	g.t = t
	s := *f.s
	s.T = t
	g.s = &s
	return &g
}

// sub runs fn as subtest name of f.t.
func (f *fx) sub(name string, fn func(f *fx)) {
	f.t.Run(name, func(t *testing.T) { fn(f.on(t)) })
}

// acct is a fixture user with a write token and a read-only token.
type acct struct {
	u       *core.User
	id      int64
	xid     string
	name    string
	key     string
	readKey string
}

// user creates a member-level user through the core, named prefix plus a
// counter, with a write and a read-only API token.
func (f *fx) user(prefix string) *acct {
	f.t.Helper()
	return f.userNamed(fmt.Sprintf("%s%d", prefix, f.n.Add(1)))
}

func (f *fx) userNamed(name string) *acct {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.svc.CreateUser(ctx, core.System, core.NewUser{Name: name})
	if err != nil {
		f.t.Fatalf("create user %q: %v", name, err)
	}
	key, _, err := f.svc.CreateToken(ctx, core.System, u.ID, "pronouns-test", core.ScopeWrite)
	if err != nil {
		f.t.Fatal(err)
	}
	read, _, err := f.svc.CreateToken(ctx, core.System, u.ID, "pronouns-test-read", core.ScopeRead)
	if err != nil {
		f.t.Fatal(err)
	}
	a := &acct{u: u, id: u.ID, xid: u.XID, name: name, key: key, readKey: read}
	if a.xid == "" { // read it from the native API
		m := f.s.Want(f.s.Do("GET", fmt.Sprintf("/v1/users/%d", u.ID), "", nil), 200)
		a.xid, _ = m["xid"].(string)
	}
	if !xidRE.MatchString(a.xid) {
		f.t.Fatalf("user %s has xid %q", name, a.xid)
	}
	return a
}

// do sends a request below the API root.
func (f *fx) do(method, path, token string, body any) facetest.Response {
	f.t.Helper()
	return f.s.Do(method, api+path, token, body)
}

// ok sends a request that must answer 200 with a JSON object.
func (f *fx) ok(method, path, token string, body any) map[string]any {
	f.t.Helper()
	r := f.do(method, path, token, body)
	if r.Status != 200 {
		f.t.Fatalf("%s %s: status %d, want 200\n%.500s", method, path, r.Status, r.Body)
	}
	return object(f.t, r)
}

// get reads a user as the holder of token ("" anonymous).
func (f *fx) get(ref, token string) map[string]any {
	f.t.Helper()
	return f.ok("GET", "/users/"+ref, token, nil)
}

// patch sends PATCH /users/@me.
func (f *fx) patch(token string, body any) facetest.Response {
	f.t.Helper()
	return f.do("PATCH", "/users/@me", token, body)
}

// object decodes a JSON object response.
func object(t testing.TB, r facetest.Response) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%.500s", err, r.Body)
	}
	return m
}

// array decodes a JSON array response of objects.
func array(t testing.TB, r facetest.Response) []map[string]any {
	t.Helper()
	var a []map[string]any
	if err := json.Unmarshal(r.Body, &a); err != nil || a == nil {
		t.Fatalf("not a JSON array: %v\n%.500s", err, r.Body)
	}
	return a
}

// wantErr checks an error response: the status, a JSON object whose
// numeric code is code and implies that status, a string message,
// ratelimit_reset only on 429 and id only on 500. It returns the body.
func wantErr(t testing.TB, r facetest.Response, status, code int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d (code %d)\n%.500s", r.Status, status, code, r.Body)
	}
	m := object(t, r)
	got, isNum := m["code"].(float64)
	if !isNum || int(got) != code {
		t.Errorf("code = %v, want %d\n%s", m["code"], code, r.Body)
	}
	if st, known := codeStatus[code]; !known || st != status {
		t.Errorf("code %d implies status %d, not %d", code, st, status)
	}
	if msg, ok := m["message"]; ok {
		if _, isStr := msg.(string); !isStr {
			t.Errorf("message = %v, want a string", msg)
		}
	}
	if d, ok := m["details"]; ok {
		if _, isStr := d.(string); !isStr {
			t.Errorf("details = %v, want a string (absent, not null, when unused)", d)
		}
	}
	if _, ok := m["ratelimit_reset"]; ok != (status == 429) {
		t.Errorf("ratelimit_reset present = %v on a %d\n%s", ok, status, r.Body)
	}
	if _, ok := m["id"]; ok && status != 500 {
		t.Errorf("event id on a %d: %s", status, r.Body)
	}
	return m
}

// rawAuth sends a request whose Authorization header is exactly auth.
func (f *fx) rawAuth(method, path, auth string) facetest.Response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.s.Base+api+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return f.s.Send(req)
}

// str returns m[k] as a string, failing when it is not one.
func str(t testing.TB, m map[string]any, k string) string {
	t.Helper()
	s, ok := m[k].(string)
	if !ok {
		t.Fatalf("%s = %#v, want a string", k, m[k])
	}
	return s
}

// webpSize returns the canvas of a WebP file (RIFF, then a VP8X, VP8L or
// VP8 chunk), or ok false when b is not one.
func webpSize(b []byte) (w, h int, ok bool) {
	if len(b) < 30 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, 0, false
	}
	switch string(b[12:16]) {
	case "VP8X":
		w = int(b[24]) | int(b[25])<<8 | int(b[26])<<16
		h = int(b[27]) | int(b[28])<<8 | int(b[29])<<16
		return w + 1, h + 1, true
	case "VP8L":
		if b[20] != 0x2f {
			return 0, 0, false
		}
		v := binary.LittleEndian.Uint32(b[21:25])
		return int(v&0x3fff) + 1, int(v>>14&0x3fff) + 1, true
	case "VP8 ":
		if b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a {
			return 0, 0, false
		}
		return int(binary.LittleEndian.Uint16(b[26:28]) & 0x3fff), int(binary.LittleEndian.Uint16(b[28:30]) & 0x3fff), true
	}
	return 0, 0, false
}

// arr, obj, at and num read decoded JSON without panicking on a wrong
// shape: a mismatch gives the zero value, which the checks then report.
func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func at(v any, i int) map[string]any {
	if a := arr(v); i < len(a) {
		return obj(a[i])
	}
	return nil
}

func num(v any) float64 {
	n, _ := v.(float64)
	return n
}
