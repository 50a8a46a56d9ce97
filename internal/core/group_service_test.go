package core_test

import (
	"context"
	"testing"

	"usersd/internal/core"
	"usersd/internal/store/storetest"
)

// staffReaders is a profile like the DRF face's: staff read users, and
// self-readable fields (groups, permissions among them) show to the user
// and staff.
var staffReaders = &core.Profile{
	Name: "staff-readers",
	Classes: [...]core.Audience{
		core.ReadAnon: core.Everyone, core.ReadUser: core.SignedIn,
		core.ReadSelf: core.SelfAndStaff, core.ReadNever: core.Nobody,
	},
	Readers: core.StaffOnly,
}

func TestUserGroupsAndPermissions(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		mod := storetest.MustCreate(t, db, "mod", core.Patch{"level": int64(core.LevelModerator)})
		member := storetest.MustCreate(t, db, "member", nil)
		other := storetest.MustCreate(t, db, "other", nil)
		g1, err := db.CreateGroup(ctx, "buyers")
		if err != nil {
			t.Fatal(err)
		}
		g2, err := db.CreateGroup(ctx, "sellers")
		if err != nil {
			t.Fatal(err)
		}
		view, err := db.FindPermission(ctx, "auth", "view_user")
		if err != nil {
			t.Fatal(err)
		}
		add, err := db.FindPermission(ctx, "auth", "add_user")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetUserGroups(ctx, member.ID, []int64{g2.ID, g1.ID}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetUserPermissions(ctx, member.ID, []int64{view.ID}); err != nil {
			t.Fatal(err)
		}
		// A group's permission is not a direct one.
		if err := db.SetGroupPermissions(ctx, g1.ID, []int64{add.ID}); err != nil {
			t.Fatal(err)
		}
		users := []*core.User{member, other}

		staff := svc.Face(staffReaders)
		gs, err := staff.UserGroups(ctx, mod, users)
		if err != nil {
			t.Fatal(err)
		}
		if got := gs[member.ID]; len(got) != 2 || got[0].ID != g1.ID || got[1].ID != g2.ID {
			t.Errorf("member's groups for staff = %v, want [%d %d]", got, g1.ID, g2.ID)
		}
		if got, ok := gs[other.ID]; !ok || len(got) != 0 {
			t.Errorf("other's groups for staff = %v (present %v), want present and empty", got, ok)
		}
		ps, err := staff.UserPermissions(ctx, mod, users)
		if err != nil {
			t.Fatal(err)
		}
		if got := ps[member.ID]; len(got) != 1 || got[0].ID != view.ID {
			t.Errorf("member's direct permissions = %v, want [%d]", got, view.ID)
		}

		// Outside Readers: Forbidden, anonymous Unauthenticated.
		if _, err := staff.UserGroups(ctx, member, users); core.ErrorCode(err) != core.Forbidden {
			t.Errorf("member reading groups under a staff-only profile: %v, want forbidden", err)
		}
		if _, err := staff.UserPermissions(ctx, nil, users); core.ErrorCode(err) != core.Unauthenticated {
			t.Errorf("anonymous reading permissions: %v, want unauthenticated", err)
		}
		if _, err := staff.ListUsers(ctx, member, core.ListRequest{Limit: 10}); core.ErrorCode(err) != core.Forbidden {
			t.Errorf("member listing under a staff-only profile: %v, want forbidden", err)
		}
		if _, err := staff.GetUserByID(ctx, member, other.ID); core.ErrorCode(err) != core.Forbidden {
			t.Errorf("member getting under a staff-only profile: %v, want forbidden", err)
		}

		// Where members read, they see their own relations only.
		open := svc.Face(core.NativeProfile)
		gs, err = open.UserGroups(ctx, other, users)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := gs[member.ID]; ok {
			t.Errorf("another member sees member's groups: %v", gs[member.ID])
		}
		if _, ok := gs[other.ID]; !ok {
			t.Error("a member does not see their own groups")
		}
	})
}
