package railstz

import (
	"testing"
	"time"
)

// FuzzParse: a zone that parses renders back to a name that parses to the
// same IANA zone, loads as that zone, and formats times that read back as
// the same instant (to the millisecond in JSON, the second in XML).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"Edinburgh", "Europe/London", "Eastern Time (US & Canada)", "America/Argentina/Salta", "UTC",
		"Etc/GMT+12", "Local", "", "Mars/Base", "../../../etc/passwd", "/etc/localtime", "Asia/Kathmandu", "Chatham Is.",
		"International Date Line West", "europe/london", "Europe/London\x00", "zoneinfo.zip"} {
		f.Add(s, int64(1_700_000_000_123))
	}
	f.Add("Pacific/Kiritimati", int64(-62135596800000))
	f.Add("America/New_York", int64(253402300799999))
	f.Fuzz(func(t *testing.T, s string, ms int64) {
		for _, allowIANA := range []bool{false, true} {
			iana, rails, ok := Parse(s, allowIANA)
			if !ok {
				continue
			}
			if rails != nil {
				if *rails != s {
					t.Fatalf("Parse(%q) keeps the Rails name %q", s, *rails)
				}
				if z, _ := IANA(s); z != iana {
					t.Fatalf("Parse(%q) = %q, IANA says %q", s, iana, z)
				}
			} else if !allowIANA || iana != s {
				t.Fatalf("Parse(%q, %v) = %q without a Rails name", s, allowIANA, iana)
			}
			shown := Render(&iana, rails)
			back, _, ok := Parse(shown, true)
			if !ok || back != iana {
				t.Fatalf("Parse(%q) = %q renders as %q, which parses to %q, %v", s, iana, shown, back, ok)
			}
			loc := Location(&iana)
			if loc.String() != iana {
				t.Fatalf("Location(%q) = %v", iana, loc)
			}
			ts := time.UnixMilli(ms)
			if y := ts.Year(); y < 1 || y > 9999 {
				continue
			}
			if got, err := time.Parse("2006-01-02T15:04:05.000Z07:00", JSON(ts, loc)); err != nil || !got.Equal(ts) {
				// Offsets with seconds (LMT) are cut to minutes by the
				// format, as Rails does; compare within that.
				if err != nil || got.Sub(ts).Abs() >= time.Minute {
					t.Fatalf("JSON(%v, %s) = %q reads as %v, %v", ts, iana, JSON(ts, loc), got, err)
				}
			}
			if got, err := time.Parse(time.RFC3339, XML(ts, loc)); err != nil || got.Sub(ts.Truncate(time.Second)).Abs() >= time.Minute {
				t.Fatalf("XML(%v, %s) = %q reads as %v, %v", ts, iana, XML(ts, loc), got, err)
			}
		}
	})
}
