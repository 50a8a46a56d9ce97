package danbooru

import "testing"

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
