package drf_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
)

// fixture is a running usersd with the DRF face at mount, and the same
// database open in the test for setting up users, groups and keys.
type fixture struct {
	t     *testing.T
	s     *facetest.Server
	db    *sqlstore.DB
	svc   *core.Service
	mount string
	ids   map[string]int64
	keys  map[string]string // DRF keys (usersd tokens)
}

func newFixture(t *testing.T, b facetest.Backend, mount string, extra ...string) *fixture {
	t.Helper()
	if mount != "/drf" {
		extra = append(extra, "--mount", "drf="+mount)
	}
	s := facetest.Start(t, b, extra...)
	db := b.Open(t)
	return &fixture{t: t, s: s, db: db, svc: core.NewService(db), mount: strings.TrimRight(mount, "/"),
		ids: map[string]int64{}, keys: map[string]string{}}
}

// user stores a user (no password) with fields, and mints a key.
func (f *fixture) user(name string, fields core.Patch) int64 {
	f.t.Helper()
	u := storetest.MustCreate(f.t, f.db, name, fields)
	f.ids[name] = u.ID
	key, _, err := f.svc.CreateToken(context.Background(), core.System, u.ID, "drf", "")
	if err != nil {
		f.t.Fatal(err)
	}
	f.keys[name] = key
	return u.ID
}

// staff is a moderator, who reads on the face by default.
func (f *fixture) staff(name string) int64 {
	return f.user(name, core.Patch{"level": int64(core.LevelModerator)})
}

// req sends a request below the face's mount; header "Authorization"
// is sent as given, else as "Token <key of as>".
func (f *fixture) req(method, path, as string, header map[string]string, body string) facetest.Response {
	f.t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	} else {
		rd = strings.NewReader("")
	}
	req, err := http.NewRequest(method, f.s.Base+f.mount+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if as != "" {
		req.Header.Set("Authorization", "Token "+f.keys[as])
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return facetest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (f *fixture) get(path, as string) facetest.Response {
	f.t.Helper()
	return f.req("GET", path, as, nil, "")
}

// want checks status and body exactly (bodies are compact JSON).
func (f *fixture) want(r facetest.Response, status int, body string) {
	f.t.Helper()
	if r.Status != status || (body != "" && strings.TrimSpace(string(r.Body)) != body) {
		f.t.Errorf("got %d %s\nwant %d %s", r.Status, r.Body, status, body)
	}
}

// page decodes a list page.
type page struct {
	Count    int              `json:"count"`
	Next     *string          `json:"next"`
	Previous *string          `json:"previous"`
	Results  []map[string]any `json:"results"`
}

func (f *fixture) page(r facetest.Response) page {
	f.t.Helper()
	if r.Status != 200 {
		f.t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var p page
	if err := json.Unmarshal(r.Body, &p); err != nil {
		f.t.Fatalf("%v: %s", err, r.Body)
	}
	return p
}

// names lists the usernames of a page.
func names(p page) []string {
	var out []string
	for _, u := range p.Results {
		out = append(out, u["username"].(string))
	}
	return out
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
