package main

import (
	"fmt"
	"strings"
	"testing"
	"usersd/internal/facetest"

	"usersd/internal/core"
)

// privateFields must never reach anonymous callers or other non-staff
// users, whatever the registry says; this list is written from
// spec/fields.md independently of it.
var privateFields = []string{
	"email", "email_key", "name_key", "first_name_key", "last_name_key", "password_hash", "last_ip", "last_login_at",
	"updated_at", "deleted_at", "timezone", "timezone_rails", "language", "date_of_birth", "gender", "phone",
	"attributes", "attributes_kwargs", "localized_attributes", "localized_attributes_kwargs", "email_allowed",
	"sms_allowed", "call_allowed", "per_page", "comment_threshold", "blacklisted_tags", "favorite_tags", "custom_style",
	"theme", "enable_private_favorites", "dmail_filter_words", "recent_tags", "unread_dmail_count", "private_profile",
	"list_private", "requires_verification", "email_verified", "anonymized", "user_type", "last_sid_reroll_at",
	"last_forum_read_at", "no_flagging", "replacements_beta",
}

// neverFields are never rendered to anyone.
var neverFields = []string{"password_hash", "name_key", "email_key", "first_name_key", "last_name_key", "timezone_rails"}

func TestVisibility(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b)
		_, modTok := s.admin("mod", 40)
		pubID, pubTok := s.signup("public")
		privID, privTok := s.signup("private")
		_, otherTok := s.signup("other")
		for i, tok := range []string{pubTok, privTok} {
			s.want(s.do("PATCH", "/v1/me", tok, map[string]any{
				"email": fmt.Sprintf("u%d@example.com", i), "first_name": "First",
				"profile": map[string]any{"bio": "bio", "timezone": "Europe/Paris"},
			}), 200)
		}
		s.want(s.do("PATCH", "/v1/me", privTok, map[string]any{"private_profile": true}), 200)
		// Give the targets a last_ip and last_login_at.
		s.want(s.do("GET", "/v1/me", pubTok, nil), 200)

		type viewer struct {
			name  string
			token func(target int64) string
			self  bool
			staff bool
			user  bool
		}
		viewers := []viewer{
			{"anonymous", func(int64) string { return "" }, false, false, false},
			{"other member", func(int64) string { return otherTok }, false, false, true},
			{"self", func(id int64) string {
				if id == pubID {
					return pubTok
				}
				return privTok
			}, true, false, true},
			{"moderator", func(int64) string { return modTok }, false, true, true},
		}
		for _, target := range []struct {
			id      int64
			private bool
		}{{pubID, false}, {privID, true}} {
			for _, v := range viewers {
				tok := v.token(target.id)
				// facetest.FlatUser lifts the groups' members, so presence is asked by
				// field name wherever the representation nests it; it also
				// fails on a group rendered empty instead of left out.
				raw := s.want(s.do("GET", fmt.Sprintf("/v1/users/%d", target.id), tok, nil), 200)
				show := facetest.FlatUser(t, raw)
				list := s.want(s.do("GET", fmt.Sprintf("/v1/users?filter=id+%%3D+%d", target.id), tok, nil), 200)
				listed := facetest.FlatUser(t, list["users"].([]any)[0].(map[string]any))
				for _, f := range core.Fields {
					var want bool
					switch f.Read {
					case core.ReadAnon:
						want = true
					case core.ReadUser:
						want = v.self || v.staff || (v.user && !target.private)
					case core.ReadSelf:
						want = v.self || v.staff
					}
					for where, m := range map[string]map[string]any{"show": show, "list": listed} {
						if _, got := m[f.Name]; got != want {
							t.Errorf("%s viewing %s (private %v), %s: field %s present = %v, want %v", v.name, s.b.name, target.private, where, f.Name, got, want)
						}
					}
				}
				for _, name := range neverFields {
					if _, ok := show[name]; ok {
						t.Errorf("%s sees never-rendered %s", v.name, name)
					}
				}
				if !v.self && !v.staff {
					// Groups of only private fields are left out whole.
					for _, g := range []string{"settings", "danbooru"} {
						if _, ok := raw[g]; ok {
							t.Errorf("%s sees the %s group of user %d: %v", v.name, g, target.id, raw[g])
						}
					}
					for _, name := range privateFields {
						if _, ok := show[name]; ok {
							t.Errorf("%s sees private %s of user %d", v.name, name, target.id)
						}
						if _, ok := listed[name]; ok {
							t.Errorf("%s sees private %s of user %d in a list", v.name, name, target.id)
						}
					}
				}
			}
		}
		// Token listings never include secrets or their hashes.
		s.want(s.do("POST", "/v1/me/tokens", pubTok, map[string]any{"label": "x"}), 201)
		r := s.do("GET", "/v1/me/tokens", pubTok, nil)
		if strings.Contains(string(r.body), "usd_") || strings.Contains(string(r.body), "hash") {
			t.Errorf("token list leaks secrets: %s", r.body)
		}
	})
}
