package core_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"usersd/internal/core"
)

func TestPasswordHashes(t *testing.T) {
	ctx := context.Background()
	h := core.NewHasher(core.DefaultArgon2)
	fresh, err := h.Hash(ctx, "lètmein")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(fresh, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q lacks OWASP's argon2id parameters", fresh)
	}
	bc, err := bcrypt.GenerateFromPassword([]byte("lètmein"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	weak := core.NewHasher(core.Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1})
	old, _ := weak.Hash(ctx, "lètmein")
	tests := []struct {
		name    string
		encoded string
		ok      bool
		rehash  bool
	}{
		{"argon2id current", fresh, true, false},
		{"argon2id weaker parameters", old, true, true},
		{"bcrypt 2a", string(bc), true, true},
		{"bcrypt 2b", "$2b$" + string(bc[4:]), true, true},
		{"bcrypt 2y", "$2y$" + string(bc[4:]), true, true},
		// Computed with Python's hashlib.pbkdf2_hmac, an independent implementation.
		{"django pbkdf2", "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=", true, true},
		{"django pbkdf2 tampered", "pbkdf2_sha256$260001$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=", false, false},
		{"unknown scheme", "md5$abc", false, false},
		{"malformed argon2", "$argon2id$v=19$m=x$y$z", false, false},
		{"argon2 absurd memory", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5", false, false},
		{"empty", "", false, false},
	}
	for _, tt := range tests {
		ok, rehash, err := h.Verify(ctx, tt.encoded, "lètmein")
		if err != nil || ok != tt.ok || rehash != tt.rehash {
			t.Errorf("%s: ok %v rehash %v err %v, want ok %v rehash %v", tt.name, ok, rehash, err, tt.ok, tt.rehash)
		}
		if tt.ok {
			if ok, _, _ := h.Verify(ctx, tt.encoded, "letmein"); ok {
				t.Errorf("%s: wrong password accepted", tt.name)
			}
		}
	}
}
