package core

// Entity is the field registry of one table: every column once, with the
// accessor of its Go field. Filters, ordering, paging and rendering of the
// entity all read it, and the SQL compiler resolves every field name
// through it.
type Entity struct {
	Name   string   // one record, in messages: "user", "member"
	Table  string   // the table the fields are columns of
	Fields []*Field // in table order

	byName map[string]*Field
}

// Users is the registry of the users table (spec/fields.md §1).
var Users *Entity

// ByName returns the entry named name, or nil.
func (e *Entity) ByName(name string) *Field { return e.byName[name] }

// SortValue returns the value the store orders f by in rec: the folded key
// for keyed text fields.
func (e *Entity) SortValue(f *Field, rec any) any {
	if f.Key != "" {
		return e.ByName(f.Key).Value(rec)
	}
	return f.Value(rec)
}

// newEntity builds the registry of records of type T. Every field's ptr
// must be a func(*T) any; a wrong one, or a duplicate name, is a
// programming error caught at start-up.
func newEntity[T any](name, table string, fields []*Field) *Entity {
	e := &Entity{Name: name, Table: table, Fields: fields, byName: make(map[string]*Field, len(fields))}
	for _, f := range fields {
		if e.byName[f.Name] != nil {
			panic("core: duplicate field " + table + "." + f.Name)
		}
		p, ok := f.ptr.(func(*T) any)
		if !ok {
			panic("core: field " + table + "." + f.Name + " has no accessor of its record type")
		}
		f.get = func(rec any) any { return p(rec.(*T)) }
		f.user, _ = f.ptr.(func(*User) any)
		setLimits(table, f)
		e.byName[f.Name] = f
	}
	for _, f := range fields {
		if f.Key == "" {
			continue
		}
		k := e.byName[f.Key]
		if k == nil {
			panic("core: field " + table + "." + f.Name + " names a missing key column")
		}
		k.isKey = true
	}
	return e
}
