package doc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzXMLEscape writes any string as an element's text and attribute in
// every XML dialect, through the Writer and through XML.Document, and
// checks that a strict XML parser reads the document back, and reads back
// the string itself where it holds only characters XML allows.
func FuzzXMLEscape(f *testing.F) {
	for _, s := range []string{
		"", "plain", `<a href="x">&amp;</a>`, "]]>", "\x00\x01\x08\x0b\x0c\x1f", "\t\n\r", "a\r\nb\rc",
		"\ufffe\uffff", "\ud7ff\ue000\ufffd", "\U0010ffff", "\xff\xfe", "\xed\xa0\x80", "é✓😀", "&#1;", "&lt;",
		"'\"", "\u0085\u2028", "<![CDATA[x]]>", "<?xml?>", "--><!--",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := normalizeLineEnds(Clean(s))
		for _, style := range []struct {
			name string
			esc  Escaping
		}{{"builder", BuilderEscaping}, {"legacy", LegacyEscaping}} {
			w := NewWriter(`<?xml version="1.0" encoding="UTF-8"?>`+"\n", "  ", style.esc)
			w.Open("root", nil)
			w.Leaf("a", Attrs("b", s), s)
			w.Empty("c", Attrs("d", s))
			w.Close("root")
			text, attrs, err := readBack(w.Bytes())
			if err != nil {
				t.Fatalf("%s: %q does not parse: %v\n%s", style.name, s, err, w.Bytes())
			}
			if text != want {
				t.Fatalf("%s: text %q reads back as %q, want %q", style.name, s, text, want)
			}
			// Both dialects write line breaks in attributes as references,
			// and Go's decoder does not normalize attribute white space.
			for _, a := range attrs {
				if a != Clean(s) {
					t.Fatalf("%s: attribute %q reads back as %q, want %q", style.name, s, a, Clean(s))
				}
			}
		}
		for _, st := range []Style{Rails, ReviewBoard} {
			o := NewObject()
			o.Add("v", String(s))
			o.Add("list", Array(String(s)))
			if _, _, err := readBack(XML{Style: st}.Document("doc", Obj(o))); err != nil {
				t.Fatalf("%q in a document does not parse: %v", s, err)
			}
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return !xmlChar(r) }) && Clean(s) != s {
			t.Fatalf("Clean changed %q, which XML allows", s)
		}
	})
}

// normalizeLineEnds is what an XML parser makes of line breaks in text
// (XML 1.0 §2.11).
func normalizeLineEnds(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// readBack parses doc strictly and returns the text of every element
// named "a" and the values of every attribute.
func readBack(doc []byte) (string, []string, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var text strings.Builder
	var attrs []string
	inA := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return text.String(), attrs, nil
		}
		if err != nil {
			return "", nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inA = t.Name.Local == "a"
			for _, a := range t.Attr {
				attrs = append(attrs, a.Value)
			}
		case xml.EndElement:
			inA = false
		case xml.CharData:
			if inA {
				text.Write(t)
			}
		}
	}
}
