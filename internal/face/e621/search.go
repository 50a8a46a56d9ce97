package e621

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"usersd/internal/face/paging"
	"usersd/internal/face/ruby"
	"usersd/internal/query"
)

// Pagination limits of e621ng (config records_per_page, max_per_page,
// max_numbered_pages).
const (
	defaultLimit = 75
	maxLimit     = 320
	maxPage      = 750
	maxInt32     = math.MaxInt32
	minInt32     = math.MinInt32
)

// rangeOp is a comparison of e621's number syntax (ParseValue.range).
type rangeOp int

const (
	opEq rangeOp = iota
	opLt
	opLe
	opGt
	opGe
	opBetween
	opIn
)

// splitRange splits e621 number syntax into its operator and raw operands,
// checking the forms in ParseValue.range's order: "<=A" or "..A", "<A",
// ">=A" or "A..", ">A", "A..B" (not re-sorted), "A,B,…" (first 320), "A".
// Because ".." is tested before ",", "1,5..9" is BETWEEN "1,5" AND "9".
func splitRange(s string) (rangeOp, []string) {
	switch {
	case strings.HasPrefix(s, "<="):
		return opLe, []string{s[2:]}
	case strings.HasPrefix(s, ".."):
		return opLe, []string{s[2:]}
	case strings.HasPrefix(s, "<"):
		return opLt, []string{s[1:]}
	case strings.HasPrefix(s, ">="):
		return opGe, []string{s[2:]}
	case strings.HasSuffix(s, ".."):
		return opGe, []string{s[:len(s)-2]}
	case strings.HasPrefix(s, ">"):
		return opGt, []string{s[1:]}
	case strings.Contains(s, ".."):
		a, b, _ := strings.Cut(s, "..")
		return opBetween, []string{a, b}
	case strings.Contains(s, ","):
		parts := strings.Split(s, ",")
		if len(parts) > maxLimit {
			parts = parts[:maxLimit]
		}
		return opIn, parts
	}
	return opEq, []string{s}
}

// toInt32 is ParseValue's integer cast: to_i clamped to the 32-bit range.
func toInt32(s string) int64 { return max(min(ruby.ToI(s), maxInt32), minInt32) }

// intRange is a parsed integer condition.
type intRange struct {
	op   rangeOp
	vals []int64
}

// parseIntRange parses e621 number syntax for an integer column.
func parseIntRange(s string) intRange {
	op, raw := splitRange(s)
	r := intRange{op: op}
	for _, x := range raw {
		r.vals = append(r.vals, toInt32(x))
	}
	return r
}

// match reports whether n satisfies r (used on rendered level numbers).
func (r intRange) match(n int64) bool {
	switch r.op {
	case opLt:
		return n < r.vals[0]
	case opLe:
		return n <= r.vals[0]
	case opGt:
		return n > r.vals[0]
	case opGe:
		return n >= r.vals[0]
	case opBetween:
		return n >= r.vals[0] && n <= r.vals[1]
	case opIn:
		for _, v := range r.vals {
			if v == n {
				return true
			}
		}
		return false
	}
	return n == r.vals[0]
}

// cond compiles r on an integer field.
func (r intRange) cond(field string) query.Expr {
	c := func(op query.Op, v int64) *query.Cond { return &query.Cond{Field: field, Op: op, Value: v} }
	switch r.op {
	case opLt:
		return c(query.Lt, r.vals[0])
	case opLe:
		return c(query.Le, r.vals[0])
	case opGt:
		return c(query.Gt, r.vals[0])
	case opGe:
		return c(query.Ge, r.vals[0])
	case opBetween:
		return query.And{c(query.Ge, r.vals[0]), c(query.Le, r.vals[1])}
	case opIn:
		in := &query.Cond{Field: field, Op: query.In}
		for _, v := range r.vals {
			in.Values = append(in.Values, v)
		}
		return in
	}
	return c(query.Eq, r.vals[0])
}

// dateValue is one parsed date operand. Ruby yields a Date for the
// keywords (today, yesterday, decade, day, week, month, year) and a Time
// otherwise; the SQL compares a Date as midnight UTC of that calendar day
// (ActiveRecord quotes it as 'YYYY-MM-DD' against a UTC timestamp column),
// and equality with a Time covers that Time's whole day in the request zone.
type dateValue struct {
	t      time.Time
	isDate bool
}

// errInvalidDate is a relative date outside years 1..9999 (422).
type errInvalidDate struct{ value string }

func (e errInvalidDate) Error() string { return "Invalid date: " + e.value }

// relativeRE is ParseValue.time_string's pattern (its atomic groups make
// no difference to what matches).
var relativeRE = regexp.MustCompile(`(?i)^(\d+)(?:_?(s(?:>?econds?)?|mi(?:>?nutes?)?|h(?:>?ours?)?|d(?:>?ays?)?|w(?:>?eeks?)?|mo(?:>?nths?)?|y(?:>?ears?)?)(?:_?ago)?)?$`)

var keywordRE = regexp.MustCompile(`^(day|week|month|year)$`)

// dateLayouts are the absolute forms the face reads, in the request zone
// unless they carry an offset: a subset of Ruby's Time.zone.parse.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-1-2",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"2006/1/2",
	"2006-01",
	"January 2, 2006",
	"January 2 2006",
	"Jan 2, 2006",
	"Jan 2 2006",
	"2 January 2006",
	"2 Jan 2006",
	"Mon, 02 Jan 2006 15:04:05 MST",
	"Mon Jan 2 15:04:05 2006",
}

// parseDate casts one operand as ParseValue.cast(x, :datetime) does. It
// returns ok false for a value Ruby cannot parse (the filter is then
// dropped) and errInvalidDate for a relative time outside years 1..9999.
func parseDate(s string, now time.Time, loc *time.Location) (dateValue, bool, error) {
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch s {
	case "today":
		return dateValue{today, true}, true, nil
	case "yesterday":
		return dateValue{today.AddDate(0, 0, -1), true}, true, nil
	case "decade":
		return dateValue{advance(today, -10, 0), true}, true, nil
	}
	if m := keywordRE.FindStringSubmatch(s); m != nil {
		return dateValue{ago(today, 1, m[1]), true}, true, nil
	}
	if m := relativeRE.FindStringSubmatch(s); m != nil {
		n := ruby.ToI(m[1])
		n = min(n, maxInt32)
		t := ago(now, n, strings.ToLower(m[2]))
		if y := t.Year(); y < 1 || y > 9999 {
			return dateValue{}, false, errInvalidDate{s}
		}
		return dateValue{t, false}, true, nil
	}
	for _, layout := range dateLayouts {
		t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc)
		if err == nil {
			if y := t.Year(); y < 0 || y > 9999 {
				return dateValue{}, false, nil
			}
			return dateValue{t, false}, true, nil
		}
	}
	return dateValue{}, false, nil
}

// ago moves t back by n units as ActiveSupport's n.<unit>.ago does:
// seconds, minutes and hours are exact; days, weeks, months and years are
// calendar steps, a month or year step keeping the day of month where it
// exists and else taking the month's last day.
func ago(t time.Time, n int64, unit string) time.Time {
	switch {
	case unit == "" || strings.HasPrefix(unit, "d"):
		return t.AddDate(0, 0, -int(n))
	case strings.HasPrefix(unit, "s"):
		return time.Unix(t.Unix()-n, int64(t.Nanosecond())).In(t.Location())
	case strings.HasPrefix(unit, "mi"):
		return time.Unix(t.Unix()-n*60, int64(t.Nanosecond())).In(t.Location())
	case strings.HasPrefix(unit, "h"):
		return time.Unix(t.Unix()-n*3600, int64(t.Nanosecond())).In(t.Location())
	case strings.HasPrefix(unit, "w"):
		return t.AddDate(0, 0, -7*int(n))
	case strings.HasPrefix(unit, "mo"):
		return advance(t, 0, -n)
	case strings.HasPrefix(unit, "y"):
		return advance(t, -n, 0)
	}
	return t
}

// advance adds years and months the Ruby way (Date#>>): the day of month
// is clamped to the target month's length.
func advance(t time.Time, years, months int64) time.Time {
	total := int64(t.Year())*12 + int64(t.Month()-1) + years*12 + months
	y, m := total/12, total%12
	if m < 0 {
		m += 12
		y--
	}
	if y > math.MaxInt32 || y < math.MinInt32 {
		y = max(min(y, math.MaxInt32), math.MinInt32)
	}
	first := time.Date(int(y), time.Month(m+1), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(t.Day(), last)-1)
}

// dateCond compiles e621 date syntax on a time field. It returns nil when
// the filter is dropped (an unparsable operand where Ruby gets nil).
func dateCond(field, s string, now time.Time, loc *time.Location) (query.Expr, error) {
	op, raw := splitRange(s)
	vals := make([]dateValue, len(raw))
	oks := make([]bool, len(raw))
	for i, x := range raw {
		v, ok, err := parseDate(x, now, loc)
		if err != nil {
			return nil, err
		}
		vals[i], oks[i] = v, ok
	}
	c := func(op query.Op, v dateValue) *query.Cond {
		return &query.Cond{Field: field, Op: op, Value: v.t.UTC()}
	}
	switch op {
	case opIn:
		in := &query.Cond{Field: field, Op: query.In}
		for i, v := range vals {
			if oks[i] { // a nil operand is NULL in the IN list: it matches nothing
				in.Values = append(in.Values, v.t.UTC())
			}
		}
		return in, nil
	case opBetween:
		if !oks[0] {
			return nil, nil
		}
		if !oks[1] {
			return query.Or{}, nil // BETWEEN x AND NULL
		}
		return query.And{c(query.Ge, vals[0]), c(query.Le, vals[1])}, nil
	}
	if !oks[0] {
		return nil, nil
	}
	v := vals[0]
	switch op {
	case opLt:
		return c(query.Lt, v), nil
	case opLe:
		return c(query.Le, v), nil
	case opGt:
		return c(query.Gt, v), nil
	case opGe:
		return c(query.Ge, v), nil
	}
	if v.isDate {
		return c(query.Eq, v), nil
	}
	t := v.t.In(loc)
	start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, 1).Add(-time.Microsecond)
	return query.And{c(query.Ge, dateValue{t: start}), c(query.Le, dateValue{t: end})}, nil
}

// truthy and falsy are e621's boolean words (core_extensions.rb).
func truthy(s string) bool {
	switch strings.ToLower(s) {
	case "true", "t", "yes", "y", "on", "1":
		return true
	}
	return false
}

func falsy(s string) bool {
	switch strings.ToLower(s) {
	case "false", "f", "no", "n", "off", "0":
		return true
	}
	return false
}

// normalizeName is e621's User.normalize_name: lower case, trimmed,
// spaces as underscores.
func normalizeName(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(strings.ToLower(s)), " ", "_")
}

// e621Wildcard translates e621ng's to_escaped_for_sql_like syntax ("*" any
// run, "\*" a literal star, "\\" or a lone "\" a literal backslash, "%"
// and "_" literal) into the query package's wildcard syntax ("*", "?" and
// "\" escapes). It reports whether the pattern has a wildcard.
func e621Wildcard(s string) (pattern string, wild bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '*':
			b.WriteByte('*')
			wild = true
		case c == '\\' && i+1 < len(s) && s[i+1] == '*':
			b.WriteString(`\*`)
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\\':
			b.WriteString(`\\`)
			i++
		case c == '\\' || c == '?':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), wild
}

// textMatch compiles e621ng's text_attribute_matches on one column: with a
// "*", a case-insensitive wildcard match; otherwise PostgreSQL full-text
// search, which usersd approximates as "every word occurs"
// (case-insensitive substrings; no stemming, no stop words).
func textMatch(field, value string) query.Expr {
	if strings.Contains(value, "*") {
		p, _ := e621Wildcard(strings.ToLower(value))
		return &query.Cond{Field: field, Op: query.Like, Value: p}
	}
	words := strings.FieldsFunc(strings.ToLower(value), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		return query.Or{} // an empty tsquery matches nothing
	}
	and := query.And{}
	for _, w := range words {
		and = append(and, &query.Cond{Field: field, Op: query.Contains, Value: w})
	}
	if len(and) == 1 {
		return and[0]
	}
	return and
}

// searchKeys lists the search[...] keys (users_controller.rb
// search_params plus permit_search_params' id, created_at, updated_at).
// Keys on a field the profile hides need the viewer to search on it
// (hiddenSearchKeys): e621ng permits ip_addr and email_matches to admins
// only, and a key the caller may not use is unpermitted.
var (
	searchKeys       = []string{"id", "created_at", "updated_at", "name_matches", "about_me", "avatar_id", "level", "min_level", "max_level", "can_approve_posts", "can_upload_free", "can_karma_free", "order", "ip_addr", "email_matches"}
	hiddenSearchKeys = map[string]string{"updated_at": "updated_at", "ip_addr": "last_ip", "email_matches": "email"}
)

// karmaFreeThreshold is the upload karma of e621ng's unlimited-upload
// level with the default thresholds (spec/fields.md §3.3).
const karmaFreeThreshold = 100

// unpermitted returns Rails' message for unpermitted keys, or "".
func unpermitted(keys []string) string {
	switch len(keys) {
	case 0:
		return ""
	case 1:
		return "found unpermitted parameter: :" + keys[0]
	}
	return "found unpermitted parameters: :" + strings.Join(keys, ", :")
}

// ngSearch is a compiled e621ng user search.
type ngSearch struct {
	filter query.Expr
	order  []query.Order
}

// compileSearch turns search[...] into a filter and order (B.5.2, B.5.5);
// searches reports whether the caller may search on a registry field.
// It returns a 403 message for unpermitted keys, and errInvalidDate.
func (h *handler) compileSearch(search *param, searches func(field string) bool, now time.Time, loc *time.Location) (ngSearch, string, error) {
	var out ngSearch
	if search == nil || search.kind != 'h' {
		search = newHash()
	}
	var bad []string
	for _, k := range search.keys {
		ok := slices.Contains(searchKeys, k)
		if f, hidden := hiddenSearchKeys[k]; hidden {
			ok = ok && searches(f)
		}
		if !ok || !search.hash[k].scalar() {
			bad = append(bad, k)
		}
	}
	if msg := unpermitted(bad); msg != "" {
		return out, msg, nil
	}
	var and query.And
	add := func(e query.Expr) {
		if e != nil {
			and = append(and, e)
		}
	}
	get := func(k string) (string, bool) {
		v := search.get(k)
		if v.blank() {
			return "", false
		}
		return v.value(), true
	}
	if v, ok := get("id"); ok {
		add(parseIntRange(v).cond("id"))
	}
	for _, f := range []string{"created_at", "updated_at"} {
		if v, ok := get(f); ok {
			e, err := dateCond(f, v, now, loc)
			if err != nil {
				return out, "", err
			}
			add(e)
		}
	}
	if v, ok := get("level"); ok {
		r := parseIntRange(v)
		add(h.ng.filter(func(n int) bool { return r.match(int64(n)) }))
	}
	if v, ok := get("about_me"); ok {
		if strings.Trim(v, "*") == "" {
			// "*" matches every text, the empty ones too; usersd stores empty
			// texts as NULL, which LIKE would miss.
		} else {
			add(query.Or{textMatch("bio", v), textMatch("artist_info", v)})
		}
	}
	if v, ok := get("avatar_id"); ok {
		if n := ruby.ToI(v); n > 0 {
			add(&query.Cond{Field: "avatar_post_id", Op: query.Eq, Value: n})
		} else {
			add(query.Or{})
		}
	}
	if v, ok := get("email_matches"); ok {
		p, _ := e621Wildcard(strings.ToLower(v))
		add(&query.Cond{Field: "email", Op: query.Like, Value: p})
	}
	if v, ok := get("name_matches"); ok {
		add(nameMatches(v))
	}
	if v, ok := get("min_level"); ok {
		n := ruby.ToI(v)
		add(h.ng.filter(func(l int) bool { return int64(l) >= n }))
	}
	if v, ok := get("max_level"); ok {
		n := ruby.ToI(v)
		add(h.ng.filter(func(l int) bool { return int64(l) <= n }))
	}
	if v, ok := get("ip_addr"); ok {
		add(ipFilter(v))
	}
	for _, f := range []string{"can_approve_posts", "can_upload_free"} {
		if v, ok := get(f); ok {
			switch {
			case truthy(v):
				add(&query.Cond{Field: f, Op: query.Eq, Value: true})
			case falsy(v):
				add(&query.Cond{Field: f, Op: query.Eq, Value: false})
			}
		}
	}
	if v, ok := get("can_karma_free"); ok {
		switch {
		case truthy(v):
			add(&query.Cond{Field: "upload_karma", Op: query.Ge, Value: int64(karmaFreeThreshold)})
		case falsy(v):
			add(&query.Cond{Field: "upload_karma", Op: query.Lt, Value: int64(karmaFreeThreshold)})
		}
	}
	order, _ := get("order")
	out.order = ngOrder(order)
	if len(and) == 1 {
		out.filter = and[0]
	} else if len(and) > 1 {
		out.filter = and
	}
	return out, "", nil
}

// nameMatches compiles search[name_matches]: normalized, then a
// case-insensitive wildcard match, or an exact match without "*".
func nameMatches(v string) query.Expr {
	p, wild := e621Wildcard(normalizeName(v))
	if !wild {
		return &query.Cond{Field: "name", Op: query.Eq, Value: query.LiteralOf(p)}
	}
	return &query.Cond{Field: "name", Op: query.Like, Value: p}
}

// ipFilter compiles search[ip_addr] (last_ip_addr <<= value): an address
// or CIDR block as a byte range; an unparsable value matches nothing.
func ipFilter(v string) query.Expr {
	v = strings.TrimSpace(v)
	var pfx netip.Prefix
	if a, err := netip.ParseAddr(v); err == nil {
		pfx = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
	} else if p, err := netip.ParsePrefix(v); err == nil {
		pfx = netip.PrefixFrom(p.Addr().Unmap(), p.Bits())
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			pfx = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
	} else {
		return query.Or{}
	}
	pfx = pfx.Masked()
	first := pfx.Addr()
	last := lastAddr(pfx)
	return query.And{
		&query.Cond{Field: "last_ip", Op: query.Ge, Value: first},
		&query.Cond{Field: "last_ip", Op: query.Le, Value: last},
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// ngOrder is B.5.5's search[order], with usersd's id DESC tie-break.
func ngOrder(s string) []query.Order {
	desc := func(f string) []query.Order { return []query.Order{{Field: f, Desc: true}, {Field: "id", Desc: true}} }
	switch s {
	case "id_asc":
		return []query.Order{{Field: "id"}}
	case "name":
		// The folded name: e621ng's database collation (en_US) orders names
		// case-insensitively at its first level, not by bytes.
		return []query.Order{{Field: "name"}, {Field: "id", Desc: true}}
	case "post_upload_count":
		return desc("post_upload_count")
	case "note_count":
		return desc("note_update_count")
	case "post_update_count":
		return desc("post_update_count")
	case "upload_karma":
		return desc("upload_karma")
	}
	return []query.Order{{Field: "id", Desc: true}}
}

var digitsRE = regexp.MustCompile(`^\d+$`)

// parseLimit is the paginator's parse_limit; the error text is the 410
// message.
func parseLimit(p *param) (int, string) {
	if p.blank() {
		return defaultLimit, ""
	}
	if !p.scalar() {
		return 0, "Invalid limit."
	}
	s := p.value()
	if !digitsRE.MatchString(s) {
		return 0, "Invalid limit."
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxLimit {
		return 0, fmt.Sprintf("Limit must be between 0 and %d.", maxLimit)
	}
	return n, ""
}

// parsePage is the paginator's parse_page: the mode, and the page number
// or the id bound.
func parsePage(p *param) (paging.Mode, int64, string) {
	if p.blank() {
		return paging.Numbered, 1, ""
	}
	if !p.scalar() {
		return 0, 0, "Invalid page number."
	}
	s := p.value()
	if digitsRE.MatchString(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if n < 1 && err == nil {
			return 0, 0, "Invalid page number."
		}
		if err != nil || n > maxPage {
			return 0, 0, fmt.Sprintf("You cannot go beyond page %d. Please narrow your search terms.", maxPage)
		}
		return paging.Numbered, n, ""
	}
	if mode, digits, ok := paging.Seek(s, false); ok {
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || n > maxInt32 {
			return 0, 0, "Page parameter is out of valid range."
		}
		return mode, n, ""
	}
	return 0, 0, "Invalid page number."
}
