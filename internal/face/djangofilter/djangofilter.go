// Package djangofilter parses query parameters the way django-filter's
// FilterSet (as Django REST framework's DjangoFilterBackend runs it) and
// DRF's OrderingFilter read them, into the query AST. A face declares
// which parameters exist — a Set from filter name to registry field,
// value kind and allowed lookups — and gets back one filter expression;
// parameters it did not declare are ignored, as django-filter ignores
// them.
//
// Parameter names are "field" (exact) or "field__lookup" with lookup one
// of exact, iexact, contains, icontains, startswith, istartswith, gt,
// gte, lt, lte, in (a comma list), isnull, range (two comma-separated
// values). Values are read as the form field of the filter's kind reads
// them (django-filter 25.2 and Django 5):
//
//   - an empty value (after CharField's stripping) is no filter;
//   - a repeated parameter's last value counts (QueryDict.get);
//   - Bool values, and every isnull value, go through BooleanWidget:
//     "true", "false", "1", "0" in any case, anything else is no filter;
//   - Number is DecimalField: decimal text such as "5", " 5 ", "5.0" or
//     "1e3", compared with integer columns after truncation toward zero;
//   - DateTime is IsoDateTimeField (Django's parse_datetime, or a bare
//     date), naive values in Options.Location;
//   - an "in" list's empty items are dropped (the field cleans them to
//     None, which SQL's IN never matches), except for Char, where "" is a
//     value; an empty list is no filter;
//   - a "range" needs exactly two values ("Range query expects two
//     values.");
//   - JSON is forms.JSONField, unstripped: "" and the JSON values null,
//     "", [] and {} are no filter (EMPTY_VALUES), an object is the value,
//     anything else "Enter a valid JSON.".
//
// A bad value is a core.Error with code Invalid whose Fields map each
// offending parameter, by its exact name, to Django's message.
//
// Where usersd differs from django-filter: Number values outside int64
// are "Enter a number." (Django would pass them to the database); an
// empty bound in a range is "Range query expects two values." (Django
// would fail with a server error on None); Python's Decimal also takes
// digit underscores ("1_000"), which are refused here; Date accepts
// Django's YYYY-MM-DD, MM/DD/YYYY and MM/DD/YY input formats only (not
// the "Oct 25 2006" forms); iexact folds case only on fields the
// registry keeps a folded key for; JSON values that are not objects
// (numbers, strings, non-empty arrays, booleans) are "Enter a valid
// JSON." rather than handed to a filter method, and Python's NaN and
// Infinity are not JSON here.
package djangofilter

import (
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
)

// Kind is how a filter reads its value: the Django form field behind it.
type Kind int

// Value kinds.
const (
	Char     Kind = iota // CharField: stripped text; null characters refused
	Number               // DecimalField, compared with an integer field
	Bool                 // BooleanField with BooleanWidget
	DateTime             // IsoDateTimeField
	Date                 // DateField
	Choice               // ChoiceField over Filter.Choices
	JSON                 // JSONField: a JSON object, as json.RawMessage
)

// Lookups django-filter names and this package compiles.
const (
	Exact       = "exact"
	IExact      = "iexact"
	ContainsL   = "contains"
	IContains   = "icontains"
	StartsWith  = "startswith"
	IStartsWith = "istartswith"
	GT          = "gt"
	GTE         = "gte"
	LT          = "lt"
	LTE         = "lte"
	InL         = "in"
	IsNullL     = "isnull"
	RangeL      = "range"
)

// Filter is one declared filter: the registry field it compares, how its
// values read, and which lookups it offers.
type Filter struct {
	Field   string
	Kind    Kind
	Lookups []string
	// Choices maps each accepted value to the stored value, for Choice.
	Choices map[string]string
	// Build, when set, makes the condition of a present, cleaned value
	// itself (a method filter, django-filter's Filter(method=...)), for
	// filters that are not one comparison on Field: a boolean over a
	// level threshold, a value that must match nothing. It is called for
	// the exact lookup only.
	Build func(v any) query.Expr
}

// Set is a face's filters by name (the part before "__").
type Set map[string]Filter

// Options adjust parsing.
type Options struct {
	// Location is the zone of naive date-times; nil is UTC.
	Location *time.Location
}

// Messages are Django's validation messages.
const (
	MsgNumber   = "Enter a number."
	MsgDateTime = "Enter a valid date/time."
	MsgDate     = "Enter a valid date."
	MsgRange    = "Range query expects two values."
	MsgNull     = "Null characters are not allowed."
	MsgJSON     = "Enter a valid JSON."
)

// Parse compiles the declared parameters of params into one expression:
// nil when no filter applies, else the conditions ANDed in parameter-name
// order (so the result does not depend on map order).
func (s Set) Parse(params url.Values, opt Options) (query.Expr, error) {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names)
	var and query.And
	problems := map[string]string{}
	for _, name := range names {
		vals := params[name]
		if len(vals) == 0 {
			continue
		}
		f, lookup, ok := s.resolve(name)
		if !ok {
			continue
		}
		e, msg := compile(f, lookup, vals[len(vals)-1], opt)
		switch {
		case msg != "":
			problems[name] = msg
		case e != nil:
			and = append(and, e)
		}
	}
	if len(problems) > 0 {
		return nil, &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: problems}
	}
	switch len(and) {
	case 0:
		return nil, nil
	case 1:
		return and[0], nil
	}
	return and, nil
}

// resolve finds the filter and lookup a parameter name declares.
func (s Set) resolve(name string) (Filter, string, bool) {
	if f, ok := s[name]; ok && slices.Contains(f.Lookups, Exact) {
		return f, Exact, true
	}
	i := strings.LastIndex(name, "__")
	if i <= 0 {
		return Filter{}, "", false
	}
	f, ok := s[name[:i]]
	lookup := name[i+2:]
	// The exact lookup's filter is named by the field alone
	// (FilterSet.get_filter_name), so "id__exact" is not declared.
	if !ok || lookup == Exact || !slices.Contains(f.Lookups, lookup) {
		return Filter{}, "", false
	}
	return f, lookup, true
}

// compile builds one condition; msg is a validation message, and a nil
// expression with no message is no filter.
func compile(f Filter, lookup, raw string, opt Options) (query.Expr, string) {
	cond := func(op query.Op, v any, cs bool) query.Expr {
		return &query.Cond{Field: f.Field, Op: op, Value: v, CaseSensitive: cs}
	}
	switch lookup {
	case IsNullL:
		b, ok := boolWidget(raw)
		switch {
		case !ok:
			return nil, ""
		case b:
			return &query.Cond{Field: f.Field, Op: query.IsNull}, ""
		}
		return &query.Cond{Field: f.Field, Op: query.NotNull}, ""
	case InL, RangeL:
		if raw == "" {
			return nil, ""
		}
		var vals []any
		for _, item := range strings.Split(raw, ",") {
			v, present, msg := clean(f, item, opt)
			if msg != "" {
				return nil, msg
			}
			switch {
			case present:
			case lookup == RangeL:
				return nil, MsgRange
			case f.Kind == Char:
				v = "" // CharField cleans "" to "", a value IN can match
			default:
				continue
			}
			vals = append(vals, v)
		}
		if lookup == RangeL {
			if len(vals) != 2 {
				return nil, MsgRange
			}
			return query.And{cond(query.Ge, vals[0], true), cond(query.Le, vals[1], true)}, ""
		}
		if len(vals) == 0 {
			return nil, ""
		}
		return &query.Cond{Field: f.Field, Op: query.In, Values: vals, CaseSensitive: true}, ""
	}
	v, present, msg := clean(f, raw, opt)
	if msg != "" || !present {
		return nil, msg
	}
	switch lookup {
	case Exact:
		if f.Build != nil {
			return f.Build(v), ""
		}
		return cond(query.Eq, v, true), ""
	case IExact:
		return cond(query.Eq, v, false), ""
	case ContainsL:
		return cond(query.Contains, v, true), ""
	case IContains:
		return cond(query.Contains, v, false), ""
	case StartsWith:
		return cond(query.Prefix, v, true), ""
	case IStartsWith:
		return cond(query.Prefix, v, false), ""
	case GT:
		return cond(query.Gt, v, true), ""
	case GTE:
		return cond(query.Ge, v, true), ""
	case LT:
		return cond(query.Lt, v, true), ""
	case LTE:
		return cond(query.Le, v, true), ""
	}
	return nil, "" // a lookup the package does not know is never declared usefully
}

// clean is the form field's clean: the value, whether it is present (not
// an empty value), or a validation message.
func clean(f Filter, raw string, opt Options) (v any, present bool, msg string) {
	switch f.Kind {
	case Bool:
		b, ok := boolWidget(raw)
		return b, ok, ""
	case JSON:
		return jsonObject(raw)
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, false, ""
	}
	switch f.Kind {
	case Char:
		if strings.ContainsRune(s, 0) {
			return nil, false, MsgNull
		}
		return s, true, ""
	case Number:
		n, ok := decimalToInt(s)
		if !ok {
			return nil, false, MsgNumber
		}
		return n, true, ""
	case DateTime:
		t, ok := parseDateTime(s, opt.Location)
		if !ok {
			return nil, false, MsgDateTime
		}
		return t, true, ""
	case Date:
		d, ok := parseDate(s)
		if !ok {
			return nil, false, MsgDate
		}
		return d, true, ""
	case Choice:
		c, ok := f.Choices[s]
		if !ok {
			return nil, false, "Select a valid choice. " + s + " is not one of the available choices."
		}
		return c, true, ""
	}
	return nil, false, ""
}

// boolWidget is BooleanWidget.value_from_datadict.
func boolWidget(raw string) (bool, bool) {
	switch strings.ToLower(raw) {
	case "1", "true":
		return true, true
	case "0", "false":
		return false, true
	}
	return false, false
}

var decimalRE = regexp.MustCompile(`^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$`)

// decimalToInt reads decimal text and truncates it toward zero, within
// int64.
func decimalToInt(s string) (int64, bool) {
	if !decimalRE.MatchString(s) {
		return 0, false
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 40 || e < -40 {
			// Past 10^40 no int64 is reached; below 10^-40 the digits
			// would need to be longer than any sane input to matter.
			if err == nil && e < -40 {
				return 0, true
			}
			return 0, false
		}
		mant, exp = s[:i], e
	}
	r, ok := new(big.Rat).SetString(mant)
	if !ok {
		return 0, false
	}
	if exp != 0 {
		p := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(exp))), nil))
		if exp > 0 {
			r.Mul(r, p)
		} else {
			r.Quo(r, p)
		}
	}
	q := new(big.Int).Quo(r.Num(), r.Denom()) // truncates toward zero
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// dateTimeRE is django.utils.dateparse's datetime_re (with "T" or a
// space), which IsoDateTimeField falls back to; a bare date is one of
// DateTimeField's input formats.
var dateTimeRE = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$`)

func parseDateTime(s string, loc *time.Location) (time.Time, bool) {
	m := dateTimeRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	num := func(i int) int {
		n, _ := strconv.Atoi(m[i])
		return n
	}
	usec := 0
	if m[7] != "" {
		usec, _ = strconv.Atoi((m[7] + "00000")[:6])
	}
	if m[8] != "" {
		switch {
		case m[8] == "Z":
			loc = time.UTC
		default:
			off := strings.ReplaceAll(m[8][1:], ":", "")
			h, _ := strconv.Atoi(off[:2])
			mins := 0
			if len(off) == 4 {
				mins, _ = strconv.Atoi(off[2:])
			}
			secs := h*3600 + mins*60
			if m[8][0] == '-' {
				secs = -secs
			}
			loc = time.FixedZone("", secs)
		}
	}
	t := time.Date(num(1), time.Month(num(2)), num(3), num(4), num(5), num(6), usec*1000, loc)
	// Python refuses out-of-range parts; time.Date would normalize them.
	if t.Year() != num(1) || int(t.Month()) != num(2) || t.Day() != num(3) || t.Hour() != num(4) || t.Minute() != num(5) || t.Second() != num(6) || num(1) < 1 {
		return time.Time{}, false
	}
	return t, true
}

// dateFormats are Django's default DATE_INPUT_FORMATS that need no month
// names.
var dateFormats = []string{"2006-01-02", "01/02/2006", "01/02/06"}

// parseDate reads a date into the registry's YYYY-MM-DD text.
func parseDate(s string) (string, bool) {
	for _, f := range dateFormats {
		if t, err := time.Parse(f, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// Ordering is DRF's OrderingFilter: value is "a,-b"; each term, stripped,
// names an allowed ordering (allowed maps the public name to a registry
// field), "-" for descending. Unknown terms are dropped; nil means none
// remain and the face's default ordering applies.
func Ordering(value string, allowed map[string]string) []query.Order {
	var out []query.Order
	for _, term := range strings.Split(value, ",") {
		term = strings.TrimSpace(term)
		desc := strings.HasPrefix(term, "-")
		field, ok := allowed[strings.TrimPrefix(term, "-")]
		if !ok {
			continue
		}
		out = append(out, query.Order{Field: field, Desc: desc})
	}
	return out
}
