package native

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strconv"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
)

// timeFormat renders instants in UTC with microseconds, as stored.
const timeFormat = "2006-01-02T15:04:05.000000Z07:00"

// nativeJSON is the native API's JSON: encoding/json's string escaping,
// instants in UTC with microseconds.
var nativeJSON = doc.JSON{EscapeHTML: true, Time: func(t time.Time) string { return t.UTC().Format(timeFormat) }}

// appendUser renders the fields of u the viewer may read, in layout order:
// top-level fields, then one object per group that holds at least one of
// them. only, when non-nil, restricts the output to the named registry
// fields (see parseFields). A field the viewer may not read is absent,
// never null.
//
// It writes the JSON straight into buf, field by field from the registry's
// pointers: building an ordered document first cost a map per object and
// a boxed value per field, a tenth of a get by id. The output is the
// document's byte for byte (TestAppendUserMatchesDocument).
func appendUser(buf *bytes.Buffer, u *core.User, viewer *core.User, only map[string]bool) {
	b := buf.AvailableBuffer()
	b = append(b, '{')
	top := true // nothing written yet at the top level
	for _, g := range wireLayout {
		mark := len(b)
		inner := top // nothing written yet in the object being filled
		if g.key != nil {
			if !top {
				b = append(b, ',')
			}
			b = append(b, g.key...)
			b = append(b, '{')
			inner = true
		}
		for _, s := range g.slots {
			if only != nil && !only[s.field.Name] || !canRead(s.field, viewer, u) {
				continue
			}
			if !inner {
				b = append(b, ',')
			}
			inner = false
			b = append(b, s.key...)
			b = appendValue(b, s.field, u)
		}
		switch {
		case g.key == nil:
			top = inner
		case inner:
			b = b[:mark] // a group with nothing to show is left out
		default:
			b = append(b, '}')
			top = false
		}
	}
	buf.Write(append(b, '}'))
}

// wireSlot is a field with its key already encoded ("name":).
type wireSlot struct {
	field *core.Field
	key   []byte
}

// wireGroup is a layout group with its key already encoded, nil at the
// top level.
type wireGroup struct {
	key   []byte
	slots []wireSlot
}

var wireLayout = func() []wireGroup {
	key := func(s string) []byte { return append(nativeJSON.Append(nil, doc.String(s)), ':') }
	out := make([]wireGroup, len(layout))
	for i, g := range layout {
		if g.name != "" {
			out[i].key = key(g.name)
		}
		for _, name := range g.fields {
			f := core.FieldByName(name)
			if f == nil {
				panic("native: layout names unknown field " + name)
			}
			out[i].slots = append(out[i].slots, wireSlot{f, key(name)})
		}
	}
	return out
}()

// appendValue appends field f of u as docValue(f.Value(u)) renders it,
// without boxing the value.
func appendValue(b []byte, f *core.Field, u *core.User) []byte {
	str := func(b []byte, s string) []byte { return nativeJSON.Append(b, doc.String(s)) }
	switch p := f.Ptr(u).(type) {
	case *int64:
		return strconv.AppendInt(b, *p, 10)
	case *int:
		return strconv.AppendInt(b, int64(*p), 10)
	case **int64:
		if *p != nil {
			return strconv.AppendInt(b, **p, 10)
		}
	case *bool:
		return strconv.AppendBool(b, *p)
	case *string:
		return str(b, *p)
	case **string:
		if *p != nil {
			return str(b, **p)
		}
	case *time.Time:
		return appendTime(b, *p)
	case **time.Time:
		if *p != nil {
			return appendTime(b, **p)
		}
	case **core.Date:
		if *p != nil {
			return str(b, string(**p))
		}
	case *json.RawMessage:
		if len(*p) > 0 {
			return append(b, *p...)
		}
	case *netip.Addr:
		if p.IsValid() {
			return str(b, p.String())
		}
	default:
		return nativeJSON.Append(b, docValue(f.Value(u)))
	}
	return append(b, "null"...)
}

// appendTime is nativeJSON's time: the format writes nothing a JSON
// string must escape.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, timeFormat)
	return append(b, '"')
}

// docValue is a registry value as a document value.
func docValue(v any) doc.Value {
	switch x := v.(type) {
	case nil:
		return doc.Null()
	case int64:
		return doc.Int(x)
	case bool:
		return doc.Bool(x)
	case string:
		return doc.String(x)
	case time.Time:
		return doc.Time(x)
	case core.Date:
		return doc.String(string(x))
	case json.RawMessage:
		return doc.Raw(x)
	case netip.Addr:
		return doc.String(x.String())
	}
	b, _ := json.Marshal(v)
	return doc.Raw(b)
}

func userJSON(u *core.User, viewer *core.User) []byte {
	var buf bytes.Buffer
	appendUser(&buf, u, viewer, nil)
	return buf.Bytes()
}

type tokenWire struct {
	ID         int64   `json:"id"`
	Label      string  `json:"label"`
	Kind       string  `json:"kind"`
	Scope      string  `json:"scope"`
	Token      string  `json:"token,omitempty"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	LastUsedIP *string `json:"last_used_ip"`
	Uses       int64   `json:"uses"`
	ExpiresAt  *string `json:"expires_at"`
}

func toToken(t *core.Token, secret string) tokenWire {
	fmtp := func(t *time.Time) *string {
		if t == nil {
			return nil
		}
		s := t.UTC().Format(timeFormat)
		return &s
	}
	w := tokenWire{ID: t.ID, Label: t.Label, Kind: t.Kind, Scope: t.Scope, Token: secret, CreatedAt: t.CreatedAt.UTC().Format(timeFormat),
		LastUsedAt: fmtp(t.LastUsedAt), Uses: t.Uses, ExpiresAt: fmtp(t.ExpiresAt)}
	if t.LastUsedIP.IsValid() {
		s := t.LastUsedIP.String()
		w.LastUsedIP = &s
	}
	return w
}

// MarshalUser renders u as the native API shows it to viewer.
func MarshalUser(u, viewer *core.User) []byte { return userJSON(u, viewer) }
