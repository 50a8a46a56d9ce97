package core_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
	"usersd/internal/store/storetest"
)

// TestConsoleTokens: staff list and revoke the tokens of users they
// outrank, never of their peers or superiors; users their own; revoking
// all is one audited change whose tokens stop authenticating.
func TestConsoleTokens(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		const ok = core.Code(-1) // ErrorCode(nil)
		ctx := core.WithOrigin(context.Background(), core.Origin{RequestID: "req-1"})
		face := svc.Face(&core.Profile{Name: "console", Classes: core.NativeProfile.Classes})
		admin := storetest.MustCreate(t, db, "admin", core.Patch{"level": int64(core.LevelAdmin)})
		mod := storetest.MustCreate(t, db, "mod", core.Patch{"level": int64(core.LevelModerator)})
		member := storetest.MustCreate(t, db, "member", nil)
		other := storetest.MustCreate(t, db, "other", nil)
		var secrets []string
		for _, label := range []string{"a", "b", "c"} {
			s, _, err := svc.CreateToken(ctx, core.System, member.ID, label, core.ScopeWrite)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, s)
		}
		adminSecret, _, err := svc.CreateToken(ctx, core.System, admin.ID, "ops", core.ScopeWrite)
		if err != nil {
			t.Fatal(err)
		}

		for _, tt := range []struct {
			what          string
			actor, target *core.User
			want          core.Code
		}{
			{"moderator over member", mod, member, ok},
			{"admin over moderator", admin, mod, ok},
			{"member over self", member, member, ok},
			{"moderator over admin", mod, admin, core.Forbidden},
			{"member over member", other, member, core.Forbidden},
			{"anonymous", nil, member, core.Unauthenticated},
		} {
			if _, err := face.UserTokens(ctx, tt.actor, tt.target.ID); core.ErrorCode(err) != tt.want {
				t.Errorf("%s: UserTokens: %v, want code %d", tt.what, err, tt.want)
			}
			if err := face.May(ctx, tt.actor, core.ActTokens, tt.target); core.ErrorCode(err) != tt.want {
				t.Errorf("%s: May(ActTokens) = %v, want code %d", tt.what, err, tt.want)
			}
		}
		for _, tt := range []struct {
			what          string
			actor, target *core.User
			want          core.Code
		}{
			{"admin over member", admin, member, ok},
			{"member over self", member, member, ok},
			{"moderator over member", mod, member, core.Forbidden},
			{"member over member", other, member, core.Forbidden},
		} {
			if err := face.May(ctx, tt.actor, core.ActSetPassword, tt.target); core.ErrorCode(err) != tt.want {
				t.Errorf("%s: May(ActSetPassword) = %v, want code %d", tt.what, err, tt.want)
			}
		}
		if _, err := face.RevokeAllTokens(ctx, mod, admin.ID); core.ErrorCode(err) != core.Forbidden {
			t.Errorf("moderator revoking an admin's tokens: %v, want Forbidden", err)
		}
		if _, _, err := svc.Authenticate(ctx, adminSecret, netip.Addr{}); err != nil {
			t.Errorf("the admin's token after a refused revocation: %v", err)
		}

		toks, err := face.UserTokens(ctx, mod, member.ID)
		if err != nil || len(toks) != 3 {
			t.Fatalf("UserTokens = %d tokens, %v; want 3", len(toks), err)
		}
		if err := face.RevokeUserToken(ctx, mod, member.ID, toks[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, secrets[0], netip.Addr{}); core.ErrorCode(err) != core.Unauthenticated {
			t.Errorf("revoked token: %v, want Unauthenticated", err)
		}
		n, err := face.RevokeAllTokens(ctx, mod, member.ID)
		if err != nil || n != 2 {
			t.Fatalf("RevokeAllTokens = %d, %v; want 2", n, err)
		}
		for _, s := range secrets[1:] {
			if _, _, err := svc.Authenticate(ctx, s, netip.Addr{}); core.ErrorCode(err) != core.Unauthenticated {
				t.Errorf("token after revoking all: %v, want Unauthenticated", err)
			}
		}
		page, err := svc.ListAudit(ctx, admin, core.AuditRequest{Limit: 10, Filter: query.And{
			&query.Cond{Field: "target_id", Op: query.Eq, Value: member.ID},
			&query.Cond{Field: "action", Op: query.Eq, Value: core.AuditTokenRevoked},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 2 {
			t.Fatalf("%d token.revoked entries, want 2", len(page.Entries))
		}
		all := page.Entries[0]
		var diff map[string]any
		if err := json.Unmarshal(all.Diff, &diff); err != nil || diff["count"] != float64(2) || diff["all"] != true {
			t.Errorf("diff = %s, want all and a count of 2", all.Diff)
		}
		if all.Face != "console" || all.ActorID == nil || *all.ActorID != mod.ID || all.RequestID == nil || *all.RequestID != "req-1" {
			t.Errorf("entry = face %q actor %v request %v; want console, the moderator, req-1", all.Face, all.ActorID, all.RequestID)
		}
		if n, err := face.RevokeAllTokens(ctx, mod, member.ID); err != nil || n != 0 {
			t.Errorf("revoking none: %d, %v", n, err)
		}
	})
}

// TestSessionUserWithin: a session ends once idle past its bound or past
// its absolute age, however busy.
func TestSessionUserWithin(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		svc.Now = func() time.Time { return now }
		face := svc.Face(&core.Profile{Name: "console", Classes: core.NativeProfile.Classes})
		u := storetest.MustCreate(t, db, "staff", core.Patch{"level": int64(core.LevelModerator)})
		const idle, maxAge = 30 * time.Minute, 2 * time.Hour
		start := func() string {
			c, _, err := face.StartSession(ctx, u, nil, core.SessionConsole, netip.Addr{}, "")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		check := func(what, cookie string, ok bool) {
			t.Helper()
			_, err := face.SessionUserWithin(ctx, cookie, core.SessionConsole, netip.Addr{}, idle, maxAge)
			if ok && err != nil || !ok && core.ErrorCode(err) != core.Unauthenticated {
				t.Errorf("%s: %v, want ok=%v", what, err, ok)
			}
		}
		busy := start()
		for range 7 { // a use every 20 minutes for 2h20m
			now = now.Add(20 * time.Minute)
			check("busy, at "+now.Format(time.TimeOnly), busy, now.Sub(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) < maxAge)
		}
		now = now.Add(-maxAge) // back within the age; the ended session stays ended
		check("after its end", busy, false)

		lazy := start()
		now = now.Add(idle)
		check("idle exactly", lazy, true)
		now = now.Add(idle + 2*time.Minute)
		check("idle past the bound", lazy, false)

		plain := start()
		now = now.Add(maxAge + idle)
		if _, err := face.SessionUserWithin(ctx, plain, core.SessionConsole, netip.Addr{}, 0, 0); err != nil {
			t.Errorf("no bounds: %v", err)
		}
	})
}
