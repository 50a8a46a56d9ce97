package drf

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/face/django"
)

// Django's and DRF's messages for writes (rest_framework/fields.py,
// django/contrib/auth/validators.py and models.py, django/core/validators.py).
const (
	msgRequired     = "This field is required."
	msgBlank        = "This field may not be blank."
	msgNull         = "This field may not be null."
	msgNotString    = "Not a valid string."
	msgBoolean      = "Must be a valid boolean."
	msgEmail        = "Enter a valid email address."
	msgDate         = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
	msgJSON         = "Value must be valid JSON."
	msgUsername     = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
	msgUsernameUsed = "A user with that username already exists."
	msgEmailUsed    = "user with this email address already exists."
)

// fieldKind is how DRF's ModelSerializer reads a field.
type fieldKind int

const (
	kindChar fieldKind = iota
	kindEmail
	kindBool
	kindChoice
	kindDate
	kindJSON
)

// writable is one field a client may write on create: its wire name,
// the core field, and the serializer field DRF would build for it.
// Read-only fields (id, pk, date_joined, modified_date, last_login,
// is_staff, is_superuser, is_anonymized, avatar, groups,
// user_permissions) are not here, so they are ignored, as DRF ignores
// read-only and unknown keys.
type writable struct {
	wire, core string
	kind       fieldKind
	max        int  // max_length of a CharField
	blank      bool // allow_blank
	null       bool // allow_null
	choices    []string
}

var writableFields = []writable{
	{wire: "email", core: "email", kind: kindEmail, max: 254, blank: true},
	{wire: "first_name", core: "first_name", max: 150, blank: true},
	{wire: "last_name", core: "last_name", max: 150, blank: true},
	{wire: "is_active", core: "active", kind: kindBool},
	{wire: "email_allowed", core: "email_allowed", kind: kindBool},
	{wire: "sms_allowed", core: "sms_allowed", kind: kindBool},
	{wire: "call_allowed", core: "call_allowed", kind: kindBool},
	{wire: "gender", core: "gender", kind: kindChoice, null: true, choices: []string{"male", "female"}},
	{wire: "user_type", core: "user_type", kind: kindChoice, choices: []string{"guest", "registered"}},
	{wire: "date_of_birth", core: "date_of_birth", kind: kindDate, null: true},
	{wire: "language_code", core: "language", max: 35, blank: true},
	{wire: "phone", core: "phone", max: 32, null: true},
	{wire: "attributes", core: "attributes", kind: kindJSON},
	{wire: "attributes_kwargs", core: "attributes_kwargs", kind: kindJSON},
	{wire: "localized_attributes", core: "localized_attributes", kind: kindJSON},
	{wire: "localized_attributes_kwargs", core: "localized_attributes_kwargs", kind: kindJSON},
}

// wireName maps a core field name in an error back to the face's key.
func wireName(coreName string) string {
	switch coreName {
	case "name":
		return "username"
	}
	for _, f := range writableFields {
		if f.core == coreName {
			return f.wire
		}
	}
	return coreName
}

// usernameRE is Django's UnicodeUsernameValidator.
var usernameRE = regexp.MustCompile(`^[\w.@+-]+$`)

// isoDate is DRF's DateField input (ISO 8601 YYYY-MM-DD).
var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// create is POST /users/ (CreateModelMixin): the serializer's checks in
// DRF's words, then the core's create under the face's Creates grant
// (staff), 201 with the user as GET shows it. No Location: the
// serializer has no url field.
func (h *handler) create(w http.ResponseWriter, r *http.Request, viewer *core.User) {
	data, ok := readData(w, r)
	if !ok {
		return
	}
	problems := map[string]string{}
	text := func(key string, max int, blank bool) (string, bool) {
		v, ok := data[key]
		switch {
		case !ok:
			problems[key] = msgRequired
		case v == nil:
			problems[key] = msgNull
		default:
			s, ok := charValue(v)
			s = strings.TrimSpace(s)
			switch {
			case !ok:
				problems[key] = msgNotString
			case s == "" && !blank:
				problems[key] = msgBlank
			case utf8.RuneCountInString(s) > max:
				problems[key] = "Ensure this field has no more than " + strconv.Itoa(max) + " characters."
			default:
				return s, true
			}
		}
		return "", false
	}
	name, nameOK := text("username", 150, false)
	if nameOK && !usernameRE.MatchString(name) {
		problems["username"] = msgUsername
	}
	// The model's CharField, trimmed as DRF trims (write_only changes
	// only what is rendered).
	password, _ := text("password", 128, false)
	fields := core.Patch{}
	for _, f := range writableFields {
		v, ok := data[f.wire]
		if !ok {
			continue
		}
		if val, msg := f.parse(v); msg != "" {
			problems[f.wire] = msg
		} else {
			fields[f.core] = val
		}
	}
	if len(problems) > 0 {
		fieldErrors(w, problems)
		return
	}
	u, err := h.svc.CreateUser(r.Context(), viewer, core.NewUser{Name: name, Password: password, Fields: fields})
	if err != nil {
		h.createFailed(w, r, err)
		return
	}
	rels, err := h.relations(r, viewer, []*core.User{u})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write(w, http.StatusCreated, h.user(r, u, rels))
}

// parse is the serializer field's to_internal_value, in the core's
// types; msg is DRF's message when the value fails.
func (f writable) parse(v any) (val any, msg string) {
	if v == nil {
		if f.null || f.kind == kindJSON {
			return nil, ""
		}
		return nil, msgNull
	}
	if f.kind == kindBool {
		return boolValue(v)
	}
	if f.kind == kindJSON {
		if s, ok := v.(string); ok { // a form's text is JSON to decode
			if !json.Valid([]byte(s)) {
				return nil, msgJSON
			}
			return json.RawMessage(s), ""
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, msgJSON
		}
		return json.RawMessage(b), ""
	}
	s, ok := charValue(v)
	if !ok {
		return nil, msgNotString
	}
	s = strings.TrimSpace(s)
	switch f.kind {
	case kindChoice:
		if s == "" && f.null {
			return nil, "" // ChoiceField: "" is None where null is allowed
		}
		for _, c := range f.choices {
			if s == c {
				return s, ""
			}
		}
		return nil, `"` + s + `" is not a valid choice.`
	case kindDate:
		if !isoDate.MatchString(s) {
			return nil, msgDate
		}
		return core.Date(s), ""
	}
	switch {
	case s == "" && f.blank:
		if f.kind == kindEmail {
			return nil, "" // no address: the core keeps addresses unique
		}
		return "", ""
	case s == "":
		return nil, msgBlank
	case utf8.RuneCountInString(s) > f.max:
		return nil, "Ensure this field has no more than " + strconv.Itoa(f.max) + " characters."
	case f.kind == kindEmail && !django.ValidEmail(s):
		return nil, msgEmail
	}
	return s, ""
}

// charValue is CharField.to_internal_value: a string, or a number as
// its text; booleans and containers fail.
func charValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	}
	return "", false
}

// boolValue is BooleanField.to_internal_value.
func boolValue(v any) (any, string) {
	switch v := v.(type) {
	case bool:
		return v, ""
	case json.Number:
		switch v.String() {
		case "1", "1.0":
			return true, ""
		case "0", "0.0":
			return false, ""
		}
	case string:
		switch v {
		case "t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1":
			return true, ""
		case "f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0":
			return false, ""
		}
	}
	return nil, msgBoolean
}

// createFailed maps the core's refusal of a create to DRF's answers:
// the unique validators' messages for taken names and addresses, the
// field's key for the core's own checks.
func (h *handler) createFailed(w http.ResponseWriter, r *http.Request, err error) {
	e := core.AsError(err)
	switch {
	case e.Code == core.Conflict && e.Fields["email"] != "" || e.Reason == core.ReasonEmailTaken:
		fieldErrors(w, map[string]string{"email": msgEmailUsed})
	case e.Code == core.Conflict:
		fieldErrors(w, map[string]string{"username": msgUsernameUsed})
	case e.Code == core.Invalid && len(e.Fields) > 0:
		out := map[string]string{}
		for k, reason := range e.Fields {
			key := wireName(k)
			switch key {
			case "username":
				out[key] = msgUsername
			case "email":
				out[key] = msgEmail
			default:
				out[key] = sentence(reason)
			}
		}
		fieldErrors(w, out)
	default:
		h.fail(w, r, err)
	}
}

// sentence makes a core reason ("must be a phone number") a message.
func sentence(reason string) string {
	if reason == "" {
		return "Invalid value."
	}
	return strings.ToUpper(reason[:1]) + reason[1:] + "."
}
