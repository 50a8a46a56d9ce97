package imagingtest

import "encoding/binary"

// RIFF wraps WebP chunks in a RIFF container.
func RIFF(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

// WebPChunk is one RIFF chunk, padded to an even length.
func WebPChunk(typ string, data []byte) []byte {
	out := append([]byte(typ), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// VP8X is a VP8X chunk with flags and a w×h canvas.
func VP8X(flags byte, w, h int) []byte {
	d := []byte{flags, 0, 0, 0}
	d = append(d, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	d = append(d, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	return WebPChunk("VP8X", d)
}

// FirstChunk returns the first chunk of a simple WebP file (its VP8 or
// VP8L bitstream chunk), whole.
func FirstChunk(w []byte) []byte {
	n := binary.LittleEndian.Uint32(w[16:20])
	return w[12 : 20+n+n&1]
}

// AnimatedWebP is a two-frame animated WebP on a w×h canvas made of a
// simple w×h WebP's bitstream. flag false leaves the animation bit of
// VP8X clear, as a lying file would.
func AnimatedWebP(still []byte, w, h int, flag bool) []byte {
	frame := FirstChunk(still)
	anmf := func() []byte {
		d := make([]byte, 16) // x, y offsets 0; then size and duration
		d[6], d[7], d[8] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
		d[9], d[10], d[11] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
		d[12] = 100
		return WebPChunk("ANMF", append(d, frame...))
	}
	var flags byte
	if flag {
		flags = 0x02
	}
	return RIFF(VP8X(flags, w, h), WebPChunk("ANIM", make([]byte, 6)), anmf(), anmf())
}
