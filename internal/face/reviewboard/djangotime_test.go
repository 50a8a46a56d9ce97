package reviewboard

import (
	"testing"
	"time"
)

func TestDjangoDateTime(t *testing.T) {
	for _, tt := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2022, 8, 2, 10, 45, 0, 0, time.UTC), "Aug. 2, 2022, 10:45 a.m."}, // djblets' test
		{time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), "Sept. 30, 2026, midnight"},
		{time.Date(2026, 3, 1, 12, 0, 59, 0, time.UTC), "March 1, 2026, noon"},
		{time.Date(2026, 12, 31, 23, 5, 0, 0, time.UTC), "Dec. 31, 2026, 11:05 p.m."},
		{time.Date(2026, 5, 9, 0, 30, 0, 0, time.UTC), "May 9, 2026, 12:30 a.m."},
		{time.Date(2026, 7, 4, 15, 0, 0, 0, time.FixedZone("x", 3600)), "July 4, 2026, 2 p.m."},
	} {
		if got := djangoDateTime(tt.in); got != tt.want {
			t.Errorf("djangoDateTime(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
