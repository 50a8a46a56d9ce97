package danbooru

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/face/railsparams"
	"usersd/internal/face/ruby"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

// renderOptions reads only= for a response.
func renderOptions(rq *request, show bool) userOptions {
	opt := userOptions{show: show}
	if s, ok := rq.query.str("only"); ok {
		opt.only, opt.hasOnly = parseOnly(s), true
	}
	return opt
}

// loadInviters fetches the inviters of users when only= asks for them.
func loadInviters(ctx context.Context, svc *core.Face, viewer *core.User, rd *renderer, opt userOptions, users []*core.User) error {
	if !opt.hasOnly || !wantsInviters(opt.only) {
		return nil
	}
	var ids []any
	seen := map[int64]bool{}
	for _, u := range users {
		if u.InviterID != nil && !seen[*u.InviterID] {
			seen[*u.InviterID] = true
			ids = append(ids, *u.InviterID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	res, err := svc.ListUsers(ctx, viewer, core.ListRequest{Limit: len(ids),
		Filter: &query.Cond{Field: "id", Op: query.In, Values: ids}, Order: []query.Order{{Field: "id"}}})
	if err != nil {
		return err
	}
	for _, u := range res.Users {
		rd.inviters[u.ID] = u
	}
	return nil
}

// newCompiler returns the search compiler for a request.
func newCompiler(rq *request) *compiler {
	svc, viewer := rq.svc, rq.viewer
	rd := newRenderer(viewer)
	return &compiler{
		ctx:    rq.r.Context(),
		viewer: viewer,
		now:    rq.now,
		loc:    rd.loc,
		count: func(ctx context.Context, e query.Expr, limit int) (int, error) {
			res, err := svc.ListUsers(ctx, viewer, core.ListRequest{Filter: e, Limit: limit, Order: []query.Order{{Field: "id"}}})
			if err != nil {
				return 0, err
			}
			return len(res.Users), nil
		},
		lookup: func(ctx context.Context, key string) (*core.User, error) {
			u, err := svc.GetUserByName(ctx, viewer, key)
			if core.ErrorCode(err) == core.NotFound {
				return nil, nil
			}
			return u, err
		},
		searches: func(field string) bool { return svc.SearchesOn(field, viewer) },
	}
}

// handleUserIndex handles "GET /users" (spec §4).
func handleUserIndex(svc *core.Face, log *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, rq *request) {
		q := rq.query
		search := q.sub("search")
		if search == nil {
			search = newParams() // search=foo is replaced by an empty hash
		}
		redirectParam, _ := q.str("redirect")
		hasRedirect := q.has("redirect") && !railsparams.IsBlank(redirectParam)
		if name, ok := q.present("name"); ok {
			// The name shortcut (spec §4.5).
			search = search.clone()
			search.set("name_or_past_name_matches", name)
			redirectParam, hasRedirect = "true", true
		}
		comp, err := newCompiler(rq).compile(search)
		if err != nil {
			writeError(w, rq, err)
			return
		}
		pg, err := parsePage(q, rq.viewer)
		if err != nil {
			writeError(w, rq, err)
			return
		}
		users, err := fetch(rq.r.Context(), svc, rq.viewer, comp, pg)
		if err != nil {
			writeError(w, rq, err)
			return
		}
		if hasRedirect && truthy(redirectParam) && len(users) == 1 && matchesNameParam(search, users[0]) {
			redirect(w, rq, http.StatusFound, rq.url("/users/"+strconv.FormatInt(users[0].ID, 10)+rq.formatExt()))
			return
		}
		rd := newRenderer(rq.viewer)
		opt := renderOptions(rq, false)
		if err := loadInviters(rq.r.Context(), svc, rq.viewer, rd, opt, users); err != nil {
			writeError(w, rq, err)
			return
		}
		objs := make([]*doc.Object, len(users))
		for i, u := range users {
			objs[i] = rd.user(u, opt)
		}
		writeUsers(w, rq, rd, objs)
	}
}

// matchesNameParam is UsersController#item_matches_params: with an
// explicit search[name_matches], the one result must bear that name.
func matchesNameParam(search *params, u *core.User) bool {
	v, ok := search.get("name_matches")
	if !ok || v == nil {
		return true
	}
	s, _ := railsparams.Scalar(v)
	return normalizeName(u.Name) == normalizeName(s)
}

// findUser is User.find(params[:id]): the id is cast as Rails casts it
// ("12abc" is 12); deleted users are found too, as on Danbooru.
func findUser(ctx context.Context, svc *core.Face, viewer *core.User, ref string) (*core.User, error) {
	id, ok := castInteger(ref)
	if !ok || id <= 0 {
		return nil, notFound()
	}
	u, err := svc.GetUserByID(ctx, viewer, id)
	if core.ErrorCode(err) == core.NotFound {
		return nil, notFound()
	}
	return u, err
}

// handleUserShow handles "GET /users/{id}".
func handleUserShow(svc *core.Face, log *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, rq *request) {
		u, err := findUser(rq.r.Context(), svc, rq.viewer, rq.id)
		if err != nil {
			writeError(w, rq, err)
			return
		}
		showUser(w, rq, u)
	}
}

func showUser(w http.ResponseWriter, rq *request, u *core.User) {
	rd := newRenderer(rq.viewer)
	opt := renderOptions(rq, true)
	if err := loadInviters(rq.r.Context(), rq.svc, rq.viewer, rd, opt, []*core.User{u}); err != nil {
		writeError(w, rq, err)
		return
	}
	writeUser(w, rq, http.StatusOK, rd, rd.user(u, opt))
}

// handleProfile handles "GET /profile": the current user, or for
// anonymous API calls the anonymous pseudo-user (spec §7.3).
func handleProfile(svc *core.Face, log *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, rq *request) {
		if rq.viewer == nil {
			if rq.format == "html" {
				redirect(w, rq, http.StatusFound, rq.url("/login?url="+url.QueryEscape(rq.prefix+"/profile")))
				return
			}
			showUser(w, rq, anonymousUser(rq))
			return
		}
		u, err := svc.GetUserByID(rq.r.Context(), rq.viewer, rq.viewer.ID)
		if err != nil {
			writeError(w, rq, err)
			return
		}
		showUser(w, rq, u)
	}
}

// anonymousUser is User.anonymous: an unsaved user named Anonymous at
// level 0 with the column defaults (last_logged_in_at defaults to now).
func anonymousUser(rq *request) *core.User {
	now := rq.now
	return &core.User{
		Name: "Anonymous", Level: core.LevelAnonymous, CreatedAt: now, LastLoginAt: &now, Active: true,
		PerPage: 20, CommentThreshold: -8, DefaultImageSize: "large", BlacklistedTags: defaultBlacklist,
		Theme: "auto", NewPostNavigationLayout: true,
	}
}

// defaultBlacklist is User::DEFAULT_BLACKLIST.
const defaultBlacklist = "guro\nscat\nfurry -rating:g"

// readParams returns the request's parameters: the body's (form, multipart
// or JSON, with top-level JSON keys in wrap put under "user" as Rails'
// ParamsWrapper does) with the query string's laid over them.
func readParams(rq *request, wrap map[string]bool) (*params, error) {
	body, err := httpx.ReadBody(rq.r)
	if err != nil {
		return nil, badRequest("Invalid request body: " + core.AsError(err).Message)
	}
	ct := rq.r.Header.Get("Content-Type")
	bp, err := bodyParams(body, ct)
	if err != nil {
		return nil, err
	}
	if isJSON(ct) && !bp.has("user") && !rq.query.has("user") {
		wrapped := newParams()
		for k, v := range bp.hash().All() {
			if wrap[k] {
				wrapped.set(k, v)
			}
		}
		if wrapped.hash().Len() > 0 {
			bp.set("user", wrapped)
		}
	}
	return (*params)(railsparams.Merge(bp.hash(), rq.query.hash())), nil
}

// isJSON is the face kit's one rule for JSON bodies.
func isJSON(ct string) bool { return httpx.IsJSON(ct) }

// userColumns are Danbooru's users columns, which ParamsWrapper wraps;
// usersd also wraps the sign-up fields and the writable flags.
var wrapKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range []string{"id", "created_at", "updated_at", "name", "inviter_id", "level", "last_logged_in_at",
		"last_forum_read_at", "post_upload_count", "post_update_count", "note_update_count", "favorite_count",
		"comment_threshold", "default_image_size", "favorite_tags", "blacklisted_tags", "time_zone",
		"bcrypt_password_hash", "per_page", "custom_style", "bit_prefs", "last_ip_addr", "unread_dmail_count", "theme",
		"upload_points", "is_deleted", "totp_secret", "backup_codes",
		"password", "password_confirmation", "email_address"} {
		m[k] = true
	}
	for _, f := range writableFlags {
		m[f] = true
	}
	return m
}()

// writableFlags are the preference bits a user may set (spec §3.2).
var writableFlags = []string{
	"receive_email_notifications", "new_post_navigation_layout", "enable_private_favorites", "show_deleted_posts",
	"show_deleted_children", "disable_categorized_saved_searches", "disable_tagged_filenames",
	"disable_mobile_gestures", "enable_safe_mode", "enable_desktop_mode", "disable_post_tooltips",
}

// emailRE is a plain address check (Danbooru::EmailAddress::EMAIL_REGEX
// is stricter about domains; deliverability is not checked).
var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// handleUserCreate handles "POST /users": sign-up (spec §10).
func handleUserCreate(svc *core.Face, log *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, rq *request) {
		ctx := rq.r.Context()
		if svc.May(ctx, rq.viewer, core.ActSignup, nil) != nil {
			writeError(w, rq, accessDenied())
			return
		}
		all, err := readParams(rq, wrapKeys)
		if err != nil {
			writeError(w, rq, err)
			return
		}
		user := all.sub("user")
		name, _ := user.str("name")
		password, _ := user.str("password")
		confirm, hasConfirm := user.str("password_confirmation")
		var email string
		if ea := user.sub("email_address"); ea != nil {
			email, _ = ea.str("address")
		}

		v := &validation{}
		_, lookupErr := svc.GetUserByName(ctx, nil, normalizeName(name))
		if lookupErr != nil && core.ErrorCode(lookupErr) != core.NotFound {
			writeError(w, rq, lookupErr)
			return
		}
		if msg := checkName(name, lookupErr == nil); msg != "" {
			v.add("name", msg)
		}
		if utf8.RuneCountInString(password) < 5 {
			v.add("password", "is too short (minimum is 5 characters)")
		}
		if hasConfirm && confirm != password {
			v.add("password_confirmation", "Passwords don't match")
		}
		fields := core.Patch{}
		if !railsparams.IsBlank(email) {
			switch {
			case utf8.RuneCountInString(email) > 100:
				v.add("email_address.address", "is too long (maximum is 100 characters)")
			case !emailRE.MatchString(email):
				v.add("email_address.address", "is invalid")
			default:
				fields["email"] = email
			}
		}
		if err := v.err(); err != nil {
			writeError(w, rq, err)
			return
		}
		addr := httpx.ClientAddr(rq.r)
		// Sign-up logs the new user in, which sets last_logged_in_at.
		u, err := svc.CreateUser(ctx, rq.viewer, core.NewUser{Name: name, Password: password, Fields: fields, Addr: addr, LoggedIn: true})
		if err != nil {
			writeError(w, rq, signupError(err))
			return
		}
		location := rq.url("/users/" + strconv.FormatInt(u.ID, 10))
		dest, ok := user.present("url")
		if !ok {
			dest, ok = all.present("url")
		}
		if ok && strings.HasPrefix(dest, "/") && !strings.HasPrefix(dest, "//") {
			location = dest // only local paths (upstream refuses offsite redirects)
		}
		w.Header().Set("Location", location)
		if rq.format == "html" {
			redirect(w, rq, http.StatusFound, location)
			return
		}
		rd := newRenderer(u)
		writeUser(w, rq, http.StatusCreated, rd, rd.user(u, renderOptions(rq, false)))
	}
}

// signupError maps the core's sign-up errors to Danbooru's attributes.
func signupError(err error) error {
	e := core.AsError(err)
	if e.Code != core.Invalid || len(e.Fields) == 0 {
		return err
	}
	v := &validation{}
	for _, f := range []string{"name", "password", "email"} {
		if r, ok := e.Fields[f]; ok {
			if f == "email" {
				f = "email_address.address"
			}
			v.add(f, r)
		}
	}
	if v.empty() {
		return err
	}
	return v.err()
}

// permittedUpdate are UserPolicy#permitted_attributes_for_update.
var permittedUpdate = map[string]bool{
	"comment_threshold": true, "default_image_size": true, "favorite_tags": true, "blacklisted_tags": true,
	"time_zone": true, "per_page": true, "custom_style": true, "theme": true,
}

func init() {
	for _, f := range writableFlags {
		permittedUpdate[f] = true
	}
}

// accountAction starts an action on the user of the request's id: it finds
// the user, asks the core whether the viewer may act, and reads the
// parameters. A refusal whose reason is among early is Danbooru's access
// denied, before the parameters are read, as upstream's controllers
// authorize first; the core judges the rest with the values. It answers
// the request itself when it returns false.
func accountAction(w http.ResponseWriter, rq *request, svc *core.Face, a core.Action, early ...string) (*core.User, *params, bool) {
	u, err := findUser(rq.r.Context(), svc, rq.viewer, rq.id)
	if err != nil {
		writeError(w, rq, err)
		return nil, nil, false
	}
	if err := svc.May(rq.r.Context(), rq.viewer, a, u); err != nil && slices.Contains(early, core.ErrorReason(err)) {
		writeError(w, rq, accessDenied())
		return nil, nil, false
	}
	all, err := readParams(rq, wrapKeys)
	if err != nil {
		writeError(w, rq, err)
		return nil, nil, false
	}
	return u, all, true
}

// handleUserUpdate handles "PUT/PATCH /users/{id}": settings (spec §11).
func handleUserUpdate(svc *core.Face, log *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, rq *request) {
		ctx := rq.r.Context()
		u, all, ok := accountAction(w, rq, svc, core.ActUpdate, core.ReasonAuthRequired, core.ReasonNotYours, core.ReasonOutranked, core.ReasonUserBanned)
		if !ok {
			return
		}
		if user := all.sub("user"); user != nil {
			var unpermitted []string
			for k, v := range user.hash().All() {
				_, scalar := railsparams.Scalar(v)
				if !permittedUpdate[k] || !(scalar || v == nil) {
					unpermitted = append(unpermitted, ":"+k)
				}
			}
			if len(unpermitted) > 0 {
				msg := "found unpermitted parameter: " + unpermitted[0]
				if len(unpermitted) > 1 {
					msg = "found unpermitted parameters: " + strings.Join(unpermitted, ", ")
				}
				writeError(w, rq, &apiError{status: 403, class: "ActionController::UnpermittedParameters", message: msg})
				return
			}
			patch, verr := settingsPatch(u, user)
			if verr != nil {
				writeError(w, rq, verr)
				return
			}
			if len(patch) > 0 {
				if _, err := svc.UpdateUser(ctx, rq.viewer, u.ID, core.Update{Fields: patch}); err != nil {
					writeError(w, rq, err)
					return
				}
			}
		}
		if rq.format == "html" {
			redirect(w, rq, http.StatusFound, rq.url("/users/"+strconv.FormatInt(u.ID, 10)+"/edit"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleUserDelete handles "DELETE /users/{id}": account deactivation
// (spec §12).
func handleUserDelete(svc *core.Face, log *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, rq *request) {
		ctx := rq.r.Context()
		// Refusals of the deleter precede the parameters; the account's
		// own state is judged after them (UserDeletion#validate_deletion).
		u, all, ok := accountAction(w, rq, svc, core.ActDelete, core.ReasonAuthRequired, core.ReasonOutranked)
		if !ok {
			return
		}
		password, _ := all.sub("user").str("password")
		err := svc.DeleteUser(ctx, rq.viewer, u.ID, password, httpx.ClientAddr(rq.r))
		switch core.ErrorReason(err) {
		case core.ReasonPasswordIncorrect, core.ReasonStaffMayNotLeave, core.ReasonBannedMayNotLeave, core.ReasonProtected:
			// UserDeletion#validate_deletion: these failures are not errors
			// upstream but a redirect back to the deactivation page.
			rq.log.Info("account deletion refused", "request_id", httpx.RequestID(ctx), "user_id", u.ID, "reason", core.ErrorReason(err))
			redirect(w, rq, http.StatusFound, rq.url("/users/"+strconv.FormatInt(u.ID, 10)+"/deactivate"))
			return
		}
		if c := core.ErrorCode(err); c == core.Forbidden || c == core.Unauthenticated {
			err = accessDenied()
		}
		if err != nil {
			writeError(w, rq, err)
			return
		}
		if rq.format == "html" {
			redirect(w, rq, http.StatusFound, rq.url("/posts"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleAdminUserUpdate handles "PUT/PATCH /admin/users/{id}": a level
// change by a moderator or above (spec §13). It always redirects.
func handleAdminUserUpdate(svc *core.Face, log *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, rq *request) {
		ctx := rq.r.Context()
		promoter := rq.viewer
		// Only a refusal of the promoter as such precedes the parameters;
		// the rest are UserPromotion#validate!'s, after them.
		u, all, ok := accountAction(w, rq, svc, core.ActSetLevel, core.ReasonAuthRequired, core.ReasonFieldDenied)
		if !ok {
			return
		}
		levelText, _ := all.sub("user").str("level")
		level := ruby.ToI(levelText)
		if level < 0 || level > core.LevelOwner {
			level = -1 // out of int range for the core: not a level
		}
		// UserPromotion#validate!: every refusal is User::PrivilegeError.
		if _, err := svc.SetLevel(ctx, promoter, u.ID, int(level)); err != nil {
			if c := core.ErrorCode(err); c == core.Forbidden || c == core.Invalid {
				err = privilegeError()
			}
			writeError(w, rq, err)
			return
		}
		redirect(w, rq, http.StatusFound, rq.url("/admin/users/"+strconv.FormatInt(u.ID, 10)+"/edit"))
	}
}
