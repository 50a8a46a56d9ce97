package webhook_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

func TestMain(m *testing.M) { os.Exit(facetest.Main(m)) }

// fast are serve flags that make delivery quick enough for tests.
var fast = []string{"--webhook-poll", "25ms", "--webhook-backoff", "100ms", "--webhook-timeout", "2s"}

// receiver is a loopback webhook endpoint that keeps every request.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	fail int // answer this many requests with 500 first
	// hold, when set, blocks the first request until it is closed.
	hold    chan struct{}
	holding chan struct{}
}

type received struct {
	id     string
	header http.Header
	body   []byte
	status int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got)
		hold := rc.hold
		status := http.StatusOK
		if n < rc.fail {
			status = http.StatusInternalServerError
		}
		rc.got = append(rc.got, received{r.Header.Get("webhook-id"), r.Header.Clone(), body, status})
		rc.mu.Unlock()
		if hold != nil && n == 0 {
			close(rc.holding)
			<-hold
			return
		}
		w.WriteHeader(status)
		if status != http.StatusOK {
			io.WriteString(w, "receiver says no")
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// waitFor waits until cond holds of the requests, for at most 15 s.
func (rc *receiver) waitFor(t *testing.T, what string, cond func([]received) bool) []received {
	t.Helper()
	return rc.waitWithin(t, 15*time.Second, what, cond)
}

// waitWithin waits until cond holds of the requests, for at most d.
func (rc *receiver) waitWithin(t *testing.T, d time.Duration, what string, cond func([]received) bool) []received {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		got := rc.requests()
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s; got %d requests", what, len(got))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// event decodes a delivery's payload.
func event(t *testing.T, r received) (typ string, data map[string]any) {
	t.Helper()
	var p struct {
		Type      string         `json:"type"`
		Timestamp string         `json:"timestamp"`
		Data      map[string]any `json:"data"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("payload %s: %v", r.body, err)
	}
	if _, err := time.Parse(time.RFC3339Nano, p.Timestamp); err != nil {
		t.Errorf("payload timestamp %q: %v", p.Timestamp, err)
	}
	return p.Type, p.Data
}

func verify(secret string, r received) error {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return err
	}
	return wh.Verify(r.body, r.header)
}

func createHook(t *testing.T, s *facetest.Server, token, url string, events ...string) (id int64, secret string) {
	t.Helper()
	m := s.Want(s.Do("POST", "/v1/webhooks", token, map[string]any{"url": url, "events": events, "description": "test"}), 201)
	secret, _ = m["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("created webhook has secret %q", secret)
	}
	return int64(m["id"].(float64)), secret
}

// TestWebhookDelivery: events reach a subscribed endpoint once each,
// signed so that the Standard Webhooks library verifies them, with the
// audit entry as data; unsubscribed and refused changes send nothing;
// test events, rotation and the delivery log.
func TestWebhookDelivery(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, fast...)
		adminID, admin := s.Admin("hookadmin", core.LevelAdmin)
		_, mod := s.Admin("hookmod", core.LevelModerator)
		rc := newReceiver(t)

		// Only admins manage webhooks; bad input is a 400 naming the field.
		s.Want(s.Do("POST", "/v1/webhooks", mod, map[string]any{"url": rc.URL, "events": []string{"*"}}), 403)
		s.Want(s.Do("GET", "/v1/webhooks", "", nil), 401)
		for field, body := range map[string]map[string]any{
			"url":    {"url": "ftp://127.0.0.1/", "events": []string{"*"}},
			"events": {"url": rc.URL, "events": []string{"user.exploded"}},
			"colour": {"url": rc.URL, "events": []string{"*"}, "colour": "red"},
		} {
			m := s.Want(s.Do("POST", "/v1/webhooks", admin, body), 400)
			if fields, _ := m["errors"].(map[string]any); fields[field] == nil {
				t.Errorf("bad %s: %v", field, m)
			}
		}
		hookID, secret := createHook(t, s, admin, rc.URL, core.AuditUserCreated, core.AuditUserBanned)
		listed := s.Want(s.Do("GET", "/v1/webhooks", admin, nil), 200)
		if hooks := listed["webhooks"].([]any); len(hooks) != 1 || hooks[0].(map[string]any)["secret"] != nil {
			t.Errorf("listing shows %v (the secret must not be shown again)", listed)
		}

		// A sign-up is user.created; a refused ban sends nothing; the ban
		// by an admin is user.banned; a failed login is not subscribed.
		userID, _ := s.Signup("hooked")
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", adminID), mod, map[string]any{"banned": true}), 403)
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "hooked", "password": "wrong"}), 401)
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", userID), admin, map[string]any{"banned": true}), 200)
		rc.waitFor(t, "two events", func(r []received) bool { return len(r) >= 2 })
		time.Sleep(200 * time.Millisecond) // anything more would arrive by now
		got := rc.requests()
		if len(got) != 2 {
			t.Fatalf("receiver got %d requests, want 2", len(got))
		}
		for i, want := range []string{core.AuditUserCreated, core.AuditUserBanned} {
			r := got[i]
			if err := verify(secret, r); err != nil {
				t.Errorf("%s: signature does not verify: %v", want, err)
			}
			typ, data := event(t, r)
			if typ != want || data["action"] != want || data["target_name"] != "hooked" || data["target_id"] != float64(userID) {
				t.Errorf("event %d = %s %v, want %s about hooked", i, typ, data, want)
			}
			// A secret shows only as changed.
			if strings.Contains(string(r.body), "argon2") || strings.Contains(string(r.body), "password-hooked") ||
				typ == core.AuditUserCreated && fmt.Sprint(data["diff"].(map[string]any)["password_hash"]) != "map[changed:true]" {
				t.Errorf("payload leaks a secret: %s", r.body)
			}
			if r.header.Get("Content-Type") != "application/json" || !strings.HasPrefix(r.id, "msg_") {
				t.Errorf("headers %v", r.header)
			}
		}
		if err := verify("whsec_"+strings.Repeat("QUJD", 8), got[0]); err == nil {
			t.Error("a wrong secret verifies")
		}

		// A test event goes to this webhook only.
		d := s.Want(s.Do("POST", fmt.Sprintf("/v1/webhooks/%d/test", hookID), admin, nil), 202)
		got = rc.waitFor(t, "the test event", func(r []received) bool { return len(r) == 3 })
		if typ, data := event(t, got[2]); typ != core.EventWebhookTest || data["webhook_id"] != float64(hookID) {
			t.Errorf("test event = %s %v", typ, data)
		}

		// Rotation: deliveries are signed by the new secret and, for the
		// overlap, by the old one; without overlap the old one is gone.
		rot := s.Want(s.Do("POST", fmt.Sprintf("/v1/webhooks/%d/rotate-secret", hookID), admin, nil), 200)
		newSecret := rot["secret"].(string)
		if newSecret == secret || rot["old_secret_until"] == nil {
			t.Fatalf("rotation = %v", rot)
		}
		s.Want(s.Do("POST", fmt.Sprintf("/v1/webhooks/%d/test", hookID), admin, nil), 202)
		got = rc.waitFor(t, "an event after rotation", func(r []received) bool { return len(r) == 4 })
		if verify(newSecret, got[3]) != nil || verify(secret, got[3]) != nil {
			t.Errorf("during the overlap both secrets must verify: %q", got[3].header.Get("webhook-signature"))
		}
		rot = s.Want(s.Do("POST", fmt.Sprintf("/v1/webhooks/%d/rotate-secret", hookID), admin, map[string]any{"overlap_seconds": 0}), 200)
		newest := rot["secret"].(string)
		s.Want(s.Do("POST", fmt.Sprintf("/v1/webhooks/%d/test", hookID), admin, nil), 202)
		got = rc.waitFor(t, "an event after the second rotation", func(r []received) bool { return len(r) == 5 })
		if verify(newest, got[4]) != nil || verify(newSecret, got[4]) == nil {
			t.Errorf("without overlap only the newest secret verifies: %q", got[4].header.Get("webhook-signature"))
		}

		// The delivery log: every delivery delivered, with its attempt.
		log := s.Want(s.Do("GET", fmt.Sprintf("/v1/webhooks/%d/deliveries?limit=2", hookID), admin, nil), 200)
		page := log["deliveries"].([]any)
		if len(page) != 2 || log["next_cursor"] == nil {
			t.Fatalf("delivery log page = %v", log)
		}
		one := s.Want(s.Do("GET", fmt.Sprintf("/v1/webhooks/%d/deliveries/%d", hookID, int64(d["id"].(float64))), admin, nil), 200)
		attempts := one["log"].([]any)
		if one["state"] != core.DeliveryDelivered || one["last_status"] != float64(200) || len(attempts) != 1 ||
			attempts[0].(map[string]any)["status"] != float64(200) {
			t.Errorf("test delivery = %v", one)
		}

		// Every management change is in the audit log.
		audit := s.Want(s.Do("GET", "/v1/audit?filter="+urlQuery(`action = "webhook.secret_rotated"`), admin, nil), 200)
		if n := len(audit["entries"].([]any)); n != 2 {
			t.Errorf("rotations audited: %d, want 2", n)
		}
		s.Want(s.Do("DELETE", fmt.Sprintf("/v1/webhooks/%d", hookID), admin, nil), 204)
		s.Want(s.Do("GET", fmt.Sprintf("/v1/webhooks/%d", hookID), admin, nil), 404)
	})
}

func urlQuery(s string) string {
	return strings.NewReplacer(" ", "%20", `"`, "%22", "=", "%3D").Replace(s)
}

// TestWebhookRetry: a receiver that fails three times then succeeds gets
// the event once more and no more; one that never succeeds sends the
// delivery to the dead letters, from which a retry delivers it.
func TestWebhookRetry(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, append(fast, "--webhook-attempts", "5")...)
		_, admin := s.Admin("retryadmin", core.LevelAdmin)
		rc := newReceiver(t)
		rc.fail = 3
		hookID, secret := createHook(t, s, admin, rc.URL, core.AuditUserCreated)
		s.Signup("retried")
		rc.waitFor(t, "four attempts", func(r []received) bool { return len(r) >= 4 })
		// The back-off doubles from 100ms: more would come within a second.
		time.Sleep(time.Second)
		got := rc.requests()
		if len(got) != 4 {
			t.Fatalf("receiver got %d requests, want 3 failures and 1 success", len(got))
		}
		for i, r := range got {
			if r.id != got[0].id || verify(secret, r) != nil {
				t.Errorf("attempt %d: webhook-id %q (want %q, one per delivery) or a bad signature", i, r.id, got[0].id)
			}
		}
		ds := s.Want(s.Do("GET", fmt.Sprintf("/v1/webhooks/%d/deliveries", hookID), admin, nil), 200)["deliveries"].([]any)
		if len(ds) != 1 {
			t.Fatalf("deliveries: %v", ds)
		}
		d := ds[0].(map[string]any)
		one := s.Want(s.Do("GET", fmt.Sprintf("/v1/webhooks/%d/deliveries/%d", hookID, int64(d["id"].(float64))), admin, nil), 200)
		attempts := one["log"].([]any)
		if one["state"] != core.DeliveryDelivered || one["attempts"] != float64(4) || len(attempts) != 4 {
			t.Fatalf("delivery = %v", one)
		}
		for i, a := range attempts {
			a := a.(map[string]any)
			want, body := float64(500), "receiver says no"
			if i == 3 {
				want, body = 200, ""
			}
			if a["status"] != want || a["response"] != body || a["latency_ms"] == nil {
				t.Errorf("attempt %d = %v, want status %v, response %q", i, a, want, body)
			}
		}

		m := s.Metrics("/metrics")
		if m[`usersd_webhook_attempts_total{outcome="failed"}`] != 3 || m[`usersd_webhook_attempts_total{outcome="delivered"}`] != 1 ||
			m["usersd_webhook_attempt_duration_seconds_count"] != 4 {
			t.Errorf("webhook metrics: failed %v, delivered %v, timed %v", m[`usersd_webhook_attempts_total{outcome="failed"}`],
				m[`usersd_webhook_attempts_total{outcome="delivered"}`], m["usersd_webhook_attempt_duration_seconds_count"])
		}

		// Dead letters: five failures, then nothing; a retry delivers.
		rc.mu.Lock()
		rc.got, rc.fail = nil, 1000
		rc.mu.Unlock()
		s.Signup("deadletter")
		rc.waitFor(t, "five attempts", func(r []received) bool { return len(r) >= 5 })
		var dead map[string]any
		for range 100 {
			dead = s.Want(s.Do("GET", fmt.Sprintf("/v1/webhooks/%d/deliveries?state=dead", hookID), admin, nil), 200)
			if len(dead["deliveries"].([]any)) == 1 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		deadOne := dead["deliveries"].([]any)[0].(map[string]any)
		if deadOne["attempts"] != float64(5) || deadOne["last_status"] != float64(500) || deadOne["finished_at"] == nil {
			t.Fatalf("dead delivery = %v", deadOne)
		}
		if n := s.Metrics("/metrics")[`usersd_webhook_attempts_total{outcome="dead"}`]; n != 1 {
			t.Errorf("dead attempts counted: %v, want 1", n)
		}
		time.Sleep(500 * time.Millisecond)
		if n := len(rc.requests()); n != 5 {
			t.Errorf("a dead delivery was tried again: %d requests", n)
		}
		retry := fmt.Sprintf("/v1/webhooks/%d/deliveries/%d/retry", hookID, int64(deadOne["id"].(float64)))
		rc.mu.Lock()
		rc.fail = 0
		rc.mu.Unlock()
		s.Want(s.Do("POST", retry, admin, nil), 202)
		rc.waitFor(t, "the retried delivery", func(r []received) bool { return len(r) == 6 && r[5].status == 200 })
		for range 100 {
			if len(s.Want(s.Do("GET", fmt.Sprintf("/v1/webhooks/%d/deliveries?state=delivered", hookID), admin, nil), 200)["deliveries"].([]any)) == 2 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if p := s.Do("POST", retry, admin, nil); p.Status != 202 {
			t.Errorf("retrying a delivered delivery: %d %s", p.Status, p.Body)
		}
	})
}

// TestWebhookCrash: usersd killed with SIGKILL while a delivery is in
// flight, and with another committed but not yet sent, delivers both
// after a restart.
func TestWebhookCrash(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		flags := []string{"--webhook-poll", "25ms", "--webhook-backoff", "100ms", "--webhook-timeout", "1s"}
		s := facetest.Start(t, b, flags...)
		_, admin := s.Admin("crashadmin", core.LevelAdmin)
		rc := newReceiver(t)
		rc.hold, rc.holding = make(chan struct{}), make(chan struct{})
		defer close(rc.hold)
		createHook(t, s, admin, rc.URL, core.AuditUserUpdated)
		id, _ := s.Signup("crashed")
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"bio": "first"}), 200)
		<-rc.holding // the first event is in flight
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"bio": "second"}), 200)
		s.Kill()

		// The claim of the first lapses two timeouts after it was taken.
		facetest.Start(t, b, flags...)
		got := rc.waitFor(t, "both events after the restart", func(r []received) bool {
			ok := map[string]bool{}
			for _, x := range r[min(1, len(r)):] {
				ok[string(x.body)] = true
			}
			return len(ok) == 2
		})
		bios := map[string]int{}
		for _, r := range got[1:] {
			_, data := event(t, r)
			diff, _ := data["diff"].(map[string]any)
			bio, _ := diff["bio"].(map[string]any)
			bios[fmt.Sprint(bio["new"])]++
		}
		if bios["first"] != 1 || bios["second"] != 1 {
			t.Errorf("after the restart: %v, want each bio once (the first one was in flight)", bios)
		}
		for _, r := range got[1:] {
			if string(r.body) == string(got[0].body) && r.id != got[0].id {
				t.Errorf("the resent event has a new webhook-id: %s, was %s", r.id, got[0].id)
			}
		}
		time.Sleep(300 * time.Millisecond)
		if n := len(rc.requests()); n != 3 {
			t.Errorf("receiver got %d requests, want 3 (one lost with the crash, two after)", n)
		}
	})
}

// TestWebhookTwoNodes: two nodes on one PostgreSQL database, both
// dispatching, deliver each event exactly once.
func TestWebhookTwoNodes(t *testing.T) {
	b := facetest.Postgres(t)
	a := facetest.Start(t, b, "--webhook-poll", "10ms")
	c := facetest.Start(t, b, "--webhook-poll", "10ms")
	_, admin := a.Admin("nodeadmin", core.LevelAdmin)
	rc := newReceiver(t)
	createHook(t, a, admin, rc.URL, core.AuditUserUpdated)
	id, _ := a.Signup("busy")
	const events = 40
	for i := range events {
		node := []*facetest.Server{a, c}[i%2]
		node.Want(node.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"bio": fmt.Sprint("bio ", i)}), 200)
	}
	rc.waitFor(t, "every event", func(r []received) bool { return len(r) >= events })
	time.Sleep(500 * time.Millisecond)
	got := rc.requests()
	byID := map[string]int{}
	for _, r := range got {
		byID[r.id]++
	}
	if len(got) != events || len(byID) != events {
		t.Errorf("receiver got %d requests for %d events (%d distinct), want each once", len(got), events, len(byID))
	}
	for id, n := range byID {
		if n > 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
}

// TestWebhookSlowReceiver: a receiver that holds its request for the
// whole timeout delays no other webhook's deliveries.
func TestWebhookSlowReceiver(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t), "--webhook-poll", "25ms", "--webhook-timeout", "10s")
	_, admin := s.Admin("slowadmin", core.LevelAdmin)
	slow, fast := newReceiver(t), newReceiver(t)
	slow.hold, slow.holding = make(chan struct{}), make(chan struct{})
	released := false
	release := func() {
		if !released {
			released = true
			close(slow.hold)
		}
	}
	defer release()
	createHook(t, s, admin, slow.URL, core.AuditUserUpdated)
	createHook(t, s, admin, fast.URL, core.AuditUserUpdated)
	id, _ := s.Signup("slowpoke")
	s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"bio": "one"}), 200)
	<-slow.holding
	fast.waitFor(t, "the first event at the fast receiver", func(r []received) bool { return len(r) == 1 })
	// The slow receiver still holds the first event; the second reaches
	// the fast one regardless.
	s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"bio": "two"}), 200)
	// Within 3 s: a dispatcher that waited for the held attempt would take
	// the whole 10 s timeout.
	fast.waitWithin(t, 3*time.Second, "the second event at the fast receiver while the slow one holds the first",
		func(r []received) bool { return len(r) == 2 })
	release()
	slow.waitFor(t, "both events at the slow receiver", func(r []received) bool { return len(r) == 2 })
}
