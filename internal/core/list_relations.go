package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"usersd/internal/query"
)

// relationFields are the relations a users filter may name
// (query.Groups, query.UserPermissions) as pseudo-fields of the registry:
// read self (spec/fields.md §2.5), so the profile's rule for self-readable
// fields says who may filter on them, as it says who sees them
// (Face.relationsVisible): a viewer not shown others' groups cannot probe
// them with a filter either.
var relationFields = map[string]*Field{
	query.Groups:          {Name: query.Groups, Kind: KindInt, Read: ReadSelf},
	query.UserPermissions: {Name: query.UserPermissions, Kind: KindInt, Read: ReadSelf},
}

// maxRelationIDs bounds the ids of one relation filter.
const maxRelationIDs = 100

// relation checks a relation filter: In (or Eq) over positive ids, on
// faces whose syntax names its own fields (the native filter language has
// no relations), by viewers who may search the relation.
func (n *normalizer) relation(f *Field, c *query.Cond) (query.Expr, error) {
	bad := func(reason string) error {
		return &Error{Code: Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: reason}}
	}
	if !n.p.AnyField {
		return nil, bad("is not a field")
	}
	if !n.p.searchesOn(f, n.viewer, n.grants) {
		return nil, &Error{Code: Forbidden, Reason: ReasonFieldHidden, Message: "You may not filter on this field.",
			Fields: map[string]string{c.Field: "you may not filter on this field"}}
	}
	vals := c.Values
	switch c.Op {
	case query.In:
	case query.Eq:
		vals = []any{c.Value}
	default:
		return nil, bad(fmt.Sprintf("does not support %q", c.Op.String()))
	}
	if len(vals) > maxRelationIDs {
		return nil, bad(fmt.Sprintf("names more than %d ids", maxRelationIDs))
	}
	out := &query.Cond{Field: c.Field, Op: query.In}
	seen := map[int64]bool{}
	for _, v := range vals {
		id, ok := v.(int64)
		if !ok {
			return nil, bad("needs integer ids")
		}
		if id >= 1 && !seen[id] {
			seen[id] = true
			out.Values = append(out.Values, id)
		}
	}
	return out, nil
}

// UnknownRelated returns those of ids that name no row of a users
// relation (query.Groups: no group; query.UserPermissions: no permission),
// in the order given, so that a face can refuse a relation filter's
// unknown ids before listing (Django's "Select a valid choice").
// Codes: Forbidden (outside Readers, or the viewer may not filter on the
// relation here: ReasonFieldHidden), Invalid (not a relation).
func (f *Face) UnknownRelated(ctx context.Context, viewer *User, relation string, ids []int64) ([]int64, error) {
	if err := f.MayRead(viewer); err != nil {
		return nil, err
	}
	n := normalizer{p: f.p, viewer: viewer, grants: f.s.UpstreamHiddenSearch}
	rf := relationFields[relation]
	if rf == nil {
		return nil, FieldError(relation, "is not a relation")
	}
	if _, err := n.relation(rf, &query.Cond{Field: relation, Op: query.In}); err != nil {
		return nil, err
	}
	if len(ids) > maxRelationIDs {
		return nil, FieldError(relation, fmt.Sprintf("names more than %d ids", maxRelationIDs))
	}
	var known []int64
	var err error
	if relation == query.Groups {
		known, err = f.s.store.FindGroupIDs(ctx, ids)
	} else {
		known, err = f.s.store.FindPermissionIDs(ctx, ids)
	}
	if err != nil {
		return nil, err
	}
	has := make(map[int64]bool, len(known))
	for _, id := range known {
		has[id] = true
	}
	var unknown []int64
	for _, id := range ids {
		if !has[id] {
			unknown = append(unknown, id)
		}
	}
	return unknown, nil
}

// JSON containment bounds: the depth of the pattern and its values (keys,
// array items and scalars together), which each cost a condition.
const (
	maxContainDepth  = 8
	maxContainValues = 64
)

// jsonContains checks a containment filter on a JSON object field: the
// value is a JSON object (json.RawMessage or its text), within the depth
// and size bounds, with numbers a float64 holds; it goes on compacted.
func jsonContains(f *Field, c *query.Cond) (query.Expr, error) {
	bad := func(reason string) error {
		return &Error{Code: Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: reason}}
	}
	if f.Kind != KindJSON || f.Shape != '{' {
		return nil, bad("does not support JSON containment")
	}
	var raw []byte
	switch v := c.Value.(type) {
	case json.RawMessage:
		raw = v
	case string:
		raw = []byte(v)
	default:
		return nil, bad("needs a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, bad("needs a JSON object")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, bad("needs a JSON object")
	}
	count := 0
	if reason := checkContained(v, 1, &count); reason != "" {
		return nil, bad(reason)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, bad("needs a JSON object")
	}
	return &query.Cond{Field: c.Field, Op: query.JSONContains, Value: json.RawMessage(b.Bytes())}, nil
}

func checkContained(v any, depth int, count *int) string {
	*count++
	switch {
	case depth > maxContainDepth:
		return "is nested more than " + strconv.Itoa(maxContainDepth) + " levels deep"
	case *count > maxContainValues:
		return "has more than " + strconv.Itoa(maxContainValues) + " keys and values"
	}
	switch x := v.(type) {
	case map[string]any:
		for _, y := range x {
			if r := checkContained(y, depth+1, count); r != "" {
				return r
			}
		}
	case []any:
		for _, y := range x {
			if r := checkContained(y, depth+1, count); r != "" {
				return r
			}
		}
	case json.Number:
		if _, err := strconv.ParseFloat(string(x), 64); err != nil {
			return "has a number out of range"
		}
	}
	return ""
}
