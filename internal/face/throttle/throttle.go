// Package throttle is the per-route request limits a face declares as a
// table of buckets ("PATCH /users/@me" 10 a minute, "/" the rest), in the
// manner of pronouns.cc's and Review Board's API rate limits: it picks
// the bucket a request falls in, parses the serve flag that changes the
// table, and writes the X-RateLimit-* headers. Counting is the core's
// (core.Face.Spend), so limits hold across nodes sharing Redis.
package throttle

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"usersd/internal/core"
)

// Bucket is one limit: requests per minute for the routes its pattern
// matches. A pattern is "METHOD /path" or "/path" (any method); in the
// path a "*" segment matches any one segment, and the pattern "/" matches
// every request (the fallback).
type Bucket struct {
	Pattern   string
	PerMinute int

	method string
	segs   []string
}

// Table is a face's buckets; the most specific matching bucket applies
// to a request, and only that one.
type Table struct {
	name    string // the face, naming the core limits
	buckets []Bucket
}

// New returns a table for the face named face; every pattern must parse
// and the fallback "/" must be among them.
func New(face string, buckets []Bucket) (*Table, error) {
	t := &Table{name: face}
	fallback := false
	for _, b := range buckets {
		m, segs, err := parsePattern(b.Pattern)
		if err != nil {
			return nil, err
		}
		if b.PerMinute < 1 {
			return nil, fmt.Errorf("bucket %q: %d per minute: must be at least 1", b.Pattern, b.PerMinute)
		}
		b.method, b.segs = m, segs
		if err := t.limit(b).Check(); err != nil {
			return nil, fmt.Errorf("bucket %q: %w", b.Pattern, err)
		}
		fallback = fallback || (m == "" && len(segs) == 0)
		t.buckets = append(t.buckets, b)
	}
	if !fallback {
		return nil, fmt.Errorf("the fallback bucket \"/\" is missing")
	}
	return t, nil
}

func parsePattern(p string) (method string, segs []string, err error) {
	path := p
	if m, rest, ok := strings.Cut(p, " "); ok {
		method, path = m, rest
		if method == "" || strings.ToUpper(method) != method {
			return "", nil, fmt.Errorf("bucket %q: the method must be upper case", p)
		}
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t") {
		return "", nil, fmt.Errorf("bucket %q: want \"METHOD /path\" or \"/path\"", p)
	}
	if path == "/" {
		return method, nil, nil
	}
	segs = strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, s := range segs {
		if s == "" {
			return "", nil, fmt.Errorf("bucket %q: empty path segment", p)
		}
	}
	return method, segs, nil
}

// Buckets returns the table's buckets in declaration order.
func (t *Table) Buckets() []Bucket { return append([]Bucket(nil), t.buckets...) }

// matches reports whether b matches the request, and how specifically:
// more path segments, then a method, then fewer wildcards win.
func (b *Bucket) matches(method string, segs []string) (score int, ok bool) {
	if b.method != "" && b.method != method {
		return 0, false
	}
	if len(b.segs) > 0 && len(b.segs) != len(segs) {
		return 0, false
	}
	literals := 0
	for i, s := range b.segs {
		switch {
		case s == "*":
		case s == segs[i]:
			literals++
		default:
			return 0, false
		}
	}
	score = len(b.segs) * 10000
	if b.method != "" {
		score += 1000
	}
	return score + literals, true
}

// Match returns the bucket for a request's method and path (below the
// face's prefix; HEAD counts as GET).
func (t *Table) Match(method, path string) Bucket {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	var segs []string
	if p := strings.Trim(path, "/"); p != "" {
		segs = strings.Split(p, "/")
	}
	best, bestScore := -1, -1
	for i := range t.buckets {
		if s, ok := t.buckets[i].matches(method, segs); ok && s > bestScore {
			best, bestScore = i, s
		}
	}
	return t.buckets[best] // the fallback always matches
}

// Limit is the core limit of bucket b: PerMinute a minute, all of them
// at once.
func (t *Table) Limit(b Bucket) core.Limit { return t.limit(b) }

func (t *Table) limit(b Bucket) core.Limit {
	// Limit names may not hold ':' (the storage key separator).
	return core.Limit{Name: t.name + " " + b.Pattern, Rate: b.PerMinute, Period: time.Minute, Burst: b.PerMinute}
}

// Parse applies a flag value to the defaults: comma-separated
// BUCKET=N, BUCKET being one of the default patterns exactly, or "*" for
// every bucket; later entries win. The empty string keeps the defaults.
// The result makes a valid table (New).
func Parse(defaults []Bucket, list string) ([]Bucket, error) {
	out := append([]Bucket(nil), defaults...)
	names := make([]string, len(out))
	for i, b := range out {
		names[i] = b.Pattern
	}
	err := parseList(list, "BUCKET", "requests per minute", names, func(v string) (int, error) { return count(v, "requests per minute") },
		func(i, n int) { out[i].PerMinute = n })
	if err != nil {
		return nil, err
	}
	if _, err := New("check", out); err != nil {
		return nil, err
	}
	return out, nil
}

// Rate is a limit on one class of caller, N requests per Period, all of
// them at once (Review Board's "anon" per address and "user" per account).
type Rate struct {
	Name   string
	N      int
	Period time.Duration
}

// Limit is the core limit of rate r of the face named face.
func (r Rate) Limit(face string) core.Limit {
	return core.Limit{Name: face + " " + r.Name, Rate: r.N, Period: r.Period, Burst: r.N}
}

// ParseRates applies a flag value to the defaults as Parse does:
// comma-separated NAME=N (in the default's period) or NAME=N/period in
// Django REST framework's notation (ParseRate), NAME one of the
// defaults' names or "*" for all.
func ParseRates(defaults []Rate, list string) ([]Rate, error) {
	out := append([]Rate(nil), defaults...)
	names := make([]string, len(out))
	for i, r := range out {
		names[i] = r.Name
	}
	value := func(v string) (Rate, error) {
		if !strings.Contains(v, "/") {
			n, err := count(v, "requests per period")
			return Rate{N: n}, err
		}
		n, period, err := rate(v)
		return Rate{N: n, Period: period}, err
	}
	set := func(i int, r Rate) {
		out[i].N = r.N
		if r.Period != 0 {
			out[i].Period = r.Period
		}
	}
	if err := parseList(list, "NAME", "requests per period", names, value, set); err != nil {
		return nil, err
	}
	for _, r := range out {
		if err := r.Limit("check").Check(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// count reads a whole number of unit, at least 1.
func count(v, unit string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("the limit must be a whole number of %s, at least 1", unit)
	}
	return n, nil
}

// parseList reads comma-separated NAME=VALUE entries, NAME one of names
// or "*" for all: value reads each VALUE, and set applies it to the
// index of each name the entry names.
func parseList[T any](list, what, unit string, names []string, value func(string) (T, error), set func(i int, v T)) error {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		i := strings.LastIndex(e, "=")
		if i < 0 {
			return fmt.Errorf("%q: want %s=N (%s)", e, what, unit)
		}
		name := strings.TrimSpace(e[:i])
		v, err := value(strings.TrimSpace(e[i+1:]))
		if err != nil {
			return fmt.Errorf("%q: %w", e, err)
		}
		found := false
		for j, known := range names {
			if name == "*" || known == name {
				set(j, v)
				found = true
			}
		}
		if !found {
			known := make([]string, len(names))
			for j, k := range names {
				known[j] = strconv.Quote(k)
			}
			return fmt.Errorf("%q: unknown %s %q (known: %s, or * for all)", e, strings.ToLower(what), name, strings.Join(known, ", "))
		}
	}
	return nil
}

// SetHeaders writes the X-RateLimit-* headers of a spend of bucket b at
// now, and Retry-After when it was refused.
func SetHeaders(h http.Header, b Bucket, r core.RateResult, now time.Time) {
	h.Set("X-RateLimit-Bucket", b.Pattern)
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.PerMinute))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(r.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(Reset(r, now), 10))
	if !r.Allowed {
		secs := int64((r.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	}
}

// Reset is the unix time, in whole seconds rounded up, at which the
// bucket of r is full again.
func Reset(r core.RateResult, now time.Time) int64 {
	at := now.Add(r.ResetAfter)
	s := at.Unix()
	if at.Nanosecond() > 0 {
		s++
	}
	return s
}

// AddrKey is the bucket key of an anonymous client: its address, IPv6
// clients by /64, since one host usually holds a whole /64 and could
// otherwise rotate past the limit (as the core keys login failures).
func AddrKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + a.String()
}
