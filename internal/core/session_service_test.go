package core_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/store/storetest"
)

func TestSessions(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		svc.Now = func() time.Time { return now }
		locked := svc.Face(&core.Profile{Name: "locked", Classes: core.NativeProfile.Classes, BannedLocked: true})
		open := svc.Face(&core.Profile{Name: "open", Classes: core.NativeProfile.Classes})
		addr := netip.MustParseAddr("192.0.2.7")
		u := storetest.MustCreate(t, db, "browser", nil)
		inactive := storetest.MustCreate(t, db, "gone", core.Patch{"active": false})
		banned := storetest.MustCreate(t, db, "banned", core.Patch{"banned": true})

		cookie, s, err := locked.StartSession(ctx, u, nil, core.SessionReviewBoard, addr, "RBTools/5")
		if err != nil {
			t.Fatal(err)
		}
		if !s.ExpiresAt.Equal(now.Add(core.DefaultSessionTTL)) || s.UserAgent == nil || *s.UserAgent != "RBTools/5" {
			t.Errorf("session = %+v, want two weeks and the user agent", s)
		}
		if string(s.Hash) == cookie || string(s.Hash) != string(core.HashSecret(cookie)) {
			t.Errorf("the session must hold the cookie's hash only")
		}
		if got, err := locked.SessionUser(ctx, cookie, core.SessionReviewBoard, addr); err != nil || got.ID != u.ID {
			t.Errorf("SessionUser = %v, %v; want %d", got, err, u.ID)
		}
		for _, tt := range []struct{ what, cookie, kind string }{
			{"other kind", cookie, core.SessionConsole},
			{"unknown", "nope", core.SessionReviewBoard},
			{"empty", "", core.SessionReviewBoard},
		} {
			if _, err := locked.SessionUser(ctx, tt.cookie, tt.kind, addr); core.ErrorCode(err) != core.Unauthenticated {
				t.Errorf("%s: %v, want Unauthenticated", tt.what, err)
			}
		}
		if _, _, err := locked.StartSession(ctx, u, nil, "api", addr, ""); core.ErrorCode(err) != core.Invalid {
			t.Errorf("unknown kind: %v, want Invalid", err)
		}

		// Use slides the expiry, written at most once a minute.
		now = now.Add(30 * time.Second)
		locked.SessionUser(ctx, cookie, core.SessionReviewBoard, addr)
		if got, _, _ := db.FindSessionByHash(ctx, s.Hash, now); !got.ExpiresAt.Equal(s.ExpiresAt) {
			t.Errorf("touched within a minute: expires %v, want %v", got.ExpiresAt, s.ExpiresAt)
		}
		now = now.Add(core.DefaultSessionTTL - time.Minute)
		locked.SessionUser(ctx, cookie, core.SessionReviewBoard, addr)
		if got, _, err := db.FindSessionByHash(ctx, s.Hash, now); err != nil || !got.ExpiresAt.Equal(now.Add(core.DefaultSessionTTL)) {
			t.Errorf("slid expiry: %v, %v; want %v", got, err, now.Add(core.DefaultSessionTTL))
		}
		now = now.Add(core.DefaultSessionTTL)
		if _, err := locked.SessionUser(ctx, cookie, core.SessionReviewBoard, addr); core.ErrorCode(err) != core.Unauthenticated {
			t.Errorf("expired: %v, want Unauthenticated", err)
		}

		// Standing: as with tokens.
		if _, _, err := locked.StartSession(ctx, inactive, nil, core.SessionReviewBoard, addr, ""); core.ErrorReason(err) != core.ReasonUserInactive {
			t.Errorf("inactive start: %v", err)
		}
		bc, _, err := open.StartSession(ctx, banned, nil, core.SessionReviewBoard, addr, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := locked.SessionUser(ctx, bc, core.SessionReviewBoard, addr); core.ErrorReason(err) != core.ReasonUserBanned {
			t.Errorf("banned on a locking face: %v", err)
		}
		if _, err := open.SessionUser(ctx, bc, core.SessionReviewBoard, addr); err != nil {
			t.Errorf("banned on an open face: %v", err)
		}
		c2, _, _ := open.StartSession(ctx, u, nil, core.SessionReviewBoard, addr, "")
		if _, err := db.UpdateUser(ctx, u.ID, core.Patch{"active": false}, core.UpdateMeta{}); err != nil {
			t.Fatal(err)
		}
		if _, err := open.SessionUser(ctx, c2, core.SessionReviewBoard, addr); core.ErrorReason(err) != core.ReasonUserInactive {
			t.Errorf("deactivated: %v", err)
		}

		// Ending.
		if err := open.EndSession(ctx, bc); err != nil {
			t.Fatal(err)
		}
		if _, err := open.SessionUser(ctx, bc, core.SessionReviewBoard, addr); core.ErrorCode(err) != core.Unauthenticated {
			t.Errorf("ended: %v", err)
		}
		if err := open.EndSession(ctx, bc); err != nil {
			t.Errorf("ending twice: %v", err)
		}
	})
}

// TestAuthenticateTellsWhen: an expired token's holder learns when
// (Review Board's message names the date); nobody else does, and a
// revoked token is as unknown (the store forgets revoked tokens).
func TestAuthenticateTellsWhen(t *testing.T) {
	svc, db := newService(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	svc.Now = func() time.Time { return now }
	u := storetest.MustCreate(t, db, "holder", nil)
	exp, _, err := svc.CreateTokenWith(ctx, u, u.ID, core.NewToken{ExpiresIn: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	rev, tok, err := svc.CreateTokenWith(ctx, u, u.ID, core.NewToken{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeToken(ctx, u, u.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	created := now
	now = now.Add(2 * time.Hour)
	for _, tt := range []struct {
		what, secret, reason string
		at                   time.Time
	}{
		{"expired", exp, core.ReasonTokenExpired, created.Add(time.Hour)},
		{"revoked", rev, core.ReasonTokenInvalid, time.Time{}},
		{"unknown", "usersd_" + strings.Repeat("A", 43), core.ReasonTokenInvalid, time.Time{}},
	} {
		_, _, err := svc.Authenticate(ctx, tt.secret, netip.Addr{})
		if e := core.AsError(err); e.Reason != tt.reason || !e.At.Equal(tt.at) {
			t.Errorf("%s: %v (reason %q, at %v), want %s at %v", tt.what, err, e.Reason, e.At, tt.reason, tt.at)
		}
	}
}

// TestSessionCap: past MaxSessions live sessions of one user, starting
// another ends the oldest.
func TestSessionCap(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		svc.Now = func() time.Time { now = now.Add(time.Second); return now }
		f := svc.Face(core.NativeProfile)
		u := storetest.MustCreate(t, db, "scripted", nil)
		var cookies []string
		for range core.MaxSessions + 2 {
			c, _, err := f.StartSession(ctx, u, nil, core.SessionReviewBoard, netip.Addr{}, "")
			if err != nil {
				t.Fatal(err)
			}
			cookies = append(cookies, c)
		}
		for i, c := range cookies {
			_, err := f.SessionUser(ctx, c, core.SessionReviewBoard, netip.Addr{})
			if ended := i < 2; ended != (err != nil) {
				t.Errorf("session %d: ended %v, err %v", i, ended, err)
			}
		}
	})
}
