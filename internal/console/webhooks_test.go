package console_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// hookFlags make a delivery die at its first failure and go out fast.
var hookFlags = []string{"--webhook-attempts", "1", "--webhook-poll", "25ms", "--webhook-backoff", "100ms"}

// receiver is a loopback webhook endpoint that keeps every request and
// answers the first fail of them 500.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	fail int
}

type received struct {
	header http.Header
	body   []byte
}

// receiverSays is the body of a receiver's 500, markup included, to be
// shown as text.
const receiverSays = `<b>receiver says no</b>`

func newReceiver(t *testing.T, fail int) *receiver {
	rc := &receiver{fail: fail}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got)
		rc.got = append(rc.got, received{r.Header.Clone(), body})
		rc.mu.Unlock()
		if n < rc.fail {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, receiverSays)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

// wait returns the first n requests, waiting up to 15 s for them.
func (rc *receiver) wait(t *testing.T, n int) []received {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		rc.mu.Lock()
		got := append([]received(nil), rc.got...)
		rc.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %d webhook requests; got %d", n, len(got))
		}
	}
}

// eventType is a delivery's type, after its signature verified with
// secret.
func eventType(t *testing.T, r received, secret string) string {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(r.body, r.header); err != nil {
		t.Errorf("signature of %s: %v", r.body, err)
	}
	var p struct{ Type string }
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("payload %s: %v", r.body, err)
	}
	return p.Type
}

var (
	secretRE     = regexp.MustCompile(`id="secret" class="secret-value" value="(whsec_[^"]+)"`)
	hookLinkRE   = regexp.MustCompile(`href="/admin/webhooks/(\d+)">Go to the webhook`)
	deliveryRE   = regexp.MustCompile(`[?&]delivery=(\d+)`)
	deliveryRows = regexp.MustCompile(`(?s)<tr id="delivery-(\d+)">.*?<td class="event">([^<]*)</td><td class="state state-\w+">(\w+)</td><td>(\d+)</td>\s*<td class="status">([^<]*)</td>`)
)

// register registers a webhook through the console's form and returns
// its id and the secret shown once.
func (b *browser) register(url_, description string, events ...string) (id, secret string) {
	b.t.Helper()
	b.get("/webhooks").want(b.t, "webhooks", 200, `action="/admin/webhooks"`)
	p := b.post("/webhooks", url.Values{"url": {url_}, "description": {description}, "events": events})
	p.want(b.t, "registration", 200, "it will not be shown again")
	s, l := secretRE.FindStringSubmatch(p.body), hookLinkRE.FindStringSubmatch(p.body)
	if s == nil || l == nil {
		b.t.Fatalf("the registration shows no secret or webhook\n%.3000s", p.body)
	}
	return l[1], html.UnescapeString(s[1]) // html/template writes + as &#43;
}

// press confirms a webhook's action and returns the answer to its post.
func (b *browser) press(path string, form url.Values) page {
	b.t.Helper()
	b.get(path).want(b.t, "confirmation of "+path, 200, `action="/admin`+path+`"`, `name="csrf"`)
	return b.post(path, form)
}

// deliveryState waits until delivery d of webhook id shows in the log in
// state, and returns its attempts and last status as the log shows them.
func (b *browser) deliveryState(id, d, state string) (attempts, status string) {
	b.t.Helper()
	var last []string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		p := b.get("/webhooks/" + id)
		p.want(b.t, "webhook page", 200)
		for _, m := range deliveryRows.FindAllStringSubmatch(p.body, -1) {
			if m[1] == d {
				last = m
				if m[3] == state {
					return m[4], m[5]
				}
			}
		}
	}
	b.t.Fatalf("delivery %s of webhook %s never showed %s; last %q", d, id, state, last)
	return "", ""
}

// TestWebhooksPages: an admin registers a webhook (the secret shown
// once), sends a test event that the receiver verifies and the delivery
// log shows delivered with its status and latency; a failing receiver's
// attempt shows its 500 and response, and a retry of the dead delivery
// delivers it; settings, rotation and deletion go through confirmations
// and the core; moderators and posts without the form token are refused.
func TestWebhooksPages(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, hookFlags...)
		_, adminToken := s.Admin("root", core.LevelAdmin)
		s.Admin("mod", core.LevelModerator)
		memberID, _ := s.Signup("member")
		good := newReceiver(t, 0)

		br := newBrowser(t, s, "/admin")
		br.mustSignIn("root")
		id, secret := br.register(good.URL+"/hooks", "the good one", core.AuditUserBanned)
		p := br.get("/webhooks")
		p.want(t, "listing", 200, good.URL+"/hooks", "the good one", core.AuditUserBanned)
		if strings.Contains(p.body, secret) {
			t.Error("the listing shows the secret")
		}
		if p = br.get("/webhooks/" + id); strings.Contains(p.body, secret) {
			t.Error("the webhook's page shows the secret")
		}
		api := s.Want(s.Do("GET", "/v1/webhooks/"+id, adminToken, nil), 200)
		if api["url"] != good.URL+"/hooks" || api["enabled"] != true {
			t.Errorf("the API sees %v", api)
		}

		// A post without the form token is refused, and registers nothing.
		br.post("/webhooks", url.Values{"csrf": {""}, "url": {good.URL}, "events": {"*"}}).want(t, "post without token", http.StatusForbidden)
		if n := len(s.Want(s.Do("GET", "/v1/webhooks", adminToken, nil), 200)["webhooks"].([]any)); n != 1 {
			t.Errorf("%d webhooks after a refused post, want 1", n)
		}
		// Nor may a moderator see or post anything of webhooks.
		mod := newBrowser(t, s, "/admin")
		mod.mustSignIn("mod")
		mod.get("/webhooks").want(t, "webhooks as moderator", http.StatusForbidden)
		mod.get("/webhooks/"+id).want(t, "a webhook as moderator", http.StatusForbidden)
		mod.post("/webhooks/"+id+"/delete", nil).want(t, "delete as moderator", http.StatusForbidden)

		// Send test event: the receiver verifies it; the log shows it
		// delivered, and its page the 200 and the latency.
		p = br.press("/webhooks/"+id+"/test", nil)
		p.want(t, "send test event", http.StatusSeeOther)
		m := deliveryRE.FindStringSubmatch(p.header.Get("Location"))
		if m == nil {
			t.Fatalf("after the test event: Location %q names no delivery", p.header.Get("Location"))
		}
		d := m[1]
		got := good.wait(t, 1)
		if typ := eventType(t, got[0], secret); typ != core.EventWebhookTest {
			t.Errorf("the test delivery is %q, want %s", typ, core.EventWebhookTest)
		}
		br.get(strings.TrimPrefix(p.header.Get("Location"), "/admin")).want(t, "after the test", 200, "Test event queued.")
		if attempts, status := br.deliveryState(id, d, core.DeliveryDelivered); attempts != "1" || status != "200" {
			t.Errorf("the test delivery: %s attempts, last status %s; want 1, 200", attempts, status)
		}
		p = br.get("/webhooks/" + id + "/deliveries/" + d)
		p.want(t, "delivery page", 200, `<td class="status">200</td>`, "webhook.test", "Retry…")
		if !regexp.MustCompile(`<td class="latency">\d+</td>`).MatchString(p.body) {
			t.Errorf("the attempt shows no latency\n%.3000s", p.body)
		}

		// An event it subscribes to, from a console action.
		br.act(memberID, "ban", nil)
		got = good.wait(t, 2)
		if typ := eventType(t, got[1], secret); typ != core.AuditUserBanned {
			t.Errorf("after a ban the receiver got %q", typ)
		}

		// A receiver answering 500: the attempt shows the status and the
		// response, as text; the delivery is dead (one attempt), and a
		// retry delivers it.
		bad := newReceiver(t, 1)
		id2, secret2 := br.register(bad.URL, "", core.AuditUserUnbanned) // no event of this test
		d2 := deliveryRE.FindStringSubmatch(br.press("/webhooks/"+id2+"/test", nil).header.Get("Location"))[1]
		if attempts, status := br.deliveryState(id2, d2, core.DeliveryDead); attempts != "1" || status != "500" {
			t.Errorf("the failed delivery: %s attempts, last status %s; want 1, 500", attempts, status)
		}
		p = br.get("/webhooks/" + id2 + "/deliveries/" + d2)
		p.want(t, "dead delivery", 200, `<td class="status">500</td>`, `<pre class="snippet">&lt;b&gt;receiver says no&lt;/b&gt;</pre>`, "Retry…")
		if strings.Contains(p.body, receiverSays) {
			t.Error("the response snippet is not escaped")
		}
		br.get("/webhooks/"+id2+"?state=dead").want(t, "dead deliveries", 200, `id="delivery-`+d2+`"`)
		if p = br.get("/webhooks/" + id2 + "?state=delivered"); strings.Contains(p.body, `id="delivery-`+d2+`"`) {
			t.Error("the dead delivery shows among the delivered ones")
		}
		br.get("/webhooks/"+id2+"?state=lost").want(t, "unknown state", 400, "must be pending, delivered or dead")
		p = br.press("/webhooks/"+id2+"/deliveries/"+d2+"/retry", nil)
		p.want(t, "retry", http.StatusSeeOther)
		if attempts, status := br.deliveryState(id2, d2, core.DeliveryDelivered); attempts != "1" || status != "200" {
			t.Errorf("the retried delivery: %s attempts, last status %s; want 1, 200", attempts, status)
		}
		got = bad.wait(t, 2)
		if got[0].header.Get("webhook-id") != got[1].header.Get("webhook-id") {
			t.Error("the retry has another webhook-id")
		}
		eventType(t, got[1], secret2)

		// Settings: reviewed on a confirmation, then saved by the core.
		edit := url.Values{"url": {good.URL + "/v2"}, "description": {"renamed"}, "events": {core.AuditUserBanned, core.AuditUserUnbanned}}
		br.get("/webhooks/"+id+"/edit?"+edit.Encode()).want(t, "edit confirmation", 200,
			`<span class="field">events</span>: <span class="old">user.banned</span> → <span class="new">user.banned, user.unbanned</span>`,
			`<span class="field">enabled</span>: <span class="old">yes</span> → <span class="new">no</span>`)
		br.post("/webhooks/"+id+"/edit", edit).want(t, "edit", http.StatusSeeOther)
		api = s.Want(s.Do("GET", "/v1/webhooks/"+id, adminToken, nil), 200)
		if api["url"] != good.URL+"/v2" || api["enabled"] != false || len(api["events"].([]any)) != 2 {
			t.Errorf("after the edit the API sees %v", api)
		}
		edit.Set("url", "ftp://example.com/")
		br.post("/webhooks/"+id+"/edit", edit).want(t, "edit to a bad URL", 400, "absolute http or https URL")

		// Rotation shows the new secret once; with no overlap the old one
		// signs no more.
		p = br.press("/webhooks/"+id+"/rotate", url.Values{"overlap": {"0"}})
		p.want(t, "rotate", 200, "it will not be shown again", "The old secret no longer signs")
		m = secretRE.FindStringSubmatch(p.body)
		if m == nil || html.UnescapeString(m[1]) == secret {
			t.Fatalf("the rotation shows no new secret: %q", m)
		}
		if api = s.Want(s.Do("GET", "/v1/webhooks/"+id, adminToken, nil), 200); api["old_secret_until"] != nil {
			t.Errorf("rotation without overlap: old_secret_until %v", api["old_secret_until"])
		}
		p = br.press("/webhooks/"+id2+"/rotate", url.Values{"overlap": {"86400"}})
		p.want(t, "rotate with overlap", 200, "The old secret also signs deliveries until")
		// The secret shown is the one that signs: a test event verifies.
		if m = secretRE.FindStringSubmatch(p.body); m == nil {
			t.Fatal("the rotation with overlap shows no secret")
		}
		br.press("/webhooks/"+id2+"/test", nil).want(t, "test after rotation", http.StatusSeeOther)
		if typ := eventType(t, bad.wait(t, 3)[2], html.UnescapeString(m[1])); typ != core.EventWebhookTest {
			t.Errorf("after the rotation the receiver got %q", typ)
		}
		br.post("/webhooks/"+id2+"/rotate", url.Values{"overlap": {"3600"}}).want(t, "rotate, odd overlap", 400)

		// Deletion.
		p = br.press("/webhooks/"+id+"/delete", nil)
		p.want(t, "delete", http.StatusSeeOther)
		br.get(strings.TrimPrefix(p.header.Get("Location"), "/admin")).want(t, "after deletion", 200, "Webhook deleted.")
		s.Want(s.Do("GET", "/v1/webhooks/"+id, adminToken, nil), 404)
		br.get("/webhooks/"+id).want(t, "a deleted webhook", 404)
		br.get("/webhooks/"+id2+"/explode").want(t, "unknown action", 404)
		br.get("/webhooks/"+id2+"/deliveries/999999").want(t, "unknown delivery", 404)

		// The audit log has the console's webhook entries, secrets only as
		// changed.
		p = br.get("/audit?filter=" + url.QueryEscape(`action = "webhook.secret_rotated"`))
		p.want(t, "rotations in the audit log", 200, `<span class="field">secret</span>: <em>changed</em>`, `<td class="face">console</td>`)
		if strings.Contains(p.body, "whsec_") {
			t.Error("the audit log shows a secret")
		}
	})
}
