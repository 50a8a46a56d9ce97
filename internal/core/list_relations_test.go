package core_test

import (
	"context"
	"encoding/json"
	"testing"

	"usersd/internal/core"
	"usersd/internal/query"
	"usersd/internal/store/storetest"
)

// TestRelationAndJSONFilters: relation filters and JSON containment are
// open to those who see the fields on every user, on faces whose syntax
// names its own fields; their values are checked before the store runs.
func TestRelationAndJSONFilters(t *testing.T) {
	svc, db := newService(t)
	ctx := context.Background()
	mod := storetest.MustCreate(t, db, "mod", core.Patch{"level": int64(core.LevelModerator)})
	member := storetest.MustCreate(t, db, "member", core.Patch{"attributes": json.RawMessage(`{"a":{"b":1}}`)})
	g, err := db.CreateGroup(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserGroups(ctx, member.ID, []int64{g.ID}); err != nil {
		t.Fatal(err)
	}
	// staffReaders opened to members, with the face's own field names.
	face := svc.Face(&core.Profile{Name: "open", Classes: staffReaders.Classes, Readers: core.SignedIn, AnyField: true})
	list := func(viewer *core.User, f query.Expr) (*core.Page, error) {
		return face.ListUsers(ctx, viewer, core.ListRequest{Filter: f, Limit: 10})
	}
	groups := &query.Cond{Field: query.Groups, Op: query.In, Values: []any{g.ID, g.ID, int64(-3)}}
	if pg, err := list(mod, groups); err != nil || len(pg.Users) != 1 || pg.Users[0].ID != member.ID {
		t.Errorf("staff filter on groups: %v, %v", pg, err)
	}
	wantProblem(t, "member filter on groups", func() error { _, err := list(member, groups); return err }(), core.Forbidden, core.ReasonFieldHidden, query.Groups, "")
	wantProblem(t, "string ids", func() error {
		_, err := list(mod, &query.Cond{Field: query.Groups, Op: query.In, Values: []any{"1"}})
		return err
	}(), core.Invalid, "", query.Groups, "integer")
	wantProblem(t, "native has no relations", func() error {
		_, err := svc.ListUsers(ctx, mod, core.ListRequest{Filter: groups, Limit: 10})
		return err
	}(), core.Invalid, "", query.Groups, "not a field")

	unknown, err := face.UnknownRelated(ctx, mod, query.UserPermissions, []int64{999, 1})
	if err != nil || len(unknown) != 1 || unknown[0] != 999 {
		t.Errorf("unknown permissions: %v, %v", unknown, err)
	}
	_, err = face.UnknownRelated(ctx, member, query.Groups, []int64{g.ID})
	wantProblem(t, "member checking group ids", err, core.Forbidden, core.ReasonFieldHidden, "", "")

	has := func(v string) *query.Cond {
		return &query.Cond{Field: "attributes", Op: query.JSONContains, Value: json.RawMessage(v)}
	}
	if pg, err := list(mod, has(`{"a": {"b": 1}}`)); err != nil || len(pg.Users) != 1 {
		t.Errorf("containment: %v, %v", pg, err)
	}
	deep := `{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}}`
	for v, text := range map[string]string{`[1]`: "JSON object", `{"a":`: "JSON object", deep: "nested", `{"n":1e999}`: "out of range"} {
		_, err := list(mod, has(v))
		wantProblem(t, v, err, core.Invalid, "", "attributes", text)
	}
	_, err = list(mod, &query.Cond{Field: "links", Op: query.JSONContains, Value: json.RawMessage(`{}`)})
	wantProblem(t, "array field", err, core.Invalid, "", "links", "JSON containment")
	_, err = list(member, has(`{"a":{}}`))
	wantProblem(t, "member on hidden attributes", err, core.Forbidden, core.ReasonFieldHidden, "attributes", "")
}
