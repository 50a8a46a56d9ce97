package e621

import (
	"bytes"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/paging"
	"usersd/internal/face/railstz"
	"usersd/internal/face/ruby"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

// ngRequest is an e621ng request after the shared before-actions.
type ngRequest struct {
	args     []string // path arguments: the {id} of show and upload_limit
	params   *param   // query, then body, merged as Rails merges them
	json     bool     // the body is JSON
	jsonBody *param   // its top-level object, for the params wrapper
	caller   *core.User
	now      time.Time
	loc      *time.Location // the zone timestamps render in (B.2)
}

// requestZone is set_time_zone: ?time_zone= (a Rails or IANA name, as
// ActiveSupport::TimeZone[] takes both), else the caller's zone, else US
// Eastern (the column default anonymous users have).
func requestZone(params *param, caller *core.User) *time.Location {
	if tz := params.get("time_zone"); tz != nil && tz.kind == 's' && strings.TrimSpace(tz.str) != "" {
		if iana, _, ok := railstz.Parse(tz.str, true); ok {
			return railstz.Location(&iana)
		}
	}
	if caller != nil {
		return railstz.Location(caller.Timezone)
	}
	return railstz.Location(nil)
}

// paginationTypes is validate_pagination_param_types: page and limit must
// be scalars.
func paginationTypes(params *param) string {
	if p := params.get("page"); p != nil && !p.scalar() {
		return "Invalid page number."
	}
	if p := params.get("limit"); p != nil && !p.scalar() {
		return "Invalid limit."
	}
	return ""
}

// normalizeSearch is ApplicationController#normalize_search on GET and
// HEAD: q, id, user_id and expiry arrays become their first string; blank
// and non-scalar search[...] values are dropped, and if any was, the
// client is redirected (302) to the cleaned URL.
func normalizeSearch(r *http.Request, params *param) (string, bool) {
	for _, k := range []string{"q", "id", "user_id", "expiry"} {
		switch v := params.get(k); {
		case v == nil || v.kind == 's':
		case v.kind == 'a' && len(v.arr) > 0 && v.arr[0].kind == 's':
			params.set(k, v.arr[0])
		default:
			params.set(k, &param{kind: 'n'})
		}
	}
	search := params.get("search")
	if search == nil {
		return "", false
	}
	clean := newHash()
	if search.kind == 'h' {
		for _, k := range search.keys {
			if v := search.hash[k]; v.kind == 's' && !v.blank() {
				clean.set(k, v)
			}
		}
		if len(clean.keys) == len(search.keys) {
			return "", false
		}
	}
	params.set("search", clean)
	loc := httpx.AbsoluteURL(r, r.URL.EscapedPath())
	if q := toQuery(params, ""); q != "" {
		loc += "?" + q
	}
	return loc, true
}

// toQuery is Rails' Hash#to_query: nested keys as a[b], arrays as a[],
// each level's pairs sorted, empty hashes and arrays skipped.
func toQuery(p *param, ns string) string {
	var parts []string
	name := func(k string) string {
		if ns == "" {
			return k
		}
		return ns + "[" + k + "]"
	}
	for _, k := range p.keys {
		if s := paramQuery(p.hash[k], name(k)); s != "" {
			parts = append(parts, s)
		}
	}
	if !strings.Contains(ns, "[]") {
		slices.Sort(parts)
	}
	return strings.Join(parts, "&")
}

func paramQuery(v *param, key string) string {
	switch v.kind {
	case 'h':
		return toQuery(v, key)
	case 'a':
		var parts []string
		for _, x := range v.arr {
			if s := paramQuery(x, key+"[]"); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "&")
	case 'n':
		return url.QueryEscape(key) + "="
	}
	return url.QueryEscape(key) + "=" + url.QueryEscape(v.str)
}

// searches reports which fields caller may search on, as the core
// decides from the profile.
func (h *handler) searches(caller *core.User) func(field string) bool {
	return func(field string) bool { return h.svc.SearchesOn(field, caller) }
}

// viewOf is the view of u for the request's caller.
func viewOf(u, caller *core.User, show bool) view {
	return view{show: show, self: caller != nil && caller.ID == u.ID}
}

// writeUser answers one user.
func (h *handler) writeUser(w http.ResponseWriter, status int, u *core.User, v view, loc *time.Location) {
	var b bytes.Buffer
	h.appendUser(&b, u, v, loc)
	httpx.Raw(w, status, contentTypeJSON, b.Bytes())
}

// index handles "GET /users.json" (B.5).
func (h *handler) index(w http.ResponseWriter, r *http.Request, req *ngRequest) {
	if name := req.params.get("name"); !name.blank() {
		// users_controller#index redirects to the profile, without .json.
		redirectFound(w, httpx.AbsoluteURL(r, "/users/"+url.PathEscape(name.value())))
		return
	}
	search, denied, err := h.compileSearch(req.params.get("search"), h.searches(req.caller), req.now, req.loc)
	var bad errInvalidDate
	switch {
	case errors.As(err, &bad):
		writeMessage(w, http.StatusUnprocessableEntity, bad.Error(), "")
		return
	case err != nil:
		h.internal(w, r, err)
		return
	case denied != "":
		writeReason(w, http.StatusForbidden, denied)
		return
	}
	limit, msg := parseLimit(req.params.get("limit"))
	if msg != "" {
		writeMessage(w, http.StatusGone, msg, "")
		return
	}
	kind, n, msg := parsePage(req.params.get("page"))
	if msg != "" {
		writeMessage(w, http.StatusGone, msg, "")
		return
	}
	if e := req.params.get("expiry"); e != nil && e.kind == 's' {
		days := ruby.ToI(e.str)
		secs := days * 86400
		if days > 1<<40 || days < -(1<<40) {
			secs = days // absurd values: keep the header well formed
		}
		w.Header().Set("Cache-Control", "max-age="+strconv.FormatInt(secs, 10)+", private")
	}
	filter := query.And{}
	if search.filter != nil {
		filter = append(filter, search.filter)
	}
	lr := core.ListRequest{Limit: limit, Order: search.order, MaxOffset: maxPage * maxLimit}
	pg := paging.Page{Mode: kind, Limit: limit, Number: int(n), ID: n}
	lr.Filter, lr.Order, lr.Offset = pg.Apply(filter, lr.Order)
	var users []*core.User
	if limit > 0 {
		page, err := h.svc.ListUsers(r.Context(), req.caller, lr)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		users = page.Users
	}
	paging.Restore(pg, users) // after pages: fetched ascending, shown newest first
	var b bytes.Buffer
	b.WriteByte('[')
	for i, u := range users {
		if i > 0 {
			b.WriteByte(',')
		}
		h.appendUser(&b, u, viewOf(u, req.caller, false), req.loc)
	}
	b.WriteByte(']')
	httpx.Raw(w, http.StatusOK, contentTypeJSON, b.Bytes())
}

// lookup is User.name_or_id_to_id_forced then find: all digits is an id
// (beyond the 32-bit range: none), anything else a name compared
// case-insensitively after normalization.
func (h *handler) lookup(r *http.Request, viewer *core.User, ref string) (*core.User, error) {
	if digitsRE.MatchString(ref) {
		id, err := strconv.ParseInt(ref, 10, 64)
		if err != nil || id > maxInt32 || id < 1 {
			return nil, core.Errorf(core.NotFound, "not found")
		}
		return h.svc.GetUserByID(r.Context(), viewer, id)
	}
	return h.userByName(r, viewer, ref)
}

// userByName finds a user by normalized name only.
func (h *handler) userByName(r *http.Request, viewer *core.User, name string) (*core.User, error) {
	name = normalizeName(name)
	if name == "" {
		return nil, core.Errorf(core.NotFound, "not found")
	}
	return h.svc.GetUserByName(r.Context(), viewer, name)
}

// show handles "GET /users/{id or name}.json" (B.6).
func (h *handler) show(w http.ResponseWriter, r *http.Request, req *ngRequest) {
	u, err := h.lookup(r, req.caller, req.args[0])
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeUser(w, http.StatusOK, u, viewOf(u, req.caller, true), req.loc)
}

// me handles "GET /users/me.json": the caller with the show-only fields;
// anonymous callers get e621ng's anonymous pseudo-user (id null).
func (h *handler) me(w http.ResponseWriter, r *http.Request, req *ngRequest) {
	if req.caller == nil {
		h.writeUser(w, http.StatusOK, anonymousUser(req.now), view{show: true, self: true, anon: true}, req.loc)
		return
	}
	h.writeUser(w, http.StatusOK, req.caller, view{show: true, self: true}, req.loc)
}

// uploadLimitSelf handles "GET /users/upload_limit.json", e621ng's route
// from 2019 to March 2025 (a collection route answering
// respond_with(CurrentUser.user)), which clients such as the npm e621
// package call to learn who they are.
func (h *handler) uploadLimitSelf(w http.ResponseWriter, r *http.Request, req *ngRequest) {
	if req.caller == nil {
		writeReason(w, http.StatusForbidden, msgMustLogIn)
		return
	}
	h.writeUser(w, http.StatusOK, req.caller, view{self: true}, req.loc)
}

// uploadLimit handles "GET /users/{id}/upload_limit.json" (the current
// member route): that user's full view, for logged-in callers.
func (h *handler) uploadLimit(w http.ResponseWriter, r *http.Request, req *ngRequest) {
	if req.caller == nil {
		writeReason(w, http.StatusForbidden, msgMustLogIn)
		return
	}
	u, err := h.lookup(r, req.caller, req.args[0])
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeUser(w, http.StatusOK, u, viewOf(u, req.caller, true), req.loc)
}

// usersColumns are the users table's columns in e621ng (db/structure.sql):
// the keys Rails' params wrapper moves from a JSON body into "user".
var usersColumns = map[string]bool{
	"id": true, "created_at": true, "updated_at": true, "name": true, "password_hash": true, "email": true,
	"email_verification_key": true, "level": true, "base_upload_limit": true, "last_logged_in_at": true,
	"last_forum_read_at": true, "recent_tags": true, "comment_threshold": true, "default_image_size": true,
	"favorite_tags": true, "blacklisted_tags": true, "time_zone": true, "bcrypt_password_hash": true,
	"per_page": true, "custom_style": true, "bit_prefs": true, "last_ip_addr": true, "unread_dmail_count": true,
	"profile_about": true, "profile_artinfo": true, "avatar_id": true, "custom_title": true,
}

// userParam is params.require(:user) after the JSON params wrapper: the
// user hash, or nil when it is missing, empty or not a hash (400).
func (req *ngRequest) userParam() *param {
	u := req.params.get("user")
	if u == nil && req.json && req.jsonBody != nil {
		wrapped := newHash()
		for _, k := range req.jsonBody.keys {
			if usersColumns[k] {
				wrapped.set(k, req.jsonBody.hash[k])
			}
		}
		u = wrapped
	}
	if u == nil || u.kind != 'h' || len(u.keys) == 0 {
		return nil
	}
	return u
}

// create handles "POST /users.json" (B.8).
func (h *handler) create(w http.ResponseWriter, r *http.Request, req *ngRequest) {
	switch core.ErrorReason(h.svc.May(r.Context(), req.caller, core.ActSignup, nil)) {
	case core.ReasonSignedIn:
		writeReason(w, http.StatusForbidden, msgSignedIn)
		return
	case core.ReasonSignupClosed:
		writeReason(w, http.StatusForbidden, msgSignupsOff)
		return
	}
	user := req.userParam()
	if user == nil {
		writeMessage(w, http.StatusBadRequest, msgParamMissing, "")
		return
	}
	if msg := permit(user, permittedKeys(nil, true)); msg != "" {
		writeReason(w, http.StatusForbidden, msg)
		return
	}
	in := userInput{user}
	errs := &fieldErrors{}
	p := core.Patch{"per_page": int64(defaultLimit), "comment_threshold": int64(-10), "blacklisted_tags": ""}
	name, _ := in.text("name")
	email, hasEmail := in.text("email")
	if hasEmail {
		if len([]rune(email)) > 100 {
			errs.add("email", "is too long (maximum is 100 characters)")
		}
		if strings.TrimSpace(email) != "" {
			p["email"] = strings.TrimSpace(email)
		}
	}
	h.checkName(r, name, errs)
	password, _ := in.text("password")
	in.validateSettings(nil, p, errs, func() {
		h.checkPassword(password, name, email, errs)
		confirmation := in.checkConfirmation(errs)
		if strings.TrimSpace(confirmation) == "" {
			errs.add("password_confirmation", "can't be blank")
		}
		if h.opts.SockPuppetCheck && h.recentSignup(r, req.now) {
			errs.add("last_ip_addr", "was used recently for another account and cannot be reused for another day")
		}
	})
	if errs.any() {
		writeErrors(w, errs)
		return
	}
	u, err := h.svc.CreateUser(r.Context(), req.caller, core.NewUser{Name: name, Password: password, Fields: p, Addr: httpx.ClientAddr(r)})
	if err != nil {
		h.writeWriteError(w, r, err)
		return
	}
	w.Header().Set("Location", httpx.AbsoluteURL(r, "/users/"+strconv.FormatInt(u.ID, 10)))
	h.writeUser(w, http.StatusCreated, u, view{self: true}, req.loc)
}

// recentSignup reports whether an account whose last address is the
// caller's was created in the last day (the sock-puppet rule). usersd
// records the address at authentication, not at sign-up, so accounts that
// never authenticated are not counted.
func (h *handler) recentSignup(r *http.Request, now time.Time) bool {
	addr := httpx.ClientAddr(r)
	if !addr.IsValid() {
		return false
	}
	page, err := h.svc.ListUsers(r.Context(), core.System, core.ListRequest{Limit: 1, Filter: query.And{
		&query.Cond{Field: "last_ip", Op: query.Eq, Value: addr},
		&query.Cond{Field: "created_at", Op: query.Gt, Value: now.Add(-24 * time.Hour).UTC()},
	}})
	return err == nil && len(page.Users) > 0
}

// update handles "PATCH /users/{id}.json": it always updates the caller,
// whatever the id (B.9); success is 204.
func (h *handler) update(w http.ResponseWriter, r *http.Request, req *ngRequest) {
	if req.caller == nil {
		writeReason(w, http.StatusForbidden, msgMustLogIn)
		return
	}
	user := req.userParam()
	if user == nil {
		writeMessage(w, http.StatusBadRequest, msgParamMissing, "")
		return
	}
	if msg := permit(user, permittedKeys(req.caller, false)); msg != "" {
		writeReason(w, http.StatusForbidden, msg)
		return
	}
	in := userInput{user}
	errs := &fieldErrors{}
	p := core.Patch{}
	password, hasPassword := in.text("password")
	oldPassword, _ := in.text("old_password")
	changing := strings.TrimSpace(password) != "" || strings.TrimSpace(oldPassword) != ""
	in.validateSettings(req.caller, p, errs, func() {
		if changing {
			h.checkPassword(password, req.caller.Name, deref(req.caller.Email), errs)
		}
		confirmation := in.checkConfirmation(errs)
		if strings.TrimSpace(oldPassword) != "" && strings.TrimSpace(confirmation) == "" {
			errs.add("password_confirmation", "can't be blank")
		}
	})
	if errs.any() {
		writeErrors(w, errs)
		return
	}
	upd := core.Update{Fields: p, Addr: httpx.ClientAddr(r), Token: httpx.CallerToken(r.Context())}
	// e621 applies a new password only together with the old one.
	if hasPassword && strings.TrimSpace(password) != "" && strings.TrimSpace(oldPassword) != "" {
		upd.Password, upd.CurrentPassword = &password, &oldPassword
	}
	if len(p) > 0 || upd.Password != nil {
		if _, err := h.svc.UpdateUser(r.Context(), req.caller, req.caller.ID, upd); err != nil {
			h.writeWriteError(w, r, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// wireNames maps canonical field names in core errors back to e621's.
var wireNames = map[string]string{
	"timezone": "time_zone", "timezone_rails": "time_zone", "bio": "profile_about", "artist_info": "profile_artinfo",
	"avatar_post_id": "avatar_id", "enable_private_favorites": "enable_privacy_mode",
	"dmail_filter_words": "dmail_filter.words", "current_password": "old_password",
}

// writeWriteError answers a core error from create or update as e621
// validation errors (422) where it names fields.
func (h *handler) writeWriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := core.AsError(err)
	if (e.Code != core.Invalid && e.Code != core.Conflict) || len(e.Fields) == 0 {
		h.writeError(w, r, err)
		return
	}
	errs := &fieldErrors{}
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		msg := e.Fields[k]
		name := k
		if n, ok := wireNames[k]; ok {
			name = n
		}
		switch {
		case e.Code == core.Conflict && k == "name":
			msg = "already exists"
		case e.Code == core.Conflict && k == "email":
			msg = "has already been taken"
		case k == "email":
			msg = "is invalid"
		}
		errs.add(name, msg)
	}
	writeErrors(w, errs)
}
