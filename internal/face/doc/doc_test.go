package doc

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

var when = time.Date(2026, 12, 6, 15, 4, 5, 123000000, time.UTC)

func sample() Value {
	inv := NewObject()
	inv.Add("id", Int(1))
	inv.Add("last_ip_addr", String("10.0.0.1"))
	o := NewObject()
	o.Add("id", Int(7))
	o.Add("id", Int(8)) // a repeated key keeps its first value
	o.Add("name", String(`a<b>&"c"`))
	o.Add("level", Int(20).Typed("integer"))
	o.Add("theme", String("dark").Typed("integer"))
	o.Add("inviter_id", Null().Typed("integer"))
	o.Add("favorite_tags", Null())
	o.Add("is_banned", Bool(false))
	o.Add("created_at", Time(when))
	o.Add("tag_query_limit", Float(math.Inf(1)))
	o.Add("ratio", Float(1.5))
	o.Add("attributes", Raw([]byte(`{"x":[1]}`)))
	o.Add("inviter", Obj(inv))
	o.Add("bans", Array())
	o.Add("tags", Array(String("a"), String("b")))
	return Obj(o)
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name string
		enc  JSON
		want string
	}{
		{"rails 8.1", JSON{}, `{"id":7,"name":"a<b>&\"c\"","level":20,"theme":"dark","inviter_id":null,"favorite_tags":null,` +
			`"is_banned":false,"created_at":"2026-12-06T15:04:05.123Z","tag_query_limit":null,"ratio":1.5,"attributes":{"x":[1]},` +
			`"inviter":{"id":1,"last_ip_addr":"10.0.0.1"},"bans":[],"tags":["a","b"]}`},
		{"escaped html, own time", JSON{EscapeHTML: true, Time: func(t time.Time) string { return t.Format(time.DateOnly) }},
			`{"id":7,"name":"a\u003cb\u003e\u0026\"c\"","level":20,"theme":"dark","inviter_id":null,"favorite_tags":null,` +
				`"is_banned":false,"created_at":"2026-12-06","tag_query_limit":null,"ratio":1.5,"attributes":{"x":[1]},` +
				`"inviter":{"id":1,"last_ip_addr":"10.0.0.1"},"bans":[],"tags":["a","b"]}`},
	}
	for _, tt := range tests {
		got := tt.enc.Marshal(sample())
		if string(got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
		if !json.Valid(got) {
			t.Errorf("%s: invalid JSON", tt.name)
		}
	}
	if got := string(JSON{}.Marshal(Raw(nil))); got != "null" {
		t.Errorf("empty raw = %s, want null", got)
	}
}

func TestRailsXML(t *testing.T) {
	x := XML{Style: Rails, Time: func(t time.Time) string { return t.Format(time.RFC3339) }}
	got := string(x.Document("user", sample()))
	want := `<?xml version="1.0" encoding="UTF-8"?>
<user>
  <id type="integer">7</id>
  <name>a&lt;b&gt;&amp;&quot;c&quot;</name>
  <level type="integer">20</level>
  <theme type="integer">dark</theme>
  <inviter-id type="integer" nil="true"/>
  <favorite-tags nil="true"/>
  <is-banned type="boolean">false</is-banned>
  <created-at type="dateTime">2026-12-06T15:04:05Z</created-at>
  <tag-query-limit type="float">Infinity</tag-query-limit>
  <ratio type="float">1.5</ratio>
  <attributes>{&quot;x&quot;:[1]}</attributes>
  <inviter>
    <id type="integer">1</id>
    <last-ip-addr>10.0.0.1</last-ip-addr>
  </inviter>
  <bans type="array"/>
  <tags type="array">
    <tag>a</tag>
    <tag>b</tag>
  </tags>
</user>
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestReviewBoardXML(t *testing.T) {
	u := NewObject()
	u.Add("id", Int(1))
	u.Add("is_active", Bool(true))
	u.Add("fullname", Null())
	u.Add("groups", Array(String("a&b")))
	rsp := NewObject()
	rsp.Add("stat", String("ok"))
	rsp.Add("user", Obj(u))
	got := string(XML{Style: ReviewBoard}.Document("rsp", Obj(rsp)))
	want := `<?xml version="1.0" encoding="utf-8"?>
<rsp>
<stat>ok</stat>
<user>
<id>1</id>
<is_active>1</is_active>
<fullname/>
<groups>
<array>
<item>a&amp;b</item>
</array>
</groups>
</user>
</rsp>
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriterEscaping(t *testing.T) {
	tests := []struct {
		esc  Escaping
		want string
	}{
		{BuilderEscaping, "<a b=\"x&quot;&#10;\ty\">&lt;&quot;*\t*</a>\n"},
		{LegacyEscaping, "<a b=\"x&quot;&#10;&#9;y\">&lt;\"*\t*</a>\n"},
	}
	for _, tt := range tests {
		w := NewWriter("", "  ", tt.esc)
		w.Leaf("a", Attrs("b", "x\"\n\ty"), "<\"\x01\t\xff")
		if got := string(w.Bytes()); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// FuzzJSONString checks the string encoder against encoding/json in both
// HTML modes.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\`, "<&>", "\x00\x1f\b\f\n\r\t", "\xff\xfe", "\u2028\u2029", "é✓😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{false, true} {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(html)
			enc.Encode(s)
			want := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
			if got := (JSON{EscapeHTML: html}).String(s); got != string(want) {
				t.Fatalf("EscapeHTML %v: %q encodes as %s, encoding/json says %s", html, s, got, want)
			}
		}
	})
}
