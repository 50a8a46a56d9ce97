package drf

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/httpx"
)

// login is POST /auth/login/ (spec/drf.md §2, django-rest-auth's
// LoginSerializer): username and password, as JSON or a form, for
// {"key": ...}. Each login mints a new key (fields.md §5 Q3).
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	body, err := httpx.ReadBody(r)
	if err != nil {
		detail(w, http.StatusRequestEntityTooLarge, "Request body too large.")
		return
	}
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	fields := map[string]string{}
	present := map[string]bool{}
	switch mt {
	case "application/json":
		var m map[string]any
		if len(body) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				detail(w, http.StatusBadRequest, "JSON parse error - "+err.Error())
				return
			}
		}
		for _, k := range []string{"username", "password"} {
			switch v := m[k].(type) {
			case string:
				fields[k], present[k] = v, true
			case float64, bool:
				b, _ := json.Marshal(v)
				fields[k], present[k] = string(b), true
			}
		}
	case "application/x-www-form-urlencoded", "":
		if mt == "" && len(body) > 0 {
			detail(w, http.StatusUnsupportedMediaType, `Unsupported media type "" in request.`)
			return
		}
		q, err := url.ParseQuery(string(body))
		if err != nil {
			detail(w, http.StatusBadRequest, "Malformed form body.")
			return
		}
		for _, k := range []string{"username", "password"} {
			if vs, ok := q[k]; ok {
				fields[k], present[k] = vs[len(vs)-1], true
			}
		}
	default:
		detail(w, http.StatusUnsupportedMediaType, `Unsupported media type "`+ct+`" in request.`)
		return
	}
	problems := map[string]string{}
	for _, k := range []string{"username", "password"} {
		switch {
		case !present[k]:
			problems[k] = "This field is required."
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
