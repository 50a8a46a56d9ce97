package native

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/face/filterparam"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

// DefaultLimit is the page size when limit is not given.
const DefaultLimit = 50

// stringMembers takes the named string members of obj (true = required)
// and refuses any other member.
func stringMembers(obj map[string]json.RawMessage, names map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	probs := map[string]string{}
	for k, raw := range obj {
		if _, ok := names[k]; !ok {
			probs[k] = "is not a field"
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			probs[k] = "must be a string"
			continue
		}
		out[k] = s
	}
	for k, required := range names {
		if _, ok := out[k]; required && !ok && probs[k] == "" {
			probs[k] = "is required"
		}
	}
	if len(probs) > 0 {
		return nil, &core.Error{Code: core.Invalid, Message: "Invalid input.", Fields: probs}
	}
	return out, nil
}

// optionalString decodes a string member that may be absent.
func optionalString(obj map[string]json.RawMessage, name string) (*string, error) {
	raw, ok := obj[name]
	if !ok {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, core.FieldError(name, "must be a string")
	}
	return &s, nil
}

func checkPassword(pw string) error {
	if n := core.NativeProfile.MinPassword; utf8.RuneCountInString(pw) < n {
		return core.FieldError("password", fmt.Sprintf("must be at least %d characters", n))
	}
	return nil
}

// handleUserCreate handles "POST /users": sign-up, or staff creating users.
func handleUserCreate(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obj, err := httpx.DecodeObject(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		fields, err := decodeUser(obj, "name", "password")
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		name, err := optionalString(obj, "name")
		if err == nil && name == nil {
			err = core.FieldError("name", "is required")
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		pw, err := optionalString(obj, "password")
		if err == nil && pw != nil {
			err = checkPassword(*pw)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		in := core.NewUser{Name: *name, Fields: fields.fields, Addr: httpx.ClientAddr(r)}
		if pw != nil {
			in.Password = *pw
		}
		caller := httpx.Caller(r.Context())
		u, err := svc.CreateUser(r.Context(), caller, in)
		if err != nil {
			writeError(w, r, log, fields.respell(err))
			return
		}
		viewer := caller
		if viewer == nil {
			viewer = u // the new user sees their own record
		}
		w.Header().Set("Location", "users/"+strconv.FormatInt(u.ID, 10))
		httpx.Raw(w, http.StatusCreated, "application/json", append(userJSON(u, viewer), '\n'))
	})
}

// handleUserGet handles "GET /users/{id}": by id, or by name in any case.
func handleUserGet(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		only, err := parseFields(r.URL.Query().Get("fields"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		caller := httpx.Caller(r.Context())
		u, err := svc.GetUser(r.Context(), caller, r.PathValue("id"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		var buf bytes.Buffer
		appendUser(&buf, u, caller, only)
		buf.WriteByte('\n')
		httpx.Raw(w, http.StatusOK, "application/json", buf.Bytes())
	})
}

// pathID parses the {id} path segment; a non-number names no user.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, core.Errorf(core.NotFound, "Not found.")
	}
	return id, nil
}

// handleUserUpdate handles "PATCH /users/{id}".
func handleUserUpdate(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		updateUser(w, r, svc, log, id)
	})
}

func updateUser(w http.ResponseWriter, r *http.Request, svc *core.Face, log *slog.Logger, id int64) {
	obj, err := httpx.DecodeObject(r)
	if err != nil {
		writeError(w, r, log, err)
		return
	}
	fields, err := decodeUser(obj, "password", "current_password")
	if err != nil {
		writeError(w, r, log, err)
		return
	}
	in := core.Update{Fields: fields.fields, Addr: httpx.ClientAddr(r), Token: httpx.CallerToken(r.Context())}
	if in.Password, err = optionalString(obj, "password"); err == nil && in.Password != nil {
		err = checkPassword(*in.Password)
	}
	if err == nil {
		in.CurrentPassword, err = optionalString(obj, "current_password")
	}
	if err != nil {
		writeError(w, r, log, err)
		return
	}
	caller := httpx.Caller(r.Context())
	u, err := svc.UpdateUser(r.Context(), caller, id, in)
	if err != nil {
		writeError(w, r, log, fields.respell(err))
		return
	}
	httpx.Raw(w, http.StatusOK, "application/json", append(userJSON(u, caller), '\n'))
}

// handleUserDelete handles "DELETE /users/{id}" (soft delete).
func handleUserDelete(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err == nil {
			err = svc.DeleteUser(r.Context(), httpx.Caller(r.Context()), id, "", httpx.ClientAddr(r))
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleUserRestore handles "POST /users/{id}/restore".
func handleUserRestore(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		caller := httpx.Caller(r.Context())
		u, err := svc.RestoreUser(r.Context(), caller, id)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		httpx.Raw(w, http.StatusOK, "application/json", append(userJSON(u, caller), '\n'))
	})
}

// handleNameHistory handles "GET /users/{id}/names".
func handleNameHistory(svc *core.Face, log *slog.Logger) http.Handler {
	type change struct {
		OldName   string `json:"old_name"`
		NewName   string `json:"new_name"`
		ChangedAt string `json:"changed_at"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		cs, err := svc.NameHistory(r.Context(), httpx.Caller(r.Context()), id)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		out := struct {
			Names []change `json:"names"`
		}{Names: []change{}}
		for _, c := range cs {
			out.Names = append(out.Names, change{c.OldName, c.NewName, c.ChangedAt.UTC().Format(timeFormat)})
		}
		httpx.JSON(w, http.StatusOK, "application/json", out)
	})
}

// handleMe handles "GET /me".
func handleMe(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := httpx.Caller(r.Context())
		if u == nil {
			writeError(w, r, log, core.Errorf(core.Unauthenticated, "Authentication required."))
			return
		}
		httpx.Raw(w, http.StatusOK, "application/json", append(userJSON(u, u), '\n'))
	})
}

// handleMeUpdate handles "PATCH /me".
func handleMeUpdate(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := httpx.Caller(r.Context())
		if u == nil {
			writeError(w, r, log, core.Errorf(core.Unauthenticated, "Authentication required."))
			return
		}
		updateUser(w, r, svc, log, u.ID)
	})
}

var listParams = map[string]bool{"filter": true, "sort": true, "limit": true, "page": true, "cursor": true, "total": true, "fields": true}

// handleUserList handles "GET /users".
func handleUserList(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, only, err := parseList(r.URL.Query())
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		caller := httpx.Caller(r.Context())
		page, err := svc.ListUsers(r.Context(), caller, req)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		var buf bytes.Buffer
		buf.WriteString(`{"users":[`)
		for i, u := range page.Users {
			if i > 0 {
				buf.WriteByte(',')
			}
			appendUser(&buf, u, caller, only)
		}
		buf.WriteString(`],"next_cursor":`)
		if page.NextCursor == "" {
			buf.WriteString("null")
		} else {
			buf.WriteString(strconv.Quote(page.NextCursor))
		}
		if page.Total >= 0 {
			buf.WriteString(`,"total":` + strconv.Itoa(page.Total))
		}
		buf.WriteString("}\n")
		httpx.Raw(w, http.StatusOK, "application/json", buf.Bytes())
	})
}

// checkParams refuses query parameters outside allowed, and any given
// more than once; what names the route in the reason.
func checkParams(q url.Values, allowed map[string]bool, what string) error {
	for k, vs := range q {
		if !allowed[k] {
			return core.FieldError(k, "is not a parameter of "+what)
		}
		if len(vs) > 1 {
			return core.FieldError(k, "is given more than once")
		}
	}
	return nil
}

// parseFilter parses the filter parameter of the listing and the export
// (nil when empty).
func parseFilter(s string) (query.Expr, error) { return filterparam.Parse(s) }

// boolParam reads a true/false parameter; absent is false.
func boolParam(q url.Values, name string) (bool, error) {
	switch q.Get(name) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, core.FieldError(name, "must be true or false")
}

func parseList(q url.Values) (core.ListRequest, map[string]bool, error) {
	req := core.ListRequest{Limit: DefaultLimit}
	if err := checkParams(q, listParams, "this listing"); err != nil {
		return req, nil, err
	}
	var err error
	if req.Filter, err = parseFilter(q.Get("filter")); err != nil {
		return req, nil, err
	}
	if req.Order, err = query.ParseOrder(q.Get("sort")); err != nil {
		return req, nil, core.FieldError("sort", err.Error())
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > query.MaxLimit {
			return req, nil, core.FieldError("limit", fmt.Sprintf("must be an integer from 1 to %d", query.MaxLimit))
		}
		req.Limit = n
	}
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > core.MaxOffset {
			return req, nil, core.FieldError("page", "must be a positive integer")
		}
		if (n-1)*req.Limit > core.MaxOffset {
			return req, nil, core.FieldError("page", fmt.Sprintf("is deeper than %d rows; use cursor", core.MaxOffset))
		}
		req.Offset = (n - 1) * req.Limit
	}
	req.Cursor = q.Get("cursor")
	if req.Total, err = boolParam(q, "total"); err != nil {
		return req, nil, err
	}
	only, err := parseFields(q.Get("fields"))
	return req, only, err
}
