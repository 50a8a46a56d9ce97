package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"usersd/internal/core"
	"usersd/internal/query"
)

// testRelationAndJSONFilters: the DRF face's groups and user_permissions
// filters (any of the ids, each user once, direct permissions only) and
// JSON containment (jsonb @> semantics) agree on every store.
func testRelationAndJSONFilters(t *testing.T, s core.Store) {
	ctx := context.Background()
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	a := MustCreate(t, s, "a", core.Patch{"attributes": raw(`{"s":"\u00e9","n":1,"f":2.50,"b":true,"z":null,"arr":[1,"x",[2,3],{"k":{"m":false}}],"o":{"p":{"q":"r"}},"a.b\"c":1}`)})
	b := MustCreate(t, s, "b", core.Patch{"attributes": raw(`{"s":"e","n":1.0,"f":2.5,"b":false,"arr":[],"o":{"p":[]}}`)})
	c := MustCreate(t, s, "c", nil)
	g1, err := s.CreateGroup(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	g2, err := s.CreateGroup(ctx, "g2")
	if err != nil {
		t.Fatal(err)
	}
	view, err := s.FindPermission(ctx, "auth", "view_user")
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		s.SetUserGroups(ctx, a.ID, []int64{g1.ID, g2.ID}), s.SetUserGroups(ctx, b.ID, []int64{g2.ID}),
		s.SetUserPermissions(ctx, b.ID, []int64{view.ID}), s.SetGroupPermissions(ctx, g1.ID, []int64{view.ID}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	in := func(field string, ids ...int64) *query.Cond {
		c := &query.Cond{Field: field, Op: query.In}
		for _, id := range ids {
			c.Values = append(c.Values, id)
		}
		return c
	}
	has := func(v string) *query.Cond {
		return &query.Cond{Field: "attributes", Op: query.JSONContains, Value: raw(v)}
	}
	tests := []filterCase{
		{"group", in(query.Groups, g1.ID), []int64{a.ID}},
		{"any group, each user once", in(query.Groups, g1.ID, g2.ID), []int64{a.ID, b.ID}},
		{"no ids", in(query.Groups), nil},
		{"direct permission only", in(query.UserPermissions, view.ID), []int64{b.ID}},
		{"not in group", query.Not{X: in(query.Groups, g2.ID)}, []int64{c.ID}},
		{"string from escape", has(`{"s":"é"}`), []int64{a.ID}},
		{"integer equals real", has(`{"n":1}`), []int64{a.ID, b.ID}},
		{"real", has(`{"f":2.5}`), []int64{a.ID, b.ID}},
		{"string is not number", has(`{"n":"1"}`), nil},
		{"false", has(`{"b":false}`), []int64{b.ID}},
		{"null", has(`{"z":null}`), []int64{a.ID}},
		{"missing key is not null", has(`{"y":null}`), nil},
		{"array items", has(`{"arr":["x",1]}`), []int64{a.ID}},
		{"empty array", has(`{"arr":[]}`), []int64{a.ID, b.ID}},
		{"nested array", has(`{"arr":[[3]]}`), []int64{a.ID}},
		{"scalar is not in nested array", has(`{"arr":[3]}`), nil},
		{"object in array", has(`{"arr":[{"k":{}}]}`), []int64{a.ID}},
		{"deep object in array", has(`{"arr":[{"k":{"m":false}}]}`), []int64{a.ID}},
		{"nested object", has(`{"o":{"p":{"q":"r"}}}`), []int64{a.ID}},
		{"object is not array", has(`{"o":{"p":{}}}`), []int64{a.ID}},
		{"array is not object", has(`{"o":{"p":[]}}`), []int64{b.ID}},
		{"scalar is not array", has(`{"arr":1}`), nil},
		{"odd key", has(`{"a.b\"c":1}`), []int64{a.ID}},
		{"all of", has(`{"s":"e","b":false}`), []int64{b.ID}},
		{"empty object", has(`{}`), []int64{a.ID, b.ID, c.ID}},
		{"not containing", query.Not{X: has(`{"n":1}`)}, []int64{c.ID}},
		{"or", query.Or{has(`{"s":"e"}`), in(query.Groups, g1.ID)}, []int64{a.ID, b.ID}},
	}
	checkFilters(t, s, tests)
	known, err := s.FindGroupIDs(ctx, []int64{g2.ID, g2.ID + 100, g1.ID})
	if err != nil || len(known) != 2 {
		t.Errorf("FindGroupIDs: %v, %v", known, err)
	}
	known, err = s.FindPermissionIDs(ctx, []int64{view.ID, -1})
	if err != nil || !cmp.Equal(known, []int64{view.ID}) {
		t.Errorf("FindPermissionIDs: %v, %v", known, err)
	}
}
