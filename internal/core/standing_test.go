package core_test

import (
	"context"
	"testing"

	"usersd/internal/core"
	"usersd/internal/query"
)

// TestStandingEveryProfile: the standing rule does not depend on the
// face: a banned user's writes are refused under every profile with the
// same reason, and Face.May says so before any action.
func TestStandingEveryProfile(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "benched"})
	if err != nil {
		t.Fatal(err)
	}
	if u, err = svc.UpdateUser(ctx, core.System, u.ID, core.Update{Fields: core.Patch{"banned": true}}); err != nil {
		t.Fatal(err)
	}
	lenient := &core.Profile{Name: "lenient", Classes: core.NativeProfile.Classes}
	for _, p := range []*core.Profile{core.NativeProfile, lenient} {
		f := svc.Face(p)
		for _, a := range []core.Action{core.ActUpdate, core.ActCreateToken, core.ActSetLevel, core.ActRestore} {
			if err := f.May(ctx, u, a, u); core.ErrorReason(err) != core.ReasonUserBanned {
				t.Errorf("%s: May(banned, %d, self) = %v", p.Name, a, err)
			}
		}
		if err := f.May(ctx, u, core.ActDelete, u); core.ErrorReason(err) != core.ReasonBannedMayNotLeave {
			t.Errorf("%s: May(banned, delete, self) = %v", p.Name, err)
		}
		if _, err := f.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"bio": "x"}}); core.ErrorReason(err) != core.ReasonUserBanned {
			t.Errorf("%s: update = %v", p.Name, err)
		}
		if _, _, err := f.CreateToken(ctx, u, u.ID, "x", core.ScopeWrite); core.ErrorReason(err) != core.ReasonUserBanned {
			t.Errorf("%s: token = %v", p.Name, err)
		}
	}
	// The CLI (System) still acts on the account.
	if _, _, err := svc.CreateToken(ctx, core.System, u.ID, "ops", core.ScopeRead); err != nil {
		t.Error(err)
	}
}

// TestSearchGrants: a profile's search grant widens who searches a
// hidden field until the service turns upstream hidden searches off.
func TestSearchGrants(t *testing.T) {
	svc, _ := newService(t)
	p := &core.Profile{Name: "grants", Classes: core.NativeProfile.Classes,
		Search: map[string]core.SearchGrant{"updated_at": {Audience: core.Everyone, Why: "test"}}}
	member := &core.User{ID: 2, Level: core.LevelMember}
	for _, on := range []bool{true, false} {
		svc.UpstreamHiddenSearch = on
		f := svc.Face(p)
		if got := f.SearchesOn("updated_at", nil); got != on {
			t.Errorf("grants %v: anonymous searches updated_at = %v", on, got)
		}
		if got := f.SearchesOn("last_login_at", member); got {
			t.Errorf("grants %v: member searches last_login_at", on)
		}
		_, err := f.ListUsers(context.Background(), member, core.ListRequest{Limit: 1,
			Order: []query.Order{{Field: "updated_at"}}})
		if (err == nil) != on {
			t.Errorf("grants %v: sort on updated_at = %v", on, err)
		}
	}
}
