package core_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"usersd/internal/core"
	"usersd/internal/store/sqlite"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

func newService(t *testing.T) (*core.Service, core.Store) {
	db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return core.NewService(db), db
}

// TestImportedHashRehash: users imported with bcrypt or Django hashes log
// in, and their hash becomes argon2id.
func TestImportedHashRehash(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t)
	bc, _ := bcrypt.GenerateFromPassword([]byte("lètmein"), bcrypt.MinCost)
	for name, hash := range map[string]string{
		"frombcrypt": "$2y$" + string(bc[4:]),
		"fromdjango": "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=",
	} {
		u := storetest.MustCreate(t, db, name, core.Patch{"password_hash": hash})
		if _, _, _, err := svc.Login(ctx, name, "wrong", netip.Addr{}); core.ErrorCode(err) != core.Unauthenticated {
			t.Errorf("%s wrong password: %v", name, err)
		}
		if _, _, _, err := svc.Login(ctx, name, "lètmein", netip.MustParseAddr("192.0.2.1")); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, _ := db.FindUserByID(ctx, u.ID)
		if !strings.HasPrefix(*got.PasswordHash, "$argon2id$") {
			t.Errorf("%s: hash after login = %q, want argon2id", name, *got.PasswordHash)
		}
		if _, _, _, err := svc.Login(ctx, name, "lètmein", netip.Addr{}); err != nil {
			t.Errorf("%s: login after rehash: %v", name, err)
		}
	}
}

func TestLikeIndexable(t *testing.T) {
	for p, want := range map[string]bool{
		"abc": true, "a*": true, "*abc*": true, "*ab*": false, "?abc": true, "*a?b*c*": false,
		`*\*\*\**`: true, "*": false, "": false, "*ab?cd*": false, "*xyz": true,
	} {
		if got := core.LikeIndexable(p); got != want {
			t.Errorf("LikeIndexable(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestFieldChecks(t *testing.T) {
	tests := []struct {
		field string
		value any
		ok    bool
	}{
		{"name", "ok_name", true},
		{"name", "has space", false},
		{"name", "tab\tname", false},
		{"name", "user_123", false},
		{"name", "USER_9", false},
		{"name", "user_abc", true},
		{"name", strings.Repeat("ü", 150), true},
		{"name", strings.Repeat("ü", 151), false},
		{"email", "a@b", true},
		{"email", "@b", false},
		{"email", "a b@c", false},
		{"level", int64(45), false},
		{"level", int64(40), true},
		{"per_page", int64(0), false},
		{"timezone", "America/New_York", true},
		{"timezone", "Local", false},
		{"language", "en-us", true},
		{"language", "EN", false},
		{"gender", "male", true},
		{"gender", "other", false},
		{"bio", nil, true},
		{"per_page", nil, false},
		{"date_of_birth", core.Date("2000-02-29"), true},
		{"date_of_birth", core.Date("2001-02-29"), false},
		{"avatar", strings.Repeat("a", 64), true},
		{"avatar", strings.Repeat("A", 64), false},
	}
	for _, tt := range tests {
		reason := core.FieldByName(tt.field).Check(tt.value)
		if (reason == "") != tt.ok {
			t.Errorf("%s = %v: reason %q, want ok %v", tt.field, tt.value, reason, tt.ok)
		}
	}
}

// renaming is a face's deletion that renames the account, forgets its
// password and resets a setting, as Danbooru's does.
var renaming = &core.Profile{
	Name:    "renaming",
	Classes: core.NativeProfile.Classes,
	Deletion: &core.Deletion{
		Rename: func(id int64) string { return fmt.Sprintf("user_%d", id) },
		Reset:  core.Patch{"per_page": int64(20)},
		Forget: true,
	},
}

func TestDeactivateAndRestore(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t)
	face := svc.Face(renaming)
	admin := storetest.MustCreate(t, db, "admin", core.Patch{"level": int64(50)})
	u, err := svc.CreateUser(ctx, nil, core.NewUser{Name: "Leaving", Password: "password1", Fields: core.Patch{"per_page": int64(100)}})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := svc.CreateToken(ctx, u, u.ID, "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.AuthenticateKey(ctx, "leaving", secret, netip.Addr{}); err != nil {
		t.Fatalf("AuthenticateKey: %v", err)
	}
	if _, _, err := svc.AuthenticateKey(ctx, "admin", secret, netip.Addr{}); core.ErrorCode(err) != core.Unauthenticated {
		t.Errorf("key under another name: %v", err)
	}
	if err := face.DeleteUser(ctx, u, u.ID, "", netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	deletedName := fmt.Sprintf("user_%d", u.ID)
	got, _ := db.FindUserByID(ctx, u.ID)
	if got.Name != deletedName || !got.Deleted || got.PasswordHash != nil || got.PerPage != 20 {
		t.Errorf("after deactivate: %+v", got)
	}
	if _, _, err := svc.Authenticate(ctx, secret, netip.Addr{}); core.ErrorCode(err) != core.Unauthenticated {
		t.Errorf("token of a deleted account: %v", err)
	}
	hist, _ := db.NameChanges(ctx, u.ID)
	if len(hist) != 1 || !hist[0].IsDeletion || hist[0].OldName != "Leaving" {
		t.Errorf("history = %+v", hist)
	}
	r, err := face.RestoreUser(ctx, admin, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "Leaving" || r.Deleted {
		t.Errorf("restored = %s deleted %v", r.Name, r.Deleted)
	}
	// If the old name was taken meanwhile, the user comes back as user_<id>.
	if err := face.DeleteUser(ctx, admin, u.ID, "", netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	storetest.MustCreate(t, db, "leaving", nil)
	if r, err = face.RestoreUser(ctx, admin, u.ID); err != nil || r.Name != deletedName {
		t.Errorf("restore with the name taken: %v, %v", r, err)
	}
}
