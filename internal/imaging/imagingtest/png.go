package imagingtest

import (
	"encoding/binary"
	"hash/crc32"
)

// PNGSig is the eight-byte PNG signature.
const PNGSig = "\x89PNG\r\n\x1a\n"

// PNGChunk is one PNG chunk with its CRC.
func PNGChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// PNGChunks splits a PNG into its chunks' types and data; it stops at
// the first chunk that runs past the end.
func PNGChunks(p []byte) (types []string, datas [][]byte) {
	if len(p) < len(PNGSig) {
		return nil, nil
	}
	p = p[len(PNGSig):]
	for len(p) >= 12 {
		n := binary.BigEndian.Uint32(p)
		if uint64(n) > uint64(len(p)-12) {
			break
		}
		types = append(types, string(p[4:8]))
		datas = append(datas, p[8:8+n])
		p = p[12+n:]
	}
	return types, datas
}

// PNGBomb is a PNG of a few dozen bytes whose IHDR claims w×h RGB pixels.
func PNGBomb(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB, deflate, adaptive filter, no interlace
	out := []byte(PNGSig)
	out = append(out, PNGChunk("IHDR", ihdr)...)
	// A zlib stream of a few zero bytes: far too little data, which a
	// decoder would only find after allocating the picture.
	out = append(out, PNGChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01})...)
	return append(out, PNGChunk("IEND", nil)...)
}

// APNG turns a still PNG into a two-frame animated PNG (acTL, fcTL,
// IDAT, fcTL, fdAT), both frames the still picture. A decoder that knows
// nothing of APNG sees the still PNG.
func APNG(still []byte) []byte {
	types, datas := PNGChunks(still)
	ihdr := datas[0]
	fctl := func(seq uint32) []byte {
		b := make([]byte, 26)
		binary.BigEndian.PutUint32(b[0:], seq)
		copy(b[4:12], ihdr[0:8])               // width, height of the frame
		binary.BigEndian.PutUint16(b[20:], 1)  // delay 1/10 s
		binary.BigEndian.PutUint16(b[22:], 10) //
		return b
	}
	var idat []byte
	for i, t := range types {
		if t == "IDAT" {
			idat = append(idat, datas[i]...)
		}
	}
	actl := binary.BigEndian.AppendUint32(nil, 2) // two frames
	actl = binary.BigEndian.AppendUint32(actl, 0) // played endlessly
	out := []byte(PNGSig)
	out = append(out, PNGChunk("IHDR", ihdr)...)
	out = append(out, PNGChunk("acTL", actl)...)
	for i, t := range types[1:] {
		if t == "IDAT" || t == "IEND" {
			continue
		}
		out = append(out, PNGChunk(t, datas[i+1])...) // PLTE, tRNS, text …
	}
	out = append(out, PNGChunk("fcTL", fctl(0))...)
	out = append(out, PNGChunk("IDAT", idat)...)
	out = append(out, PNGChunk("fcTL", fctl(1))...)
	out = append(out, PNGChunk("fdAT", append(binary.BigEndian.AppendUint32(nil, 2), idat...))...)
	return append(out, PNGChunk("IEND", nil)...)
}
