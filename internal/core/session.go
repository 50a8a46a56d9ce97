package core

import (
	"context"
	"net/netip"
	"time"
)

// Session kinds (spec/fields.md §2.3).
const (
	SessionConsole     = "console"     // the admin web console
	SessionReviewBoard = "reviewboard" // Review Board's rbsessionid cookie
)

// Session is a cookie login. Sessions are kept apart from API tokens
// (api_tokens): they slide their expiry on use, carry the browser's user
// agent and are never listed or revoked as a face's API keys; the sessions
// table of spec/fields.md §2.3 holds them. Like a token, only the SHA-256
// of the cookie value is stored (HashSecret), and it is the key.
type Session struct {
	Hash       []byte // HashSecret(cookie value)
	UserID     int64
	Kind       string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         netip.Addr // invalid when unknown
	UserAgent  *string
	// TokenID is the API token whose login opened the session, nil for a
	// password login: the session ends with the token (revoked, expired
	// or deleted), so revoking a leaked token also ends what it opened.
	TokenID *int64
}

// SessionStore persists sessions.
type SessionStore interface {
	// CreateSession stores s. Codes: Conflict on the hash; Invalid.
	CreateSession(ctx context.Context, s *Session) error
	// FindSessionByHash returns the session of a cookie, unless it or the
	// token that opened it expired by now or the token was revoked, and its
	// user. Codes: NotFound.
	FindSessionByHash(ctx context.Context, hash []byte, now time.Time) (*Session, *User, error)
	// FindSessions lists a user's unexpired sessions, newest first.
	FindSessions(ctx context.Context, userID int64, now time.Time) ([]*Session, error)
	// TouchSession records a use at at, moves the expiry to expires (a
	// sliding session) and records ip when valid. Codes: NotFound.
	TouchSession(ctx context.Context, hash []byte, at, expires time.Time, ip netip.Addr) error
	// DeleteSession ends one session (log out). Codes: NotFound.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteSessions ends every session of a user.
	DeleteSessions(ctx context.Context, userID int64) error
	// SweepSessions deletes the sessions expired by now and returns how many.
	SweepSessions(ctx context.Context, now time.Time) (int, error)
}
