package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestBadInput: every kind of bad input gets a clear 4xx problem and
// changes nothing.
func TestBadInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b)
		_, admin := s.admin("root", 50)
		id, tok := s.signup("taken")
		s.want(s.do("PATCH", "/v1/me", tok, map[string]any{"email": "taken@example.com"}), 200)
		me := fmt.Sprintf("/v1/users/%d", id)
		huge := `{"name":"x","password":"` + strings.Repeat("a", 2<<20) + `"}`
		clauses := strings.TrimSuffix(strings.Repeat("id = 1 || ", 10000), " || ")
		tests := []struct {
			name        string
			method      string
			path        string
			token       string
			body        any
			contentType string
			status      int
			field       string // expected key of "errors", if any
		}{
			{"malformed JSON", "POST", "/v1/users", "", `{"name": "x",`, "", 400, ""},
			{"not an object", "POST", "/v1/users", "", `["x"]`, "", 400, ""},
			{"trailing data", "POST", "/v1/users", "", `{"name":"abc","password":"password1"} {}`, "", 400, ""},
			{"duplicate key", "POST", "/v1/users", "", `{"name":"abc","name":"abd","password":"password1"}`, "", 400, "name"},
			{"unknown field", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "password1", "nickname": "x"}, "", 400, "nickname"},
			{"hidden field", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "password1", "password_hash": "x"}, "", 400, "password_hash"},
			{"wrong type", "POST", "/v1/users", "", map[string]any{"name": 5, "password": "password1"}, "", 400, "name"},
			// Problems are named as the client spelled the field: nested
			// (settings.per_page) or, for flat-name clients, flat.
			{"wrong type field", "PATCH", me, tok, `{"settings": {"per_page": "ten"}}`, "", 400, "settings.per_page"},
			{"wrong type flat field", "PATCH", me, tok, map[string]any{"per_page": "ten"}, "", 400, "per_page"},
			{"fraction", "PATCH", me, tok, `{"settings": {"per_page": 1.5}}`, "", 400, "settings.per_page"},
			{"out of range", "PATCH", me, tok, `{"settings": {"per_page": 1000}}`, "", 400, "settings.per_page"},
			{"out of range flat", "PATCH", me, tok, map[string]any{"per_page": 1000}, "", 400, "per_page"},
			{"bad enum", "PATCH", me, tok, `{"settings": {"theme": "neon"}}`, "", 400, "settings.theme"},
			{"bad time zone", "PATCH", me, tok, `{"profile": {"timezone": "Mars/Base"}}`, "", 400, "profile.timezone"},
			{"bad date", "PATCH", me, tok, `{"profile": {"date_of_birth": "2020-02-30"}}`, "", 400, "profile.date_of_birth"},
			{"too many links", "PATCH", me, tok, map[string]any{"profile": map[string]any{"links": make([]string, 26)}}, "", 400, "profile.links"},
			{"NUL in text", "PATCH", me, tok, `{"profile": {"bio": "a\u0000b"}}`, "", 400, "profile.bio"},
			{"NUL in JSON", "PATCH", me, tok, `{"profile": {"custom_preferences": {"k": "a\u0000"}}}`, "", 400, "profile.custom_preferences"},
			{"field given flat and nested", "PATCH", me, tok, `{"bio": "a", "profile": {"bio": "b"}}`, "", 400, "profile.bio"},
			{"duplicate key in a group", "PATCH", me, tok, `{"profile": {"bio": "a", "bio": "b"}}`, "", 400, "profile.bio"},
			{"field in the wrong group", "PATCH", me, tok, `{"settings": {"bio": "a"}}`, "", 400, "settings.bio"},
			{"unknown field in a group", "PATCH", me, tok, `{"danbooru": {"nickname": "a"}}`, "", 400, "danbooru.nickname"},
			{"group not an object", "PATCH", me, tok, `{"profile": "a"}`, "", 400, "profile"},
			{"standing in a group", "PATCH", me, tok, `{"e621": {"can_upload_free": true}}`, "", 403, "e621.can_upload_free"},
			{"oversize body", "POST", "/v1/users", "", huge, "", 400, ""},
			{"invalid UTF-8", "POST", "/v1/users", "", []byte("{\"name\":\"a\xffb\",\"password\":\"password1\"}"), "", 400, ""},
			{"form content type", "POST", "/v1/users", "", `{"name":"abc","password":"password1"}`, "application/x-www-form-urlencoded", 415, ""},
			{"name with space", "POST", "/v1/users", "", map[string]any{"name": "a b", "password": "password1"}, "", 400, "name"},
			{"name with slash", "POST", "/v1/users", "", map[string]any{"name": "a/b", "password": "password1"}, "", 400, "name"},
			{"empty name", "POST", "/v1/users", "", map[string]any{"name": "", "password": "password1"}, "", 400, "name"},
			{"long name", "POST", "/v1/users", "", map[string]any{"name": strings.Repeat("é", 151), "password": "password1"}, "", 400, "name"},
			{"reserved name", "POST", "/v1/users", "", map[string]any{"name": "User_12", "password": "password1"}, "", 400, "name"},
			{"missing name", "POST", "/v1/users", "", map[string]any{"password": "password1"}, "", 400, "name"},
			{"short password", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "short"}, "", 400, "password"},
			{"missing password", "POST", "/v1/users", "", map[string]any{"name": "abc"}, "", 400, "password"},
			{"bad email", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "password1", "email": "nope"}, "", 400, "email"},
			{"duplicate name other case", "POST", "/v1/users", "", map[string]any{"name": "TAKEN", "password": "password1"}, "", 409, "name"},
			{"duplicate email other case", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "password1", "email": "Taken@Example.com"}, "", 409, "email"},
			{"rename onto taken", "PATCH", "/v1/me", admin, map[string]any{"name": "Taken"}, "", 409, "name"},
			{"page size 1001", "GET", "/v1/users?limit=1001", "", nil, "", 400, "limit"},
			{"page size 0", "GET", "/v1/users?limit=0", "", nil, "", 400, "limit"},
			{"page size text", "GET", "/v1/users?limit=ten", "", nil, "", 400, "limit"},
			{"page too deep", "GET", "/v1/users?limit=1000&page=500", "", nil, "", 400, "page"},
			{"unknown parameter", "GET", "/v1/users?limt=5", "", nil, "", 400, "limt"},
			{"filter on unknown field", "GET", "/v1/users?filter=" + url.QueryEscape(`nickname = "x"`), "", nil, "", 400, "nickname"},
			{"filter on secret field", "GET", "/v1/users?filter=" + url.QueryEscape(`password_hash = "x"`), admin, nil, "", 400, "password_hash"},
			{"filter syntax", "GET", "/v1/users?filter=" + url.QueryEscape(`level >`), "", nil, "", 400, "filter"},
			{"filter wrong type", "GET", "/v1/users?filter=" + url.QueryEscape(`level = "high"`), "", nil, "", 400, "level"},
			{"filter bad operator", "GET", "/v1/users?filter=" + url.QueryEscape(`level contains "2"`), "", nil, "", 400, "level"},
			{"filter short substring", "GET", "/v1/users?filter=" + url.QueryEscape(`name contains "ab"`), "", nil, "", 400, "name"},
			{"filter with 10000 clauses", "GET", "/v1/users?filter=" + url.QueryEscape(clauses), "", nil, "", 400, "filter"},
			{"sort on unknown field", "GET", "/v1/users?sort=nickname", "", nil, "", 400, "sort"},
			{"bad cursor", "GET", "/v1/users?cursor=not-a-cursor", "", nil, "", 400, "cursor"},
			{"fields names unknown field", "GET", "/v1/users?fields=id,nickname", "", nil, "", 400, "fields"},
			{"fields names a grouped field flat", "GET", me + "?fields=bio", "", nil, "", 400, "fields"},
			{"bad token", "GET", "/v1/me", "usd_nope", nil, "", 401, ""},
			{"no token", "GET", "/v1/me", "", nil, "", 401, ""},
			{"unknown route", "GET", "/v1/nothing", "", nil, "", 404, ""},
			{"wrong method", "PUT", "/v1/users", "", nil, "", 405, ""},
			{"non-numeric id", "PATCH", "/v1/users/abc", tok, map[string]any{"bio": "x"}, "", 404, ""},
			{"NUL in a name lookup", "GET", "/v1/users/a%00b", "", nil, "", 404, ""},
			{"NUL in a login name", "POST", "/v1/login", "", map[string]any{"name": "a\u0000b", "password": "password1"}, "", 401, ""},
		}
		before := s.want(s.do("GET", "/v1/users?total=true&limit=1000", admin, nil), 200)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.doType(tt.method, tt.path, tt.token, tt.body, tt.contentType)
				if r.status != tt.status {
					t.Fatalf("status = %d, want %d\n%.300s", r.status, tt.status, r.body)
				}
				if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type = %q", ct)
				}
				p := r.json(t)
				if p["status"] != float64(tt.status) || p["title"] == "" || p["detail"] == "" || p["type"] == "" {
					t.Errorf("problem = %v", p)
				}
				if tt.field != "" {
					errs, _ := p["errors"].(map[string]any)
					if errs[tt.field] == nil {
						t.Errorf("errors = %v, want a reason for %q", p["errors"], tt.field)
					}
				}
			})
		}
		after := s.want(s.do("GET", "/v1/users?total=true&limit=1000", admin, nil), 200)
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Errorf("bad input changed the store:\nbefore %v\nafter  %v", before, after)
		}
	})
}
