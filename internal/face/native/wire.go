package native

import (
	"bytes"
	"encoding/json"
	"net/netip"
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
func appendUser(buf *bytes.Buffer, u *core.User, viewer *core.User, only map[string]bool) {
	top := doc.NewObject()
	for _, g := range layout {
		o := top
		if g.name != "" {
			o = doc.NewObject()
		}
		for _, name := range g.fields {
			f := slotOf[name].field
			if only != nil && !only[name] || !canRead(f, viewer, u) {
				continue
			}
			o.Add(f.Name, docValue(f.Value(u)))
		}
		if g.name != "" && o.Len() > 0 {
			top.Add(g.name, doc.Obj(o))
		}
	}
	buf.Write(nativeJSON.Marshal(doc.Obj(top)))
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
