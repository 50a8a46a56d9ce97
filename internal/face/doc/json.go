package doc

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// JSON renders documents as compact JSON (no spaces), keys in order.
type JSON struct {
	// EscapeHTML writes <, > and & as \u003c, \u003e and \u0026, as Go's
	// encoding/json and ActiveSupport's to_json with escape_html_entities
	// do; Rails 8.1 API responses leave them as they are.
	EscapeHTML bool
	// Time formats instants; nil is RFC 3339 with nanoseconds, in UTC.
	Time func(time.Time) string
}

// Marshal renders v.
func (j JSON) Marshal(v Value) []byte { return j.Append(nil, v) }

// Append appends v's JSON to b.
func (j JSON) Append(b []byte, v Value) []byte {
	switch v.kind {
	case KindNull:
		return append(b, "null"...)
	case KindInt:
		return strconv.AppendInt(b, v.i, 10)
	case KindBool:
		return strconv.AppendBool(b, v.b)
	case KindString:
		return j.appendString(b, v.s)
	case KindTime:
		return j.appendString(b, j.time(v.t))
	case KindFloat:
		if math.IsInf(v.f, 0) || math.IsNaN(v.f) {
			return append(b, "null"...)
		}
		f, _ := json.Marshal(v.f)
		return append(b, f...)
	case KindRaw:
		return append(b, v.s...)
	case KindObject:
		b = append(b, '{')
		for i, f := range v.obj.fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = j.appendString(b, f.Key)
			b = append(b, ':')
			b = j.Append(b, f.Value)
		}
		return append(b, '}')
	case KindArray:
		b = append(b, '[')
		for i, x := range v.arr {
			if i > 0 {
				b = append(b, ',')
			}
			b = j.Append(b, x)
		}
		return append(b, ']')
	}
	return b
}

func (j JSON) time(t time.Time) string {
	if j.Time != nil {
		return j.Time(t)
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// String encodes s as a JSON string.
func (j JSON) String(s string) string { return string(j.appendString(nil, s)) }

const hex = "0123456789abcdef"

// appendString is encoding/json's string encoding (invalid UTF-8 becomes
// U+FFFD; U+2028 and U+2029 are escaped), with HTML escaping optional.
func (j JSON) appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!j.EscapeHTML || (c != '<' && c != '>' && c != '&')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
