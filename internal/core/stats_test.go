package core_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
)

// TestConsoleSessions: staff list and end the cookie sessions of users
// they outrank, users their own; the list names each by a short handle,
// never the cookie's hash; an ended session stops authenticating, and its
// end is one audit entry naming the kind and the creation time.
func TestConsoleSessions(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		const ok = core.Code(-1)
		ctx := core.WithOrigin(context.Background(), core.Origin{RequestID: "req-s"})
		face := svc.Face(&core.Profile{Name: "console", Classes: core.NativeProfile.Classes})
		mk := func(name string, level int) *core.User {
			u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: name, Password: "password-" + name, Fields: core.Patch{"level": int64(level)}})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		admin, mod, member, other := mk("admin", core.LevelAdmin), mk("mod", core.LevelModerator), mk("member", core.LevelMember), mk("other", core.LevelMember)
		rb, _, err := face.StartSession(ctx, member, nil, core.SessionReviewBoard, netip.MustParseAddr("192.0.2.9"), "rbtools/5")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := face.StartSession(ctx, member, nil, core.SessionReviewBoard, netip.Addr{}, ""); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			what          string
			actor, target *core.User
			want          core.Code
		}{
			{"moderator over member", mod, member, ok},
			{"member over self", member, member, ok},
			{"moderator over admin", mod, admin, core.Forbidden},
			{"member over member", other, member, core.Forbidden},
			{"anonymous", nil, member, core.Unauthenticated},
		} {
			if _, err := face.UserSessions(ctx, tt.actor, tt.target.ID); core.ErrorCode(err) != tt.want {
				t.Errorf("%s: UserSessions: %v, want code %d", tt.what, err, tt.want)
			}
			if err := face.RevokeUserSession(ctx, tt.actor, tt.target.ID, "0123456789abcdef"); tt.want != ok && core.ErrorCode(err) != tt.want {
				t.Errorf("%s: RevokeUserSession: %v, want code %d", tt.what, err, tt.want)
			}
		}
		list, err := face.UserSessions(ctx, mod, member.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("UserSessions = %d, %v; want 2", len(list), err)
		}
		var mine *core.UserSession
		for _, s := range list {
			if len(s.Handle) != core.SessionHandleLen {
				t.Errorf("handle %q is not %d hex digits", s.Handle, core.SessionHandleLen)
			}
			if s.UserAgent != nil && *s.UserAgent == "rbtools/5" {
				mine = s
			}
		}
		if mine == nil || mine.Kind != core.SessionReviewBoard || mine.IP != netip.MustParseAddr("192.0.2.9") {
			t.Fatalf("the rbtools session is not listed as it was opened: %+v", mine)
		}
		if full := hex.EncodeToString(core.HashSecret(rb)); !strings.HasPrefix(full, mine.Handle) || len(full) <= len(mine.Handle) {
			t.Errorf("handle %q is not a short prefix of the hash's hex", mine.Handle)
		}
		if err := face.RevokeUserSession(ctx, mod, member.ID, "zz"); core.ErrorCode(err) != core.NotFound {
			t.Errorf("a malformed handle: %v, want NotFound", err)
		}
		if err := face.RevokeUserSession(ctx, mod, other.ID, mine.Handle); core.ErrorCode(err) != core.NotFound {
			t.Errorf("a handle of another user's session: %v, want NotFound", err)
		}
		if err := face.RevokeUserSession(ctx, mod, member.ID, mine.Handle); err != nil {
			t.Fatal(err)
		}
		if _, err := face.SessionUser(ctx, rb, core.SessionReviewBoard, netip.Addr{}); core.ErrorCode(err) != core.Unauthenticated {
			t.Errorf("the revoked session: %v, want Unauthenticated", err)
		}
		if err := face.RevokeUserSession(ctx, mod, member.ID, mine.Handle); core.ErrorCode(err) != core.NotFound {
			t.Errorf("revoking it again: %v, want NotFound", err)
		}
		if left, _ := face.UserSessions(ctx, member, member.ID); len(left) != 1 {
			t.Errorf("%d sessions left, want 1", len(left))
		}
		page, err := svc.ListAudit(ctx, admin, core.AuditRequest{Limit: 10, Filter: &query.Cond{Field: "action", Op: query.Eq, Value: core.AuditSessionRevoked}})
		if err != nil || len(page.Entries) != 1 {
			t.Fatalf("session.revoked entries: %v, %v; want 1", page, err)
		}
		e := page.Entries[0]
		var diff map[string]any
		if err := json.Unmarshal(e.Diff, &diff); err != nil || len(diff) != 2 || diff["kind"] != core.SessionReviewBoard ||
			diff["created_at"] != mine.CreatedAt.UTC().Format(time.RFC3339Nano) {
			t.Errorf("diff = %s, want the kind and %s", e.Diff, mine.CreatedAt.UTC().Format(time.RFC3339Nano))
		}
		if e.ActorID == nil || *e.ActorID != mod.ID || e.TargetID == nil || *e.TargetID != member.ID || e.Face != "console" {
			t.Errorf("entry: actor %v target %v face %s", e.ActorID, e.TargetID, e.Face)
		}
	})
}

// TestLoginSucceededAndCounts: a password login (Login) and a console
// sign-in (RecordSignIn) each write one login.succeeded entry, a Basic
// check (CheckPassword) none; AuditCounts counts them per hour, for
// admins only; StoreHealth pings and names the store, for staff.
func TestLoginSucceededAndCounts(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
		svc.Now = func() time.Time { return now }
		face := svc.Face(&core.Profile{Name: "console", Classes: core.NativeProfile.Classes})
		admin, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "boss", Password: "boss password", Fields: core.Patch{"level": int64(core.LevelAdmin)}})
		if err != nil {
			t.Fatal(err)
		}
		mod, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "mod", Password: "mod password", Fields: core.Patch{"level": int64(core.LevelModerator)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := face.Login(ctx, "boss", "boss password", netip.Addr{}); err != nil {
			t.Fatal(err)
		}
		if _, err := face.CheckPassword(ctx, "boss", "boss password", netip.Addr{}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := face.CheckPassword(ctx, "boss", "wrong", netip.Addr{}); core.ErrorCode(err) != core.Unauthenticated {
				t.Fatal(err)
			}
		}
		now = now.Add(time.Hour)
		u, err := face.CheckPassword(ctx, "mod", "mod password", netip.Addr{})
		if err != nil {
			t.Fatal(err)
		}
		_, sess, err := face.StartSession(ctx, u, nil, core.SessionConsole, netip.Addr{}, "")
		if err != nil {
			t.Fatal(err)
		}
		face.RecordSignIn(ctx, u, sess)

		actions := []string{core.AuditLoginSucceeded, core.AuditLoginFailed}
		from := time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)
		counts, err := face.AuditCounts(ctx, admin, actions, from, time.Hour, 3)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := counts[core.AuditLoginSucceeded], []int{0, 1, 1}; !slices.Equal(got, want) {
			t.Errorf("logins per hour = %v, want %v", got, want)
		}
		if got, want := counts[core.AuditLoginFailed], []int{0, 3, 0}; !slices.Equal(got, want) {
			t.Errorf("failures per hour = %v, want %v", got, want)
		}
		page, err := svc.ListAudit(ctx, admin, core.AuditRequest{Limit: 10, Filter: &query.Cond{Field: "action", Op: query.Eq, Value: core.AuditLoginSucceeded}})
		if err != nil || len(page.Entries) != 2 {
			t.Fatalf("login.succeeded entries: %v; want 2", err)
		}
		for i, want := range []struct {
			id   int64
			kind string
		}{{mod.ID, "console"}, {admin.ID, "token"}} {
			e := page.Entries[i]
			var diff map[string]any
			if err := json.Unmarshal(e.Diff, &diff); err != nil || len(diff) != 1 || diff["kind"] != want.kind ||
				e.ActorID == nil || *e.ActorID != want.id || e.TargetID == nil || *e.TargetID != want.id {
				t.Errorf("entry %d: actor %v target %v diff %s; want %d, %s", i, e.ActorID, e.TargetID, e.Diff, want.id, want.kind)
			}
		}
		if _, err := face.AuditCounts(ctx, mod, actions, from, time.Hour, 3); core.ErrorCode(err) != core.Forbidden {
			t.Errorf("a moderator counts the log: %v, want Forbidden", err)
		}
		if _, err := face.AuditCounts(ctx, admin, actions, from, time.Hour, 0); core.ErrorCode(err) != core.Invalid {
			t.Errorf("no buckets: %v, want Invalid", err)
		}

		h, err := face.StoreHealth(ctx, mod)
		if err != nil || h.Err != nil || h.Ping <= 0 {
			t.Fatalf("StoreHealth = %+v, %v", h, err)
		}
		if h.Kind != "sqlite" && h.Kind != "postgres" || len(h.Pools) == 0 {
			t.Errorf("kind %q, %d pools", h.Kind, len(h.Pools))
		}
		member, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "pleb", Password: "pleb password"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := face.StoreHealth(ctx, member); core.ErrorCode(err) != core.Forbidden {
			t.Errorf("a member reads the store's health: %v, want Forbidden", err)
		}
	})
}
