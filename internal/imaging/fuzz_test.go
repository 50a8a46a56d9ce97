package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/image/webp"

	"usersd/internal/imaging/imagingtest"
)

// FuzzDecode feeds data URIs to Process under small limits. It must never
// panic; every refusal is an *Error of one of the two kinds; every
// success is a square within the limits whose WebP decodes; and nothing
// past MaxPixels is decoded (the header check refuses it first).
func FuzzDecode(f *testing.F) {
	small := imagingtest.Thirds(12, 8)
	p, j, w := imagingtest.PNG(small), imagingtest.JPEG(small), imagingtest.WebP(small, false)
	seeds := []string{
		imagingtest.URI("image/png", p),
		imagingtest.URI("image/jpeg", j),
		imagingtest.URI("image/webp", w),
		imagingtest.URI("image/webp", imagingtest.WebP(small, true)),
		imagingtest.URI("image/png", j), // mislabelled, accepted by content
		imagingtest.URI("image/jpeg", imagingtest.CMYKJPEG([4]uint8{255, 0, 0, 255}, 0)),
		imagingtest.URI("image/jpeg", imagingtest.WithSegments(j, exifOrientation(binary.LittleEndian, 6))),
		imagingtest.URI("image/png", imagingtest.APNG(p)),
		imagingtest.URI("image/webp", imagingtest.AnimatedWebP(w, 12, 8, true)),
		imagingtest.URI("image/png", imagingtest.PNGBomb(50000, 50000)),
		imagingtest.URI("image/webp", imagingtest.RIFF(imagingtest.VP8X(0, 16384, 16384), imagingtest.FirstChunk(w))),
		imagingtest.URI("image/png", p[:len(p)/2]),
		imagingtest.URI("image/gif", p),
		"data:image/png;base64,",
		"data:,",
		"data:image/png;base64,====",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	l := Limits{MaxBytes: 16 << 10, MaxPixels: 256 * 256, Size: 32}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Process(s, l)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !(errors.Is(err, ErrBadImage) || errors.Is(err, ErrTooLarge)) {
				t.Fatalf("error %T %v is not a refusal", err, err)
			}
			return
		}
		if out.Width != out.Height || out.Width < 1 || out.Width > l.Size {
			t.Fatalf("output %d×%d, want a square of at most %d", out.Width, out.Height, l.Size)
		}
		img, err := webp.Decode(bytes.NewReader(out.WebP))
		if err != nil {
			t.Fatalf("output WebP does not decode: %v", err)
		}
		if img.Bounds().Dx() != out.Width {
			t.Fatalf("WebP is %v, want %d wide", img.Bounds(), out.Width)
		}
	})
}
