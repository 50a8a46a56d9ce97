package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"usersd/internal/core"
)

// testWebhooks: webhooks round-trip; AppendAudit queues an entry for
// exactly the enabled webhooks subscribed to its action, and a rolled-back
// transaction queues nothing; claims hold deliveries for their lease and
// concurrent claims never share one; attempts finish into the delivery
// log; retries, pruning and cascades.
func testWebhooks(t *testing.T, s core.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	mk := func(url string, enabled bool, events ...string) *core.Webhook {
		t.Helper()
		w := &core.Webhook{URL: url, Description: "d " + url, Events: events, Enabled: enabled, Secret: "whsec_" + url,
			CreatedAt: now, UpdatedAt: now}
		if err := s.CreateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	a := mk("http://127.0.0.1/a", true, core.AuditUserBanned, core.AuditUserCreated)
	b := mk("http://127.0.0.1/b", true, core.WebhookAllEvents)
	c := mk("http://127.0.0.1/c", false, core.AuditUserBanned)

	got, err := s.FindWebhook(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != a.URL || got.Description != a.Description || !got.Enabled || got.Secret != a.Secret || got.OldSecret != "" ||
		got.OldSecretUntil != nil || !got.CreatedAt.Equal(now) || !slices.Equal(got.Events, []string{core.AuditUserBanned, core.AuditUserCreated}) {
		t.Errorf("FindWebhook = %+v, want %+v", got, a)
	}
	all, err := s.FindWebhooks(ctx)
	if err != nil || len(all) != 3 || all[2].Enabled || !slices.Equal(all[1].Events, []string{"*"}) {
		t.Fatalf("FindWebhooks = %+v, %v", all, err)
	}
	if _, err := s.FindWebhook(ctx, c.ID+100); core.ErrorCode(err) != core.NotFound {
		t.Errorf("FindWebhook(unknown) = %v, want NotFound", err)
	}

	// The outbox: banned goes to a and b (c is disabled), login.failed to b.
	ban := &core.AuditEntry{At: now, Action: core.AuditUserBanned, Face: "native", Diff: json.RawMessage(`{"banned":{"old":false,"new":true}}`)}
	fail := &core.AuditEntry{At: now, Action: core.AuditLoginFailed, Face: "native", Diff: json.RawMessage(`{}`)}
	for _, e := range []*core.AuditEntry{ban, fail} {
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	boom := errors.New("boom")
	if err := s.Tx(ctx, func(tx core.Store) error {
		if err := tx.AppendAudit(ctx, &core.AuditEntry{At: now, Action: core.AuditUserBanned, Face: "native", Diff: json.RawMessage(`{}`)}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Tx = %v", err)
	}
	type key struct {
		hook  int64
		event string
	}
	pending := func() map[key]int {
		m := map[key]int{}
		for _, w := range []*core.Webhook{a, b, c} {
			ds, err := s.FindDeliveries(ctx, w.ID, core.DeliveryPending, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				m[key{w.ID, d.Event}]++
			}
		}
		return m
	}
	want := map[key]int{{a.ID, core.AuditUserBanned}: 1, {b.ID, core.AuditUserBanned}: 1, {b.ID, core.AuditLoginFailed}: 1}
	if got := pending(); !maps.Equal(got, want) {
		t.Fatalf("queued %v, want %v", got, want)
	}

	// A claim takes all three with what sending needs; a second claim in
	// the lease takes none; after it they are due again.
	const lease = time.Minute
	claimed, err := s.ClaimDeliveries(ctx, now, lease, 10)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("ClaimDeliveries = %d, %v; want 3", len(claimed), err)
	}
	for _, d := range claimed {
		if d.Webhook == nil || d.Webhook.ID != d.WebhookID || d.Webhook.Secret == "" || d.Entry == nil || d.Entry.ID != *d.AuditID ||
			d.Entry.Action != d.Event || d.State != core.DeliveryPending {
			t.Errorf("claimed %+v (webhook %+v, entry %+v)", d, d.Webhook, d.Entry)
		}
	}
	if again, err := s.ClaimDeliveries(ctx, now.Add(lease/2), lease, 10); err != nil || len(again) != 0 {
		t.Errorf("claim within the lease = %d, %v; want none", len(again), err)
	}
	if again, err := s.ClaimDeliveries(ctx, now.Add(lease+time.Second), lease, 10); err != nil || len(again) != 3 {
		t.Errorf("claim after the lease = %d, %v; want 3", len(again), err)
	}

	// A failed attempt waits for its next time; a good one finishes.
	d := claimed[0]
	status := 500
	d.Attempts, d.NextAt, d.LastStatus = 1, now.Add(10*time.Second), &status
	if err := s.FinishAttempt(ctx, d, &core.DeliveryAttempt{At: now, Status: 500, Latency: 1500 * time.Microsecond, Response: "oops"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ClaimDeliveries(ctx, now.Add(5*time.Second), lease, 10); err != nil || slices.ContainsFunc(got, func(x *core.Delivery) bool { return x.ID == d.ID }) {
		t.Errorf("a retry was claimed before its time: %v", err)
	}
	ok := 204
	finished := now.Add(11 * time.Second)
	d.Attempts, d.State, d.FinishedAt, d.LastStatus, d.LastError = 2, core.DeliveryDelivered, &finished, &ok, nil
	if err := s.FinishAttempt(ctx, d, &core.DeliveryAttempt{At: finished, Status: 204, Latency: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	one, attempts, err := s.FindDelivery(ctx, d.WebhookID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if one.State != core.DeliveryDelivered || one.Attempts != 2 || one.FinishedAt == nil || !one.FinishedAt.Equal(finished) ||
		one.LastStatus == nil || *one.LastStatus != 204 || len(attempts) != 2 ||
		attempts[0].Status != 500 || attempts[0].Response != "oops" || attempts[0].Latency != 1500*time.Microsecond || attempts[1].Status != 204 {
		t.Errorf("FindDelivery = %+v, attempts %+v", one, attempts)
	}
	if _, _, err := s.FindDelivery(ctx, c.ID, d.ID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("FindDelivery of another webhook = %v, want NotFound", err)
	}
	if err := s.FinishAttempt(ctx, &core.Delivery{ID: d.ID + 1000, State: core.DeliveryDead}, &core.DeliveryAttempt{At: now}); core.ErrorCode(err) != core.NotFound {
		t.Errorf("FinishAttempt(unknown) = %v, want NotFound", err)
	}

	// Retry: a pending delivery conflicts; a delivered one starts over.
	if p := claimed[1]; core.ErrorCode(s.RetryDelivery(ctx, p.WebhookID, p.ID, now)) != core.Conflict {
		t.Error("RetryDelivery(pending) is not a Conflict")
	}
	if err := s.RetryDelivery(ctx, d.WebhookID, d.ID, finished); err != nil {
		t.Fatal(err)
	}
	if one, _, _ := s.FindDelivery(ctx, d.WebhookID, d.ID); one.State != core.DeliveryPending || one.Attempts != 0 || one.FinishedAt != nil {
		t.Errorf("after RetryDelivery: %+v", one)
	}
	if err := s.RetryDelivery(ctx, d.WebhookID, d.ID+1000, now); core.ErrorCode(err) != core.NotFound {
		t.Errorf("RetryDelivery(unknown) = %v, want NotFound", err)
	}

	// Pages of the log, newest first, by state.
	for i := range 3 {
		if err := s.EnqueueDelivery(ctx, &core.Delivery{WebhookID: b.ID, Event: core.EventWebhookTest, CreatedAt: now, NextAt: now.Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.FindDeliveries(ctx, b.ID, "", 0, 2)
	if err != nil || len(page) != 2 || page[0].ID < page[1].ID || page[0].Event != core.EventWebhookTest || page[0].AuditID != nil {
		t.Fatalf("FindDeliveries = %+v, %v", page, err)
	}
	rest, err := s.FindDeliveries(ctx, b.ID, "", page[1].ID, 100)
	if err != nil || len(rest) != 3 || rest[0].ID >= page[1].ID {
		t.Errorf("next page = %d, %v; want 3", len(rest), err)
	}

	// Pruning keeps the entries pending deliveries need.
	n, err := s.PruneAudit(ctx, now.Add(time.Hour))
	if err != nil || n != 0 {
		t.Errorf("PruneAudit with every entry pending = %d, %v; want 0", n, err)
	}
	if n, err := s.PruneDeliveries(ctx, now.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("PruneDeliveries with nothing finished = %d, %v", n, err)
	}

	// Disabling a webhook holds its deliveries; deleting it removes them.
	b.Enabled, b.Events, b.UpdatedAt = false, []string{core.AuditUserCreated}, now
	if err := s.UpdateWebhook(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindWebhook(ctx, b.ID); got.Enabled || !slices.Equal(got.Events, b.Events) {
		t.Errorf("after UpdateWebhook: %+v", got)
	}
	if got, err := s.ClaimDeliveries(ctx, now.Add(24*time.Hour), lease, 100); err != nil || slices.ContainsFunc(got, func(x *core.Delivery) bool { return x.WebhookID == b.ID }) {
		t.Errorf("a disabled webhook's delivery was claimed (%v)", err)
	}
	if err := s.DeleteWebhook(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.FindDelivery(ctx, b.ID, page[0].ID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("a deleted webhook's delivery: %v", err)
	}
	if err := s.DeleteWebhook(ctx, b.ID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("DeleteWebhook twice = %v, want NotFound", err)
	}
	if err := s.UpdateWebhook(ctx, b); core.ErrorCode(err) != core.NotFound {
		t.Errorf("UpdateWebhook(deleted) = %v, want NotFound", err)
	}
}

// testWebhookClaims: claimers racing over one outbox get each delivery
// once.
func testWebhookClaims(t *testing.T, s core.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	w := &core.Webhook{URL: "http://127.0.0.1/", Events: []string{"*"}, Enabled: true, Secret: "whsec_x", CreatedAt: now, UpdatedAt: now}
	if err := s.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	const total = 60
	for range total {
		if err := s.EnqueueDelivery(ctx, &core.Delivery{WebhookID: w.ID, Event: core.EventWebhookTest, CreatedAt: now, NextAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				ds, err := s.ClaimDeliveries(ctx, now, time.Minute, 5)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != total {
		t.Errorf("claimed %d distinct deliveries, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times", id, n)
		}
	}
}
