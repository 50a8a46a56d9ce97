package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"usersd/internal/core"
)

func ptr[T any](v T) *T { return &v }

// testLinkedAccounts: a user links one account per provider, each remote
// account to one user; a relink replaces; rows go with the user.
func testLinkedAccounts(t *testing.T, s core.Store) {
	ctx := context.Background()
	at := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	u := MustCreate(t, s, "linker", nil)
	other := MustCreate(t, s, "other", nil)
	if got, err := s.LinkedAccounts(ctx, u.ID); err != nil || got == nil || len(got) != 0 {
		t.Errorf("none linked: %v, %v; want an empty list", got, err)
	}
	fedi := core.LinkedAccount{Provider: "fediverse", RemoteID: "109", RemoteUsername: ptr("ash"), Instance: ptr("example.social")}
	discord := core.LinkedAccount{Provider: "discord", RemoteID: "1234567890"}
	for _, a := range []core.LinkedAccount{fedi, discord} {
		if err := s.SetLinkedAccount(ctx, u.ID, a, at); err != nil {
			t.Fatalf("link %s: %v", a.Provider, err)
		}
	}
	got, err := s.LinkedAccounts(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]core.LinkedAccount{discord, fedi}, got); diff != "" {
		t.Errorf("linked (-want +got), by provider:\n%s", diff)
	}

	// Relinking a provider replaces its account.
	discord2 := core.LinkedAccount{Provider: "discord", RemoteID: "42", RemoteUsername: ptr("ash#1")}
	if err := s.SetLinkedAccount(ctx, u.ID, discord2, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LinkedAccounts(ctx, u.ID); len(got) != 2 || !cmp.Equal(got[0], discord2) {
		t.Errorf("after relink: %+v, want %+v first", got, discord2)
	}

	// One remote account, one user: per provider and instance.
	err = s.SetLinkedAccount(ctx, other.ID, core.LinkedAccount{Provider: "discord", RemoteID: "42"}, at)
	wantCode(t, "remote account of another user", err, core.Conflict, "remote_id")
	err = s.SetLinkedAccount(ctx, other.ID, core.LinkedAccount{Provider: "fediverse", RemoteID: "109", Instance: ptr("example.social")}, at)
	wantCode(t, "fediverse account of another user", err, core.Conflict, "remote_id")
	if err := s.SetLinkedAccount(ctx, other.ID, core.LinkedAccount{Provider: "fediverse", RemoteID: "109", Instance: ptr("other.social")}, at); err != nil {
		t.Errorf("same id on another instance: %v", err)
	}
	if got, _ := s.LinkedAccounts(ctx, other.ID); len(got) != 1 || got[0].Provider != "fediverse" {
		t.Errorf("other's accounts after a refused link: %+v, want the fediverse one only", got)
	}

	wantCode(t, "unknown provider", s.SetLinkedAccount(ctx, u.ID, core.LinkedAccount{Provider: "myspace", RemoteID: "1"}, at), core.Invalid, "")
	wantCode(t, "no such user", s.SetLinkedAccount(ctx, other.ID+1000, core.LinkedAccount{Provider: "google", RemoteID: "1"}, at), core.Invalid, "")
	if got, err := s.LinkedAccounts(ctx, other.ID+1000); err != nil || len(got) != 0 {
		t.Errorf("accounts of no user: %v, %v; want none", got, err)
	}
}

// testClaimReroll: a claim succeeds when the last reroll is at or before
// notAfter, moves it to at, and of concurrent claims exactly one wins.
func testClaimReroll(t *testing.T, s core.Store) {
	ctx := context.Background()
	u := MustCreate(t, s, "roller", nil) // last reroll: an hour before creation
	last := u.LastSIDRerollAt
	now := last.Add(time.Hour)

	if ok, err := s.ClaimReroll(ctx, u.ID, now, last.Add(-time.Microsecond)); err != nil || ok {
		t.Errorf("claim with the last reroll after notAfter: %v, %v; want false", ok, err)
	}
	if got, _ := s.FindUserByID(ctx, u.ID); !got.LastSIDRerollAt.Equal(last) {
		t.Errorf("refused claim moved the last reroll to %v", got.LastSIDRerollAt)
	}
	if ok, err := s.ClaimReroll(ctx, u.ID, now, last); err != nil || !ok {
		t.Fatalf("claim with the last reroll at notAfter: %v, %v; want true", ok, err)
	}
	if got, _ := s.FindUserByID(ctx, u.ID); !got.LastSIDRerollAt.Equal(now) {
		t.Errorf("last reroll after a claim = %v, want %v", got.LastSIDRerollAt, now)
	}
	if ok, err := s.ClaimReroll(ctx, u.ID, now.Add(time.Minute), now.Add(-time.Hour+time.Minute)); err != nil || ok {
		t.Errorf("second claim within the window: %v, %v; want false", ok, err)
	}
	if _, err := s.ClaimReroll(ctx, u.ID+1000, now, now); core.ErrorCode(err) != core.NotFound {
		t.Errorf("claim of no user: %v, want NotFound", err)
	}

	// Inside a transaction that rolls back, the claim is undone.
	later := now.Add(2 * time.Hour)
	err := s.Tx(ctx, func(tx core.Store) error {
		if ok, err := tx.ClaimReroll(ctx, u.ID, later, later.Add(-time.Hour)); err != nil || !ok {
			t.Errorf("claim in a tx: %v, %v", ok, err)
		}
		return core.Errorf(core.Conflict, "undo")
	})
	if core.ErrorCode(err) != core.Conflict {
		t.Fatalf("tx: %v", err)
	}
	if got, _ := s.FindUserByID(ctx, u.ID); !got.LastSIDRerollAt.Equal(now) {
		t.Errorf("rolled back claim left the last reroll at %v, want %v", got.LastSIDRerollAt, now)
	}

	// Concurrent claims of one window, each in its own transaction: one wins.
	const n = 8
	var wg sync.WaitGroup
	wins := make(chan bool, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var won bool // of the run that committed: Tx may retry fn
			err := s.Tx(ctx, func(tx core.Store) error {
				var err error
				won, err = tx.ClaimReroll(ctx, u.ID, later, later.Add(-time.Hour))
				return err
			})
			if err != nil {
				t.Errorf("concurrent claim: %v", err)
			}
			wins <- won
		}()
	}
	wg.Wait()
	close(wins)
	won := 0
	for ok := range wins {
		if ok {
			won++
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent claims won, want 1", won, n)
	}
}
