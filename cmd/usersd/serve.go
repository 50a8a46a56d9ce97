package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/danbooru"
	"usersd/internal/face/e621"
	"usersd/internal/face/native"
	"usersd/internal/httpx"
)

// faces are the compatibility faces and their default prefixes.
var faces = map[string]string{
	"danbooru":    "/danbooru",
	"e621":        "/e621",
	"pronouns":    "/pronouns",
	"reviewboard": "/reviewboard",
	"drf":         "/drf",
}

// faceOptions are the flags of individual faces.
type faceOptions struct {
	e621 e621.Options
}

// buildFaces returns the faces this binary serves; a face not listed yet
// is simply absent, though its mount flag is still checked.
func buildFaces(svc *core.Service, log *slog.Logger, opts faceOptions) map[string]http.Handler {
	return map[string]http.Handler{
		"danbooru": danbooru.NewHandler(svc, log),
		"e621":     e621.NewHandler(svc, log, opts.e621),
	}
}

// nativePrefix is where the native API lives.
const nativePrefix = "/v1"

// mountList collects repeated --mount FACE=PREFIX flags; the environment
// form is comma-separated.
type mountList []string

func (m *mountList) String() string { return strings.Join(*m, ",") }
func (m *mountList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*m = append(*m, part)
		}
	}
	return nil
}

// resolveMounts applies --mount entries to the defaults and checks that no
// two faces claim one prefix. It returns face → prefix for enabled faces.
func resolveMounts(entries []string) (map[string]string, error) {
	out := map[string]string{}
	for f, p := range faces {
		out[f] = p
	}
	for _, e := range entries {
		face, prefix, ok := strings.Cut(e, "=")
		face = strings.ToLower(strings.TrimSpace(face))
		if !ok {
			return nil, fmt.Errorf("--mount %q: want FACE=PREFIX or FACE=off", e)
		}
		if _, known := faces[face]; !known {
			return nil, fmt.Errorf("--mount %q: unknown face (known: danbooru, e621, pronouns, reviewboard, drf)", e)
		}
		if prefix == "off" {
			delete(out, face)
			continue
		}
		if !strings.HasPrefix(prefix, "/") || strings.ContainsAny(prefix, " {}?#") {
			return nil, fmt.Errorf("--mount %q: prefix must be a path starting with /", e)
		}
		if prefix != "/" {
			prefix = strings.TrimRight(prefix, "/")
		}
		out[face] = prefix
	}
	owner := map[string]string{nativePrefix: "native"}
	names := make([]string, 0, len(out))
	for f := range out {
		names = append(names, f)
	}
	slices.Sort(names)
	for _, f := range names {
		p := out[f]
		if other, taken := owner[p]; taken {
			return nil, fmt.Errorf("--mount: faces %s and %s both claim %s", other, f, p)
		}
		owner[p] = f
	}
	return out, nil
}

// mount places h at prefix, with the prefix stripped and recorded for
// the face's links (httpx.Mount); "/" passes all.
func mount(mux *http.ServeMux, prefix string, h http.Handler) {
	if prefix == "/" {
		mux.Handle("/", h)
		return
	}
	mux.Handle(prefix+"/", httpx.Mount(prefix, h))
}

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	var mounts mountList
	fs.Var(&mounts, "mount", "FACE=PREFIX or FACE=off; repeatable")
	signup := fs.Bool("signup", true, "allow anonymous sign-up")
	accountLimit := fs.Int("login-account-limit", 5, "failed logins per account per 15 minutes before lock-out")
	addrLimit := fs.Int("login-addr-limit", 50, "failed logins per client address per 15 minutes before lock-out")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	e621Levels := fs.String("e621-levels", "classic", "e621ng level numbers: classic (2019 to May 2026) or 2026")
	if err := parseFlags(fs, args, getenv, stderr); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logFormat)
	if err != nil {
		return err
	}
	mounted, err := resolveMounts(mounts)
	if err != nil {
		return err
	}
	var fo faceOptions
	if fo.e621.Levels, err = e621.ParseLevelTable(*e621Levels); err != nil {
		return fmt.Errorf("--e621-levels: %w", err)
	}
	db, kind, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()

	svc := core.NewService(db)
	svc.Signup = *signup
	svc.Log = log
	svc.AccountLimit = core.NewMemoryLimiter(*accountLimit, 15*time.Minute)
	svc.AddrLimit = core.NewMemoryLimiter(*addrLimit, 15*time.Minute)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.Raw(w, http.StatusOK, "application/json", []byte(`{"status":"ok"}`+"\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			log.Warn("not ready", "err", err)
			httpx.Raw(w, http.StatusServiceUnavailable, "application/json", []byte(`{"status":"database unreachable"}`+"\n"))
			return
		}
		httpx.Raw(w, http.StatusOK, "application/json", []byte(`{"status":"ready"}`+"\n"))
	})
	mount(mux, nativePrefix, native.NewHandler(svc, log))
	built := buildFaces(svc, log, fo)
	for face, prefix := range mounted {
		if h := built[face]; h != nil {
			mount(mux, prefix, h)
			log.Info("mounted", "face", face, "prefix", prefix)
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           httpx.Middleware(log, mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20, // long filters get a clear 400 from the parser, not a bare 431
	}
	log.Info("listening", "addr", ln.Addr().String(), "store", kind)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
