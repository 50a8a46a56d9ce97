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
