package core

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// DefaultLoginTTL is how long a login token lives unused.
const DefaultLoginTTL = 30 * 24 * time.Hour

// verifyPassword is every comparison of a password with a user's hash, on
// every face: a login, HTTP Basic, a current password, a confirmation.
// It is refused once the account's failed-check limit is spent, even when
// right; the hash is computed whether or not u exists, has a password or
// may log in, so the time taken says nothing; a deleted or inactive
// account fails exactly as a wrong password does. A failure spends one
// from the account's and the address's limits, a success resets the
// account's. acctKey names the account's bucket; the address's is checked
// by the caller first, before any look-up.
// Codes: Unauthenticated (ReasonBadCredentials), RateLimited.
func (s *Service) verifyPassword(ctx context.Context, u *User, acctKey, password string, addr netip.Addr) (rehash bool, err error) {
	if err := s.checkLimit(ctx, s.AccountLimit, acctKey); err != nil {
		return false, err
	}
	ok := false
	if u != nil && u.PasswordHash != nil && len(password) <= MaxPasswordBytes {
		if ok, rehash, err = s.hasher.Verify(ctx, *u.PasswordHash, password); err != nil {
			return false, err
		}
	} else {
		s.hasher.VerifyDummy(ctx, password)
	}
	if !ok || !u.CanAuthenticate() {
		s.events().LoginFailed()
		// A refused spend (a race past the check above) still fails.
		r, err := s.Limiter.Allow(ctx, s.AccountLimit, acctKey, 1)
		if err != nil {
			return false, err
		}
		s.recordLoginFailure(ctx, u, r)
		if _, err := s.Limiter.Allow(ctx, s.AddrLimit, addrKey(addr), 1); err != nil {
			return false, err
		}
		return false, reasonf(Unauthenticated, ReasonBadCredentials, "Invalid name or password.")
	}
	return rehash, s.Limiter.Reset(ctx, s.AccountLimit, acctKey)
}

// recordLoginFailure records a failed password check, and the lock-out
// it causes when it spends the account's last try (r is the spend). An
// unknown name records no target and no name: a mistyped name may be
// someone's password.
func (s *Service) recordLoginFailure(ctx context.Context, u *User, r RateResult) {
	s.recordAlone(ctx, s.audit(ctx, AuditLoginFailed, nil, u, nil))
	if r.Allowed && r.Remaining == 0 {
		s.recordAlone(ctx, s.audit(ctx, AuditLoginLocked, nil, u,
			eventDiff("retry_after_seconds", int64(r.ResetAfter.Round(time.Second)/time.Second))))
	}
}

// confirmPassword checks the password a signed-in user confirms an action
// with (a password change, a deletion) through verifyPassword, so that a
// stolen token cannot guess the password faster than a login could: the
// same limits and buckets. A wrong password is Unauthenticated with
// ReasonBadCredentials, for the caller to answer as its action does.
// Codes: Unauthenticated, RateLimited.
func (s *Service) confirmPassword(ctx context.Context, u *User, password string, addr netip.Addr) error {
	if err := s.checkLimit(ctx, s.AddrLimit, addrKey(addr)); err != nil {
		return err
	}
	_, err := s.verifyPassword(ctx, u, "acct:"+strconv.FormatInt(u.ID, 10), password, addr)
	return err
}

// NewToken is the input of CreateTokenWith.
type NewToken struct {
	Label string
	Scope string // read or write; "" is write
	// ExpiresIn or ExpiresAt (at most one) ends the token; with neither
	// it lives Service.APITokenTTL (or forever when that is 0).
	ExpiresIn time.Duration
	ExpiresAt *time.Time
}

// apiTokenExpiry resolves a new API token's expiry against the service's
// default and maximum lifetimes.
func (s *Service) apiTokenExpiry(in NewToken, now time.Time) (*time.Time, error) {
	field := "expires_at"
	var at *time.Time
	switch {
	case in.ExpiresIn != 0 && in.ExpiresAt != nil:
		return nil, FieldError("expires_in", "give expires_in or expires_at, not both")
	case in.ExpiresIn < 0:
		return nil, FieldError("expires_in", "must be positive")
	case in.ExpiresIn > 0:
		field = "expires_in"
		t := now.Add(in.ExpiresIn)
		at = &t
	case in.ExpiresAt != nil:
		t := in.ExpiresAt.UTC().Truncate(time.Microsecond)
		if !t.After(now) {
			return nil, FieldError("expires_at", "must be in the future")
		}
		at = &t
	case s.APITokenTTL > 0:
		t := now.Add(s.APITokenTTL)
		at = &t
	}
	if max := s.APITokenMaxTTL; max > 0 {
		switch {
		case at == nil:
			// No token outlives the maximum, asked for or not.
			t := now.Add(max)
			at = &t
		case at.Sub(now) > max:
			return nil, FieldError(field, fmt.Sprintf("must be at most %d seconds away", int64(max/time.Second)))
		}
	}
	return at, nil
}

// loginTokenExpiry is where a login token's expiry moves on a use at now,
// or nil when it need not move: only once a tenth of the TTL has passed
// since it last moved, so a busy token costs one write per tenth, not one
// per request.
func (s *Service) loginTokenExpiry(t *Token, now time.Time) *time.Time {
	if t.Kind != TokenLogin || s.LoginTTL <= 0 {
		return nil
	}
	next := now.Add(s.LoginTTL)
	if t.ExpiresAt != nil && next.Sub(*t.ExpiresAt) < s.LoginTTL/10 {
		return nil
	}
	return &next
}

// insertToken stores a new token within the user's cap, counted and
// inserted in one transaction that holds the user's lock, so concurrent
// creations cannot overshoot. An API token over the cap is refused; a
// login token over it rotates out the user's oldest login tokens.
// audit, when not nil, records the creation in the same transaction.
// Codes: Invalid (ReasonTooManyTokens), NotFound.
func (s *Service) insertToken(ctx context.Context, t *Token, hash []byte, audit func(tx Store, t *Token) error) error {
	return s.store.Tx(ctx, func(tx Store) error {
		if err := tx.LockUser(ctx, t.UserID); err != nil {
			return err
		}
		ts, err := tx.FindTokens(ctx, t.UserID, t.CreatedAt)
		if err != nil {
			return err
		}
		var same []*Token
		for _, o := range ts {
			if o.Kind == t.Kind {
				same = append(same, o)
			}
		}
		if over := len(same) - s.MaxTokens + 1; over > 0 {
			if t.Kind != TokenLogin {
				return reasonf(Invalid, ReasonTooManyTokens, "A user may hold at most %d tokens; revoke one first.", s.MaxTokens)
			}
			for _, o := range same[:over] {
				if err := tx.RevokeToken(ctx, t.UserID, o.ID, t.CreatedAt); err != nil {
					return err
				}
			}
		}
		if err := tx.CreateToken(ctx, t, hash); err != nil || audit == nil {
			return err
		}
		return audit(tx, t)
	})
}
