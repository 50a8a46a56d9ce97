package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
)

// AuditPlanEntries is how many entries SeedAudit writes: enough that a
// planner prefers an index to reading the table.
const AuditPlanEntries = 20_000

// AuditPlanStart is when SeedAudit's first entry was recorded.
var AuditPlanStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// SeedAudit appends AuditPlanEntries entries spread over actions, actors,
// targets, faces, addresses and an hour a thousand entries, from
// AuditPlanStart on.
func SeedAudit(t testing.TB, s core.Store) {
	ctx := context.Background()
	start := AuditPlanStart
	faces := []string{"native", "danbooru", "e621", "pronouns", "reviewboard", "drf", "cli", "console"}
	err := s.Tx(ctx, func(tx core.Store) error {
		for i := range AuditPlanEntries {
			actor, target := int64(i%500+1), int64(i%5000+1)
			name, req := fmt.Sprint("user", target), fmt.Sprintf("req%06d", i)
			e := &core.AuditEntry{At: start.Add(time.Duration(i) * 3600 * time.Millisecond), Action: core.AuditActions[i%len(core.AuditActions)],
				ActorID: &actor, ActorName: &name, TargetID: &target, TargetName: &name, Face: faces[i%len(faces)],
				Addr: netip.AddrFrom4([4]byte{10, 0, byte(i / 256 % 256), byte(i % 256)}), RequestID: &req,
				Diff: json.RawMessage(`{"bio":{"new":"x"}}`)}
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// AuditPlanQueries are the audit log's filtered pages, as ListAudit asks
// for them (newest first, past a cursor), by the index each must walk.
func AuditPlanQueries() map[string]query.List {
	page := func(f query.Expr) query.List {
		return query.List{Filter: query.And{f, &query.Cond{Field: "id", Op: query.Lt, Value: int64(15_000)}},
			Order: []query.Order{{Field: "id", Desc: true}}, Limit: 51}
	}
	return map[string]query.List{
		"ix_audit_log_action":     page(&query.Cond{Field: "action", Op: query.Eq, Value: core.AuditUserBanned}),
		"ix_audit_log_actor_id":   page(&query.Cond{Field: "actor_id", Op: query.Eq, Value: int64(7)}),
		"ix_audit_log_target_id":  page(&query.Cond{Field: "target_id", Op: query.Eq, Value: int64(42)}),
		"ix_audit_log_face":       page(&query.Cond{Field: "face", Op: query.Eq, Value: "console"}),
		"ix_audit_log_addr":       page(&query.Cond{Field: "addr", Op: query.Eq, Value: netip.MustParseAddr("10.0.1.2")}),
		"ix_audit_log_request_id": page(&query.Cond{Field: "request_id", Op: query.Eq, Value: "req001234"}),
	}
}
