package imaging

import (
	"encoding/binary"
	"image"
)

// jpegOrientation returns the EXIF orientation (1..8) of a JPEG file, or 1
// when it has none or an unreadable one. Cameras and phones store the
// sensor's pixels and this tag, and browsers show a JPEG turned by it, so
// the uploader saw it turned; re-encoding drops the tag, so Process turns
// the pixels instead.
func jpegOrientation(data []byte) int {
	p := data[2:] // after SOI
	for len(p) >= 4 && p[0] == 0xff {
		marker := p[1]
		if marker == 0xff {
			p = p[1:] // a fill byte
			continue
		}
		if marker == 0xd8 || marker >= 0xd0 && marker <= 0xd7 || marker == 0x01 {
			p = p[2:] // markers without a length
			continue
		}
		if marker == 0xda || marker == 0xd9 {
			return 1 // the scan: no metadata past here
		}
		n := int(binary.BigEndian.Uint16(p[2:4]))
		if n < 2 || n+2 > len(p) {
			return 1
		}
		seg := p[4 : 2+n]
		if marker == 0xe1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		p = p[2+n:]
	}
	return 1
}

// tiffOrientation reads tag 0x0112 of IFD0 of a TIFF header.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:4]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(t[4:8]))
	if off+2 > uint64(len(t)) {
		return 1
	}
	n := uint64(bo.Uint16(t[off:]))
	for i := uint64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > uint64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 { // SHORT
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient turns a square image by EXIF orientation o. Turning about the
// centre commutes with the centred crop and the scaling, so Process turns
// the small result rather than the upload.
func orient(img *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return img
	}
	n := img.Rect.Dx()
	out := image.NewRGBA(img.Rect)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = n-1-x, y
			case 3: // turned 180°
				sx, sy = n-1-x, n-1-y
			case 4: // upside down mirrored
				sx, sy = x, n-1-y
			case 5: // transposed
				sx, sy = y, x
			case 6: // to be turned 90° clockwise
				sx, sy = y, n-1-x
			case 7: // transversed
				sx, sy = n-1-y, n-1-x
			case 8: // to be turned 90° counter-clockwise
				sx, sy = n-1-y, x
			}
			copy(out.Pix[out.PixOffset(x, y):][:4], img.Pix[img.PixOffset(sx, sy):][:4])
		}
	}
	return out
}
