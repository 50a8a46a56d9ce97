package query

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of the native filter language, so one request cannot make the
// database compile or run an unbounded statement.
const (
	MaxFilterLength = 4096 // bytes of filter text
	MaxConditions   = 100  // conditions plus in-list values
	MaxDepth        = 16   // nested parentheses and negations
)

// SyntaxError is a filter the parser refused; Pos is a byte offset.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("filter: at %d: %s", e.Pos, e.Msg) }

// ErrTooComplex reports a filter over MaxConditions or MaxDepth.
var ErrTooComplex = errors.New("filter: too complex")

// Parse reads the native filter language:
//
//	expr  = and { "||" and }
//	and   = unary { "&&" unary }
//	unary = "!" unary | "(" expr ")" | cond
//	cond  = field ( "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "startswith" | "like" ) value
//	      | field "in" "(" value { "," value } ")"
//	      | field "is" [ "not" ] "null"
//	value = integer | "quoted string" | true | false | null
//
// "field = null" and "field != null" mean "is null" and "is not null".
func Parse(s string) (Expr, error) {
	if len(s) > MaxFilterLength {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrTooComplex, MaxFilterLength)
	}
	if !utf8.ValidString(s) {
		return nil, &SyntaxError{0, "not valid UTF-8"}
	}
	p := &parser{src: s}
	p.next()
	e, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.errorf("unexpected %s", p.tok)
	}
	return e, nil
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tInt
	tString
	tOp     // = != < <= > >=
	tAnd    // &&
	tOr     // ||
	tNot    // !
	tLParen // (
	tRParen // )
	tComma  // ,
	tBad
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) String() string {
	if t.kind == tEOF {
		return "end of filter"
	}
	return strconv.Quote(t.text)
}

type parser struct {
	src   string
	pos   int
	tok   token
	conds int
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{p.tok.pos, fmt.Sprintf(format, args...)}
}

func (p *parser) next() {
	s := p.src
	for p.pos < len(s) && (s[p.pos] == ' ' || s[p.pos] == '\t' || s[p.pos] == '\n' || s[p.pos] == '\r') {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(s) {
		p.tok = token{tEOF, "", start}
		return
	}
	c := s[p.pos]
	two := ""
	if p.pos+1 < len(s) {
		two = s[p.pos : p.pos+2]
	}
	switch {
	case two == "&&":
		p.pos += 2
		p.tok = token{tAnd, two, start}
	case two == "||":
		p.pos += 2
		p.tok = token{tOr, two, start}
	case two == "!=" || two == "<=" || two == ">=":
		p.pos += 2
		p.tok = token{tOp, two, start}
	case c == '=' || c == '<' || c == '>':
		p.pos++
		p.tok = token{tOp, s[start:p.pos], start}
	case c == '!':
		p.pos++
		p.tok = token{tNot, "!", start}
	case c == '(':
		p.pos++
		p.tok = token{tLParen, "(", start}
	case c == ')':
		p.pos++
		p.tok = token{tRParen, ")", start}
	case c == ',':
		p.pos++
		p.tok = token{tComma, ",", start}
	case c == '"':
		p.pos++
		for p.pos < len(s) && s[p.pos] != '"' {
			if s[p.pos] == '\\' {
				p.pos++
			}
			p.pos++
		}
		if p.pos >= len(s) {
			p.tok = token{tBad, s[start:], start}
			return
		}
		p.pos++
		p.tok = token{tString, s[start:p.pos], start}
	case c == '-' || (c >= '0' && c <= '9'):
		p.pos++
		for p.pos < len(s) && s[p.pos] >= '0' && s[p.pos] <= '9' {
			p.pos++
		}
		p.tok = token{tInt, s[start:p.pos], start}
	case c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		for p.pos < len(s) && (s[p.pos] == '_' || (s[p.pos] >= 'a' && s[p.pos] <= 'z') || (s[p.pos] >= 'A' && s[p.pos] <= 'Z') || (s[p.pos] >= '0' && s[p.pos] <= '9')) {
			p.pos++
		}
		p.tok = token{tIdent, s[start:p.pos], start}
	default:
		_, n := utf8.DecodeRuneInString(s[p.pos:])
		p.pos += n
		p.tok = token{tBad, s[start:p.pos], start}
	}
}

func (p *parser) or(depth int) (Expr, error) {
	var xs Or
	for {
		x, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
		if p.tok.kind != tOr {
			break
		}
		p.next()
	}
	if len(xs) == 1 {
		return xs[0], nil
	}
	return xs, nil
}

func (p *parser) and(depth int) (Expr, error) {
	var xs And
	for {
		x, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
		if p.tok.kind != tAnd {
			break
		}
		p.next()
	}
	if len(xs) == 1 {
		return xs[0], nil
	}
	return xs, nil
}

func (p *parser) unary(depth int) (Expr, error) {
	if depth >= MaxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", ErrTooComplex, MaxDepth)
	}
	switch p.tok.kind {
	case tNot:
		p.next()
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	case tLParen:
		p.next()
		x, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.errorf("expected \")\", found %s", p.tok)
		}
		p.next()
		return x, nil
	case tIdent:
		return p.cond()
	}
	return nil, p.errorf("expected a field name, found %s", p.tok)
}

func (p *parser) count(n int) error {
	p.conds += n
	if p.conds > MaxConditions {
		return fmt.Errorf("%w: more than %d conditions", ErrTooComplex, MaxConditions)
	}
	return nil
}

var wordOps = map[string]Op{"contains": Contains, "startswith": Prefix, "like": Like}
var symOps = map[string]Op{"=": Eq, "!=": Ne, "<": Lt, "<=": Le, ">": Gt, ">=": Ge}

func (p *parser) cond() (Expr, error) {
	if err := p.count(1); err != nil {
		return nil, err
	}
	c := &Cond{Field: p.tok.text}
	p.next()
	switch {
	case p.tok.kind == tOp:
		c.Op = symOps[p.tok.text]
	case p.tok.kind == tIdent && wordOps[p.tok.text] != 0:
		c.Op = wordOps[p.tok.text]
	case p.tok.kind == tIdent && p.tok.text == "in":
		p.next()
		return p.in(c)
	case p.tok.kind == tIdent && p.tok.text == "is":
		p.next()
		c.Op = IsNull
		if p.tok.kind == tIdent && p.tok.text == "not" {
			c.Op = NotNull
			p.next()
		}
		if p.tok.kind != tIdent || p.tok.text != "null" {
			return nil, p.errorf("expected \"null\", found %s", p.tok)
		}
		p.next()
		return c, nil
	default:
		return nil, p.errorf("expected an operator after %q, found %s", c.Field, p.tok)
	}
	p.next()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if v == nil {
		switch c.Op {
		case Eq:
			c.Op = IsNull
		case Ne:
			c.Op = NotNull
		default:
			return nil, p.errorf("null compares only with = and !=")
		}
		return c, nil
	}
	c.Value = v
	return c, nil
}

func (p *parser) in(c *Cond) (Expr, error) {
	c.Op = In
	if p.tok.kind != tLParen {
		return nil, p.errorf("expected \"(\" after in, found %s", p.tok)
	}
	p.next()
	for {
		if err := p.count(1); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, p.errorf("null is not allowed in a list")
		}
		c.Values = append(c.Values, v)
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		if p.tok.kind != tRParen {
			return nil, p.errorf("expected \",\" or \")\", found %s", p.tok)
		}
		p.next()
		return c, nil
	}
}

func (p *parser) value() (any, error) {
	t := p.tok
	switch t.kind {
	case tInt:
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, p.errorf("bad integer %s", t)
		}
		p.next()
		return n, nil
	case tString:
		s, err := strconv.Unquote(t.text)
		if err != nil || !utf8.ValidString(s) {
			return nil, p.errorf("bad string %s", t)
		}
		p.next()
		return s, nil
	case tIdent:
		p.next()
		switch strings.ToLower(t.text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		return nil, &SyntaxError{t.pos, fmt.Sprintf("expected a value, found %s (quote strings)", t)}
	}
	return nil, p.errorf("expected a value, found %s", t)
}
