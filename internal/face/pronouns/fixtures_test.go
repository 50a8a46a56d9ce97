package pronouns_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"usersd/internal/imaging/imagingtest"
)

// TestImageFixtures checks that the hand-built uploads are what the upload
// tests take them for, so that a refusal there is the server's doing.
func TestImageFixtures(t *testing.T) {
	for _, up := range accepted {
		if up.name == "webp lossless" || up.name == "webp lossy" || up.name == "webp declared png" {
			if w, h, ok := webpSize(up.data); !ok || w != 1 || h != 1 {
				t.Errorf("%s: webpSize = %d×%d %v, want 1×1", up.name, w, h, ok)
			}
			continue
		}
		if _, _, err := image.Decode(bytes.NewReader(up.data)); err != nil {
			t.Errorf("%s: the standard library does not decode it: %v", up.name, err)
		}
	}
	// The animated PNG is a valid PNG (its first frame) with an acTL.
	ap := imagingtest.APNG(pngBytes(20, 20))
	if img, err := png.Decode(bytes.NewReader(ap)); err != nil || img.Bounds().Dx() != 20 {
		t.Errorf("animated PNG: %v", err)
	}
	if types, _ := imagingtest.PNGChunks(ap); len(types) < 3 || types[1] != "acTL" {
		t.Errorf("animated PNG chunks %v", types)
	}
	// The bomb's header claims 50000×50000 in a few hundred bytes.
	bomb := imagingtest.PNGBomb(50000, 50000)
	if cfg, err := png.DecodeConfig(bytes.NewReader(bomb)); err != nil || cfg.Width != 50000 || cfg.Height != 50000 || len(bomb) > 4096 {
		t.Errorf("bomb: %+v %v, %d bytes", cfg, err, len(bomb))
	}
	for _, up := range refused {
		if up.name == "decompression bomb" || up.name == "animated png" {
			continue // a valid PNG header; a still PNG to a decoder that ignores acTL
		}
		if _, err := png.Decode(bytes.NewReader(up.data)); err == nil {
			t.Errorf("%s decodes as a PNG", up.name)
		}
		if _, err := jpeg.Decode(bytes.NewReader(up.data)); err == nil {
			t.Errorf("%s decodes as a JPEG", up.name)
		}
	}
	// A 512×512 WebP header of each kind.
	vp8x := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\xff\x01\x00\xff\x01\x00")
	if w, h, ok := webpSize(vp8x); !ok || w != 512 || h != 512 {
		t.Errorf("VP8X: %d×%d %v", w, h, ok)
	}
}
