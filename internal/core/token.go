package core

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/netip"
	"strings"
	"time"
)

// Token kinds and scopes (spec/fields.md §2.2).
const (
	TokenAPI   = "api"   // created by the user or the CLI
	TokenLogin = "login" // minted by a password login

	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Token is an API token; its secret is shown once and only its SHA-256 is
// stored.
type Token struct {
	ID         int64
	UserID     int64
	Label      string
	Kind       string
	Scope      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	LastUsedIP netip.Addr
	Uses       int64
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
}

// tokenPrefix marks usersd secrets so leaked ones are easy to scan for.
const tokenPrefix = "usd_"

// newSecret returns a fresh token secret (32 random bytes) and its hash.
func newSecret() (string, []byte) {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand docs)
	s := tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return s, HashSecret(s)
}

// HashSecret is how token secrets are stored and looked up.
func HashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// looksLikeSecret rejects obviously malformed secrets before any lookup.
func looksLikeSecret(s string) bool {
	return strings.HasPrefix(s, tokenPrefix) && len(s) == len(tokenPrefix)+43
}

// CheckScope says whether token t may serve a request: read-scoped tokens
// only read. Codes: Forbidden (ReasonTokenReadOnly).
func CheckScope(t *Token, write bool) error {
	if write && t != nil && t.Scope == ScopeRead {
		return reasonf(Forbidden, ReasonTokenReadOnly, "This token may only read.")
	}
	return nil
}
