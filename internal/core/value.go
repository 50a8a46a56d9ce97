package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Patch is a set of field values keyed by registry name, in each kind's
// canonical Go type (see Kind); nil stores NULL.
type Patch map[string]any

// DecodeJSON converts a JSON value into the field's canonical Go type.
// It returns a client-safe reason when the value has the wrong type.
func (f *Field) DecodeJSON(raw json.RawMessage) (any, string) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, ""
	}
	var s string
	isString := len(raw) > 0 && raw[0] == '"'
	if isString {
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, "must be a string"
		}
	}
	switch f.Kind {
	case KindInt:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Sprintf("must be between %d and %d", f.Min, f.Max)
		}
		if err != nil {
			return nil, "must be an integer"
		}
		return n, ""
	case KindBool:
		switch string(raw) {
		case "true":
			return true, ""
		case "false":
			return false, ""
		}
		return nil, "must be true or false"
	case KindText:
		if !isString {
			return nil, "must be a string"
		}
		return s, ""
	case KindTime:
		if !isString {
			return nil, "must be an RFC 3339 time string"
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, "must be an RFC 3339 time string"
		}
		return t.UTC(), ""
	case KindDate:
		if !isString {
			return nil, "must be a date string YYYY-MM-DD"
		}
		return Date(s), ""
	case KindJSON:
		if len(raw) == 0 || raw[0] != f.Shape {
			if f.Shape == '[' {
				return nil, "must be a JSON array"
			}
			return nil, "must be a JSON object"
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, "must be valid JSON"
		}
		return json.RawMessage(buf.Bytes()), ""
	case KindIP:
		if !isString {
			return nil, "must be an IP address string"
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, "must be an IP address"
		}
		return a, ""
	}
	return nil, "unsupported field"
}

// Check validates a canonical value against the field's store limits and
// rules and returns a client-safe reason, or "".
func (f *Field) Check(v any) string { return f.CheckAt(v, time.Now()) }

// CheckAt is Check with now deciding the ranges that end today.
func (f *Field) CheckAt(v any, now time.Time) string {
	if v == nil {
		if f.Null {
			return ""
		}
		return "may not be null"
	}
	switch f.Kind {
	case KindInt:
		n, ok := v.(int64)
		if !ok {
			return "must be an integer"
		}
		if n < int64(f.Min) || (f.Max != 0 && n > int64(f.Max)) {
			return fmt.Sprintf("must be between %d and %d", f.Min, f.Max)
		}
		if f.Enum != nil && !slices.Contains(f.Enum, strconv.FormatInt(n, 10)) {
			return "must be one of " + strings.Join(f.Enum, ", ")
		}
	case KindBool:
		if _, ok := v.(bool); !ok {
			return "must be true or false"
		}
	case KindText:
		s, ok := v.(string)
		if !ok {
			return "must be a string"
		}
		if reason := f.checkTextBytes(s); reason != "" {
			return reason
		}
		if reason := checkText(s, f.Min, f.Max); reason != "" {
			return reason
		}
		if f.Enum != nil && !slices.Contains(f.Enum, s) {
			return "must be one of " + strings.Join(f.Enum, ", ")
		}
	case KindTime:
		t, ok := v.(time.Time)
		if !ok {
			return "must be a time"
		}
		if reason := checkTime(t); reason != "" {
			return reason
		}
	case KindDate:
		d, ok := v.(Date)
		if !ok {
			return "must be a date"
		}
		if reason := f.checkDate(d, now); reason != "" {
			return reason
		}
	case KindJSON:
		raw, ok := v.(json.RawMessage)
		if !ok {
			return "must be JSON"
		}
		if reason := f.checkJSON(raw); reason != "" {
			return reason
		}
	case KindIP:
		if a, ok := v.(netip.Addr); !ok || !a.IsValid() {
			return "must be an IP address"
		}
	}
	// The rules are the users table's: a member's or a flag's name is
	// not a user name.
	if rule := rules[f.Name]; rule != nil && f.user != nil {
		return rule(v)
	}
	return ""
}

func checkText(s string, min, max int) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "may not contain NUL characters"
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < min && min == 1:
		return "may not be empty"
	case n < min:
		return fmt.Sprintf("must be at least %d characters", min)
	case n > max:
		return fmt.Sprintf("must be at most %d characters", max)
	}
	return ""
}

func (f *Field) checkJSON(raw json.RawMessage) string {
	if reason := f.checkJSONBounds(raw); reason != "" {
		return reason
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "must be valid JSON"
	}
	if hasNUL(v) {
		return "may not contain NUL characters"
	}
	switch f.Shape {
	case '[':
		items, ok := v.([]any)
		if !ok {
			return "must be a JSON array"
		}
		if len(items) > f.Max {
			return fmt.Sprintf("must have at most %d items", f.Max)
		}
		if f.Items == "text" {
			for _, it := range items {
				s, ok := it.(string)
				if !ok {
					return "must be an array of strings"
				}
				if r := checkText(s, 1, f.ItemMax); r != "" {
					return "items " + r
				}
			}
		}
	case '{':
		obj, ok := v.(map[string]any)
		if !ok {
			return "must be a JSON object"
		}
		if len(obj) > f.Max {
			return fmt.Sprintf("must have at most %d keys", f.Max)
		}
	}
	return ""
}

// hasNUL reports whether any string in a decoded JSON value holds U+0000,
// which PostgreSQL's jsonb cannot store.
func hasNUL(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.IndexByte(t, 0) >= 0
	case []any:
		return slices.ContainsFunc(t, hasNUL)
	case map[string]any:
		for k, x := range t {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(x) {
				return true
			}
		}
	}
	return false
}

var (
	reservedName = regexp.MustCompile(`(?i)^user_[0-9]+$`)
	languageTag  = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{1,8})*$`)
	phoneNumber  = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{1,30}$`)
	hexHash      = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// rules holds checks of users fields beyond kind and length, keyed by
// field name.
var rules = map[string]func(any) string{
	"name": func(v any) string { return CheckName(v.(string)) },
	"email": func(v any) string {
		s := v.(string)
		at := strings.IndexByte(s, '@')
		if at <= 0 || at == len(s)-1 || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return "must be an e-mail address"
		}
		return ""
	},
	"timezone": func(v any) string {
		s := v.(string)
		if s == "Local" || strings.HasPrefix(s, "/") {
			return "must be an IANA time zone name"
		}
		if _, err := time.LoadLocation(s); err != nil {
			return "must be an IANA time zone name"
		}
		return ""
	},
	"language": func(v any) string {
		if s := v.(string); s != "" && !languageTag.MatchString(s) {
			return "must be a lower-case BCP 47 language tag"
		}
		return ""
	},
	"phone": func(v any) string {
		if !phoneNumber.MatchString(v.(string)) {
			return "must be a phone number"
		}
		return ""
	},
	"avatar": func(v any) string {
		if !hexHash.MatchString(v.(string)) {
			return "must be an image hash"
		}
		return ""
	},
}

// Fold is the case folding behind every *_key column.
func Fold(s string) string { return strings.ToLower(s) }
