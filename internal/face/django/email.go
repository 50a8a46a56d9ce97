// Package django holds what the faces over Django systems (Review Board,
// the DRF shop) share of Django itself: its validators, as their forms and
// serializers apply them.
package django

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Django's EmailValidator (validate_email): a dot-atom or quoted local
// part, and a domain of LDH labels whose last is 2 to 63 characters not
// ending in "-", an address literal, or localhost; at most 320
// characters. Internationalized domains, which Django tries as
// punycode, are refused here (the faces' doc.go say so).
var (
	emailUser    = regexp.MustCompile("(?i)^(?:[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(?:\\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*|\"(?:[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f!#-\\[\\]-\\x7f]|\\\\[\\x01-\\x09\\x0b\\x0c\\x0e-\\x7f])*\")$")
	emailDomain  = regexp.MustCompile(`(?i)^(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+[A-Z0-9-]{2,63}$`)
	emailLiteral = regexp.MustCompile(`(?i)^\[([A-F0-9:.]+)\]$`)
)

// ValidEmail reports whether s passes Django's validate_email.
func ValidEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if s == "" || at < 0 || utf8.RuneCountInString(s) > 320 {
		return false
	}
	user, domain := s[:at], s[at+1:]
	if !emailUser.MatchString(user) {
		return false
	}
	switch {
	case domain == "localhost":
		return true
	case emailDomain.MatchString(domain):
		return !strings.HasSuffix(domain, "-")
	}
	if m := emailLiteral.FindStringSubmatch(domain); m != nil {
		a, err := netip.ParseAddr(m[1])
		return err == nil && a.Zone() == ""
	}
	return false
}
