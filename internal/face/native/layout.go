package native

import (
	"usersd/internal/core"
	"usersd/internal/face/userlayout"
)

// A group is one object of the native user representation: its key in the
// user object ("" for the top level) and its registry fields in the order
// they are rendered.
type group struct {
	name   string
	about  string // the OpenAPI description of the group's object
	fields []string
}

// layout is userlayout.Groups, which the admin console shows too.
// TestLayoutCoversRegistry fails when a readable field is missing there.
var layout = func() []group {
	out := make([]group, len(userlayout.Groups))
	for i, g := range userlayout.Groups {
		out[i] = group{g.Name, g.About, g.Fields}
	}
	return out
}()

// A slot is a field resolved to its place in the layout.
type slot struct {
	field *core.Field
	group string // "" at the top level
}

// path is the field's name as the native API spells it: "name" at the top
// level, "profile.bio" inside a group.
func (s slot) path() string {
	if s.group == "" {
		return s.field.Name
	}
	return s.group + "." + s.field.Name
}

// slots is the layout resolved against the registry, in wire order;
// slotOf finds a field's slot by its registry name, groupByName a group.
var (
	slots       []slot
	slotOf      = map[string]slot{}
	groupByName = map[string]*group{}
)

func init() {
	for i := range layout {
		g := &layout[i]
		if g.name != "" {
			groupByName[g.name] = g
		}
		for _, name := range g.fields {
			f := core.FieldByName(name)
			if f == nil {
				panic("native: layout names unknown field " + name)
			}
			s := slot{f, g.name}
			slots = append(slots, s)
			slotOf[name] = s
		}
	}
}

// canRead is the one place the native API asks whether viewer may see a
// field of target: appendUser renders nothing else. The lead will swap it
// for the face's visibility profile.
func canRead(f *core.Field, viewer, target *core.User) bool {
	return target.ShowsField(f) // the core redacted target for viewer
}
