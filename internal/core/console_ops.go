package core

import (
	"context"
	"encoding/hex"
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
	return f.sessionUser(ctx, cookie, kind, addr, idle, maxAge)
}

// UserSession is a cookie session as the console lists it: never the
// cookie, nor its hash, which is the session's key.
type UserSession struct {
	// Handle names the session to RevokeUserSession: the first
	// SessionHandleLen hex digits of the cookie's hash. The full hash
	// would not sign anyone in (it is SHA-256 of 32 random bytes, and
	// look-ups hash the cookie first), but it is the row's key and has no
	// business in a page or a log; 64 bits tell apart the at most
	// MaxSessions sessions of one user (a clash among 50 is a 2^-53 chance, and
	// RevokeUserSession refuses it rather than guess), and a handle only
	// ever resolves among the sessions of the user named with it.
	Handle     string
	Kind       string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         netip.Addr // invalid when unknown
	UserAgent  *string
	ViaToken   bool // opened by an API token's login; ends with the token
}

// SessionHandleLen is the length of a UserSession's Handle.
const SessionHandleLen = 16

func sessionHandle(hash []byte) string {
	return hex.EncodeToString(hash)[:SessionHandleLen]
}

// sessionTarget returns the account whose sessions actor asks for: the
// rule of tokens (mayManageTokens), since a session is as good as a token
// to whoever holds its cookie.
func (f *Face) sessionTarget(ctx context.Context, actor *User, userID int64) (*User, error) {
	target, err := f.tokenTarget(ctx, actor, userID)
	if ErrorCode(err) == Forbidden && ErrorReason(err) == ReasonOutranked {
		return nil, reasonf(Forbidden, ReasonOutranked, "You may not manage this user's sessions.")
	}
	return target, err
}

// UserSessions lists the live cookie sessions of a user (the console's
// and Review Board's), newest first, for the user or staff who outrank
// them. Codes: Unauthenticated, NotFound, Forbidden.
func (f *Face) UserSessions(ctx context.Context, actor *User, userID int64) ([]*UserSession, error) {
	if _, err := f.sessionTarget(ctx, actor, userID); err != nil {
		return nil, err
	}
	all, err := f.s.store.FindSessions(ctx, userID, f.s.now())
	if err != nil {
		return nil, err
	}
	out := make([]*UserSession, len(all))
	for i, s := range all {
		out[i] = &UserSession{Handle: sessionHandle(s.Hash), Kind: s.Kind, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt,
			ExpiresAt: s.ExpiresAt, IP: s.IP, UserAgent: s.UserAgent, ViaToken: s.TokenID != nil}
	}
	return out, nil
}

// RevokeUserSession ends the session of a user that handle (a
// UserSession's Handle) names, as the user or staff who outrank them; the
// session's cookie stops authenticating at once. The deletion and its
// audit entry (AuditSessionRevoked, its diff the session's kind and
// creation time, never the cookie or its hash) commit together.
// Codes: Unauthenticated, NotFound (no such live session), Forbidden,
// Conflict (the handle names two sessions).
func (f *Face) RevokeUserSession(ctx context.Context, actor *User, userID int64, handle string) error {
	ctx = f.in(ctx)
	target, err := f.sessionTarget(ctx, actor, userID)
	if err != nil {
		return err
	}
	gone := Errorf(NotFound, "No such session; it may have ended already.")
	if len(handle) != SessionHandleLen {
		return gone
	}
	return f.s.store.Tx(ctx, func(tx Store) error {
		all, err := tx.FindSessions(ctx, userID, f.s.now())
		if err != nil {
			return err
		}
		var hit *Session
		for _, s := range all {
			if sessionHandle(s.Hash) != handle {
				continue
			}
			if hit != nil {
				return Errorf(Conflict, "Two sessions share this handle; end them all by setting a password.")
			}
			hit = s
		}
		if hit == nil {
			return gone
		}
		if err := tx.DeleteSession(ctx, hit.Hash); err != nil {
			if ErrorCode(err) == NotFound {
				return gone
			}
			return err
		}
		return tx.AppendAudit(ctx, f.s.audit(ctx, AuditSessionRevoked, actor, target,
			eventDiff("kind", hit.Kind, "created_at", hit.CreatedAt.UTC())))
	})
}

// RecordSignIn writes the AuditLoginSucceeded entry of a password
// sign-in that a face completed itself with CheckPassword and
// StartSession (the console's; its diff {"kind": the session's kind}),
// in its own transaction as a failure's entry is. Faces call it once per
// sign-in, never for per-request Basic authentication.
func (f *Face) RecordSignIn(ctx context.Context, u *User, sess *Session) {
	ctx = f.in(ctx)
	f.s.recordAlone(ctx, f.s.audit(ctx, AuditLoginSucceeded, u, u, eventDiff("kind", sess.Kind)))
}
