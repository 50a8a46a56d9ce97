package throttle

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"usersd/internal/core"
)

// Scope is a limit per caller class rather than per route, in the manner
// of Django REST framework's throttle scopes ("user", "anon"): Rate
// requests per Period, all of them at once.
type Scope struct {
	Name   string
	Rate   int
	Period time.Duration
}

// String is the scope in the flag's notation, "user=100/hour".
func (s Scope) String() string {
	unit := map[time.Duration]string{time.Second: "second", time.Minute: "minute", time.Hour: "hour", 24 * time.Hour: "day"}[s.Period]
	return s.Name + "=" + strconv.Itoa(s.Rate) + "/" + unit
}

// Limit is the core limit of s for the face named face.
func (s Scope) Limit(face string) core.Limit {
	return core.Limit{Name: face + " " + s.Name, Rate: s.Rate, Period: s.Period, Burst: s.Rate}
}

// periods are DRF's rate units: only the first letter of the unit counts
// (SimpleRateThrottle.parse_rate), so "100/hour" and "100/h" agree.
var periods = map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}

// ParseRate reads a DRF rate, "N/period" with period s, m, h or d (or any
// word starting so: "second", "min", "hour", "day").
func ParseRate(s string) (n int, period time.Duration, err error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	n, nerr := strconv.Atoi(strings.TrimSpace(num))
	unit = strings.TrimSpace(unit)
	if !ok || nerr != nil || n < 1 || unit == "" {
		return 0, 0, fmt.Errorf("%q: want N/period (N at least 1, period s, m, h or d)", s)
	}
	period, ok = periods[unit[0]]
	if !ok {
		return 0, 0, fmt.Errorf("%q: the period must be s, m, h or d", s)
	}
	return n, period, nil
}

// ParseScopes applies a flag value to the defaults: comma-separated
// SCOPE=N/period, SCOPE one of the defaults' names or "*" for all; later
// entries win. The empty string keeps the defaults.
func ParseScopes(defaults []Scope, list string) ([]Scope, error) {
	out := slices.Clone(defaults)
	for _, e := range strings.Split(list, ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		name, rate, ok := strings.Cut(e, "=")
		if !ok {
			return nil, fmt.Errorf("%q: want SCOPE=N/period", e)
		}
		name = strings.TrimSpace(name)
		n, period, err := ParseRate(rate)
		if err != nil {
			return nil, err
		}
		found := false
		for i := range out {
			if name == "*" || out[i].Name == name {
				out[i].Rate, out[i].Period, found = n, period, true
			}
		}
		if !found {
			known := make([]string, len(defaults))
			for i, s := range defaults {
				known[i] = s.Name
			}
			return nil, fmt.Errorf("%q: unknown scope %q (known: %s, or * for all)", e, name, strings.Join(known, ", "))
		}
	}
	for _, s := range out {
		if err := s.Limit("check").Check(); err != nil {
			return nil, fmt.Errorf("scope %s: %w", s.Name, err)
		}
	}
	return out, nil
}

// Find returns the scope named name, and whether there is one.
func Find(scopes []Scope, name string) (Scope, bool) {
	i := slices.IndexFunc(scopes, func(s Scope) bool { return s.Name == name })
	if i < 0 {
		return Scope{}, false
	}
	return scopes[i], true
}
