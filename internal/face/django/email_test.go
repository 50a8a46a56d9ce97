package django

import "testing"

func TestValidEmail(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"alice@example.com", true},
		{"a.b+tag@sub.example.co", true},
		{`"quoted@local"@example.com`, true},
		{`"quoted local"@example.com`, false}, // Django's quoted part has no space
		{"root@localhost", true},
		{"x@[192.0.2.1]", true},
		{"x@[2001:db8::1]", true},
		{"", false},
		{"no-at.example.com", false},
		{"two@@example.com", false},
		{"a b@example.com", false},
		{".dot@example.com", false},
		{"dot.@example.com", false},
		{"x@example", false},
		{"x@example.c", false},
		{"x@-example.com", false},
		{"x@example.com-", false},
		{"x@[256.0.0.1]", false},
		{"x@bücher.example", false},
		{"x@" + string(make([]byte, 330)), false},
	} {
		if got := ValidEmail(tt.in); got != tt.want {
			t.Errorf("ValidEmail(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzValidEmail(f *testing.F) {
	f.Add("alice@example.com")
	f.Add(`"q"@[::1]`)
	f.Fuzz(func(t *testing.T, s string) {
		if ValidEmail(s) && len(s) < 3 {
			t.Errorf("ValidEmail(%q) on a string too short for local@domain", s)
		}
	})
}
