package imaging

import (
	"bytes"
	"image"

	"github.com/gen2brain/webp"
)

// encodeWebP writes img as a lossy WebP with libwebp, which
// github.com/gen2brain/webp runs as WebAssembly under wazero (no cgo; a
// binary built with -tags nodynamic never looks for a system libwebp).
// README "Images" has the measurements behind this choice.
func encodeWebP(img *image.NRGBA) ([]byte, error) {
	var b bytes.Buffer
	if err := webp.Encode(&b, img, webp.Options{Quality: webpQuality, Method: webpMethod}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Warm compiles the WebP encoder ahead of the first upload (a few hundred
// milliseconds), so that upload does not pay for it.
func Warm() { webp.Init() }
