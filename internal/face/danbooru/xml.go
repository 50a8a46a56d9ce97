package danbooru

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// xmlWriter writes XML the way Ruby's Builder::XmlMarkup does with
// indent 2, as Rails' to_xml uses it: an XML declaration, one element per
// line, self-closing empty elements.
type xmlWriter struct {
	b     bytes.Buffer
	depth int
}

type xmlAttr struct{ name, value string }

// attrs builds an attribute list from name, value pairs.
func attrs(kv ...string) []xmlAttr {
	var out []xmlAttr
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, xmlAttr{kv[i], kv[i+1]})
	}
	return out
}

func newXMLWriter() *xmlWriter {
	x := &xmlWriter{}
	x.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	return x
}

func (x *xmlWriter) indent() {
	for range x.depth {
		x.b.WriteString("  ")
	}
}

func (x *xmlWriter) start(name string, as []xmlAttr) {
	x.indent()
	x.b.WriteByte('<')
	x.b.WriteString(name)
	for _, a := range as {
		x.b.WriteByte(' ')
		x.b.WriteString(a.name)
		x.b.WriteString(`="`)
		x.b.WriteString(xmlAttrEscape(a.value))
		x.b.WriteByte('"')
	}
}

// open starts an element whose children follow.
func (x *xmlWriter) open(name string, as []xmlAttr) {
	x.start(name, as)
	x.b.WriteString(">\n")
	x.depth++
}

// close ends the element open started.
func (x *xmlWriter) close(name string) {
	x.depth--
	x.indent()
	x.b.WriteString("</" + name + ">\n")
}

// leaf writes an element holding text.
func (x *xmlWriter) leaf(name string, as []xmlAttr, text string) {
	x.start(name, as)
	x.b.WriteByte('>')
	x.b.WriteString(xmlTextEscape(text))
	x.b.WriteString("</" + name + ">\n")
}

// empty writes a self-closing element.
func (x *xmlWriter) empty(name string, as []xmlAttr) {
	x.start(name, as)
	x.b.WriteString("/>\n")
}

func (x *xmlWriter) raw(s string) { x.b.WriteString(s) }

func (x *xmlWriter) bytes() []byte { return x.b.Bytes() }

// xmlTextEscape is Builder's text escaping: &, <, > and " become
// entities, and characters XML 1.0 forbids become "*".
func xmlTextEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteByte('*')
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case !xmlChar(r):
			b.WriteByte('*')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func xmlAttrEscape(s string) string {
	s = xmlTextEscape(s)
	return strings.NewReplacer("\n", "&#10;", "\r", "&#13;").Replace(s)
}

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// dasherize is XmlMini.rename_key: underscores become dashes.
func dasherize(key string) string { return strings.ReplaceAll(key, "_", "-") }
