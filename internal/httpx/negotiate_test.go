package httpx

import (
	"net/http/httptest"
	"slices"
	"testing"
)

func TestNegotiate(t *testing.T) {
	offers := []string{"application/json", "application/xml"}
	tests := []struct {
		accept, want string
		ok           bool
	}{
		{"", "application/json", true},
		{"*/*", "application/json", true},
		{"application/xml", "application/xml", true},
		{"text/html, application/xml;q=0.9, */*;q=0.8", "application/xml", true},
		{"application/json;q=0.5, application/xml", "application/xml", true},
		{"application/*", "application/json", true},
		{"text/html", "application/json", true}, // nothing acceptable: first not excluded
		{"application/json;q=0", "application/xml", true},
		{"application/json;q=0, */*", "application/xml", true},
		{"application/json;q=0, application/xml;q=0", "", false},
		{"application/xml;q=abc, application/json", "application/json", true},
		{"garbage;;;, application/xml", "application/xml", true},
	}
	for _, tt := range tests {
		got, ok := Negotiate(tt.accept, offers)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Negotiate(%q) = %q, %v; want %q, %v", tt.accept, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "*/*", "application/xml;q=0.5, application/json;q=0", "a/b;q=1e400"} {
		f.Add(s)
	}
	offers := []string{"application/json", "application/xml"}
	f.Fuzz(func(t *testing.T, accept string) {
		got, ok := Negotiate(accept, offers)
		if ok != slices.Contains(offers, got) {
			t.Fatalf("Negotiate(%q) = %q, %v", accept, got, ok)
		}
	})
}

func TestViewerETag(t *testing.T) {
	body := []byte(`{"stat": "ok"}`)
	a, b := ViewerETag("", body), ViewerETag("1", body)
	if a == b || a != ViewerETag("", body) {
		t.Fatalf("etags %s %s", a, b)
	}
	r := httptest.NewRequest("GET", "/", nil)
	for inm, want := range map[string]bool{"": false, a: true, "W/" + a: true, `"x", ` + a: true, "*": true, b: false} {
		r.Header.Set("If-None-Match", inm)
		if got := NotModified(r, a); got != want {
			t.Errorf("If-None-Match %q: %v, want %v", inm, got, want)
		}
	}
}

func TestNegotiateStrict(t *testing.T) {
	offers := []string{"application/json", "text/html"}
	for accept, want := range map[string]string{
		"":                                       "application/json",
		" , ":                                    "application/json",
		"*/*":                                    "application/json",
		"*; q=.2":                                "application/json",
		"application/*":                          "application/json",
		"text/plain, application/json; indent=4": "application/json",
		"text/*":                                 "text/html",
		"text/html;q=0.5, application/json":      "application/json",
		"text/html, application/json;q=0.5":      "text/html",
		"application/xml":                        "",
		"application/json;q=0":                   "",
		"garbage":                                "",
		"image/png, text/plain":                  "",
	} {
		got, ok := NegotiateStrict(accept, offers)
		if got != want || ok != (want != "") {
			t.Errorf("NegotiateStrict(%q) = %q, %v; want %q", accept, got, ok, want)
		}
	}
}
