package throttle

import (
	"testing"
	"time"
)

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

// TestParseRatesPeriods: DRF's N/period notation sets the period too.
func TestParseRatesPeriods(t *testing.T) {
	defaults := []Rate{{"user", 1000, time.Hour}, {"anon", 10, time.Minute}}
	got, err := ParseRates(defaults, "*=5/s, anon=2/minute, user=7")
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != (Rate{"user", 7, time.Second}) || got[1] != (Rate{"anon", 2, time.Minute}) {
		t.Errorf("got %v", got)
	}
	if defaults[0].Period != time.Hour {
		t.Error("ParseRates changed the defaults")
	}
	for _, bad := range []string{"user=0/s", "user=1/w", "user=2000000000/s", "staff=1/s"} {
		if _, err := ParseRates(defaults, bad); err == nil {
			t.Errorf("ParseRates(%q) succeeded", bad)
		}
	}
	if r, ok := Find(got, "anon"); !ok || r.Limit("drf").Name != "drf anon" || r.Limit("drf").Burst != 2 {
		t.Errorf("Find anon: %v %v", r, ok)
	}
	if _, ok := Find(got, "staff"); ok {
		t.Error("Find staff")
	}
}
