package media_test

import (
	"bytes"
	"context"
	"image/color"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/facetest"
	"usersd/internal/imaging"
	"usersd/internal/imaging/imagingtest"
)

func TestMain(m *testing.M) { os.Exit(facetest.Main(m)) }

// putImage stores a picture of colour c the way the core would, straight
// through the backend's store, and returns it.
func putImage(t *testing.T, b facetest.Backend, c color.NRGBA, jpeg bool) *core.Image {
	t.Helper()
	uri := imagingtest.URI("image/png", imagingtest.PNG(imagingtest.Solid(24, 16, c)))
	out, err := imaging.Process(uri, imaging.Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20, Size: 512})
	if err != nil {
		t.Fatal(err)
	}
	img := &core.Image{Hash: core.ImageHash(out.WebP), Kind: core.ImageAvatar, WebP: out.WebP, Width: out.Width, Height: out.Height, CreatedAt: time.Now()}
	if jpeg {
		img.JPEG = out.JPEG
	}
	if _, err := b.Open(t).PutImage(context.Background(), img); err != nil {
		t.Fatal(err)
	}
	return img
}

const xid = "ce6v1aje6i88cb6k5heg"

func TestMediaRoutes(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		img := putImage(t, b, color.NRGBA{200, 30, 90, 255}, true)
		bare := putImage(t, b, color.NRGBA{10, 200, 90, 255}, false) // stored without a JPEG twin
		get := func(method, path string, header ...string) facetest.Response {
			t.Helper()
			req, err := http.NewRequest(method, s.Base+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			return s.Send(req)
		}
		webpETag, jpgETag := `"`+img.Hash+`"`, `"`+img.Hash+`.jpg"`

		t.Run("served", func(t *testing.T) {
			for _, tt := range []struct {
				path, ctype, etag string
				body              []byte
			}{
				{"/media/users/" + xid + "/" + img.Hash + ".webp", "image/webp", webpETag, img.WebP},
				{"/media/users/" + xid + "/" + img.Hash + ".jpg", "image/jpeg", jpgETag, img.JPEG},
				{"/media/members/" + xid + "/" + img.Hash + ".webp", "image/webp", webpETag, img.WebP},
				{"/media/members/" + xid + "/" + img.Hash + ".jpg", "image/jpeg", jpgETag, img.JPEG},
				// An avatar's bytes are also a flag's when uploaded as one
				// (package doc): kinds are not checked.
				{"/media/flags/" + img.Hash + ".webp", "image/webp", webpETag, img.WebP},
				{"/media/flags/" + img.Hash + ".jpg", "image/jpeg", jpgETag, img.JPEG},
			} {
				for _, method := range []string{"GET", "HEAD"} {
					// A cookie or token sent along leaves the response public.
					r := get(method, tt.path, "Cookie", "session=x", "Authorization", "Bearer nothing")
					if r.Status != 200 {
						t.Fatalf("%s %s = %d %s", method, tt.path, r.Status, r.Body)
					}
					want := map[string]string{
						"Content-Type":           tt.ctype,
						"Cache-Control":          "public, max-age=31536000, immutable",
						"Etag":                   tt.etag,
						"X-Content-Type-Options": "nosniff",
						"Content-Length":         strconv.Itoa(len(tt.body)),
					}
					for k, v := range want {
						if got := r.Header.Get(k); got != v {
							t.Errorf("%s %s: %s = %q, want %q", method, tt.path, k, got, v)
						}
					}
					if wantBody := tt.body; method == "HEAD" {
						wantBody = nil
						if len(r.Body) != 0 {
							t.Errorf("HEAD %s sent %d bytes of body", tt.path, len(r.Body))
						}
					} else if !bytes.Equal(r.Body, wantBody) {
						t.Errorf("GET %s: body differs from the stored image (%d bytes, want %d)", tt.path, len(r.Body), len(wantBody))
					}
				}
			}
		})

		t.Run("conditional", func(t *testing.T) {
			path := "/media/users/" + xid + "/" + img.Hash + ".webp"
			for inm, want := range map[string]int{
				webpETag:                    304,
				"W/" + webpETag:             304,
				`"other", ` + webpETag:      304,
				"*":                         304,
				jpgETag:                     200, // the twin's tag is another entity's
				`"` + bare.Hash + `"`:       200,
				strings.Trim(webpETag, `"`): 200, // unquoted is not the tag
			} {
				r := get("GET", path, "If-None-Match", inm)
				if r.Status != want {
					t.Errorf("If-None-Match %s: %d, want %d", inm, r.Status, want)
				}
				if want == 304 {
					if len(r.Body) != 0 || r.Header.Get("Etag") != webpETag || r.Header.Get("Cache-Control") == "" {
						t.Errorf("304: body %d bytes, ETag %q, Cache-Control %q", len(r.Body), r.Header.Get("Etag"), r.Header.Get("Cache-Control"))
					}
				}
			}
			if r := get("GET", "/media/flags/"+img.Hash+".jpg", "If-None-Match", jpgETag); r.Status != 304 {
				t.Errorf("jpg If-None-Match: %d, want 304", r.Status)
			}
		})

		t.Run("not found", func(t *testing.T) {
			unknown := core.ImageHash([]byte("never stored"))
			for _, path := range []string{
				"/media/users/" + xid + "/" + unknown + ".webp",
				"/media/flags/" + unknown + ".jpg",
				"/media/users/" + xid + "/" + strings.ToUpper(img.Hash) + ".webp",
				"/media/users/" + xid + "/" + img.Hash[:63] + ".webp",
				"/media/users/" + xid + "/" + img.Hash + ".png",
				"/media/users/" + xid + "/" + img.Hash + ".webp.jpg",
				"/media/users/" + xid + "/" + img.Hash,
				"/media/users/" + xid + "/.webp",
				"/media/users/" + xid + "/",
				"/media/users/short/" + img.Hash + ".webp",
				"/media/users/" + strings.ToUpper(xid) + "/" + img.Hash + ".webp",
				"/media/users/" + xid + "/x/" + img.Hash + ".webp",
				"/media/flags/" + bare.Hash + ".jpg", // no JPEG twin stored
				"/media/flags/",
				"/media/avatars/" + img.Hash + ".webp",
				"/media/flags/%2e%2e%2f" + img.Hash + ".webp",
			} {
				r := get("GET", path)
				if r.Status != 404 {
					t.Errorf("GET %s = %d, want 404", path, r.Status)
				}
				if r.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("GET %s: Cache-Control %q, want no-store", path, r.Header.Get("Cache-Control"))
				}
			}
			if r := get("GET", "/media/flags/"+bare.Hash+".webp"); r.Status != 200 {
				t.Errorf("webp of an image without a JPEG twin = %d, want 200", r.Status)
			}
			if r := get("POST", "/media/flags/"+img.Hash+".webp"); r.Status != 405 {
				t.Errorf("POST = %d, want 405", r.Status)
			}
		})
	})
}

// TestMediaMount: --mount media=PREFIX moves the routes; media=off drops
// them.
func TestMediaMount(t *testing.T) {
	b := facetest.SQLite(t)
	s := facetest.Start(t, b, "--mount", "media=/cdn/")
	img := putImage(t, b, color.NRGBA{0, 0, 255, 255}, true)
	if r := s.Do("GET", "/cdn/flags/"+img.Hash+".webp", "", nil); r.Status != 200 {
		t.Errorf("GET /cdn/flags/… = %d, want 200", r.Status)
	}
	if r := s.Do("GET", "/media/flags/"+img.Hash+".webp", "", nil); r.Status != 404 {
		t.Errorf("GET /media/flags/… after the move = %d, want 404", r.Status)
	}
	// Metrics count media requests by route pattern, never by raw path.
	m := s.Do("GET", "/metrics", "", nil)
	if want := `face="media",route="GET /flags/{file}"`; !strings.Contains(string(m.Body), want) {
		t.Errorf("metrics lack %s", want)
	}
	b2 := facetest.SQLite(t)
	off := facetest.Start(t, b2, "--mount", "media=off")
	img = putImage(t, b2, color.NRGBA{0, 0, 255, 255}, true)
	if r := off.Do("GET", "/media/flags/"+img.Hash+".webp", "", nil); r.Status != 404 {
		t.Errorf("media=off: GET /media/flags/… = %d, want 404", r.Status)
	}
}
