package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The reroll rule: a user gives themselves (or one of their members) a
// new random short id at most once per Service.RerollCooldown, counted
// from the user's last_sid_reroll_at, which user and member rerolls share
// (pronouns §8.5). The claim of the window and the new sid commit
// together, and the claim is one conditional update, so of concurrent
// rerolls on any number of nodes exactly one wins. A reroll is a change
// of the profile: banned users may not, and it moves updated_at.

// claimReroll takes the user's reroll window at now through st (the
// caller's transaction), or refuses it with the time left.
// Codes: Forbidden (ReasonRerollTooSoon, RetryAfter), NotFound.
func (s *Service) claimReroll(ctx context.Context, st Store, userID int64, now time.Time) error {
	ok, err := st.ClaimReroll(ctx, userID, now, now.Add(-s.RerollCooldown))
	if err != nil || ok {
		return err
	}
	u, err := st.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	next := u.LastSIDRerollAt.Add(s.RerollCooldown)
	return &Error{Code: Forbidden, Reason: ReasonRerollTooSoon,
		Message:    fmt.Sprintf("Short ids may be rerolled once every %s; the next reroll is possible after %s.", humanDuration(s.RerollCooldown), next.UTC().Format(time.RFC3339)),
		RetryAfter: next.Sub(now)}
}

// withNewSID calls write with random n-letter sids until one is free: a
// Conflict on field "sid" tries another, up to sidAttempts in all.
func withNewSID(n int, write func(sid string) error) error {
	for attempt := 1; ; attempt++ {
		err := write(randomSID(n))
		var e *Error
		if attempt < sidAttempts && errors.As(err, &e) && e.Code == Conflict && e.Fields["sid"] != "" {
			continue
		}
		return err
	}
}

// RerollSID gives the actor a new short id, at most once per
// Service.RerollCooldown, by one conditional update so that concurrent
// rerolls on any number of nodes cannot both succeed. The user comes back
// as they see themselves.
// Codes: Unauthenticated, Forbidden (ReasonRerollTooSoon, ReasonUserBanned).
func (f *Face) RerollSID(ctx context.Context, actor *User) (*User, error) {
	ctx = f.in(ctx)
	s := f.s
	if actor == nil || actor == System {
		return nil, authRequired()
	}
	if err := standing(actor, ActUpdate, actor); err != nil {
		return nil, err
	}
	now := s.now()
	var u *User
	err := s.store.Tx(ctx, func(tx Store) error {
		if err := s.claimReroll(ctx, tx, actor.ID, now); err != nil {
			return err
		}
		// The stored row, not the caller as redacted for themselves, is
		// what the audit diff compares.
		before, err := tx.FindUserByID(ctx, actor.ID)
		if err != nil {
			return err
		}
		err = withNewSID(5, func(sid string) error {
			var err error
			u, err = tx.UpdateUser(ctx, actor.ID, Patch{"sid": sid, "updated_at": now}, UpdateMeta{})
			return err
		})
		if err != nil {
			return err
		}
		return s.recordChange(ctx, tx, actor, before, u)
	})
	return f.one(actor, u, err)
}
