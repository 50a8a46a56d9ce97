package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/netip"
	"time"
)

// DefaultSessionTTL is how long a cookie session lives unused: Django's
// default SESSION_COOKIE_AGE, two weeks.
const DefaultSessionTTL = 14 * 24 * time.Hour

// sessionTouchEvery coalesces the sliding expiry of a session to one
// write a minute, so that cookie-authenticated reads stay reads.
const sessionTouchEvery = time.Minute

// MaxSessions bounds the live sessions of one user: a client that signs
// in on every request and drops the cookie would otherwise pile one up
// per request; past the bound the oldest end.
const MaxSessions = 50

// maxUserAgent bounds the user agent a session keeps.
const maxUserAgent = 512

// StartSession opens a cookie session of kind for u, whom the face has
// just authenticated (a password, or the token from), and returns the cookie
// value, which is stored only as its HashSecret. The account is read
// again, so a face cannot open a session for a user who may not sign in.
// Codes: Unauthenticated (ReasonUserInactive, ReasonUserBanned), Invalid
// (an unknown kind).
func (f *Face) StartSession(ctx context.Context, u *User, from *Token, kind string, addr netip.Addr, userAgent string) (string, *Session, error) {
	ctx = f.in(ctx)
	s := f.s
	if kind != SessionConsole && kind != SessionReviewBoard {
		return "", nil, FieldError("kind", "unknown session kind")
	}
	cur, err := s.store.FindUserByID(ctx, u.ID)
	if ErrorCode(err) == NotFound {
		return "", nil, reasonf(Unauthenticated, ReasonUserInactive, "This account cannot sign in.")
	}
	if err != nil {
		return "", nil, err
	}
	if err := f.mayHoldSession(cur); err != nil {
		return "", nil, err
	}
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand docs)
	cookie := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	sess := &Session{Hash: HashSecret(cookie), UserID: cur.ID, Kind: kind, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.sessionTTL())}
	if from != nil {
		sess.TokenID = &from.ID
	}
	if addr.IsValid() {
		sess.IP = addr
	}
	if userAgent != "" {
		if len(userAgent) > maxUserAgent {
			userAgent = userAgent[:maxUserAgent]
		}
		sess.UserAgent = &userAgent
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", nil, err
	}
	all, err := s.store.FindSessions(ctx, cur.ID, now)
	if err != nil {
		return "", nil, err
	}
	for _, old := range all[min(len(all), MaxSessions):] {
		if err := s.store.DeleteSession(ctx, old.Hash); err != nil && ErrorCode(err) != NotFound {
			return "", nil, err
		}
	}
	return cookie, sess, nil
}

// SessionUser resolves a session cookie of kind to its user, as the user
// sees themselves. Expired, ended and unknown cookies, cookies of another
// kind, and sessions of users who may no longer sign in (inactive,
// deleted, or banned where the profile locks banned users out, as with
// tokens) do not authenticate. Each use slides the expiry SessionTTL
// ahead, written at most once a minute.
// Codes: Unauthenticated.
func (f *Face) SessionUser(ctx context.Context, cookie, kind string, addr netip.Addr) (*User, error) {
	return f.sessionUser(ctx, cookie, kind, addr, 0, 0)
}

// sessionUser is SessionUser and SessionUserWithin: idle and maxAge (0:
// none) end a session past them, read in the same lookup.
func (f *Face) sessionUser(ctx context.Context, cookie, kind string, addr netip.Addr, idle, maxAge time.Duration) (*User, error) {
	s := f.s
	invalid := reasonf(Unauthenticated, ReasonTokenInvalid, "Invalid or expired session.")
	if cookie == "" || len(cookie) > 128 {
		return nil, invalid
	}
	now := s.now()
	sess, u, err := s.store.FindSessionByHash(ctx, HashSecret(cookie), now)
	if ErrorCode(err) == NotFound {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	if idle > 0 && now.Sub(sess.LastSeenAt) >= idle+sessionTouchEvery || maxAge > 0 && now.Sub(sess.CreatedAt) >= maxAge {
		if err := f.EndSession(ctx, cookie); err != nil {
			return nil, err
		}
		return nil, invalid
	}
	if sess.Kind != kind {
		return nil, invalid
	}
	if err := f.mayHoldSession(u); err != nil {
		return nil, err
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery || (addr.IsValid() && addr != sess.IP) {
		if err := s.store.TouchSession(ctx, sess.Hash, now, now.Add(s.sessionTTL()), addr); err != nil && ErrorCode(err) != NotFound {
			return nil, err
		}
	}
	if err := s.touchCaller(ctx, u, addr, now); err != nil {
		return nil, err
	}
	return f.p.redact(u, u), nil
}

// EndSession ends the session of a cookie (log out); an unknown cookie is
// already ended.
func (f *Face) EndSession(ctx context.Context, cookie string) error {
	ctx = f.in(ctx)
	if cookie == "" || len(cookie) > 128 {
		return nil
	}
	err := f.s.store.DeleteSession(ctx, HashSecret(cookie))
	if ErrorCode(err) == NotFound {
		return nil
	}
	return err
}

// mayHoldSession applies the sign-in rules of tokens to a session's user.
func (f *Face) mayHoldSession(u *User) error {
	switch {
	case !u.CanAuthenticate():
		return reasonf(Unauthenticated, ReasonUserInactive, "This account cannot sign in.")
	case f.p.BannedLocked && u.Banned:
		return reasonf(Unauthenticated, ReasonUserBanned, "This account is banned.")
	}
	return nil
}

func (s *Service) sessionTTL() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return DefaultSessionTTL
}
