package core_test

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/xid"

	"usersd/internal/core"
	"usersd/internal/store/postgres"
	"usersd/internal/store/sqlite"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

// forMemberStores runs fn on a fresh SQLite store and a fresh PostgreSQL
// schema, each behind a Face of the native profile.
func forMemberStores(t *testing.T, fn func(t *testing.T, svc *core.Service, face *core.Face, db core.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		svc := core.NewService(db)
		fn(t, svc, svc.Face(core.NativeProfile), db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := postgres.Open(context.Background(), testdb.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		svc := core.NewService(db)
		fn(t, svc, svc.Face(core.NativeProfile), db)
	})
}

func wantErr(t *testing.T, what string, err error, code core.Code, reason, field string) {
	t.Helper()
	e := core.AsError(err)
	if err == nil || e.Code != code || (reason != "" && e.Reason != reason) || (field != "" && e.Fields[field] == "") {
		t.Errorf("%s: err = %v (reason %q, fields %v); want %v %q on %q", what, err, core.ErrorReason(err), core.AsError(err).Fields, code, reason, field)
	}
}

func memberNames(ms []*core.Member) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func setUser(t *testing.T, db core.Store, u *core.User, p core.Patch) *core.User {
	t.Helper()
	got, err := db.UpdateUser(context.Background(), u.ID, p, core.UpdateMeta{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func fieldsIn(kv ...any) core.MemberInput {
	p := core.Patch{}
	for i := 0; i < len(kv); i += 2 {
		p[kv[i].(string)] = kv[i+1]
	}
	return core.MemberInput{Fields: p}
}

// TestMemberVisibility: who sees which members, by list and by direct
// reference, with the list public or private and the owner deleted.
func TestMemberVisibility(t *testing.T) {
	forMemberStores(t, func(t *testing.T, svc *core.Service, face *core.Face, db core.Store) {
		ctx := context.Background()
		owner := storetest.MustCreate(t, db, "owner", nil)
		other := storetest.MustCreate(t, db, "other", nil)
		mod := storetest.MustCreate(t, db, "mod", core.Patch{"level": int64(core.LevelModerator)})
		admin := storetest.MustCreate(t, db, "admin", core.Patch{"level": int64(core.LevelAdmin)})
		// Created in this order; lists are in creation order, not by name.
		for _, in := range []core.MemberInput{
			fieldsIn("name", "Cedar"),
			fieldsIn("name", "Birch", "unlisted", true),
			fieldsIn("name", "Ash"),
		} {
			if _, err := face.CreateMember(ctx, owner, in); err != nil {
				t.Fatal(err)
			}
		}
		foreign, err := face.CreateMember(ctx, other, fieldsIn("name", "Birch"))
		if err != nil {
			t.Fatal(err)
		}
		all, _ := face.ProfileMembers(ctx, owner, owner)
		if got := memberNames(all); !slices.Equal(got, []string{"Cedar", "Birch", "Ash"}) {
			t.Fatalf("owner's own list %v", got)
		}
		birch := all[1]

		viewers := []struct {
			name string
			u    *core.User
			own  bool
		}{{"owner", owner, true}, {"other", other, false}, {"moderator", mod, false}, {"admin", admin, false}, {"anonymous", nil, false}}
		for _, private := range []bool{false, true} {
			// The face hands the core users redacted for the viewer,
			// list_private hidden from others; the core must not trust it.
			o := face.View(other, setUser(t, db, owner, core.Patch{"list_private": private}))
			for _, v := range viewers {
				want := []string{"Cedar", "Ash"}
				switch {
				case v.own:
					want = []string{"Cedar", "Birch", "Ash"}
				case private:
					want = []string{}
				}
				got, err := face.ProfileMembers(ctx, v.u, o)
				if err != nil || !slices.Equal(memberNames(got), want) {
					t.Errorf("private=%v %s: profile members %v, %v; want %v", private, v.name, memberNames(got), err, want)
				}
				got, err = face.Members(ctx, v.u, o)
				if private && !v.own {
					wantErr(t, v.name+": private list", err, core.Forbidden, core.ReasonListPrivate, "")
				} else if err != nil || !slices.Equal(memberNames(got), want) {
					t.Errorf("private=%v %s: members %v, %v; want %v", private, v.name, memberNames(got), err, want)
				}
				// A direct reference finds the unlisted member, for anyone.
				for _, ref := range []string{birch.XID, "birch", "BIRCH"} {
					if m, err := face.UserMember(ctx, v.u, o, ref); err != nil || m.ID != birch.ID {
						t.Errorf("private=%v %s: user member %q: %v, %v", private, v.name, ref, m, err)
					}
				}
				m, ou, err := face.Member(ctx, v.u, birch.XID)
				if err != nil || m.ID != birch.ID || ou.ID != owner.ID {
					t.Fatalf("private=%v %s: member: %v, %v, %v", private, v.name, m, ou, err)
				}
				if ou.Shows("list_private") != (v.own || v.u == mod || v.u == admin) {
					t.Errorf("%s: owner's list_private shown %v", v.name, ou.Shows("list_private"))
				}
			}
		}
		// Someone else's member, by xid, under this owner; names that
		// cannot be stored.
		for _, ref := range []string{foreign.XID, "nobody", "", "a\x00b", xid.New().String()} {
			_, err := face.UserMember(ctx, owner, owner, ref)
			wantErr(t, "user member "+ref, err, core.NotFound, "", "")
		}
		for _, ref := range []string{"", "nope", "birch", xid.New().String()} {
			_, _, err := face.Member(ctx, owner, ref)
			wantErr(t, "member "+ref, err, core.NotFound, "", "")
		}

		// A deleted user's members are gone for everyone, themselves too.
		gone := setUser(t, db, owner, core.Patch{"deleted": true, "list_private": false})
		for _, v := range viewers {
			_, err := face.ProfileMembers(ctx, v.u, gone)
			wantErr(t, v.name+": profile members of the deleted", err, core.NotFound, "", "")
			_, err = face.Members(ctx, v.u, gone)
			wantErr(t, v.name+": members of the deleted", err, core.NotFound, "", "")
			_, err = face.UserMember(ctx, v.u, gone, "birch")
			wantErr(t, v.name+": user member of the deleted", err, core.NotFound, "", "")
			_, _, err = face.Member(ctx, v.u, birch.XID)
			wantErr(t, v.name+": member of the deleted", err, core.NotFound, "", "")
		}
	})
}

// TestCreateMember: fields, checks, names unique per owner and the
// limit under concurrent creates.
func TestCreateMember(t *testing.T) {
	forMemberStores(t, func(t *testing.T, svc *core.Service, face *core.Face, db core.Store) {
		ctx := context.Background()
		now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
		svc.Now = func() time.Time { return now }
		owner := storetest.MustCreate(t, db, "owner", nil)
		other := storetest.MustCreate(t, db, "other", nil)
		m, err := face.CreateMember(ctx, owner, fieldsIn(
			"name", "Jay Doe", // spaces: a member name is no user name
			"display_name", "Jay", "bio", "", "unlisted", true,
			"links", json.RawMessage(`["https://a.example"]`),
			"pronouns", json.RawMessage(`[{"pronouns":"they/them","display_text":null,"status":"favourite"}]`),
		))
		if err != nil {
			t.Fatal(err)
		}
		if m.UserID != owner.ID || m.Name != "Jay Doe" || m.NameKey != "jay doe" || m.DisplayName == nil || *m.DisplayName != "Jay" ||
			m.Bio != nil || !m.Unlisted || string(m.Links) != `["https://a.example"]` || !m.CreatedAt.Equal(now) || !m.UpdatedAt.Equal(now) {
			t.Errorf("created %+v", m)
		}
		if !regexp.MustCompile(`^[a-z]{6}$`).MatchString(m.SID) {
			t.Errorf("sid %q", m.SID)
		}
		if id, err := xid.FromString(m.XID); err != nil || !id.Time().Equal(now) {
			t.Errorf("xid %q: %v", m.XID, err)
		}

		for _, tt := range []struct {
			name   string
			actor  *core.User
			in     core.MemberInput
			code   core.Code
			reason string
			field  string
		}{
			{"anonymous", nil, fieldsIn("name", "x"), core.Unauthenticated, core.ReasonAuthRequired, ""},
			{"no name", owner, fieldsIn("bio", "x"), core.Invalid, "", "name"},
			{"empty name", owner, fieldsIn("name", ""), core.Invalid, "", "name"},
			{"long name", owner, fieldsIn("name", strings.Repeat("x", 101)), core.Invalid, "", "name"},
			{"name taken, other case", owner, fieldsIn("name", "JAY DOE"), core.Conflict, core.ReasonNameTaken, "name"},
			{"system field", owner, fieldsIn("name", "x", "sid", "abcdef"), core.Invalid, "", "sid"},
			{"users field", owner, fieldsIn("name", "x", "level", int64(50)), core.Invalid, "", "level"},
			{"avatar hash", owner, fieldsIn("name", "x", "avatar", strings.Repeat("a", 64)), core.Invalid, "", "avatar"},
			{"too many links", owner, fieldsIn("name", "x", "links", json.RawMessage(`["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s","t","u","v","w","x","y","z"]`)), core.Invalid, "", "links"},
			{"bad avatar", owner, core.MemberInput{Fields: core.Patch{"name": "x"}, Avatar: ptr("data:text/plain;base64,aGk=")}, core.Invalid, core.ReasonBadImage, ""},
			{"bad flag id", owner, core.MemberInput{Fields: core.Patch{"name": "x"}, Flags: &[]string{"nope"}}, core.Invalid, "", "flags"},
			{"unknown flag", owner, core.MemberInput{Fields: core.Patch{"name": "x"}, Flags: &[]string{xid.New().String()}}, core.Invalid, "", "flags"},
		} {
			_, err := face.CreateMember(ctx, tt.actor, tt.in)
			wantErr(t, tt.name, err, tt.code, tt.reason, tt.field)
		}
		if ms, _ := face.ProfileMembers(ctx, owner, owner); len(ms) != 1 {
			t.Errorf("refused creates wrote members: %v", memberNames(ms))
		}
		// Another owner may use the name.
		if _, err := face.CreateMember(ctx, other, fieldsIn("name", "jay doe")); err != nil {
			t.Errorf("same name, other owner: %v", err)
		}
		banned := setUser(t, db, other, core.Patch{"banned": true})
		_, err = face.CreateMember(ctx, banned, fieldsIn("name", "Kim"))
		wantErr(t, "banned", err, core.Forbidden, core.ReasonUserBanned, "")

		// The limit holds under concurrent creates.
		svc.MaxMembers = 5
		const tries = 12
		var wg sync.WaitGroup
		errs := make([]error, tries)
		for i := range tries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = face.CreateMember(ctx, owner, fieldsIn("name", "m"+string(rune('a'+i))))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case core.ErrorReason(err) != core.ReasonTooManyMembers:
				t.Errorf("concurrent create: %v", err)
			}
		}
		ms, _ := face.ProfileMembers(ctx, owner, owner)
		if ok != 4 || len(ms) != 5 {
			t.Errorf("concurrent creates: %d succeeded, %d members; want 4 and 5", ok, len(ms))
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestUpdateMember: owner-only, all or nothing with flags and avatar,
// names unique per owner.
func TestUpdateMember(t *testing.T) {
	forMemberStores(t, func(t *testing.T, svc *core.Service, face *core.Face, db core.Store) {
		ctx := context.Background()
		owner := storetest.MustCreate(t, db, "owner", nil)
		other := storetest.MustCreate(t, db, "other", nil)
		admin := storetest.MustCreate(t, db, "admin", core.Patch{"level": int64(core.LevelAdmin)})
		img := storetest.MustPutImage(t, db, core.ImageFlag, "flag")
		f1 := storetest.MustCreateFlag(t, db, owner.ID, "one", img)
		f2 := storetest.MustCreateFlag(t, db, owner.ID, "two", img)
		foreign := storetest.MustCreateFlag(t, db, other.ID, "theirs", img)
		m, err := face.CreateMember(ctx, owner, core.MemberInput{Fields: core.Patch{"name": "Ash", "bio": "old"}, Flags: &[]string{f1.XID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := face.CreateMember(ctx, owner, fieldsIn("name", "Birch")); err != nil {
			t.Fatal(err)
		}
		flagsOf := func() []int64 {
			fs, err := face.MemberFlags(ctx, []*core.Member{m})
			if err != nil {
				t.Fatal(err)
			}
			out := []int64{}
			for _, f := range fs[m.ID] {
				out = append(out, f.ID)
			}
			return out
		}
		if got := flagsOf(); !slices.Equal(got, []int64{f1.ID}) {
			t.Fatalf("flags at create %v", got)
		}

		// Every refusal leaves the member as it was.
		for _, tt := range []struct {
			name   string
			actor  *core.User
			ref    string
			in     core.MemberInput
			code   core.Code
			reason string
			field  string
		}{
			{"anonymous", nil, m.XID, fieldsIn("bio", "x"), core.Unauthenticated, "", ""},
			{"unknown", owner, xid.New().String(), fieldsIn("bio", "x"), core.NotFound, "", ""},
			{"not an xid", owner, "ash", fieldsIn("bio", "x"), core.NotFound, "", ""},
			{"another user", other, m.XID, fieldsIn("bio", "x"), core.Forbidden, core.ReasonNotYours, ""},
			{"an admin", admin, m.XID, fieldsIn("bio", "x"), core.Forbidden, core.ReasonNotYours, ""},
			{"rename onto another member", owner, m.XID, fieldsIn("name", "BIRCH"), core.Conflict, core.ReasonNameTaken, "name"},
			{"unknown flag", owner, m.XID, core.MemberInput{Fields: core.Patch{"bio": "new", "name": "Ashley"}, Flags: &[]string{f2.XID, xid.New().String()}}, core.Invalid, "", "flags"},
			{"foreign flag", owner, m.XID, core.MemberInput{Fields: core.Patch{"bio": "new"}, Flags: &[]string{foreign.XID}}, core.Invalid, "", "flags"},
			{"flag twice", owner, m.XID, core.MemberInput{Fields: core.Patch{"bio": "new"}, Flags: &[]string{f2.XID, f2.XID}}, core.Invalid, "", "flags"},
			{"bad avatar", owner, m.XID, core.MemberInput{Fields: core.Patch{"bio": "new"}, Flags: &[]string{f2.XID}, Avatar: ptr("data:image/png;base64,AAAA")}, core.Invalid, core.ReasonBadImage, ""},
			{"bad field", owner, m.XID, core.MemberInput{Fields: core.Patch{"bio": "new", "unlisted": "yes"}, Flags: &[]string{f2.XID}}, core.Invalid, "", "unlisted"},
		} {
			_, err := face.UpdateMember(ctx, tt.actor, tt.ref, tt.in)
			wantErr(t, tt.name, err, tt.code, tt.reason, tt.field)
			got, err := db.FindMemberByID(ctx, m.ID)
			if err != nil || got.Name != "Ash" || *got.Bio != "old" || !got.UpdatedAt.Equal(m.UpdatedAt) {
				t.Errorf("%s: member after the refusal %+v, %v", tt.name, got, err)
			}
			if fl := flagsOf(); !slices.Equal(fl, []int64{f1.ID}) {
				t.Errorf("%s: flags after the refusal %v", tt.name, fl)
			}
		}
		banned := setUser(t, db, owner, core.Patch{"banned": true})
		_, err = face.UpdateMember(ctx, banned, m.XID, fieldsIn("bio", "x"))
		wantErr(t, "banned owner", err, core.Forbidden, core.ReasonUserBanned, "")
		owner = setUser(t, db, owner, core.Patch{"banned": false})

		// A good update: fields, "" clears, flags replaced in order, the
		// avatar removed, a rename that changes only the case.
		avatar := storetest.MustPutImage(t, db, core.ImageAvatar, "face")
		if _, err := db.UpdateMember(ctx, m.ID, core.Patch{"avatar": avatar}); err != nil {
			t.Fatal(err)
		}
		svc.Now = func() time.Time { return time.Now().Add(time.Minute) }
		got, err := face.UpdateMember(ctx, owner, m.XID, core.MemberInput{
			Fields: core.Patch{"name": "ASH", "bio": "", "display_name": "Ashes"},
			Flags:  &[]string{f2.XID, f1.XID}, Avatar: ptr(""),
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "ASH" || got.NameKey != "ash" || got.Bio != nil || *got.DisplayName != "Ashes" || got.Avatar != nil || !got.UpdatedAt.After(m.UpdatedAt) {
			t.Errorf("updated %+v", got)
		}
		if fl := flagsOf(); !slices.Equal(fl, []int64{f2.ID, f1.ID}) {
			t.Errorf("flags %v, want [%d %d]", fl, f2.ID, f1.ID)
		}
		// Nothing asked: nothing written.
		same, err := face.UpdateMember(ctx, owner, m.XID, core.MemberInput{})
		if err != nil || !same.UpdatedAt.Equal(got.UpdatedAt) {
			t.Errorf("empty update: %+v, %v", same, err)
		}
		// Flags emptied; a deleted flag leaves every profile.
		if _, err := face.UpdateMember(ctx, owner, m.XID, core.MemberInput{Flags: &[]string{}}); err != nil || len(flagsOf()) != 0 {
			t.Errorf("flags cleared: %v, %v", flagsOf(), err)
		}
		if _, err := face.UpdateMember(ctx, owner, m.XID, core.MemberInput{Flags: &[]string{f1.XID, f2.XID}}); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteFlag(ctx, f1.ID); err != nil {
			t.Fatal(err)
		}
		if fl := flagsOf(); !slices.Equal(fl, []int64{f2.ID}) {
			t.Errorf("after deleting a flag: %v", fl)
		}
	})
}

// TestDeleteMember: owner only; the flags go with the member.
func TestDeleteMember(t *testing.T) {
	forMemberStores(t, func(t *testing.T, svc *core.Service, face *core.Face, db core.Store) {
		ctx := context.Background()
		owner := storetest.MustCreate(t, db, "owner", nil)
		other := storetest.MustCreate(t, db, "other", nil)
		fl := storetest.MustCreateFlag(t, db, owner.ID, "f", storetest.MustPutImage(t, db, core.ImageFlag, "f"))
		m, err := face.CreateMember(ctx, owner, core.MemberInput{Fields: core.Patch{"name": "Ash"}, Flags: &[]string{fl.XID}})
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, "anonymous", face.DeleteMember(ctx, nil, m.XID), core.Unauthenticated, "", "")
		wantErr(t, "another user", face.DeleteMember(ctx, other, m.XID), core.Forbidden, core.ReasonNotYours, "")
		wantErr(t, "unknown", face.DeleteMember(ctx, owner, xid.New().String()), core.NotFound, "", "")
		if err := face.DeleteMember(ctx, owner, m.XID); err != nil {
			t.Fatal(err)
		}
		_, _, err = face.Member(ctx, owner, m.XID)
		wantErr(t, "deleted member", err, core.NotFound, "", "")
		wantErr(t, "delete again", face.DeleteMember(ctx, owner, m.XID), core.NotFound, "", "")
		if fs, err := face.MemberFlags(ctx, []*core.Member{m}); err != nil || len(fs) != 0 {
			t.Errorf("flags of the deleted member: %v, %v", fs, err)
		}
		// The name is free again.
		if _, err := face.CreateMember(ctx, owner, fieldsIn("name", "ash")); err != nil {
			t.Errorf("reuse of a deleted member's name: %v", err)
		}
	})
}

// TestRerollMemberSID: the owner's cooldown, shared with their own
// reroll, one winner among concurrent rerolls.
func TestRerollMemberSID(t *testing.T) {
	forMemberStores(t, func(t *testing.T, svc *core.Service, face *core.Face, db core.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second).Add(time.Minute) // after the users' start
		svc.Now = func() time.Time { return now }
		owner := storetest.MustCreate(t, db, "owner", nil) // may reroll at once
		other := storetest.MustCreate(t, db, "other", nil)
		m, err := face.CreateMember(ctx, owner, fieldsIn("name", "Ash"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = face.RerollMemberSID(ctx, other, m.XID)
		wantErr(t, "another user", err, core.Forbidden, core.ReasonNotYours, "")
		_, err = face.RerollMemberSID(ctx, nil, m.XID)
		wantErr(t, "anonymous", err, core.Unauthenticated, "", "")
		_, err = face.RerollMemberSID(ctx, owner, xid.New().String())
		wantErr(t, "unknown", err, core.NotFound, "", "")

		// Concurrent rerolls: one wins, the others are too soon.
		const tries = 6
		var wg sync.WaitGroup
		errs := make([]error, tries)
		sids := make([]string, tries)
		for i := range tries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := face.RerollMemberSID(ctx, owner, m.XID)
				errs[i] = err
				if err == nil {
					sids[i] = r.SID
				}
			}()
		}
		wg.Wait()
		won := ""
		for i, err := range errs {
			switch {
			case err == nil && won == "":
				won = sids[i]
			case err == nil:
				t.Errorf("a second concurrent reroll won")
			case core.ErrorReason(err) != core.ReasonRerollTooSoon:
				t.Errorf("concurrent reroll: %v", err)
			}
		}
		cur, _ := db.FindMemberByID(ctx, m.ID)
		if won == "" || cur.SID != won || won == m.SID || !regexp.MustCompile(`^[a-z]{6}$`).MatchString(won) {
			t.Fatalf("reroll: won %q, stored %q, was %q", won, cur.SID, m.SID)
		}
		u, _ := db.FindUserByID(ctx, owner.ID)
		if !u.LastSIDRerollAt.Equal(now) {
			t.Errorf("owner's last reroll %v, want %v", u.LastSIDRerollAt, now)
		}

		// Within the cooldown: refused with the wait, nothing written.
		now = now.Add(40 * time.Minute)
		_, err = face.RerollMemberSID(ctx, owner, m.XID)
		wantErr(t, "within the cooldown", err, core.Forbidden, core.ReasonRerollTooSoon, "")
		if e := core.AsError(err); e.RetryAfter != 20*time.Minute {
			t.Errorf("retry after %v, want 20m", e.RetryAfter)
		}
		if got, _ := db.FindMemberByID(ctx, m.ID); got.SID != won {
			t.Errorf("refused reroll changed the sid")
		}

		// After it: allowed. The user's own reroll (a claim of the same
		// timestamp) then blocks the member's.
		now = now.Add(20 * time.Minute)
		r, err := face.RerollMemberSID(ctx, owner, m.XID)
		if err != nil || r.SID == won {
			t.Fatalf("reroll after the cooldown: %+v, %v", r, err)
		}
		m2, err := face.CreateMember(ctx, other, fieldsIn("name", "Birch"))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := db.ClaimReroll(ctx, other.ID, now, now.Add(-svc.RerollCooldown)); !ok || err != nil {
			t.Fatalf("user reroll claim: %v, %v", ok, err)
		}
		_, err = face.RerollMemberSID(ctx, other, m2.XID)
		wantErr(t, "after the owner's own reroll", err, core.Forbidden, core.ReasonRerollTooSoon, "")
	})
}
