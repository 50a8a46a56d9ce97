package doc

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Python renders documents as Python's json.dumps with its defaults:
// ", " and ": " separators, no indentation, every non-ASCII character as
// a \uXXXX escape (ensure_ascii), keys sorted at every level when
// SortKeys is set (djblets' JSONEncoderAdapter), else in order.
type Python struct {
	SortKeys bool
}

// Marshal renders v.
func (p Python) Marshal(v Value) []byte { return p.Append(nil, v) }

// Append appends v's JSON to b.
func (p Python) Append(b []byte, v Value) []byte {
	switch v.kind {
	case KindString:
		return appendPyString(b, v.s)
	case KindTime:
		return appendPyString(b, JSON{}.time(v.t))
	case KindObject:
		fields := v.obj.fields
		if p.SortKeys {
			fields = slices.Clone(fields)
			slices.SortStableFunc(fields, func(a, b Field) int { return strings.Compare(a.Key, b.Key) })
		}
		b = append(b, '{')
		for i, f := range fields {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendPyString(b, f.Key)
			b = append(b, ": "...)
			b = p.Append(b, f.Value)
		}
		return append(b, '}')
	case KindArray:
		b = append(b, '[')
		for i, x := range v.arr {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = p.Append(b, x)
		}
		return append(b, ']')
	case KindFloat:
		return append(b, JSON{}.Marshal(v)...)
	}
	return JSON{}.Append(b, v)
}

// appendPyString is json.dumps' ASCII string encoding: the short escapes
// for quote, backslash and \b\f\n\r\t, \u00XX for other controls, and
// \uXXXX (surrogate pairs beyond the BMP) for everything non-ASCII.
// Invalid UTF-8 becomes U+FFFD, which Python strings cannot hold.
func appendPyString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, `\n`...)
			case c == '\r':
				b = append(b, `\r`...)
			case c == '\t':
				b = append(b, `\t`...)
			case c == '\b':
				b = append(b, `\b`...)
			case c == '\f':
				b = append(b, `\f`...)
			case c < 0x20:
				b = appendU(b, rune(c))
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r >= 0x10000 {
			r -= 0x10000
			b = appendU(b, 0xD800+(r>>10))
			b = appendU(b, 0xDC00+(r&0x3FF))
			continue
		}
		b = appendU(b, r)
	}
	return append(b, '"')
}

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hex[r>>12&0xF], hex[r>>8&0xF], hex[r>>4&0xF], hex[r&0xF])
}

// Djblets renders a document as djblets' XMLEncoderAdapter does: the
// declaration, then root with its keys as elements in order, lists as
// <array><item>…</item></array>, booleans as 1 and 0, null as an element
// with nothing but the indentation inside. Each start and end tag goes on
// its own line indented one space per level, except an end tag directly
// after text; there is no newline at the end.
func Djblets(root string, v Value) []byte {
	d := &djblets{}
	d.b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	d.start(root)
	d.value(v)
	d.end(root)
	return d.b.Bytes()
}

type djblets struct {
	b      bytes.Buffer
	level  int
	indent bool
}

func (d *djblets) value(v Value) {
	switch v.kind {
	case KindObject:
		for _, f := range v.obj.fields {
			d.start(f.Key)
			d.value(f.Value)
			d.end(f.Key)
		}
	case KindArray:
		d.start("array")
		for _, x := range v.arr {
			d.start("item")
			d.value(x)
			d.end("item")
		}
		d.end("array")
	case KindNull:
	case KindBool:
		d.text(map[bool]string{true: "1", false: "0"}[v.b])
	case KindInt:
		d.text(strconv.FormatInt(v.i, 10))
	case KindString:
		d.text(v.s)
	default:
		d.text(XML{}.text(v))
	}
}

func (d *djblets) pad() {
	if d.indent {
		d.b.WriteByte('\n')
		d.b.WriteString(strings.Repeat(" ", d.level))
	}
}

func (d *djblets) start(name string) {
	d.pad()
	d.b.WriteString("<" + name + ">")
	d.level++
	d.indent = true
}

func (d *djblets) end(name string) {
	d.level--
	d.pad()
	d.b.WriteString("</" + name + ">")
	d.indent = true
}

func (d *djblets) text(s string) {
	d.b.WriteString(LegacyEscaping.Text(Clean(s))) // xml.sax.saxutils.escape: &, < and >
	d.indent = false
}
