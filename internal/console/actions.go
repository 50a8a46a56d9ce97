package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// An action is something staff may do to a user from the console.
type action struct {
	Name   string // the path word: /users/{id}/{Name}
	Label  string
	Danger bool
}

var actionDefs = []action{
	{"level", "Set level", false},
	{"ban", "Ban", true},
	{"unban", "Unban", false},
	{"activate", "Activate", false},
	{"deactivate", "Deactivate", true},
	{"rename", "Rename", false},
	{"password", "Set password", true},
	{"revoke-tokens", "Revoke all tokens", true},
	{"delete", "Delete", true},
	{"restore", "Restore", false},
	{"revoke-token", "Revoke token", true},  // one token, from its row
	{"revoke-session", "End session", true}, // one session, from its row
}

func actionByName(name string) (action, bool) {
	for _, a := range actionDefs {
		if a.Name == name {
			return a, true
		}
	}
	return action{}, false
}

func actionLabel(name string) string {
	a, _ := actionByName(name)
	return a.Label
}

// allowed says whether the core lets viewer take action a on u now: Face.May
// for the act, and for field writes the registry's rule too (CanWrite), as
// UpdateUser will check it. The POST goes through the core either way.
func (h *handler) allowed(ctx context.Context, viewer, u *core.User, a string, tokens int) bool {
	may := func(act core.Action) bool { return h.face.May(ctx, viewer, act, u) == nil }
	writes := func(field string, v any) bool {
		return may(core.ActUpdate) && core.CanWrite(core.FieldByName(field), viewer, u, v)
	}
	switch a {
	case "level":
		return may(core.ActSetLevel) && !u.Deleted
	case "ban":
		return !u.Banned && writes("banned", true)
	case "unban":
		return u.Banned && writes("banned", false)
	case "activate":
		return !u.Active && writes("active", true)
	case "deactivate":
		return u.Active && writes("active", false)
	case "rename":
		return !u.Deleted && writes("name", u.Name)
	case "password":
		// Staff set others' passwords; one's own takes the current one,
		// which the native API asks for.
		return viewer.ID != u.ID && !u.Deleted && may(core.ActSetPassword)
	case "revoke-tokens":
		return tokens > 0 && may(core.ActTokens)
	case "revoke-token", "revoke-session":
		// Sessions follow the rule of tokens (core.Face.UserSessions).
		return may(core.ActTokens)
	case "delete":
		return !u.Deleted && viewer.ID != u.ID && may(core.ActDelete)
	case "restore":
		return u.Deleted && may(core.ActRestore)
	}
	return false
}

// actions lists the buttons of the user page.
func (h *handler) actions(r *http.Request, viewer, u *core.User, tokens int) []action {
	var out []action
	for _, a := range actionDefs {
		if a.Name != "revoke-token" && a.Name != "revoke-session" && h.allowed(r.Context(), viewer, u, a.Name, tokens) {
			out = append(out, a)
		}
	}
	return out
}

// confirmPage is a confirmation form's data.
type confirmPage struct {
	User    *core.User
	Action  action
	Token   int64             // revoke-token: the token
	Session *core.UserSession // revoke-session: the session, if still live
	Handle  string            // revoke-session: its handle as asked
	Levels  []levelOption     // level: the levels the viewer may give
	Name    string            // rename: the new name so far
	Tokens  []*core.Token     // revoke-tokens: what goes
	Field   map[string]bool   // which inputs the form has
}

type levelOption struct {
	N        int
	Name     string
	Selected bool
}

// target reads the path's user and action.
func (h *handler) target(r *http.Request) (*core.User, action, error) {
	a, ok := actionByName(r.PathValue("action"))
	if !ok {
		return nil, a, core.Errorf(core.NotFound, "No such page.")
	}
	id, err := userID(r)
	if err != nil {
		return nil, a, err
	}
	u, err := h.face.GetUserByID(r.Context(), me(r.Context()).user, id)
	return u, a, err
}

// handleConfirm handles "GET /users/{id}/{action}": the form that asks
// for the action's values, if any, and confirmation.
func (h *handler) handleConfirm(w http.ResponseWriter, r *http.Request) {
	u, a, err := h.target(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.confirm(w, r, http.StatusOK, u, a, "")
}

func (h *handler) confirm(w http.ResponseWriter, r *http.Request, status int, u *core.User, a action, problem string) {
	viewer := me(r.Context()).user
	p := confirmPage{User: u, Action: a, Name: r.FormValue("name"), Field: map[string]bool{}}
	switch a.Name {
	case "level":
		p.Field["level"] = true
		for _, l := range levels {
			if l.N < viewer.Level { // CanWrite: a level below one's own
				p.Levels = append(p.Levels, levelOption{l.N, l.Name, l.N == u.Level})
			}
		}
	case "rename":
		p.Field["name"] = true
		if p.Name == "" {
			p.Name = u.Name
		}
	case "password":
		p.Field["password"] = true
	case "revoke-token":
		p.Token, _ = strconv.ParseInt(r.FormValue("token"), 10, 64)
	case "revoke-tokens":
		p.Tokens, _ = h.face.UserTokens(r.Context(), viewer, u.ID)
	case "revoke-session":
		p.Handle = r.FormValue("session")
		ss, _ := h.face.UserSessions(r.Context(), viewer, u.ID)
		for _, s := range ss {
			if s.Handle == p.Handle {
				p.Session = s
			}
		}
	}
	if problem == "" && !h.allowed(r.Context(), viewer, u, a.Name, 1) {
		problem = "The console's policy check says you may not do this; the core will refuse it."
	}
	h.render(w, r, status, "confirm", a.Label+": "+u.Name, problem, p)
}

// handleAction handles "POST /users/{id}/{action}": the action, through
// the core, which decides; then the user page with the audit entry the
// change wrote (found by this request's id).
func (h *handler) handleAction(w http.ResponseWriter, r *http.Request) {
	u, a, err := h.target(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.do(r, u, a.Name); err != nil {
		switch core.ErrorCode(err) {
		case core.Invalid, core.Conflict, core.Forbidden, core.RateLimited:
			h.confirm(w, r, httpx.Status(core.ErrorCode(err)), u, a, problemText(err))
		default:
			h.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, base(r)+"/users/"+strconv.FormatInt(u.ID, 10)+"?did="+a.Name+"&done="+httpx.RequestID(r.Context()), http.StatusSeeOther)
}

// do runs one action through the core.
func (h *handler) do(r *http.Request, u *core.User, a string) error {
	ctx, viewer, addr := r.Context(), me(r.Context()).user, httpx.ClientAddr(r)
	update := func(field string, v any) error {
		_, err := h.face.UpdateUser(ctx, viewer, u.ID, core.Update{Fields: core.Patch{field: v}, Addr: addr})
		return err
	}
	switch a {
	case "level":
		n, err := strconv.Atoi(r.PostFormValue("level"))
		if err != nil {
			return core.FieldError("level", "must be a level")
		}
		_, err = h.face.SetLevel(ctx, viewer, u.ID, n)
		return err
	case "ban", "unban":
		return update("banned", a == "ban")
	case "activate", "deactivate":
		return update("active", a == "activate")
	case "rename":
		return update("name", strings.TrimSpace(r.PostFormValue("name")))
	case "password":
		pw := r.PostFormValue("password")
		if n := Profile.MinPassword; utf8.RuneCountInString(pw) < n {
			return core.FieldError("password", "must be at least "+strconv.Itoa(n)+" characters")
		}
		if pw != r.PostFormValue("password2") {
			return core.FieldError("password2", "does not match the password")
		}
		_, err := h.face.UpdateUser(ctx, viewer, u.ID, core.Update{Password: &pw, Addr: addr})
		return err
	case "revoke-tokens":
		_, err := h.face.RevokeAllTokens(ctx, viewer, u.ID)
		return err
	case "revoke-token":
		t, err := strconv.ParseInt(r.PostFormValue("token"), 10, 64)
		if err != nil {
			return core.FieldError("token", "must be a token id")
		}
		return h.face.RevokeUserToken(ctx, viewer, u.ID, t)
	case "revoke-session":
		return h.face.RevokeUserSession(ctx, viewer, u.ID, r.PostFormValue("session"))
	case "delete":
		return h.face.DeleteUser(ctx, viewer, u.ID, "", addr)
	case "restore":
		_, err := h.face.RestoreUser(ctx, viewer, u.ID)
		return err
	}
	return core.Errorf(core.NotFound, "No such page.")
}
