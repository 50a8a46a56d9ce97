package native

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
)

// documentUser is the renderer appendUser replaced: an ordered document
// built field by field, then marshalled. It is the reference the direct
// renderer must match byte for byte.
func documentUser(u *core.User, viewer *core.User, only map[string]bool) []byte {
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
	return nativeJSON.Marshal(doc.Obj(top))
}

// fullUser sets every registry field of a user to a value of its type;
// strings carry what JSON must escape (quotes, HTML, controls, invalid
// UTF-8, U+2028). null leaves the nullable ones nil instead.
func fullUser(null bool) *core.User {
	u := &core.User{}
	at := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.FixedZone("x", 3600))
	for i, f := range core.Fields {
		s := fmt.Sprintf("v%d \"<a&b>\" \n\t\x01 \xff \u2028 ü", i)
		n := int64(i*1000 - 7)
		switch p := f.Ptr(u).(type) {
		case *int64:
			*p = n
		case *int:
			*p = int(n)
		case **int64:
			if !null {
				*p = &n
			}
		case *bool:
			*p = i%2 == 0
		case *string:
			*p = s
		case **string:
			if !null {
				*p = &s
			}
		case *time.Time:
			*p = at
		case **time.Time:
			if !null {
				*p = &at
			}
		case **core.Date:
			if !null {
				d := core.Date("1990-05-17")
				*p = &d
			}
		case *json.RawMessage:
			if !null {
				*p = json.RawMessage(`{"k":["x",1,null]}`)
			}
		case *netip.Addr:
			if !null {
				*p = netip.MustParseAddr("2001:db8::1")
			}
		default:
			panic(fmt.Sprintf("field %s: %T", f.Name, p))
		}
	}
	return u
}

// TestAppendUserMatchesDocument: the direct renderer writes exactly what
// the document renderer did, for every viewer class and selection, with
// every field set and with the nullable ones null.
func TestAppendUserMatchesDocument(t *testing.T) {
	staff := &core.User{ID: 99, Level: core.LevelAdmin}
	for _, null := range []bool{false, true} {
		u := fullUser(null)
		u.ID = 7
		member := &core.User{ID: 8, Level: core.LevelMember}
		for vname, viewer := range map[string]*core.User{"anonymous": nil, "member": member, "self": u, "staff": staff, "system": core.System} {
			for _, fields := range []string{"", "id", "profile", "profile.bio,settings,id", "counters,e621", "settings"} {
				only, err := parseFields(fields)
				if err != nil {
					t.Fatal(err)
				}
				red := core.NativeProfile.Redact(viewer, u)
				var buf bytes.Buffer
				appendUser(&buf, red, viewer, only)
				if want := documentUser(red, viewer, only); !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("null=%v viewer %s fields %q:\n got %s\nwant %s", null, vname, fields, buf.Bytes(), want)
				}
				if !json.Valid(buf.Bytes()) {
					t.Errorf("null=%v viewer %s fields %q: invalid JSON %s", null, vname, fields, buf.Bytes())
				}
			}
		}
	}
}

// BenchmarkAppendUser renders a user with every field set, as staff see
// it, by the direct renderer and by the document one it replaced.
func BenchmarkAppendUser(b *testing.B) {
	u := fullUser(false)
	staff := &core.User{ID: 99, Level: core.LevelAdmin}
	red := core.NativeProfile.Redact(staff, u)
	b.Run("direct", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			appendUser(&buf, red, staff, nil)
		}
	})
	b.Run("document", func(b *testing.B) {
		for b.Loop() {
			documentUser(red, staff, nil)
		}
	})
}
