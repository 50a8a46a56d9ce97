package query

import (
	"fmt"
	"strings"
)

// MaxOrderFields caps the number of sort keys in one request.
const MaxOrderFields = 4

// ParseOrder reads a comma-separated list of field names, each optionally
// prefixed by "-" for descending order: "-level,name".
func ParseOrder(s string) ([]Order, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > MaxOrderFields {
		return nil, fmt.Errorf("sort: at most %d fields", MaxOrderFields)
	}
	out := make([]Order, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		o := Order{Field: p}
		if rest, ok := strings.CutPrefix(p, "-"); ok {
			o = Order{Field: rest, Desc: true}
		} else if rest, ok := strings.CutPrefix(p, "+"); ok {
			o.Field = rest
		}
		if o.Field == "" {
			return nil, fmt.Errorf("sort: empty field name")
		}
		out = append(out, o)
	}
	return out, nil
}

// OrderString renders orders as ParseOrder reads them.
func OrderString(os []Order) string {
	var b strings.Builder
	for i, o := range os {
		if i > 0 {
			b.WriteByte(',')
		}
		if o.Desc {
			b.WriteByte('-')
		}
		b.WriteString(o.Field)
	}
	return b.String()
}
