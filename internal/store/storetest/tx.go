package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"usersd/internal/core"
)

// testTx checks the transaction seam: all of fn's writes commit together or
// none do, reads inside fn see its writes, a failed method inside fn leaves
// the transaction usable, and a nested Tx undoes only its own writes.
func testTx(t *testing.T, s core.Store) {
	ctx := context.Background()
	u := MustCreate(t, s, "txuser", nil)
	MustCreate(t, s, "taken", nil)
	now := time.Now().UTC().Truncate(time.Microsecond)
	hash := core.HashSecret("tx-secret")
	if err := s.CreateToken(ctx, &core.Token{UserID: u.ID, Kind: core.TokenAPI, Scope: core.ScopeWrite, CreatedAt: now}, hash); err != nil {
		t.Fatal(err)
	}
	// The writes of Deactivate: a rename (with its history row), then the
	// token revocation.
	writes := func(tx core.Store) error {
		if _, err := tx.UpdateUser(ctx, u.ID, core.Patch{"name": "user_1", "name_key": "user_1", "deleted": true}, core.UpdateMeta{Deletion: true}); err != nil {
			return err
		}
		got, err := tx.FindUserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if got.Name != "user_1" || !got.Deleted {
			t.Errorf("inside tx: read %q deleted=%v, want its own write", got.Name, got.Deleted)
		}
		return tx.RevokeTokens(ctx, u.ID, now)
	}
	unchanged := func(when string) {
		t.Helper()
		got, err := s.FindUserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "txuser" || got.Deleted {
			t.Errorf("%s: user %q deleted=%v, want unchanged", when, got.Name, got.Deleted)
		}
		if _, _, err := s.FindTokenByHash(ctx, hash); err != nil {
			t.Errorf("%s: token: %v, want still valid", when, err)
		}
		if hist, err := s.NameChanges(ctx, u.ID); err != nil || len(hist) != 0 {
			t.Errorf("%s: name history %+v %v, want none", when, hist, err)
		}
	}

	boom := errors.New("boom")
	if err := s.Tx(ctx, func(tx core.Store) error {
		if err := writes(tx); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failing fn: Tx = %v, want its error", err)
	}
	unchanged("after a failed fn")

	func() {
		defer func() {
			if r := recover(); r != "panic in fn" {
				t.Errorf("recovered %v, want the panic to continue", r)
			}
		}()
		s.Tx(ctx, func(tx core.Store) error {
			if err := writes(tx); err != nil {
				return err
			}
			panic("panic in fn")
		})
	}()
	unchanged("after a panic")

	// A Conflict inside fn can be recovered from: the failed statement is
	// undone alone (PostgreSQL would otherwise abort the whole transaction).
	// A nested Tx that fails undoes only its own writes.
	inner := errors.New("inner")
	if err := s.Tx(ctx, func(tx core.Store) error {
		if _, err := tx.UpdateUser(ctx, u.ID, core.Patch{"name": "Taken", "name_key": "taken"}, core.UpdateMeta{}); core.ErrorCode(err) != core.Conflict {
			t.Errorf("rename onto a taken name in tx: %v, want Conflict", err)
		}
		if err := tx.Tx(ctx, func(tx core.Store) error {
			if _, err := tx.UpdateUser(ctx, u.ID, core.Patch{"bio": "nested"}, core.UpdateMeta{}); err != nil {
				return err
			}
			return inner
		}); !errors.Is(err, inner) {
			t.Errorf("nested Tx = %v, want its error", err)
		}
		return writes(tx)
	}); err != nil {
		t.Fatalf("successful fn: %v", err)
	}
	got, err := s.FindUserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "user_1" || !got.Deleted || got.Bio != nil {
		t.Errorf("after commit: name %q deleted=%v bio=%v, want user_1, true, nil", got.Name, got.Deleted, got.Bio)
	}
	if _, _, err := s.FindTokenByHash(ctx, hash); core.ErrorCode(err) != core.NotFound {
		t.Errorf("after commit: token %v, want revoked", err)
	}
	if hist, err := s.NameChanges(ctx, u.ID); err != nil || len(hist) != 1 || !hist[0].IsDeletion {
		t.Errorf("after commit: name history %+v %v, want the one deletion rename", hist, err)
	}
}
