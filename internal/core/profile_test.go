package core_test

import (
	"context"
	"testing"

	"usersd/internal/core"
)

// TestProfileAudiences: each audience shows a field to exactly the viewers
// it names, and searching needs the field to show on every user.
func TestProfileAudiences(t *testing.T) {
	target := &core.User{ID: 1, Level: core.LevelMember}
	private := &core.User{ID: 1, Level: core.LevelMember, PrivateProfile: true}
	viewers := map[string]*core.User{
		"anon":         nil,
		"self":         {ID: 1, Level: core.LevelMember},
		"member":       {ID: 2, Level: core.LevelMember},
		"mod":          {ID: 3, Level: core.LevelModerator},
		"admin":        {ID: 4, Level: core.LevelAdmin},
		"banned admin": {ID: 5, Level: core.LevelAdmin, Banned: true},
	}
	email := core.FieldByName("email") // ReadSelf
	tests := []struct {
		aud    core.Audience
		target *core.User
		sees   []string // viewers who see it
		search []string // viewers who may search on it
	}{
		{core.Everyone, target, []string{"anon", "self", "member", "mod", "admin", "banned admin"}, []string{"anon", "self", "member", "mod", "admin", "banned admin"}},
		{core.SignedIn, target, []string{"self", "member", "mod", "admin", "banned admin"}, []string{"self", "member", "mod", "admin", "banned admin"}},
		// A ban takes staff powers away: a banned admin reads as a member.
		{core.SignedInUnlessPrivate, private, []string{"self", "mod", "admin"}, []string{"mod", "admin"}},
		{core.SelfAndStaff, target, []string{"self", "mod", "admin"}, []string{"mod", "admin"}},
		{core.SelfAndAdmin, target, []string{"self", "admin"}, []string{"admin"}},
		{core.SelfOnly, target, []string{"self"}, nil},
		{core.StaffOnly, target, []string{"mod", "admin"}, []string{"mod", "admin"}},
		{core.AdminOnly, target, []string{"admin"}, []string{"admin"}},
		{core.Nobody, target, nil, nil},
	}
	for _, tt := range tests {
		p := &core.Profile{Classes: core.NativeProfile.Classes, Fields: map[string]core.Audience{"email": tt.aud}}
		for name, v := range viewers {
			want := contains(tt.sees, name)
			if got := p.Sees(email, v, tt.target); got != want {
				t.Errorf("audience %d, viewer %s: sees = %v, want %v", tt.aud, name, got, want)
			}
			want = contains(tt.search, name)
			if got := p.SearchesOn(email, v); got != want {
				t.Errorf("audience %d, viewer %s: searches = %v, want %v", tt.aud, name, got, want)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestRedact: hidden fields are zero and absent, never-shown fields are
// always zero, and a field that follows another shares its visibility.
func TestRedact(t *testing.T) {
	mail, hash, zone, rails := "a@example.com", "$argon2id$x", "Asia/Tokyo", "Osaka"
	u := &core.User{ID: 1, Name: "alice", Level: core.LevelMember, Email: &mail, PasswordHash: &hash, Timezone: &zone, TimezoneRails: &rails}
	other := &core.User{ID: 2, Level: core.LevelMember}
	p := &core.Profile{Classes: core.NativeProfile.Classes, Fields: map[string]core.Audience{"timezone": core.SelfOnly}}

	seen := p.Redact(other, u)
	if seen.Email != nil || seen.Timezone != nil || seen.TimezoneRails != nil || seen.PasswordHash != nil {
		t.Errorf("another member sees %+v", seen)
	}
	if seen.Shows("email") || !seen.Shows("name") || seen.Name != "alice" {
		t.Errorf("Shows: email %v, name %v", seen.Shows("email"), seen.Shows("name"))
	}
	self := p.Redact(u, u)
	if self.Email == nil || self.TimezoneRails == nil || *self.TimezoneRails != "Osaka" || self.PasswordHash != nil {
		t.Errorf("self sees %+v", self)
	}
	if self.Shows("timezone_rails") || self.Shows("password_hash") {
		t.Error("never-shown fields report as shown")
	}
	if u.Email == nil || u.PasswordHash == nil {
		t.Error("Redact changed the record it was given")
	}
}

// BenchmarkRedact is the cost the core adds to every user it hands a
// face: one copy and a visibility decision per field.
func BenchmarkRedact(b *testing.B) {
	mail, bio := "a@example.com", "hello"
	u := &core.User{ID: 1, Name: "alice", Level: core.LevelMember, Email: &mail, Bio: &bio}
	viewer := &core.User{ID: 2, Level: core.LevelMember}
	for b.Loop() {
		core.NativeProfile.Redact(viewer, u)
	}
}

// TestStrictRank: by default an owner may change another owner's level; a
// face with StrictRank (Danbooru) refuses it, as it refuses a moderator on
// a moderator.
func TestStrictRank(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	mk := func(name string, level int) *core.User {
		u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: name, Fields: core.Patch{"level": int64(level)}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	a, b := mk("owner_a", core.LevelOwner), mk("owner_b", core.LevelOwner)
	strict := svc.Face(&core.Profile{Classes: core.NativeProfile.Classes, StrictRank: true})
	if _, err := strict.SetLevel(ctx, a, b.ID, core.LevelAdmin); core.ErrorReason(err) != core.ReasonOutranked {
		t.Errorf("strict: owner on owner = %v, want %s", err, core.ReasonOutranked)
	}
	if _, err := svc.Face(core.NativeProfile).SetLevel(ctx, a, b.ID, core.LevelAdmin); err != nil {
		t.Errorf("native: owner on owner = %v", err)
	}
	m1, m2 := mk("mod_a", core.LevelModerator), mk("mod_b", core.LevelModerator)
	for _, f := range []*core.Face{strict, svc.Face(core.NativeProfile)} {
		if _, err := f.SetLevel(ctx, m1, m2.ID, core.LevelMember); core.ErrorReason(err) != core.ReasonOutranked {
			t.Errorf("%s: moderator on moderator = %v", f.Profile().Name, err)
		}
	}
}
