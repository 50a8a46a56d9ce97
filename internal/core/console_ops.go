package core

import (
	"context"
	"net/netip"
	"time"
)

// What the admin web console (internal/console) needs of the core beyond
// what the API faces use: staff managing another account's API tokens,
// revoking all of them at once, and console sessions with an idle and an
// absolute lifetime of their own.

// mayManageTokens is the rule of ActTokens: users manage their own tokens;
// staff manage the tokens of accounts they outrank, as they may ban them
// (a ban is the heavier act: revoking a leaked token is what a moderator
// does first).
func mayManageTokens(actor, target *User) error {
	if isSelf(actor, target) || actor.IsStaff() && outranks(actor, target) {
		return nil
	}
	return reasonf(Forbidden, ReasonOutranked, "You may not manage this user's tokens.")
}

// tokenTarget returns the account whose tokens actor asks for, once
// ActTokens allows it.
func (f *Face) tokenTarget(ctx context.Context, actor *User, userID int64) (*User, error) {
	if actor == nil {
		return nil, authRequired()
	}
	target, err := f.s.getUserByID(ctx, f.p, actor, userID)
	if err != nil {
		return nil, err
	}
	if err := f.s.may(ctx, f.p, actor, ActTokens, target); err != nil {
		return nil, err
	}
	return target, nil
}

// UserTokens lists the live tokens of a user (never their secrets) for
// the user or staff who outrank them.
// Codes: Unauthenticated, NotFound, Forbidden.
func (f *Face) UserTokens(ctx context.Context, actor *User, userID int64) ([]*Token, error) {
	if _, err := f.tokenTarget(ctx, actor, userID); err != nil {
		return nil, err
	}
	return f.s.store.FindTokens(ctx, userID, f.s.now())
}

// RevokeUserToken revokes one token of a user, as the user or staff who
// outrank them, with its audit entry (AuditTokenRevoked) in the same
// transaction. Codes: Unauthenticated, NotFound, Forbidden.
func (f *Face) RevokeUserToken(ctx context.Context, actor *User, userID, tokenID int64) error {
	ctx = f.in(ctx)
	target, err := f.tokenTarget(ctx, actor, userID)
	if err != nil {
		return err
	}
	return f.s.store.Tx(ctx, func(tx Store) error {
		if err := tx.RevokeToken(ctx, userID, tokenID, f.s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, f.s.audit(ctx, AuditTokenRevoked, actor, target, eventDiff("token_id", tokenID)))
	})
}

// RevokeAllTokens revokes every live token of a user, as the user or
// staff who outrank them, and returns how many were live. The revocation
// and one audit entry (AuditTokenRevoked, its diff {"all": true,
// "count": n}) commit together; sessions a token opened end with it.
// Codes: Unauthenticated, NotFound, Forbidden.
func (f *Face) RevokeAllTokens(ctx context.Context, actor *User, userID int64) (int, error) {
	ctx = f.in(ctx)
	target, err := f.tokenTarget(ctx, actor, userID)
	if err != nil {
		return 0, err
	}
	var n int
	err = f.s.store.Tx(ctx, func(tx Store) error {
		now := f.s.now()
		live, err := tx.FindTokens(ctx, userID, now)
		if err != nil {
			return err
		}
		n = len(live)
		if err := tx.RevokeTokens(ctx, userID, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, f.s.audit(ctx, AuditTokenRevoked, actor, target, eventDiff("all", true, "count", n)))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// SessionUserWithin is SessionUser with two more bounds, for sessions
// that must not outlive a working day however busy (the console's): a
// session unused for idle, or opened more than maxAge ago, ends and does
// not authenticate (0: no bound). The idle bound is as coarse as the
// sliding expiry's writes, a minute.
// Codes: Unauthenticated.
func (f *Face) SessionUserWithin(ctx context.Context, cookie, kind string, addr netip.Addr, idle, maxAge time.Duration) (*User, error) {
	if cookie != "" && len(cookie) <= 128 && (idle > 0 || maxAge > 0) {
		// One more read of the session than SessionUser makes, which keeps
		// its rules in one place; a console request is rare.
		now := f.s.now()
		sess, _, err := f.s.store.FindSessionByHash(ctx, HashSecret(cookie), now)
		switch {
		case ErrorCode(err) == NotFound:
		case err != nil:
			return nil, err
		case idle > 0 && now.Sub(sess.LastSeenAt) >= idle+sessionTouchEvery,
			maxAge > 0 && now.Sub(sess.CreatedAt) >= maxAge:
			if err := f.EndSession(ctx, cookie); err != nil {
				return nil, err
			}
			return nil, reasonf(Unauthenticated, ReasonTokenInvalid, "Invalid or expired session.")
		}
	}
	return f.SessionUser(ctx, cookie, kind, addr)
}
