package danbooru

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"usersd/internal/face/ruby"
)

// This file ports the value syntaxes of Danbooru's searches (spec §5):
// RangeParser (number syntax), DurationParser (ages), Ruby's Integer()
// and to_i, truthy?/falsy?, and the LIKE escaping of string searches.

func isRubyIntegerSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// numericRE is ActiveModel's test for a numeric string: values failing it
// cast to nil, so a comparison with them matches nothing.
var numericRE = regexp.MustCompile(`^\s*[+-]?\d`)

// castInteger is ActiveModel::Type::Integer's cast of a where-clause
// value: to_i of a numeric-looking string, else no value.
func castInteger(s string) (int64, bool) {
	if !numericRE.MatchString(s) {
		return 0, false
	}
	n := ruby.ToI(s)
	if n == math.MaxInt64 || n == math.MinInt64 {
		return 0, false
	}
	return n, true
}

var (
	truthyRE = regexp.MustCompile(`(?i)^(true|t|yes|y|on|1)$`)
	falsyRE  = regexp.MustCompile(`(?i)^(false|f|no|n|off|0)$`)
)

// truthy and falsy are Danbooru's String#truthy? and #falsy?.
func truthy(s string) bool { return truthyRE.MatchString(s) }
func falsy(s string) bool  { return falsyRE.MatchString(s) }

// flagValue is the bit-flag setter of has_bit_flags.rb: a flag is set iff
// the value's string form contains t, 1 or y (case-sensitive), so "on" is
// false and "nothing" is true (spec §3.2).
func flagValue(s string) bool { return strings.ContainsAny(s, "t1y") }

// rubySplit is String#split(regexp) for a separator pattern: fields
// between matches, trailing empty fields dropped.
func rubySplit(s string, sep *regexp.Regexp) []string {
	fields := sep.Split(s, -1)
	for len(fields) > 0 && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	return fields
}

// rubySplitString is String#split(",")-style splitting on a literal.
func rubySplitString(s, sep string) []string {
	fields := strings.Split(s, sep)
	for len(fields) > 0 && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	return fields
}

// rubyFields is String#split with no argument: runs of ASCII white space
// separate fields; leading and trailing white space is ignored.
func rubyFields(s string) []string {
	return strings.FieldsFunc(s, isRubyIntegerSpace)
}

// rangeOp is RangeParser's operator.
type rangeOp int

const (
	opEq        rangeOp = iota // = v
	opLt                       // < v
	opLe                       // <= v
	opGt                       // > v
	opGe                       // >= v
	opBetween                  // lo <= x <= hi
	opBetweenEx                // lo <= x < hi
	opIn                       // x in vals
	opNotNull                  // "any"
	opNull                     // "none"
	opUnion                    // any of parts
)

// rangeExpr is a parsed number-syntax expression; values are int64 or
// time.Time.
type rangeExpr struct {
	op     rangeOp
	v, hi  any
	vals   []any
	parts  []rangeExpr
	allDay bool // a bare date or age: the whole day (opBetweenEx of a day)
}

// valueParser parses one scalar of a range expression.
type valueParser func(string) (any, bool)

var (
	listSepRE   = regexp.MustCompile(`[, ]+`)
	hasListRE   = regexp.MustCompile(`[, ]`)
	hasRangeRE  = regexp.MustCompile(`<|>|\.\.`)
	exclusiveRE = regexp.MustCompile(`^(.+?)\.\.\.(.+)`)
	inclusiveRE = regexp.MustCompile(`^(.+?)\.\.(.+)`)
	leRE        = regexp.MustCompile(`^<=(.+)`)
	dotLeRE     = regexp.MustCompile(`^\.\.(.+)`)
	ltRE        = regexp.MustCompile(`^<(.+)`)
	geRE        = regexp.MustCompile(`^>=(.+)`)
	dotGeRE     = regexp.MustCompile(`^(.+)\.\.$`)
	gtRE        = regexp.MustCompile(`^>(.+)`)
)

// rangeKind is the RangeParser type: plain values, ages (inverted, bare
// values mean the whole day), or datetimes.
type rangeKind int

const (
	kindInteger rangeKind = iota
	kindDatetime
	kindAge
)

// parseRange is RangeParser.parse (spec §5.1). It reports false for what
// upstream raises ParseError on; the search then matches nothing.
func parseRange(s string, kind rangeKind, pv valueParser, day func(any) (any, any)) (rangeExpr, bool) {
	var e rangeExpr
	one := func(x string) (any, bool) { return pv(x) }
	switch {
	case hasListRE.MatchString(s) && hasRangeRE.MatchString(s):
		e.op = opUnion
		for _, part := range rubySplit(s, listSepRE) {
			p, ok := parseRange(part, kind, pv, day)
			if !ok {
				return e, false
			}
			e.parts = append(e.parts, p)
		}
		return e, true
	case hasListRE.MatchString(s):
		e.op = opIn
		for _, part := range rubySplit(s, listSepRE) {
			v, ok := one(part)
			if !ok {
				return e, false
			}
			e.vals = append(e.vals, v)
		}
		return e, true
	}
	if m := exclusiveRE.FindStringSubmatch(s); m != nil {
		lo, ok1 := one(m[1])
		hi, ok2 := one(m[2])
		if !ok1 || !ok2 {
			return e, false
		}
		lo, hi = sortPair(lo, hi)
		return rangeExpr{op: opBetweenEx, v: lo, hi: hi}, true
	}
	if m := inclusiveRE.FindStringSubmatch(s); m != nil {
		lo, ok1 := one(m[1])
		hi, ok2 := one(m[2])
		if !ok1 || !ok2 {
			return e, false
		}
		lo, hi = sortPair(lo, hi)
		return rangeExpr{op: opBetween, v: lo, hi: hi}, true
	}
	single := func(op rangeOp, x string) (rangeExpr, bool) {
		v, ok := one(x)
		if !ok {
			return e, false
		}
		if kind == kindAge {
			// Ages count backwards: "<1w" is newer than a week ago.
			op = map[rangeOp]rangeOp{opLt: opGt, opLe: opGe, opGt: opLt, opGe: opLe}[op]
		}
		return rangeExpr{op: op, v: v}, true
	}
	switch {
	case leRE.MatchString(s):
		return single(opLe, leRE.FindStringSubmatch(s)[1])
	case dotLeRE.MatchString(s):
		return single(opLe, dotLeRE.FindStringSubmatch(s)[1])
	case ltRE.MatchString(s):
		return single(opLt, ltRE.FindStringSubmatch(s)[1])
	case geRE.MatchString(s):
		return single(opGe, geRE.FindStringSubmatch(s)[1])
	case dotGeRE.MatchString(s):
		return single(opGe, dotGeRE.FindStringSubmatch(s)[1])
	case gtRE.MatchString(s):
		return single(opGt, gtRE.FindStringSubmatch(s)[1])
	case s == "any":
		return rangeExpr{op: opNotNull}, true
	case s == "none":
		return rangeExpr{op: opNull}, true
	}
	v, ok := one(s)
	if !ok {
		return e, false
	}
	if kind == kindAge && day != nil {
		lo, hi := day(v)
		return rangeExpr{op: opBetweenEx, v: lo, hi: hi, allDay: true}, true
	}
	return rangeExpr{op: opEq, v: v}, true
}

// sortPair orders two values of one type ascending.
func sortPair(a, b any) (any, any) {
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok && y < x {
			return b, a
		}
	case time.Time:
		if y, ok := b.(time.Time); ok && y.Before(x) {
			return b, a
		}
	}
	return a, b
}

// durationUnits are DurationParser's units with their weights (larger
// units weigh more) and lengths; months and years are 365.25/12 and
// 365.25 days.
var durationUnits = map[string]struct {
	weight  int
	seconds float64
	days    float64
}{
	"seconds": {1, 1, 0},
	"minutes": {2, 60, 0},
	"hours":   {3, 3600, 0},
	"days":    {4, 0, 1},
	"weeks":   {5, 0, 7},
	"months":  {6, 0, 365.25 / 12},
	"years":   {7, 0, 365.25},
}

// durationAbbrev is DurationParser::ABBREVIATIONS: every unambiguous
// prefix of a unit's name, plus m, hr, wk and yr.
var durationAbbrev = func() map[string]string {
	m := map[string]string{}
	count := map[string]int{}
	for name := range durationUnits {
		for i := 1; i <= len(name); i++ {
			count[name[:i]]++
		}
	}
	for name := range durationUnits {
		for i := 1; i <= len(name); i++ {
			if count[name[:i]] == 1 || i == len(name) {
				m[name[:i]] = name
			}
		}
	}
	m["m"], m["hr"], m["wk"], m["yr"] = "minutes", "hours", "weeks", "years"
	return m
}()

var (
	durationNumberRE = regexp.MustCompile(`^(?:\d*\.)?\d+`)
	durationUnitRE   = regexp.MustCompile(`^[a-zA-Z]+`)
)

// duration is a parsed age: calendar days and seconds.
type duration struct {
	days    float64
	seconds float64
}

// maxAgeDays bounds ages so that the time they name stays in the range
// both stores hold.
const maxAgeDays = 4000 * 365.25

// parseDuration is DurationParser.parse_duration: one or more parts of a
// number, optional white space and a unit (default seconds), in strictly
// descending units: "1d12h", "2 weeks", "1.5y".
func parseDuration(s string) (duration, bool) {
	var d duration
	state := 8
	rest := s
	parts := 0
	for rest != "" {
		num := durationNumberRE.FindString(rest)
		if num == "" {
			break
		}
		after := strings.TrimLeftFunc(rest[len(num):], isUnicodeSpace)
		unit := durationUnitRE.FindString(after)
		after = strings.TrimLeftFunc(after[len(unit):], isUnicodeSpace)
		if unit == "" {
			unit = "seconds"
		}
		full, ok := durationAbbrev[strings.ToLower(unit)]
		if !ok {
			break
		}
		u := durationUnits[full]
		if u.weight >= state {
			break
		}
		state = u.weight
		n, err := strconv.ParseFloat(num, 64)
		if err != nil {
			break
		}
		d.seconds += n * u.seconds
		d.days += n * u.days
		rest = after
		parts++
	}
	if parts == 0 || rest != "" {
		return d, false
	}
	if d.days+d.seconds/86400 > maxAgeDays {
		return d, false
	}
	return d, true
}

// ago is Duration#ago in loc: whole days on the calendar, the rest in
// seconds (ActiveSupport's advance turns fractional days into hours).
func (d duration) ago(now time.Time, loc *time.Location) time.Time {
	whole, frac := math.Modf(d.days)
	t := now.In(loc).AddDate(0, 0, -int(whole))
	secs := d.seconds + frac*86400
	return t.Add(-time.Duration(secs * float64(time.Second)))
}

// dayOf returns the start and end of t's calendar day in loc (Time#all_day).
func dayOf(t time.Time, loc *time.Location) (time.Time, time.Time) {
	l := t.In(loc)
	start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	return start, start.AddDate(0, 0, 1)
}

// datetimeLayouts are the forms Time.zone.parse is asked for in practice;
// a form without an offset is read in the request's zone.
var datetimeLayouts = []string{
	"2006-01-02",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 Z0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04 MST",
	"2006/01/02",
	"2006/01/02 15:04",
	"2006/01/02 15:04:05",
	"20060102",
	"20060102T150405",
	"20060102T150405Z0700",
	"Jan 2 2006",
	"Jan 2, 2006",
	"January 2 2006",
	"January 2, 2006",
	"2 Jan 2006",
	"2 January 2006",
	"Jan 2 2006 15:04",
	"Jan 2, 2006 15:04",
	"Jan 2, 2006 15:04:05",
	"Mon, 02 Jan 2006 15:04:05 Z0700",
	"Mon, 02 Jan 2006 15:04:05 MST",
}

// parseDatetime reads a date or time in loc, as Time.zone.parse does for
// the usual forms.
func parseDatetime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range datetimeLayouts {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		if strings.HasSuffix(layout, "MST") {
			// Only UTC and GMT are unambiguous abbreviations.
			name, _ := t.Zone()
			if name != "UTC" && name != "GMT" {
				continue
			}
		}
		return t, true
	}
	return time.Time{}, false
}

// likePattern converts a Danbooru LIKE value (Searchable#where_like) to
// the store's wildcard syntax: without a "*" the value is literal;
// otherwise "*" is a wildcard, "\*" a literal star and "\\" a backslash;
// "%", "_" and "?" are always literal.
func likePattern(v string) (pattern string, wild bool) {
	if !strings.Contains(v, "*") {
		v = strings.ReplaceAll(v, `\`, `\\`) // escape_wildcards
	}
	var b strings.Builder
	for i := 0; i < len(v); {
		switch {
		case v[i] == '*':
			b.WriteByte('*')
			wild = true
			i++
		case v[i] == '\\' && i+1 < len(v) && v[i+1] == '*':
			b.WriteString(`\*`)
			i += 2
		case v[i] == '\\' && i+1 < len(v) && v[i+1] == '\\':
			b.WriteString(`\\`)
			i += 2
		case v[i] == '\\':
			b.WriteString(`\\`)
			i++
		case v[i] == '?':
			b.WriteString(`\?`)
			i++
		default:
			b.WriteByte(v[i])
			i++
		}
	}
	return b.String(), wild
}
