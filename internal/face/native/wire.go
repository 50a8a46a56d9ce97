package native

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strconv"
	"time"

	"usersd/internal/core"
)

// timeFormat renders instants in UTC with microseconds, as stored.
const timeFormat = "2006-01-02T15:04:05.000000Z07:00"

// appendUser renders the fields of u the viewer may read, in layout order:
// top-level fields, then one object per group that holds at least one of
// them. only, when non-nil, restricts the output to the named registry
// fields (see parseFields). A field the viewer may not read is absent,
// never null.
func appendUser(buf *bytes.Buffer, u *core.User, viewer *core.User, only map[string]bool) {
	buf.WriteByte('{')
	first := true // no member written yet in the user object
	for _, g := range layout {
		opened := false // the group's object has been started
		for _, name := range g.fields {
			f := slotOf[name].field
			if only != nil && !only[name] || !canRead(f, viewer, u) {
				continue
			}
			if g.name != "" && !opened {
				if !first {
					buf.WriteByte(',')
				}
				buf.WriteString(strconv.Quote(g.name))
				buf.WriteString(":{")
				opened, first = true, true
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			buf.WriteString(strconv.Quote(f.Name))
			buf.WriteByte(':')
			appendValue(buf, f.Value(u))
		}
		if opened {
			buf.WriteByte('}')
			first = false
		}
	}
	buf.WriteByte('}')
}

func appendValue(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case time.Time:
		buf.WriteByte('"')
		buf.WriteString(x.UTC().Format(timeFormat))
		buf.WriteByte('"')
	case core.Date:
		buf.WriteString(strconv.Quote(string(x)))
	case json.RawMessage:
		if len(x) == 0 {
			buf.WriteString("null")
		} else {
			buf.Write(x)
		}
	case netip.Addr:
		buf.WriteString(strconv.Quote(x.String()))
	default:
		b, _ := json.Marshal(x)
		buf.Write(b)
	}
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
