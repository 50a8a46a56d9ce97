package djangofilter

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
)

// InvalidPK is ModelMultipleChoiceField's message for a value the primary
// key's int() refuses.
func InvalidPK(v string) string { return "“" + v + "” is not a valid value." }

// InvalidChoice is ModelMultipleChoiceField's message for a value that
// names no row.
func InvalidChoice(v string) string {
	return "Select a valid choice. " + v + " is not one of the available choices."
}

// PK is one value of a model multiple choice parameter.
type PK struct {
	Text string
	ID   int64
	// Exact: Text is ID's own decimal spelling. Only such a value can
	// match, since Django compares str(pk) of the rows found with the
	// value as sent ("+1", " 1" and "01" find row 1 but are no choice).
	Exact bool
}

// PKs cleans the values of a ModelMultipleChoiceFilter over an integer
// primary key (django_filters ModelMultipleChoiceField, Django's
// ModelMultipleChoiceField._check_values): every value of the repeated
// parameter counts, duplicates once, in the order sent. A value with a
// null character is MsgNull and one Python's int() refuses ("", "abc",
// "1.0") is InvalidPK, the first such value deciding; the caller then
// refuses the first value that is not Exact or names no row with
// InvalidChoice. Django checks the values in set order, which Python's
// string hashing makes arbitrary; here the order sent decides.
func PKs(vals []string) ([]PK, string) {
	var out []PK
	seen := map[string]bool{}
	for _, v := range vals {
		if seen[v] {
			continue
		}
		seen[v] = true
		if strings.ContainsRune(v, 0) {
			return nil, MsgNull
		}
		if !pyIntText(v) {
			return nil, InvalidPK(v)
		}
		id, err := strconv.ParseInt(v, 10, 64)
		out = append(out, PK{Text: v, ID: id, Exact: err == nil && strconv.FormatInt(id, 10) == v})
	}
	return out, ""
}

// pyIntText reports whether Python's int() reads s: surrounding
// whitespace, a sign, decimal digits of any script, single underscores
// between digits.
func pyIntText(s string) bool {
	s = strings.TrimFunc(s, unicode.IsSpace)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	prev := '_'
	for _, r := range s {
		switch {
		case r == '_' && prev != '_':
		case unicode.Is(unicode.Nd, r):
		default:
			return false
		}
		prev = r
	}
	return prev != '_'
}

// jsonObject is forms.JSONField's clean for a filter: EMPTY_VALUES are no
// filter; objects are the value.
func jsonObject(raw string) (any, bool, string) {
	if raw == "" {
		return nil, false, ""
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false, MsgJSON
	}
	switch x := v.(type) {
	case nil:
		return nil, false, ""
	case string:
		if x == "" {
			return nil, false, ""
		}
	case []any:
		if len(x) == 0 {
			return nil, false, ""
		}
	case map[string]any:
		if len(x) == 0 {
			return nil, false, ""
		}
		var b bytes.Buffer
		if err := json.Compact(&b, []byte(raw)); err != nil {
			return nil, false, MsgJSON
		}
		return json.RawMessage(b.Bytes()), true, ""
	}
	return nil, false, MsgJSON
}
