package storetest

import (
	"context"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/store/sqlstore"
)

// Cascade checks what a hard delete of a user row takes along. No core
// path deletes users (deletion is soft), but an operator's DELETE must not
// leave members, flags, profiles, sessions or links pointing nowhere, and
// the user's images must then be free for the sweep. It needs the SQL
// handle, so each store's tests call it beside Run.
func Cascade(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := MustCreate(t, db, "doomed", nil)
	keep := MustCreate(t, db, "keeper", nil)
	avatar := MustPutImage(t, db, core.ImageAvatar, "doomed")
	if _, err := db.UpdateUser(ctx, u.ID, core.Patch{"avatar": avatar}, core.UpdateMeta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateUser(ctx, u.ID, core.Patch{"name": "doomed2", "name_key": "doomed2"}, core.UpdateMeta{By: &keep.ID}); err != nil {
		t.Fatal(err)
	}
	m := MustCreateMember(t, db, u.ID, "m", nil)
	f := MustCreateFlag(t, db, u.ID, "f", MustPutImage(t, db, core.ImageFlag, "doomed flag"))
	if err := db.SetUserFlags(ctx, u.ID, []int64{f.ID}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMemberFlags(ctx, m.ID, []int64{f.ID}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(ctx, &core.Token{UserID: u.ID, Kind: core.TokenAPI, Scope: core.ScopeWrite, CreatedAt: now}, core.HashSecret("doomed")); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, &core.Session{Hash: core.HashSecret("doomed-cookie"), UserID: u.ID, Kind: core.SessionConsole, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	g, err := db.CreateGroup(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserGroups(ctx, u.ID, []int64{g.ID}); err != nil {
		t.Fatal(err)
	}
	add, err := db.FindPermission(ctx, "auth", "add_user")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserPermissions(ctx, u.ID, []int64{add.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.ExecContext(ctx, "DELETE FROM users WHERE id = "+db.F.Placeholder(1), u.ID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"members", "pride_flags", "user_pride_flags", "api_tokens", "sessions", "user_groups", "user_permissions", "user_name_changes"} {
		var n int
		if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE user_id = "+db.F.Placeholder(1), u.ID).Scan(&n); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows of the deleted user left", table, n)
		}
	}
	var n int
	if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM member_pride_flags").Scan(&n); err != nil || n != 0 {
		t.Errorf("member_pride_flags: %d rows left, %v", n, err)
	}
	if _, err := db.FindGroupByID(ctx, g.ID); err != nil {
		t.Errorf("the group went with a member of it: %v", err)
	}
	if swept, err := db.SweepImages(ctx, now.Add(time.Hour)); err != nil || swept != 2 {
		t.Errorf("sweep after the delete: %d, %v; want the avatar and the flag image", swept, err)
	}
}
