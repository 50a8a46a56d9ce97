package imagingtest

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"golang.org/x/image/webp"
)

// The fixtures are checked with the standard decoders, so that a failure
// in a test that uses one points at the code under test, not the file.

func TestCMYKJPEG(t *testing.T) {
	img, err := jpeg.Decode(bytes.NewReader(CMYKJPEG([4]uint8{255, 0, 0, 255}, 0)))
	if err != nil {
		t.Fatal(err)
	}
	c, ok := img.(*image.CMYK)
	if !ok {
		t.Fatalf("decoded %T, want *image.CMYK", img)
	}
	if got, want := c.CMYKAt(4, 4), (color.CMYK{C: 0, M: 255, Y: 255, K: 0}); got != want {
		t.Fatalf("CMYKAt = %v, want %v", got, want)
	}
}

func TestYCCK(t *testing.T) {
	img, err := jpeg.Decode(bytes.NewReader(YCCK(color.CMYK{M: 255, Y: 255})))
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(4, 4).RGBA()
	if r>>8 < 200 || g>>8 > 60 || b>>8 > 60 {
		t.Fatalf("YCCK of red decodes to %v", img.At(4, 4))
	}
}

func TestAPNG(t *testing.T) {
	ap := APNG(PNG(Gradient(20, 10)))
	img, err := png.Decode(bytes.NewReader(ap))
	if err != nil || img.Bounds().Dx() != 20 || img.Bounds().Dy() != 10 {
		t.Fatalf("APNG as a still PNG: %v %v", img, err)
	}
	types, _ := PNGChunks(ap)
	want := []string{"IHDR", "acTL", "fcTL", "IDAT", "fcTL", "fdAT", "IEND"}
	if len(types) != len(want) {
		t.Fatalf("chunks %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("chunks %v, want %v", types, want)
		}
	}
}

func TestPNGBomb(t *testing.T) {
	b := PNGBomb(50000, 40000)
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != 50000 || cfg.Height != 40000 || len(b) > 100 {
		t.Fatalf("bomb: %+v %v, %d bytes", cfg, err, len(b))
	}
}

func TestWebP(t *testing.T) {
	for _, lossless := range []bool{false, true} {
		img, err := webp.Decode(bytes.NewReader(WebP(Thirds(30, 12), lossless)))
		if err != nil || img.Bounds().Dx() != 30 || img.Bounds().Dy() != 12 {
			t.Fatalf("lossless %v: %v %v", lossless, img, err)
		}
	}
	// The animated file's canvas and flags, as a decoder reads them.
	a := AnimatedWebP(WebP(Thirds(30, 12), false), 30, 12, true)
	cfg, err := webp.DecodeConfig(bytes.NewReader(a))
	if err != nil || cfg.Width != 30 || cfg.Height != 12 || string(a[12:16]) != "VP8X" || a[20]&0x02 == 0 {
		t.Fatalf("animated WebP: %+v %v", cfg, err)
	}
}

func TestGIFAndBMP(t *testing.T) {
	if img, err := gif.Decode(bytes.NewReader(GIF())); err != nil || img.Bounds().Dx() != 4 {
		t.Fatalf("GIF: %v", err)
	}
	if b := BMP(); string(b[:2]) != "BM" || len(b) != 58 {
		t.Fatalf("BMP header %q", b[:2])
	}
}
