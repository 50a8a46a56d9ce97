package core_test

import (
	"context"
	"encoding/json"
	"image/color"
	"reflect"
	"regexp"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/store/storetest"
)

const customKey = "1f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000000"

// TestUpdateEntries: every update and create checks the profile entries,
// statuses against the custom preferences in effect after the write.
func TestUpdateEntries(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		face := svc.Face(core.NativeProfile)
		u := storetest.MustCreate(t, db, "ash", nil)
		raw := func(s string) json.RawMessage { return json.RawMessage(s) }
		custom := `[{"pronouns":"they/them","status":"` + customKey + `"}]`
		prefs := `{"` + customKey + `":{"icon":"heart","tooltip":"Partners","size":"normal"}}`

		_, err := face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"pronouns": raw(custom), "bio": "hi"}})
		wantProblem(t, "custom status without the preference", err, core.Invalid, core.ReasonBadStatus, "pronouns", "item 1: status is invalid")
		if got, _ := db.FindUserByID(ctx, u.ID); got.Bio != nil || string(got.Pronouns) != "[]" {
			t.Errorf("refused update wrote bio %v, pronouns %s", got.Bio, got.Pronouns)
		}

		got, err := face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"pronouns": raw(custom), "custom_preferences": raw(prefs)}})
		if err != nil {
			t.Fatalf("status with the preference in the same update: %v", err)
		}
		if want := `[{"pronouns":"they/them","display_text":null,"status":"` + customKey + `"}]`; !jsonEqual(got.Pronouns, want) {
			t.Errorf("stored pronouns %s, want %s", got.Pronouns, want)
		}
		if want := `{"` + customKey + `":{"icon":"heart","tooltip":"Partners","size":"normal","muted":false,"favourite":false}}`; !jsonEqual(got.CustomPreferences, want) {
			t.Errorf("stored preferences %s, want %s", got.CustomPreferences, want)
		}
		// The stored preferences resolve a later update's statuses.
		names := raw(`[{"value":"Ash","status":"` + customKey + `"}]`)
		if _, err := face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"preferred_names": names}}); err != nil {
			t.Fatalf("status of a stored preference: %v", err)
		}
		// Dropping the preference leaves the stored entries as they are
		// (as pronouns.cc does); rewriting them must name a valid status.
		if _, err := face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"custom_preferences": raw(`{}`)}}); err != nil {
			t.Fatalf("dropping a preference in use: %v", err)
		}
		if got, _ := db.FindUserByID(ctx, u.ID); string(got.Pronouns) == "[]" {
			t.Errorf("dropping a preference changed the entries: %s", got.Pronouns)
		}
		_, err = face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"preferred_names": names}})
		wantProblem(t, "status of a dropped preference", err, core.Invalid, core.ReasonBadStatus, "preferred_names", "status is invalid")
		_, err = face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"profile_fields": raw(`[{"name":"","entries":[]}]`)}})
		wantProblem(t, "empty field name", err, core.Invalid, "", "profile_fields", "item 1: name may not be empty")
		if core.ErrorReason(err) != "" {
			t.Errorf("reason of a shape problem = %q, want none", core.ErrorReason(err))
		}

		// Creates check them too, against the preferences they bring.
		_, err = svc.CreateUser(ctx, core.System, core.NewUser{Name: "newbie", Fields: core.Patch{"preferred_names": names}})
		wantProblem(t, "create with an unknown custom status", err, core.Invalid, core.ReasonBadStatus, "preferred_names", "status is invalid")
		n, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "newbie", Fields: core.Patch{"preferred_names": names, "custom_preferences": raw(prefs)}})
		if err != nil {
			t.Fatalf("create with its own preference: %v", err)
		}
		if want := `[{"value":"Ash","status":"` + customKey + `"}]`; !jsonEqual(n.PreferredNames, want) {
			t.Errorf("created names %s, want %s", n.PreferredNames, want)
		}
	})
}

// TestUpdateFlags: an update sets the profile's flags by xid, alone or
// with other fields, all or nothing.
func TestUpdateFlags(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		face := svc.Face(core.NativeProfile)
		clock := time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond)
		svc.Now = func() time.Time { return clock }
		u := storetest.MustCreate(t, db, "flagger", nil)
		other := storetest.MustCreate(t, db, "other", nil)
		img := storetest.MustPutImage(t, db, core.ImageFlag, "pride")
		f1 := storetest.MustCreateFlag(t, db, u.ID, "one", img)
		f2 := storetest.MustCreateFlag(t, db, u.ID, "two", img)
		f3 := storetest.MustCreateFlag(t, db, u.ID, "three", img)
		theirs := storetest.MustCreateFlag(t, db, other.ID, "theirs", img)
		shown := func() []string {
			t.Helper()
			fs, err := face.ProfileFlags(ctx, nil, u)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, f := range fs {
				out = append(out, f.Name)
			}
			return out
		}
		wantShown := func(what string, want ...string) {
			t.Helper()
			if got := shown(); !equal(got, want) {
				t.Errorf("%s: profile flags %v, want %v", what, got, want)
			}
		}

		// Flags alone: no other field needed; updated_at moves.
		got, err := face.UpdateUser(ctx, u, u.ID, core.Update{Flags: &[]string{f2.XID, f1.XID}})
		if err != nil {
			t.Fatal(err)
		}
		if !got.UpdatedAt.Equal(clock) {
			t.Errorf("updated_at = %v, want %v", got.UpdatedAt, clock)
		}
		wantShown("set", "two", "one")
		if _, err := face.UpdateUser(ctx, u, u.ID, core.Update{Flags: &[]string{}}); err != nil {
			t.Fatal(err)
		}
		wantShown("cleared")
		if _, err := face.UpdateUser(ctx, u, u.ID, core.Update{Flags: &[]string{f3.XID}}); err != nil {
			t.Fatal(err)
		}

		// A bad flag beside a rename and another field: nothing changes.
		for _, tt := range []struct {
			what  string
			flags []string
			text  string
		}{
			{"someone else's flag", []string{f1.XID, theirs.XID}, "item 2 is not one of the owner's flags"},
			{"unknown flag", []string{"zzzzzzzzzzzzzzzzzzzz"}, "item 1 is not"},
			{"malformed id", []string{"not an id"}, "item 1 is not"},
			{"repeated flag", []string{f1.XID, f2.XID, f1.XID}, "item 3 repeats item 1"},
		} {
			_, err := face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"name": "renamed", "display_name": "Renamed"}, Flags: &tt.flags})
			wantProblem(t, tt.what, err, core.Invalid, "", "flags", tt.text)
			after, _ := db.FindUserByID(ctx, u.ID)
			if after.Name != "flagger" || after.DisplayName != nil {
				t.Errorf("%s: user became %q (%v)", tt.what, after.Name, after.DisplayName)
			}
			if hist, _ := db.NameChanges(ctx, u.ID); len(hist) != 0 {
				t.Errorf("%s: name history %+v", tt.what, hist)
			}
			wantShown(tt.what, "three")
		}
		// The same rename with good flags commits both.
		if _, err := face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"name": "renamed"}, Flags: &[]string{f1.XID}}); err != nil {
			t.Fatal(err)
		}
		if after, _ := db.FindUserByID(ctx, u.ID); after.Name != "renamed" {
			t.Errorf("name = %q after a good update", after.Name)
		}
		wantShown("with a rename", "one")

		svc.MaxFlags = 2
		_, err = face.UpdateUser(ctx, u, u.ID, core.Update{Flags: &[]string{f1.XID, f2.XID, f3.XID}})
		wantProblem(t, "more flags than a user may have", err, core.Invalid, "", "flags", "at most 2")
		svc.MaxFlags = core.DefaultMaxFlags

		// Who may: the user and admins over them, not moderators.
		mod := storetest.MustCreate(t, db, "mod", core.Patch{"level": int64(core.LevelModerator)})
		admin := storetest.MustCreate(t, db, "admin", core.Patch{"level": int64(core.LevelAdmin)})
		_, err = face.UpdateUser(ctx, mod, u.ID, core.Update{Flags: &[]string{f2.XID}})
		wantProblem(t, "moderator", err, core.Forbidden, core.ReasonFieldDenied, "flags", "")
		if _, err := face.UpdateUser(ctx, admin, u.ID, core.Update{Flags: &[]string{f2.XID}}); err != nil {
			t.Errorf("admin: %v", err)
		}
		wantShown("set by an admin", "two")
		_, err = face.UpdateUser(ctx, admin, u.ID, core.Update{Flags: &[]string{theirs.XID}})
		wantProblem(t, "admin showing another user's flag", err, core.Invalid, "", "flags", "item 1")

		banned := storetest.MustCreate(t, db, "banned", core.Patch{"banned": true})
		_, err = face.UpdateUser(ctx, banned, banned.ID, core.Update{Flags: &[]string{}})
		wantProblem(t, "banned", err, core.Forbidden, core.ReasonUserBanned, "", "")
	})
}

// jsonEqual compares JSON by value: PostgreSQL's jsonb keeps neither key
// order nor spacing.
func jsonEqual(got json.RawMessage, want string) bool {
	var a, b any
	return json.Unmarshal(got, &a) == nil && json.Unmarshal([]byte(want), &b) == nil && reflect.DeepEqual(a, b)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestUpdateAvatar: an update uploads or removes the avatar, decoded
// before and written within the update's transaction.
func TestUpdateAvatar(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		face := svc.Face(core.NativeProfile)
		u := storetest.MustCreate(t, db, "pictured", nil)
		old := storetest.MustPutImage(t, db, core.ImageAvatar, "old")
		if _, err := db.UpdateUser(ctx, u.ID, core.Patch{"avatar": old}, core.UpdateMeta{}); err != nil {
			t.Fatal(err)
		}

		// A refused upload refuses the whole update.
		_, err := face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"name": "renamed"}, Avatar: ptr("data:text/plain;base64,aGk=")})
		wantProblem(t, "not an image", err, core.Invalid, core.ReasonBadImage, "avatar", "")
		if got, _ := db.FindUserByID(ctx, u.ID); got.Name != "pictured" || got.Avatar == nil || *got.Avatar != old {
			t.Errorf("after a refused upload: %q, avatar %v", got.Name, got.Avatar)
		}
		_, err = face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"avatar": old}, Avatar: ptr("")})
		wantProblem(t, "avatar as a hash and an upload", err, core.Invalid, "", "avatar", "both")

		mod := storetest.MustCreate(t, db, "mod", core.Patch{"level": int64(core.LevelModerator)})
		_, err = face.UpdateUser(ctx, mod, u.ID, core.Update{Avatar: ptr("")})
		wantProblem(t, "moderator", err, core.Forbidden, core.ReasonFieldDenied, "avatar", "")

		// "" removes the avatar.
		got, err := face.UpdateUser(ctx, u, u.ID, core.Update{Avatar: ptr("")})
		if err != nil || got.Avatar != nil {
			t.Fatalf("remove: avatar %v, %v", got.Avatar, err)
		}

		// An upload with a rename: both or neither.
		got, err = face.UpdateUser(ctx, u, u.ID, core.Update{Fields: core.Patch{"name": "renamed"}, Avatar: ptr(pngDataURI(64, 64, color.RGBA{200, 30, 90, 255}))})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "renamed" || got.Avatar == nil || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(*got.Avatar) {
			t.Fatalf("after upload: %q, avatar %v", got.Name, got.Avatar)
		}
		if img, err := db.FindImage(ctx, *got.Avatar); err != nil || img.Kind != core.ImageAvatar {
			t.Errorf("stored image: %+v, %v", img, err)
		}
	})
}
