package doc

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Escaping is how text and attribute values are escaped. Every value
// reaches it through Clean first (the Writer sees to that), so no
// dialect can emit a character XML 1.0 forbids; an Escaping only quotes
// markup.
type Escaping struct {
	Text, Attr func(string) string
}

// BuilderEscaping is Ruby's Builder::XmlMarkup as Rails' to_xml uses it:
// &, <, > and " become entities, characters XML 1.0 forbids (and invalid
// UTF-8) become "*", and attributes also escape line breaks.
var BuilderEscaping = Escaping{Text: builderText.Replace, Attr: builderAttr.Replace}

// LegacyEscaping is the Danbooru 1 era XML that e621's legacy API still
// serves: text escapes only &, < and >; attributes also escape ", tab and
// line breaks. Characters XML 1.0 forbids become "*" here too (upstream
// sent them as they were, which no XML parser accepts).
var LegacyEscaping = Escaping{Text: legacyText.Replace, Attr: legacyAttr.Replace}

var (
	builderText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	builderAttr = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;")
	legacyText  = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	legacyAttr  = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
)

// Clean returns s with every character that XML 1.0 forbids (C0 controls
// but tab and line breaks, surrogates, U+FFFE, U+FFFF) and every invalid
// UTF-8 byte replaced by "*", as Builder does. It is the one path by
// which text reaches an XML document.
func Clean(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError || !xmlChar(r) })
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1, !xmlChar(r):
			b.WriteByte('*')
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// Attr is one XML attribute.
type Attr struct{ Name, Value string }

// Attrs builds an attribute list from name, value pairs.
func Attrs(kv ...string) []Attr {
	var out []Attr
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, Attr{kv[i], kv[i+1]})
	}
	return out
}

// Writer writes indented XML one element per line, self-closing empty
// elements, the way Builder::XmlMarkup does with an indent.
type Writer struct {
	b      bytes.Buffer
	depth  int
	indent string
	esc    Escaping
}

// NewWriter starts a document with the declaration decl (a full line,
// or "" for none), indenting each level by indent.
func NewWriter(decl, indent string, esc Escaping) *Writer {
	w := &Writer{indent: indent, esc: esc}
	w.b.WriteString(decl)
	return w
}

func (w *Writer) pad() {
	for range w.depth {
		w.b.WriteString(w.indent)
	}
}

func (w *Writer) start(name string, as []Attr) {
	w.pad()
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for _, a := range as {
		w.b.WriteByte(' ')
		w.b.WriteString(a.Name)
		w.b.WriteString(`="`)
		w.b.WriteString(w.esc.Attr(Clean(a.Value)))
		w.b.WriteByte('"')
	}
}

// Open starts an element whose children follow on their own lines.
func (w *Writer) Open(name string, as []Attr) {
	w.start(name, as)
	w.b.WriteString(">\n")
	w.depth++
}

// Close ends the element Open started.
func (w *Writer) Close(name string) {
	w.depth--
	w.pad()
	w.b.WriteString("</" + name + ">\n")
}

// Leaf writes an element holding text.
func (w *Writer) Leaf(name string, as []Attr, text string) {
	w.start(name, as)
	w.b.WriteByte('>')
	w.b.WriteString(w.esc.Text(Clean(text)))
	w.b.WriteString("</" + name + ">\n")
}

// Empty writes a self-closing element.
func (w *Writer) Empty(name string, as []Attr) {
	w.start(name, as)
	w.b.WriteString("/>\n")
}

// Raw writes s as it is.
func (w *Writer) Raw(s string) { w.b.WriteString(s) }

// Bytes is the document so far.
func (w *Writer) Bytes() []byte { return w.b.Bytes() }

// Style is an XML dialect for documents.
type Style struct {
	// Declaration opens the document (a full line, or "").
	Declaration string
	// Indent is one level of indentation.
	Indent string
	// Escaping escapes text and attributes.
	Escaping Escaping
	// Dasherize renames keys with "_" to "-" (Rails' XmlMini.rename_key).
	Dasherize bool
	// Types adds Rails' type attributes (integer, boolean, dateTime,
	// float, array, or what Value.Typed fixed) and nil="true" on nulls.
	Types bool
	// ArrayWrap, if set, is an element each array's items are wrapped
	// in inside the key's element (Review Board's <array>).
	ArrayWrap string
	// Item names the element of an array item from the array's
	// (renamed) key.
	Item func(key string) string
	// Bool renders a boolean's text.
	Bool func(bool) string
}

// Rails is ActiveSupport's to_xml through Builder with indent 2.
var Rails = Style{
	Declaration: `<?xml version="1.0" encoding="UTF-8"?>` + "\n",
	Indent:      "  ",
	Escaping:    BuilderEscaping,
	Dasherize:   true,
	Types:       true,
	Item:        Singular,
	Bool:        strconv.FormatBool,
}

// ReviewBoard is djblets' XMLEncoderAdapter: plain element names, no
// type attributes, lists as <array><item>…</item></array>, booleans as
// 1 and 0, nulls as empty elements.
var ReviewBoard = Style{
	Declaration: `<?xml version="1.0" encoding="utf-8"?>` + "\n",
	Indent:      "",
	Escaping:    BuilderEscaping,
	ArrayWrap:   "array",
	Item:        func(string) string { return "item" },
	Bool: func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	},
}

// Singular is Rails' singularize for the keys faces use: a trailing "s"
// is dropped.
func Singular(key string) string {
	if len(key) > 1 && key[len(key)-1] == 's' {
		return key[:len(key)-1]
	}
	return key
}

// XML renders documents in a Style.
type XML struct {
	Style Style
	// Time formats instants; nil is RFC 3339 in UTC.
	Time func(time.Time) string
}

// Document renders v as the root element named root, declaration first.
func (x XML) Document(root string, v Value) []byte {
	w := NewWriter(x.Style.Declaration, x.Style.Indent, x.Style.Escaping)
	x.Element(w, root, v)
	return w.Bytes()
}

// Element writes v as an element named name (keys inside are renamed by
// the style; name is used as given).
func (x XML) Element(w *Writer, name string, v Value) {
	st := &x.Style
	var as []Attr
	if st.Types {
		if t := xmlType(v); t != "" {
			as = Attrs("type", t)
		}
	}
	switch v.kind {
	case KindNull:
		if st.Types {
			as = append(as, Attr{"nil", "true"})
		}
		w.Empty(name, as)
	case KindObject:
		w.Open(name, as)
		for _, f := range v.obj.fields {
			x.Element(w, x.key(f.Key), f.Value)
		}
		w.Close(name)
	case KindArray:
		if len(v.arr) == 0 {
			w.Empty(name, as)
			return
		}
		w.Open(name, as)
		if st.ArrayWrap != "" {
			w.Open(st.ArrayWrap, nil)
		}
		item := name
		if st.Item != nil {
			item = st.Item(name)
		}
		for _, it := range v.arr {
			x.Element(w, item, it)
		}
		if st.ArrayWrap != "" {
			w.Close(st.ArrayWrap)
		}
		w.Close(name)
	default:
		w.Leaf(name, as, x.text(v))
	}
}

func (x XML) key(k string) string {
	if x.Style.Dasherize {
		return strings.ReplaceAll(k, "_", "-")
	}
	return k
}

// text is a scalar's element text.
func (x XML) text(v Value) string {
	switch v.kind {
	case KindInt:
		return strconv.FormatInt(v.i, 10)
	case KindBool:
		if x.Style.Bool != nil {
			return x.Style.Bool(v.b)
		}
		return strconv.FormatBool(v.b)
	case KindTime:
		if x.Time != nil {
			return x.Time(v.t)
		}
		return v.t.UTC().Format(time.RFC3339)
	case KindFloat:
		switch {
		case math.IsInf(v.f, 1):
			return "Infinity"
		case math.IsInf(v.f, -1):
			return "-Infinity"
		case math.IsNaN(v.f):
			return "NaN"
		}
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	}
	return v.s
}

// xmlType is the type attribute Rails gives a value: fixed by Typed, else
// by its kind (strings, raw JSON, objects and null carry none).
func xmlType(v Value) string {
	if v.typed {
		return v.xtype
	}
	switch v.kind {
	case KindInt:
		return "integer"
	case KindBool:
		return "boolean"
	case KindTime:
		return "dateTime"
	case KindFloat:
		return "float"
	case KindArray:
		return "array"
	}
	return ""
}
