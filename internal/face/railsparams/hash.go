// Package railsparams parses request parameters the way Rails (Rack)
// does: query strings and form, multipart or JSON bodies become one
// nested, ordered Hash ("search[inviter][name]=x", "name_array[]=y").
// The parser is Rack 3's; what a face does with odd input beyond that
// (sanitizing, blank values, which body types count) stays in the face.
package railsparams

import (
	"encoding/json"
	"iter"
	"strings"
	"unicode"
)

// Hash is a Rails parameter hash: string keys in order of first
// appearance. Values are string, nil (a key without "=", or JSON null),
// []any and *Hash, and from JSON also json.Number and bool. The nil *Hash
// reads as empty.
type Hash struct {
	keys []string
	vals map[string]any
}

// NewHash returns an empty hash.
func NewHash() *Hash { return &Hash{vals: map[string]any{}} }

// Get returns the value of k.
func (h *Hash) Get(k string) (any, bool) {
	if h == nil {
		return nil, false
	}
	v, ok := h.vals[k]
	return v, ok
}

// Set stores v under k, keeping k's first position.
func (h *Hash) Set(k string, v any) {
	if _, ok := h.vals[k]; !ok {
		h.keys = append(h.keys, k)
	}
	h.vals[k] = v
}

// Del removes k.
func (h *Hash) Del(k string) {
	if _, ok := h.vals[k]; !ok {
		return
	}
	delete(h.vals, k)
	for i, x := range h.keys {
		if x == k {
			h.keys = append(h.keys[:i:i], h.keys[i+1:]...)
			break
		}
	}
}

// Has reports whether k is present with any value.
func (h *Hash) Has(k string) bool {
	_, ok := h.Get(k)
	return ok
}

// Len is the number of keys.
func (h *Hash) Len() int {
	if h == nil {
		return 0
	}
	return len(h.keys)
}

// Keys returns the keys in order; the caller must not modify the slice.
func (h *Hash) Keys() []string {
	if h == nil {
		return nil
	}
	return h.keys
}

// All yields the keys and values in order.
func (h *Hash) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		for _, k := range h.Keys() {
			if !yield(k, h.vals[k]) {
				return
			}
		}
	}
}

// Text returns k's value as a string when it is a scalar (see Scalar).
func (h *Hash) Text(k string) (string, bool) {
	v, ok := h.Get(k)
	if !ok {
		return "", false
	}
	return Scalar(v)
}

// Present returns k's string value when it is present in Rails' sense
// (not blank). Non-scalar values count as absent.
func (h *Hash) Present(k string) (string, bool) {
	s, ok := h.Text(k)
	if !ok || IsBlank(s) {
		return "", false
	}
	return s, true
}

// Sub returns the nested hash under k, or nil.
func (h *Hash) Sub(k string) *Hash {
	v, _ := h.Get(k)
	sub, _ := v.(*Hash)
	return sub
}

// Clone copies h one level deep.
func (h *Hash) Clone() *Hash {
	c := NewHash()
	for k, v := range h.All() {
		c.Set(k, v)
	}
	return c
}

// Merge is Rails' request.parameters: base's keys with over's laid on top,
// key by key at the top level. Neither argument changes.
func Merge(base, over *Hash) *Hash {
	out := base.Clone()
	for k, v := range over.All() {
		out.Set(k, v)
	}
	return out
}

// Scalar renders a scalar value as a string, JSON numbers and booleans as
// Ruby's to_s would; arrays, hashes and nil are not scalars.
func Scalar(v any) (string, bool) {
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

// IsBlank is Ruby's String#blank?: empty or only white space
// ([[:space:]], which for UTF-8 is Unicode's White_Space).
func IsBlank(s string) bool {
	return strings.TrimFunc(s, isSpace) == ""
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return r > 127 && unicode.Is(unicode.White_Space, r)
}

// Blank is ActiveSupport's Object#blank? for parameter values: nil, a
// blank string, an empty array or hash, or false.
func Blank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return IsBlank(x)
	case []any:
		return len(x) == 0
	case *Hash:
		return x.Len() == 0
	case bool:
		return !x
	}
	return false
}
