package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/xid"

	"usersd/internal/core"
)

// MustPutImage stores an image made of the given bytes and returns its hash.
func MustPutImage(tb testing.TB, s core.Store, kind, content string) string {
	tb.Helper()
	webp := []byte("RIFF" + content + "WEBP")
	img := &core.Image{Hash: core.ImageHash(webp), Kind: kind, WebP: webp, Width: 512, Height: 512, CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if _, err := s.PutImage(context.Background(), img); err != nil {
		tb.Fatalf("put image: %v", err)
	}
	return img.Hash
}

func testImages(t *testing.T, s core.Store) {
	ctx := context.Background()
	at := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	webp := []byte("RIFF-avatar-WEBP")
	img := &core.Image{Hash: core.ImageHash(webp), Kind: core.ImageAvatar, WebP: webp, JPEG: []byte{0xff, 0xd8}, Width: 512, Height: 256, CreatedAt: at}
	created, err := s.PutImage(ctx, img)
	if err != nil || !created {
		t.Fatalf("put: created %v, %v", created, err)
	}
	got, err := s.FindImage(ctx, img.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(img, got); diff != "" {
		t.Errorf("found (-put +got):\n%s", diff)
	}
	// The same bytes again: not stored twice, but their age renewed.
	again := *img
	again.Kind, again.CreatedAt = core.ImageFlag, at.Add(time.Hour)
	if created, err := s.PutImage(ctx, &again); err != nil || created {
		t.Errorf("put again: created %v, %v; want false, nil", created, err)
	}
	if got, _ := s.FindImage(ctx, img.Hash); got == nil || got.Kind != core.ImageAvatar || !got.CreatedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("after put again: %+v, want the first kind and the renewed time", got)
	}
	bad := &core.Image{Hash: core.ImageHash([]byte("other")), Kind: core.ImageAvatar, WebP: webp, Width: 1, Height: 1, CreatedAt: at}
	if _, err := s.PutImage(ctx, bad); core.ErrorCode(err) != core.Invalid {
		t.Errorf("hash of other bytes: %v, want Invalid", err)
	}
	if _, err := s.FindImage(ctx, core.ImageHash([]byte("missing"))); core.ErrorCode(err) != core.NotFound {
		t.Errorf("missing image: %v, want NotFound", err)
	}

	// The sweep deletes old images nobody refers to, and only those.
	u := MustCreate(t, s, "pic", nil)
	userAvatar := MustPutImage(t, s, core.ImageAvatar, "user")
	memberAvatar := MustPutImage(t, s, core.ImageAvatar, "member")
	flagImage := MustPutImage(t, s, core.ImageFlag, "flag")
	orphan := MustPutImage(t, s, core.ImageFlag, "orphan")
	if _, err := s.UpdateUser(ctx, u.ID, core.Patch{"avatar": userAvatar}, core.UpdateMeta{}); err != nil {
		t.Fatal(err)
	}
	MustCreateMember(t, s, u.ID, "m", core.Patch{"avatar": memberAvatar})
	MustCreateFlag(t, s, u.ID, "f", flagImage)
	if n, err := s.SweepImages(ctx, at); err != nil || n != 0 {
		t.Errorf("sweep before any was old: %d, %v; want 0", n, err)
	}
	n, err := s.SweepImages(ctx, time.Now().Add(time.Hour))
	if err != nil || n != 2 { // orphan and the first image
		t.Errorf("sweep: %d, %v; want 2", n, err)
	}
	for _, h := range []string{userAvatar, memberAvatar, flagImage} {
		if _, err := s.FindImage(ctx, h); err != nil {
			t.Errorf("referenced image swept: %v", err)
		}
	}
	if _, err := s.FindImage(ctx, orphan); core.ErrorCode(err) != core.NotFound {
		t.Errorf("orphan kept: %v", err)
	}
}

// MustCreateFlag creates a pride flag of user userID showing image hash.
func MustCreateFlag(tb testing.TB, s core.Store, userID int64, name, hash string) *core.PrideFlag {
	tb.Helper()
	at := time.Now().UTC().Truncate(time.Microsecond)
	f, err := s.CreateFlag(context.Background(), core.Patch{"xid": xid.NewWithTime(at).String(), "user_id": userID, "hash": hash, "name": name, "created_at": at})
	if err != nil {
		tb.Fatalf("create flag %q: %v", name, err)
	}
	return f
}

func flagIDs(fs []*core.PrideFlag) []int64 {
	out := []int64{}
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func testFlags(t *testing.T, s core.Store) {
	ctx := context.Background()
	u := MustCreate(t, s, "flagger", nil)
	other := MustCreate(t, s, "other", nil)
	img := MustPutImage(t, s, core.ImageFlag, "pride")
	var fs []*core.PrideFlag
	for i := range 4 {
		fs = append(fs, MustCreateFlag(t, s, u.ID, fmt.Sprintf("flag %d", i), img))
	}
	theirs := MustCreateFlag(t, s, other.ID, "theirs", img)

	got, err := s.FindFlagByXID(ctx, fs[0].XID)
	if err != nil || got.ID != fs[0].ID || got.Hash != img || got.Name != "flag 0" || got.Description != nil {
		t.Fatalf("find by xid: %+v, %v", got, err)
	}
	if _, err := s.FindFlagByID(ctx, theirs.ID+1000); core.ErrorCode(err) != core.NotFound {
		t.Errorf("missing flag: %v, want NotFound", err)
	}
	_, err = s.CreateFlag(ctx, core.Patch{"xid": fs[0].XID, "user_id": u.ID, "hash": img, "name": "dup", "created_at": time.Now()})
	wantCode(t, "same xid", err, core.Conflict, "xid")
	_, err = s.CreateFlag(ctx, core.Patch{"xid": xid.New().String(), "user_id": u.ID, "hash": core.ImageHash(nil), "name": "no image", "created_at": time.Now()})
	wantCode(t, "missing image", err, core.Invalid, "")
	owned, err := s.FindFlags(ctx, u.ID)
	if err != nil || !cmp.Equal(flagIDs(fs), flagIDs(owned)) {
		t.Errorf("owned flags %v, %v; want %v", flagIDs(owned), err, flagIDs(fs))
	}

	desc := "the one"
	upd, err := s.UpdateFlag(ctx, fs[1].ID, core.Patch{"name": "renamed", "description": desc})
	if err != nil || upd.Name != "renamed" || upd.Description == nil || *upd.Description != desc || upd.Hash != img {
		t.Errorf("update: %+v, %v", upd, err)
	}
	_, err = s.UpdateFlag(ctx, fs[1].ID, core.Patch{"hash": img, "user_id": other.ID, "bogus": 1})
	wantCode(t, "unknown key", err, core.Invalid, "bogus")
	_, err = s.UpdateFlag(ctx, theirs.ID+1000, core.Patch{"name": "x"})
	wantCode(t, "update missing", err, core.NotFound, "")

	// Profiles show an ordered selection of the owner's flags.
	show := []int64{fs[2].ID, fs[0].ID, fs[3].ID}
	if err := s.SetUserFlags(ctx, u.ID, show); err != nil {
		t.Fatal(err)
	}
	m1 := MustCreateMember(t, s, u.ID, "m1", nil)
	m2 := MustCreateMember(t, s, u.ID, "m2", nil)
	if err := s.SetMemberFlags(ctx, m1.ID, []int64{fs[3].ID, fs[2].ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMemberFlags(ctx, m2.ID, []int64{fs[2].ID}); err != nil {
		t.Fatal(err)
	}
	checkShown := func(when string, user []int64, members map[int64][]int64) {
		t.Helper()
		got, err := s.UserFlags(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(user, flagIDs(got)); diff != "" {
			t.Errorf("%s: user flags (-want +got):\n%s", when, diff)
		}
		byMember, err := s.MemberFlags(ctx, []int64{m1.ID, m2.ID})
		if err != nil {
			t.Fatal(err)
		}
		gotMembers := map[int64][]int64{}
		for id, fs := range byMember {
			gotMembers[id] = flagIDs(fs)
		}
		if diff := cmp.Diff(members, gotMembers); diff != "" {
			t.Errorf("%s: member flags (-want +got):\n%s", when, diff)
		}
	}
	checkShown("set", show, map[int64][]int64{m1.ID: {fs[3].ID, fs[2].ID}, m2.ID: {fs[2].ID}})

	// Bad sets change nothing.
	for name, ids := range map[string][]int64{
		"someone else's": {fs[0].ID, theirs.ID},
		"missing":        {fs[0].ID, theirs.ID + 1000},
		"twice":          {fs[0].ID, fs[0].ID},
	} {
		wantCode(t, "user flags "+name, s.SetUserFlags(ctx, u.ID, ids), core.Invalid, "flags")
		wantCode(t, "member flags "+name, s.SetMemberFlags(ctx, m1.ID, ids), core.Invalid, "flags")
	}
	wantCode(t, "flags of a missing member", s.SetMemberFlags(ctx, m2.ID+1000, nil), core.NotFound, "")
	checkShown("after bad sets", show, map[int64][]int64{m1.ID: {fs[3].ID, fs[2].ID}, m2.ID: {fs[2].ID}})

	// Deleting a flag removes it from every profile.
	if err := s.DeleteFlag(ctx, fs[2].ID); err != nil {
		t.Fatal(err)
	}
	checkShown("after delete", []int64{fs[0].ID, fs[3].ID}, map[int64][]int64{m1.ID: {fs[3].ID}})
	wantCode(t, "delete again", s.DeleteFlag(ctx, fs[2].ID), core.NotFound, "")
	// Reordering reuses positions within one transaction.
	if err := s.SetUserFlags(ctx, u.ID, []int64{fs[3].ID, fs[0].ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserFlags(ctx, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	checkShown("cleared", []int64{}, map[int64][]int64{m1.ID: {fs[3].ID}})
	// Deleting a member drops its flag rows, not the flags.
	if err := s.DeleteMember(ctx, m1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindFlagByID(ctx, fs[3].ID); err != nil {
		t.Errorf("flag of a deleted member: %v", err)
	}
}
