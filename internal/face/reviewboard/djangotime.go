package reviewboard

import (
	"fmt"
	"time"
)

// apMonths are Django's "N" format: months abbreviated in Associated
// Press style.
var apMonths = [...]string{"Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."}

// djangoDateTime is Django's localize() of a datetime under the English
// DATETIME_FORMAT "N j, Y, P" in UTC: "Aug. 2, 2022, 10:45 a.m.", "noon",
// "midnight", minutes left off when zero.
func djangoDateTime(t time.Time) string {
	t = t.UTC()
	var p string
	h, m := t.Hour(), t.Minute()
	switch {
	case h == 0 && m == 0:
		p = "midnight"
	case h == 12 && m == 0:
		p = "noon"
	default:
		ampm := "a.m."
		if h >= 12 {
			ampm = "p.m."
		}
		h12 := h % 12
		if h12 == 0 {
			h12 = 12
		}
		if m == 0 {
			p = fmt.Sprintf("%d %s", h12, ampm)
		} else {
			p = fmt.Sprintf("%d:%02d %s", h12, m, ampm)
		}
	}
	return fmt.Sprintf("%s %d, %d, %s", apMonths[t.Month()-1], t.Day(), t.Year(), p)
}
