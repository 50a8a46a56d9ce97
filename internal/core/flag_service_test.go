package core_test

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"sync"
	"testing"

	"usersd/internal/core"
	"usersd/internal/store/storetest"
)

func TestFlagService(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		face := svc.Face(core.NativeProfile)
		u := storetest.MustCreate(t, db, "flagger", nil)
		other := storetest.MustCreate(t, db, "other", nil)
		banned := storetest.MustCreate(t, db, "banned", core.Patch{"banned": true})
		admin := storetest.MustCreate(t, db, "admin", core.Patch{"level": int64(core.LevelAdmin)})
		img := storetest.MustPutImage(t, db, core.ImageFlag, "pride")
		mine := storetest.MustCreateFlag(t, db, u.ID, "mine", img)
		shown := storetest.MustCreateFlag(t, db, u.ID, "shown", img)
		theirs := storetest.MustCreateFlag(t, db, other.ID, "theirs", img)
		bannedFlag := storetest.MustCreateFlag(t, db, banned.ID, "banned's", img)
		pic := pngDataURI(32, 20, color.RGBA{0, 120, 255, 255})

		if _, err := face.Flags(ctx, nil); core.ErrorCode(err) != core.Unauthenticated {
			t.Errorf("anonymous flags: %v, want Unauthenticated", err)
		}
		if fs, err := face.Flags(ctx, u); err != nil || len(fs) != 2 || fs[0].ID != mine.ID || fs[1].ID != shown.ID {
			t.Errorf("own flags: %v, %v; want mine, shown", fs, err)
		}

		// Create: checks before the costly decoding.
		for _, tt := range []struct {
			what        string
			in          core.NewFlag
			field, text string
		}{
			{"empty name", core.NewFlag{Image: pic, Name: ""}, "name", "may not be empty"},
			{"long name", core.NewFlag{Image: pic, Name: strings.Repeat("n", 101)}, "name", "at most 100"},
			{"name with NUL", core.NewFlag{Image: pic, Name: "a\x00b"}, "name", "NUL"},
			{"long description", core.NewFlag{Image: pic, Name: "n", Description: ptr(strings.Repeat("d", 501))}, "description", "at most 500"},
			{"no image", core.NewFlag{Name: "n"}, "image", "is required"},
		} {
			_, err := face.CreateFlag(ctx, u, tt.in)
			wantProblem(t, tt.what, err, core.Invalid, "", tt.field, tt.text)
		}
		_, err := face.CreateFlag(ctx, banned, core.NewFlag{Image: pic, Name: "n"})
		wantProblem(t, "banned create", err, core.Forbidden, core.ReasonUserBanned, "", "")
		_, err = face.CreateFlag(ctx, nil, core.NewFlag{Image: pic, Name: "n"})
		wantProblem(t, "anonymous create", err, core.Unauthenticated, "", "", "")
		svc.MaxFlags = 2
		_, err = face.CreateFlag(ctx, u, core.NewFlag{Image: pic, Name: "third"})
		wantProblem(t, "past the limit", err, core.Invalid, core.ReasonTooManyFlags, "", "")
		svc.MaxFlags = core.DefaultMaxFlags

		// Update: own flags only; others' are not found, to anyone.
		upd, err := face.UpdateFlag(ctx, u, mine.XID, core.FlagUpdate{Name: ptr("Mine! / 🏳️‍🌈"), Description: ptr("a flag")})
		if err != nil || upd.Name != "Mine! / 🏳️‍🌈" || upd.Description == nil || *upd.Description != "a flag" || upd.Hash != img {
			t.Fatalf("update: %+v, %v", upd, err)
		}
		upd, err = face.UpdateFlag(ctx, u, mine.XID, core.FlagUpdate{Description: ptr("")})
		if err != nil || upd.Name != "Mine! / 🏳️‍🌈" || upd.Description != nil {
			t.Errorf("clear description: %+v, %v", upd, err)
		}
		if upd, err = face.UpdateFlag(ctx, u, mine.XID, core.FlagUpdate{}); err != nil || upd.Name != "Mine! / 🏳️‍🌈" {
			t.Errorf("empty update: %+v, %v", upd, err)
		}
		_, err = face.UpdateFlag(ctx, u, mine.XID, core.FlagUpdate{Name: ptr("")})
		wantProblem(t, "empty name", err, core.Invalid, "", "name", "may not be empty")
		_, err = face.UpdateFlag(ctx, u, mine.XID, core.FlagUpdate{Description: ptr(strings.Repeat("d", 501))})
		wantProblem(t, "long description", err, core.Invalid, "", "description", "at most 500")
		for what, ref := range map[string]string{"someone else's": theirs.XID, "unknown": "zzzzzzzzzzzzzzzzzzzz", "malformed": "../../etc", "empty": ""} {
			_, err := face.UpdateFlag(ctx, u, ref, core.FlagUpdate{Name: ptr("x")})
			wantProblem(t, "update "+what, err, core.NotFound, "", "", "")
			wantProblem(t, "delete "+what, face.DeleteFlag(ctx, u, ref), core.NotFound, "", "", "")
		}
		_, err = face.UpdateFlag(ctx, admin, mine.XID, core.FlagUpdate{Name: ptr("x")})
		wantProblem(t, "admin update of another's flag", err, core.NotFound, "", "", "")
		_, err = face.UpdateFlag(ctx, banned, bannedFlag.XID, core.FlagUpdate{Name: ptr("x")})
		wantProblem(t, "banned update", err, core.Forbidden, core.ReasonUserBanned, "", "")
		wantProblem(t, "banned delete", face.DeleteFlag(ctx, banned, bannedFlag.XID), core.Forbidden, core.ReasonUserBanned, "", "")
		if got, _ := db.FindFlagByID(ctx, theirs.ID); got.Name != "theirs" {
			t.Errorf("someone else's flag renamed to %q", got.Name)
		}

		// Delete takes the flag off every profile.
		m := storetest.MustCreateMember(t, db, u.ID, "member", nil)
		if _, err := face.UpdateUser(ctx, u, u.ID, core.Update{Flags: &[]string{shown.XID, mine.XID}}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetMemberFlags(ctx, m.ID, []int64{shown.ID}); err != nil {
			t.Fatal(err)
		}
		if err := face.DeleteFlag(ctx, u, shown.XID); err != nil {
			t.Fatal(err)
		}
		if fs, err := face.ProfileFlags(ctx, nil, u); err != nil || len(fs) != 1 || fs[0].ID != mine.ID {
			t.Errorf("profile flags after delete: %v, %v; want mine only", fs, err)
		}
		if mf, err := db.MemberFlags(ctx, []int64{m.ID}); err != nil || len(mf[m.ID]) != 0 {
			t.Errorf("member flags after delete: %v, %v; want none", mf, err)
		}
		wantProblem(t, "delete again", face.DeleteFlag(ctx, u, shown.XID), core.NotFound, "", "", "")

		// Create, once images decode.
		fl, err := face.CreateFlag(ctx, u, core.NewFlag{Image: pic, Name: "new", Description: ptr("")})
		if err != nil {
			t.Fatal(err)
		}
		if fl.UserID != u.ID || fl.Name != "new" || fl.Description != nil || len(fl.XID) != 20 || len(fl.Hash) != 64 {
			t.Errorf("created %+v", fl)
		}
		if im, err := db.FindImage(ctx, fl.Hash); err != nil || im.Kind != core.ImageFlag {
			t.Errorf("flag image: %+v, %v", im, err)
		}
		if fs, _ := face.Flags(ctx, u); len(fs) != 2 || fs[1].XID != fl.XID {
			t.Errorf("own flags after create: %v", fs)
		}
	})
}

// TestCreateFlagConcurrent: concurrent uploads cannot pass MaxFlags.
func TestCreateFlagConcurrent(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		face := svc.Face(core.NativeProfile)
		u := storetest.MustCreate(t, db, "racer", nil)
		const max, racers = 5, 8
		svc.MaxFlags = max
		img := storetest.MustPutImage(t, db, core.ImageFlag, "pride")
		for i := range max - 2 {
			storetest.MustCreateFlag(t, db, u.ID, fmt.Sprint("flag ", i), img)
		}
		pic := pngDataURI(16, 16, color.RGBA{255, 200, 0, 255})
		var wg sync.WaitGroup
		errs := make(chan error, racers)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := face.CreateFlag(ctx, u, core.NewFlag{Image: pic, Name: fmt.Sprint("racer ", i)})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case core.ErrorReason(err) == core.ReasonTooManyFlags:
			default:
				t.Errorf("racer: %v %q", err, core.AsError(err).Fields)
			}
		}
		if ok != 2 {
			t.Errorf("%d of %d racers created a flag, want 2", ok, racers)
		}
		if fs, _ := db.FindFlags(ctx, u.ID); len(fs) != max {
			t.Errorf("user holds %d flags, want %d", len(fs), max)
		}
	})
}
