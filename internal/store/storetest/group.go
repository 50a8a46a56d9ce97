package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"usersd/internal/core"
)

func permKeys(ps []*core.Permission) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Key())
	}
	return out
}

func testGroups(t *testing.T, s core.Store) {
	ctx := context.Background()
	u := MustCreate(t, s, "django", nil)
	other := MustCreate(t, s, "other", nil)

	// Migration 001 seeds Django's four user permissions.
	all, err := s.FindPermissions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"auth.add_user", "auth.change_user", "auth.delete_user", "auth.view_user"}, permKeys(all)); diff != "" {
		t.Errorf("seeded permissions (-want +got):\n%s", diff)
	}
	add, err := s.FindPermission(ctx, "auth", "add_user")
	if err != nil || add.Name != "Can add user" {
		t.Fatalf("find auth.add_user: %+v, %v", add, err)
	}
	change, _ := s.FindPermission(ctx, "auth", "change_user")
	if _, err := s.FindPermission(ctx, "auth", "fly"); core.ErrorCode(err) != core.NotFound {
		t.Errorf("missing permission: %v, want NotFound", err)
	}
	export := &core.Permission{AppLabel: "shop", Codename: "export_order", Name: "Can export orders"}
	if err := s.CreatePermission(ctx, export); err != nil || export.ID == 0 {
		t.Fatalf("create permission: %v (id %d)", err, export.ID)
	}
	wantCode(t, "same permission", s.CreatePermission(ctx, &core.Permission{AppLabel: "shop", Codename: "export_order", Name: "again"}), core.Conflict, "codename")

	staff, err := s.CreateGroup(ctx, "staff")
	if err != nil {
		t.Fatal(err)
	}
	buyers, err := s.CreateGroup(ctx, "buyers")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateGroup(ctx, "staff")
	wantCode(t, "same group name", err, core.Conflict, "name")
	_, err = s.CreateGroup(ctx, "")
	wantCode(t, "empty group name", err, core.Invalid, "")
	if g, err := s.RenameGroup(ctx, buyers.ID, "customers"); err != nil || g.Name != "customers" {
		t.Errorf("rename: %+v, %v", g, err)
	}
	_, err = s.RenameGroup(ctx, buyers.ID, "staff")
	wantCode(t, "rename onto a taken name", err, core.Conflict, "name")
	_, err = s.RenameGroup(ctx, buyers.ID+1000, "x")
	wantCode(t, "rename missing", err, core.NotFound, "")
	if g, err := s.FindGroupByID(ctx, buyers.ID); err != nil || g.Name != "customers" {
		t.Errorf("find group: %+v, %v", g, err)
	}

	// Links: direct permissions, groups, group permissions.
	if err := s.SetGroupPermissions(ctx, staff.ID, []int64{change.ID, export.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserGroups(ctx, u.ID, []int64{buyers.ID, staff.ID, staff.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserPermissions(ctx, u.ID, []int64{add.ID, change.ID}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "unknown group", s.SetUserGroups(ctx, u.ID, []int64{staff.ID, buyers.ID + 1000}), core.Invalid, "groups")
	wantCode(t, "unknown permission", s.SetUserPermissions(ctx, u.ID, []int64{export.ID + 1000}), core.Invalid, "user_permissions")
	wantCode(t, "permissions of a missing group", s.SetGroupPermissions(ctx, buyers.ID+1000, nil), core.NotFound, "")
	check := func(when string, groups []int64, direct, effective []string) {
		t.Helper()
		gs, err := s.UserGroups(ctx, []int64{u.ID})
		if err != nil {
			t.Fatal(err)
		}
		var gotGroups []int64
		for _, g := range gs[u.ID] {
			gotGroups = append(gotGroups, g.ID)
		}
		if diff := cmp.Diff(groups, gotGroups); diff != "" {
			t.Errorf("%s: groups (-want +got):\n%s", when, diff)
		}
		d, err := s.UserPermissions(ctx, []int64{u.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(direct, permKeys(d[u.ID])); diff != "" {
			t.Errorf("%s: direct permissions (-want +got):\n%s", when, diff)
		}
		e, err := s.EffectivePermissions(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(effective, permKeys(e)); diff != "" {
			t.Errorf("%s: effective permissions (-want +got):\n%s", when, diff)
		}
	}
	check("set (bad sets change nothing)", []int64{staff.ID, buyers.ID}, []string{"auth.add_user", "auth.change_user"},
		[]string{"auth.add_user", "auth.change_user", "shop.export_order"})
	for _, tt := range []struct {
		user       int64
		app, codes string
		want       bool
	}{
		{u.ID, "auth", "add_user", true},      // direct
		{u.ID, "shop", "export_order", true},  // through staff
		{u.ID, "auth", "delete_user", false},  // nobody's
		{u.ID, "auth", "nonexistent", false},  // no such permission
		{other.ID, "auth", "add_user", false}, // another user
	} {
		if got, err := s.HasPermission(ctx, tt.user, tt.app, tt.codes); err != nil || got != tt.want {
			t.Errorf("HasPermission(%d, %s.%s) = %v, %v; want %v", tt.user, tt.app, tt.codes, got, err, tt.want)
		}
	}
	gp, err := s.GroupPermissions(ctx, staff.ID)
	if err != nil || !cmp.Equal([]string{"auth.change_user", "shop.export_order"}, permKeys(gp)) {
		t.Errorf("group permissions: %v, %v", permKeys(gp), err)
	}

	// Deleting a group takes its links along.
	if err := s.DeleteGroup(ctx, staff.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "delete again", s.DeleteGroup(ctx, staff.ID), core.NotFound, "")
	check("group deleted", []int64{buyers.ID}, []string{"auth.add_user", "auth.change_user"}, []string{"auth.add_user", "auth.change_user"})
	if err := s.SetUserPermissions(ctx, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	check("cleared", []int64{buyers.ID}, []string{}, []string{})
	if gs, err := s.FindGroups(ctx); err != nil || len(gs) != 1 || gs[0].ID != buyers.ID {
		t.Errorf("groups: %+v, %v", gs, err)
	}
}
