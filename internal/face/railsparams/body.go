package railsparams

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"unicode/utf8"
)

// ParseMultipart reads the fields of a multipart/form-data body as
// parameters. File parts are not parameters and are skipped; a malformed
// body, invalid UTF-8 or a nesting conflict is ErrInvalid.
func ParseMultipart(body []byte, boundary string) (*Hash, error) {
	return Options{}.ParseMultipart(body, boundary)
}

// ParseMultipart is ParseMultipart with o's cleaning and leniency: Clean
// applies to names and values, and a lenient parse keeps the fields read
// before a malformed part instead of failing.
func (o Options) ParseMultipart(body []byte, boundary string) (*Hash, error) {
	if boundary == "" {
		return nil, ErrInvalid
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var pairs []Pair
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if o.Lenient {
				break
			}
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if part.FormName() == "" || part.FileName() != "" {
			continue
		}
		// A part is no larger than body, which the caller has bounded.
		b, err := io.ReadAll(part)
		if err != nil && o.Lenient {
			break
		}
		name, value := part.FormName(), string(b)
		if o.Clean != nil {
			name, value = o.Clean(name), o.Clean(value)
		}
		if err != nil || !utf8.ValidString(name) || !utf8.ValidString(value) {
			return nil, ErrInvalid
		}
		pairs = append(pairs, Pair{Key: name, Value: value, HasValue: true})
	}
	return o.Build(pairs)
}

// JSONOptions adjusts DecodeJSON and ParseJSON to a face.
type JSONOptions struct {
	// MaxDepth is how deep arrays and objects may nest; 0 is DepthLimit.
	MaxDepth int
	// Clean, if set, rewrites every key and string value as it is read
	// (e621 strips NUL bytes, as its ParameterSanitizer does).
	Clean func(string) string
}

// DecodeJSON reads one JSON value: objects become *Hash in key order,
// arrays []any, numbers json.Number (their literal text), and strings,
// booleans and null stay as they are. Bad JSON, trailing data or nesting
// past the limit is ErrInvalid.
func DecodeJSON(body []byte, opt JSONOptions) (any, error) {
	if opt.MaxDepth == 0 {
		opt.MaxDepth = DepthLimit
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := decodeValue(dec, &opt, 0)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("trailing data")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return v, nil
}

// ParseJSON reads a JSON body as parameters. A body that is not an object
// is put under "_json", as Rails does.
func ParseJSON(body []byte, opt JSONOptions) (*Hash, error) {
	v, err := DecodeJSON(body, opt)
	if err != nil {
		return nil, err
	}
	if h, ok := v.(*Hash); ok {
		return h, nil
	}
	h := NewHash()
	h.Set("_json", v)
	return h, nil
}

func decodeValue(dec *json.Decoder, opt *JSONOptions, d int) (any, error) {
	if d > opt.MaxDepth {
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
			h := NewHash()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("bad key")
				}
				v, err := decodeValue(dec, opt, d+1)
				if err != nil {
					return nil, err
				}
				h.Set(opt.clean(key), v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return h, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec, opt, d+1)
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
	case string:
		return opt.clean(t), nil
	case json.Number, bool, nil:
		return t, nil
	}
	return nil, errors.New("unexpected token")
}

func (opt *JSONOptions) clean(s string) string {
	if opt.Clean == nil {
		return s
	}
	return opt.Clean(s)
}
