package railstz

import (
	"testing"
	"time"
)

func TestZones(t *testing.T) {
	for _, zone := range zones {
		name := zone.Rails
		z, ok := IANA(name)
		if !ok {
			t.Fatalf("%s has no zone", name)
		}
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("%s → %s: %v", name, z, err)
		}
	}
	if len(zones) < 150 {
		t.Errorf("only %d zones", len(zones))
	}
}

func TestRoundTrip(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		in        string
		allowIANA bool
		ok        bool
		render    string
	}{
		{"Edinburgh", false, true, "Edinburgh"},    // kept although London is first for Europe/London
		{"Europe/London", true, true, "Edinburgh"}, // first Rails name in Rails' order
		{"Europe/London", false, false, ""},        // e621 takes Rails names only
		{"America/Argentina/Salta", true, true, "America/Argentina/Salta"},
		{"Mars/Base", true, false, ""},
		{"", true, false, ""},
	}
	for _, tt := range tests {
		z, rails, ok := Parse(tt.in, tt.allowIANA)
		if ok != tt.ok {
			t.Errorf("Parse(%q) ok = %v", tt.in, ok)
			continue
		}
		if ok {
			if got := Render(str(z), rails); got != tt.render {
				t.Errorf("Render after Parse(%q) = %q, want %q", tt.in, got, tt.render)
			}
		}
	}
	if got := Render(nil, nil); got != Default {
		t.Errorf("Render(nil) = %q", got)
	}
}

func TestFormat(t *testing.T) {
	at := time.Date(2024, 1, 15, 17, 4, 5, 678900000, time.UTC)
	if got := JSON(at, Location(nil)); got != "2024-01-15T12:04:05.678-05:00" {
		t.Errorf("JSON = %s", got)
	}
	summer := time.Date(2024, 7, 15, 17, 4, 5, 0, time.UTC)
	if got := XML(summer, Location(nil)); got != "2024-07-15T13:04:05-04:00" {
		t.Errorf("XML = %s", got)
	}
	utc := "Etc/UTC"
	if got := JSON(at, Location(&utc)); got != "2024-01-15T17:04:05.678Z" {
		t.Errorf("JSON UTC = %s", got)
	}
}
