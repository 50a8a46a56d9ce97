package core

import (
	"context"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Login checks a name (or e-mail address) and password as CheckPassword
// does and mints a login token, which expires after LoginTTL unused.
// Past MaxTokens login tokens, the user's oldest are revoked. A login
// writes an AuditLoginSucceeded entry (its diff {"kind": "token"}).
// Codes: Unauthenticated, RateLimited.
func (s *Service) Login(ctx context.Context, ident, password string, addr netip.Addr) (string, *Token, *User, error) {
	u, err := s.CheckPassword(ctx, ident, password, addr)
	if err != nil {
		return "", nil, nil, err
	}
	now := s.now()
	if err := s.store.TouchUser(ctx, u.ID, &now, addr); err != nil {
		return "", nil, nil, err
	}
	secret, t, err := s.mintToken(ctx, u.ID, TokenLogin, "login", ScopeWrite, s.loginTokenExpiry(&Token{Kind: TokenLogin}, now), nil)
	if err != nil {
		return "", nil, nil, err
	}
	u.LastLoginAt = &now
	// Recorded alone, as a failure is (recordLoginFailure): the login has
	// happened whether or not its entry is written. Per-request Basic
	// (CheckPassword) and token authentication are not logins of this
	// kind and record nothing.
	s.recordAlone(ctx, s.audit(ctx, AuditLoginSucceeded, u, u, eventDiff("kind", "token")))
	return secret, t, u, nil
}

// CheckPassword checks a name (or e-mail address) and password without
// minting a token, for faces that send credentials with every request
// (HTTP Basic). Failed attempts are throttled per account and per client
// address; unknown, deleted and inactive users fail as wrong passwords do
// and cost as much time (verifyPassword). Imported bcrypt and pbkdf2
// hashes are rehashed to argon2id on success.
// Codes: Unauthenticated, RateLimited.
func (s *Service) CheckPassword(ctx context.Context, ident, password string, addr netip.Addr) (*User, error) {
	if err := s.checkLimit(ctx, s.AddrLimit, addrKey(addr)); err != nil {
		return nil, err
	}
	var u *User
	if possibleName(ident) {
		var err error
		u, err = findUserByName(ctx, s.store, ident)
		if ErrorCode(err) == NotFound && strings.Contains(ident, "@") {
			u, err = s.store.FindUserByEmailKey(ctx, Fold(ident))
		}
		if err != nil && ErrorCode(err) != NotFound {
			return nil, err
		}
	}
	// One counter per account, whether it is named by name or e-mail.
	acctKey := "acct:" + Fold(ident)
	if u != nil {
		acctKey = "acct:" + strconv.FormatInt(u.ID, 10)
	}
	rehash, err := s.verifyPassword(ctx, u, acctKey, password, addr)
	if err != nil {
		return nil, err
	}
	if rehash {
		// Imported bcrypt and pbkdf2 hashes become argon2id on first login.
		if h, err := s.hasher.Hash(ctx, password); err == nil {
			if _, err := s.store.UpdateUser(ctx, u.ID, Patch{"password_hash": h}, UpdateMeta{}); err != nil {
				s.Log.Error("rehash password", "user_id", u.ID, "err", err)
			}
		}
	}
	return u, nil
}

func (s *Service) checkLimit(ctx context.Context, l Limit, key string) error {
	r, err := s.Limiter.Allow(ctx, l, key, 0)
	if err != nil {
		return err
	}
	if !r.Allowed {
		s.events().RateLimited(limitBucket(key))
		return &Error{Code: RateLimited, Reason: ReasonTooManyFailures, Message: "Too many failed logins; try again later.", RetryAfter: r.RetryAfter}
	}
	return nil
}

// Authenticate resolves a token secret to its user. Tokens of inactive or
// deleted users, and revoked or expired tokens, never authenticate.
// Codes: Unauthenticated.
func (s *Service) Authenticate(ctx context.Context, secret string, addr netip.Addr) (*User, *Token, error) {
	return s.authenticate(ctx, secret, addr, nil)
}

// authenticate resolves a secret; with login set, the token must also
// belong to the user of that name.
func (s *Service) authenticate(ctx context.Context, secret string, addr netip.Addr, name *string) (*User, *Token, error) {
	invalid := func(reason string) *Error { return reasonf(Unauthenticated, reason, "Invalid or expired token.") }
	if !looksLikeSecret(secret) {
		return nil, nil, invalid(ReasonTokenInvalid)
	}
	t, u, err := s.store.FindTokenByHash(ctx, HashSecret(secret))
	if ErrorCode(err) == NotFound {
		return nil, nil, invalid(ReasonTokenInvalid)
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	switch {
	case t.RevokedAt != nil:
		return nil, nil, invalid(ReasonTokenRevoked)
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		// Only the holder of the secret learns this, and it tells a client
		// to log in again rather than give up.
		e := reasonf(Unauthenticated, ReasonTokenExpired, "Token expired.")
		e.At = *t.ExpiresAt
		return nil, nil, e
	case !u.CanAuthenticate():
		return nil, nil, invalid(ReasonUserInactive)
	case name != nil && Fold(*name) != u.NameKey:
		return nil, nil, invalid(ReasonTokenInvalid)
	}
	// Usage bookkeeping is coalesced to one write a minute per token, and
	// one an hour per user, so authenticated reads stay reads; a login
	// token's sliding expiry rides on the same write.
	expires := s.loginTokenExpiry(t, now)
	if expires != nil || t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute || (addr.IsValid() && addr != t.LastUsedIP) {
		if err := s.store.TouchToken(ctx, t.ID, now, addr, expires); err != nil {
			return nil, nil, err
		}
	}
	if err := s.touchCaller(ctx, u, addr, now); err != nil {
		return nil, nil, err
	}
	return u, t, nil
}

// touchCaller records a use of u's credentials (a token or a session):
// the last login at most once an hour, and a new client address.
func (s *Service) touchCaller(ctx context.Context, u *User, addr netip.Addr, now time.Time) error {
	var login *time.Time
	if u.LastLoginAt == nil || now.Sub(*u.LastLoginAt) >= time.Hour {
		login = &now
	}
	ip := netip.Addr{}
	if addr.IsValid() && addr != u.LastIP {
		ip = addr
	}
	if login != nil || ip.IsValid() {
		return s.store.TouchUser(ctx, u.ID, login, ip)
	}
	return nil
}

// AuthenticateKey checks a user name and API key pair (Danbooru's and
// e621's login + api_key): the key must be one of that user's tokens.
// Codes: Unauthenticated.
func (s *Service) AuthenticateKey(ctx context.Context, login, key string, addr netip.Addr) (*User, *Token, error) {
	return s.authenticate(ctx, key, addr, &login)
}

// CreateToken mints an API token for the user; the secret is returned once.
// Codes: Unauthenticated, Forbidden, NotFound, Invalid.
func (s *Service) CreateToken(ctx context.Context, actor *User, userID int64, label, scope string) (string, *Token, error) {
	return s.CreateTokenWith(ctx, actor, userID, NewToken{Label: label, Scope: scope})
}

// CreateTokenWith mints an API token as in asks; the secret is returned
// once. A user holds at most MaxTokens live API tokens.
// Codes: Unauthenticated, Forbidden, NotFound, Invalid (ReasonTooManyTokens
// at the cap).
func (s *Service) CreateTokenWith(ctx context.Context, actor *User, userID int64, in NewToken) (string, *Token, error) {
	owner, err := s.tokenOwner(ctx, actor, userID)
	if err != nil {
		return "", nil, err
	}
	if err := standing(actor, ActCreateToken, &User{ID: userID}); err != nil {
		return "", nil, err
	}
	if r := checkText(in.Label, 0, 100); r != "" {
		return "", nil, FieldError("label", r)
	}
	scope := in.Scope
	if scope == "" {
		scope = ScopeWrite
	}
	if scope != ScopeRead && scope != ScopeWrite {
		return "", nil, FieldError("scope", "must be read or write")
	}
	expires, err := s.apiTokenExpiry(in, s.now())
	if err != nil {
		return "", nil, err
	}
	return s.mintToken(ctx, userID, TokenAPI, in.Label, scope, expires, func(tx Store, t *Token) error {
		return tx.AppendAudit(ctx, s.audit(ctx, AuditTokenCreated, actor, owner, tokenDiff(t)))
	})
}

// tokenDiff is what the audit log says of a token: never its secret.
func tokenDiff(t *Token) json.RawMessage {
	return eventDiff("token_id", t.ID, "label", t.Label, "kind", t.Kind, "scope", t.Scope)
}

// mintToken makes a token and stores it (insertToken); audit, when not
// nil, records it in the same transaction (logins are not recorded).
func (s *Service) mintToken(ctx context.Context, userID int64, kind, label, scope string, expires *time.Time, audit func(tx Store, t *Token) error) (string, *Token, error) {
	secret, hash := newSecret()
	t := &Token{UserID: userID, Label: label, Kind: kind, Scope: scope, CreatedAt: s.now(), ExpiresAt: expires}
	if err := s.insertToken(ctx, t, hash, audit); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// ListTokens lists the user's live tokens (never their secrets).
// Codes: Unauthenticated, Forbidden.
func (s *Service) ListTokens(ctx context.Context, actor *User, userID int64) ([]*Token, error) {
	if _, err := s.tokenOwner(ctx, actor, userID); err != nil {
		return nil, err
	}
	return s.store.FindTokens(ctx, userID, s.now())
}

// RevokeToken revokes one of the user's tokens.
// Codes: Unauthenticated, Forbidden, NotFound.
func (s *Service) RevokeToken(ctx context.Context, actor *User, userID, tokenID int64) error {
	owner, err := s.tokenOwner(ctx, actor, userID)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx Store) error {
		if err := tx.RevokeToken(ctx, userID, tokenID, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(ctx, AuditTokenRevoked, actor, owner, eventDiff("token_id", tokenID)))
	})
}

// tokenOwner returns the owner of the tokens: users manage their own
// tokens; System manages anyone's.
func (s *Service) tokenOwner(ctx context.Context, actor *User, userID int64) (*User, error) {
	switch {
	case actor == nil:
		return nil, authRequired()
	case actor == System:
		return s.store.FindUserByID(ctx, userID)
	case actor.ID != userID:
		return nil, Errorf(Forbidden, "You may manage only your own tokens.")
	}
	return actor, nil
}
