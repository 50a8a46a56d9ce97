package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"usersd/internal/core"
	"usersd/internal/query"
)

// testAudit: entries round-trip every field; a rolled-back transaction
// keeps none of its entries; filters and the newest-first order read the
// AuditLog registry; pruning deletes by age only.
func testAudit(t *testing.T, s core.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	actor, target := int64(7), int64(9)
	actorName, targetName, req := "root", "ann", "req-1"
	first := &core.AuditEntry{At: now.Add(-48 * time.Hour), Action: core.AuditUserBanned, ActorID: &actor, ActorName: &actorName,
		TargetID: &target, TargetName: &targetName, Face: "danbooru", Addr: netip.MustParseAddr("2001:db8::1"), RequestID: &req,
		Diff: json.RawMessage(`{"banned":{"old":false,"new":true}}`)}
	if err := s.AppendAudit(ctx, first); err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 {
		t.Fatal("AppendAudit set no id")
	}
	second := &core.AuditEntry{At: now, Action: core.AuditLoginFailed, Face: "native", Diff: json.RawMessage(`{}`)}
	if err := s.AppendAudit(ctx, second); err != nil {
		t.Fatal(err)
	}

	boom := errors.New("boom")
	err := s.Tx(ctx, func(tx core.Store) error {
		if err := tx.AppendAudit(ctx, &core.AuditEntry{At: now, Action: core.AuditUserUpdated, Face: "native", Diff: json.RawMessage(`{}`)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx = %v, want boom", err)
	}

	all, _, err := s.FindAudit(ctx, query.List{Order: []query.Order{{Field: "id", Desc: true}}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []*core.AuditEntry{second, first}
	// JSON columns come back as the database normalizes them (jsonb reorders keys).
	normJSON := cmp.Transformer("json", func(m json.RawMessage) any {
		var v any
		json.Unmarshal(m, &v)
		return v
	})
	if diff := cmp.Diff(want, all, cmpopts.EquateComparable(netip.Addr{}), normJSON); diff != "" {
		t.Errorf("entries, newest first, without the rolled-back one (-want +got):\n%s", diff)
	}

	for _, c := range []struct {
		filter query.Expr
		want   int64
	}{
		{&query.Cond{Field: "action", Op: query.Eq, Value: core.AuditUserBanned}, first.ID},
		{&query.Cond{Field: "target_id", Op: query.Eq, Value: target}, first.ID},
		{&query.Cond{Field: "actor_id", Op: query.IsNull}, second.ID},
		{&query.Cond{Field: "face", Op: query.Eq, Value: "native"}, second.ID},
		{&query.Cond{Field: "addr", Op: query.Eq, Value: netip.MustParseAddr("2001:db8::1")}, first.ID},
		{&query.Cond{Field: "request_id", Op: query.Eq, Value: req}, first.ID},
		{&query.Cond{Field: "at", Op: query.Gt, Value: now.Add(-time.Hour)}, second.ID},
	} {
		got, _, err := s.FindAudit(ctx, query.List{Filter: c.filter, Limit: 10})
		if err != nil || len(got) != 1 || got[0].ID != c.want {
			t.Errorf("filter %s: %v, %v; want entry %d", query.String(c.filter), got, err, c.want)
		}
	}

	if n, err := s.PruneAudit(ctx, now.Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("prune: %d, %v; want the old entry", n, err)
	}
	left, _, err := s.FindAudit(ctx, query.List{Limit: 10})
	if err != nil || len(left) != 1 || left[0].ID != second.ID {
		t.Errorf("after pruning: %v, %v; want the new entry", left, err)
	}
}

// testCountAudit: CountAudit counts each action per bucket, bounds
// included at the start and excluded at the end, and nothing outside the
// window or of other actions.
func testCountAudit(t *testing.T, s core.Store) {
	ctx := context.Background()
	from := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	add := func(action string, at time.Time) {
		t.Helper()
		if err := s.AppendAudit(ctx, &core.AuditEntry{At: at, Action: action, Face: "native", Diff: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	add(core.AuditLoginFailed, from.Add(-time.Microsecond))          // before the window
	add(core.AuditLoginFailed, from)                                 // bucket 0, its first instant
	add(core.AuditLoginFailed, from.Add(59*time.Minute))             // bucket 0
	add(core.AuditLoginFailed, from.Add(time.Hour))                  // bucket 1
	add(core.AuditLoginLocked, from.Add(2*time.Hour+time.Second))    // bucket 2
	add(core.AuditLoginFailed, from.Add(3*time.Hour))                // past the window
	add(core.AuditUserBanned, from.Add(time.Minute))                 // not asked for
	add(core.AuditLoginSucceeded, from.Add(3*time.Hour-time.Second)) // bucket 2, its last second
	got, err := s.CountAudit(ctx, []string{core.AuditLoginFailed, core.AuditLoginLocked, core.AuditLoginSucceeded, core.AuditUserCreated},
		from, time.Hour, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		core.AuditLoginFailed:    {2, 1, 0},
		core.AuditLoginLocked:    {0, 0, 1},
		core.AuditLoginSucceeded: {0, 0, 1},
		core.AuditUserCreated:    {0, 0, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CountAudit (-want +got):\n%s", diff)
	}
}
