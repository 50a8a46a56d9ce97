package core

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Bounds on data. Every text and JSON field has a byte bound besides its
// count of characters or items, JSON nests at most MaxJSONDepth levels,
// dates and times lie in ranges both backends store alike, and a whole
// user serializes to at most Service.MaxUserBytes. The core checks them all
// before anything is written, so a list of users costs at most page size
// × the user bound, and no backend answers differently (PostgreSQL's jsonb
// took 9,990 levels where SQLite's json_valid stops at 1,000; PostgreSQL
// has no year 0).

// MaxJSONDepth is how deeply a JSON field's value may nest: {} and [] are
// one level.
const MaxJSONDepth = 32

// DefaultMaxUserBytes bounds a whole serialized user (Entity.RecordBytes)
// unless Service.MaxUserBytes says otherwise.
const DefaultMaxUserBytes = 64 << 10

// Time bounds of every timestamp: four-digit years, which RFC 3339 and
// both backends share (PostgreSQL has no year 0).
var (
	MinTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// Date bounds of every date; fields narrow them with DateMin and DateMax.
const (
	MinDate Date = "0001-01-01"
	MaxDate Date = "9999-12-31"
	// Today as a DateMax: not after today anywhere on Earth (UTC+14).
	Today Date = "today"
)

// fieldLimits are the byte bounds and date ranges of one field.
type fieldLimits struct {
	bytes, itemBytes int
	dateMin, dateMax Date
}

const kib = 1 << 10

// limits holds the bounds of fields whose defaults do not fit: a text
// field's default is 4 bytes per character of its Max (every value of Max
// characters fits); JSON fields must be listed. Where an upstream system
// allows more characters than the bytes here (e621's 500,000-character
// custom_style), the byte bound is the one that holds, and a whole user is
// bounded by Service.MaxUserBytes in any case.
var limits = map[string]fieldLimits{
	// RFC 5321 bounds a forward path to 256 octets, so an address to 254.
	"users.email":     {bytes: 254},
	"users.email_key": {bytes: 254},

	"users.bio":                {bytes: 64 * kib},
	"users.artist_info":        {bytes: 64 * kib},
	"users.favorite_tags":      {bytes: 128 * kib},
	"users.blacklisted_tags":   {bytes: 192 * kib},
	"users.custom_style":       {bytes: 512 * kib},
	"users.dmail_filter_words": {bytes: 16 * kib},
	"users.recent_tags":        {bytes: 16 * kib},

	// pronouns.cc entries are 100 characters and a status; a field holds
	// 100 of them. A link is 256 characters, up to 1026 bytes of JSON in
	// 4-byte characters, more with escapes.
	"users.links":                       {bytes: 16 * kib, itemBytes: 2 * kib},
	"users.preferred_names":             {bytes: 32 * kib, itemBytes: 1 * kib},
	"users.pronouns":                    {bytes: 32 * kib, itemBytes: 1 * kib},
	"users.profile_fields":              {bytes: 64 * kib, itemBytes: 16 * kib},
	"users.custom_preferences":          {bytes: 16 * kib, itemBytes: 1 * kib},
	"users.artist_tags":                 {bytes: 64 * kib, itemBytes: 400},
	"users.attributes":                  {bytes: 64 * kib, itemBytes: 4 * kib},
	"users.attributes_kwargs":           {bytes: 64 * kib, itemBytes: 4 * kib},
	"users.localized_attributes":        {bytes: 64 * kib, itemBytes: 4 * kib},
	"users.localized_attributes_kwargs": {bytes: 64 * kib, itemBytes: 4 * kib},

	"users.date_of_birth": {dateMin: "1900-01-01", dateMax: Today},

	"members.links":           {bytes: 16 * kib, itemBytes: 2 * kib},
	"members.preferred_names": {bytes: 32 * kib, itemBytes: 1 * kib},
	"members.pronouns":        {bytes: 32 * kib, itemBytes: 1 * kib},
	"members.profile_fields":  {bytes: 64 * kib, itemBytes: 16 * kib},

	// Written by the core alone: a change of a whole user (two sides of
	// at most DefaultMaxUserBytes), or an import batch's names.
	"audit_log.diff": {bytes: 4096 * kib, itemBytes: 4096 * kib},
}

// setLimits gives f its bounds when its registry is built.
func setLimits(table string, f *Field) {
	l, listed := limits[table+"."+f.Name]
	switch f.Kind {
	case KindText:
		f.MaxBytes = 4 * f.Max
		if l.bytes > 0 {
			f.MaxBytes = l.bytes
		}
	case KindJSON:
		if !listed || l.bytes == 0 || l.itemBytes == 0 {
			panic("core: JSON field " + table + "." + f.Name + " has no byte bounds in limits")
		}
		f.MaxBytes, f.ItemMaxBytes = l.bytes, l.itemBytes
	case KindDate:
		f.DateMin, f.DateMax = MinDate, MaxDate
		if l.dateMin != "" {
			f.DateMin = l.dateMin
		}
		if l.dateMax != "" {
			f.DateMax = l.dateMax
		}
	}
}

// checkTextBytes is the byte bound of a text value.
func (f *Field) checkTextBytes(s string) string {
	if f.MaxBytes > 0 && len(s) > f.MaxBytes {
		return fmt.Sprintf("must be at most %d bytes", f.MaxBytes)
	}
	return ""
}

// checkDate checks a date's form and range; now decides Today.
func (f *Field) checkDate(d Date, now time.Time) string {
	if _, err := time.Parse(time.DateOnly, string(d)); err != nil {
		return "must be a date YYYY-MM-DD"
	}
	lo, hi := f.DateMin, f.DateMax
	if lo == "" {
		lo = MinDate
	}
	switch hi {
	case "":
		hi = MaxDate
	case Today:
		hi = Date(now.UTC().Add(14 * time.Hour).Format(time.DateOnly))
	}
	if d < lo || d > hi {
		if f.DateMax == Today {
			return fmt.Sprintf("must be from %s to today", lo)
		}
		return fmt.Sprintf("must be from %s to %s", lo, hi)
	}
	return ""
}

// checkTime checks a timestamp's range.
func checkTime(t time.Time) string {
	if t.Before(MinTime) || t.After(MaxTime) {
		return "must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z"
	}
	return ""
}

// checkJSONBounds checks a JSON value's bytes, depth and item bytes before
// it is decoded: the cheap checks first, so an oversized value costs no
// more than a scan.
func (f *Field) checkJSONBounds(raw json.RawMessage) string {
	if f.MaxBytes > 0 && len(raw) > f.MaxBytes {
		return fmt.Sprintf("must be at most %d bytes of JSON", f.MaxBytes)
	}
	if jsonDepth(raw) > MaxJSONDepth {
		return fmt.Sprintf("may nest at most %d levels deep", MaxJSONDepth)
	}
	if f.ItemMaxBytes == 0 {
		return ""
	}
	tooBig := func(n int) bool { return n > f.ItemMaxBytes }
	switch f.Shape {
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return "" // the shape check names the problem
		}
		if slices.ContainsFunc(items, func(it json.RawMessage) bool { return tooBig(len(it)) }) {
			return fmt.Sprintf("items must be at most %d bytes of JSON each", f.ItemMaxBytes)
		}
	case '{':
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) != nil {
			return ""
		}
		for k, v := range members {
			if tooBig(len(k) + len(v)) {
				return fmt.Sprintf("members must be at most %d bytes of JSON each", f.ItemMaxBytes)
			}
		}
	}
	return ""
}

// jsonDepth is the deepest nesting of arrays and objects in raw, counted
// by a scan that skips strings; malformed JSON is left to the decoder.
func jsonDepth(raw []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// RecordBytes is the size of rec, a record of e, serialized as one
// compact JSON object of all its fields with HTML-safe escaping (<, > and
// & as \u003c …), the most any face's JSON or XML rendering of a field
// takes.
func (e *Entity) RecordBytes(rec any) int {
	n := 1 // {
	for _, f := range e.Fields {
		n += len(f.Name) + 4 + valueBytes(f.Value(rec)) // "name": value,
	}
	return n
}

// valueBytes is the size of a canonical value in JSON.
func valueBytes(v any) int {
	switch x := v.(type) {
	case nil:
		return 4
	case bool:
		return 5
	case int64:
		return len(strconv.FormatInt(x, 10))
	case string:
		return jsonStringBytes(x)
	case Date:
		return len(x) + 2
	case time.Time:
		return len(`"2006-01-02T15:04:05.000000Z"`)
	case json.RawMessage:
		if len(x) == 0 {
			return 4 // null
		}
		// Strings inside keep their escapes; HTML-safe renderers widen <>&.
		n := len(x)
		for _, c := range x {
			if c == '<' || c == '>' || c == '&' {
				n += 5
			}
		}
		return n
	case netip.Addr:
		return len(x.String()) + 2
	}
	return 0
}

// jsonStringBytes is the length of s as a JSON string under
// encoding/json's HTML-safe escaping.
func jsonStringBytes(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
				n += 2
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 6 // \ufffd
		case r == '\u2028' || r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}

// maxUserBytes is the whole-user bound in force.
func (s *Service) maxUserBytes() int {
	if s.MaxUserBytes > 0 {
		return s.MaxUserBytes
	}
	return DefaultMaxUserBytes
}

// withPatch returns a copy of u with the canonical values of p written in.
func withPatch(u *User, p Patch) *User {
	c := *u
	for name, v := range p {
		if f := FieldByName(name); f != nil && !f.Generated {
			f.set(&c, v)
		}
	}
	return &c
}

// set writes a canonical value into the field of rec; a value of another
// type (which checks have refused before) leaves the field alone.
func (f *Field) set(rec any, v any) {
	if v == nil {
		if u, ok := rec.(*User); ok {
			f.zero(u)
		}
		return
	}
	switch p := f.Ptr(rec).(type) {
	case *int64:
		if x, ok := v.(int64); ok {
			*p = x
		}
	case *int:
		if x, ok := v.(int64); ok {
			*p = int(x)
		}
	case **int64:
		if x, ok := v.(int64); ok {
			*p = &x
		}
	case *bool:
		if x, ok := v.(bool); ok {
			*p = x
		}
	case *string:
		if x, ok := v.(string); ok {
			*p = x
		}
	case **string:
		if x, ok := v.(string); ok {
			*p = &x
		}
	case *time.Time:
		if x, ok := v.(time.Time); ok {
			*p = x
		}
	case **time.Time:
		if x, ok := v.(time.Time); ok {
			*p = &x
		}
	case **Date:
		if x, ok := v.(Date); ok {
			*p = &x
		}
	case *json.RawMessage:
		if x, ok := v.(json.RawMessage); ok {
			*p = x
		}
	case *netip.Addr:
		if x, ok := v.(netip.Addr); ok {
			*p = x
		}
	}
}

// checkUserBytes refuses a write that would make before (nil for a new
// user) larger than the whole-user bound; a user already over it (the
// bound was lowered) may still shrink or keep its size. It names the
// requested fields that grow.
func (s *Service) checkUserBytes(before *User, p, requested Patch) error {
	base, old := before, 0
	if base == nil {
		base = &User{}
	} else {
		old = Users.RecordBytes(before)
	}
	after := withPatch(base, p)
	if n := Users.RecordBytes(after); n > s.maxUserBytes() && n > old {
		return s.userTooBig(base, after, requested)
	}
	return nil
}

func (s *Service) userTooBig(before, after *User, requested Patch) error {
	reason := fmt.Sprintf("would make the user larger than %d bytes", s.maxUserBytes())
	probs := problems{}
	for _, name := range slices.Sorted(maps.Keys(requested)) {
		f := FieldByName(name)
		if f != nil && f.Settable() && valueBytes(f.Value(after)) > valueBytes(f.Value(before)) {
			probs.add(name, reason)
		}
	}
	return &Error{Code: Invalid, Message: fmt.Sprintf("A user may take at most %d bytes.", s.maxUserBytes()), Fields: probs}
}

// updateBounded writes p to the user, checks the stored result
// (checkStoredBytes) and records the change, in one transaction.
func (s *Service) updateBounded(ctx context.Context, st Store, actor, before *User, p Patch, meta UpdateMeta) (*User, error) {
	var u *User
	err := st.Tx(ctx, func(tx Store) error {
		var err error
		if u, err = tx.UpdateUser(ctx, before.ID, p, meta); err != nil {
			return err
		}
		if err := s.checkStoredBytes(before, u, p); err != nil {
			return err
		}
		return s.recordChange(ctx, tx, actor, before, u)
	})
	return u, err
}

// checkStoredBytes checks u, as an update of p inside a transaction has
// just stored it, against the whole-user bound, so updates racing past
// checkUserBytes (each saw the user before the other's write) cannot
// together grow it past the bound: the database serializes writers of one
// row, so the later one sees the sum, and its error rolls it back. before
// is the user as checkUserBytes saw it.
func (s *Service) checkStoredBytes(before, u *User, p Patch) error {
	if n := Users.RecordBytes(u); n > s.maxUserBytes() && n > Users.RecordBytes(before) {
		return s.userTooBig(before, u, p)
	}
	return nil
}
