package imaging

import (
	"encoding/base64"
	"strings"
)

// maxHeader bounds the text between "data:" and the comma, which is split
// into parameters before the data is measured.
const maxHeader = 256

// Types are the media types a data URI may declare.
var Types = []string{"image/png", "image/jpeg", "image/webp"}

// ParseDataURI parses "data:<type>[;param=value...];base64,<data>" with
// one of Types and returns the declared type, lower-cased, and the
// decoded bytes. The base64 text is measured before it is decoded, so
// a huge upload costs no allocation: at most maxBytes decoded bytes are
// accepted. Padding is optional; whitespace is not allowed.
func ParseDataURI(s string, maxBytes int) (mime string, data []byte, err error) {
	const scheme = "data:"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return "", nil, bad("the image must be a data URI (data:image/png;base64,...)")
	}
	header, payload, ok := strings.Cut(s[len(scheme):], ",")
	if !ok {
		return "", nil, bad("the data URI has no comma before its data")
	}
	if len(header) > maxHeader {
		return "", nil, bad("the data URI's type and parameters are longer than %d bytes", maxHeader)
	}
	params := strings.Split(header, ";")
	mime = strings.ToLower(strings.TrimSpace(params[0]))
	if len(params) < 2 || !strings.EqualFold(strings.TrimSpace(params[len(params)-1]), "base64") {
		return "", nil, bad("the data URI must be base64-encoded (;base64,)")
	}
	known := false
	for _, t := range Types {
		known = known || mime == t
	}
	if !known {
		if mime == "" {
			return "", nil, bad("the data URI declares no type; accepted: image/png, image/jpeg, image/webp")
		}
		return "", nil, bad("images of type %q are not accepted; accepted: image/png, image/jpeg, image/webp", mime)
	}
	if len(payload) > base64.StdEncoding.EncodedLen(maxBytes) {
		return "", nil, tooLarge("the image is larger than %d bytes", maxBytes)
	}
	enc := base64.StdEncoding
	if len(payload)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	if strings.ContainsAny(payload, "\r\n") {
		// The decoder skips line breaks; refusing them keeps the length
		// check above exact.
		return "", nil, bad("the base64 data contains line breaks")
	}
	data, err = enc.DecodeString(payload)
	if err != nil {
		return "", nil, bad("the base64 data is malformed: %v", err)
	}
	if len(data) > maxBytes {
		return "", nil, tooLarge("the image is larger than %d bytes", maxBytes)
	}
	if len(data) == 0 {
		return "", nil, bad("the data URI holds no data")
	}
	return mime, data, nil
}
