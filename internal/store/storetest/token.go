package storetest

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"usersd/internal/core"
)

// testTokenLifecycle covers what token expiry, revocation and the token
// cap need of a store: FindTokens leaves out expired tokens, TouchToken
// moves an expiry, RevokeTokensExcept keeps one token, and LockUser
// serialises a count and the insert it allows across concurrent
// transactions, so 50 of them at once never overshoot a cap of 5.
func testTokenLifecycle(t *testing.T, s core.Store) {
	ctx := context.Background()
	u := MustCreate(t, s, "lifecycle", nil)
	now := time.Now().UTC().Truncate(time.Microsecond)
	mk := func(secret string, expires *time.Time) *core.Token {
		t.Helper()
		tok := &core.Token{UserID: u.ID, Kind: core.TokenLogin, Scope: core.ScopeWrite, CreatedAt: now, ExpiresAt: expires}
		if err := s.CreateToken(ctx, tok, core.HashSecret(secret)); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	soon, later := now.Add(time.Minute), now.Add(time.Hour)
	a, b, c := mk("lc-a", &soon), mk("lc-b", nil), mk("lc-c", &later)
	ids := func(at time.Time) []int64 {
		t.Helper()
		ts, err := s.FindTokens(ctx, u.ID, at)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, tok := range ts {
			out = append(out, tok.ID)
		}
		return out
	}
	if got, want := fmt.Sprint(ids(now)), fmt.Sprint([]int64{a.ID, b.ID, c.ID}); got != want {
		t.Errorf("live tokens now = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(ids(soon)), fmt.Sprint([]int64{b.ID, c.ID}); got != want {
		t.Errorf("live tokens at a's expiry = %s, want %s (expired left out)", got, want)
	}
	if err := s.TouchToken(ctx, a.ID, now, netip.MustParseAddr("192.0.2.7"), &later); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(ids(soon)), fmt.Sprint([]int64{a.ID, b.ID, c.ID}); got != want {
		t.Errorf("after moving a's expiry: %s, want %s", got, want)
	}
	if err := s.TouchToken(ctx, a.ID, now, netip.MustParseAddr("192.0.2.7"), nil); err != nil {
		t.Fatal(err)
	}
	if ta, _, err := s.FindTokenByHash(ctx, core.HashSecret("lc-a")); err != nil || ta.ExpiresAt == nil || !ta.ExpiresAt.Equal(later) {
		t.Errorf("a touched without an expiry: %+v %v, want expiry kept at %v", ta, err, later)
	}
	if err := s.RevokeTokensExcept(ctx, u.ID, b.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(ids(now)), fmt.Sprint([]int64{b.ID}); got != want {
		t.Errorf("after RevokeTokensExcept(b) = %s, want %s", got, want)
	}
	if err := s.RevokeTokensExcept(ctx, u.ID, 0, now); err != nil {
		t.Fatal(err)
	}
	if got := ids(now); len(got) != 0 {
		t.Errorf("after RevokeTokensExcept(0) = %v, want none", got)
	}
	if err := s.Tx(ctx, func(tx core.Store) error { return tx.LockUser(ctx, u.ID+1000) }); core.ErrorCode(err) != core.NotFound {
		t.Errorf("LockUser of no user: %v, want NotFound", err)
	}

	const cap, tries = 5, 50
	var wg sync.WaitGroup
	errs := make(chan error, tries)
	// Transactions gather before they count, so that (where the engine
	// runs them side by side) they count at once: up to 10 of them, for
	// at most 300ms (SQLite runs one at a time).
	var entered atomic.Int32
	start := time.Now()
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Tx(ctx, func(tx core.Store) error {
				entered.Add(1)
				for entered.Load() < 10 && time.Since(start) < 300*time.Millisecond {
					time.Sleep(time.Millisecond)
				}
				if err := tx.LockUser(ctx, u.ID); err != nil {
					return err
				}
				ts, err := tx.FindTokens(ctx, u.ID, now)
				if err != nil || len(ts) >= cap {
					return err
				}
				// Widen the window another transaction would slip into.
				time.Sleep(5 * time.Millisecond)
				return tx.CreateToken(ctx, &core.Token{UserID: u.ID, Kind: core.TokenAPI, Scope: core.ScopeWrite, CreatedAt: now},
					core.HashSecret(fmt.Sprintf("lc-cap-%d", i)))
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent capped insert: %v", err)
		}
	}
	if got := ids(now); len(got) != cap {
		t.Errorf("%d concurrent capped inserts left %d live tokens, want %d", tries, len(got), cap)
	}
}
