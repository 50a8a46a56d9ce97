package native

import (
	"fmt"

	"usersd/internal/core"
)

// OpenAPI extensions for the core's byte bounds, which JSON Schema cannot
// say: maxLength counts characters, and nothing counts JSON bytes.
const (
	xMaxBytes     = "x-max-bytes"      // bytes of UTF-8 (text), of compact JSON (JSON fields, a whole user)
	xMaxItemBytes = "x-max-item-bytes" // bytes of compact JSON of each item (array) or member (object)
	xMaxDepth     = "x-max-depth"      // nesting levels of a JSON value; {} and [] are one
)

// limitsAbout is the document's note on the bounds no one field carries.
var limitsAbout = fmt.Sprintf("Every text and JSON field has a byte bound (x-max-bytes) besides its characters or items, "+
	"JSON values nest at most %d levels, and a whole user takes at most %d bytes as JSON by default (usersd serve --max-user-bytes); "+
	"a write past any bound is a 400 naming the field. Anonymous sign-ups are limited per client address (--signup-addr-limit, "+
	"by default %d an hour): past it, 429 with Retry-After.", core.MaxJSONDepth, core.DefaultMaxUserBytes, core.DefaultSignupsPerAddr)

// dateRange describes the range of a date field.
func dateRange(f *core.Field) string {
	if f.DateMax == core.Today {
		return fmt.Sprintf("From %s to today.", f.DateMin)
	}
	return fmt.Sprintf("From %s to %s.", f.DateMin, f.DateMax)
}
