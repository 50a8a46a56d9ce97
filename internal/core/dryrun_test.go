package core_test

import (
	"context"
	"testing"

	"usersd/internal/core"
	"usersd/internal/store/storetest"
)

// TestUpdateDryRun: a dry run answers as the update would and writes
// nothing.
func TestUpdateDryRun(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t)
	u := storetest.MustCreate(t, db, "dry", core.Patch{"first_name": "Old"})
	for _, c := range []struct {
		fields core.Patch
		code   core.Code
		reason string
	}{
		{core.Patch{"first_name": "New"}, -1, ""},
		{core.Patch{"first_name": "New", "active": false}, core.Forbidden, core.ReasonFieldDenied},
		{core.Patch{"email": "no address"}, core.Invalid, ""},
	} {
		_, err := svc.UpdateUser(ctx, u, u.ID, core.Update{Fields: c.fields, DryRun: true})
		if core.ErrorCode(err) != c.code || core.ErrorReason(err) != c.reason {
			t.Errorf("%v: %v, want %v %q", c.fields, err, c.code, c.reason)
		}
	}
	got, err := db.FindUserByID(ctx, u.ID)
	if err != nil || got.FirstName != "Old" || !got.Active || !got.UpdatedAt.Equal(u.UpdatedAt) {
		t.Errorf("after dry runs: %+v %v", got, err)
	}
}
