package main

import (
	"strings"
	"testing"

	"usersd/internal/facetest"
)

func TestHealth(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := startServer(t, b)
		s.Want(s.Do("GET", "/healthz", "", nil), 200)
		if m := s.Want(s.Do("GET", "/readyz", "", nil), 200); m["status"] != "ready" {
			t.Errorf("readyz = %v", m)
		}
		r := s.Do("GET", "/v1/users", "", nil)
		if r.Header.Get("X-Request-Id") == "" {
			t.Error("no X-Request-Id")
		}
		if id := "request_id=" + r.Header.Get("X-Request-Id"); !strings.Contains(s.WaitLog(id), id) {
			t.Error("request log lacks the request id")
		}
	})
}
