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
			{"wrong type field", "PATCH", me, tok, map[string]any{"per_page": "ten"}, "", 400, "per_page"},
			{"fraction", "PATCH", me, tok, `{"per_page": 1.5}`, "", 400, "per_page"},
			{"out of range", "PATCH", me, tok, map[string]any{"per_page": 1000}, "", 400, "per_page"},
			{"bad enum", "PATCH", me, tok, map[string]any{"theme": "neon"}, "", 400, "theme"},
			{"bad time zone", "PATCH", me, tok, map[string]any{"timezone": "Mars/Base"}, "", 400, "timezone"},
			{"bad date", "PATCH", me, tok, map[string]any{"date_of_birth": "2020-02-30"}, "", 400, "date_of_birth"},
			{"too many links", "PATCH", me, tok, map[string]any{"links": make([]string, 26)}, "", 400, "links"},
			{"NUL in text", "PATCH", me, tok, map[string]any{"bio": "a\u0000b"}, "", 400, "bio"},
			{"NUL in JSON", "PATCH", me, tok, map[string]any{"custom_preferences": map[string]any{"k": "a\u0000"}}, "", 400, "custom_preferences"},
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
