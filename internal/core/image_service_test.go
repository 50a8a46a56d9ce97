package core_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/color"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/imaging/imagingtest"
)

func pngURI(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.SetNRGBA(0, 0, color.NRGBA{A: 255})
	return imagingtest.URI("image/png", imagingtest.PNG(img))
}

// TestDecodeImage: an upload becomes a content-addressed square under
// the service's limits; refusals are Invalid with the reason and the
// field of the upload's kind.
func TestDecodeImage(t *testing.T) {
	svc, _ := newService(t)
	svc.Images = core.ImageLimits{MaxBytes: 64 << 10, MaxPixels: 100 * 100, Size: 32}
	img, err := svc.DecodeImage(core.ImageAvatar, pngURI(t, 60, 40))
	if err != nil {
		t.Fatal(err)
	}
	if img.Hash != core.ImageHash(img.WebP) || img.Kind != core.ImageAvatar || img.Width != 32 || img.Height != 32 || len(img.JPEG) == 0 || img.CreatedAt.IsZero() {
		t.Errorf("image = hash %s kind %s %d×%d jpeg %d bytes, created %v", img.Hash, img.Kind, img.Width, img.Height, len(img.JPEG), img.CreatedAt)
	}
	tests := []struct {
		name, kind, uri, reason string
	}{
		{"pixels", core.ImageAvatar, pngURI(t, 101, 100), core.ReasonImageTooLarge},
		{"bytes", core.ImageFlag, "data:image/png;base64," + strings.Repeat("A", 90<<10), core.ReasonImageTooLarge},
		{"type", core.ImageFlag, "data:image/gif;base64,R0lGODlh", core.ReasonBadImage},
		{"content", core.ImageAvatar, "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("not an image")), core.ReasonBadImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.DecodeImage(tt.kind, tt.uri)
			if core.ErrorCode(err) != core.Invalid || core.ErrorReason(err) != tt.reason {
				t.Fatalf("err = %v (reason %q), want Invalid %s", err, core.ErrorReason(err), tt.reason)
			}
			if e := core.AsError(err); e.Fields[tt.kind] == "" {
				t.Errorf("fields = %v, want a problem under %q", e.Fields, tt.kind)
			}
		})
	}
}

// TestFaceImage: the media routes read images by hash; unknown and
// malformed hashes are NotFound.
func TestFaceImage(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t)
	img, err := svc.DecodeImage(core.ImageFlag, pngURI(t, 20, 20))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutImage(ctx, img); err != nil {
		t.Fatal(err)
	}
	f := svc.Face(&core.Profile{Name: "media"})
	got, err := f.Image(ctx, img.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.WebP, img.WebP) || !bytes.Equal(got.JPEG, img.JPEG) || got.Kind != core.ImageFlag {
		t.Errorf("Image returned other bytes or kind %q", got.Kind)
	}
	for _, h := range []string{
		core.ImageHash([]byte("nothing stored")),
		strings.ToUpper(img.Hash),
		img.Hash[:63],
		img.Hash + "0",
		"../" + img.Hash[3:],
		"",
	} {
		if _, err := f.Image(ctx, h); core.ErrorCode(err) != core.NotFound {
			t.Errorf("Image(%q) = %v, want NotFound", h, err)
		}
	}
}
