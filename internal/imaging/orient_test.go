package imaging

import (
	"encoding/binary"
	"image"
	"image/color"
	"testing"

	"usersd/internal/imaging/imagingtest"
)

// exifOrientation is an APP1 segment whose IFD0 holds a Make entry and
// the orientation o, in the given byte order.
func exifOrientation(bo binary.AppendByteOrder, o uint16) []byte {
	t := []byte("MM")
	if bo == binary.LittleEndian {
		t = []byte("II")
	}
	t = bo.AppendUint16(t, 42)
	t = bo.AppendUint32(t, 8) // IFD0 right after the header
	t = bo.AppendUint16(t, 2) // two entries
	t = bo.AppendUint16(t, 0x010f)
	t = bo.AppendUint16(t, 2) // Make, ASCII
	t = bo.AppendUint32(t, 4)
	t = append(t, 'a', 'c', 'm', 0)
	t = bo.AppendUint16(t, 0x0112)
	t = bo.AppendUint16(t, 3) // Orientation, SHORT
	t = bo.AppendUint32(t, 1)
	t = bo.AppendUint16(t, o)
	t = append(t, 0, 0)
	t = bo.AppendUint32(t, 0) // no IFD1
	return imagingtest.APP(0xe1, "Exif\x00\x00"+string(t))
}

// TestEXIFOrientation: a JPEG's orientation tag turns the pixels, as a
// browser showed them to the uploader, and the tag itself is gone.
// The source's top-left quadrant is red and its top-right green.
func TestEXIFOrientation(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 80, 64)) // not square: the crop drops 8 px a side
	for y := 0; y < 64; y++ {
		for x := 0; x < 80; x++ {
			c := color.NRGBA{0, 0, 255, 255}
			switch {
			case x < 40 && y < 32:
				c = color.NRGBA{255, 0, 0, 255}
			case x >= 40 && y < 32:
				c = color.NRGBA{0, 255, 0, 255}
			}
			src.SetNRGBA(x, y, c)
		}
	}
	j := imagingtest.JPEG(src)
	quad := map[string]image.Point{"TL": {16, 16}, "TR": {48, 16}, "BL": {16, 48}, "BR": {48, 48}}
	for _, tt := range []struct {
		o          uint16
		red, green string
	}{
		{0, "TL", "TR"}, // invalid: ignored
		{1, "TL", "TR"}, {2, "TR", "TL"}, {3, "BR", "BL"}, {4, "BL", "BR"},
		{5, "TL", "BL"}, {6, "TR", "BR"}, {7, "BR", "TR"}, {8, "BL", "TL"},
		{9, "TL", "TR"}, // invalid: ignored
	} {
		for _, bo := range []binary.AppendByteOrder{binary.BigEndian, binary.LittleEndian} {
			f := imagingtest.WithSegments(j, imagingtest.APP(0xe0, "JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), exifOrientation(bo, tt.o))
			if got := jpegOrientation(f); tt.o >= 1 && tt.o <= 8 && got != int(tt.o) {
				t.Fatalf("%v orientation %d read as %d", bo, tt.o, got)
			}
			out, err := Process(imagingtest.URI("image/jpeg", f), limits)
			if err != nil {
				t.Fatal(err)
			}
			w, jp := decoded(t, out, 64)
			for name, img := range map[string]image.Image{"webp": w, "jpeg": jp} {
				if c := img.At(quad[tt.red].X, quad[tt.red].Y); !near(c, color.NRGBA{255, 0, 0, 255}, 60) {
					t.Errorf("%v orientation %d %s: %s = %v, want red", bo, tt.o, name, tt.red, c)
				}
				if c := img.At(quad[tt.green].X, quad[tt.green].Y); !near(c, color.NRGBA{0, 255, 0, 255}, 60) {
					t.Errorf("%v orientation %d %s: %s = %v, want green", bo, tt.o, name, tt.green, c)
				}
			}
		}
	}
	// Damaged EXIF is no orientation, never a failure.
	for _, seg := range [][]byte{
		imagingtest.APP(0xe1, "Exif\x00\x00MM\x00\x2a\xff\xff\xff\xff"),
		imagingtest.APP(0xe1, "Exif\x00\x00II\x2a\x00\x08\x00\x00\x00\xff\xff"),
		imagingtest.APP(0xe1, "Exif\x00\x00XX"),
	} {
		if o := jpegOrientation(imagingtest.WithSegments(j, seg)); o != 1 {
			t.Errorf("damaged EXIF read as orientation %d", o)
		}
	}
}
