package imaging

// Test files built in code: ordinary ones through the standard encoders,
// and those no Go encoder writes (CMYK JPEG, APNG, animated WebP, headers
// that lie) chunk by chunk.

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand"
	"testing"

	gwebp "github.com/gen2brain/webp"
)

// photo is a w×h picture with gradients, a soft blob and noise, so that
// encoders see something like a photograph.
func photo(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewSource(int64(w*h + 1)))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x-w/3), float64(y-h/2)
			blob := 120 / (1 + (dx*dx+dy*dy)/float64(w*h/40+1))
			img.SetNRGBA(x, y, color.NRGBA{
				R: clamp(float64(x*255/w) + blob + r.NormFloat64()*6),
				G: clamp(float64(y*255/h) + blob/2 + r.NormFloat64()*6),
				B: clamp(float64((x+y)*128/(w+h)) + 60 + r.NormFloat64()*6),
				A: 255,
			})
		}
	}
	return img
}

func clamp(v float64) uint8 { return uint8(max(0, min(255, v))) }

// thirds is a w×h picture whose left, middle and right thirds are red,
// green and blue.
func thirds(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := [3]color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}}[x*3/w]
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func pngOf(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func jpegOf(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func webpOf(tb testing.TB, img image.Image, lossless bool) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := gwebp.Encode(&b, img, gwebp.Options{Quality: 90, Lossless: lossless}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func uri(mime string, data []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data)
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// pngBomb is a PNG of a few dozen bytes whose IHDR claims w×h RGB pixels.
func pngBomb(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB, deflate, adaptive filter, no interlace
	out := []byte(pngSig)
	out = append(out, pngChunk("IHDR", ihdr)...)
	// A zlib stream of a few zero bytes: far too little data, which a
	// decoder would only find after allocating the picture.
	out = append(out, pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01})...)
	return append(out, pngChunk("IEND", nil)...)
}

// apng inserts an acTL chunk (2 frames, endless) after a PNG's IHDR.
func apng(p []byte) []byte {
	at := len(pngSig) + 8 + 13 + 4
	actl := binary.BigEndian.AppendUint32(nil, 2)
	actl = binary.BigEndian.AppendUint32(actl, 0)
	out := append([]byte{}, p[:at]...)
	out = append(out, pngChunk("acTL", actl)...)
	return append(out, p[at:]...)
}

// riff wraps WebP chunks in a RIFF container.
func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

func webpChunk(typ string, data []byte) []byte {
	out := append([]byte(typ), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// vp8x is a VP8X chunk with flags and a w×h canvas.
func vp8x(flags byte, w, h int) []byte {
	d := []byte{flags, 0, 0, 0}
	d = append(d, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	d = append(d, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	return webpChunk("VP8X", d)
}

// firstChunk returns the first chunk of a simple WebP file (its VP8 or
// VP8L bitstream chunk), whole.
func firstChunk(w []byte) []byte {
	n := binary.LittleEndian.Uint32(w[16:20])
	return w[12 : 20+n+n&1]
}

// animatedWebPFile is a two-frame animated WebP made of still's bitstream.
func animatedWebPFile(still []byte, w, h int, flag bool) []byte {
	frame := firstChunk(still)
	anmf := func() []byte {
		d := make([]byte, 16) // x, y offsets 0; then size and duration
		d[6], d[7], d[8] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
		d[9], d[10], d[11] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
		d[12] = 100
		return webpChunk("ANMF", append(d, frame...))
	}
	var flags byte
	if flag {
		flags = 0x02
	}
	return riff(vp8x(flags, w, h), webpChunk("ANIM", make([]byte, 6)), anmf(), anmf())
}

// cmykJPEG writes an 8×8 single-colour four-component baseline JPEG with
// an Adobe APP14 marker, which no Go encoder writes. samples are the
// four stored component values; transform is the APP14 colour transform
// (0: CMYK, 2: YCCK), both stored inverted as Adobe writes them.
//
// Every block is flat, so only its DC coefficient is coded: with a DC
// quantizer of 8 a flat block of level-shifted value v has quantized DC
// v. The DC table codes categories 0..8 with 4-bit codes; the AC table
// holds one code, "0" = end of block.
func cmykJPEG(samples [4]uint8, transform byte) []byte {
	seg := func(marker byte, data []byte) []byte {
		out := []byte{0xff, marker}
		out = binary.BigEndian.AppendUint16(out, uint16(len(data)+2))
		return append(out, data...)
	}
	out := []byte{0xff, 0xd8}
	out = append(out, seg(0xee, append([]byte("Adobe"), 0, 100, 0, 0, 0, 0, transform))...)
	dqt := []byte{0, 8}
	for range 63 {
		dqt = append(dqt, 1)
	}
	out = append(out, seg(0xdb, dqt)...)
	sof := []byte{8, 0, 8, 0, 8, 4}
	for id := byte(1); id <= 4; id++ {
		sof = append(sof, id, 0x11, 0)
	}
	out = append(out, seg(0xc0, sof)...)
	dc := []byte{0x00, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}
	out = append(out, seg(0xc4, dc)...)
	ac := []byte{0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00}
	out = append(out, seg(0xc4, ac)...)
	sos := []byte{4}
	for id := byte(1); id <= 4; id++ {
		sos = append(sos, id, 0x00)
	}
	out = append(out, seg(0xda, append(sos, 0, 63, 0))...)

	var bits []bool
	put := func(v, n int) {
		for i := n - 1; i >= 0; i-- {
			bits = append(bits, v>>i&1 == 1)
		}
	}
	for _, s := range samples {
		v := int(s) - 128
		cat := 0
		for a := max(v, -v); a > 0; a >>= 1 {
			cat++
		}
		put(cat, 4)
		if v < 0 {
			v += 1<<cat - 1
		}
		put(v, cat)
		put(0, 1) // end of block
	}
	for len(bits)%8 != 0 {
		bits = append(bits, true)
	}
	for i := 0; i < len(bits); i += 8 {
		var b byte
		for j := range 8 {
			if bits[i+j] {
				b |= 0x80 >> j
			}
		}
		out = append(out, b)
		if b == 0xff {
			out = append(out, 0)
		}
	}
	return append(out, 0xff, 0xd9)
}

// withSegments inserts APPn segments (EXIF, XMP, ICC) after a JPEG's SOI.
func withSegments(j []byte, segs ...[]byte) []byte {
	out := append([]byte{}, j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

func app(marker byte, payload string) []byte {
	out := []byte{0xff, marker}
	out = binary.BigEndian.AppendUint16(out, uint16(len(payload)+2))
	return append(out, payload...)
}

// TestCMYKJPEGFixture checks the hand-made CMYK JPEG with the standard
// decoder itself, so a failure below points at the code, not the file.
func TestCMYKJPEGFixture(t *testing.T) {
	img, err := jpeg.Decode(bytes.NewReader(cmykJPEG([4]uint8{255, 0, 0, 255}, 0)))
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
