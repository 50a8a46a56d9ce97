package e621

import (
	"strings"
	"time"
	"unicode/utf8"
)

// e621ng refuses passwords that zxcvbn scores below 2 (fewer than about a
// million guesses), with the user's name and e-mail address as context,
// and names zxcvbn's warning (B.8). usersd adds no dependency for it:
// weakPassword recognises the patterns zxcvbn scores that low — the most
// common passwords, repeats, sequences, keyboard rows, dates, the user's
// own name or address, and anything of six characters or fewer (ten to
// the sixth brute-force guesses) — and gives zxcvbn's warnings for them.
// It is an approximation: zxcvbn's dictionaries are far larger.

// commonPasswords are the most common passwords in zxcvbn's frequency
// order (its "passwords" list, offensive entries left out); the rank
// decides the warning.
var commonPasswords = []string{
	"123456", "password", "12345678", "qwerty", "123456789", "12345", "1234", "111111", "1234567", "dragon",
	"123123", "baseball", "abc123", "football", "monkey", "letmein", "696969", "shadow", "master", "666666",
	"qwertyuiop", "123321", "mustang", "1234567890", "michael", "654321", "superman", "1qaz2wsx", "7777777",
	"121212", "000000", "qazwsx", "123qwe", "killer", "trustno1", "jordan", "jennifer", "zxcvbnm", "asdfgh",
	"hunter", "buster", "soccer", "harley", "batman", "andrew", "tigger", "sunshine", "iloveyou", "2000",
	"charlie", "robert", "thomas", "hockey", "ranger", "daniel", "starwars", "klaster", "112233", "george",
	"computer", "michelle", "jessica", "pepper", "1111", "zxcvbn", "555555", "11111111", "131313", "freedom",
	"777777", "pass", "maggie", "159753", "aaaaaa", "ginger", "princess", "joshua", "cheese", "amanda",
	"summer", "love", "ashley", "6969", "nicole", "chelsea", "biteme", "matthew", "access", "yankees",
	"987654321", "dallas", "austin", "thunder", "taylor", "matrix", "william", "corvette", "hello", "martin",
	"heather", "secret", "merlin", "diamond", "1234qwer", "gfhjkm", "hammer", "silver", "222222", "88888888",
	"anthony", "justin", "test", "bailey", "q1w2e3r4t5", "patrick", "internet", "scooter", "orange", "11111",
	"golfer", "cookie", "richard", "samantha", "bigdog", "guitar", "jackson", "whatever", "mickey", "chicken",
	"sparky", "snoopy", "maverick", "phoenix", "camaro", "peanut", "morgan", "welcome", "falcon", "cowboy",
	"ferrari", "samsung", "andrea", "smokey", "steelers", "joseph", "mercedes", "dakota", "arsenal", "eagles",
	"melissa", "boomer", "booboo", "spider", "nascar", "monster", "tigers", "yellow", "xxxxxx", "123123123",
	"gateway", "marina", "diablo", "bulldog", "qwer1234", "compaq", "purple", "hardcore", "banana", "junior",
	"hannah", "123654", "porsche", "lakers", "iceman", "money", "cowboys", "987654", "london", "tennis",
	"999999", "ncc1701", "coffee", "scooby", "0000", "miller", "boston", "q1w2e3r4", "brandon", "yamaha",
	"chester", "mother", "forever", "johnny", "edward", "333333", "oliver", "redsox", "player", "nikita",
	"knight", "fender", "barney", "midnight", "please", "brandy", "chicago", "badboy", "slayer", "rangers",
	"passw0rd", "password1", "password123", "qwerty123", "1q2w3e4r", "1q2w3e4r5t", "zaq12wsx", "changeme",
	"abc12345", "letmein1", "welcome1", "admin", "login", "default", "iloveyou1", "87654321", "qwertyui",
	"asdfghjk", "asdfghjkl", "1qazxsw2", "aa123456", "a123456", "123abc", "abcd1234", "password12",
}

var commonRank = func() map[string]int {
	m := make(map[string]int, len(commonPasswords))
	for i, p := range commonPasswords {
		if _, ok := m[p]; !ok {
			m[p] = i + 1
		}
	}
	return m
}()

// keyboardRows are straight rows of a QWERTY keyboard.
var keyboardRows = []string{"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/"}

// weakPassword reports whether zxcvbn would score pw below 2, and the
// warning it would give ("" for none).
func weakPassword(pw, name, email string) (bool, string) {
	lower := strings.ToLower(pw)
	n := utf8.RuneCountInString(pw)
	if n == 0 {
		return true, ""
	}
	if rank, ok := commonRank[lower]; ok {
		switch {
		case rank <= 10:
			return true, "This is a top-10 common password"
		case rank <= 100:
			return true, "This is a top-100 common password"
		}
		return true, "This is a very common password"
	}
	if stem := strings.TrimRight(lower, "0123456789!@#$%^&*?.-_ "); stem != lower && len(lower)-len(stem) <= 3 {
		if _, ok := commonRank[stem]; ok {
			return true, "This is similar to a commonly used password"
		}
	}
	rs := []rune(lower)
	if unit := repeatUnit(rs); unit > 0 {
		if unit == 1 {
			return true, `Repeats like "aaa" are easy to guess`
		}
		return true, `Repeats like "abcabcabc" are only slightly harder to guess than "abc"`
	}
	if isSequence(rs) {
		return true, "Sequences like abc or 6543 are easy to guess"
	}
	for _, row := range keyboardRows {
		if n >= 4 && strings.Contains(row, lower) {
			return true, "Straight rows of keys are easy to guess"
		}
	}
	if isDate(lower) {
		return true, "Dates are often easy to guess"
	}
	for _, in := range userInputs(name, email) {
		if strings.Contains(lower, in) && n-utf8.RuneCountInString(in) <= 3 {
			return true, ""
		}
	}
	if n <= 6 {
		return true, ""
	}
	return false, ""
}

// repeatUnit returns the length of the unit rs repeats at least twice
// (covering it wholly), or 0.
func repeatUnit(rs []rune) int {
	for unit := 1; unit <= len(rs)/2; unit++ {
		if len(rs)%unit != 0 {
			continue
		}
		ok := true
		for i := unit; i < len(rs) && ok; i++ {
			ok = rs[i] == rs[i-unit]
		}
		if ok {
			return unit
		}
	}
	return 0
}

// isSequence reports a run with a constant step of ±1 or ±2 ("abcdefgh",
// "87654321", "acegikmo").
func isSequence(rs []rune) bool {
	if len(rs) < 3 {
		return false
	}
	d := rs[1] - rs[0]
	if d == 0 || d > 2 || d < -2 {
		return false
	}
	for i := 2; i < len(rs); i++ {
		if rs[i]-rs[i-1] != d {
			return false
		}
	}
	return true
}

// isDate reports an all-digit date (YYYYMMDD, DDMMYYYY, MMDDYYYY).
func isDate(s string) bool {
	if len(s) != 8 || strings.Trim(s, "0123456789") != "" {
		return false
	}
	for _, layout := range []string{"20060102", "02012006", "01022006"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1900 && t.Year() <= 2100 {
			return true
		}
	}
	return false
}

// userInputs are zxcvbn's user_inputs: the name and the e-mail address
// with its local part, lower case, of three characters or more.
func userInputs(name, email string) []string {
	var out []string
	for _, s := range []string{name, email, strings.Split(email, "@")[0]} {
		if s = strings.ToLower(strings.TrimSpace(s)); utf8.RuneCountInString(s) >= 3 {
			out = append(out, s)
		}
	}
	return out
}
