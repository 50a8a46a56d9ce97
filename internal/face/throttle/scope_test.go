package throttle

import (
	"testing"
	"time"
)

var drfLike = []Scope{{Name: "user", Rate: 1000, Period: time.Hour}, {Name: "anon", Rate: 10, Period: time.Minute}}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]struct {
		n int
		p time.Duration
	}{
		"100/hour": {100, time.Hour}, "5/m": {5, time.Minute}, "1/s": {1, time.Second},
		" 7 / day ": {7, 24 * time.Hour}, "3/min": {3, time.Minute},
	} {
		n, p, err := ParseRate(in)
		if err != nil || n != want.n || p != want.p {
			t.Errorf("ParseRate(%q) = %d, %v, %v", in, n, p, err)
		}
	}
	for _, bad := range []string{"", "100", "0/s", "-1/m", "x/h", "5/", "5/week", "5/Hour"} {
		if _, _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) succeeded", bad)
		}
	}
}

func TestParseScopes(t *testing.T) {
	got, err := ParseScopes(drfLike, "*=5/s, anon=2/minute")
	if err != nil {
		t.Fatal(err)
	}
	if got[0].String() != "user=5/second" || got[1].String() != "anon=2/minute" {
		t.Errorf("got %v", got)
	}
	if drfLike[0].Rate != 1000 {
		t.Error("ParseScopes changed the defaults")
	}
	if same, err := ParseScopes(drfLike, ""); err != nil || same[0] != drfLike[0] || same[1] != drfLike[1] {
		t.Errorf("empty list: %v, %v", same, err)
	}
	for _, bad := range []string{"user", "staff=1/s", "user=0/s", "user=1/w", "user=2000000000/s"} {
		if _, err := ParseScopes(drfLike, bad); err == nil {
			t.Errorf("ParseScopes(%q) succeeded", bad)
		}
	}
	if s, ok := Find(got, "anon"); !ok || s.Limit("drf").Name != "drf anon" || s.Limit("drf").Burst != 2 {
		t.Errorf("Find anon: %v %v", s, ok)
	}
}
