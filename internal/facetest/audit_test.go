package facetest_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// auditEntries returns the audit entries matching filter, newest first,
// as an admin reads them from the native API.
func auditEntries(t *testing.T, s *facetest.Server, admin, filter string) []map[string]any {
	t.Helper()
	r := s.Do("GET", "/v1/audit?limit=1000&filter="+url.QueryEscape(filter), admin, nil)
	if r.Status != 200 {
		t.Fatalf("GET /v1/audit %q: %d %s", filter, r.Status, r.Body)
	}
	var page struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal(r.Body, &page); err != nil {
		t.Fatal(err)
	}
	return page.Entries
}

// lastAuditID is the id of the newest entry, 0 when there is none.
func lastAuditID(t *testing.T, s *facetest.Server, admin string) int64 {
	t.Helper()
	r := s.Want(s.Do("GET", "/v1/audit?limit=1", admin, nil), 200)
	es := r["entries"].([]any)
	if len(es) == 0 {
		return 0
	}
	return int64(es[0].(map[string]any)["id"].(float64))
}

// change is one side of a field's diff, as the audit log renders it.
type change map[string]any

// TestAuditEachFace: each kind of change made through each face, the CLI
// and the native API leaves exactly one audit entry about its user, with
// the face, the client address, the request id, the actor and the
// field-level diff; secrets show as changed, never their values.
func TestAuditEachFace(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		adminID, admin := s.Admin("auditor", core.LevelAdmin)
		auditorBasic := func(r *http.Request, _, _ string) { basic(r, "auditor", "password-auditor") }
		adminBearer := func(r *http.Request, _, _ string) { bearer(r, "", admin) }
		adminToken := func(r *http.Request, _, _ string) { drfToken(r, "", admin) }
		userKey := func(r *http.Request, name, key string) { basic(r, name, key) }
		userBearer := func(r *http.Request, _, key string) { bearer(r, "", key) }
		userRaw := func(r *http.Request, _, key string) { r.Header.Set("Authorization", key) }
		anon := func(*http.Request, string, string) {}

		rows := []struct {
			name                      string
			face, method, path, ctype string
			body                      string
			auth                      func(r *http.Request, name, key string)
			want                      int
			action                    string
			actor                     string // "admin", "self" or "" (anonymous)
			diff                      map[string]change
			target                    string // the target's name after; "" is {name}
		}{
			{"native update", "native", "PATCH", "/v1/users/{id}", "", `{"bio":"audited"}`, adminBearer, 200,
				core.AuditUserUpdated, "admin", map[string]change{"bio": {"new": "audited"}}, ""},
			{"native ban", "native", "PATCH", "/v1/users/{id}", "", `{"banned":true}`, adminBearer, 200,
				core.AuditUserBanned, "admin", map[string]change{"banned": {"old": false, "new": true}}, ""},
			{"native rename", "native", "PATCH", "/v1/users/{id}", "", `{"name":"{name}_new"}`, adminBearer, 200,
				core.AuditUserRenamed, "admin", map[string]change{"name": {"old": "{name}", "new": "{name}_new"}}, "{name}_new"},
			{"native level", "native", "PATCH", "/v1/users/{id}", "", `{"level":40}`, adminBearer, 200,
				core.AuditUserLevel, "admin", map[string]change{"level": {"old": float64(20), "new": float64(40)}}, ""},
			{"native password", "native", "PATCH", "/v1/me", "", `{"password":"a new password","current_password":"password-{name}"}`, userBearer, 200,
				core.AuditUserPassword, "self", map[string]change{"password_hash": {"changed": true}}, ""},
			{"native delete", "native", "DELETE", "/v1/users/{id}", "", "", adminBearer, 204,
				core.AuditUserDeleted, "admin", map[string]change{"deleted": {"old": false, "new": true}}, ""},
			{"native token", "native", "POST", "/v1/me/tokens", "", `{"label":"audited"}`, userBearer, 201,
				core.AuditTokenCreated, "self", map[string]change{"label": {"=": "audited"}}, ""},
			{"native revoke", "native", "DELETE", "/v1/me/tokens/{token}", "", "", userBearer, 204,
				core.AuditTokenRevoked, "self", nil, ""},
			{"failed login", "native", "POST", "/v1/login", "", `{"name":"{name}","password":"not the password"}`, anon, 401,
				core.AuditLoginFailed, "", nil, ""},
			{"danbooru sign-up", "danbooru", "POST", "/danbooru/users.json", "", `{"user":{"name":"{name}_db","password":"hunter22","password_confirmation":"hunter22"}}`, anon, 201,
				core.AuditUserCreated, "", map[string]change{"name": {"new": "{name}_db"}, "password_hash": {"changed": true}, "level": {"new": float64(20)}}, "{name}_db"},
			{"danbooru settings", "danbooru", "PUT", "/danbooru/users/{id}.json", form, "user[per_page]=30", userKey, 204,
				core.AuditUserUpdated, "self", map[string]change{"per_page": {"old": float64(20), "new": float64(30)}}, ""},
			{"e621 settings", "e621", "PATCH", "/e621/users/{id}.json", form, "user[comment_threshold]=-5", userKey, 204,
				core.AuditUserUpdated, "self", map[string]change{"comment_threshold": {"old": float64(-8), "new": float64(-5)}}, ""},
			{"pronouns bio", "pronouns", "PATCH", "/pronouns/api/v1/users/@me", "", `{"bio":"they/them"}`, userRaw, 200,
				core.AuditUserUpdated, "self", map[string]change{"bio": {"new": "they/them"}}, ""},
			{"reviewboard update", "reviewboard", "PUT", "/reviewboard/api/users/{name}/", form, "first_name=Rhea", auditorBasic, 200,
				core.AuditUserUpdated, "admin", map[string]change{"first_name": {"old": "", "new": "Rhea"}}, ""},
			{"drf create", "drf", "POST", "/drf/users/", "", `{"username":"{name}_drf","password":"drf-password-1","last_name":"Rest"}`, adminToken, 201,
				core.AuditUserCreated, "admin", map[string]change{"name": {"new": "{name}_drf"}, "last_name": {"new": "Rest"}}, "{name}_drf"},
		}
		for i, rw := range rows {
			t.Run(rw.name, func(t *testing.T) {
				name := fmt.Sprintf("audited_%d", i)
				id, login := s.Signup(name)
				created := auditEntries(t, s, admin, fmt.Sprintf(`target_id = %d && action = "user.created"`, id))
				if len(created) != 1 || created[0]["face"] != "native" || created[0]["actor_id"] != nil {
					t.Fatalf("the sign-up's entries: %v", created)
				}
				key := s.Token(name, "key")
				spare := s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "spare"}), 201)
				before := lastAuditID(t, s, admin)

				rp := strings.NewReplacer("{id}", fmt.Sprint(id), "{name}", name, "{token}", fmt.Sprint(spare["id"]))
				req, err := http.NewRequest(rw.method, s.Base+rp.Replace(rw.path), strings.NewReader(rp.Replace(rw.body)))
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case rw.ctype != "":
					req.Header.Set("Content-Type", rw.ctype)
				case rw.body != "":
					req.Header.Set("Content-Type", "application/json")
				}
				req.Header.Set("X-Request-Id", "audit-"+fmt.Sprint(i))
				tok := key
				if rw.face == "native" || rw.face == "pronouns" {
					tok = login
				}
				rw.auth(req, name, tok)
				resp := s.Send(req)
				if resp.Status != rw.want {
					t.Fatalf("%s %s: %d, want %d: %s", rw.method, rw.path, resp.Status, rw.want, resp.Body)
				}

				es := auditEntries(t, s, admin, fmt.Sprintf("id > %d", before))
				if len(es) != 1 {
					t.Fatalf("%d entries, want 1: %v", len(es), es)
				}
				e := es[0]
				target := rp.Replace(cmp.Or(rw.target, "{name}"))
				if e["action"] != rw.action || e["face"] != rw.face || e["addr"] != "127.0.0.1" || e["request_id"] != "audit-"+fmt.Sprint(i) ||
					e["target_name"] != target {
					t.Errorf("entry %v: want action %s, face %s, addr 127.0.0.1, request audit-%d, target %s", e, rw.action, rw.face, i, target)
				}
				if rw.target == "" && e["target_id"] != float64(id) {
					t.Errorf("target id %v, want %d", e["target_id"], id)
				}
				switch rw.actor {
				case "admin":
					if e["actor_id"] != float64(adminID) || e["actor_name"] != "auditor" {
						t.Errorf("actor %v %v, want the admin", e["actor_id"], e["actor_name"])
					}
				case "self":
					if e["actor_id"] != float64(id) {
						t.Errorf("actor %v, want the user %d", e["actor_id"], id)
					}
				default:
					if e["actor_id"] != nil {
						t.Errorf("actor %v, want none", e["actor_id"])
					}
				}
				diff := e["diff"].(map[string]any)
				for field, want := range rw.diff {
					got, ok := diff[field]
					if eq, fact := want["="]; fact {
						if got != eq {
							t.Errorf("diff[%s] = %v, want %v", field, got, eq)
						}
						continue
					}
					gm, _ := got.(map[string]any)
					if !ok || len(gm) != len(want) {
						t.Errorf("diff[%s] = %v, want %v (diff %v)", field, got, want, diff)
						continue
					}
					for k, v := range want {
						if s, ok := v.(string); ok {
							v = rp.Replace(s)
						}
						if gm[k] != v {
							t.Errorf("diff[%s][%s] = %v, want %v", field, k, gm[k], v)
						}
					}
				}
				for _, leak := range []string{"password-" + name, "a new password", key, login, "$argon2id"} {
					if strings.Contains(fmt.Sprint(e), leak) {
						t.Errorf("entry holds a secret %q: %v", leak, e)
					}
				}
			})
		}

		// A refused change leaves no entry.
		victimID, _ := s.Signup("audit_victim")
		_, member := s.Signup("audit_member")
		before := lastAuditID(t, s, admin)
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", victimID), member, map[string]any{"bio": "not yours"}), 403)
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", victimID), admin, map[string]any{"name": "auditor"}), 409)
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", victimID), admin, map[string]any{"level": "high"}), 400)
		if es := auditEntries(t, s, admin, fmt.Sprintf("id > %d", before)); len(es) != 0 {
			t.Errorf("refused changes left entries: %v", es)
		}

		// The CLI's changes are the CLI's, by the system.
		if _, err := s.CLI("user", "set-level", "--name", "audit_victim", "--level", "30"); err != nil {
			t.Fatal(err)
		}
		es := auditEntries(t, s, admin, fmt.Sprintf("id > %d", before))
		if len(es) != 1 || es[0]["action"] != core.AuditUserLevel || es[0]["face"] != "cli" || es[0]["actor_name"] != "system" || es[0]["actor_id"] != nil {
			t.Errorf("CLI set-level entries: %v", es)
		}

		// The export streams the same entries, oldest first, a JSON object a line.
		r := s.Do("GET", "/v1/audit/export?filter="+url.QueryEscape(`face = "cli"`), admin, nil)
		lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n")
		var firstCLI, lastCLI map[string]any
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/x-ndjson" || len(lines) < 2 ||
			json.Unmarshal([]byte(lines[0]), &firstCLI) != nil || json.Unmarshal([]byte(lines[len(lines)-1]), &lastCLI) != nil {
			t.Fatalf("export: %d %s %q", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		if firstCLI["action"] != core.AuditUserCreated || firstCLI["target_name"] != "auditor" || lastCLI["id"] != es[0]["id"] {
			t.Errorf("export of the CLI's entries: first %v, last %v", firstCLI, lastCLI)
		}
		_, member = s.Signup("audit_reader")
		s.Want(s.Do("GET", "/v1/audit/export", member, nil), 403)
	})
}

// TestAuditRollback: an entry commits with its change or not at all. A
// password change writes the user and its entry, then revokes the user's
// other tokens in the same transaction; a trigger that refuses the
// revocation rolls all of it back, and the log holds nothing of it.
func TestAuditRollback(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("rollback_admin", core.LevelAdmin)
		_, login := s.Signup("rolled")
		s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "other"}), 201)
		db := b.Open(t)
		ctx := t.Context()
		create, drop := []string{
			`CREATE TRIGGER audit_test_refuse BEFORE UPDATE OF revoked_at ON api_tokens BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
		}, []string{`DROP TRIGGER audit_test_refuse`}
		if b.Name == "postgres" {
			create = []string{
				`CREATE FUNCTION audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
				`CREATE TRIGGER audit_test_refuse BEFORE UPDATE OF revoked_at ON api_tokens FOR EACH ROW EXECUTE FUNCTION audit_test_refuse()`,
			}
			drop = []string{`DROP TRIGGER audit_test_refuse ON api_tokens`, `DROP FUNCTION audit_test_refuse()`}
		}
		for _, q := range create {
			if _, err := db.W.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		before := lastAuditID(t, s, admin)
		change := map[string]any{"password": "the new password", "current_password": "password-rolled"}
		if r := s.Do("PATCH", "/v1/me", login, change); r.Status != 500 {
			t.Fatalf("password change with the revocation refused: %d %s", r.Status, r.Body)
		}
		if es := auditEntries(t, s, admin, fmt.Sprintf("id > %d", before)); len(es) != 0 {
			t.Errorf("a rolled-back change left entries: %v", es)
		}
		s.Login("rolled", "password-rolled") // the password is unchanged

		for _, q := range drop {
			if _, err := db.W.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		before = lastAuditID(t, s, admin)
		s.Want(s.Do("PATCH", "/v1/me", login, change), 200)
		if es := auditEntries(t, s, admin, fmt.Sprintf("id > %d", before)); len(es) != 1 || es[0]["action"] != core.AuditUserPassword {
			t.Errorf("the committed change's entries: %v", es)
		}
	})
}
