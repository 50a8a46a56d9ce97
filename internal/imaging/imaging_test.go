package imaging

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/webp"

	"usersd/internal/imaging/imagingtest"
)

var limits = Limits{MaxBytes: 1536 << 10, MaxPixels: 40_000_000, Size: 512}

// decoded decodes both encodings of out and checks their shape.
func decoded(t *testing.T, out *Image, side int) (w, j image.Image) {
	t.Helper()
	if out.Width != side || out.Height != side {
		t.Fatalf("size %d×%d, want %d×%d", out.Width, out.Height, side, side)
	}
	w, err := webp.Decode(bytes.NewReader(out.WebP))
	if err != nil {
		t.Fatalf("output WebP does not decode: %v", err)
	}
	j, err = jpeg.Decode(bytes.NewReader(out.JPEG))
	if err != nil {
		t.Fatalf("output JPEG does not decode: %v", err)
	}
	for _, img := range []image.Image{w, j} {
		if b := img.Bounds(); b.Dx() != side || b.Dy() != side {
			t.Fatalf("encoded %v, want %d×%d", b, side, side)
		}
	}
	return w, j
}

// near reports whether c is within tol of want in each channel (lossy
// encoders move colours a little).
func near(c color.Color, want color.NRGBA, tol int) bool {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	d := func(a, b uint8) bool { return max(int(a)-int(b), int(b)-int(a)) <= tol }
	return d(n.R, want.R) && d(n.G, want.G) && d(n.B, want.B) && d(n.A, want.A)
}

func TestProcess(t *testing.T) {
	red := color.NRGBA{255, 0, 0, 255}
	green := color.NRGBA{0, 255, 0, 255}
	paletted := image.NewPaletted(image.Rect(0, 0, 40, 40), color.Palette{color.NRGBA{}, red})
	for i := range paletted.Pix {
		if i%40 >= 20 {
			paletted.Pix[i] = 1 // right half red, left half transparent
		}
	}
	gray16 := image.NewGray16(image.Rect(0, 0, 30, 30))
	for i := range gray16.Pix {
		gray16.Pix[i] = 0x80
	}
	rgba64 := image.NewNRGBA64(image.Rect(0, 0, 30, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 30; x++ {
			rgba64.SetNRGBA64(x, y, color.NRGBA64{R: 0xffff, A: 0xffff})
		}
	}
	big := imagingtest.JPEG(imagingtest.Photo(1200, 800))
	tests := []struct {
		name   string
		uri    string
		format string
		side   int
		centre color.NRGBA // expected centre pixel of the WebP, if A > 0
		check  func(t *testing.T, w, j image.Image)
	}{
		{name: "png", uri: imagingtest.URI("image/png", imagingtest.PNG(imagingtest.Thirds(300, 100))), format: "png", side: 100, centre: green},
		{name: "jpeg downscaled", uri: imagingtest.URI("image/jpeg", big), format: "jpeg", side: 512},
		{name: "jpeg portrait", uri: imagingtest.URI("image/jpeg", imagingtest.JPEG(imagingtest.Thirds(90, 270))), format: "jpeg", side: 90, centre: green},
		{name: "webp lossy", uri: imagingtest.URI("image/webp", imagingtest.WebP(imagingtest.Thirds(60, 60), false)), format: "webp", side: 60, centre: green},
		{name: "webp lossless", uri: imagingtest.URI("image/webp", imagingtest.WebP(imagingtest.Thirds(600, 600), true)), format: "webp", side: 512, centre: green},
		// The declared type is a gate, the content decides (package doc).
		{name: "jpeg declared as png", uri: imagingtest.URI("image/png", imagingtest.JPEG(imagingtest.Thirds(30, 30))), format: "jpeg", side: 30, centre: green},
		{name: "png declared as webp", uri: imagingtest.URI("image/webp", imagingtest.PNG(imagingtest.Thirds(30, 30))), format: "png", side: 30, centre: green},
		{name: "type parameters and case", uri: "DATA:Image/PNG;name=a.png;BASE64," + base64.StdEncoding.EncodeToString(imagingtest.PNG(imagingtest.Thirds(30, 30))), format: "png", side: 30, centre: green},
		{name: "unpadded base64", uri: "data:image/png;base64," + base64.RawStdEncoding.EncodeToString(imagingtest.PNG(imagingtest.Thirds(31, 31))), format: "png", side: 31, centre: green},
		{name: "cmyk jpeg", uri: imagingtest.URI("image/jpeg", imagingtest.CMYKJPEG([4]uint8{255, 0, 0, 255}, 0)), format: "jpeg", side: 8, centre: red},
		{name: "ycck jpeg", uri: imagingtest.URI("image/jpeg", imagingtest.YCCK(color.CMYK{M: 255, Y: 255})), format: "jpeg", side: 8, centre: red},
		{name: "paletted png with transparency", uri: imagingtest.URI("image/png", imagingtest.PNG(paletted)), format: "png", side: 40,
			check: func(t *testing.T, w, j image.Image) {
				if c := w.At(5, 20); !near(c, color.NRGBA{}, 8) && color.NRGBAModel.Convert(c).(color.NRGBA).A != 0 {
					t.Errorf("WebP transparent half = %v, want alpha 0", c)
				}
				if c := w.At(35, 20); !near(c, red, 40) {
					t.Errorf("WebP red half = %v", c)
				}
				if c := j.At(5, 20); !near(c, color.NRGBA{255, 255, 255, 255}, 8) {
					t.Errorf("JPEG transparent half = %v, want white", c)
				}
			}},
		{name: "16-bit gray png", uri: imagingtest.URI("image/png", imagingtest.PNG(gray16)), format: "png", side: 30, centre: color.NRGBA{128, 128, 128, 255}},
		{name: "16-bit rgba png", uri: imagingtest.URI("image/png", imagingtest.PNG(rgba64)), format: "png", side: 30, centre: red},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Process(tt.uri, limits)
			if err != nil {
				t.Fatal(err)
			}
			if out.Format != tt.format {
				t.Errorf("format %q, want %q", out.Format, tt.format)
			}
			w, j := decoded(t, out, tt.side)
			if tt.centre.A > 0 {
				if c := w.At(tt.side/2, tt.side/2); !near(c, tt.centre, 40) {
					t.Errorf("WebP centre = %v, want about %v", c, tt.centre)
				}
				if c := j.At(tt.side/2, tt.side/2); !near(c, tt.centre, 40) {
					t.Errorf("JPEG centre = %v, want about %v", c, tt.centre)
				}
			}
			if tt.check != nil {
				tt.check(t, w, j)
			}
		})
	}
}

func TestProcessRefuses(t *testing.T) {
	small := Limits{MaxBytes: 4096, MaxPixels: 10_000, Size: 64}
	ok := imagingtest.PNG(imagingtest.Thirds(30, 30))
	j := imagingtest.JPEG(imagingtest.Photo(64, 64))
	w := imagingtest.WebP(imagingtest.Photo(64, 64), false)
	tests := []struct {
		name   string
		uri    string
		limits Limits
		kind   error
		reason string // a part of the reason
	}{
		{"not a data uri", "https://example.com/a.png", limits, ErrBadImage, "data URI"},
		{"no comma", "data:image/png;base64", limits, ErrBadImage, "comma"},
		{"not base64", "data:image/png," + string(ok), limits, ErrBadImage, "base64"},
		{"gif declared", imagingtest.URI("image/gif", ok), limits, ErrBadImage, `"image/gif"`},
		{"svg declared", imagingtest.URI("image/svg+xml", []byte("<svg/>")), limits, ErrBadImage, "not accepted"},
		{"no type", imagingtest.URI("", ok), limits, ErrBadImage, "no type"},
		{"bad base64", "data:image/png;base64,iVBO!!!!", limits, ErrBadImage, "malformed"},
		{"line breaks", "data:image/png;base64,iVBO\nRw0K", limits, ErrBadImage, "line breaks"},
		{"empty", "data:image/png;base64,", limits, ErrBadImage, "no data"},
		{"long header", "data:image/png" + strings.Repeat(";x=y", 100) + ";base64," + base64.StdEncoding.EncodeToString(ok), limits, ErrBadImage, "longer than 256 bytes"},
		{"gif content", imagingtest.URI("image/png", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")), limits, ErrBadImage, "not a PNG, JPEG or WebP"},
		{"text content", imagingtest.URI("image/jpeg", []byte("hello")), limits, ErrBadImage, "not a PNG, JPEG or WebP"},
		{"truncated png", imagingtest.URI("image/png", ok[:len(ok)/2]), limits, ErrBadImage, "png image is"},
		{"truncated jpeg", imagingtest.URI("image/jpeg", j[:len(j)/2]), limits, ErrBadImage, "jpeg image is"},
		{"truncated webp", imagingtest.URI("image/webp", w[:len(w)/2]), limits, ErrBadImage, "webp image is"},
		{"png header only", imagingtest.URI("image/png", ok[:40]), limits, ErrBadImage, "png image is"},
		{"corrupt png crc", imagingtest.URI("image/png", flip(ok, 30)), limits, ErrBadImage, "corrupt"},
		{"animated png", imagingtest.URI("image/png", imagingtest.APNG(ok)), limits, ErrBadImage, "animated PNG"},
		{"animated webp", imagingtest.URI("image/webp", imagingtest.AnimatedWebP(w, 64, 64, true)), limits, ErrBadImage, "animated WebP"},
		{"animation chunks without the flag", imagingtest.URI("image/webp", imagingtest.AnimatedWebP(w, 64, 64, false)), limits, ErrBadImage, "animated WebP"},
		{"zero width png", imagingtest.URI("image/png", imagingtest.PNGBomb(0, 10)), limits, ErrBadImage, "png image"},
		{"png bomb", imagingtest.URI("image/png", imagingtest.PNGBomb(50000, 50000)), limits, ErrTooLarge, "50000×50000"},
		{"png past MaxPixels", imagingtest.URI("image/png", ok), Limits{MaxBytes: 4096, MaxPixels: 899, Size: 64}, ErrTooLarge, "30×30"},
		{"jpeg past MaxPixels", imagingtest.URI("image/jpeg", j), Limits{MaxBytes: 1 << 20, MaxPixels: 4095, Size: 64}, ErrTooLarge, "64×64"},
		{"webp canvas bomb", imagingtest.URI("image/webp", imagingtest.RIFF(imagingtest.VP8X(0, 16384, 16384), imagingtest.FirstChunk(w))), limits, ErrTooLarge, "16384×16384"},
		{"base64 text too long", "data:image/png;base64," + strings.Repeat("A", 5464), small, ErrTooLarge, "4096 bytes"},
		{"decoded bytes too many", "data:image/png;base64," + strings.Repeat("A", 5462), Limits{MaxBytes: 4095}, ErrTooLarge, "4095 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Process(tt.uri, tt.limits)
			if err == nil {
				t.Fatalf("Process = %d×%d %s, want an error", out.Width, out.Height, out.Format)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %q is %v, want %v", err, e.Kind, tt.kind)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("reason %q, want it to contain %q", err, tt.reason)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte{}, b...)
	out[i] ^= 0xff
	return out
}

// TestMetadataStripped uploads a JPEG carrying EXIF, XMP and an ICC
// profile, and a PNG carrying text chunks: re-encoding keeps none.
func TestMetadataStripped(t *testing.T) {
	const secret = "GPS 52.37N 4.89E serial 12345"
	j := imagingtest.WithSegments(imagingtest.JPEG(imagingtest.Photo(80, 60)),
		imagingtest.APP(0xe1, "Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"+secret),
		imagingtest.APP(0xe1, "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>"+secret+"</x:xmpmeta>"),
		imagingtest.APP(0xe2, "ICC_PROFILE\x00\x01\x01"+secret))
	p := imagingtest.PNG(imagingtest.Photo(50, 50))
	p = append(p[:len(p)-12], append(imagingtest.PNGChunk("tEXt", []byte("Comment\x00"+secret)), p[len(p)-12:]...)...)
	for name, u := range map[string]string{"jpeg": imagingtest.URI("image/jpeg", j), "png": imagingtest.URI("image/png", p)} {
		t.Run(name, func(t *testing.T) {
			out, err := Process(u, limits)
			if err != nil {
				t.Fatal(err)
			}
			for enc, b := range map[string][]byte{"webp": out.WebP, "jpeg": out.JPEG} {
				for _, mark := range []string{secret, "Exif", "xmpmeta", "ICC_PROFILE", "EXIF", "XMP ", "ICCP"} {
					if bytes.Contains(b, []byte(mark)) {
						t.Errorf("%s output contains %q", enc, mark)
					}
				}
			}
		})
	}
}

// TestBombAllocations: refusing a 50,000×50,000 PNG (10 GB of pixels)
// reads its header and allocates next to nothing.
func TestBombAllocations(t *testing.T) {
	bomb := imagingtest.PNGBomb(50000, 50000)
	u := imagingtest.URI("image/png", bomb)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const runs = 100
	for range runs {
		if _, err := Process(u, limits); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Process = %v, want ErrTooLarge", err)
		}
	}
	runtime.ReadMemStats(&after)
	perRun := (after.TotalAlloc - before.TotalAlloc) / runs
	allocs := testing.AllocsPerRun(runs, func() { _, _ = Process(u, limits) })
	t.Logf("refusing a %d-byte 50000×50000 PNG: %d bytes in %.0f allocations per call", len(bomb), perRun, allocs)
	if perRun > 64<<10 {
		t.Errorf("refusal allocated %d bytes per call, want at most 64 KiB", perRun)
	}
}

// TestOversizeAllocations: a data URI past MaxBytes is refused before
// its base64 is decoded.
func TestOversizeAllocations(t *testing.T) {
	u := "data:image/png;base64," + strings.Repeat("A", 8<<20)
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := Process(u, limits); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Process = %v, want ErrTooLarge", err)
		}
	})
	if allocs > 10 {
		t.Errorf("refusing an 8 MiB data URI made %.0f allocations, want a handful", allocs)
	}
}

// BenchmarkProcess is the avatar path: a 1200×800 JPEG photo to a 512 px
// WebP and JPEG.
func BenchmarkProcess(b *testing.B) {
	u := imagingtest.URI("image/jpeg", imagingtest.JPEG(imagingtest.Photo(1200, 800)))
	Warm()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(u, limits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeWebP is the WebP encoder alone on a 512×512 picture.
func BenchmarkEncodeWebP(b *testing.B) {
	img := imagingtest.Photo(512, 512)
	Warm()
	for b.Loop() {
		if _, err := encodeWebP(img); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefuseBomb refuses a 50,000×50,000 PNG.
func BenchmarkRefuseBomb(b *testing.B) {
	u := imagingtest.URI("image/png", imagingtest.PNGBomb(50000, 50000))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(u, limits); err == nil {
			b.Fatal("accepted")
		}
	}
}

// BenchmarkDecodeSquare is the avatar path without the encoders: decode
// a 1200×800 JPEG, crop and scale to 512.
func BenchmarkDecodeSquare(b *testing.B) {
	data := imagingtest.JPEG(imagingtest.Photo(1200, 800))
	b.ReportAllocs()
	for b.Loop() {
		img, _, err := Decode(data, limits.MaxPixels)
		if err != nil {
			b.Fatal(err)
		}
		Square(img, limits.Size)
	}
}
