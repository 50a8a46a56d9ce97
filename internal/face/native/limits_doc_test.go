//go:build !nodocvalidator

package native

import (
	"encoding/json"
	"testing"

	"usersd/internal/core"
)

// TestOpenAPILimits: the document states every field's bounds as the
// core checks them, in the schemas of rendered users and of writes.
func TestOpenAPILimits(t *testing.T) {
	docValidator(t)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]map[string]any `json:"properties"`
				MaxBytes   float64                   `json:"x-max-bytes"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Components.Schemas[schemaUser].MaxBytes; got != core.DefaultMaxUserBytes {
		t.Errorf("User x-max-bytes = %v, want %d", got, core.DefaultMaxUserBytes)
	}
	seen := map[string]bool{}
	for name, sc := range doc.Components.Schemas {
		if name == "Login" || name == "ImportRefusal" {
			continue // credentials, and a refused record's name as given: not fields
		}
		for prop, p := range sc.Properties {
			f := core.FieldByName(prop)
			if f == nil || (f.Kind != core.KindText && f.Kind != core.KindJSON) {
				continue
			}
			seen[prop] = true
			if p[xMaxBytes] != float64(f.MaxBytes) || f.MaxBytes == 0 {
				t.Errorf("%s.%s: x-max-bytes = %v, the core's bound is %d", name, prop, p[xMaxBytes], f.MaxBytes)
			}
			if f.Kind == core.KindJSON && (p[xMaxItemBytes] != float64(f.ItemMaxBytes) || p[xMaxDepth] != float64(core.MaxJSONDepth)) {
				t.Errorf("%s.%s: item bytes %v, depth %v; the core's are %d, %d", name, prop, p[xMaxItemBytes], p[xMaxDepth], f.ItemMaxBytes, core.MaxJSONDepth)
			}
		}
	}
	for _, f := range core.Fields {
		if (f.Kind == core.KindText || f.Kind == core.KindJSON) && f.Settable() && !seen[f.Name] && f.Read != core.ReadNever {
			t.Errorf("settable field %s is in no schema", f.Name)
		}
	}
}
