package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// One headless Chromium serves every browser test of the process; each
// test opens tabs in browser contexts of its own (separate cookie jars).
var chromium struct {
	once sync.Once
	ctx  context.Context
	stop context.CancelFunc
	err  error
}

// chromiumPath is USERSD_CHROMIUM, or Debian's chromium (or another
// Chrome) on PATH.
func chromiumPath() string {
	if p := os.Getenv("USERSD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserContext returns a new browser context (its own cookies) in the
// process's Chromium, started on first use. Without Chromium the test
// skips, or fails when CI=true.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	path := requireChromium(t)
	chromium.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
			chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1280, 900))
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		chromium.ctx, chromium.stop = bctx, func() { cancelBrowser(); cancelAlloc() }
		errc := make(chan error, 1)
		go func() { errc <- chromedp.Do(bctx) }() // starts the browser
		select {
		case chromium.err = <-errc:
		case <-time.After(30 * time.Second):
			chromium.err = fmt.Errorf("chromium %s did not start in 30 s", path)
		}
	})
	if chromium.err != nil {
		t.Fatal(chromium.err)
	}
	tab, cancel := chromedp.NewContext(chromium.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil { // opens the tab
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(tab, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// requireChromium returns Chromium's path; without one the test skips,
// or fails when CI=true.
func requireChromium(t *testing.T) string {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is required in CI: install Debian's chromium or set USERSD_CHROMIUM")
		}
		t.Skip("no Chromium: browser tests skipped (apt-get install chromium, or set USERSD_CHROMIUM)")
	}
	return path
}

func stopChromium() {
	if chromium.stop != nil {
		chromium.stop()
	}
}

// screenshotDir is USERSD_SCREENSHOTS, or a directory the test removes.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("USERSD_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// tab drives one browser context against one server.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string // the console's URL
}

func newTab(t *testing.T, s *facetest.Server) *tab {
	return &tab{t: t, ctx: browserContext(t), base: s.Base + "/admin"}
}

// open navigates to a console path and returns the HTTP status.
func (tb *tab) open(path string) int64 {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(tb.base+path))
	if err != nil {
		tb.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// submit clicks sel, waits for the page that follows and returns its
// status.
func (tb *tab) submit(sel string) int64 {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("click %s: %v", sel, err)
	}
	return resp.Status
}

func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// text is the visible text of the first match of sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval runs JavaScript in the page; promises are awaited.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// has reports whether the page has an element matching sel.
func (tb *tab) has(sel string) bool {
	return eval[bool](tb, fmt.Sprintf("document.querySelector(%q) !== null", sel))
}

// screenshot saves the whole page as name.png.
func (tb *tab) screenshot(dir, name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// colorScheme emulates prefers-color-scheme: "light" or "dark".
func (tb *tab) colorScheme(scheme string) {
	tb.t.Helper()
	tb.do("prefer "+scheme, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return chromedp.Void{}, err
	})
}

// signIn fills in and sends the sign-in form, returning the status.
func (tb *tab) signIn(name, password string) int64 {
	tb.t.Helper()
	if st := tb.open("/login"); st != 200 {
		tb.t.Fatalf("sign-in page: %d", st)
	}
	tb.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("password"), password))
	return tb.submit(`form[action$="/login"] button[type=submit]`)
}

// postStatus posts a form built in the page (as a hand-made request
// would be: the console's CSP lets no script fetch), waits for the answer
// and returns its status; withToken sends the page's form token.
func (tb *tab) postStatus(path string, withToken bool) int64 {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => {
		const f = document.createElement('form');
		f.method = 'post';
		f.action = %q;
		const tok = document.querySelector('input[name=csrf]');
		if (%t && tok) {
			const i = document.createElement('input');
			i.type = 'hidden'; i.name = 'csrf'; i.value = tok.value;
			f.appendChild(i);
		}
		document.body.appendChild(f);
		f.submit();
		return true;
	})()`, tb.base+path, withToken)
	post := func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](js)(ctx, t)
		return chromedp.Void{}, err
	}
	resp, err := chromedp.RunResponse(tb.ctx, post)
	if err != nil {
		tb.t.Fatalf("post %s: %v", path, err)
	}
	return resp.Status
}

// TestBrowser drives the console in Chromium on both backends: sign-in,
// a search by filter, a token revoked (and refused by the API), a ban
// with its audit entry, the refusals of members, of a moderator's act on
// an admin, of posts without the form token and from another site; a
// webhook registered and its test event delivered; and the pages at 360
// px wide.
func TestBrowser(t *testing.T) {
	requireChromium(t) // before any server starts
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		shots := screenshotDir(t)
		s := facetest.Start(t, b)
		adminID, adminToken := s.Admin("root", core.LevelAdmin)
		s.Admin("mod", core.LevelModerator)
		s.Signup("someone")
		targetID, targetLogin := s.Signup("target")
		apiToken := s.Want(s.Do("POST", "/v1/me/tokens", targetLogin, map[string]any{"label": "ci-robot"}), 201)["token"].(string)
		s.Want(s.Do("GET", "/v1/me", apiToken, nil), 200)
		const hostile = `<script>window.pwned=1</script><img src=x onerror="window.pwned=1">`
		s.Want(s.Do("PATCH", "/v1/me", targetLogin, map[string]any{"bio": hostile}), 200)

		admin := newTab(t, s)
		if st := admin.open("/"); st != 200 || !admin.has("#password") {
			t.Fatalf("the console without a session: status %d, want the sign-in form", st)
		}
		admin.screenshot(shots, b.Name+"-sign-in")
		if st := admin.signIn("root", "password-root"); st != 200 {
			t.Fatalf("sign-in: %d", st)
		}

		// The dashboard charts today's sign-ups (root, mod, someone, target).
		if st := admin.open("/dashboard"); st != 200 {
			t.Fatalf("dashboard: %d", st)
		}
		if n := eval[int](admin, `[...document.querySelectorAll('g.day')].pop().querySelector('rect').height.baseVal.value`); n <= 0 {
			t.Errorf("today's bar is %d high", n)
		}
		admin.screenshot(shots, b.Name+"-dashboard")
		admin.open("/")

		// Find the target with a filter.
		admin.do("type a filter", chromedp.SetValue(chromedp.ID("filter"), `name startswith "tar"`),
			chromedp.Click(chromedp.CSS(`input[name=total]`)))
		if st := admin.submit(`form[aria-label="Find users"] button.primary`); st != 200 {
			t.Fatalf("search: %d", st)
		}
		if got := admin.text("#total"); got != "1" {
			t.Errorf("users matching name startswith tar: %s, want 1", got)
		}
		rows := eval[[]string](admin, `[...document.querySelectorAll('tbody tr')].map(r => r.cells[1].textContent)`)
		if len(rows) != 1 || rows[0] != "target" {
			t.Fatalf("table rows = %q, want target", rows)
		}
		admin.screenshot(shots, b.Name+"-users")

		// The 360 px layout scrolls the table, not the page.
		admin.do("narrow the window", chromedp.EmulateViewport(360, 800))
		admin.open("/?total=1&col=id&col=name&col=email&col=level&col=created_at&col=last_login_at")
		if w := eval[int](admin, `document.documentElement.scrollWidth`); w > 360 {
			wide := eval[[]string](admin, `[...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > 361).map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 12)`)
			t.Errorf("at 360 px the page is %d px wide: %q", w, wide)
		}
		admin.screenshot(shots, b.Name+"-users-360")
		admin.do("widen the window", chromedp.EmulateViewport(1280, 900))

		if st := admin.submit(`tbody a[href$="/users/` + itoa(targetID) + `"]`); st != 200 {
			t.Fatalf("user page: %d", st)
		}
		if !strings.Contains(admin.text("h1"), "target") || !admin.has("#g-profile") {
			t.Errorf("user page: heading %q, want the user and the profile group", admin.text("h1"))
		}
		admin.screenshot(shots, b.Name+"-user")
		// What users write is text on the page, never markup.
		if bio := eval[string](admin, `[...document.querySelectorAll('dt')].find(e => e.textContent === 'bio').nextElementSibling.textContent`); bio != hostile {
			t.Errorf("bio shows as %q, want the text %q", bio, hostile)
		}
		if eval[bool](admin, `window.pwned !== undefined`) {
			t.Error("a user's bio ran script in the console")
		}

		// Dark when the system prefers it: the page's background is dark.
		admin.colorScheme("dark")
		if lum := eval[float64](admin, `(() => {
			const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
			return (0.2126*r + 0.7152*g + 0.0722*b) / 255;
		})()`); lum > 0.2 {
			t.Errorf("dark scheme: background luminance %.2f, want dark", lum)
		}
		admin.screenshot(shots, b.Name+"-user-dark")
		admin.colorScheme("light")
		if lum := eval[float64](admin, `(() => {
			const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
			return (0.2126*r + 0.7152*g + 0.0722*b) / 255;
		})()`); lum < 0.8 {
			t.Errorf("light scheme: background luminance %.2f, want light", lum)
		}

		// Revoke the token; the native API refuses it then.
		if st := admin.submit(`a[aria-label^="Revoke token"][aria-label*="ci-robot"]`); st != 200 {
			t.Fatalf("revoke confirmation: %d", st)
		}
		if st := admin.submit(`form button[type=submit].danger`); st != 200 {
			t.Fatalf("revoke: %d", st)
		}
		if got := admin.text(".done .action"); got != core.AuditTokenRevoked {
			t.Errorf("after the revocation the page shows %q, want %s", got, core.AuditTokenRevoked)
		}
		if r := s.Do("GET", "/v1/me", apiToken, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("the revoked token: GET /v1/me = %d, want 401", r.Status)
		}

		// Ban, confirmed, and the audit entry it wrote.
		if st := admin.submit(`a[href$="/users/` + itoa(targetID) + `/ban"]`); st != 200 {
			t.Fatalf("ban confirmation: %d", st)
		}
		if st := admin.submit(`form button[type=submit].danger`); st != 200 {
			t.Fatalf("ban: %d", st)
		}
		if got := admin.text(".done .action"); got != core.AuditUserBanned {
			t.Errorf("after the ban the page shows %q, want %s", got, core.AuditUserBanned)
		}
		if diff := admin.text(".done .diff"); !strings.Contains(diff, "banned: false → true") {
			t.Errorf("the ban's entry shows %q, want the banned field's change", diff)
		}
		if !banned(t, s, adminToken, targetID) {
			t.Error("the ban did not take")
		}

		// Register a webhook, send it the test event, and see it delivered.
		rc := newReceiver(t, 0)
		if st := admin.open("/webhooks"); st != 200 {
			t.Fatalf("webhooks: %d", st)
		}
		admin.do("fill in the registration", chromedp.SetValue(chromedp.ID("url"), rc.URL+"/hook"),
			chromedp.SendKeys(chromedp.ID("description"), "browser test"),
			chromedp.Click(chromedp.CSS(`input[name=events][value="`+core.AuditUserBanned+`"]`)))
		if st := admin.submit(`form[action$="/webhooks"] button.primary`); st != 200 {
			t.Fatalf("registration: %d", st)
		}
		if secret := eval[string](admin, `document.getElementById('secret').value`); !strings.HasPrefix(secret, "whsec_") {
			t.Errorf("after registering, the secret field holds %q", secret)
		}
		if st := admin.submit(`.secret a[href*="/webhooks/"]`); st != 200 {
			t.Fatalf("the webhook's page: %d", st)
		}
		hookPath := strings.TrimPrefix(eval[string](admin, `location.pathname`), "/admin")
		if st := admin.submit(`a[href$="/test"]`); st != 200 {
			t.Fatalf("test event confirmation: %d", st)
		}
		if st := admin.submit(`form button[type=submit].primary`); st != 200 {
			t.Fatalf("send test event: %d", st)
		}
		rc.wait(t, 1)
		state := ""
		for deadline := time.Now().Add(15 * time.Second); state != core.DeliveryDelivered && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			admin.open(hookPath)
			state = eval[string](admin, `(document.querySelector('table.deliveries td.state') || {}).textContent || ''`)
		}
		if state != core.DeliveryDelivered || admin.text("table.deliveries td.status") != "200" {
			t.Errorf("the delivery log shows the test event %q with status %q, want delivered, 200", state, admin.text("table.deliveries td.status"))
		}
		admin.screenshot(shots, b.Name+"-webhook")
		admin.open("/webhooks")
		admin.screenshot(shots, b.Name+"-webhooks")
		if st := admin.open("/audit"); st != 200 || admin.text("tbody td.action") != core.AuditWebhookCreated {
			t.Errorf("the audit page: %d, newest entry %q, want %s", st, admin.text("tbody td.action"), core.AuditWebhookCreated)
		}
		admin.screenshot(shots, b.Name+"-audit")
		// Both at 360 px: the tables scroll, not the page.
		admin.do("narrow the window", chromedp.EmulateViewport(360, 800))
		for name, path := range map[string]string{"audit": "/audit", "webhook": hookPath} {
			admin.open(path)
			if w := eval[int](admin, `document.documentElement.scrollWidth`); w > 360 {
				t.Errorf("at 360 px %s is %d px wide", path, w)
			}
			admin.screenshot(shots, b.Name+"-"+name+"-360")
		}
		admin.do("widen the window", chromedp.EmulateViewport(1280, 900))
		admin.open("/users/" + itoa(targetID))

		// A post without the form token, and a form on another site (a
		// same-site origin on another port: the SameSite cookie goes with
		// it, the console's origin check stops it) both get 403.
		other, _ := s.Signup("other")
		tok := eval[string](admin, `document.querySelector('input[name=csrf]').value`)
		if st := admin.postStatus("/users/"+itoa(other)+"/ban", false); st != http.StatusForbidden {
			t.Errorf("a post without the form token: %d, want 403", st)
		}
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/users/%d/ban"><input type="hidden" name="csrf" value="%s"></form><script>document.forms[0].submit()</script>`,
				admin.base, other, tok)
		}))
		t.Cleanup(evil.Close)
		resp, err := chromedp.RunResponse(admin.ctx, chromedp.Navigate(evil.URL))
		if err != nil {
			t.Fatal(err)
		}
		// RunResponse takes the first navigation (the evil page); wait for
		// the console's answer to its form.
		admin.do("wait for the cross-site post", chromedp.WaitVisible(chromedp.CSS("p.problem")))
		if got := admin.text("p.problem"); resp.Status != 200 || !strings.Contains(got, "Cross-site") {
			t.Errorf("cross-site form post answered %q, want the cross-site refusal", got)
		}
		if banned(t, s, adminToken, other) {
			t.Error("a cross-site form banned a user")
		}

		// A member cannot sign in.
		member := newTab(t, s)
		if st := member.signIn("someone", "password-someone"); st != http.StatusForbidden {
			t.Errorf("member sign-in: %d, want 403", st)
		}
		if got := member.text("p.problem"); !strings.Contains(got, "Only staff") {
			t.Errorf("member sign-in says %q", got)
		}
		if member.open("/"); !member.has("#password") {
			t.Error("after a refused sign-in the console is not at the sign-in form")
		}

		// A moderator sees no action on an admin, and the core refuses a
		// hand-made post with the moderator's own form token.
		mod := newTab(t, s)
		if st := mod.signIn("mod", "password-mod"); st != 200 {
			t.Fatalf("moderator sign-in: %d", st)
		}
		if st := mod.open("/users/" + itoa(adminID)); st != 200 {
			t.Fatalf("admin's page as moderator: %d", st)
		}
		if mod.has("#actions-h") || mod.has(`a[href$="/ban"]`) {
			t.Error("a moderator is offered actions on an admin")
		}
		if st := mod.postStatus("/users/"+itoa(adminID)+"/ban", true); st != http.StatusForbidden {
			t.Errorf("moderator's hand-made ban of an admin: %d, want 403", st)
		}
		if banned(t, s, adminToken, adminID) {
			t.Error("the moderator banned the admin")
		}
	})
}
