package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/face/danbooru"
	"usersd/internal/face/e621"
	"usersd/internal/face/native"
	"usersd/internal/httpx"
	"usersd/internal/store/sqlite"
	"usersd/internal/testdb"
)

func TestLoadtest(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := core.NewService(db)
	log := slog.New(slog.DiscardHandler)
	mux := http.NewServeMux()
	mux.Handle("/v1/", httpx.Mount("/v1", native.NewHandler(svc, log, native.Options{})))
	mux.Handle("/danbooru/", httpx.Mount("/danbooru", danbooru.NewHandler(svc, log)))
	mux.Handle("/e621/", httpx.Mount("/e621", e621.NewHandler(svc, log, e621.Options{})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	admin, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "admin", Fields: core.Patch{"level": int64(50)}})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.CreateToken(ctx, core.System, admin.ID, "load", "")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err = run(ctx, []string{"-url", srv.URL, "-token", token, "-seed", "60", "-requests", "40", "-duration", "10s", "-concurrency", "2",
		"-scenarios", "native-get,native-name,native-list,native-search,danbooru-search,e621-search"}, &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	for _, s := range []string{"native-get", "native-name", "native-list", "native-search", "danbooru-search", "e621-search"} {
		line := ""
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, s+" ") {
				line = l
			}
		}
		f := strings.Fields(line)
		if len(f) < 3 || f[1] != "40" || f[2] != "0" {
			t.Errorf("%s: want 40 requests and 0 errors, got %q\n%s", s, line, out.String())
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	if _, err := parse([]string{"-url", "http://192.0.2.1:8080"}, new(bytes.Buffer)); err == nil {
		t.Error("a non-loopback URL was accepted")
	}
	if _, err := parse([]string{"-requests", "0"}, new(bytes.Buffer)); err == nil {
		t.Error("-requests 0 accepted")
	}
}
