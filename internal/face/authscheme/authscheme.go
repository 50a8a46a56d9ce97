// Package authscheme parses the Authorization header schemes the faces
// accept: Basic (login:password in base64), Token ("Authorization: token
// <t>", as Review Board and DRF's TokenAuthentication use) and Bearer
// (RFC 6750, the native API). Which schemes a face takes, and what it
// answers for a wrong one, stay in the face.
package authscheme

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// Scheme is a recognized authentication scheme.
type Scheme int

// Schemes. Scheme names match case-insensitively (RFC 9110 §11.1).
const (
	Unknown Scheme = iota // absent or any other scheme
	Basic
	Token
	Bearer
)

// Base64 chooses how a Basic header's payload is decoded.
type Base64 int

const (
	// Strict is RFC 4648 standard base64 with padding; anything else
	// fails to decode.
	Strict Base64 = iota
	// Lenient is Ruby's String#unpack1("m") (Base64.decode64), which the
	// Rails faces' upstreams use: characters outside the alphabet are
	// skipped, "=" ends the data once a group has two characters, and a
	// partial last group yields what bytes it can. It never fails.
	Lenient
)

// Credentials are what one Authorization header carries.
type Credentials struct {
	Scheme Scheme
	// Name is the scheme as sent ("Basic", "token", ...).
	Name string
	// Payload is the rest of the header after the scheme and the white
	// space following it.
	Payload string
	// Login and Password are a Basic header's decoded parts; OK says the
	// payload decoded and held a ":".
	Login, Password string
	OK              bool
}

// Parse reads an Authorization header. For Basic it decodes the payload
// with mode; for Token and Bearer Payload is the token, trimmed. An empty
// header gives the zero Credentials.
func Parse(header string, mode Base64) Credentials {
	name, payload := Split(header)
	c := Credentials{Name: name, Payload: payload}
	switch {
	case strings.EqualFold(name, "Basic"):
		c.Scheme = Basic
		c.Login, c.Password, c.OK = DecodeBasic(payload, mode)
	case strings.EqualFold(name, "Token"):
		c.Scheme, c.Payload, c.OK = Token, strings.TrimSpace(payload), true
	case strings.EqualFold(name, "Bearer"):
		c.Scheme, c.Payload, c.OK = Bearer, strings.TrimSpace(payload), true
	}
	return c
}

// space is the white space Ruby's regexps and Rack split headers on.
const space = " \t\r\n\f\v"

// Split cuts a header into its scheme and the rest: leading white space
// is skipped, the scheme runs to the next white space, and the rest
// starts after that run of white space.
func Split(header string) (scheme, rest string) {
	header = strings.TrimLeft(header, space)
	i := strings.IndexAny(header, space)
	if i < 0 {
		return header, ""
	}
	return header[:i], strings.TrimLeft(header[i:], space)
}

// RailsBasic reads Basic credentials as Danbooru's and e621ng's
// SessionLoader do: Base64.decode64(authorization.split(" ", 2).last),
// split at the first colon. The scheme is not checked, and a header of
// one word is all payload.
func RailsBasic(header string) (login, password string, ok bool) {
	scheme, rest := Split(header)
	if rest == "" && !strings.ContainsAny(strings.TrimLeft(header, space), space) {
		rest = scheme
	}
	return DecodeBasic(rest, Lenient)
}

// DecodeBasic decodes a Basic payload and splits it at the first colon.
// ok is false when the payload does not decode (Strict only) or has no
// colon.
func DecodeBasic(payload string, mode Base64) (login, password string, ok bool) {
	var raw []byte
	if mode == Lenient {
		raw = DecodeRuby(payload)
	} else {
		b, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(payload))
		if err != nil {
			return "", "", false
		}
		raw = b
	}
	login, password, ok = strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	return login, password, true
}

// DecodeRuby is Ruby's String#unpack1("m") (pack.c, non-strict base64):
// bytes outside the alphabet are skipped; "=" is skipped in the first two
// places of a group and ends decoding in the last two; a trailing group
// of two or three characters gives one or two bytes.
func DecodeRuby(s string) []byte {
	out := make([]byte, 0, len(s)*3/4)
	var buf [4]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		v, ok := sextet(c)
		if !ok {
			if c == '=' && n >= 2 {
				break
			}
			continue
		}
		buf[n] = v
		n++
		if n == 4 {
			out = append(out, buf[0]<<2|buf[1]>>4, buf[1]<<4|buf[2]>>2, buf[2]<<6|buf[3])
			n = 0
		}
	}
	switch n {
	case 2:
		out = append(out, buf[0]<<2|buf[1]>>4)
	case 3:
		out = append(out, buf[0]<<2|buf[1]>>4, buf[1]<<4|buf[2]>>2)
	}
	return out
}

func sextet(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A', true
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26, true
	case c >= '0' && c <= '9':
		return c - '0' + 52, true
	case c == '+':
		return 62, true
	case c == '/':
		return 63, true
	}
	return 0, false
}

// BearerOrBare reads a header that carries a token either as "Bearer
// <token>" or bare, as pronouns.cc's API takes it: the token, trimmed,
// or "" for an empty header. Any other scheme word stays part of the
// token, which then fails to authenticate.
func BearerOrBare(header string) string {
	c := Parse(header, Strict)
	if c.Scheme == Bearer {
		return c.Payload
	}
	return strings.Trim(header, space)
}

// Words splits a header on ASCII whitespace, as Python's bytes.split()
// does: Django REST framework's TokenAuthentication reads
// "Token <key>" so, and counts the words.
func Words(header string) []string {
	return strings.FieldsFunc(header, func(r rune) bool { return r < utf8.RuneSelf && strings.ContainsRune(space, r) })
}
