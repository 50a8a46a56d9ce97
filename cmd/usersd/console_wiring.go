package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"usersd/internal/console"
	"usersd/internal/core"
)

// maxPreviewBody bounds the body of one face's preview on the user page.
const maxPreviewBody = 64 << 10

// consolePreview returns the console's Options.Preview: for each mounted
// face in turn, an anonymous GET of the face's own user route, served
// in-process by root (the server's whole handler, set once the mux is
// built) into a recorder. The request carries no cookie, no header and
// none of the console request's context (its caller, its origin), so
// what comes back is exactly what that face shows anyone. The faces'
// rate limits and metrics count these reads as any anonymous one, from
// the recorder's documentation address (192.0.2.1).
func consolePreview(root *http.Handler, mounted map[string]string) func(context.Context, *core.User) []console.FacePreview {
	return func(ctx context.Context, u *core.User) []console.FacePreview {
		id := strconv.FormatInt(u.ID, 10)
		paths := []struct{ face, prefix, path string }{
			{"native", nativePrefix, "/users/" + id},
			{"danbooru", mounted["danbooru"], "/users/" + id + ".json"},
			{"e621", mounted["e621"], "/user/show.json?id=" + id},
			{"pronouns", mounted["pronouns"], "/api/v1/users/" + url.PathEscape(u.XID)},
			{"reviewboard", mounted["reviewboard"], "/api/users/" + url.PathEscape(u.Name) + "/"},
			{"drf", mounted["drf"], "/users/" + id + "/"},
		}
		var out []console.FacePreview
		for _, p := range paths {
			if p.prefix == "" {
				continue // not mounted
			}
			if p.prefix == "/" {
				p.prefix = ""
			}
			out = append(out, previewOne(ctx, *root, p.face, p.prefix+p.path))
		}
		return out
	}
}

func previewOne(ctx context.Context, h http.Handler, face, path string) console.FacePreview {
	// A fresh context: the console's carries its signed-in caller.
	pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	req := httptest.NewRequestWithContext(pctx, http.MethodGet, path, nil)
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(io.LimitReader(rec.Result().Body, maxPreviewBody))
	return console.FacePreview{Face: face, Path: path, Status: rec.Code, Body: string(body)}
}

// rateLimitStats returns the console's Options.Stats: this node's
// rate-limit rejections from its metrics registry, the failed-login
// limiter's refusals by limit and the 429 answers by face.
func rateLimitStats(g prometheus.Gatherer) func() map[string]float64 {
	return func() map[string]float64 {
		out := map[string]float64{}
		mfs, err := g.Gather()
		if err != nil {
			return out
		}
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				switch mf.GetName() {
				case "usersd_login_rate_limited_total":
					out["logins refused by the failed-login limit ("+labels["bucket"]+")"] += m.GetCounter().GetValue()
				case "usersd_http_requests_total":
					if labels["code"] == "429" {
						out["429 answers of "+labels["face"]] += m.GetCounter().GetValue()
					}
				}
			}
		}
		return out
	}
}
