package facetest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"usersd/internal/facetest"
)

// The credential lifecycle (issue 7, item 5), black-box on both backends
// and every face: token expiry, revocation on password change, deletion
// and restore, the token cap under concurrency, throttled password
// checks, and no oracle in a deleted or inactive account's answers.

// sendForm sends a form body (or none) with optional Basic credentials.
func sendForm(t *testing.T, s *facetest.Server, method, path, body, basicUser, basicPass string) facetest.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.Base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	resp, err := noRedirect.Do(req) // keeps Danbooru's redirects (a refused deletion) visible
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return facetest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// apiToken creates an API token through the native API.
func apiToken(s *facetest.Server, bearer string, body map[string]any) map[string]any {
	s.T.Helper()
	return s.Want(s.Do("POST", "/v1/me/tokens", bearer, body), 201)
}

// wantAuth checks that a token does (200) or does not (401) authenticate
// on the native API.
func wantAuth(s *facetest.Server, what, token string, status int) {
	s.T.Helper()
	if r := s.Do("GET", "/v1/me", token, nil); r.Status != status {
		s.T.Errorf("%s: GET /v1/me = %d, want %d\n%s", what, r.Status, status, r.Body)
	}
}

// TestTokenExpiry: login tokens expire after the idle TTL and each use
// slides it; API tokens expire when asked to, within the maximum; an
// expired token is a 401 on every face.
func TestTokenExpiry(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, "--login-token-ttl", "2s", "--api-token-max-ttl", "1h")
		_, login := s.Signup("ttl")
		key := apiToken(s, login, map[string]any{"label": "short", "expires_in": 1})
		secret := key["token"].(string)
		exp, err := time.Parse(time.RFC3339Nano, key["expires_at"].(string))
		if err != nil || time.Until(exp) > 1100*time.Millisecond {
			t.Errorf("expires_in 1: expires_at %v (%v), want about a second away", key["expires_at"], err)
		}
		danbooru := "/danbooru/profile.json?login=ttl&api_key=" + url.QueryEscape(secret)
		e621 := "/e621/users/me.json?login=ttl&api_key=" + url.QueryEscape(secret)
		s.Want(s.Do("GET", danbooru, "", nil), 200)
		s.Want(s.Do("GET", e621, "", nil), 200)

		// Over the maximum, both ways; no expiry asked is the maximum.
		s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"expires_in": 7200}), 400)
		s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"expires_at": time.Now().Add(2 * time.Hour).Format(time.RFC3339)}), 400)
		s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"expires_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}), 400)
		s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"expires_in": 5, "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)}), 400)
		s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"expires_in": "soon"}), 400)
		long := apiToken(s, login, map[string]any{"label": "default"})
		if exp, err := time.Parse(time.RFC3339Nano, long["expires_at"].(string)); err != nil || time.Until(exp) < 59*time.Minute || time.Until(exp) > time.Hour {
			t.Errorf("no expiry asked under --api-token-max-ttl 1h: expires_at %v", long["expires_at"])
		}

		// The login token slides: used every 1.2s it outlives its 2s TTL.
		for range 2 {
			time.Sleep(1200 * time.Millisecond)
			wantAuth(s, "login token in use", login, 200)
		}
		// The API token's second is long over, on every face.
		r := s.Want(s.Do("GET", "/v1/me", secret, nil), 401)
		if r["detail"] != "Token expired." {
			t.Errorf("expired token: detail %q", r["detail"])
		}
		s.Want(s.Do("GET", danbooru, "", nil), 401)
		s.Want(s.Do("GET", e621, "", nil), 401)
		// Idle past the TTL, the login token is gone.
		time.Sleep(2200 * time.Millisecond)
		wantAuth(s, "login token idle past its TTL", login, 401)
		wantAuth(s, "API token under the maximum", long["token"].(string), 200)
	})
}

// TestPasswordChangeRevokesTokens: changing one's own password (native or
// e621) keeps the token that made the change and revokes the others; an
// admin's reset revokes them all.
func TestPasswordChangeRevokesTokens(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("boss", 50)
		id, t1 := s.Signup("changer")
		_, t2 := s.Login("changer", "password-changer")
		k := apiToken(s, t1, map[string]any{"label": "k"})["token"].(string)
		s.Want(s.Do("PATCH", "/v1/me", t1, map[string]any{"password": "second-secret", "current_password": "password-changer"}), 200)
		wantAuth(s, "the token that changed the password", t1, 200)
		wantAuth(s, "another login token", t2, 401)
		wantAuth(s, "an API token", k, 401)

		// e621: the change made with an API key keeps that key.
		key := apiToken(s, t1, map[string]any{"label": "e621"})["token"].(string)
		r := sendForm(t, s, "PATCH", fmt.Sprintf("/e621/users/%d.json", id),
			"user[password]=third-secret&user[password_confirmation]=third-secret&user[old_password]=second-secret", "changer", key)
		if r.Status != 204 {
			t.Fatalf("e621 password change: %d %s", r.Status, r.Body)
		}
		wantAuth(s, "login token after an e621 change", t1, 401)
		wantAuth(s, "the e621 key that made the change", key, 200)

		// An admin's reset leaves nothing.
		_, t3 := s.Login("changer", "third-secret")
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"password": "fourth-secret"}), 200)
		wantAuth(s, "login token after an admin reset", t3, 401)
		wantAuth(s, "e621 key after an admin reset", key, 401)
		s.Login("changer", "fourth-secret")
	})
}

// TestRestoreDoesNotReviveTokens: a deleted account's tokens stay dead
// when an admin restores it.
func TestRestoreDoesNotReviveTokens(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("boss", 50)
		id, tok := s.Signup("phoenix")
		k := apiToken(s, tok, map[string]any{"label": "k"})["token"].(string)
		s.Want(s.Do("DELETE", fmt.Sprintf("/v1/users/%d", id), tok, nil), 204)
		s.Want(s.Do("POST", fmt.Sprintf("/v1/users/%d/restore", id), admin, nil), 200)
		wantAuth(s, "login token after restore", tok, 401)
		wantAuth(s, "API token after restore", k, 401)
		if r := s.Do("GET", "/danbooru/profile.json?login=phoenix&api_key="+url.QueryEscape(k), "", nil); r.Status != 401 {
			t.Errorf("Danbooru with the old key after restore: %d", r.Status)
		}
		s.Login("phoenix", "password-phoenix")
	})
}

// TestTokenCap: 50 concurrent token creations against a cap of 5 make
// exactly 5; logins past the cap rotate out the oldest login tokens.
func TestTokenCap(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		const capTokens, tries = 5, 50
		s := facetest.Start(t, b, "--max-tokens", fmt.Sprint(capTokens))
		_, login := s.Signup("hoarder")
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for range tries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "race"})
				mu.Lock()
				codes[r.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[201] != capTokens || codes[400] != tries-capTokens {
			t.Errorf("%d concurrent creations: %v, want %d×201 and the rest 400", tries, codes, capTokens)
		}
		kinds := func() map[string]int {
			out := map[string]int{}
			for _, tk := range s.Want(s.Do("GET", "/v1/me/tokens", login, nil), 200)["tokens"].([]any) {
				out[tk.(map[string]any)["kind"].(string)]++
			}
			return out
		}
		if got := kinds(); got["api"] != capTokens {
			t.Errorf("live API tokens = %d, want %d", got["api"], capTokens)
		}
		// Logins past the cap (here, concurrent ones) rotate out the oldest:
		// the first login token, made before them, is gone.
		first := login
		var last string
		for i := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					r := s.Do("POST", "/v1/login", "", map[string]any{"name": "hoarder", "password": "password-hoarder"})
					if r.Status != 200 {
						t.Errorf("login %d past the cap: %d %s", i, r.Status, r.Body)
						return
					}
				}
			}()
		}
		wg.Wait()
		_, last = s.Login("hoarder", "password-hoarder")
		wantAuth(s, "the oldest login token past the cap", first, 401)
		login = last
		if got := kinds(); got["login"] != capTokens || got["api"] != capTokens {
			t.Errorf("after 10 logins: %v, want %d of each", got, capTokens)
		}
	})
}

// TestPasswordChecksThrottled: a current password on the native API and
// e621, and Danbooru's deletion confirmation, spend the account's failed
// login limit: past it every guess, the right one too, is a 429.
func TestPasswordChecksThrottled(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, "--login-account-limit", "3")
		_, tok := s.Signup("guessed")
		change := func(current string) facetest.Response {
			return s.Do("PATCH", "/v1/me", tok, map[string]any{"password": "new-secret-1", "current_password": current})
		}
		for i := range 3 {
			s.Want(change(fmt.Sprintf("wrong-%d", i)), 400)
		}
		s.Want(change("wrong-3"), 429)
		if r := change("password-guessed"); r.Status != 429 || r.Header.Get("Retry-After") == "" {
			t.Errorf("right current_password past the limit: %d (Retry-After %q), want 429", r.Status, r.Header.Get("Retry-After"))
		}
		// The same bucket as logins.
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "guessed", "password": "password-guessed"}), 429)

		// Danbooru's deletion confirmation.
		id, dtok := s.Signup("leaving")
		key := apiToken(s, dtok, map[string]any{"label": "d"})["token"].(string)
		del := func(pw string) facetest.Response {
			return sendForm(t, s, "DELETE", fmt.Sprintf("/danbooru/users/%d.json", id), "user[password]="+url.QueryEscape(pw), "leaving", key)
		}
		for i := range 3 {
			if r := del(fmt.Sprintf("wrong-%d", i)); r.Status != 302 {
				t.Fatalf("wrong deletion password %d: %d %s, want Danbooru's redirect back", i, r.Status, r.Body)
			}
		}
		for _, pw := range []string{"wrong-3", "password-leaving"} {
			if r := del(pw); r.Status != 429 {
				t.Errorf("deletion password %q past the limit: %d %s, want 429", pw, r.Status, r.Body)
			}
		}
		s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", id), dtok, nil), 200) // not deleted

		// e621's old_password.
		eid, etok := s.Signup("e6guess")
		ekey := apiToken(s, etok, map[string]any{"label": "e"})["token"].(string)
		echange := func(old string) facetest.Response {
			return sendForm(t, s, "PATCH", fmt.Sprintf("/e621/users/%d.json", eid),
				"user[password]=new-secret-1&user[password_confirmation]=new-secret-1&user[old_password]="+url.QueryEscape(old), "e6guess", ekey)
		}
		for i := range 3 {
			if r := echange(fmt.Sprintf("wrong-%d", i)); r.Status != 422 {
				t.Fatalf("e621 wrong old_password %d: %d %s", i, r.Status, r.Body)
			}
		}
		if r := echange("password-e6guess"); r.Status != 429 {
			t.Errorf("e621 right old_password past the limit: %d %s, want 429", r.Status, r.Body)
		}
	})
}

// TestNoDisabledAccountOracle: a deleted or inactive account answers the
// right password exactly as a wrong one, on every face.
func TestNoDisabledAccountOracle(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("boss", 50)
		gone, gtok := s.Signup("gone")
		gkey := apiToken(s, gtok, map[string]any{"label": "g"})["token"].(string)
		s.Want(s.Do("DELETE", fmt.Sprintf("/v1/users/%d", gone), gtok, nil), 204)
		idle, itok := s.Signup("idle")
		ikey := apiToken(s, itok, map[string]any{"label": "i"})["token"].(string)
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", idle), admin, map[string]any{"active": false}), 200)

		same := func(what string, a, b facetest.Response) {
			t.Helper()
			if a.Status != b.Status || string(a.Body) != string(b.Body) {
				t.Errorf("%s: %d %s vs %d %s, want identical answers", what, a.Status, a.Body, b.Status, b.Body)
			}
		}
		for name, key := range map[string]string{"gone": gkey, "idle": ikey} {
			login := func(pw string) facetest.Response {
				return s.Do("POST", "/v1/login", "", map[string]any{"name": name, "password": pw})
			}
			right, wrong := login("password-"+name), login("not-the-password")
			if right.Status != 401 {
				t.Errorf("%s: native login with the right password: %d %s, want 401", name, right.Status, right.Body)
			}
			same(name+": native login, right vs wrong password", right, wrong)
			for face, path := range map[string]string{"danbooru": "/danbooru/profile.json", "e621": "/e621/users/me.json"} {
				r := sendForm(t, s, "GET", path, "", name, "password-"+name)
				same(name+": "+face+" Basic, right vs wrong password", r, sendForm(t, s, "GET", path, "", name, "not-the-password"))
				same(name+": "+face+" Basic, right password vs the old key", r, sendForm(t, s, "GET", path, "", name, key))
			}
		}
	})
}
