package e621

import (
	"strings"
	"testing"
)

// show renders a param tree compactly for comparisons.
func show(p *param) string {
	switch {
	case p == nil:
		return "<none>"
	case p.kind == 's':
		return "'" + p.str + "'"
	case p.kind == 'n':
		return "nil"
	case p.kind == 'a':
		var parts []string
		for _, x := range p.arr {
			parts = append(parts, show(x))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	var parts []string
	for _, k := range p.keys {
		parts = append(parts, k+":"+show(p.hash[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func TestParseQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a=1&b=2", "{a:'1' b:'2'}"},
		{"a=1&a=2", "{a:'2'}"},
		{"user[name]=fox&user[password]=x+y", "{user:{name:'fox' password:'x y'}}"},
		{"search%5Blevel%5D=20", "{search:{level:'20'}}"},
		{"a[]=1&a[]=2", "{a:['1' '2']}"},
		{"a[][b]=1&a[][c]=2&a[][b]=3", "{a:[{b:'1' c:'2'} {b:'3'}]}"},
		{"user[dmail_filter_attributes][words]=x", "{user:{dmail_filter_attributes:{words:'x'}}}"},
		{"=1&&x", "{x:''}"},
		{"a=%zz", "{a:'%zz'}"},
		{"a=b%00c%FF", "{a:'bc'}"},
		{"a=1&a[b]=2", "{a:{b:'2'}}"},
	}
	for _, tt := range tests {
		p := newHash()
		parseQuery(p, tt.in)
		if got := show(p); got != tt.want {
			t.Errorf("parseQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	deep := strings.Repeat("[a]", 100)
	p := newHash()
	parseQuery(p, "x"+deep+"=1")
	if p.get("x"+deep) == nil {
		t.Errorf("over-deep keys stay flat: %s", show(p))
	}
}

func TestParseBody(t *testing.T) {
	tests := []struct {
		ct, body, want string
		err            bool
	}{
		{"application/x-www-form-urlencoded", "user[per_page]=100", "{q:'1' user:{per_page:'100'}}", false},
		{"application/json", `{"user": {"per_page": 100, "safe": true, "x": null, "l": [1, "a"]}}`, "{q:'1' user:{per_page:'100' safe:'true' x:nil l:['1' 'a']}}", false},
		{"application/json; charset=utf-8", `{"b": 1, "a": 2}`, "{q:'1' b:'1' a:'2'}", false},
		{"application/json", `[1]`, "{q:'1' _json:['1']}", false},
		{"application/json", ``, "{q:'1'}", false},
		{"application/json", `{"a": 1,`, "", true},
		{"application/json", `{"a": 1} x`, "", true},
		{"application/json", "{\"a\": \"\xff\"}", "", true},
		{"application/json", strings.Repeat("[", 100) + strings.Repeat("]", 100), "", true},
		{"multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"user[name]\"\r\n\r\nfox\r\n--XX--\r\n", "{q:'1' user:{name:'fox'}}", false},
		{"text/plain", "user[name]=fox", "{q:'1'}", false},
	}
	for _, tt := range tests {
		p := newHash()
		p.set("q", strParam("1"))
		_, err := parseBody(p, tt.ct, []byte(tt.body))
		if (err != nil) != tt.err {
			t.Errorf("parseBody(%q) err = %v", tt.body, err)
			continue
		}
		if !tt.err {
			if got := show(p); got != tt.want {
				t.Errorf("parseBody(%q) = %s, want %s", tt.body, got, tt.want)
			}
		}
	}
}

func TestPermit(t *testing.T) {
	keys := permittedKeys(nil, false)
	tests := []struct{ in, want string }{
		{"user[per_page]=1&user[time_zone]=UTC", ""},
		{"user[level]=80", "found unpermitted parameter: :level"},
		{"user[level]=80&user[name]=x", "found unpermitted parameters: :level, :name"},
		{"user[per_page][]=1", "found unpermitted parameter: :per_page"},
		{"user[dmail_filter_attributes][words]=x&user[dmail_filter_attributes][id]=1", ""},
		{"user[dmail_filter_attributes][foo]=x&user[level]=1", "found unpermitted parameter: :foo"},
		{"user[profile_about]=x", "found unpermitted parameter: :profile_about"},
		{"user[enable_compact_uploader]=1", "found unpermitted parameter: :enable_compact_uploader"},
	}
	for _, tt := range tests {
		p := newHash()
		parseQuery(p, tt.in)
		if got := permit(p.get("user"), keys); got != tt.want {
			t.Errorf("permit(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFlagValue(t *testing.T) {
	for s, want := range map[string]bool{"true": true, "t": true, "1": true, "yes": true, "y": true, "on": false,
		"false": false, "0": false, "": false, "True": false, "Yes": false, "off": false, "nope": false, "tomato": true} {
		if got := flagValue(s); got != want {
			t.Errorf("flagValue(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestWeakPassword(t *testing.T) {
	tests := []struct {
		pw, name, email string
		weak            bool
		warning         string
	}{
		{"correct-horse-battery", "fox_kit", "fox@example.com", false, ""},
		{"Tr0ub4dor&3", "", "", false, ""},
		{"password", "", "", true, "This is a top-10 common password"},
		{"PASSWORD", "", "", true, "This is a top-10 common password"},
		{"baseball", "", "", true, "This is a top-100 common password"},
		{"password1!", "", "", true, "This is similar to a commonly used password"},
		{"aaaaaaaaaa", "", "", true, `Repeats like "aaa" are easy to guess`},
		{"abcabcabcabc", "", "", true, `Repeats like "abcabcabc" are only slightly harder to guess than "abc"`},
		{"abcdefghij", "", "", true, "Sequences like abc or 6543 are easy to guess"},
		{"98765432", "", "", true, "Sequences like abc or 6543 are easy to guess"},
		{"qwertyuio", "", "", true, "Straight rows of keys are easy to guess"},
		{"19990101", "", "", true, "Dates are often easy to guess"},
		{"purple_fox1", "purple_fox", "", true, ""},
		{"foxmail99", "", "foxmail@example.com", true, ""},
		{"short", "", "", true, ""},
		{"x7#kQ2", "", "", true, ""},
		{"x7#kQ2z", "", "", false, ""},
	}
	for _, tt := range tests {
		weak, warning := weakPassword(tt.pw, tt.name, tt.email)
		if weak != tt.weak || warning != tt.warning {
			t.Errorf("weakPassword(%q) = %v %q, want %v %q", tt.pw, weak, warning, tt.weak, tt.warning)
		}
	}
}
