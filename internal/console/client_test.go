package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"usersd/internal/facetest"
)

// browser is a plain HTTP client of the console with a cookie jar, which
// does not follow redirects, so tests see each answer.
type browser struct {
	t      *testing.T
	s      *facetest.Server
	prefix string // the console's mount
	c      *http.Client
	csrf   string // the form token of the last page that had one
}

func newBrowser(t *testing.T, s *facetest.Server, prefix string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, s: s, prefix: prefix, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is one answer.
type page struct {
	status int
	header http.Header
	body   string
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request below the console's prefix; headers are pairs.
func (b *browser) do(method, path string, form url.Values, headers ...string) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.s.Base+b.prefix+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := page{resp.StatusCode, resp.Header, string(raw)}
	if m := csrfRE.FindStringSubmatch(p.body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) page { b.t.Helper(); return b.do("GET", path, nil) }

// post sends a form with the current form token.
func (b *browser) post(path string, form url.Values, headers ...string) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	return b.do("POST", path, form, headers...)
}

// signIn signs in through the form and returns the answer to the post.
func (b *browser) signIn(name, password string) page {
	b.t.Helper()
	if p := b.get("/login"); p.status != 200 {
		b.t.Fatalf("GET /login: %d", p.status)
	}
	return b.post("/login", url.Values{"name": {name}, "password": {password}})
}

// mustSignIn signs in a facetest user (password "password-NAME").
func (b *browser) mustSignIn(name string) {
	b.t.Helper()
	p := b.signIn(name, "password-"+name)
	if p.status != http.StatusSeeOther {
		b.t.Fatalf("sign-in of %s: %d, want 303\n%s", name, p.status, p.body)
	}
	if p := b.get("/"); p.status != 200 {
		b.t.Fatalf("users table after sign-in: %d", p.status)
	}
}

// cookie returns the Set-Cookie of name in an answer, or nil.
func (p page) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// want fails unless the answer has status and its body contains every
// text.
func (p page) want(t *testing.T, what string, status int, texts ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d\n%.2000s", what, p.status, status, p.body)
	}
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Errorf("%s: the page lacks %q\n%.3000s", what, s, p.body)
		}
	}
}

// banned reports whether the user is banned, as the native API shows
// them to an admin.
func banned(t *testing.T, s *facetest.Server, adminToken string, id int64) bool {
	t.Helper()
	u := s.Want(s.Do("GET", "/v1/users/"+itoa(id), adminToken, nil), 200)
	return u["banned"] == true
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
