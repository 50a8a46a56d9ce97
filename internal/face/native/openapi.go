package native

import (
	"encoding/json"
	"net/http"
	"sync"

	"usersd/internal/core"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

type obj = map[string]any

// openAPI builds the OpenAPI 3.1 document; the User schema comes from the
// field registry, so it cannot drift from what the API renders.
func openAPI() obj {
	props := obj{}
	for _, f := range core.Fields {
		if f.Read == core.ReadNever {
			continue
		}
		props[f.Name] = schemaOf(f)
	}
	props["password"] = obj{"type": "string", "writeOnly": true, "minLength": minPasswordLength, "maxLength": core.MaxPasswordBytes}
	ref := func(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }
	jsonBody := func(schema obj) obj {
		return obj{"required": true, "content": obj{"application/json": obj{"schema": schema}}}
	}
	resp := func(desc string, schema obj) obj {
		r := obj{"description": desc}
		if schema != nil {
			r["content"] = obj{"application/json": obj{"schema": schema}}
		}
		return r
	}
	problemResp := obj{"description": "Problem", "content": obj{"application/problem+json": obj{"schema": ref("Problem")}}}
	errs := func(codes ...string) obj {
		o := obj{}
		for _, c := range codes {
			o[c] = problemResp
		}
		return o
	}
	merge := func(a, b obj) obj {
		for k, v := range b {
			a[k] = v
		}
		return a
	}
	param := func(name, in, desc string, schema obj) obj {
		return obj{"name": name, "in": in, "description": desc, "schema": schema, "required": in == "path"}
	}
	idParam := param("id", "path", "User id", obj{"type": "integer", "format": "int64"})
	user := ref("User")
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":       "usersd native API",
			"version":     "1",
			"description": "User accounts: one store behind this API and five compatibility faces.",
		},
		"servers": []obj{{"url": "/v1"}},
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer"}},
			"schemas": obj{
				"User": obj{"type": "object", "properties": props,
					"description": "Fields the caller may not read are absent."},
				"Problem": obj{"type": "object", "required": []string{"type", "title", "status", "detail"}, "properties": obj{
					"type": obj{"type": "string"}, "title": obj{"type": "string"}, "status": obj{"type": "integer"},
					"detail": obj{"type": "string"}, "errors": obj{"type": "object", "additionalProperties": obj{"type": "string"}},
				}},
				"Token": obj{"type": "object", "properties": obj{
					"id": obj{"type": "integer"}, "label": obj{"type": "string"}, "kind": obj{"enum": []string{"api", "login"}},
					"scope": obj{"enum": []string{"read", "write"}}, "token": obj{"type": "string", "description": "The secret; only in the response that creates it."},
					"created_at": obj{"type": "string", "format": "date-time"}, "last_used_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
					"last_used_ip": obj{"type": []string{"string", "null"}}, "uses": obj{"type": "integer"},
					"expires_at": obj{"type": []string{"string", "null"}, "format": "date-time"},
				}},
			},
		},
		"security": []obj{{}, {"bearer": []string{}}},
		"paths": obj{
			"/openapi.json": obj{"get": obj{"summary": "This document", "responses": obj{"200": resp("OpenAPI document", obj{"type": "object"})}}},
			"/login": obj{"post": obj{"summary": "Log in with name or e-mail and password; returns a new token",
				"requestBody": jsonBody(obj{"type": "object", "required": []string{"password"}, "properties": obj{
					"name": obj{"type": "string"}, "email": obj{"type": "string"}, "password": obj{"type": "string"}}}),
				"responses": merge(obj{"200": resp("Logged in", obj{"type": "object", "properties": obj{"token": obj{"type": "string"}, "user": user}})}, errs("400", "401", "403", "429"))}},
			"/users": obj{
				"get": obj{"summary": "List users", "parameters": []obj{
					param("filter", "query", "Filter, e.g. level >= 20 && name contains \"abc\"", obj{"type": "string", "maxLength": query.MaxFilterLength}),
					param("sort", "query", "Comma-separated fields, - for descending", obj{"type": "string"}),
					param("limit", "query", "Page size", obj{"type": "integer", "minimum": 1, "maximum": query.MaxLimit, "default": DefaultLimit}),
					param("page", "query", "1-based page number (offset pages)", obj{"type": "integer", "minimum": 1}),
					param("cursor", "query", "next_cursor of the previous page (keyset pages)", obj{"type": "string"}),
					param("total", "query", "Count every matching user", obj{"type": "boolean"}),
					param("fields", "query", "Comma-separated fields to render", obj{"type": "string"}),
				}, "responses": merge(obj{"200": resp("A page", obj{"type": "object", "properties": obj{
					"users": obj{"type": "array", "items": user}, "next_cursor": obj{"type": []string{"string", "null"}}, "total": obj{"type": "integer"}}})}, errs("400", "401", "403"))},
				"post": obj{"summary": "Sign up, or create a user as staff", "requestBody": jsonBody(user),
					"responses": merge(obj{"201": resp("Created", user)}, errs("400", "401", "403", "409"))},
			},
			"/users/{id}": obj{
				"get": obj{"summary": "Get a user by id, or by name in any case",
					"parameters": []obj{param("id", "path", "Id, or name (GET only)", obj{"type": "string"}), param("fields", "query", "Fields to render", obj{"type": "string"})},
					"responses":  merge(obj{"200": resp("The user", user)}, errs("400", "401", "404"))},
				"patch": obj{"summary": "Update a user (partial)", "parameters": []obj{idParam}, "requestBody": jsonBody(user),
					"responses": merge(obj{"200": resp("Updated", user)}, errs("400", "401", "403", "404", "409"))},
				"delete": obj{"summary": "Soft-delete a user", "parameters": []obj{idParam}, "responses": merge(obj{"204": resp("Deleted", nil)}, errs("401", "403", "404"))},
			},
			"/users/{id}/restore": obj{"parameters": []obj{idParam}, "post": obj{"summary": "Undo a soft delete (admins)",
				"responses": merge(obj{"200": resp("Restored", user)}, errs("401", "403", "404"))}},
			"/users/{id}/names": obj{"parameters": []obj{idParam}, "get": obj{"summary": "Name history",
				"responses": merge(obj{"200": resp("Past names, oldest first", obj{"type": "object"})}, errs("404"))}},
			"/me": obj{
				"get":   obj{"summary": "The caller", "responses": merge(obj{"200": resp("The caller", user)}, errs("401"))},
				"patch": obj{"summary": "Update the caller", "requestBody": jsonBody(user), "responses": merge(obj{"200": resp("Updated", user)}, errs("400", "401", "403", "409"))},
			},
			"/me/tokens": obj{
				"get": obj{"summary": "The caller's tokens", "responses": merge(obj{"200": resp("Tokens", obj{"type": "object", "properties": obj{"tokens": obj{"type": "array", "items": ref("Token")}}})}, errs("401"))},
				"post": obj{"summary": "Create a token; the secret is shown once",
					"requestBody": jsonBody(obj{"type": "object", "properties": obj{"label": obj{"type": "string", "maxLength": 100}, "scope": obj{"enum": []string{"read", "write"}}}}),
					"responses":   merge(obj{"201": resp("Created", ref("Token"))}, errs("400", "401"))},
			},
			"/me/tokens/{id}": obj{"parameters": []obj{param("id", "path", "Token id", obj{"type": "integer"})},
				"delete": obj{"summary": "Revoke a token", "responses": merge(obj{"204": resp("Revoked", nil)}, errs("401", "404"))}},
		},
	}
}

func schemaOf(f *core.Field) obj {
	s := obj{}
	typ := map[core.Kind]string{core.KindInt: "integer", core.KindBool: "boolean", core.KindText: "string", core.KindTime: "string",
		core.KindDate: "string", core.KindIP: "string"}[f.Kind]
	switch f.Kind {
	case core.KindTime:
		s["format"] = "date-time"
	case core.KindDate:
		s["format"] = "date"
	case core.KindText:
		s["maxLength"] = f.Max
		if f.Min > 0 {
			s["minLength"] = f.Min
		}
		if f.Enum != nil {
			s["enum"] = f.Enum
		}
	case core.KindJSON:
		typ = map[byte]string{'[': "array", '{': "object"}[f.Shape]
	}
	if f.Null {
		s["type"] = []string{typ, "null"}
	} else {
		s["type"] = typ
	}
	if !f.Settable() {
		s["readOnly"] = true
	}
	return s
}

var openAPIDoc = sync.OnceValue(func() []byte {
	b, err := json.MarshalIndent(openAPI(), "", "  ")
	if err != nil {
		panic(err)
	}
	return b
})

// handleOpenAPI handles "GET /openapi.json".
func handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		httpx.Raw(w, http.StatusOK, "application/json", openAPIDoc())
	})
}
