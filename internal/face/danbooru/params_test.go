package danbooru

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// dump renders params compactly for comparison.
func dump(v any) string {
	switch x := v.(type) {
	case *params:
		parts := make([]string, len(x.keys))
		for i, k := range x.keys {
			parts[i] = k + ":" + dump(x.vals[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = dump(y)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case nil:
		return "nil"
	case string:
		return fmt.Sprintf("%q", x)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

func TestParseQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a=1&b=2", `{a:"1",b:"2"}`},
		{"a=1&a=2", `{a:"2"}`},
		{"a", `{a:nil}`},
		{"a=", `{a:""}`},
		{"search[name]=foo&search[level]=20", `{search:{name:"foo",level:"20"}}`},
		{"search[inviter][name]=x+y", `{search:{inviter:{name:"x y"}}}`},
		{"search%5Bname%5D=%2A", `{search:{name:"*"}}`},
		{"a[]=1&a[]=2", `{a:["1","2"]}`},
		{"a[][b]=1&a[][c]=2&a[][b]=3", `{a:[{b:"1",c:"2"},{b:"3"}]}`},
		{"a[b", `{a:{[b:nil}}`}, // Rack's reading of a malformed name
		{"[]=1", `{[]:"1"}`},
		{"&&a=1& b=2", `{a:"1",b:"2"}`},
	}
	for _, tt := range tests {
		p, err := parseQuery(tt.in)
		if err != nil {
			t.Errorf("parseQuery(%q): %v", tt.in, err)
			continue
		}
		if got := dump(p); got != tt.want {
			t.Errorf("parseQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"a=%zz", "a=1&a[b]=2", "a[]=1&a[b]=2", "a=%ff", strings.Repeat("[a]", 40) + "x=1"} {
		if p, err := parseQuery(strings.Replace(bad, "x=1", "=1", 1)); err == nil {
			t.Errorf("parseQuery(%q) = %s, want an error", bad, dump(p))
		}
	}
}

func TestJSONParams(t *testing.T) {
	p, err := jsonParams([]byte(`{"user":{"per_page":100,"enable_safe_mode":true,"x":null,"tags":["a"]},"b":1.5}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dump(p), `{user:{per_page:100,enable_safe_mode:true,x:nil,tags:["a"]},b:1.5}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, bad := range []string{`{`, `{"a":1} x`, `nope`, `{"a":}`} {
		if _, err := jsonParams([]byte(bad)); err == nil {
			t.Errorf("jsonParams(%q) accepted", bad)
		}
	}
	if p, _ := jsonParams([]byte(`[1]`)); dump(p) != `{_json:[1]}` {
		t.Errorf("array body = %s", dump(p))
	}
}

func TestSearchDepth(t *testing.T) {
	p, _ := parseQuery("a=1")
	if d := searchDepth(p); d != 2 {
		t.Errorf("flat depth = %d, want 2", d)
	}
	p, _ = parseQuery("inviter[inviter][name]=x")
	if d := searchDepth(p); d != 4 {
		t.Errorf("nested depth = %d, want 4", d)
	}
}

func TestBasicCredentials(t *testing.T) {
	tests := []struct {
		header, login, key string
		ok                 bool
	}{
		{"Basic ZXhhbXBsZV91c2VyOktFWQ==", "example_user", "KEY", true},
		{"Basic   ZXhhbXBsZV91c2VyOktFWQ", "example_user", "KEY", true}, // padding is optional
		{"Bearer x", "", "", false},
		{"", "", "", false},
		{"Basic dTprOmV4dHJh", "u", "k:extra", true},              // split at the first colon
		{"ZXhhbXBsZV91c2VyOktFWQ==", "example_user", "KEY", true}, // no scheme: split(" ", 2).last is the value
	}
	for _, tt := range tests {
		login, key, ok := basicCredentials(tt.header)
		if login != tt.login || key != tt.key || ok != tt.ok {
			t.Errorf("basicCredentials(%q) = %q, %q, %v; want %q, %q, %v", tt.header, login, key, ok, tt.login, tt.key, tt.ok)
		}
	}
}

func TestNegotiate(t *testing.T) {
	q := func(s string) *params { p, _ := parseQuery(s); return p }
	tests := []struct {
		ext, query, accept, want string
	}{
		{"json", "", "", "json"},
		{"xml", "format=json", "", "xml"},
		{"", "format=xml", "application/json", "xml"},
		{"", "", "", "html"},
		{"", "", "*/*", "html"},
		{"", "", "application/json", "json"},
		{"", "", "application/xml", "xml"},
		{"", "", "text/html,application/xhtml+xml,*/*;q=0.8", "html"},
		{"", "", "image/png, application/json", "json"},
		{"", "", "application/xml;q=0.5, application/json", "json"},
		{"", "", "image/png", "png"},
		{"atom", "", "", "atom"},
	}
	for _, tt := range tests {
		if got := negotiate(tt.ext, q(tt.query), tt.accept); got != tt.want {
			t.Errorf("negotiate(%q, %q, %q) = %q, want %q", tt.ext, tt.query, tt.accept, got, tt.want)
		}
	}
}
