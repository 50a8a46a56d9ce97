package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"usersd/internal/facetest"
	"usersd/internal/testdb"
)

// signupOn signs name up anonymously through one face and returns the
// response.
func signupOn(s *facetest.Server, face, name string) facetest.Response {
	s.T.Helper()
	const pw = "correct-horse-battery"
	switch face {
	case "native":
		return s.Do("POST", "/v1/users", "", map[string]any{"name": name, "password": pw})
	case "danbooru":
		return s.Do("POST", "/danbooru/users.json", "", map[string]any{"user": map[string]any{"name": name, "password": pw, "password_confirmation": pw}})
	case "e621":
		form := url.Values{"user[name]": {name}, "user[password]": {pw}, "user[password_confirmation]": {pw}}
		return s.DoType("POST", "/e621/users.json", "", form.Encode(), "application/x-www-form-urlencoded")
	}
	panic(face)
}

// wantThrottled checks a refused sign-up: 429 in the face's own body, with
// a Retry-After of at most the refill time of one sign-up.
func wantThrottled(t *testing.T, face string, r facetest.Response, perHour int) {
	t.Helper()
	if r.Status != 429 {
		t.Fatalf("%s sign-up past the limit: %d %s", face, r.Status, r.Body)
	}
	want := map[string]string{
		"native":   `"type":"urn:usersd:problem:rate_limited"`,
		"danbooru": `"error":"RateLimiter::RateLimitError"`,
		"e621":     `"message": "Throttled: Too many requests"`,
	}[face]
	if !strings.Contains(string(r.Body), want) {
		t.Errorf("%s 429 body = %s, want it to hold %s", face, r.Body, want)
	}
	refill := 3600 / perHour
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > refill {
		t.Errorf("%s Retry-After = %q, want 1..%d seconds", face, r.Header.Get("Retry-After"), refill)
	}
}

// TestSignupLimit: anonymous sign-ups from one address are limited per
// hour on every face (1,360 accounts from one address in 20 s before),
// through one bucket; staff and CLI creates are not.
func TestSignupLimit(t *testing.T) {
	faces := []string{"native", "danbooru", "e621"}
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := startServer(t, b, "--signup-addr-limit", "3")
		for i, face := range faces {
			if r := signupOn(s, face, fmt.Sprintf("early_%d", i)); r.Status != 201 {
				t.Fatalf("%s sign-up %d: %d %s", face, i, r.Status, r.Body)
			}
		}
		for i, face := range faces {
			wantThrottled(t, face, signupOn(s, face, fmt.Sprintf("late_%d", i)), 3)
		}
		// The signed-up users still log in, and staff still create users.
		s.Login("early_0", "correct-horse-battery")
		_, admin := s.Admin("root", 50)
		s.Want(s.Do("POST", "/v1/users", admin, map[string]any{"name": "made_by_staff", "password": "correct-horse-battery"}), 201)
	})
}

// TestSignupLimitRedis: with --redis, nodes share the sign-up bucket.
func TestSignupLimitRedis(t *testing.T) {
	url, prefix := testdb.Redis(t)
	be := facetest.Postgres(t)
	args := []string{"--signup-addr-limit", "2", "--redis", url, "--redis-prefix", prefix}
	a := startServer(t, be, args...)
	b := startServer(t, be, args...)
	a.Want(signupOn(a, "native", "node_a"), 201)
	b.Want(signupOn(b, "danbooru", "node_b"), 201)
	wantThrottled(t, "e621", signupOn(a, "e621", "node_a2"), 2)
	wantThrottled(t, "native", signupOn(b, "native", "node_b2"), 2)
}

// TestFaceByteLimits: a field past its byte bound is refused in each
// face's own validation format, naming the field.
func TestFaceByteLimits(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := startServer(t, b)
		id, login := s.Signup("wordy")
		key := s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "faces"}), 201)["token"].(string)
		auth := "login=wordy&api_key=" + url.QueryEscape(key)
		emoji := strings.Repeat("😀", 20000) // 20,000 characters, 80,000 bytes
		for _, c := range []struct{ face, path, body string }{
			{"danbooru", fmt.Sprintf("/danbooru/users/%d.json?%s", id, auth), url.Values{"user[blacklisted_tags]": {strings.Repeat("é", 100000)}}.Encode()},
			{"e621", fmt.Sprintf("/e621/users/%d.json?%s", id, auth), url.Values{"user[profile_about]": {emoji}}.Encode()},
		} {
			r := s.DoType("PATCH", c.path, "", c.body, "application/x-www-form-urlencoded")
			if r.Status != 422 || !strings.Contains(string(r.Body), `{"errors":{"`) || !strings.Contains(string(r.Body), "bytes") {
				t.Errorf("%s: %d %s", c.face, r.Status, r.Body)
			}
			t.Logf("%s: %s", c.face, r.Body)
		}
	})
}
