package core

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Login checks a name (or e-mail address) and password and mints a login
// token. Failed attempts are throttled per account and per client address;
// unknown users cost as much time as wrong passwords.
// Codes: Unauthenticated, Forbidden (account disabled), RateLimited.
func (s *Service) Login(ctx context.Context, ident, password string, addr netip.Addr) (string, *Token, *User, error) {
	aKey := addrKey(addr)
	if err := s.checkLimit(ctx, s.AddrLimit, aKey); err != nil {
		return "", nil, nil, err
	}
	var u *User
	if possibleName(ident) {
		var err error
		u, err = s.Store.FindUserByNameKey(ctx, Fold(ident))
		if ErrorCode(err) == NotFound && strings.Contains(ident, "@") {
			u, err = s.Store.FindUserByEmailKey(ctx, Fold(ident))
		}
		if err != nil && ErrorCode(err) != NotFound {
			return "", nil, nil, err
		}
	}
	// One counter per account, whether it is named by name or e-mail.
	acctKey := "acct:" + Fold(ident)
	if u != nil {
		acctKey = "acct:" + strconv.FormatInt(u.ID, 10)
	}
	if err := s.checkLimit(ctx, s.AccountLimit, acctKey); err != nil {
		return "", nil, nil, err
	}
	fail := func() error {
		s.events().LoginFailed()
		if err := s.AccountLimit.Fail(ctx, acctKey); err != nil {
			return err
		}
		if err := s.AddrLimit.Fail(ctx, aKey); err != nil {
			return err
		}
		return Errorf(Unauthenticated, "Invalid name or password.")
	}
	if u == nil || u.PasswordHash == nil || len(password) > MaxPasswordBytes {
		s.Hasher.VerifyDummy(ctx, password)
		return "", nil, nil, fail()
	}
	ok, rehash, err := s.Hasher.Verify(ctx, *u.PasswordHash, password)
	if err != nil {
		return "", nil, nil, err
	}
	if !ok {
		return "", nil, nil, fail()
	}
	if !u.CanAuthenticate() {
		return "", nil, nil, Errorf(Forbidden, "This account is disabled.")
	}
	if err := s.AccountLimit.Reset(ctx, acctKey); err != nil {
		return "", nil, nil, err
	}
	if rehash {
		// Imported bcrypt and pbkdf2 hashes become argon2id on first login.
		if h, err := s.Hasher.Hash(ctx, password); err == nil {
			if _, err := s.Store.UpdateUser(ctx, u.ID, Patch{"password_hash": h}, UpdateMeta{}); err != nil {
				s.Log.Error("rehash password", "user_id", u.ID, "err", err)
			}
		}
	}
	now := s.now()
	if err := s.Store.TouchUser(ctx, u.ID, &now, addr); err != nil {
		return "", nil, nil, err
	}
	secret, t, err := s.mintToken(ctx, u.ID, TokenLogin, "login", ScopeWrite)
	if err != nil {
		return "", nil, nil, err
	}
	u.LastLoginAt = &now
	return secret, t, u, nil
}

func (s *Service) checkLimit(ctx context.Context, l Limiter, key string) error {
	left, err := l.Blocked(ctx, key)
	if err != nil {
		return err
	}
	if left > 0 {
		s.events().RateLimited(limitBucket(key))
		return &Error{Code: RateLimited, Message: "Too many failed logins; try again later.", RetryAfter: left}
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
	invalid := Errorf(Unauthenticated, "Invalid or expired token.")
	if !looksLikeSecret(secret) {
		return nil, nil, invalid
	}
	t, u, err := s.Store.FindTokenByHash(ctx, HashSecret(secret))
	if ErrorCode(err) == NotFound {
		return nil, nil, invalid
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) || !u.CanAuthenticate() {
		return nil, nil, invalid
	}
	if name != nil && Fold(*name) != u.NameKey {
		return nil, nil, invalid
	}
	// Usage bookkeeping is coalesced to one write a minute per token, and
	// one an hour per user, so authenticated reads stay reads.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute || (addr.IsValid() && addr != t.LastUsedIP) {
		if err := s.Store.TouchToken(ctx, t.ID, now, addr); err != nil {
			return nil, nil, err
		}
	}
	var login *time.Time
	if u.LastLoginAt == nil || now.Sub(*u.LastLoginAt) >= time.Hour {
		login = &now
	}
	ip := netip.Addr{}
	if addr.IsValid() && addr != u.LastIP {
		ip = addr
	}
	if login != nil || ip.IsValid() {
		if err := s.Store.TouchUser(ctx, u.ID, login, ip); err != nil {
			return nil, nil, err
		}
	}
	return u, t, nil
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
	if err := s.tokenOwner(ctx, actor, userID); err != nil {
		return "", nil, err
	}
	if r := checkText(label, 0, 100); r != "" {
		return "", nil, FieldError("label", r)
	}
	if scope == "" {
		scope = ScopeWrite
	}
	if scope != ScopeRead && scope != ScopeWrite {
		return "", nil, FieldError("scope", "must be read or write")
	}
	ts, err := s.Store.FindTokens(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	if len(ts) >= s.MaxTokens {
		return "", nil, Errorf(Invalid, "A user may hold at most %d tokens; revoke one first.", s.MaxTokens)
	}
	return s.mintToken(ctx, userID, TokenAPI, label, scope)
}

func (s *Service) mintToken(ctx context.Context, userID int64, kind, label, scope string) (string, *Token, error) {
	secret, hash := newSecret()
	t := &Token{UserID: userID, Label: label, Kind: kind, Scope: scope, CreatedAt: s.now()}
	if err := s.Store.CreateToken(ctx, t, hash); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// ListTokens lists the user's unrevoked tokens (never their secrets).
// Codes: Unauthenticated, Forbidden.
func (s *Service) ListTokens(ctx context.Context, actor *User, userID int64) ([]*Token, error) {
	if err := s.tokenOwner(ctx, actor, userID); err != nil {
		return nil, err
	}
	return s.Store.FindTokens(ctx, userID)
}

// RevokeToken revokes one of the user's tokens.
// Codes: Unauthenticated, Forbidden, NotFound.
func (s *Service) RevokeToken(ctx context.Context, actor *User, userID, tokenID int64) error {
	if err := s.tokenOwner(ctx, actor, userID); err != nil {
		return err
	}
	return s.Store.RevokeToken(ctx, userID, tokenID, s.now())
}

// tokenOwner: users manage their own tokens; System manages anyone's.
func (s *Service) tokenOwner(ctx context.Context, actor *User, userID int64) error {
	switch {
	case actor == nil:
		return Errorf(Unauthenticated, "Authentication required.")
	case actor == System:
		_, err := s.Store.FindUserByID(ctx, userID)
		return err
	case actor.ID != userID:
		return Errorf(Forbidden, "You may manage only your own tokens.")
	}
	return nil
}
