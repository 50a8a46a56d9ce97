package core_test

import (
	"context"
	"testing"
	"time"

	"usersd/internal/core"
)

// TestSweepImages: an image nobody refers to goes once it is older than
// the grace period; a referenced one and a fresh one stay.
func TestSweepImages(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	svc.Now = func() time.Time { return now }
	put := func(b byte, at time.Time) string {
		webp := []byte{'R', 'I', 'F', 'F', b}
		img := &core.Image{Hash: core.ImageHash(webp), Kind: core.ImageAvatar, WebP: webp, Width: 1, Height: 1, CreatedAt: at}
		if _, err := db.PutImage(ctx, img); err != nil {
			t.Fatal(err)
		}
		return img.Hash
	}
	old := now.Add(-2 * core.ImageGrace)
	orphan, used, fresh := put(1, old), put(2, old), put(3, now.Add(-time.Minute))
	u, err := db.CreateUser(ctx, core.Patch{"xid": "d4kq8rjq4k8s73cns0a0", "sid": "abcde", "name": "sweepme", "name_key": "sweepme",
		"created_at": old, "updated_at": old, "last_sid_reroll_at": old, "avatar": used})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Images != 1 {
		t.Errorf("swept %d images, want 1", r.Images)
	}
	if _, err := db.FindImage(ctx, orphan); core.ErrorCode(err) != core.NotFound {
		t.Errorf("orphan image after sweep: %v", err)
	}
	for _, h := range []string{used, fresh} {
		if _, err := db.FindImage(ctx, h); err != nil {
			t.Errorf("image %s swept: %v", h[:8], err)
		}
	}
	if u.Avatar == nil || *u.Avatar != used {
		t.Errorf("avatar = %v", u.Avatar)
	}
}
