package core_test

import (
	"context"
	"testing"
	"time"

	"usersd/internal/core"
)

// TestGetUserByXID: an xid finds its user, anything else (a name, a sid,
// an unknown xid, a deleted user for others) is NotFound.
func TestGetUserByXID(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	f := svc.Face(&core.Profile{Classes: core.NativeProfile.Classes, Deleted: core.DeletedHidden})
	u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "xidowner"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.GetUserByXID(ctx, nil, u.XID)
	if err != nil || got.ID != u.ID {
		t.Fatalf("GetUserByXID(%s) = %v, %v", u.XID, got, err)
	}
	for _, ref := range []string{"xidowner", u.SID, "00000000000000000000", u.XID + "0", "ZZZZZZZZZZZZZZZZZZZZ"} {
		if _, err := f.GetUserByXID(ctx, nil, ref); core.ErrorCode(err) != core.NotFound {
			t.Errorf("GetUserByXID(%q) = %v, want NotFound", ref, err)
		}
	}
	if err := svc.DeleteUser(ctx, core.System, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.GetUserByXID(ctx, nil, u.XID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("deleted user: %v, want NotFound", err)
	}
}

// TestUTCOffset: the offset follows daylight saving time and survives a
// redaction that hides the zone.
func TestUTCOffset(t *testing.T) {
	zone := "Europe/Berlin"
	u := &core.User{ID: 1, Level: core.LevelMember, Timezone: &zone}
	p := &core.Profile{Classes: core.NativeProfile.Classes, Fields: map[string]core.Audience{"timezone": core.SelfOnly}}
	seen := p.Redact(nil, u)
	if seen.Timezone != nil {
		t.Fatal("the zone shows to others")
	}
	winter := time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2024, 7, 15, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want int
	}{{winter, 3600}, {summer, 7200}} {
		if got, ok := seen.UTCOffset(c.at); !ok || got != c.want {
			t.Errorf("UTCOffset(%v) = %d, %v, want %d", c.at, got, ok, c.want)
		}
	}
	if _, ok := (&core.User{}).UTCOffset(winter); ok {
		t.Error("a user without a zone has an offset")
	}
}
