package main

import (
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b)
		s.want(s.do("GET", "/healthz", "", nil), 200)
		if m := s.want(s.do("GET", "/readyz", "", nil), 200); m["status"] != "ready" {
			t.Errorf("readyz = %v", m)
		}
		r := s.do("GET", "/v1/users", "", nil)
		if r.header.Get("X-Request-Id") == "" {
			t.Error("no X-Request-Id")
		}
		if !strings.Contains(s.log.String(), "request_id="+r.header.Get("X-Request-Id")) {
			t.Error("request log lacks the request id")
		}
	})
}
