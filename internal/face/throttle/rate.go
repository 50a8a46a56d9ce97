package throttle

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// periods are Django REST framework's rate units: only the first letter
// counts (SimpleRateThrottle.parse_rate), so "100/hour" and "100/h" agree.
var periods = map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}

// ParseRate reads a rate in DRF's notation, "N/period" with period s, m,
// h or d (or any word starting so: "second", "min", "hour", "day").
func ParseRate(s string) (n int, period time.Duration, err error) {
	n, period, err = rate(s)
	if err != nil {
		return 0, 0, fmt.Errorf("%q: %w", s, err)
	}
	return n, period, nil
}

func rate(s string) (int, time.Duration, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	n, nerr := strconv.Atoi(strings.TrimSpace(num))
	unit = strings.TrimSpace(unit)
	if !ok || nerr != nil || n < 1 || unit == "" {
		return 0, 0, fmt.Errorf("want N/period, N at least 1, period s, m, h or d")
	}
	period, ok := periods[unit[0]]
	if !ok {
		return 0, 0, fmt.Errorf("the period must be s, m, h or d")
	}
	return n, period, nil
}

// Find returns the rate named name, and whether there is one.
func Find(rates []Rate, name string) (Rate, bool) {
	i := slices.IndexFunc(rates, func(r Rate) bool { return r.Name == name })
	if i < 0 {
		return Rate{}, false
	}
	return rates[i], true
}
