package drf

import (
	"net/http"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/httpx"
)

// login is POST /auth/login/ (spec/drf.md §2, django-rest-auth's
// LoginSerializer): username and password, as JSON or a form, for
// {"key": ...}. Each login mints a new key (fields.md §5 Q3).
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	data, ok := readData(w, r)
	if !ok {
		return
	}
	fields := map[string]string{}
	present := map[string]bool{}
	problems := map[string]string{}
	for _, k := range []string{"username", "password"} {
		v, ok := data[k]
		if !ok {
			continue
		}
		present[k] = true
		if v == nil {
			problems[k] = msgNull
		} else if fields[k], ok = charValue(v); !ok {
			problems[k] = msgNotString
		}
	}
	for _, k := range []string{"username", "password"} {
		switch {
		case !present[k]:
			problems[k] = "This field is required."
		case problems[k] != "":
		case fields[k] == "":
			problems[k] = "This field may not be blank."
		}
	}
	if len(problems) > 0 {
		fieldErrors(w, problems)
		return
	}
	secret, _, _, err := h.svc.Login(r.Context(), fields["username"], fields["password"], httpx.ClientAddr(r))
	switch {
	case err == nil:
	case core.ErrorReason(err) == core.ReasonBadCredentials || core.ErrorCode(err) == core.Unauthenticated:
		fieldErrors(w, map[string]string{"non_field_errors": "Unable to log in with provided credentials."})
		return
	default:
		h.fail(w, r, err)
		return
	}
	o := doc.NewObject()
	o.Add("key", doc.String(secret))
	write(w, http.StatusOK, doc.Obj(o))
}
