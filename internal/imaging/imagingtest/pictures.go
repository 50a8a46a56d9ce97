// Package imagingtest builds test images in code, for the tests of
// internal/imaging and of the faces that take uploads: ordinary files
// through the standard encoders, and those no Go encoder writes (CMYK and
// YCCK JPEG, animated PNG and WebP, headers that lie) byte by byte.
//
// Only tests import it. The builders take no testing.TB so that package
// level tables can call them; an encoder failing on an in-memory picture
// is a bug in the fixture, so they panic.
package imagingtest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand"

	gwebp "github.com/gen2brain/webp"
)

// Photo is a w×h picture with gradients, a soft blob and noise, so that
// encoders see something like a photograph.
func Photo(w, h int) *image.NRGBA {
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

// Gradient is a smooth w×h gradient, different for every size; it
// compresses well, so large ones stay small files.
func Gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	return img
}

// Thirds is a w×h picture whose left, middle and right thirds are red,
// green and blue.
func Thirds(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := [3]color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}}[x*3/w]
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// Solid is a w×h picture of one colour.
func Solid(w, h int, c color.Color) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, n)
		}
	}
	return img
}

func must(b *bytes.Buffer, err error) []byte {
	if err != nil {
		panic("imagingtest: " + err.Error())
	}
	return b.Bytes()
}

// PNG encodes img as a PNG.
func PNG(img image.Image) []byte {
	var b bytes.Buffer
	return must(&b, png.Encode(&b, img))
}

// JPEG encodes img as a baseline JPEG of quality 90.
func JPEG(img image.Image) []byte {
	var b bytes.Buffer
	return must(&b, jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}))
}

// WebP encodes img as a lossy (VP8) or lossless (VP8L) WebP.
func WebP(img image.Image, lossless bool) []byte {
	var b bytes.Buffer
	return must(&b, gwebp.Encode(&b, img, gwebp.Options{Quality: 90, Lossless: lossless}))
}

// GIF is a 4×4 two-colour GIF, a kind the service refuses.
func GIF() []byte {
	img := image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.Black, color.White})
	img.SetColorIndex(1, 1, 1)
	var b bytes.Buffer
	return must(&b, gif.Encode(&b, img, nil))
}

// BMP is a 1×1 24-bit BMP, a kind the service refuses.
func BMP() []byte {
	b := make([]byte, 58)
	copy(b, "BM")
	binary.LittleEndian.PutUint32(b[2:], 58)
	binary.LittleEndian.PutUint32(b[10:], 54)
	binary.LittleEndian.PutUint32(b[14:], 40)
	binary.LittleEndian.PutUint32(b[18:], 1)
	binary.LittleEndian.PutUint32(b[22:], 1)
	binary.LittleEndian.PutUint16(b[26:], 1)
	binary.LittleEndian.PutUint16(b[28:], 24)
	binary.LittleEndian.PutUint32(b[34:], 4)
	b[54], b[55], b[56] = 0x20, 0x40, 0x80
	return b
}

// URI is data as a base64 data URI of type mime.
func URI(mime string, data []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data)
}
