package core_test

import (
	"context"
	"testing"

	"usersd/internal/core"
	"usersd/internal/store/storetest"
)

// TestGrants: a face's Creates and Updates grants (Review Board's
// superuser-or-auth.add_user and auth.change_user): anonymous callers
// must sign in, holders by level or by permission (direct or through a
// group) may, banned holders and everyone else may not, and a holder
// changes members as staff would but never staff.
func TestGrants(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t)
	p := &core.Profile{Name: "granting", Classes: core.NativeProfile.Classes,
		Creates: &core.Grant{Level: core.LevelAdmin, Permission: "auth.add_user"},
		Updates: &core.Grant{Level: core.LevelAdmin, Permission: "auth.change_user"}}
	f := svc.Face(p)
	perm := func(codename string) int64 {
		pm, err := db.FindPermission(ctx, "auth", codename)
		if err != nil {
			t.Fatal(err)
		}
		return pm.ID
	}
	member := storetest.MustCreate(t, db, "plain", nil)
	mod := storetest.MustCreate(t, db, "moddy", core.Patch{"level": int64(core.LevelModerator)})
	admin := storetest.MustCreate(t, db, "boss", core.Patch{"level": int64(core.LevelAdmin)})
	direct := storetest.MustCreate(t, db, "direct", nil)
	if err := db.SetUserPermissions(ctx, direct.ID, []int64{perm("add_user"), perm("change_user")}); err != nil {
		t.Fatal(err)
	}
	viaGroup := storetest.MustCreate(t, db, "grouped", nil)
	g, err := db.CreateGroup(ctx, "user admins")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetGroupPermissions(ctx, g.ID, []int64{perm("add_user")}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserGroups(ctx, viaGroup.ID, []int64{g.ID}); err != nil {
		t.Fatal(err)
	}
	banned := storetest.MustCreate(t, db, "banned", core.Patch{"level": int64(core.LevelAdmin), "banned": true})

	svc.Signup = false       // a granted create is no sign-up
	const ok = core.Code(-1) // ErrorCode(nil)
	for i, c := range []struct {
		actor *core.User
		code  core.Code
	}{
		{nil, core.Unauthenticated}, {member, core.Forbidden}, {mod, core.Forbidden}, {banned, core.Forbidden},
		{admin, ok}, {direct, ok}, {viaGroup, ok},
	} {
		name := "made" + string(rune('a'+i))
		if err := f.May(ctx, c.actor, core.ActSignup, nil); core.ErrorCode(err) != c.code {
			t.Errorf("May(%v) = %v, want %q", c.actor, err, c.code)
		}
		u, err := f.CreateUser(ctx, c.actor, core.NewUser{Name: name, Password: "correct horse battery"})
		if core.ErrorCode(err) != c.code {
			t.Errorf("CreateUser by %v = %v, want %q", c.actor, err, c.code)
		}
		if c.code == core.Forbidden && core.ErrorReason(err) != core.ReasonNoGrant && c.actor != banned {
			t.Errorf("CreateUser by %v reason %q", c.actor, core.ErrorReason(err))
		}
		if c.code == ok && (u == nil || u.Level != core.LevelMember) {
			t.Errorf("CreateUser by %v made %+v", c.actor, u)
		}
	}

	// Updates: the change_user holder may deactivate a member and change
	// their e-mail, not a moderator; a plain member may do neither.
	off := core.Update{Fields: core.Patch{"active": false, "email": "new@example.com"}}
	if _, err := f.UpdateUser(ctx, direct, member.ID, off); err != nil {
		t.Errorf("holder's update: %v", err)
	}
	if u, err := db.FindUserByID(ctx, member.ID); err != nil || u.Active || u.Email == nil || *u.Email != "new@example.com" {
		t.Errorf("after the holder's update: active %v, e-mail %v, %v", u.Active, u.Email, err)
	}
	if _, err := f.UpdateUser(ctx, direct, mod.ID, off); core.ErrorCode(err) != core.Forbidden {
		t.Errorf("holder's update of a moderator = %v", err)
	}
	if _, err := f.UpdateUser(ctx, viaGroup, member.ID, core.Update{Fields: core.Patch{"email": "x@example.com"}}); core.ErrorCode(err) != core.Forbidden {
		t.Errorf("non-holder's update = %v", err)
	}
	// Without the grant, the same holder is a member.
	if _, err := svc.Face(core.NativeProfile).UpdateUser(ctx, direct, member.ID, off); core.ErrorCode(err) != core.Forbidden {
		t.Errorf("native update by the holder = %v", err)
	}
}

// TestGrantNoLevels: an Updates grant never lets its holder set a level.
func TestGrantNoLevels(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t)
	f := svc.Face(&core.Profile{Name: "granting", Classes: core.NativeProfile.Classes,
		Updates: &core.Grant{Level: core.LevelAdmin, Permission: "auth.change_user"}})
	pm, err := db.FindPermission(ctx, "auth", "change_user")
	if err != nil {
		t.Fatal(err)
	}
	holder := storetest.MustCreate(t, db, "holder", nil)
	if err := db.SetUserPermissions(ctx, holder.ID, []int64{pm.ID}); err != nil {
		t.Fatal(err)
	}
	member := storetest.MustCreate(t, db, "member", nil)
	if _, err := f.UpdateUser(ctx, holder, member.ID, core.Update{Fields: core.Patch{"level": int64(core.LevelModerator)}}); core.ErrorCode(err) != core.Forbidden {
		t.Errorf("holder set a level: %v", err)
	}
}
