package imaging

import (
	"bytes"
	"encoding/binary"
)

// Sniff names the format of data by its signature: png, jpeg, webp or "".
func Sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte(pngSig)):
		return "png"
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return "jpeg"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "webp"
	}
	return ""
}

const pngSig = "\x89PNG\r\n\x1a\n"

// animatedPNG reports whether a PNG carries an APNG animation control
// chunk, which the APNG specification places before the first IDAT.
func animatedPNG(data []byte) bool {
	p := data[len(pngSig):]
	for len(p) >= 8 {
		n := binary.BigEndian.Uint32(p)
		typ := string(p[4:8])
		switch typ {
		case "acTL":
			return true
		case "IDAT", "IEND":
			return false
		}
		if uint64(n)+12 > uint64(len(p)) {
			return false // truncated: the decoder will say so
		}
		p = p[12+n:]
	}
	return false
}

// animatedWebP reports whether a WebP file sets the VP8X animation flag or
// holds animation chunks.
func animatedWebP(data []byte) bool {
	p := data[12:]
	for len(p) >= 8 {
		typ := string(p[:4])
		n := uint64(binary.LittleEndian.Uint32(p[4:8]))
		switch typ {
		case "ANIM", "ANMF":
			return true
		case "VP8X":
			if len(p) > 8 && p[8]&0x02 != 0 {
				return true
			}
		}
		n += n & 1 // chunks are padded to even sizes
		if n+8 > uint64(len(p)) {
			return false
		}
		p = p[8+n:]
	}
	return false
}
