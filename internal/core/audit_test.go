package core_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
)

// TestAuditListAndRetention: the log pages newest first by cursor, for
// admins only; filters name only its registry's fields; a failed login
// and the lock-out it causes are recorded; Sweep drops entries past the
// retention and keeps the rest; an update that changes nothing leaves
// no entry.
func TestAuditListAndRetention(t *testing.T) {
	ctx := core.WithOrigin(context.Background(), core.Origin{Face: "test", Addr: netip.MustParseAddr("192.0.2.7"), RequestID: "r1"})
	svc, _ := newService(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return now }
	svc.AccountLimit = core.LoginLimit(core.LoginAccount, 2)
	admin, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "boss", Password: "boss password", Fields: core.Patch{"level": int64(core.LevelAdmin)}})
	if err != nil {
		t.Fatal(err)
	}
	member, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "pleb", Password: "pleb password"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := svc.UpdateUser(ctx, admin, member.ID, core.Update{Fields: core.Patch{"bio": fmt.Sprint("bio ", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	// Writing the value the user has already is no entry.
	if _, err := svc.UpdateUser(ctx, admin, member.ID, core.Update{Fields: core.Patch{"bio": "bio 2"}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := svc.CheckPassword(ctx, "pleb", "wrong", netip.MustParseAddr("192.0.2.8")); core.ErrorCode(err) != core.Unauthenticated {
			t.Fatalf("wrong password: %v", err)
		}
	}

	if _, err := svc.ListAudit(ctx, member, core.AuditRequest{Limit: 10}); core.ErrorCode(err) != core.Forbidden {
		t.Errorf("a member reads the log: %v", err)
	}
	if _, err := svc.ListAudit(ctx, nil, core.AuditRequest{Limit: 10}); core.ErrorCode(err) != core.Unauthenticated {
		t.Errorf("anonymous reads the log: %v", err)
	}
	for _, f := range []string{`diff = "x"`, `actor_name = "boss"`, `nope = 1`, `action = "user.exploded"`} {
		e, err := query.Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ListAudit(ctx, admin, core.AuditRequest{Filter: e, Limit: 10}); core.ErrorCode(err) != core.Invalid {
			t.Errorf("filter %s: %v, want Invalid", f, err)
		}
	}

	var actions []string
	cursor := ""
	for {
		page, err := svc.ListAudit(ctx, admin, core.AuditRequest{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			actions = append(actions, e.Action)
			if e.Face != "test" || e.Addr != netip.MustParseAddr("192.0.2.7") || e.RequestID == nil || *e.RequestID != "r1" {
				t.Errorf("entry %d origin: %s %v %v", e.ID, e.Face, e.Addr, e.RequestID)
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	want := "login.locked login.failed login.failed user.updated user.updated user.updated user.created user.created"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("actions, newest first:\n got %s\nwant %s", got, want)
	}
	if _, err := svc.ListAudit(ctx, admin, core.AuditRequest{Limit: 2, Cursor: "x"}); core.ErrorCode(err) != core.Invalid {
		t.Errorf("a bad cursor: %v", err)
	}

	// Retention: entries older than it go, newer ones stay.
	now = now.Add(48 * time.Hour)
	if _, err := svc.UpdateUser(ctx, admin, member.ID, core.Update{Fields: core.Patch{"bio": "later"}}); err != nil {
		t.Fatal(err)
	}
	svc.AuditRetention = 24 * time.Hour
	r, err := svc.Sweep(ctx)
	if err != nil || r.Audit != 8 {
		t.Errorf("sweep: %+v, %v; want the 8 old entries", r, err)
	}
	page, err := svc.ListAudit(ctx, admin, core.AuditRequest{Limit: 10})
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Action != core.AuditUserUpdated {
		t.Errorf("after the sweep: %v, %v", page, err)
	}
}
