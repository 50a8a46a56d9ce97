package danbooru

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/face/railsparams"
	"usersd/internal/face/railstz"
	"usersd/internal/face/ruby"
)

// This file validates a settings update as User's validations and
// normalizers do (spec §11) and turns it into a core patch.

// settingsPatch converts the permitted keys of user[…] into a patch, or
// returns the 422 of every failed validation.
func settingsPatch(u *core.User, user *params) (core.Patch, error) {
	p := core.Patch{}
	v := &validation{}
	has := func(k string) (any, bool) { return user.get(k) }
	str := func(x any) string { s, _ := railsparams.Scalar(x); return s }

	// Checks run in User's validation order: visibility and length of the
	// three texts, the plain settings, the privacy rule, then the
	// blacklist, favorite-tag and CSS rules (usersd adds theme and
	// time_zone last).
	// checkText gives a text setting User's blank and length messages.
	checkText := func(key, s string, max int) {
		switch {
		case s != "" && isInvisible(s):
			v.add(key, "can't be blank")
		case utf8.RuneCountInString(s) > max:
			v.add(key, "is too long (maximum is "+strconv.Itoa(max)+" characters)")
		}
	}
	var blacklist, favorites, style *string
	if x, ok := has("blacklisted_tags"); ok {
		s := normalizeBlacklist(str(x))
		blacklist = &s
		checkText("blacklisted_tags", s, 100_000)
		p["blacklisted_tags"] = s
	}
	if x, ok := has("favorite_tags"); ok {
		if x == nil {
			p["favorite_tags"] = nil
		} else {
			s := strings.TrimFunc(normalizeWhitespace(str(x)), isRubyStripped)
			favorites = &s
			checkText("favorite_tags", s, 10_000)
			p["favorite_tags"] = nilIfEmpty(s)
		}
	}
	if x, ok := has("custom_style"); ok {
		if x == nil {
			p["custom_style"] = nil
		} else {
			s := strings.TrimFunc(normalizeWhitespace(str(x)), isRubyStripped)
			style = &s
			checkText("custom_style", s, 40_000)
			p["custom_style"] = nilIfEmpty(s)
		}
	}
	if x, ok := has("default_image_size"); ok {
		s := str(x)
		if s != "large" && s != "original" {
			v.add("default_image_size", "is not included in the list")
		} else {
			p["default_image_size"] = s
		}
	}
	if x, ok := has("per_page"); ok {
		n, ok := castSetting(x)
		if !ok || n < 1 || n > 200 {
			v.add("per_page", "is not included in the list")
		} else {
			p["per_page"] = n
		}
	}
	if x, ok := has("comment_threshold"); ok {
		n, ok := castSetting(x)
		if !ok || n < -100 || n > 5 {
			v.add("comment_threshold", "is not included in the list")
		} else {
			p["comment_threshold"] = n
		}
	}
	for _, f := range writableFlags {
		if x, ok := has(f); ok {
			p[f] = flagValue(str(x))
		}
	}
	if on, ok := p["enable_private_favorites"].(bool); ok && on && !u.EnablePrivateFavorites && u.Level < core.LevelGold {
		v.add("base", "Can't enable privacy mode without a Gold account")
	}
	if blacklist != nil {
		if *blacklist != "" && len(strings.SplitAfter(*blacklist, "\n")) > 5000 {
			v.add("blacklisted_tags", "can't have more than 5000 blacklist rules")
		}
		if len(rubyFields(*blacklist)) > 5000 {
			v.add("blacklisted_tags", "can't have more than 5000 blacklisted tags")
		}
	}
	if favorites != nil && len(rubyFields(*favorites)) > 1000 {
		v.add("favorite_tags", "can't have more than 1000 favorite tags")
	}
	if style != nil && !cssValid(*style) {
		v.add("custom_style", "contains a syntax error. Validate it with https://codebeautify.org/cssvalidate")
	}
	if x, ok := has("theme"); ok {
		// A Rails enum takes the label or the stored number.
		themes := map[string]string{"auto": "auto", "light": "light", "dark": "dark"}
		if n, isNum := x.(json.Number); isNum {
			themes = map[string]string{"0": "auto", "50": "light", "100": "dark"}
			x = n.String()
		}
		if t, ok := themes[str(x)]; ok {
			p["theme"] = t
		} else {
			v.add("theme", "is not included in the list")
		}
	}
	if x, ok := has("time_zone"); ok {
		if iana, rails, ok := railstz.Parse(str(x), true); ok {
			p["timezone"] = iana
			if rails != nil {
				p["timezone_rails"] = *rails
			} else {
				p["timezone_rails"] = nil
			}
		} else {
			v.add("time_zone", "is not included in the list")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// castSetting is ActiveModel's integer cast of a form or JSON value: to_i
// of a string ("" is no value), JSON numbers truncated, true is 1.
func castSetting(x any) (int64, bool) {
	switch t := x.(type) {
	case nil:
		return 0, false
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	case json.Number:
		f, err := strconv.ParseFloat(t.String(), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e15 {
			return 0, false
		}
		return int64(f), true
	case string:
		if railsparams.IsBlank(t) {
			return 0, false
		}
		return ruby.ToI(t), true
	}
	return 0, false
}

// normalizeBlacklist is the blacklisted_tags normalizer: every line
// stripped, joined by newlines, stripped.
func normalizeBlacklist(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimFunc(l, isRubyStripped)
	}
	return strings.TrimFunc(strings.Join(lines, "\n"), isRubyStripped)
}

// normalizeWhitespace is Danbooru's String#normalize_whitespace: zero-width
// spaces removed, horizontal spaces made ASCII, line ends made "\n".
func normalizeWhitespace(s string) string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\v", "\n", "\f", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u180E' || r == '\u200B' || r == '\u200C' || r == '\u2060' || r == '\uFEFF':
			return -1
		case r == '\t' || unicode.Is(unicode.Zs, r):
			return ' '
		}
		return r
	}, s)
}

// cssValid approximates Crass's verdict on custom CSS: a string broken by
// a newline or a url( left open is a parse error; unclosed blocks at the
// end are not (CSS closes them).
func cssValid(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return true
			}
			i += end + 3
		case c == '"' || c == '\'':
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '\n' {
					return false
				}
			}
			i = j
		case (c == 'u' || c == 'U') && strings.HasPrefix(strings.ToLower(s[i:]), "url(") && (i == 0 || !isIdentByte(s[i-1])):
			j := i + 4
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				i = j - 1
				continue
			}
			k := strings.IndexByte(s[j:], ')')
			if k < 0 {
				return false
			}
			if strings.ContainsAny(strings.TrimRight(s[j:j+k], " \t\n"), "\"'( \t\n") {
				return false
			}
			i = j + k
		}
	}
	return true
}

func isIdentByte(c byte) bool {
	return c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
