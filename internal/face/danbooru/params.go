package danbooru

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"usersd/internal/httpx"
)

// params is a Rails parameter hash: a nested, ordered map built from query
// strings and form bodies the way Rack builds it ("search[inviter][name]",
// "name_array[]"), or from a JSON body. Values are string, nil (a key
// without "="), []any, *params, and from JSON also json.Number and bool.
type params struct {
	keys []string
	vals map[string]any
}

func newParams() *params { return &params{vals: map[string]any{}} }

// get returns the value of k.
func (p *params) get(k string) (any, bool) {
	if p == nil {
		return nil, false
	}
	v, ok := p.vals[k]
	return v, ok
}

// set stores v under k, keeping k's first position.
func (p *params) set(k string, v any) {
	if _, ok := p.vals[k]; !ok {
		p.keys = append(p.keys, k)
	}
	p.vals[k] = v
}

// del removes k.
func (p *params) del(k string) {
	if _, ok := p.vals[k]; !ok {
		return
	}
	delete(p.vals, k)
	for i, x := range p.keys {
		if x == k {
			p.keys = append(p.keys[:i:i], p.keys[i+1:]...)
			break
		}
	}
}

// has reports whether k is present with any value.
func (p *params) has(k string) bool {
	_, ok := p.get(k)
	return ok
}

// str returns k's value as a string when it is one (JSON scalars are
// rendered as Ruby's to_s would).
func (p *params) str(k string) (string, bool) {
	v, ok := p.get(k)
	if !ok {
		return "", false
	}
	return scalarString(v)
}

// present returns k's string value when it is present in Rails' sense
// (not blank). Non-string values count as absent.
func (p *params) present(k string) (string, bool) {
	s, ok := p.str(k)
	if !ok || isBlank(s) {
		return "", false
	}
	return s, true
}

// sub returns the nested hash under k, or nil.
func (p *params) sub(k string) *params {
	v, _ := p.get(k)
	h, _ := v.(*params)
	return h
}

// clone copies p one level deep.
func (p *params) clone() *params {
	c := newParams()
	if p == nil {
		return c
	}
	for _, k := range p.keys {
		c.set(k, p.vals[k])
	}
	return c
}

// scalarString renders a scalar parameter as a string; arrays, hashes and
// nil are not scalars.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// isBlank is Ruby's String#blank?: empty or only white space.
func isBlank(s string) bool {
	return strings.TrimFunc(s, isRubySpace) == ""
}

func isRubySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return r > 127 && isUnicodeSpace(r)
}

// valueBlank is ActiveSupport's Object#blank? for parameter values.
func valueBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return isBlank(x)
	case []any:
		return len(x) == 0
	case *params:
		return x == nil || len(x.keys) == 0
	case bool:
		return !x
	}
	return false
}

// paramDepthLimit is Rack's default param_depth_limit.
const paramDepthLimit = 32

// errBadParams is Rack refusing a query string or form body.
var errBadParams = errors.New("invalid parameters")

// pair is one decoded key=value of a query string or form body; hasValue
// is false for a bare key without "=".
type pair struct {
	key, value string
	hasValue   bool
	raw        string // the undecoded text, for rebuilding URLs
}

// splitQuery decodes a query string into pairs in order (Rack 3: "&"
// separates pairs; "+" is a space; a bad escape or invalid UTF-8 is an
// error).
func splitQuery(raw string) ([]pair, error) {
	var out []pair
	for _, part := range strings.Split(raw, "&") {
		part = strings.TrimLeft(part, " ")
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, errBadParams
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, errBadParams
		}
		if !utf8.ValidString(key) || !utf8.ValidString(val) {
			return nil, errBadParams
		}
		out = append(out, pair{key: key, value: val, hasValue: hasValue, raw: part})
	}
	return out, nil
}

// buildParams nests pairs into a params hash as Rack's
// normalize_params does.
func buildParams(pairs []pair) (*params, error) {
	p := newParams()
	for _, kv := range pairs {
		var v any
		if kv.hasValue {
			v = kv.value
		}
		if _, err := normalize(p, kv.key, v, 0); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parseQuery parses a query string into params.
func parseQuery(raw string) (*params, error) {
	pairs, err := splitQuery(raw)
	if err != nil {
		return nil, err
	}
	return buildParams(pairs)
}

// normalize is a port of Rack 3's QueryParser#_normalize_params.
func normalize(p *params, name string, v any, d int) (any, error) {
	if d >= paramDepthLimit {
		return nil, errBadParams
	}
	var k, after string
	switch {
	case d == 0:
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
		return p, nil
	}
	switch {
	case after == "":
		if k == "[]" && d != 0 {
			return []any{v}, nil
		}
		p.set(k, v)
	case after == "[":
		p.set(name, v)
	case after == "[]":
		cur, ok := p.get(k)
		if !ok {
			cur = []any{}
		}
		arr, isArr := cur.([]any)
		if !isArr {
			return nil, errBadParams
		}
		p.set(k, append(arr, v))
	case strings.HasPrefix(after, "[]"):
		childKey := after[2:]
		if len(after) > 3 && after[2] == '[' && strings.HasSuffix(after, "]") {
			if ck := after[3 : len(after)-1]; ck != "" && !strings.ContainsAny(ck, "[]") {
				childKey = ck
			}
		}
		cur, ok := p.get(k)
		if !ok {
			cur = []any{}
		}
		arr, isArr := cur.([]any)
		if !isArr {
			return nil, errBadParams
		}
		if len(arr) > 0 {
			if last, ok := arr[len(arr)-1].(*params); ok && !hashHasKey(last, childKey) {
				if _, err := normalize(last, childKey, v, d+1); err != nil {
					return nil, err
				}
				p.set(k, arr)
				return p, nil
			}
		}
		child, err := normalize(newParams(), childKey, v, d+1)
		if err != nil {
			return nil, err
		}
		p.set(k, append(arr, child))
	default:
		cur, ok := p.get(k)
		if !ok {
			cur = newParams()
		}
		h, isHash := cur.(*params)
		if !isHash {
			return nil, errBadParams
		}
		r, err := normalize(h, after, v, d+1)
		if err != nil {
			return nil, err
		}
		p.set(k, r)
	}
	return p, nil
}

var bracketRun = regexp.MustCompile(`[\[\]]+`)

// hashHasKey is Rack's params_hash_has_key?.
func hashHasKey(h *params, key string) bool {
	if strings.Contains(key, "[]") {
		return false
	}
	var cur any = h
	for _, part := range bracketRun.Split(key, -1) {
		if part == "" {
			continue
		}
		ph, ok := cur.(*params)
		if !ok || !ph.has(part) {
			return false
		}
		cur, _ = ph.get(part)
	}
	return true
}

// bodyParams parses a request body by its media type: form-encoded,
// multipart or JSON; any other type contributes no parameters (as Rails).
// Errors are Danbooru's 400s.
func bodyParams(body []byte, contentType string) (*params, error) {
	mt, mp, _ := mime.ParseMediaType(contentType)
	switch {
	case len(body) == 0:
		return newParams(), nil
	case mt == "application/x-www-form-urlencoded":
		p, err := parseQuery(string(body))
		if err != nil {
			return nil, badRequest("Invalid request parameters: invalid %-encoding or nesting")
		}
		return p, nil
	case mt == "multipart/form-data":
		return multipartParams(body, mp["boundary"])
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return jsonParams(body)
	}
	return newParams(), nil
}

func multipartParams(body []byte, boundary string) (*params, error) {
	bad := badRequest("Invalid request parameters: malformed multipart body")
	if boundary == "" {
		return nil, bad
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var pairs []pair
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad
		}
		if part.FormName() == "" || part.FileName() != "" {
			continue // files are not user parameters
		}
		b, err := io.ReadAll(io.LimitReader(part, httpx.MaxBody))
		if err != nil || !utf8.Valid(b) {
			return nil, bad
		}
		pairs = append(pairs, pair{key: part.FormName(), value: string(b), hasValue: true})
	}
	p, err := buildParams(pairs)
	if err != nil {
		return nil, bad
	}
	return p, nil
}

// jsonParams decodes a JSON body into params, keeping key order. A body
// that is not an object contributes "_json" as Rails does.
func jsonParams(body []byte) (*params, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := decodeJSONValue(dec, 0)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("trailing data")
		}
	}
	if err != nil {
		return nil, &apiError{status: 400, class: "ActionDispatch::Http::Parameters::ParseError", message: "Error occurred while parsing request parameters"}
	}
	if h, ok := v.(*params); ok {
		return h, nil
	}
	p := newParams()
	p.set("_json", v)
	return p, nil
}

func decodeJSONValue(dec *json.Decoder, d int) (any, error) {
	if d > paramDepthLimit {
		return nil, errors.New("too deep")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			h := newParams()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("bad key")
				}
				v, err := decodeJSONValue(dec, d+1)
				if err != nil {
					return nil, err
				}
				h.set(key, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return h, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeJSONValue(dec, d+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, errors.New("unexpected delimiter")
	case string, json.Number, bool, nil:
		return t, nil
	}
	return nil, errors.New("unexpected token")
}

// merge is Rails' request.parameters: the body's parameters with the
// query string's laid over them, key by key at the top level.
func merge(body, query *params) *params {
	out := body.clone()
	for _, k := range query.keys {
		out.set(k, query.vals[k])
	}
	return out
}
