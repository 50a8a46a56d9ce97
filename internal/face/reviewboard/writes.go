package reviewboard

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/face/django"
	"usersd/internal/face/doc"
	"usersd/internal/httpx"
)

// specialParams are djblets' SPECIAL_PARAMS: never a field of a form.
var specialParams = []string{"api_format", "callback", "_method", "expand", "only-fields", "only-links"}

// Messages of the write side (user.py, decorators.py, Django).
const (
	msgRequired     = "This field is required"
	msgNotSupported = "Field is not supported"
	msgNoCreate     = "You do not have permission to create users."
	msgBadEmail     = "Enter a valid email address."
	msgNameTaken    = "A user with the requested username already exists."
	msgEmailTaken   = "A user with this e-mail address already exists."
	msgBadName      = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_/' characters."
	msgActiveDenied = "This field can only be set by administrators and users with the auth.change_user permission."
)

// fieldErrors collects field → messages for one 105.
type fieldErrors map[string][]string

func (fe fieldErrors) add(field, msg string) { fe[field] = append(fe[field], msg) }

// writeFields answers the 105 of the collected errors, in sorted field
// order (JSON sorts them anyway).
func (h *handler) writeFields(w http.ResponseWriter, rq *request, fe fieldErrors) {
	f := doc.NewObject()
	for _, k := range sortedKeys(fe) {
		vs := make([]doc.Value, len(fe[k]))
		for i, m := range fe[k] {
			vs[i] = doc.String(m)
		}
		f.Add(k, doc.Array(vs...))
	}
	h.writeError(w, rq, errInvalidForm, "", f)
}

func sortedKeys(fe fieldErrors) []string {
	ks := make([]string, 0, len(fe))
	for k := range fe {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// checkFields is webapi_request_fields: unknown fields are not supported,
// required ones must be present (an empty value is present).
func checkFields(rq *request, required, optional []string) fieldErrors {
	fe := fieldErrors{}
	for k := range rq.form {
		if !slices.Contains(specialParams, k) && !slices.Contains(required, k) && !slices.Contains(optional, k) {
			fe.add(k, msgNotSupported)
		}
	}
	for _, k := range required {
		if _, ok := rq.form[k]; !ok {
			fe.add(k, msgRequired)
		}
	}
	return fe
}

// value is the form's value of key (QueryDict.get: the last) and whether
// it was sent.
func (rq *request) value(key string) (string, bool) {
	vs, ok := rq.form[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// writable refuses writes a read-only token may not make, as an API
// token's policy does (101).
func (h *handler) writable(w http.ResponseWriter, rq *request) bool {
	if core.CheckScope(httpx.CallerToken(rq.r.Context()), true) != nil {
		h.writeError(w, rq, errPermissionDenied, "", nil)
		return false
	}
	return true
}

// create answers POST /api/users/ (spec §8): 401, then the fields (400),
// then the core's answer on who may create (403, held until the fields
// are read), then the values.
func (h *handler) create(w http.ResponseWriter, r *http.Request, rq *request, _ string) {
	if rq.caller == nil {
		h.writeError(w, rq, errNotLoggedIn, "", nil)
		return
	}
	if !h.writable(w, rq) {
		return
	}
	ctx := r.Context()
	may := h.svc.May(ctx, rq.caller, core.ActSignup, nil)
	fe := checkFields(rq, []string{"username", "email"}, []string{"password", "first_name", "last_name", "render_avatars_at"})
	if len(fe) > 0 {
		h.writeFields(w, rq, fe)
		return
	}
	switch core.ErrorCode(may) {
	case -1:
	case core.Forbidden:
		h.writeError(w, rq, errPermissionDenied, msgNoCreate, nil)
		return
	default:
		h.coreError(w, r, rq, may)
		return
	}
	name, _ := rq.value("username")
	email, _ := rq.value("email")
	password, sent := rq.value("password")
	if !django.ValidEmail(email) {
		fe.add("email", msgBadEmail)
	}
	if msg := checkUsername(name); msg != "" {
		fe.add("username", msg)
	}
	if sent && password == "" {
		// Without a password the account has none to log in with, as
		// Review Board's create_user(password=None) leaves it; an empty
		// one Review Board would hash, and usersd refuses (doc.go).
		fe.add("password", msgRequired)
	}
	if len(fe) > 0 {
		h.writeFields(w, rq, fe)
		return
	}
	fields := core.Patch{"email": email}
	for _, k := range []string{"first_name", "last_name"} {
		if v, ok := rq.value(k); ok {
			fields[k] = v
		}
	}
	u, err := h.svc.CreateUser(ctx, rq.caller, core.NewUser{Name: name, Password: password, Fields: fields, Addr: httpx.ClientAddr(r)})
	if err != nil {
		h.refusal(w, r, rq, err)
		return
	}
	h.writeUser(w, r, rq, http.StatusCreated, u)
}

// update answers PUT /api/users/{username}/ (spec §9): 401, unknown
// fields (400), 404, the core's answer on who may update (403), then the
// values, collected into one 400.
func (h *handler) update(w http.ResponseWriter, r *http.Request, rq *request, name string) {
	if rq.caller == nil {
		h.writeError(w, rq, errNotLoggedIn, "", nil)
		return
	}
	if !h.writable(w, rq) {
		return
	}
	if fe := checkFields(rq, nil, []string{"email", "first_name", "last_name", "is_active", "render_avatars_at"}); len(fe) > 0 {
		h.writeFields(w, rq, fe)
		return
	}
	ctx := r.Context()
	u, err := h.svc.GetUserByName(ctx, rq.caller, name)
	if err == nil && u.Name != name {
		err = core.Errorf(core.NotFound, "not found")
	}
	if err != nil {
		h.coreError(w, r, rq, err)
		return
	}
	if err := h.svc.May(ctx, rq.caller, core.ActUpdate, u); err != nil {
		h.refusal(w, r, rq, err)
		return
	}
	fe := fieldErrors{}
	patch := core.Patch{}
	if v, ok := rq.value("email"); ok {
		if !django.ValidEmail(v) {
			fe.add("email", msgBadEmail)
		} else if !u.Shows("email") || u.Email == nil || *u.Email != v {
			patch["email"] = v
		}
	}
	for _, k := range []string{"first_name", "last_name"} {
		if v, ok := rq.value(k); ok {
			old := u.FirstName
			if k == "last_name" {
				old = u.LastName
			}
			if !u.Shows(k) || old != v {
				patch[k] = v
			}
		}
	}
	check := maps.Clone(patch)
	if v, ok := rq.value("is_active"); ok {
		// djblets' BooleanFieldType: "1" and "true" in any case are true,
		// anything else false.
		active := v == "1" || strings.EqualFold(v, "true")
		if active != u.Active {
			patch["active"] = active
		}
		// Sending is_active at all needs the right to set it.
		check["active"] = active
	}
	if len(check) > 0 && (len(fe) > 0 || len(check) > len(patch)) {
		// Review Board reports every field's problem at once: the core
		// judges the values the face did not refuse, and an unchanged
		// is_active, without writing.
		_, err := h.svc.UpdateUser(ctx, rq.caller, u.ID, core.Update{Fields: check, DryRun: true})
		if e := core.AsError(err); err != nil && (e.Code == core.Invalid || e.Code == core.Forbidden && e.Reason == core.ReasonFieldDenied) {
			for k, msgs := range h.refusalFields(e) {
				fe[k] = append(fe[k], msgs...)
			}
		}
	}
	if len(fe) > 0 {
		h.writeFields(w, rq, fe)
		return
	}
	if len(patch) > 0 {
		if u, err = h.svc.UpdateUser(ctx, rq.caller, u.ID, core.Update{Fields: patch}); err != nil {
			h.refusal(w, r, rq, err)
			return
		}
	}
	h.writeUser(w, r, rq, http.StatusOK, u)
}

// rbFields are the wire names of the core's fields.
var rbFields = map[string]string{"name": "username", "active": "is_active"}

// refusal answers the core's refusal of a create or update: a refusal
// is 101, a taken name or address and invalid values 105 on their
// fields, anything else as coreError.
func (h *handler) refusal(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	e := core.AsError(err)
	switch {
	case e.Code == core.Unauthenticated:
		h.writeError(w, rq, errNotLoggedIn, "", nil)
	case e.Code == core.Invalid && len(e.Fields) == 0:
		h.writeError(w, rq, errInvalidForm, e.Message, nil)
	case len(h.refusalFields(e)) > 0:
		h.writeFields(w, rq, h.refusalFields(e))
	case e.Code == core.Forbidden:
		h.writeError(w, rq, errPermissionDenied, "", nil)
	default:
		h.coreError(w, r, rq, err)
	}
}

// refusalFields are the 105 fields of a core error, if it has any: is_active
// denied, a taken name or address, invalid values.
func (h *handler) refusalFields(e *core.Error) fieldErrors {
	fe := fieldErrors{}
	switch e.Code {
	case core.Forbidden:
		if _, ok := e.Fields["active"]; ok && e.Reason == core.ReasonFieldDenied {
			fe.add("is_active", msgActiveDenied)
		}
	case core.Conflict:
		switch {
		case e.Reason == core.ReasonNameTaken && e.Fields["name"] == "is already taken":
			fe.add("username", msgNameTaken)
		case e.Reason == core.ReasonNameTaken:
			fe.add("username", "This username looks too much like an existing one.")
		case e.Fields["email"] != "" || e.Reason == core.ReasonEmailTaken:
			fe.add("email", msgEmailTaken)
		}
	case core.Invalid:
		for k, reason := range e.Fields {
			if n, ok := rbFields[k]; ok {
				k = n
			}
			fe.add(k, sentence(k, reason))
		}
	}
	return fe
}

// sentence makes a core reason ("is reserved") a message: "The username
// is reserved."
func sentence(field, reason string) string {
	return fmt.Sprintf("The %s %s.", strings.ReplaceAll(field, "_", " "), strings.TrimSuffix(reason, "."))
}

// usernameMax is Django's User.username max_length.
const usernameMax = 150

// checkUsername refuses names Review Board would store but never route
// (spec §8 and edge case 25): empty, longer than Django's 150, or outside
// the URL pattern.
func checkUsername(name string) string {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return msgRequired
	case n > usernameMax:
		return fmt.Sprintf("Ensure this value has at most %d characters (it has %d).", usernameMax, n)
	case !usernameRE.MatchString(name):
		return msgBadName
	}
	return ""
}
