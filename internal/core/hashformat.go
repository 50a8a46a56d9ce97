package core

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// KnownHashFormat reports whether h is a password hash the hasher can
// verify: argon2id in PHC form, bcrypt ($2a$, $2b$, $2y$) or Django's
// pbkdf2_sha256. Imports refuse any other, since a hash that never
// verifies is an account no one can log in to.
func KnownHashFormat(h string) bool {
	switch {
	case strings.HasPrefix(h, "$argon2id$"):
		parts := strings.Split(h, "$")
		if len(parts) != 6 || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
			return false
		}
		var m, t uint32
		var p uint8
		var rest string
		if n, _ := fmt.Sscanf(parts[3]+" .", "m=%d,t=%d,p=%d %s", &m, &t, &p, &rest); n != 4 || p == 0 || t == 0 || m == 0 || m > 4<<20 || t > 100 {
			return false
		}
		salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
		key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
		return err1 == nil && err2 == nil && len(salt) > 0 && len(key) > 0 && len(key) <= 128
	case strings.HasPrefix(h, "$2a$"), strings.HasPrefix(h, "$2b$"), strings.HasPrefix(h, "$2y$"):
		if len(h) != 60 {
			return false
		}
		cost, err := bcrypt.Cost([]byte("$2a$" + h[4:]))
		return err == nil && cost >= bcrypt.MinCost && cost <= bcrypt.MaxCost && h[6] == '$' && bcryptAlphabet(h[7:])
	case strings.HasPrefix(h, "pbkdf2_sha256$"):
		parts := strings.Split(h, "$")
		if len(parts) != 4 || parts[2] == "" {
			return false
		}
		iter, err := strconv.Atoi(parts[1])
		if err != nil || iter <= 0 || iter > 10_000_000 {
			return false
		}
		key, err := base64.StdEncoding.DecodeString(parts[3])
		return err == nil && len(key) > 0
	}
	return false
}

// bcryptAlphabet checks the 53 characters of salt and key.
func bcryptAlphabet(s string) bool {
	if len(s) != 53 {
		return false
	}
	for _, c := range s {
		if !(c == '.' || c == '/' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
