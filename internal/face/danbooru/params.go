package danbooru

import (
	"mime"

	"usersd/internal/face/railsparams"
	"usersd/internal/httpx"
)

// params is a Rails parameter hash (railsparams.Hash) with the face's
// short accessors. Nested hashes inside it are *railsparams.Hash; sub
// converts them back.
type params railsparams.Hash

func newParams() *params { return (*params)(railsparams.NewHash()) }

// hash is p as the shared type.
func (p *params) hash() *railsparams.Hash { return (*railsparams.Hash)(p) }

// get returns the value of k.
func (p *params) get(k string) (any, bool) { return p.hash().Get(k) }

// set stores v under k, keeping k's first position.
func (p *params) set(k string, v any) {
	if h, ok := v.(*params); ok {
		v = h.hash() // nested values are always the shared type
	}
	p.hash().Set(k, v)
}

// del removes k.
func (p *params) del(k string) { p.hash().Del(k) }

// has reports whether k is present with any value.
func (p *params) has(k string) bool { return p.hash().Has(k) }

// str returns k's value as a string when it is a scalar.
func (p *params) str(k string) (string, bool) { return p.hash().Text(k) }

// present returns k's string value when it is present in Rails' sense.
func (p *params) present(k string) (string, bool) { return p.hash().Present(k) }

// sub returns the nested hash under k, or nil.
func (p *params) sub(k string) *params { return (*params)(p.hash().Sub(k)) }

// clone copies p one level deep.
func (p *params) clone() *params { return (*params)(p.hash().Clone()) }

// parseQuery parses a query string into params.
func parseQuery(raw string) (*params, error) {
	h, err := railsparams.ParseQuery(raw)
	return (*params)(h), err
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
		h, err := railsparams.ParseQuery(string(body))
		if err != nil {
			return nil, badRequest("Invalid request parameters: invalid %-encoding or nesting")
		}
		return (*params)(h), nil
	case mt == "multipart/form-data":
		h, err := railsparams.ParseMultipart(body, mp["boundary"])
		if err != nil {
			return nil, badRequest("Invalid request parameters: malformed multipart body")
		}
		return (*params)(h), nil
	case httpx.IsJSON(contentType):
		return jsonParams(body)
	}
	return newParams(), nil
}

// jsonParams decodes a JSON body into params (Rack's depth limit; a body
// that is not an object is "_json").
func jsonParams(body []byte) (*params, error) {
	h, err := railsparams.ParseJSON(body, railsparams.JSONOptions{})
	if err != nil {
		return nil, &apiError{status: 400, class: "ActionDispatch::Http::Parameters::ParseError", message: "Error occurred while parsing request parameters"}
	}
	return (*params)(h), nil
}
