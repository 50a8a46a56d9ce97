package native

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"usersd/internal/core"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

type obj = map[string]any

// Names of the user schemas in the document. Each group of the layout has a
// response schema and, when any of its fields can be written, an input
// schema; their names derive from the group's.
const (
	schemaUser       = "User"
	schemaUserCreate = "UserCreate"
	schemaUserUpdate = "UserUpdate"
	// A user rendered with fields= holds only what was named, so the
	// operations that take fields answer "User or UserSelection": the same
	// members, none of them required.
	selection = "Selection"
)

func groupSchema(g string) string { return "User" + exportName(g) }
func groupInput(g string) string  { return groupSchema(g) + "Input" }

// selectedUser is the answer of an operation that takes fields=.
func selectedUser() obj {
	return obj{"anyOf": []obj{ref(schemaUser), ref(schemaUser + selection)},
		"description": "The User; with fields=, a UserSelection of the named fields and groups."}
}

// exportName turns a group name into the part of a schema name: profile ->
// Profile, e621 -> E621.
func exportName(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

// openAPI builds the OpenAPI 3.1 document. The user schemas are generated
// from the field registry and the layout, so they list exactly what the
// API renders and accepts; openapi_test.go checks real responses against
// them.
func openAPI() obj {
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "usersd native API",
			"version": "1",
			"description": "User accounts: one store behind this API and its compatibility faces. " +
				"A user is rendered with identity, standing and times at the top level and everything else in the groups " +
				groupList() + ". Every field is shown only to those its read class allows: a hidden field is absent, never null, " +
				"and a group of which the caller may read nothing is left out. " + limitsAbout,
		},
		"servers":    []obj{{"url": "/v1"}},
		"security":   []obj{{}, {"bearer": []string{}}},
		"components": obj{"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer"}}, "schemas": schemas(), "responses": problemResponses()},
		"paths":      paths(),
	}
}

func groupList() string {
	var names []string
	for _, g := range layout[1:] {
		names = append(names, g.name)
	}
	return strings.Join(names, ", ")
}

// schemas returns every named schema of the document.
func schemas() obj {
	s := obj{}
	responseSchemas(s, "", true)
	responseSchemas(s, selection, false)

	// The request shapes: what some caller may write, nested as rendered,
	// and each grouped field also under its flat name for older clients.
	in, flat := obj{}, obj{}
	for _, g := range layout {
		props := obj{}
		for _, name := range g.fields {
			f := slotOf[name].field
			if !f.Settable() {
				continue
			}
			props[name] = fieldSchema(f, false)
			if g.name != "" {
				alias := fieldSchema(f, false)
				alias["deprecated"] = true
				alias["description"] = fmt.Sprintf("Flat spelling of %s.%s, kept for clients written before the groups; giving both is a 400. %s",
					g.name, name, alias["description"])
				flat[name] = alias
			}
		}
		switch {
		case g.name == "":
			in = props
		case len(props) > 0:
			s[groupInput(g.name)] = objectSchema(props, nil, g.about)
			in[g.name] = ref(groupInput(g.name))
		}
	}
	password := obj{"type": "string", "writeOnly": true, "minLength": core.NativeProfile.MinPassword, "maxLength": core.MaxPasswordBytes}
	create := merge(obj{}, in, flat)
	create["password"] = merge(obj{"description": "Required for sign-up. Staff creating a user may leave it out: the account then has no password login until one is set."}, password)
	s[schemaUserCreate] = objectSchema(create, []string{"name"},
		"Sign-up (anonymous or signed-in members: name and password, optionally e-mail and profile) or staff creating a user "+
			"(any field their level may write). A field the caller may not write is a 403 naming it; nothing is created.")
	update := merge(obj{}, in, flat)
	update["password"] = merge(obj{"description": "A new password. Users changing their own must also give current_password; staff changing a lower-level user's need not."}, password)
	update["current_password"] = obj{"type": "string", "writeOnly": true, "maxLength": core.MaxPasswordBytes,
		"description": "The caller's present password; required with password when users change their own."}
	s[schemaUserUpdate] = objectSchema(update, nil,
		"A partial update: only the fields given change. A field the caller may not write is a 403 naming it, and nothing changes.")

	s["UserPage"] = objectSchema(obj{
		"users":       obj{"type": "array", "items": selectedUser()},
		"next_cursor": obj{"type": []string{"string", "null"}, "description": "Pass as cursor for the next page; null on the last."},
		"total":       obj{"type": "integer", "minimum": 0, "description": "Every matching user; only with total=true, and left out when counting outlasts the search deadline (the page is still answered)."},
	}, []string{"users", "next_cursor"}, "One page of users.")
	s["NameChange"] = objectSchema(obj{
		"old_name":   obj{"type": "string"},
		"new_name":   obj{"type": "string"},
		"changed_at": obj{"type": "string", "format": "date-time"},
	}, []string{"old_name", "new_name", "changed_at"}, "One rename.")
	s["NameHistory"] = objectSchema(obj{"names": obj{"type": "array", "items": ref("NameChange"), "description": "Oldest first."}},
		[]string{"names"}, "A user's past names.")
	nullable := func(t, desc string) obj { return obj{"type": []string{t, "null"}, "description": desc} }
	s["AuditEntry"] = objectSchema(obj{
		"id":          obj{"type": "integer", "format": "int64"},
		"at":          obj{"type": "string", "format": "date-time"},
		"action":      obj{"type": "string", "enum": core.AuditActions},
		"actor_id":    nullable("integer", "The user who acted; null for an anonymous caller or the system."),
		"actor_name":  nullable("string", "The actor's name then; \"system\" for the CLI and the core itself."),
		"target_id":   nullable("integer", "The user the entry is about."),
		"target_name": nullable("string", "The target's name then."),
		"face":        obj{"type": "string", "description": "native, danbooru, e621, pronouns, reviewboard, drf, cli, import, console or system."},
		"addr":        nullable("string", "The client's address."),
		"request_id":  nullable("string", "The request's X-Request-Id."),
		"diff": obj{"type": "object", "description": "Each changed field as {\"old\": …, \"new\": …} (a side is absent when it was absent or null); " +
			"a secret as {\"changed\": true}, never its value. Events that change no field state their facts (token_id, member_id, names …)."},
	}, []string{"id", "at", "action", "actor_id", "actor_name", "target_id", "target_name", "face", "addr", "request_id", "diff"},
		"One change or security event, committed with the change it records.")
	s["AuditPage"] = objectSchema(obj{
		"entries":     obj{"type": "array", "items": ref("AuditEntry"), "description": "Newest first."},
		"next_cursor": obj{"type": []string{"string", "null"}, "description": "Pass as cursor for the next page; null on the last."},
	}, []string{"entries", "next_cursor"}, "One page of the audit log.")
	events := obj{"type": "array", "items": obj{"type": "string", "enum": append([]string{core.WebhookAllEvents}, core.AuditActions...)},
		"description": "The audit actions to send, or [\"*\"] for all."}
	s["Webhook"] = objectSchema(obj{
		"id":               obj{"type": "integer", "format": "int64"},
		"url":              obj{"type": "string", "format": "uri", "description": "An absolute http or https URL."},
		"description":      obj{"type": "string", "maxLength": 500},
		"events":           events,
		"enabled":          obj{"type": "boolean", "description": "A disabled webhook's deliveries wait until it is enabled again."},
		"secret":           obj{"type": "string", "description": "whsec_…: the Standard Webhooks signing secret; only in the answers of createWebhook and rotateWebhookSecret."},
		"old_secret_until": nullable("string", "After a rotation, until when the old secret also signs deliveries."),
		"created_at":       obj{"type": "string", "format": "date-time"},
		"updated_at":       obj{"type": "string", "format": "date-time"},
	}, []string{"id", "url", "description", "events", "enabled", "old_secret_until", "created_at", "updated_at"},
		"An endpoint that receives audit log events as they commit, signed per the Standard Webhooks specification "+
			"(webhook-id, the same on every attempt of a delivery; webhook-timestamp; webhook-signature). "+
			"The body is {\"type\": action, \"timestamp\": …, \"data\": AuditEntry}.")
	s["WebhookList"] = objectSchema(obj{"webhooks": obj{"type": "array", "items": ref("Webhook")}}, []string{"webhooks"}, "Every webhook, by id.")
	s["WebhookInput"] = objectSchema(obj{
		"url":         obj{"type": "string", "format": "uri"},
		"description": obj{"type": "string", "maxLength": 500},
		"events":      events,
		"enabled":     obj{"type": "boolean", "default": true},
	}, nil, "A webhook's settings; url and events are required to create one, and an update changes only what it names.")
	s["Delivery"] = objectSchema(obj{
		"id":              obj{"type": "integer", "format": "int64"},
		"webhook_id":      obj{"type": "integer", "format": "int64"},
		"audit_id":        nullable("integer", "The audit entry sent; null for a test event."),
		"event":           obj{"type": "string"},
		"state":           obj{"enum": []string{core.DeliveryPending, core.DeliveryDelivered, core.DeliveryDead}, "description": "dead: every attempt failed (the dead letters); retryDelivery sends it again."},
		"attempts":        obj{"type": "integer"},
		"created_at":      obj{"type": "string", "format": "date-time"},
		"next_attempt_at": nullable("string", "When a pending delivery is tried next."),
		"finished_at":     nullable("string", "When it was delivered or given up."),
		"last_status":     nullable("integer", "The last attempt's HTTP status."),
		"last_error":      nullable("string", "Why the last attempt got no response."),
		"log": obj{"type": "array", "description": "Only from getDelivery: every attempt, oldest first.", "items": objectSchema(obj{
			"at":         obj{"type": "string", "format": "date-time"},
			"status":     nullable("integer", "null when no response came"),
			"latency_ms": obj{"type": "integer"},
			"response":   obj{"type": "string", "description": "The response body's first 1024 bytes."},
			"error":      obj{"type": "string"},
		}, []string{"at", "status", "latency_ms", "response"}, "One attempt.")},
	}, []string{"id", "webhook_id", "audit_id", "event", "state", "attempts", "created_at", "next_attempt_at", "finished_at", "last_status", "last_error"},
		"One event on its way to one webhook. Failed attempts are retried with exponential back-off (usersd serve --webhook-backoff, --webhook-attempts).")
	s["DeliveryPage"] = objectSchema(obj{
		"deliveries":  obj{"type": "array", "items": ref("Delivery"), "description": "Newest first."},
		"next_cursor": obj{"type": []string{"string", "null"}, "description": "Pass as cursor for the next page; null on the last."},
	}, []string{"deliveries", "next_cursor"}, "One page of a webhook's delivery log.")
	s["Login"] = objectSchema(obj{
		"name":     obj{"type": "string", "description": "The user name, in any case; or give email."},
		"email":    obj{"type": "string", "description": "The e-mail address, in any case; or give name."},
		"password": obj{"type": "string", "writeOnly": true},
	}, []string{"password"}, "Name or e-mail (one of them) and password.")
	s["LoginResult"] = objectSchema(obj{
		"token": obj{"type": "string", "description": "A new login token for Authorization: Bearer."},
		"user":  ref(schemaUser),
	}, []string{"token", "user"}, "The new token and the user as they see themselves.")
	tokenProps := func() obj {
		maybeTime := obj{"type": []string{"string", "null"}, "format": "date-time"}
		return obj{
			"id":           obj{"type": "integer", "format": "int64", "minimum": 1},
			"label":        obj{"type": "string", "maxLength": 100},
			"kind":         obj{"enum": []string{core.TokenAPI, core.TokenLogin}},
			"scope":        obj{"enum": []string{core.ScopeRead, core.ScopeWrite}},
			"created_at":   obj{"type": "string", "format": "date-time"},
			"last_used_at": maybeTime,
			"last_used_ip": obj{"type": []string{"string", "null"}},
			"uses":         obj{"type": "integer", "minimum": 0},
			"expires_at":   maybeTime,
		}
	}
	tokenRequired := []string{"id", "label", "kind", "scope", "created_at", "last_used_at", "last_used_ip", "uses", "expires_at"}
	s["Token"] = objectSchema(tokenProps(), tokenRequired, "An API or login token; its secret is never shown again.")
	created := tokenProps()
	created["token"] = obj{"type": "string", "description": "The secret, for Authorization: Bearer; shown only here."}
	s["NewToken"] = objectSchema(created, append(slices.Clone(tokenRequired), "token"), "A token just created, with its secret.")
	s["TokenList"] = objectSchema(obj{"tokens": obj{"type": "array", "items": ref("Token")}}, []string{"tokens"}, "The caller's live tokens.")
	s["TokenCreate"] = objectSchema(obj{
		"label": obj{"type": "string", "maxLength": 100},
		"scope": obj{"enum": []string{core.ScopeRead, core.ScopeWrite}, "default": core.ScopeWrite, "description": "read tokens may only GET."},
		"expires_in": obj{"type": []string{"integer", "null"}, "minimum": 1, "maximum": maxExpiresIn,
			"description": "Seconds until the token expires; or give expires_at. Without either, the server's default lifetime (--api-token-ttl; none unless set); never past --api-token-max-ttl."},
		"expires_at": obj{"type": []string{"string", "null"}, "format": "date-time", "description": "When the token expires (in the future); or give expires_in."},
	}, nil, "A new API token.")
	s["ImportSummary"] = objectSchema(obj{
		"dry_run": obj{"type": "boolean", "description": "Whether this was a dry run, which wrote nothing: the counts are what a real run would have done."},
		"read":    obj{"type": "integer", "minimum": 0, "description": "Records read."},
		"created": obj{"type": "integer", "minimum": 0},
		"updated": obj{"type": "integer", "minimum": 0, "description": "Records written over the user whose name or e-mail they hold (on_conflict=update)."},
		"skipped": obj{"type": "integer", "minimum": 0, "description": "Records whose name or e-mail a user holds, left as stored (on_conflict=skip)."},
		"refused": obj{"type": "integer", "minimum": 0, "description": "Records refused, each writing nothing; refusals lists the first of them."},
		"refusals": obj{"type": "array", "maxItems": MaxReportedRefusals, "items": ref("ImportRefusal"),
			"description": fmt.Sprintf("The first %d refusals, in input order; refused counts them all.", MaxReportedRefusals)},
	}, []string{"dry_run", "read", "created", "updated", "skipped", "refused", "refusals"}, "What an import did.")
	s["ImportRefusal"] = objectSchema(obj{
		"line":   obj{"type": "integer", "minimum": 1, "description": "Where the record starts in the body (a JSONL line; a CSV row's first line, the header being line 1)."},
		"name":   obj{"type": "string", "description": "The record's name as given, when it has one (it may break the name rules: that may be the reason)."},
		"reason": obj{"type": "string", "description": "Why it was refused: a message and the reasons by field."},
	}, []string{"line", "reason"}, "A record the import did not write.")
	s["Problem"] = objectSchema(obj{
		"type":     obj{"type": "string", "description": "urn:usersd:problem:<code>, or about:blank"},
		"title":    obj{"type": "string"},
		"status":   obj{"type": "integer"},
		"detail":   obj{"type": "string"},
		"instance": obj{"type": "string"},
		"errors": obj{"type": "object", "additionalProperties": obj{"type": "string"},
			"description": "Reasons by field, named as the request spelled them (profile.bio, or bio for a flat body)."},
	}, []string{"type", "title", "status", "detail"}, "An RFC 9457 problem.")
	return s
}

// responseSchemas adds the rendered user and its groups to s, under names
// ending in suffix: one object per group, each listing what its readers may
// see. With required, the required lists name what every caller, anonymous
// included, is shown; without, none (a fields= selection).
func responseSchemas(s obj, suffix string, required bool) {
	top := obj{}
	topRequired := []string{}
	for _, g := range layout {
		props := obj{}
		needed := []string{}
		for _, name := range g.fields {
			f := slotOf[name].field
			props[name] = fieldSchema(f, true)
			if required && f.Read == core.ReadAnon {
				needed = append(needed, name)
			}
		}
		if g.name == "" {
			top, topRequired = props, needed
			continue
		}
		s[groupSchema(g.name)+suffix] = objectSchema(props, needed, g.about+" Fields the caller may not read are absent.")
		top[g.name] = ref(groupSchema(g.name) + suffix)
		if len(needed) > 0 {
			topRequired = append(topRequired, g.name)
		}
	}
	desc := "A user as the caller may see them. Fields the caller may not read are absent, never null; so is a group of which the caller may read nothing. " +
		"The required lists name what every caller is shown."
	if !required {
		desc = "A user rendered with fields=: only the named top-level fields, groups and grouped fields that the caller may read."
	}
	s[schemaUser+suffix] = merge(objectSchema(top, topRequired, desc), obj{xMaxBytes: core.DefaultMaxUserBytes})
}

// objectSchema is a closed object: members other than props are not sent
// and not accepted.
func objectSchema(props obj, required []string, desc string) obj {
	if required == nil {
		required = []string{}
	}
	return obj{"type": "object", "properties": props, "required": required, "additionalProperties": false, "description": desc}
}

func merge(dst obj, srcs ...obj) obj {
	for _, src := range srcs {
		for k, v := range src {
			dst[k] = v
		}
	}
	return dst
}

// fieldSchema describes one registry field; rendered says whether for a
// response (who sees it) or a request (who writes it).
func fieldSchema(f *core.Field, rendered bool) obj {
	s := obj{}
	typ := map[core.Kind]string{core.KindInt: "integer", core.KindBool: "boolean", core.KindText: "string",
		core.KindTime: "string", core.KindDate: "string", core.KindIP: "string"}[f.Kind]
	switch f.Kind {
	case core.KindInt:
		s["format"] = "int64"
		switch {
		case f.Enum != nil:
			var levels []any
			for _, e := range f.Enum {
				n, _ := strconv.Atoi(e)
				levels = append(levels, n)
			}
			s["enum"] = levels
		case f.Max != 0 && !f.Generated:
			s["minimum"], s["maximum"] = f.Min, f.Max
		}
	case core.KindTime:
		s["format"] = "date-time"
		s["description"] = "From 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z."
	case core.KindDate:
		s["format"] = "date"
		s["description"] = dateRange(f)
	case core.KindIP:
		s["description"] = "An IPv4 or IPv6 address."
	case core.KindText:
		s["maxLength"] = f.Max
		s[xMaxBytes] = f.MaxBytes
		s["description"] = fmt.Sprintf("At most %d characters and %d bytes of UTF-8.", f.Max, f.MaxBytes)
		if f.Min > 0 {
			s["minLength"] = f.Min
		}
		if f.Enum != nil {
			var values []any
			for _, e := range f.Enum {
				values = append(values, e)
			}
			s["enum"] = values
		}
	case core.KindJSON:
		if f.Shape == '[' {
			typ = "array"
			s["maxItems"] = f.Max
			if f.Items == "text" {
				s["items"] = obj{"type": "string", "minLength": 1, "maxLength": f.ItemMax}
			}
		} else {
			typ = "object"
			s["maxProperties"] = f.Max
		}
		s[xMaxBytes], s[xMaxItemBytes], s[xMaxDepth] = f.MaxBytes, f.ItemMaxBytes, core.MaxJSONDepth
		s["description"] = fmt.Sprintf("At most %d bytes of compact JSON, %d per item, nesting at most %d levels.", f.MaxBytes, f.ItemMaxBytes, core.MaxJSONDepth)
	}
	if f.Null {
		s["type"] = []string{typ, "null"}
		if e, ok := s["enum"].([]any); ok {
			s["enum"] = append(e, nil)
		}
	} else {
		s["type"] = typ
	}
	var about string
	if rendered {
		about = "Shown to " + readers(f) + "."
		if !f.Settable() {
			s["readOnly"] = true
		}
	}
	if w := writers(f); w != "" {
		about = strings.TrimSpace(about + " Written by " + w + ".")
	}
	if d, ok := s["description"].(string); ok {
		about = d + " " + about
	}
	s["description"] = about
	return s
}

// readers says in words who may read f (core.CanRead).
func readers(f *core.Field) string {
	switch f.Read {
	case core.ReadAnon:
		return "everyone"
	case core.ReadUser:
		return "signed-in callers (only the user and staff when the profile is private)"
	}
	return "the user and staff"
}

// writers says in words who may write f (core.CanWrite); "" for fields only
// the service sets.
func writers(f *core.Field) string {
	if !f.Settable() {
		return ""
	}
	var who []string
	if f.Write&core.WriteSelf != 0 {
		who = append(who, "the user")
	}
	if f.Write&core.WriteStaff != 0 {
		who = append(who, "staff above the user's level")
	} else if f.Write&core.WriteAdmin != 0 {
		who = append(who, "admins above the user's level")
	}
	return strings.Join(who, " and ")
}

// problemResponses are the error answers, all RFC 9457 problems.
func problemResponses() obj {
	problem := func(desc string, headers obj) obj {
		r := obj{"description": desc, "content": obj{"application/problem+json": obj{"schema": ref("Problem")}}}
		if headers != nil {
			r["headers"] = headers
		}
		return r
	}
	header := func(desc string, schema obj) obj { return obj{"description": desc, "schema": schema} }
	return obj{
		"BadRequest":           problem("The request is malformed or a field is invalid; errors names each.", nil),
		"Unauthorized":         problem("No valid credentials.", obj{"WWW-Authenticate": header("Bearer challenge", obj{"type": "string"})}),
		"Forbidden":            problem("The caller may not do this (errors names the fields it may not write), or a read token tried to write.", nil),
		"NotFound":             problem("No such user, token or route.", nil),
		"Conflict":             problem("The name or e-mail is taken.", nil),
		"UnsupportedMediaType": problem("The body is not application/json (an import's: not application/x-ndjson or text/csv).", nil),
		"NotAcceptable":        problem("Accept allows none of the media types the operation answers with.", nil),
		"ContentTooLarge":      problem("The import's body is larger than the server takes (usersd serve --max-import-bytes).", nil),
		"ImportRunning":        problem("Another import is running on this server: one runs at a time, and this one was refused at once, its body unread; try again when it has finished.", nil),
		"TooManyRequests": problem("Too many failed logins for this account or address, or too many sign-ups from this address.",
			obj{"Retry-After": header("Seconds to wait", obj{"type": "integer", "minimum": 1})}),
		"ServiceUnavailable": problem("Too many costly searches (substring, wildcard or regex conditions, totals, deep pages) are running; retry after the given seconds.",
			obj{"Retry-After": header("Seconds to wait", obj{"type": "integer", "minimum": 1})}),
		"Problem": problem("Any other error.", nil),
	}
}

// paths lists every operation; routes.go serves exactly these.
func paths() obj {
	jsonBody := func(schema string) obj {
		return obj{"required": true, "content": obj{"application/json": obj{"schema": ref(schema)}}}
	}
	ok := func(desc, schema string) obj {
		return obj{"description": desc, "content": obj{"application/json": obj{"schema": ref(schema)}}}
	}
	noContent := func(desc string) obj { return obj{"description": desc} }
	// op assembles an operation: its 2xx answers and the statuses of its
	// problems; every operation may also answer 401 (a bad token) and any
	// other problem.
	op := func(id, summary string, answers obj, problems ...int) obj {
		rs := merge(obj{}, answers)
		names := map[int]string{400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 406: "NotAcceptable",
			409: "Conflict", 413: "ContentTooLarge", 415: "UnsupportedMediaType", 429: "TooManyRequests", 503: "ServiceUnavailable"}
		for _, st := range append(problems, 401) {
			rs[strconv.Itoa(st)] = obj{"$ref": "#/components/responses/" + names[st]}
		}
		rs["default"] = obj{"$ref": "#/components/responses/Problem"}
		return obj{"operationId": id, "summary": summary, "responses": rs}
	}
	with := func(o obj, kv ...any) obj {
		for i := 0; i < len(kv); i += 2 {
			o[kv[i].(string)] = kv[i+1]
		}
		return o
	}
	param := func(name, in, desc string, schema obj) obj {
		return obj{"name": name, "in": in, "description": desc, "schema": schema, "required": in == "path"}
	}
	idParam := param("id", "path", "User id", obj{"type": "integer", "format": "int64", "minimum": 1})
	fields := param("fields", "query", "Comma-separated: top-level fields (id), groups ("+groupList()+
		") or grouped fields by path (profile.bio). Only these are rendered; unknown names are a 400.", obj{"type": "string"})
	write := []int{400, 403, 404, 409, 415}
	hookID := param("id", "path", "Webhook id", obj{"type": "integer", "format": "int64", "minimum": 1})
	deliveryID := param("delivery", "path", "Delivery id", obj{"type": "integer", "format": "int64", "minimum": 1})
	filter := param("filter", "query", `Filter, e.g. level >= 20 && name contains "abc"; fields by their registry name (post_upload_count, not counters.post_upload_count)`,
		obj{"type": "string", "maxLength": query.MaxFilterLength})
	auditFilter := param("filter", "query", `Filter over id, at, action, actor_id, target_id, face, addr and request_id, e.g. action = "user.banned" && target_id = 7`,
		obj{"type": "string", "maxLength": query.MaxFilterLength})
	// The bulk formats. JSONL has no schema: OpenAPI 3.1 has none for a
	// sequence of JSON texts, and a validator would read the body as one.
	bulk := obj{
		"application/x-ndjson": obj{"example": `{"id":1,"name":"ann",…}` + "\n"},
		"text/csv":             obj{"schema": obj{"type": "string"}, "example": strings.Join(CSVColumns(false)[:4], ",") + ",…\n"},
	}
	const bulkFormats = " JSONL (application/x-ndjson): one user a line, as GET /users/{id} renders users to an admin, groups nested " +
		"(an import also takes flat names and a top-level password_hash). CSV (text/csv): a header of native field paths " +
		"(id, name, profile.bio …, in the JSON order; an import may name any subset), then a row a user; lists and objects are their JSON text, an empty cell null."
	return obj{
		"/openapi.json": obj{"get": op("getOpenAPI", "This document", obj{"200": obj{"description": "OpenAPI 3.1 document",
			"content": obj{"application/json": obj{"schema": obj{"type": "object"}}}}})},
		"/login": obj{"post": with(op("login", "Log in with name or e-mail and password; returns a new token",
			obj{"200": ok("Logged in", "LoginResult")}, 400, 403, 415, 429), "requestBody", jsonBody("Login"))},
		"/users": obj{
			"get": with(op("listUsers", "List users", obj{"200": ok("A page", "UserPage")}, 400, 403, 503), "parameters", []obj{
				filter,
				param("sort", "query", "Comma-separated fields, - for descending", obj{"type": "string"}),
				param("limit", "query", "Page size", obj{"type": "integer", "minimum": 1, "maximum": query.MaxLimit, "default": DefaultLimit}),
				param("page", "query", "1-based page number (offset pages)", obj{"type": "integer", "minimum": 1}),
				param("cursor", "query", "next_cursor of the previous page (keyset pages)", obj{"type": "string"}),
				param("total", "query", "Count every matching user", obj{"type": "boolean"}),
				fields,
			}),
			"post": with(op("createUser", "Sign up, or create a user as staff", obj{"201": merge(ok("Created; the user as the caller (or, on sign-up, the new user) sees them", schemaUser),
				obj{"headers": obj{"Location": obj{"description": "users/{id}", "schema": obj{"type": "string"}}}})}, append(write, 429)...),
				"requestBody", jsonBody(schemaUserCreate)),
		},
		"/users/export": obj{"get": with(op("exportUsers",
			"Export users (admins): every user the filter matches, deleted ones included, in id order, with every field but password hashes and token secrets, streamed as it is read",
			obj{"200": obj{"description": "The users. The body is streamed: an error after the first row aborts the response (HTTP/1.1: the connection closes " +
				"without the last chunk; HTTP/2: the stream is reset), which clients report as a truncated transfer, so a body that ends cleanly is the whole export. " +
				"HEAD answers the same status and headers without reading a user." + bulkFormats,
				"headers": obj{"Content-Disposition": obj{"description": `attachment; filename="users.jsonl" (or .csv)`, "schema": obj{"type": "string"}}},
				"content": bulk}}, 400, 403, 406),
			"parameters", []obj{filter,
				param("format", "query", "jsonl or csv; without it, Accept chooses (text/csv, else JSONL)", obj{"enum": []string{"jsonl", "csv"}}),
			})},
		"/users/import": obj{"post": with(op("importUsers",
			"Import users (admins) from the body, read as it arrives, as usersd import does: each record checked as a create is, "+
				"password_hash (argon2id, bcrypt, Django pbkdf2_sha256) carried over; a refused record writes nothing and the rest go on; "+
				"batches of 1000 records commit whole, so an import stopped by an error (a problem naming how far it got) can be run again with on_conflict=skip",
			obj{"200": ok("The summary; refused records are listed, not an error", "ImportSummary"),
				"409": obj{"$ref": "#/components/responses/ImportRunning"}}, 400, 403, 413, 415),
			"parameters", []obj{
				param("on_conflict", "query", "A record whose name (in any case) or e-mail a user holds: skip leaves the user, update writes the record over it (its id, xid and sid stay), fail refuses the record",
					obj{"enum": []string{"skip", "update", "fail"}, "default": "skip"}),
				param("dry_run", "query", "Check and count everything, write nothing", obj{"type": "boolean", "default": false}),
			},
			"requestBody", obj{"required": true, "description": "At most usersd serve --max-import-bytes (1 GiB by default)." + bulkFormats,
				"content": bulk})},
		"/users/{id}": obj{
			"get": with(op("getUser", "Get a user by id, or by name in any case",
				obj{"200": obj{"description": "The user", "content": obj{"application/json": obj{"schema": selectedUser()}}}}, 400, 404),
				"parameters", []obj{param("id", "path", "Id, or name in any case", obj{"type": "string"}), fields}),
			"patch": with(op("updateUser", "Update a user (partial); a password change revokes the user's other tokens", obj{"200": ok("Updated", schemaUser)}, append(write, 429)...),
				"parameters", []obj{idParam}, "requestBody", jsonBody(schemaUserUpdate)),
			"delete": with(op("deleteUser", "Soft-delete a user (the user or an admin)", obj{"204": noContent("Deleted")}, 403, 404),
				"parameters", []obj{idParam}),
		},
		"/users/{id}/restore": obj{"parameters": []obj{idParam},
			"post": op("restoreUser", "Undo a soft delete (admins)", obj{"200": ok("Restored", schemaUser)}, 403, 404, 409)},
		"/users/{id}/names": obj{"parameters": []obj{idParam},
			"get": op("listUserNames", "Name history", obj{"200": ok("Past names, oldest first", "NameHistory")}, 404)},
		"/me": obj{
			"get":   op("getMe", "The caller", obj{"200": ok("The caller", schemaUser)}),
			"patch": with(op("updateMe", "Update the caller; a password change revokes the caller's other tokens", obj{"200": ok("Updated", schemaUser)}, append(write, 429)...), "requestBody", jsonBody(schemaUserUpdate)),
		},
		"/me/tokens": obj{
			"get": op("listTokens", "The caller's tokens", obj{"200": ok("Tokens", "TokenList")}),
			"post": with(op("createToken", "Create a token; the secret is shown once", obj{"201": ok("Created", "NewToken")}, 400, 403, 415),
				"requestBody", jsonBody("TokenCreate")),
		},
		"/me/tokens/{id}": obj{"parameters": []obj{param("id", "path", "Token id", obj{"type": "integer", "format": "int64", "minimum": 1})},
			"delete": op("deleteToken", "Revoke a token", obj{"204": noContent("Revoked")}, 403, 404)},
		"/audit": obj{"get": with(op("listAudit",
			"The audit log (admins), newest first: every change through any face, the CLI, an import or the console, and every security event",
			obj{"200": ok("One page", "AuditPage")}, 400, 403),
			"parameters", []obj{auditFilter,
				param("limit", "query", "Page size", obj{"type": "integer", "minimum": 1, "maximum": query.MaxLimit, "default": 50}),
				param("cursor", "query", "next_cursor of the page before", obj{"type": "string"}),
			})},
		"/audit/export": obj{"get": with(op("exportAudit",
			"Export the audit log (admins): every entry the filter matches, oldest first, one AuditEntry a line, streamed; an error after the first line aborts the response",
			obj{"200": obj{"description": "The entries", "content": obj{"application/x-ndjson": obj{"example": `{"id":1,"action":"user.created",…}` + "\n"}}}}, 400, 403),
			"parameters", []obj{auditFilter})},
		"/webhooks": obj{
			"get": op("listWebhooks", "Every webhook (admins), without secrets", obj{"200": ok("The webhooks", "WebhookList")}, 403),
			"post": with(op("createWebhook", "Register a webhook (admins); the answer holds its secret, shown only here",
				obj{"201": ok("Created", "Webhook")}, 400, 403, 415), "requestBody", jsonBody("WebhookInput")),
		},
		"/webhooks/{id}": obj{"parameters": []obj{hookID},
			"get": op("getWebhook", "A webhook (admins), without its secret", obj{"200": ok("The webhook", "Webhook")}, 403, 404),
			"patch": with(op("updateWebhook", "Change a webhook's url, description, events or enabled (admins)",
				obj{"200": ok("Updated", "Webhook")}, 400, 403, 404, 415), "requestBody", jsonBody("WebhookInput")),
			"delete": op("deleteWebhook", "Delete a webhook and its delivery log (admins)", obj{"204": noContent("Deleted")}, 403, 404),
		},
		"/webhooks/{id}/rotate-secret": obj{"parameters": []obj{hookID},
			"post": with(op("rotateWebhookSecret", "Give a webhook a new secret (admins); the old one also signs deliveries for overlap_seconds (default 86400; 0: not at all)",
				obj{"200": ok("The webhook with its new secret", "Webhook")}, 400, 403, 404, 415),
				"requestBody", obj{"required": false, "content": obj{"application/json": obj{"schema": objectSchema(obj{
					"overlap_seconds": obj{"type": "integer", "minimum": 0, "maximum": maxOverlap}}, nil, "")}}})},
		"/webhooks/{id}/test": obj{"parameters": []obj{hookID},
			"post": op("testWebhook", "Send a webhook.test event to this webhook (admins)", obj{"202": ok("Queued", "Delivery")}, 403, 404)},
		"/webhooks/{id}/deliveries": obj{"parameters": []obj{hookID},
			"get": with(op("listDeliveries", "A webhook's delivery log (admins), newest first", obj{"200": ok("One page", "DeliveryPage")}, 400, 403, 404),
				"parameters", []obj{
					param("state", "query", "Only deliveries in this state", obj{"enum": []string{core.DeliveryPending, core.DeliveryDelivered, core.DeliveryDead}}),
					param("limit", "query", "Page size", obj{"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}),
					param("cursor", "query", "next_cursor of the page before", obj{"type": "string"}),
				})},
		"/webhooks/{id}/deliveries/{delivery}": obj{"parameters": []obj{hookID, deliveryID},
			"get": op("getDelivery", "A delivery with the log of its attempts (admins)", obj{"200": ok("The delivery", "Delivery")}, 403, 404)},
		"/webhooks/{id}/deliveries/{delivery}/retry": obj{"parameters": []obj{hookID, deliveryID},
			"post": op("retryDelivery", "Send a delivered or dead delivery again from its first attempt (admins)",
				obj{"202": noContent("Queued")}, 403, 404, 409)},
	}
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
