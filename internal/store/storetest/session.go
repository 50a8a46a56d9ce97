package storetest

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"usersd/internal/core"
)

func testSessions(t *testing.T, s core.Store) {
	ctx := context.Background()
	u := MustCreate(t, s, "browser", nil)
	other := MustCreate(t, s, "other", nil)
	now := time.Now().UTC().Truncate(time.Microsecond)
	ua := "Mozilla/5.0"
	sess := &core.Session{Hash: core.HashSecret("cookie-1"), UserID: u.ID, Kind: core.SessionReviewBoard,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), IP: netip.MustParseAddr("192.0.2.1"), UserAgent: &ua}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "same hash", s.CreateSession(ctx, &core.Session{Hash: sess.Hash, UserID: other.ID, Kind: core.SessionConsole,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}), core.Conflict, "")
	wantCode(t, "unknown kind", s.CreateSession(ctx, &core.Session{Hash: core.HashSecret("x"), UserID: u.ID, Kind: "api",
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now}), core.Invalid, "")
	got, gu, err := s.FindSessionByHash(ctx, sess.Hash, now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sess, got, cmpopts.EquateComparable(netip.Addr{})); diff != "" || gu.ID != u.ID {
		t.Errorf("found for user %d (-created +found):\n%s", gu.ID, diff)
	}
	if _, _, err := s.FindSessionByHash(ctx, sess.Hash, now.Add(time.Hour)); core.ErrorCode(err) != core.NotFound {
		t.Errorf("expired session: %v, want NotFound", err)
	}

	// Touch slides the expiry; an invalid IP keeps the last one.
	if err := s.TouchSession(ctx, sess.Hash, now.Add(30*time.Minute), now.Add(2*time.Hour), netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	got, _, err = s.FindSessionByHash(ctx, sess.Hash, now.Add(90*time.Minute))
	if err != nil || !got.LastSeenAt.Equal(now.Add(30*time.Minute)) || got.IP != sess.IP {
		t.Errorf("after touch: %+v, %v", got, err)
	}
	wantCode(t, "touch missing", s.TouchSession(ctx, core.HashSecret("nope"), now, now, netip.Addr{}), core.NotFound, "")

	second := &core.Session{Hash: core.HashSecret("cookie-2"), UserID: u.ID, Kind: core.SessionConsole, CreatedAt: now.Add(time.Second), LastSeenAt: now, ExpiresAt: now.Add(time.Minute)}
	if err := s.CreateSession(ctx, second); err != nil {
		t.Fatal(err)
	}
	list, err := s.FindSessions(ctx, u.ID, now)
	if err != nil || len(list) != 2 || list[0].Kind != core.SessionConsole {
		t.Errorf("sessions: %+v, %v; want 2, newest first", list, err)
	}
	if n, err := s.SweepSessions(ctx, now.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("sweep: %d, %v; want the expired one", n, err)
	}
	if err := s.DeleteSession(ctx, sess.Hash); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "delete again", s.DeleteSession(ctx, sess.Hash), core.NotFound, "")
	for _, h := range []string{"a", "b"} {
		if err := s.CreateSession(ctx, &core.Session{Hash: core.HashSecret(h), UserID: u.ID, Kind: core.SessionConsole, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := s.FindSessions(ctx, u.ID, now); err != nil || len(list) != 0 {
		t.Errorf("after delete all: %d sessions, %v", len(list), err)
	}

	// A session a token opened ends with the token: revoked, or expired.
	tokenSession := func(name string, tok *core.Token) *core.Session {
		t.Helper()
		if err := s.CreateToken(ctx, tok, core.HashSecret("tok-"+name)); err != nil {
			t.Fatal(err)
		}
		ss := &core.Session{Hash: core.HashSecret(name), UserID: u.ID, Kind: core.SessionReviewBoard, CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(24 * time.Hour), TokenID: &tok.ID}
		if err := s.CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
		got, _, err := s.FindSessionByHash(ctx, ss.Hash, now)
		if err != nil || got.TokenID == nil || *got.TokenID != tok.ID {
			t.Fatalf("%s: session %+v, %v; want token %d", name, got, err, tok.ID)
		}
		return ss
	}
	revoked := &core.Token{UserID: u.ID, Kind: core.TokenAPI, Scope: core.ScopeWrite, CreatedAt: now}
	rs := tokenSession("by-revoked", revoked)
	if err := s.RevokeToken(ctx, u.ID, revoked.ID, now); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.FindSessionByHash(ctx, rs.Hash, now)
	wantCode(t, "session of a revoked token", err, core.NotFound, "")
	soon := now.Add(time.Hour)
	expiring := &core.Token{UserID: u.ID, Kind: core.TokenAPI, Scope: core.ScopeWrite, CreatedAt: now, ExpiresAt: &soon}
	es := tokenSession("by-expiring", expiring)
	if _, _, err := s.FindSessionByHash(ctx, es.Hash, soon.Add(-time.Second)); err != nil {
		t.Errorf("session of a live token: %v", err)
	}
	_, _, err = s.FindSessionByHash(ctx, es.Hash, soon.Add(time.Second))
	wantCode(t, "session of an expired token", err, core.NotFound, "")
}
