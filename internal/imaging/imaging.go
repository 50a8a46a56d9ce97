// Package imaging turns an uploaded data URI into the images usersd stores:
// a square WebP and its JPEG twin, at most Limits.Size pixels a side, with
// no metadata.
//
// Every bound holds before the costly step it guards: the base64 text and
// the decoded bytes are measured before decoding, and the dimensions the
// file's header claims are checked against Limits.MaxPixels before any
// pixel is decompressed, so a small file claiming a huge picture costs a
// header read.
//
// Choices:
//   - The format is taken from the content, never from the declared type:
//     the data URI must declare image/png, image/jpeg or image/webp, and
//     the bytes must be one of those three, but a JPEG declared as PNG is
//     accepted as the JPEG it is. The upload is re-encoded either way, so
//     the label has no consequence, and clients (canvas exports, file
//     pickers that guess by extension) do mislabel.
//   - Animated images (APNG, animated WebP) are refused, not cut to their
//     first frame: an APNG's default image need not be its first frame,
//     and a clear refusal beats a still the uploader did not choose.
//   - The JPEG twin has no alpha channel, so transparent parts are
//     flattened onto white.
//   - A JPEG's EXIF orientation is applied to the pixels, since the
//     re-encoded image carries no metadata and browsers showed the
//     uploader the turned picture. (PNG and WebP orientation tags are
//     rare and ignored.)
package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits bound an upload; core.ImageLimits carries the same three values.
type Limits struct {
	MaxBytes  int // decoded file size, checked before decoding
	MaxPixels int // width × height as the header claims them
	Size      int // side of the output square, at most
}

// Image is an upload re-encoded for storage.
type Image struct {
	WebP, JPEG    []byte
	Width, Height int    // of both encodings; equal, at most Limits.Size
	Format        string // the upload's format by content: png, jpeg or webp
}

// ErrTooLarge and ErrBadImage are the two kinds of refusal; every error of
// Process is an *Error wrapping one of them.
var (
	ErrTooLarge = errors.New("image too large")
	ErrBadImage = errors.New("bad image")
)

// Error is a refused upload: Kind is ErrTooLarge or ErrBadImage, Reason a
// sentence safe to show the uploader.
type Error struct {
	Kind   error
	Reason string
}

func (e *Error) Error() string { return e.Reason }
func (e *Error) Unwrap() error { return e.Kind }

func bad(format string, args ...any) *Error {
	return &Error{Kind: ErrBadImage, Reason: fmt.Sprintf(format, args...)}
}

func tooLarge(format string, args ...any) *Error {
	return &Error{Kind: ErrTooLarge, Reason: fmt.Sprintf(format, args...)}
}

// Encoder settings. WebP method 2 of 0..6 takes half the time of the
// default 4 for 3–4% more bytes (README, "Images").
const (
	webpQuality = 80
	webpMethod  = 2
	jpegQuality = 85
)

// slots bounds the uploads decoded at once: a decode may hold
// MaxPixels × 4 bytes or more, and an encode a WebAssembly instance.
var slots = make(chan struct{}, runtime.GOMAXPROCS(0))

// Process parses a data URI, checks it against l, decodes it, crops it to
// a centred square no larger than l.Size and encodes it as WebP and JPEG.
// Errors are *Error.
func Process(dataURI string, l Limits) (*Image, error) {
	_, data, err := ParseDataURI(dataURI, l.MaxBytes)
	if err != nil {
		return nil, err
	}
	slots <- struct{}{}
	defer func() { <-slots }()
	src, format, err := Decode(data, l.MaxPixels)
	if err != nil {
		return nil, err
	}
	sq := Square(src, l.Size)
	if format == "jpeg" {
		sq = orient(sq, jpegOrientation(data))
	}
	out := &Image{Width: sq.Bounds().Dx(), Height: sq.Bounds().Dy(), Format: format}
	if out.WebP, err = encodeWebP(unpremultiply(sq)); err != nil {
		return nil, fmt.Errorf("encode webp: %w", err)
	}
	if out.JPEG, err = encodeJPEG(sq); err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	return out, nil
}

// Decode decodes a PNG, JPEG or WebP file, recognised by its content,
// after checking that it is a still image of at most maxPixels pixels.
// It returns the image and its format (png, jpeg or webp).
func Decode(data []byte, maxPixels int) (img image.Image, format string, err error) {
	format = Sniff(data)
	var decode func([]byte) (image.Image, error)
	var config func([]byte) (image.Config, error)
	switch format {
	case "png":
		if animatedPNG(data) {
			return nil, "", bad("animated PNG images are not accepted")
		}
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	case "jpeg":
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	case "webp":
		if animatedWebP(data) {
			return nil, "", bad("animated WebP images are not accepted")
		}
		decode = func(b []byte) (image.Image, error) { return webp.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return webp.DecodeConfig(bytes.NewReader(b)) }
	default:
		return nil, "", bad("the file is not a PNG, JPEG or WebP image")
	}
	// A decoder that panics on hostile input is a bad image, not a crash.
	defer func() {
		if r := recover(); r != nil {
			img, format, err = nil, "", bad("the %s image is corrupt", format)
		}
	}()
	cfg, err := config(data)
	if err != nil {
		return nil, "", corrupt(format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, "", bad("the %s image has no pixels (%d×%d)", format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, "", tooLarge("the image is %d×%d pixels; at most %d pixels are accepted", cfg.Width, cfg.Height, maxPixels)
	}
	img, err = decode(data)
	if err != nil {
		return nil, "", corrupt(format, err)
	}
	return img, format, nil
}

// corrupt describes a decoder's error without its package prefix noise.
func corrupt(format string, err error) *Error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return bad("the %s image is truncated", format)
	}
	return bad("the %s image is corrupt: %v", format, err)
}

// Square crops src to its centred square and scales it down to at most
// size pixels a side (never up). The result is premultiplied RGBA
// whatever src's colour model (CMYK, YCbCr, paletted, gray, 16-bit).
func Square(src image.Image, size int) *image.RGBA {
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	at := b.Min.Add(image.Pt((b.Dx()-side)/2, (b.Dy()-side)/2))
	crop := image.Rectangle{Min: at, Max: at.Add(image.Pt(side, side))}
	out := side
	if size > 0 && out > size {
		out = size
	}
	// *image.RGBA is what the scaler's fast paths write.
	dst := image.NewRGBA(image.Rect(0, 0, out, out))
	if out == side {
		draw.Draw(dst, dst.Bounds(), src, crop.Min, draw.Src)
	} else {
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Src, nil)
	}
	return dst
}

// unpremultiply returns img as non-premultiplied RGBA, which the WebP
// encoder wants; the standard library's draw has no fast path for it.
func unpremultiply(img *image.RGBA) *image.NRGBA {
	n := &image.NRGBA{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}
	if img.Opaque() {
		return n // the same bytes
	}
	n.Pix = make([]byte, len(img.Pix))
	for i := 0; i+3 < len(img.Pix); i += 4 {
		a := uint32(img.Pix[i+3])
		n.Pix[i+3] = uint8(a)
		if a == 0 {
			continue
		}
		for c := range 3 {
			n.Pix[i+c] = uint8((uint32(img.Pix[i+c])*255 + a/2) / a)
		}
	}
	return n
}

// encodeJPEG writes img as a baseline JPEG, transparent parts on white.
func encodeJPEG(img *image.RGBA) ([]byte, error) {
	flat := img
	if !img.Opaque() {
		// Premultiplied colour over white: c + (255 - a).
		flat = &image.RGBA{Pix: make([]byte, len(img.Pix)), Stride: img.Stride, Rect: img.Rect}
		for i := 0; i+3 < len(img.Pix); i += 4 {
			bg := 255 - img.Pix[i+3]
			for c := range 3 {
				flat.Pix[i+c] = img.Pix[i+c] + bg
			}
			flat.Pix[i+3] = 255
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, flat, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
