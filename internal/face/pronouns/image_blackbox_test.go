package pronouns_test

// Uploads through PATCH /users/@me (avatar) and POST /users/@me/flags:
// accepted formats are normalised to WebP under a 64-hex hash; the kind is
// judged by content, not by the declared type; everything refused is a 400
// (a body past 2 MB a 413 code 4001) that leaves the user unchanged.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/webp"

	"usersd/internal/facetest"
	"usersd/internal/imaging/imagingtest"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// pngBytes and jpegBytes encode a w×h gradient, different for every size.
func pngBytes(w, h int) []byte  { return imagingtest.PNG(imagingtest.Gradient(w, h)) }
func jpegBytes(w, h int) []byte { return imagingtest.JPEG(imagingtest.Gradient(w, h)) }

// Two 1×1 WebP files, lossless (VP8L) and lossy (VP8), as browsers'
// feature tests carry them; golang.org/x/image/webp decodes both.
var (
	webpLossless, _ = base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	webpLossy, _    = base64.StdEncoding.DecodeString("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
)

func half(b []byte) []byte { return b[:len(b)/2] }

func pngURI(w, h int) string { return imagingtest.URI("image/png", pngBytes(w, h)) }

// upload is one image sent under a declared type.
type upload struct {
	name   string
	mime   string
	data   []byte
	centre color.NRGBA // when set, about the colour the stored picture has at its centre
}

func (u upload) uri() string { return imagingtest.URI(u.mime, u.data) }

var red = color.NRGBA{255, 0, 0, 255}

var (
	accepted = []upload{
		{name: "png", mime: "image/png", data: pngBytes(40, 40)},
		{name: "png wide", mime: "image/png", data: pngBytes(900, 300)},
		{name: "png with alpha", mime: "image/png", data: func() []byte {
			img := image.NewNRGBA(image.Rect(0, 0, 10, 10))
			img.Set(3, 3, color.NRGBA{255, 0, 0, 128})
			return imagingtest.PNG(img)
		}()},
		{name: "png gray16", mime: "image/png", data: func() []byte {
			img := image.NewGray16(image.Rect(0, 0, 7, 5))
			img.SetGray16(1, 1, color.Gray16{0x8000})
			return imagingtest.PNG(img)
		}()},
		{name: "jpeg", mime: "image/jpeg", data: jpegBytes(64, 48)},
		{name: "jpeg large", mime: "image/jpeg", data: jpegBytes(1600, 1600)},
		{name: "webp lossless", mime: "image/webp", data: webpLossless},
		{name: "webp lossy", mime: "image/webp", data: webpLossy},
		// Four-component JPEGs (Adobe CMYK and YCCK) are converted to RGB.
		{name: "cmyk jpeg", mime: "image/jpeg", data: imagingtest.CMYKJPEG([4]uint8{255, 0, 0, 255}, 0), centre: red},
		{name: "ycck jpeg", mime: "image/jpeg", data: imagingtest.YCCK(color.CMYK{M: 255, Y: 255}), centre: red},
		// Content decides: an accepted kind under another accepted type.
		{name: "jpeg declared png", mime: "image/png", data: jpegBytes(30, 30)},
		{name: "png declared jpeg", mime: "image/jpeg", data: pngBytes(31, 31)},
		{name: "webp declared png", mime: "image/png", data: webpLossless},
	}
	refused = []upload{
		{name: "gif declared png", mime: "image/png", data: imagingtest.GIF()},
		{name: "bmp declared png", mime: "image/png", data: imagingtest.BMP()},
		{name: "gif declared gif", mime: "image/gif", data: imagingtest.GIF()},
		{name: "truncated png", mime: "image/png", data: half(pngBytes(300, 300))},
		{name: "truncated jpeg", mime: "image/jpeg", data: half(jpegBytes(300, 300))},
		{name: "png header only", mime: "image/png", data: []byte(imagingtest.PNGSig)},
		{name: "bad png crc", mime: "image/png", data: func() []byte {
			b := pngBytes(8, 8)
			b[len(imagingtest.PNGSig)+8+4] ^= 0xff // a byte of IHDR's data
			return b
		}()},
		{name: "decompression bomb", mime: "image/png", data: imagingtest.PNGBomb(50000, 50000)},
		// Animations are refused, not flattened to their first frame.
		{name: "animated png", mime: "image/png", data: imagingtest.APNG(pngBytes(20, 20))},
		{name: "animated webp", mime: "image/webp", data: imagingtest.AnimatedWebP(imagingtest.WebP(imagingtest.Gradient(20, 20), false), 20, 20, true)},
		{name: "text declared png", mime: "image/png", data: []byte("just some text")},
		{name: "empty", mime: "image/png", data: nil},
		{name: "svg", mime: "image/svg+xml", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`)},
	}
)

func TestImageUploads(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFx(t, b)
		f.sub("avatar", imagesAvatar)
		f.sub("flags", imagesFlags)
	})
}

// media fetches a served image and checks it is a WebP no larger than
// 512 px (square for avatars; flags keep their shape), with an ETag that
// revalidates. It returns the file, or nil when it could not be fetched.
func (f *fx) media(path string, square bool) []byte {
	f.t.Helper()
	r := f.s.Do("GET", path, "", nil)
	if r.Status != 200 {
		f.t.Errorf("GET %s: %d %.200s", path, r.Status, r.Body)
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "image/webp" {
		f.t.Errorf("GET %s: Content-Type %q, want image/webp", path, ct)
	}
	w, h, ok := webpSize(r.Body)
	if !ok || w < 1 || w > 512 || h < 1 || h > 512 || square && w != h {
		f.t.Errorf("GET %s: not a WebP of at most 512 px, square %v (%v, %d×%d)", path, square, ok, w, h)
	}
	etag := r.Header.Get("ETag")
	if etag == "" {
		f.t.Errorf("GET %s: no ETag", path)
		return r.Body
	}
	req, _ := http.NewRequest("GET", f.s.Base+path, nil)
	req.Header.Set("If-None-Match", etag)
	if r := f.s.Send(req); r.Status != 304 {
		f.t.Errorf("GET %s If-None-Match %s: %d, want 304", path, etag, r.Status)
	}
	return r.Body
}

// centre checks that a served WebP decodes and has about the colour want
// at its centre (lossy encoding moves colours a little); a zero want
// checks nothing.
func (f *fx) centre(file []byte, want color.NRGBA) {
	f.t.Helper()
	if want.A == 0 || file == nil {
		return
	}
	img, err := webp.Decode(bytes.NewReader(file))
	if err != nil {
		f.t.Errorf("served WebP does not decode: %v", err)
		return
	}
	b := img.Bounds()
	c := color.NRGBAModel.Convert(img.At((b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2)).(color.NRGBA)
	near := func(a, b uint8) bool { return max(int(a)-int(b), int(b)-int(a)) <= 40 }
	if !near(c.R, want.R) || !near(c.G, want.G) || !near(c.B, want.B) || !near(c.A, want.A) {
		f.t.Errorf("served picture's centre is %v, want about %v", c, want)
	}
}

func imagesAvatar(f *fx) {
	a := f.user("avatars")
	hashes := map[string]string{}
	var cur any // the stored avatar
	bio := "start"
	f.ok("PATCH", "/users/@me", a.key, map[string]any{"bio": bio})
	unchanged := func(t *testing.T, g *fx) {
		t.Helper()
		m := g.get("@me", a.key)
		if m["avatar"] != cur || m["bio"] != bio {
			t.Errorf("a refused upload changed the user: avatar %v (was %v), bio %v (was %v)", m["avatar"], cur, m["bio"], bio)
		}
	}
	for i, up := range accepted {
		f.t.Run("accept/"+up.name, func(t *testing.T) {
			g := f.on(t)
			next := fmt.Sprintf("bio %d", i)
			r := g.patch(a.key, map[string]any{"avatar": up.uri(), "bio": next})
			if r.Status != 200 {
				t.Fatalf("status %d, want 200\n%.300s", r.Status, r.Body)
			}
			m := object(t, r)
			h := str(t, m, "avatar")
			if !hashRE.MatchString(h) {
				t.Fatalf("avatar %q, want 64 lowercase hex", h)
			}
			hashes[up.name] = h
			cur, bio = h, next
			if got := g.get(a.xid, ""); got["avatar"] != h {
				t.Errorf("stored avatar %v, want %s", got["avatar"], h)
			}
			g.centre(g.media("/media/users/"+a.xid+"/"+h+".webp", true), up.centre)
		})
	}
	if cur == nil {
		f.t.Fatal("no upload was accepted")
	}
	// The hash follows the picture.
	if h := hashes["png"]; h == "" || h == hashes["png wide"] || h == hashes["jpeg"] {
		f.t.Errorf("different pictures, equal hashes: %v", hashes)
	}
	for _, up := range refused {
		f.t.Run("refuse/"+up.name, func(t *testing.T) {
			g := f.on(t)
			start := time.Now()
			wantErr(t, g.patch(a.key, map[string]any{"avatar": up.uri(), "bio": "refused " + up.name}), 400, 400)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("refusing took %v", d)
			}
			unchanged(t, g)
		})
	}
	f.t.Run("refuse/too big", func(t *testing.T) {
		g := f.on(t)
		big := "data:image/png;base64," + b64(pngBytes(8, 8)) + strings.Repeat("A", 2<<20)
		wantErr(t, g.patch(a.key, map[string]any{"avatar": big, "bio": "too big"}), 413, 4001)
		unchanged(t, g)
	})
	f.t.Run("remove", func(t *testing.T) {
		g := f.on(t)
		if m := g.ok("PATCH", "/users/@me", a.key, map[string]any{"avatar": ""}); m["avatar"] != nil {
			t.Errorf(`avatar "" answered %v`, m["avatar"])
		}
		if m := g.get(a.xid, ""); m["avatar"] != nil || m["bio"] != bio {
			t.Errorf(`after avatar "": avatar %v bio %v`, m["avatar"], m["bio"])
		}
		// null leaves the (now absent) avatar alone.
		if m := g.ok("PATCH", "/users/@me", a.key, map[string]any{"avatar": nil, "bio": "x"}); m["avatar"] != nil {
			t.Errorf("avatar null answered %v", m["avatar"])
		}
	})
}

func imagesFlags(f *fx) {
	a := f.user("flagimg")
	count := func(g *fx) int {
		l, _ := g.list("/users/@me/flags", a.key)
		return len(l)
	}
	n := 0
	for _, up := range accepted {
		f.t.Run("accept/"+up.name, func(t *testing.T) {
			g := f.on(t)
			r := g.do("POST", "/users/@me/flags", a.key, map[string]any{"flag": up.uri(), "name": up.name})
			if r.Status != 200 {
				t.Fatalf("status %d, want 200\n%.300s", r.Status, r.Body)
			}
			n++
			m := object(t, r)
			h := str(t, m, "hash")
			if !hashRE.MatchString(h) || !xidRE.MatchString(fmt.Sprint(m["id"])) || m["name"] != up.name {
				t.Fatalf("flag %v", m)
			}
			g.centre(g.media("/media/flags/"+h+".webp", false), up.centre)
		})
	}
	for _, up := range refused {
		f.t.Run("refuse/"+up.name, func(t *testing.T) {
			g := f.on(t)
			wantErr(t, g.do("POST", "/users/@me/flags", a.key, map[string]any{"flag": up.uri(), "name": up.name}), 400, 400)
			if c := count(g); c != n {
				t.Errorf("%d flags after a refusal, want %d", c, n)
			}
		})
	}
	f.t.Run("refuse/too big", func(t *testing.T) {
		g := f.on(t)
		big := "data:image/png;base64," + b64(pngBytes(8, 8)) + strings.Repeat("A", 2<<20)
		wantErr(t, g.do("POST", "/users/@me/flags", a.key, map[string]any{"flag": big, "name": "big"}), 413, 4001)
		if c := count(g); c != n {
			t.Errorf("%d flags after a refusal, want %d", c, n)
		}
	})
}
