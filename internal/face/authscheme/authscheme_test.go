package authscheme

import (
	"encoding/base64"
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, header string
		mode         Base64
		want         Credentials
	}{
		{"empty", "", Strict, Credentials{}},
		{"basic", "Basic " + b64("fox:key"), Strict,
			Credentials{Scheme: Basic, Name: "Basic", Payload: b64("fox:key"), Login: "fox", Password: "key", OK: true}},
		{"basic lower case, colon in password", "basic " + b64("fox:a:b"), Strict,
			Credentials{Scheme: Basic, Name: "basic", Payload: b64("fox:a:b"), Login: "fox", Password: "a:b", OK: true}},
		{"basic without colon", "Basic " + b64("fox"), Strict,
			Credentials{Scheme: Basic, Name: "Basic", Payload: b64("fox")}},
		{"strict refuses junk", "Basic !" + b64("fox:key"), Strict,
			Credentials{Scheme: Basic, Name: "Basic", Payload: "!" + b64("fox:key")}},
		{"strict refuses missing padding", "Basic Zm94OmtleQ", Strict,
			Credentials{Scheme: Basic, Name: "Basic", Payload: "Zm94OmtleQ"}},
		{"lenient skips junk", "Basic !Zm94O\nmtleQ==", Lenient,
			Credentials{Scheme: Basic, Name: "Basic", Payload: "!Zm94O\nmtleQ==", Login: "fox", Password: "key", OK: true}},
		{"lenient partial group", "Basic Zm94OmtleQ", Lenient,
			Credentials{Scheme: Basic, Name: "Basic", Payload: "Zm94OmtleQ", Login: "fox", Password: "key", OK: true}},
		{"white space runs", "  Basic \t " + b64("a:b"), Lenient,
			Credentials{Scheme: Basic, Name: "Basic", Payload: b64("a:b"), Login: "a", Password: "b", OK: true}},
		{"token", "token  abc123 ", Strict, Credentials{Scheme: Token, Name: "token", Payload: "abc123", OK: true}},
		{"Token", "Token abc", Strict, Credentials{Scheme: Token, Name: "Token", Payload: "abc", OK: true}},
		{"bearer", "Bearer abc", Strict, Credentials{Scheme: Bearer, Name: "Bearer", Payload: "abc", OK: true}},
		{"bearer alone", "BEARER", Strict, Credentials{Scheme: Bearer, Name: "BEARER", OK: true}},
		{"other scheme", "Digest x=1", Lenient, Credentials{Name: "Digest", Payload: "x=1"}},
	}
	for _, tt := range tests {
		if got := Parse(tt.header, tt.mode); got != tt.want {
			t.Errorf("%s: Parse(%q) = %+v, want %+v", tt.name, tt.header, got, tt.want)
		}
	}
}

func TestRailsBasic(t *testing.T) {
	tests := []struct {
		header, login, key string
		ok                 bool
	}{
		{"Basic ZXhhbXBsZV91c2VyOktFWQ==", "example_user", "KEY", true},
		{"Basic   ZXhhbXBsZV91c2VyOktFWQ", "example_user", "KEY", true}, // padding is optional
		{"Bearer x", "", "", false},
		{"", "", "", false},
		{"Basic ", "", "", false},
		{"Basic dTprOmV4dHJh", "u", "k:extra", true},              // split at the first colon
		{"ZXhhbXBsZV91c2VyOktFWQ==", "example_user", "KEY", true}, // no scheme: split(" ", 2).last is the value
		{" dTpr ", "", "", false},                                 // [ "dTpr", "" ].last
	}
	for _, tt := range tests {
		login, key, ok := RailsBasic(tt.header)
		if login != tt.login || key != tt.key || ok != tt.ok {
			t.Errorf("RailsBasic(%q) = %q, %q, %v; want %q, %q, %v", tt.header, login, key, ok, tt.login, tt.key, tt.ok)
		}
	}
}

func TestDecodeRuby(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Zm94", "fox"},
		{"Zm9", "fo"},
		{"Zm", "f"},
		{"Z", ""},
		{"Zg==", "f"},
		{"Zm8=", "fo"},
		{"Zm8=Zm94", "fo"},  // "=" in a group's third place ends the data
		{"Zg==Zm94", "f"},   // and in its third place
		{"=Zm94", "fox"},    // but is skipped in the first place
		{"Z=m94", "fox"},    // and the second
		{"Zm 9\n4*", "fox"}, // junk is skipped
		{"Zm94Zm94Zm", "foxfoxf"},
	}
	for _, tt := range tests {
		if got := string(DecodeRuby(tt.in)); got != tt.want {
			t.Errorf("DecodeRuby(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParse checks that no header panics the parser and that lenient
// decoding agrees with strict decoding wherever the strict one succeeds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "Basic Zm94OmtleQ==", "basic", "Bearer x", "token  y", "Basic =Z=m=", "\x00\xff Basic"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		RailsBasic(h)
		strict := Parse(h, Strict)
		lenient := Parse(h, Lenient)
		if strict.Scheme != lenient.Scheme {
			t.Fatalf("scheme depends on the base64 mode: %v vs %v", strict.Scheme, lenient.Scheme)
		}
		if strict.Scheme == Basic && strict.OK && (lenient.Login != strict.Login || lenient.Password != strict.Password) {
			t.Fatalf("lenient %q:%q, strict %q:%q", lenient.Login, lenient.Password, strict.Login, strict.Password)
		}
	})
}

func TestBearerOrBare(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", ""},
		{"   ", ""},
		{"abc123", "abc123"},
		{" abc123\t", "abc123"},
		{"Bearer abc123", "abc123"},
		{"bearer   abc123 ", "abc123"},
		{"Bearer", ""},
		{"Token abc", "Token abc"},
		{"Basic Zm94OmtleQ==", "Basic Zm94OmtleQ=="},
	}
	for _, tt := range tests {
		if got := BearerOrBare(tt.header); got != tt.want {
			t.Errorf("BearerOrBare(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// TestWords: ASCII whitespace separates, as Python's bytes.split();
// other spaces stay inside a word.
func TestWords(t *testing.T) {
	for in, want := range map[string][]string{
		"":                 nil,
		"   ":              nil,
		"Token abc":        {"Token", "abc"},
		" token\tabc \r\n": {"token", "abc"},
		"Token a b":        {"Token", "a", "b"},
		"Token a\vb\fc":    {"Token", "a", "b", "c"},
		"Token a\u00a0b":   {"Token", "a\u00a0b"},
		"Token \xff\xfe":   {"Token", "\xff\xfe"},
	} {
		if got := Words(in); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}
