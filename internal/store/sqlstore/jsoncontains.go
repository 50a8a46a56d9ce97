package sqlstore

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"usersd/internal/core"
)

// jsonContains writes "JSON column col contains the object v" (a
// json.RawMessage the core has checked), with PostgreSQL's jsonb @>
// semantics: every key of an object present with a containing value, every
// item of an array contained in some item, scalars equal (numbers by
// value). Engines with a containment operator use it (Flavor.JSONContains);
// otherwise the pattern unfolds into json_each sub-selects, one per key and
// array item, which read each candidate row's JSON (no index: fields.md
// Q6; the list deadline bounds the scan).
func (db *DB) jsonContains(b *builder, f *core.Field, col string, v any) error {
	bad := &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{f.Name: "does not support JSON containment"}}
	raw, ok := v.(json.RawMessage)
	if !ok || f.Kind != core.KindJSON {
		return bad
	}
	if db.F.JSONContains != nil {
		b.write(db.F.JSONContains(col, b.arg(string(raw))))
		return b.err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var pat any
	if err := dec.Decode(&pat); err != nil {
		return bad
	}
	if _, ok := pat.(map[string]any); !ok {
		return bad
	}
	b.write("(")
	b.containsJSON(col, pat)
	b.write(")")
	return b.err
}

// containsJSON writes "the JSON text doc contains pat", an object or array.
func (b *builder) containsJSON(doc string, pat any) {
	each := func(item any, key *string) {
		b.seq++
		a := "je" + strconv.Itoa(b.seq)
		b.write(" AND EXISTS (SELECT 1 FROM json_each(", doc, ") ", a, " WHERE ")
		if key != nil {
			b.write(a, ".key = ", b.arg(*key), " AND ")
		}
		b.containsItem(a, item)
		b.write(")")
	}
	switch p := pat.(type) {
	case map[string]any:
		b.write("json_type(", doc, ") = 'object'")
		keys := make([]string, 0, len(p))
		for k := range p {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			each(p[k], &k)
		}
	case []any:
		b.write("json_type(", doc, ") = 'array'")
		for _, item := range p {
			each(item, nil)
		}
	}
}

// containsItem writes "the json_each row a holds a value containing pat":
// a scalar of the same JSON type and value, or a container of the same
// kind containing it.
func (b *builder) containsItem(a string, pat any) {
	switch p := pat.(type) {
	case nil:
		b.write(a, ".type = 'null'")
	case bool:
		b.write(a, ".type = '", strconv.FormatBool(p), "'")
	case string:
		b.write(a, ".type = 'text' AND ", a, ".atom = ", b.arg(p))
	case json.Number:
		// integer and real compare by value, as jsonb's numeric does.
		var v any
		if i, err := p.Int64(); err == nil {
			v = i
		} else {
			v, _ = p.Float64()
		}
		b.write(a, ".type IN ('integer', 'real') AND ", a, ".atom = ", b.arg(v))
	case map[string]any:
		b.write(a, ".type = 'object' AND (")
		b.containsJSON(a+".value", p)
		b.write(")")
	case []any:
		b.write(a, ".type = 'array' AND (")
		b.containsJSON(a+".value", p)
		b.write(")")
	}
}
