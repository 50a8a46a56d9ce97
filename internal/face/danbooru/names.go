package danbooru

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is UserNameValidator (spec §9.2): the name rules of sign-up,
// checked in order, the first failure reported alone.

// reservedNames are UserNameValidator::RESERVED_NAMES: search keywords,
// user routes, impersonation, and User::Roles (the levels and "banned").
var reservedNames = []string{
	"any", "none", "new", "deactivate", "custom_style", "mod", "administrator",
	"anonymous", "restricted", "member", "gold", "platinum", "builder", "contributor",
	"approver", "moderator", "admin", "owner", "banned",
}

var (
	deletedNameRE   = regexp.MustCompile(`(?i)^user_[0-9]+$`)
	basicLettersRE  = regexp.MustCompile(`^(?:[a-zA-Z0-9]|\p{Han}|\p{Hangul}|\p{Hiragana}|\p{Katakana}|[_.\-])+$`)
	fileExtensionRE = func() *regexp.Regexp {
		exts := make([]string, 0, len(mimeTypes))
		for e := range mimeTypes {
			exts = append(exts, regexp.QuoteMeta(e))
		}
		slices.Sort(exts)
		return regexp.MustCompile(`(?i)\.(?:` + strings.Join(exts, "|") + `)$`)
	}()
)

// checkName returns the first rule name breaks, or "". taken reports
// whether another user holds the name (rule 1, checked first).
func checkName(name string, taken bool) string {
	n := utf8.RuneCountInString(name)
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	switch {
	case taken:
		return "already taken"
	case n <= 1:
		return "must be more than 1 character long"
	case n > 24:
		return "must be less than 25 characters long"
	case strings.ContainsFunc(name, func(r rune) bool { return isUnicodeSpace(r) || isDefaultIgnorable(r) }):
		return "can't contain whitespace"
	case isRubyPunct(first):
		return "can't start with '" + string(first) + "'"
	case isRubyPunct(last):
		return "can't end with '" + string(last) + "'"
	case fileExtensionRE.MatchString(name):
		return "can't end with a file extension"
	case strings.Contains(name, "__"):
		return "can't contain multiple underscores in a row"
	}
	if forbidden := forbiddenPunct(name); len(forbidden) > 0 {
		return "can't contain " + toSentence(forbidden)
	}
	switch {
	case !basicLettersRE.MatchString(name):
		return "must contain only basic letters or numbers"
	case deletedNameRE.MatchString(name):
		return "can't be the same as a deleted user"
	case slices.Contains(reservedNames, strings.ToLower(name)):
		return "is a reserved name and can't be used"
	}
	return ""
}

// forbiddenPunct lists, once each in order of appearance, the punctuation
// characters of name other than _ . -, quoted.
func forbiddenPunct(name string) []string {
	var out []string
	for _, r := range name {
		if r == '_' || r == '.' || r == '-' || !isRubyPunct(r) {
			continue
		}
		q := "'" + string(r) + "'"
		if !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	return out
}

// toSentence is Array#to_sentence.
func toSentence(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	case 2:
		return xs[0] + " and " + xs[1]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + ", and " + xs[len(xs)-1]
}

// isRubyPunct is Onigmo's [[:punct:]]: ASCII punctuation and symbols, and
// Unicode punctuation (category P).
func isRubyPunct(r rune) bool {
	if r < 0x80 {
		return r > ' ' && r < 0x7f && !(r >= '0' && r <= '9') && !(r >= 'a' && r <= 'z') && !(r >= 'A' && r <= 'Z')
	}
	return unicode.IsPunct(r)
}

// isUnicodeSpace is Ruby's [[:space:]] for UTF-8 strings: White_Space.
func isUnicodeSpace(r rune) bool { return unicode.Is(unicode.White_Space, r) }

// isDefaultIgnorable approximates Unicode's Default_Ignorable_Code_Point
// (\p{di}): Other_Default_Ignorable_Code_Point, variation selectors and
// format characters other than the prepended concatenation marks.
func isDefaultIgnorable(r rune) bool {
	switch {
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r), unicode.Is(unicode.Variation_Selector, r):
		return true
	case r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0:
		return true
	case r >= 0x0600 && r <= 0x0605, r == 0x06DD, r == 0x070F, r == 0x0890, r == 0x0891, r == 0x08E2,
		r == 0x110BD, r == 0x110CD, r >= 0xFFF9 && r <= 0xFFFB, r >= 0x13430 && r <= 0x1343F:
		return false
	}
	return unicode.Is(unicode.Cf, r)
}

// isInvisible is Danbooru's String#invisible?: only white space, default
// ignorable code points and U+2800.
func isInvisible(s string) bool {
	for _, r := range s {
		if !isUnicodeSpace(r) && !isDefaultIgnorable(r) && r != 0x2800 {
			return false
		}
	}
	return true
}
