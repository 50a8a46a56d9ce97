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

// SplitQuery decodes a query string into pairs in order (Rack 3: "&"
// separates pairs, spaces after it are dropped, "+" is a space; a bad
// escape or invalid UTF-8 is ErrInvalid).
func SplitQuery(raw string) ([]Pair, error) {
	var out []Pair
	for _, part := range strings.Split(raw, "&") {
		part = strings.TrimLeft(part, " ")
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, ErrInvalid
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, ErrInvalid
		}
		if !utf8.ValidString(key) || !utf8.ValidString(val) {
			return nil, ErrInvalid
		}
		out = append(out, Pair{Key: key, Value: val, HasValue: hasValue, Raw: part})
	}
	return out, nil
}

// Build nests pairs into a hash as Rack's normalize_params does.
func Build(pairs []Pair) (*Hash, error) {
	h := NewHash()
	for _, kv := range pairs {
		var v any
		if kv.HasValue {
			v = kv.Value
		}
		if _, err := normalize(h, kv.Key, v, 0); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// ParseQuery parses a query string or form-encoded body.
func ParseQuery(raw string) (*Hash, error) {
	pairs, err := SplitQuery(raw)
	if err != nil {
		return nil, err
	}
	return Build(pairs)
}

// normalize is a port of Rack 3's QueryParser#_normalize_params.
func normalize(h *Hash, name string, v any, d int) (any, error) {
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
		arr, err := arrayAt(h, k)
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
		arr, err := arrayAt(h, k)
		if err != nil {
			return nil, err
		}
		if len(arr) > 0 {
			// "a[][b]=1&a[][c]=2" fills one hash until a key repeats.
			if last, ok := arr[len(arr)-1].(*Hash); ok && !hashHasKey(last, childKey) {
				if _, err := normalize(last, childKey, v, d+1); err != nil {
					return nil, err
				}
				h.Set(k, arr)
				return h, nil
			}
		}
		child, err := normalize(NewHash(), childKey, v, d+1)
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
		if !isHash {
			return nil, ErrInvalid
		}
		r, err := normalize(sub, after, v, d+1)
		if err != nil {
			return nil, err
		}
		h.Set(k, r)
	}
	return h, nil
}

// arrayAt returns the array under k (empty when k is absent); any other
// value there is Rack's ParameterTypeError.
func arrayAt(h *Hash, k string) ([]any, error) {
	cur, ok := h.Get(k)
	if !ok {
		return []any{}, nil
	}
	arr, isArr := cur.([]any)
	if !isArr {
		return nil, ErrInvalid
	}
	return arr, nil
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
