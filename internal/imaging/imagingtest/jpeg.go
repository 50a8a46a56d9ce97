package imagingtest

import (
	"encoding/binary"
	"image/color"
)

// CMYKJPEG writes an 8×8 single-colour four-component baseline JPEG with
// an Adobe APP14 marker, which no Go encoder writes. samples are the
// four stored component values; transform is the APP14 colour transform
// (0: CMYK, 2: YCCK), both stored inverted as Adobe writes them.
//
// Every block is flat, so only its DC coefficient is coded: with a DC
// quantizer of 8 a flat block of level-shifted value v has quantized DC
// v. The DC table codes categories 0..8 with 4-bit codes; the AC table
// holds one code, "0" = end of block.
func CMYKJPEG(samples [4]uint8, transform byte) []byte {
	out := []byte{0xff, 0xd8}
	out = append(out, APP(0xee, "Adobe\x00\x64\x00\x00\x00\x00"+string([]byte{transform}))...)
	dqt := []byte{0, 8}
	for range 63 {
		dqt = append(dqt, 1)
	}
	out = append(out, segment(0xdb, dqt)...)
	sof := []byte{8, 0, 8, 0, 8, 4}
	for id := byte(1); id <= 4; id++ {
		sof = append(sof, id, 0x11, 0)
	}
	out = append(out, segment(0xc0, sof)...)
	dc := []byte{0x00, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}
	out = append(out, segment(0xc4, dc)...)
	ac := []byte{0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00}
	out = append(out, segment(0xc4, ac)...)
	sos := []byte{4}
	for id := byte(1); id <= 4; id++ {
		sos = append(sos, id, 0x00)
	}
	out = append(out, segment(0xda, append(sos, 0, 63, 0))...)

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

// YCCK writes c as an 8×8 four-component YCCK JPEG: Adobe stores the
// YCbCr of the inverted CMY and the inverted K.
func YCCK(c color.CMYK) []byte {
	y, cb, cr := color.RGBToYCbCr(c.C, c.M, c.Y)
	return CMYKJPEG([4]uint8{y, cb, cr, 255 - c.K}, 2)
}

// WithSegments inserts segments (EXIF, XMP, ICC …) after a JPEG's SOI.
func WithSegments(j []byte, segs ...[]byte) []byte {
	out := append([]byte{}, j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

// APP is a JPEG marker segment (APPn or any other) carrying payload.
func APP(marker byte, payload string) []byte {
	return segment(marker, []byte(payload))
}

func segment(marker byte, data []byte) []byte {
	out := []byte{0xff, marker}
	out = binary.BigEndian.AppendUint16(out, uint16(len(data)+2))
	return append(out, data...)
}
