package railsparams

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// DepthLimit is Rack's default param_depth_limit; JSON bodies use it too
// unless JSONOptions says otherwise.
const DepthLimit = 32

// ErrInvalid is Rack or Rails refusing parameters: a bad %-escape, invalid
// UTF-8, conflicting nesting ("a=1&a[b]=2"), nesting past DepthLimit, or a
// malformed multipart or JSON body. Every parse error wraps it; each face
// maps it to its own error body.
var ErrInvalid = errors.New("railsparams: invalid parameters")

// Pair is one decoded key=value of a query string or form body.
type Pair struct {
	Key, Value string
	HasValue   bool   // false for a bare key without "=", whose value is nil
	Raw        string // the undecoded text, for rebuilding URLs
}

// Options adjust query and form parsing to a face whose upstream was
// more forgiving than Rack; the zero Options is Rack 3.
type Options struct {
	// Clean, if set, rewrites every decoded key and value before it is
	// checked (e621 strips NUL bytes and invalid UTF-8, as its
	// ParameterSanitizer does).
	Clean func(string) string
	// Lenient keeps what Rack refuses, as e621's own parser always did:
	// a bad %-escape stays as written ("+" is still a space); a name whose
	// nesting conflicts with an earlier value ("a=1&a[b]=2") replaces it;
	// a name nested past DepthLimit is kept as one flat key; and a key
	// without "=" has the empty string as value, not nil.
	Lenient bool
}

// SplitQuery decodes a query string into pairs in order (Rack 3: "&"
// separates pairs, spaces after it are dropped, "+" is a space; a bad
// escape or invalid UTF-8 is ErrInvalid).
func SplitQuery(raw string) ([]Pair, error) { return Options{}.SplitQuery(raw) }

// SplitQuery is SplitQuery with o's cleaning and leniency.
func (o Options) SplitQuery(raw string) ([]Pair, error) {
	var out []Pair
	for _, part := range strings.Split(raw, "&") {
		part = strings.TrimLeft(part, " ")
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		key, err := o.unescape(k)
		if err != nil {
			return nil, err
		}
		val, err := o.unescape(v)
		if err != nil {
			return nil, err
		}
		out = append(out, Pair{Key: key, Value: val, HasValue: hasValue || o.Lenient, Raw: part})
	}
	return out, nil
}

// unescape decodes one key or value: %-escapes and "+", then Clean,
// then the UTF-8 check.
func (o Options) unescape(s string) (string, error) {
	u, err := url.QueryUnescape(s)
	if err != nil {
		if !o.Lenient {
			return "", ErrInvalid
		}
		u = strings.ReplaceAll(s, "+", " ")
	}
	if o.Clean != nil {
		u = o.Clean(u)
	}
	if !utf8.ValidString(u) {
		return "", ErrInvalid
	}
	return u, nil
}

// Build nests pairs into a hash as Rack's normalize_params does.
func Build(pairs []Pair) (*Hash, error) { return Options{}.Build(pairs) }

// Build is Build with o's leniency.
func (o Options) Build(pairs []Pair) (*Hash, error) {
	h := NewHash()
	for _, kv := range pairs {
		var v any
		if kv.HasValue {
			v = kv.Value
		}
		if _, err := normalize(h, kv.Key, v, 0, o.Lenient); err != nil {
			if !o.Lenient {
				return nil, err
			}
			// Lenient nesting never conflicts, so this is the depth
			// limit: keep the name flat.
			h.Set(kv.Key, v)
		}
	}
	return h, nil
}

// ParseQuery parses a query string or form-encoded body.
func ParseQuery(raw string) (*Hash, error) { return Options{}.ParseQuery(raw) }

// ParseQuery is ParseQuery with o's cleaning and leniency.
func (o Options) ParseQuery(raw string) (*Hash, error) {
	pairs, err := o.SplitQuery(raw)
	if err != nil {
		return nil, err
	}
	return o.Build(pairs)
}

// normalize is a port of Rack 3's QueryParser#_normalize_params; lenient
// replaces a value of the wrong shape instead of failing.
func normalize(h *Hash, name string, v any, d int, lenient bool) (any, error) {
	if d >= DepthLimit {
		return nil, ErrInvalid
	}
	var k, after string
	switch {
	case d == 0:
		// Rack does not treat a leading "[" as nesting.
		if i := strings.IndexByte(name[min(1, len(name)):], '['); i >= 0 && len(name) > 0 {
			start := i + 1
			k, after = name[:start], name[start:]
		} else {
			k = name
		}
	case strings.HasPrefix(name, "[]"):
		k, after = "[]", name[2:]
	case strings.HasPrefix(name, "["):
		if i := strings.IndexByte(name[1:], ']'); i >= 0 {
			start := i + 1
			k, after = name[1:start], name[start+1:]
		} else {
			k = name
		}
	default:
		k = name
	}
	if k == "" {
		return h, nil
	}
	switch {
	case after == "":
		if k == "[]" && d != 0 {
			return []any{v}, nil
		}
		h.Set(k, v)
	case after == "[":
		h.Set(name, v)
	case after == "[]":
		arr, err := arrayAt(h, k, lenient)
		if err != nil {
			return nil, err
		}
		h.Set(k, append(arr, v))
	case strings.HasPrefix(after, "[]"):
		childKey := after[2:]
		if len(after) > 3 && after[2] == '[' && strings.HasSuffix(after, "]") {
			if ck := after[3 : len(after)-1]; ck != "" && !strings.ContainsAny(ck, "[]") {
				childKey = ck
			}
		}
		arr, err := arrayAt(h, k, lenient)
		if err != nil {
			return nil, err
		}
		if len(arr) > 0 {
			// "a[][b]=1&a[][c]=2" fills one hash until a key repeats.
			if last, ok := arr[len(arr)-1].(*Hash); ok && !hashHasKey(last, childKey) {
				if _, err := normalize(last, childKey, v, d+1, lenient); err != nil {
					return nil, err
				}
				h.Set(k, arr)
				return h, nil
			}
		}
		child, err := normalize(NewHash(), childKey, v, d+1, lenient)
		if err != nil {
			return nil, err
		}
		h.Set(k, append(arr, child))
	default:
		cur, ok := h.Get(k)
		if !ok {
			cur = NewHash()
		}
		sub, isHash := cur.(*Hash)
		switch {
		case isHash:
		case lenient:
			sub = NewHash()
		default:
			return nil, ErrInvalid
		}
		r, err := normalize(sub, after, v, d+1, lenient)
		if err != nil {
			return nil, err
		}
		h.Set(k, r)
	}
	return h, nil
}

// arrayAt returns the array under k (empty when k is absent); any other
// value there is Rack's ParameterTypeError, or, lenient, replaced.
func arrayAt(h *Hash, k string, lenient bool) ([]any, error) {
	cur, ok := h.Get(k)
	if !ok {
		return []any{}, nil
	}
	arr, isArr := cur.([]any)
	switch {
	case isArr:
		return arr, nil
	case lenient:
		return []any{}, nil
	}
	return nil, ErrInvalid
}

var bracketRun = regexp.MustCompile(`[\[\]]+`)

// hashHasKey is Rack's params_hash_has_key?.
func hashHasKey(h *Hash, key string) bool {
	if strings.Contains(key, "[]") {
		return false
	}
	var cur any = h
	for _, part := range bracketRun.Split(key, -1) {
		if part == "" {
			continue
		}
		ph, ok := cur.(*Hash)
		if !ok || !ph.Has(part) {
			return false
		}
		cur, _ = ph.Get(part)
	}
	return true
}
