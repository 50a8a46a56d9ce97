package doc

import "testing"

func TestPython(t *testing.T) {
	o := NewObject()
	o.Add("stat", String("ok"))
	o.Add("b", Bool(true))
	o.Add("a", Array(Int(1), Null()))
	o.Add("s", String("é\"\\\n\x01<&>\U0001F600"))
	got := string(Python{SortKeys: true}.Marshal(Obj(o)))
	want := `{"a": [1, null], "b": true, "s": "\u00e9\"\\\n\u0001<&>\ud83d\ude00", "stat": "ok"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := string(Python{}.Marshal(Obj(o))); got[:15] != `{"stat": "ok", ` {
		t.Errorf("unsorted: %s", got)
	}
}

func TestDjblets(t *testing.T) {
	u := NewObject()
	u.Add("avatar_html", Null())
	u.Add("is_active", Bool(false))
	u.Add("name", String("a&b<c>\"d"))
	u.Add("empty", String(""))
	rsp := NewObject()
	rsp.Add("stat", String("ok"))
	rsp.Add("users", Array(Obj(u)))
	rsp.Add("none", Array())
	got := string(Djblets("rsp", Obj(rsp)))
	want := `<?xml version="1.0" encoding="utf-8"?>
<rsp>
 <stat>ok</stat>
 <users>
  <array>
   <item>
    <avatar_html>
    </avatar_html>
    <is_active>0</is_active>
    <name>a&amp;b&lt;c&gt;"d</name>
    <empty></empty>
   </item>
  </array>
 </users>
 <none>
  <array>
  </array>
 </none>
</rsp>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
