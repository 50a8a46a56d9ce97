package native

import (
	"testing"

	"usersd/internal/core"
)

// TestLayoutCoversRegistry: every field a caller may read has exactly one
// place in the native representation, and nothing else has one, so a new
// registry field cannot be forgotten (or leaked) here.
func TestLayoutCoversRegistry(t *testing.T) {
	places := map[string][]string{}
	for _, g := range layout {
		for _, name := range g.fields {
			places[name] = append(places[name], g.name)
		}
	}
	for _, f := range core.Fields {
		got := places[f.Name]
		switch {
		case f.Read == core.ReadNever && len(got) > 0:
			t.Errorf("field %s is never readable but the layout places it in %q", f.Name, got)
		case f.Read != core.ReadNever && len(got) != 1:
			t.Errorf("readable field %s is in %d groups %q, want exactly one", f.Name, len(got), got)
		}
		delete(places, f.Name)
	}
	for name := range places {
		t.Errorf("layout names %s, which is not a registry field", name)
	}
	seen := map[string]bool{}
	for i, g := range layout {
		if (i == 0) != (g.name == "") {
			t.Errorf("group %d is named %q; only the first, top-level group is unnamed", i, g.name)
		}
		if core.FieldByName(g.name) != nil || seen[g.name] {
			t.Errorf("group name %q clashes with a field or another group", g.name)
		}
		seen[g.name] = true
	}
}
