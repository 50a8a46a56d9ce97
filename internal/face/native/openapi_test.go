//go:build !nodocvalidator

package native

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"usersd/internal/core"
	"usersd/internal/store/sqlite"
	"usersd/internal/testdb"
)

// docValidator parses the served document and checks it against the
// OpenAPI 3.1 schema that libopenapi-validator embeds.
func docValidator(t *testing.T) validator.Validator {
	v, _ := docModel(t)
	return v
}

// docModel is docValidator that also returns the document's model.
func docModel(t *testing.T) (validator.Validator, *v3.Document) {
	t.Helper()
	doc, err := libopenapi.NewDocument(openAPIDoc())
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("building the validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("document: %s: %s", e.Message, e.Reason)
			for _, f := range e.SchemaValidationErrors {
				t.Errorf("  at %s: %s", f.KeywordLocation, f.Reason)
			}
		}
		t.FailNow()
	}
	return v, &model.Model
}

func TestOpenAPIDocument(t *testing.T) {
	docValidator(t)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc(), &doc); err != nil {
		t.Fatal(err)
	}
	// Every operation has a unique operationId and answers errors as problems.
	ids := map[string]string{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op struct {
				OperationID string                    `json:"operationId"`
				Responses   map[string]map[string]any `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			where := method + " " + path
			if op.OperationID == "" || ids[op.OperationID] != "" {
				t.Errorf("%s: operationId %q missing or also on %s", where, op.OperationID, ids[op.OperationID])
			}
			ids[op.OperationID] = where
			if op.Responses["default"] == nil || op.Responses["401"] == nil {
				t.Errorf("%s: no default or 401 problem response", where)
			}
			for status, r := range op.Responses {
				if status[0] != '2' && !strings.HasPrefix(fmt.Sprint(r["$ref"]), "#/components/responses/") {
					t.Errorf("%s: %s is not one of the problem responses: %v", where, status, r)
				}
			}
		}
	}
	if n := len(Routes()); len(ids) != n {
		t.Errorf("%d operations documented, routes.go serves %d", len(ids), n)
	}
	// Every object schema with members says which are required.
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x["properties"]; ok {
				if _, ok := x["required"].([]any); !ok {
					t.Errorf("schema %s has properties but no required list", at)
				}
			}
			for k, y := range x {
				walk(at+"/"+k, y)
			}
		case []any:
			for i, y := range x {
				walk(fmt.Sprintf("%s/%d", at, i), y)
			}
		}
	}
	walk("#/components/schemas", doc.Components.Schemas)
	// The response schema follows the layout: each group's fields, no more.
	user := doc.Components.Schemas["User"].(map[string]any)["properties"].(map[string]any)
	for _, g := range layout {
		props := user
		if g.name != "" {
			props = doc.Components.Schemas[groupSchema(g.name)].(map[string]any)["properties"].(map[string]any)
			if user[g.name] == nil {
				t.Errorf("User lacks group %s", g.name)
			}
		}
		for _, name := range g.fields {
			if props[name] == nil {
				t.Errorf("schema of group %q lacks %s", g.name, name)
			}
		}
	}
}

// api is a native API over a fresh SQLite store, mounted at /v1 as usersd
// serves it, and the document's validator.
type api struct {
	t     *testing.T
	srv   *httptest.Server
	v     validator.Validator
	model *v3.Document
}

func newAPI(t *testing.T) (*api, *core.Service) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := core.NewService(db)
	mux := http.NewServeMux()
	mux.Handle("/v1/", http.StripPrefix("/v1", NewHandler(svc, slog.New(slog.DiscardHandler), Options{})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	v, model := docModel(t)
	return &api{t: t, srv: srv, v: v, model: model}, svc
}

// call sends a request, checks its status, and validates the request and
// the response against the document; it returns the decoded body.
func (a *api) call(method, path, token string, body any, status int) map[string]any {
	a.t.Helper()
	return a.exchange(method, path, token, body, status, true)
}

// refused is call for a request the document itself rules out (a value out
// of range): only the problem that answers it is validated.
func (a *api) refused(method, path, token string, body any, status int) map[string]any {
	a.t.Helper()
	return a.exchange(method, path, token, body, status, false)
}

// conforms validates a decoded body against one named schema of the
// document.
func (a *api) conforms(schema string, body map[string]any, what string) {
	a.t.Helper()
	proxy := a.model.Components.Schemas.GetOrZero(schema)
	if proxy == nil {
		a.t.Fatalf("no schema %s", schema)
	}
	if ok, errs := schema_validation.NewSchemaValidator().ValidateSchemaObject(proxy.Schema(), body); !ok {
		for _, e := range errs {
			a.t.Errorf("%s is not a %s: %s", what, schema, e.Reason)
			for _, f := range e.SchemaValidationErrors {
				a.t.Errorf("  at %s: %s", f.KeywordLocation, f.Reason)
			}
		}
	}
}

func (a *api) exchange(method, path, token string, body any, status int, checkRequest bool) map[string]any {
	a.t.Helper()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			a.t.Fatal(err)
		}
	}
	newRequest := func(base string) *http.Request {
		r, err := http.NewRequest(method, base+path, bytes.NewReader(payload))
		if err != nil {
			a.t.Fatal(err)
		}
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return r
	}
	resp, err := http.DefaultClient.Do(newRequest(a.srv.URL))
	if err != nil {
		a.t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		a.t.Fatal(err)
	}
	if resp.StatusCode != status {
		a.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, resp.StatusCode, status, got)
	}
	resp.Body = io.NopCloser(bytes.NewReader(got))
	// The validator reads the request body again, so it gets its own copy.
	validate := a.v.ValidateHttpRequestResponse
	if !checkRequest {
		validate = a.v.ValidateHttpResponse
	}
	if ok, errs := validate(newRequest(""), resp); !ok {
		for _, e := range errs {
			a.t.Errorf("%s %s (%d) does not match the document: %s: %s", method, path, status, e.Message, e.Reason)
			for _, f := range e.SchemaValidationErrors {
				a.t.Errorf("  at %s: %s", f.KeywordLocation, f.Reason)
			}
		}
		a.t.Logf("body: %s", got)
	}
	if len(got) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		a.t.Fatalf("%s %s: %v\n%s", method, path, err, got)
	}
	return m
}

// TestResponsesMatchDocument renders real users (as anonymous, as
// themselves, as an admin), name histories, tokens and problems, and
// validates each exchange against the served document, so the document
// cannot drift from what the handlers render.
func TestResponsesMatchDocument(t *testing.T) {
	a, svc := newAPI(t)
	ctx := context.Background()
	admin, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "root", Fields: core.Patch{"level": int64(50)}})
	if err != nil {
		t.Fatal(err)
	}
	adminTok, _, err := svc.CreateToken(ctx, core.System, admin.ID, "test", "")
	if err != nil {
		t.Fatal(err)
	}

	created := a.call("POST", "/v1/users", "", map[string]any{"name": "ann", "password": "correct horse", "email": "ann@example.com",
		"profile": map[string]any{"bio": "hello"}}, 201)
	id := int64(created["id"].(float64))
	login := a.call("POST", "/v1/login", "", map[string]any{"name": "ANN", "password": "correct horse"}, 200)
	tok := login["token"].(string)

	// Fill every kind of field, so nullable values are rendered set.
	a.call("PATCH", "/v1/me", tok, map[string]any{
		"display_name": "Ann", "first_name": "Ann", "last_name": "Example", "private_profile": false,
		"profile": map[string]any{"member_title": "Ann's", "links": []string{"https://ann.example"},
			"preferred_names": []any{map[string]any{"value": "Ann", "status": "favourite"}},
			"timezone":        "Europe/Paris", "language": "en-us", "date_of_birth": "1990-02-03", "gender": "female",
			"phone": "+15551234567", "email_allowed": true},
		"settings": map[string]any{"theme": "dark", "per_page": 40, "list_private": true},
		"danbooru": map[string]any{"favorite_tags": "cat", "blacklisted_tags": "", "custom_style": "body{}",
			"comment_threshold": -5, "default_image_size": "original", "enable_safe_mode": true},
		"e621": map[string]any{"dmail_filter_words": "spam", "blacklist_users": true, "avatar_post_id": 12, "artist_info": "art"},
	}, 200)
	a.call("PATCH", fmt.Sprintf("/v1/users/%d", id), adminTok, map[string]any{
		"level":    30,
		"profile":  map[string]any{"attributes": map[string]any{"vip": true}},
		"counters": map[string]any{"post_upload_count": 9, "upload_karma": -3},
		"e621":     map[string]any{"can_upload_free": true, "artist_tags": []string{"ann"}},
		"danbooru": map[string]any{"last_forum_read_at": "2026-01-02T03:04:05Z"},
	}, 200)
	a.call("PATCH", "/v1/me", tok, map[string]any{"name": "anna", "bio": "flat spelling"}, 200)

	user := fmt.Sprintf("/v1/users/%d", id)
	anon := a.call("GET", user, "", nil, 200)
	self := a.call("GET", user, tok, nil, 200)
	staff := a.call("GET", user, adminTok, nil, 200)
	if _, ok := anon["settings"]; ok || anon["email"] != nil {
		t.Errorf("anonymous view = %v", anon)
	}
	if self["settings"] == nil || self["email"] != "ann@example.com" || staff["last_ip"] == nil {
		t.Errorf("self view = %v\nadmin view = %v", self, staff)
	}
	// getUser answers User or UserSelection; whole renders are Users.
	a.conforms("User", anon, "the anonymous view")
	a.conforms("User", self, "the user's own view")
	a.conforms("User", staff, "the admin's view")
	a.call("GET", "/v1/users/ANNA?fields=id,profile,settings.theme", "", nil, 200)
	a.call("GET", "/v1/me", tok, nil, 200)
	a.call("GET", "/v1/users?total=true&sort=-level", adminTok, nil, 200)
	a.call("GET", "/v1/users?fields=id,name,counters", "", nil, 200)
	if h := a.call("GET", user+"/names", "", nil, 200); len(h["names"].([]any)) != 1 {
		t.Errorf("name history = %v", h)
	}
	a.call("POST", "/v1/me/tokens", tok, map[string]any{"label": "ci", "scope": "read"}, 201)
	a.call("GET", "/v1/me/tokens", tok, nil, 200)
	a.call("DELETE", user, adminTok, nil, 204)
	a.call("GET", user, adminTok, nil, 200) // deleted_at set
	a.call("POST", user+"/restore", adminTok, nil, 200)
	// The deletion revoked ann's tokens; the restore brings none back.
	tok = a.call("POST", "/v1/login", "", map[string]any{"name": "anna", "password": "correct horse"}, 200)["token"].(string)

	// Problems.
	a.call("GET", "/v1/users/99999", "", nil, 404)
	a.call("GET", "/v1/me", "", nil, 401)
	a.refused("PATCH", "/v1/me", tok, map[string]any{"settings": map[string]any{"per_page": 1000}}, 400)
	a.refused("PATCH", "/v1/me", tok, map[string]any{"bio": "x", "profile": map[string]any{"bio": "y"}}, 400)
	a.call("PATCH", "/v1/me", tok, map[string]any{"level": 40}, 403)
	a.call("POST", "/v1/users", "", map[string]any{"name": "Anna", "password": "correct horse"}, 409)
	a.call("GET", "/v1/users?filter="+url.QueryEscape(`name contains "ab1" || name contains "ab2" || name contains "ab3" || name contains "ab4" || name contains "ab5" || name contains "ab6" || name contains "ab7"`), "", nil, 400)
	a.call("GET", "/v1/openapi.json", "", nil, 200)
}

// TestValidatorCatchesDrift: the check above can fail. A user rendered flat,
// with a member in the wrong group, a wrong type or a value outside its
// enum is refused, even as a fields= selection.
func TestValidatorCatchesDrift(t *testing.T) {
	v, model := docModel(t)
	// A whole render missing what everyone is shown is not a User.
	user := model.Components.Schemas.GetOrZero("User").Schema()
	if ok, _ := schema_validation.NewSchemaValidator().ValidateSchemaObject(user, map[string]any{"id": 1}); ok {
		t.Error(`{"id":1} passes as a User`)
	}
	for _, body := range []string{
		`{"id":1,"xid":"aaaaaaaaaaaaaaaaaaaa","sid":"abcde","name":"a","display_name":null,"level":20,"active":true,"banned":false,"deleted":false,"inviter_id":null,"created_at":"2026-01-01T00:00:00Z","profile":{},"counters":{},"e621":{},"bio":"flat"}`,
		`{"id":1,"settings":{"bio":"in the wrong group"}}`,
		`{"id":"1"}`,
		`{"id":1,"profile":{"timezone":null,"gender":"other"}}`,
	} {
		req := httptest.NewRequest("GET", "/v1/users/1", nil)
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), Request: req}
		if ok, _ := v.ValidateHttpResponse(req, resp); ok {
			t.Errorf("the document accepts %s", body)
		}
	}
}
