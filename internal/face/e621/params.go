package e621

import (
	"bytes"
	"errors"
	"mime"
	"strings"
	"unicode/utf8"

	"usersd/internal/face/railsparams"
	"usersd/internal/httpx"
)

// param is one Rails request parameter: a string, an ordered hash, an
// array, or nil (JSON null). Rails (Rack) parses "user[name]=x" and
// "search[level][]=1" into nested hashes and arrays; e621 behaves
// differently for scalars and non-scalars, so the face keeps the shape.
type param struct {
	kind byte // 's' string, 'h' hash, 'a' array, 'n' nil
	str  string
	keys []string // hash keys in order of first appearance
	hash map[string]*param
	arr  []*param
}

func newHash() *param { return &param{kind: 'h', hash: map[string]*param{}} }

func strParam(s string) *param { return &param{kind: 's', str: s} }

// get returns the member k of a hash, or nil.
func (p *param) get(k string) *param {
	if p == nil || p.kind != 'h' {
		return nil
	}
	return p.hash[k]
}

// set stores v under k, keeping k's first position.
func (p *param) set(k string, v *param) {
	if _, ok := p.hash[k]; !ok {
		p.keys = append(p.keys, k)
	}
	p.hash[k] = v
}

// scalar reports whether p is a string or nil, the values Rails' permit
// accepts for a scalar key.
func (p *param) scalar() bool { return p != nil && (p.kind == 's' || p.kind == 'n') }

// value returns a scalar's text ("" for nil and non-scalars).
func (p *param) value() string {
	if p == nil || p.kind != 's' {
		return ""
	}
	return p.str
}

// blank is Rails' blank?: nil, an empty or all-white-space string, or an
// empty hash or array.
func (p *param) blank() bool {
	switch {
	case p == nil || p.kind == 'n':
		return true
	case p.kind == 's':
		return railsparams.IsBlank(p.str)
	case p.kind == 'h':
		return len(p.keys) == 0
	}
	return len(p.arr) == 0
}

// str returns the text of a present scalar member k, and whether it is one.
func (p *param) text(k string) (string, bool) {
	v := p.get(k)
	if v == nil || v.kind != 's' {
		return "", false
	}
	return v.str, true
}

// sanitize removes NUL characters and invalid UTF-8 from every string and
// key, as e621ng's ParameterSanitizer and sanitize_params do.
func sanitize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// formOptions read query strings and form bodies as e621's face always
// has: Rack's nesting, with NUL and invalid UTF-8 stripped as
// ParameterSanitizer does, and Rack's refusals (bad escapes, shape
// conflicts, nesting past its limit) forgiven.
var formOptions = railsparams.Options{Clean: sanitize, Lenient: true}

// parseQuery adds a query string or form body to root (a later value for
// a key replaces an earlier one).
func parseQuery(root *param, raw string) {
	h, err := formOptions.ParseQuery(raw)
	if err != nil {
		return // unreachable: Clean leaves valid UTF-8 and Lenient refuses nothing
	}
	merge(root, h)
}

// merge lays a parsed hash over root, key by key at the top level.
func merge(root *param, h *railsparams.Hash) {
	for k, v := range h.All() {
		root.set(k, fromJSON(v))
	}
}

// errBadJSON is a JSON body that does not parse (B.2).
var errBadJSON = errors.New("invalid JSON body")

// errBodyTooLarge is a body over httpx.MaxBody.
var errBodyTooLarge = errors.New("request body too large")

// isJSON reports whether a Content-Type is a JSON body: the face kit's
// one rule (application/json and +json types). Rails also parses its
// aliases text/x-json and application/jsonrequest, which usersd treats as
// any other unknown type (see doc.go).
func isJSON(ct string) bool { return httpx.IsJSON(ct) }

// parseBody adds a form, multipart or JSON body to root (body values
// replace query values of the same top-level key, as Rails merges them).
// For JSON it also returns the body's own top-level hash, which Rails'
// params wrapper reads.
func parseBody(root *param, ct string, body []byte) (jsonBody *param, err error) {
	mt, mp, _ := mime.ParseMediaType(ct)
	switch {
	case isJSON(ct):
		if len(bytes.TrimSpace(body)) == 0 {
			return nil, nil
		}
		if !utf8.Valid(body) {
			return nil, errBadJSON
		}
		v, err := decodeJSON(body)
		if err != nil {
			return nil, errBadJSON
		}
		if v.kind != 'h' {
			// Rails puts a non-object body under _json.
			root.set("_json", v)
			return nil, nil
		}
		for _, k := range v.keys {
			root.set(k, v.hash[k])
		}
		return v, nil
	case mt == "application/x-www-form-urlencoded":
		parseQuery(root, string(body))
	case mt == "multipart/form-data" && mp["boundary"] != "":
		if h, err := formOptions.ParseMultipart(body, mp["boundary"]); err == nil {
			merge(root, h)
		}
	}
	return nil, nil
}

// jsonOptions reads JSON bodies as e621 does: nesting up to 64 levels, and
// every key and string sanitized as e621ng's ParameterSanitizer does.
var jsonOptions = railsparams.JSONOptions{MaxDepth: 64, Clean: sanitize}

// decodeJSON reads one JSON value into a param, keeping object key order.
// Numbers keep their literal text and booleans become "true"/"false", as
// Ruby's to_s would show them.
func decodeJSON(body []byte) (*param, error) {
	v, err := railsparams.DecodeJSON(body, jsonOptions)
	if err != nil {
		return nil, errBadJSON
	}
	return fromJSON(v), nil
}

// fromJSON converts a parsed value (query, form or JSON) to a param: e621
// keeps no JSON types, only Rails' string, hash, array and nil shapes.
func fromJSON(v any) *param {
	switch x := v.(type) {
	case *railsparams.Hash:
		h := newHash()
		for k, y := range x.All() {
			h.set(k, fromJSON(y))
		}
		return h
	case []any:
		a := &param{kind: 'a'}
		for _, y := range x {
			a.arr = append(a.arr, fromJSON(y))
		}
		return a
	case nil:
		return &param{kind: 'n'}
	}
	s, _ := railsparams.Scalar(v)
	return strParam(s)
}
