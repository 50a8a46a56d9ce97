package facetest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"testing"
)

// WellFormedXML fails the test unless body is one well-formed XML 1.0
// document: encoding/xml in strict mode reads every token (so characters
// XML forbids, bad entities and unbalanced tags are errors) and exactly
// one root element. what names the body in the failure.
func WellFormedXML(tb testing.TB, what string, body []byte) {
	tb.Helper()
	if err := CheckXML(body); err != nil {
		const max = 2000
		shown := body
		if len(shown) > max {
			shown = shown[:max]
		}
		tb.Errorf("%s: not well-formed XML: %v\n%q", what, err, shown)
	}
}

// CheckXML returns why body is not one well-formed XML 1.0 document, or
// nil (see WellFormedXML).
func CheckXML(body []byte) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("declares charset %q; usersd writes UTF-8", charset)
	}
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("text outside the root element: %q", t)
			}
		}
	}
	switch {
	case depth != 0:
		return errors.New("unclosed elements at the end")
	case roots != 1:
		return fmt.Errorf("%d root elements, want 1", roots)
	}
	return nil
}
