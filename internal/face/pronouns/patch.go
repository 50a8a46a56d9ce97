package pronouns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// maxBody is pronouns.cc's request limit (spec §1): 2 MB.
const maxBody = httpx.MaxRequestBody

// readBody reads a request body within maxBody: larger is 413 code 4001.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, fail(codeRequestTooBig, "")
	case err != nil:
		return nil, fail(codeBadRequest, "Request body could not be read")
	case !utf8.Valid(b):
		return nil, fail(codeBadRequest, "Request body is not valid UTF-8")
	}
	return b, nil
}

// object is a parsed request body: its keys, with null keys dropped,
// since in pronouns.cc's v1 null leaves a field alone (spec §8.3).
type object map[string]json.RawMessage

// parseObject parses a JSON object body; anything else is 400 code 400.
func parseObject(body []byte) (object, error) {
	obj, err := httpx.ParseObject(body)
	if err != nil {
		e := core.AsError(err)
		details := e.Message
		if len(e.Fields) > 0 {
			details = fieldDetails(e)
		} else if e.Err != nil {
			details += " " + e.Err.Error()
		}
		return nil, fail(codeBadRequest, details)
	}
	out := object{}
	for k, v := range obj {
		if !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			out[k] = v
		}
	}
	return out, nil
}

// get decodes key into dst, reporting whether the key was given; a
// value of the wrong type is 400 naming the key.
func (o object) get(key string, dst any) (bool, error) {
	raw, ok := o[key]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			at := key
			if te.Field != "" {
				at += "." + te.Field
			}
			return true, fail(codeBadRequest, fmt.Sprintf("%s: cannot be a JSON %s (want %s)", at, te.Value, te.Type))
		}
		return true, fail(codeBadRequest, fmt.Sprintf("%s: %v", key, err))
	}
	return true, nil
}

// has reports whether any of keys was given.
func (o object) has(keys ...string) bool {
	for _, k := range keys {
		if _, ok := o[k]; ok {
			return true
		}
	}
	return false
}

func badRequest(format string, args ...any) error {
	return fail(codeBadRequest, fmt.Sprintf(format, args...))
}

// textRule is a length bound in characters (spec §11.17).
func checkLength(key, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return badRequest("%s too long (max %d, current %d)", key, max, n)
	}
	return nil
}

// optionalText reads a nullable text key: "" clears (nil), else 1..max
// characters.
func (o object) optionalText(p core.Patch, key, canonical string, max int) error {
	var s string
	ok, err := o.get(key, &s)
	if !ok || err != nil {
		return err
	}
	if s == "" {
		p[canonical] = nil
		return nil
	}
	if err := checkLength(key, s, max); err != nil {
		return err
	}
	p[canonical] = s
	return nil
}

// links reads a links array: at most 25, each 1..256 characters.
func (o object) links(p core.Patch) error {
	var links []string
	ok, err := o.get("links", &links)
	if !ok || err != nil {
		return err
	}
	if len(links) > 25 {
		return badRequest("Too many links (max 25, current %d)", len(links))
	}
	for i, l := range links {
		if l == "" {
			return badRequest("Link %d is empty", i+1)
		}
		if n := utf8.RuneCountInString(l); n > 256 {
			return badRequest("Link %d too long (max 256, current %d)", i+1, n)
		}
	}
	return setJSON(p, "links", nonNil(links))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// setJSON stores v as a JSON column, without encoding/json's HTML
// escapes, which would take six bytes of the core's byte bounds for
// every <, > and & (rendering escapes them again).
func setJSON(p core.Patch, canonical string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	p[canonical] = json.RawMessage(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return nil
}

// entries reads names, pronouns and fields into their canonical
// columns. Shapes are the face's (a status must be a string, so the
// integers of the first API are refused, §11.7); lengths, counts and
// statuses against the custom preferences in effect are the core's
// (checkEntries).
func (o object) entries(p core.Patch) error {
	var names []fieldEntry
	if ok, err := o.get("names", &names); err != nil {
		return err
	} else if ok {
		if err := setJSON(p, "preferred_names", nonNil(names)); err != nil {
			return err
		}
	}
	var prons []pronounEntry
	if ok, err := o.get("pronouns", &prons); err != nil {
		return err
	} else if ok {
		if err := setJSON(p, "pronouns", nonNil(prons)); err != nil {
			return err
		}
	}
	var fields []field
	if ok, err := o.get("fields", &fields); err != nil {
		return err
	} else if ok {
		for i := range fields {
			fields[i].Entries = nonNil(fields[i].Entries)
		}
		if len(fields) > 25 {
			return badRequest("Too many fields (max 25, current %d)", len(fields))
		}
		if err := setJSON(p, "profile_fields", nonNil(fields)); err != nil {
			return err
		}
	}
	return nil
}

// flagIDs reads a flags array of the caller's flag ids.
func (o object) flagIDs() (*[]string, error) {
	var ids []string
	ok, err := o.get("flags", &ids)
	if !ok || err != nil {
		return nil, err
	}
	if len(ids) > 500 {
		return nil, badRequest("Too many flags (max 500, current %d)", len(ids))
	}
	ids = nonNil(ids)
	return &ids, nil
}

// avatar reads an avatar data URI ("" removes the avatar).
func (o object) avatar() (*string, error) {
	var s string
	ok, err := o.get("avatar", &s)
	if !ok || err != nil {
		return nil, err
	}
	return &s, nil
}

var (
	// userName is pronouns.cc's username pattern, \w being ASCII.
	userName = regexp.MustCompile(`^[A-Za-z0-9_.\-]{2,40}$`)
	uuidKey  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// iconName is the shape of a Bootstrap Icons name; upstream checks
	// the icon list itself (doc.go).
	iconName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// reservedUsernames are refused by pronouns.cc (spec §8.3).
var reservedUsernames = []string{"admin", "administrator", "mod", "moderator", "api", "page", "pronouns", "settings", "pronouns.cc", "pronounscc"}

// checkUsername is pronouns.cc's name rule: 1006 when broken.
func checkUsername(name string) error {
	switch {
	case !userName.MatchString(name):
		return fail(codeInvalidName, "Username must be 2-40 characters of A-Z, a-z, 0-9, _, . and -")
	case name == "..":
		return fail(codeInvalidName, "Username may not be . or ..")
	case slices.Contains(reservedUsernames, strings.ToLower(name)):
		return fail(codeInvalidName, "Username is reserved")
	}
	return nil
}

// customPreferences reads the custom_preferences map, which replaces
// the stored one: at most 25, keys UUIDs (stored in lower case), each
// with an icon, a tooltip of 1..100 characters and a size.
func (o object) customPreferences(p core.Patch) error {
	var prefs map[string]json.RawMessage
	if ok, err := o.get("custom_preferences", &prefs); !ok || err != nil {
		return err
	}
	if len(prefs) > 25 {
		return badRequest("Too many custom preferences (max 25, current %d)", len(prefs))
	}
	out := map[string]customPreference{}
	for k, v := range prefs {
		key := strings.ToLower(k)
		if !uuidKey.MatchString(key) {
			return badRequest("custom_preferences: %q is not a UUID", k)
		}
		if _, dup := out[key]; dup {
			return badRequest("custom_preferences: %q is given twice", k)
		}
		var cp customPreference
		if err := json.Unmarshal(v, &cp); err != nil {
			return badRequest("custom_preferences.%s: %v", key, err)
		}
		switch {
		case cp.Icon == "" || len(cp.Icon) > 50 || !iconName.MatchString(cp.Icon):
			return badRequest("custom_preferences.%s: icon %q is not a valid icon", key, cp.Icon)
		case cp.Tooltip == "":
			return badRequest("custom_preferences.%s: tooltip is empty", key)
		case utf8.RuneCountInString(cp.Tooltip) > 100:
			return badRequest("custom_preferences.%s: tooltip too long (max 100, current %d)", key, utf8.RuneCountInString(cp.Tooltip))
		case cp.Size != "large" && cp.Size != "normal" && cp.Size != "small":
			return badRequest("custom_preferences.%s: size must be large, normal or small", key)
		}
		out[key] = cp
	}
	return setJSON(p, "custom_preferences", out)
}

// userKeys are the keys PATCH /users/@me reads.
var userKeys = []string{"name", "display_name", "bio", "member_title", "links", "names", "pronouns", "fields",
	"flags", "avatar", "timezone", "list_private", "custom_preferences"}

// parseUserPatch reads a PATCH /users/@me body into one core update, in
// pronouns.cc's validation order (spec §8.3): emptiness, name and text
// lengths, time zone, custom preferences, entries, avatar. The name
// taken (1007) and the statuses, images and flags are the core's.
func parseUserPatch(body []byte, me *core.User) (core.Update, error) {
	var up core.Update
	o, err := parseObject(body)
	if err != nil {
		return up, err
	}
	if !o.has(userKeys...) {
		return up, fail(codeBadRequest, "Data must not be empty")
	}
	p := core.Patch{}
	var name string
	if ok, err := o.get("name", &name); err != nil {
		return up, err
	} else if ok && name != me.Name {
		if err := checkUsername(name); err != nil {
			return up, err
		}
		p["name"] = name
	}
	for _, t := range []struct {
		key string
		max int
	}{{"display_name", 100}, {"bio", 1000}, {"member_title", 150}} {
		if err := o.optionalText(p, t.key, t.key, t.max); err != nil {
			return up, err
		}
	}
	if err := o.links(p); err != nil {
		return up, err
	}
	var tz string
	if ok, err := o.get("timezone", &tz); err != nil {
		return up, err
	} else if ok {
		if err := setTimezone(p, tz); err != nil {
			return up, err
		}
	}
	if err := o.customPreferences(p); err != nil {
		return up, err
	}
	if err := o.entries(p); err != nil {
		return up, err
	}
	var listPrivate bool
	if ok, err := o.get("list_private", &listPrivate); err != nil {
		return up, err
	} else if ok {
		p["list_private"] = listPrivate
	}
	if up.Flags, err = o.flagIDs(); err != nil {
		return up, err
	}
	if up.Avatar, err = o.avatar(); err != nil {
		return up, err
	}
	up.Fields = p
	return up, nil
}

// setTimezone writes a time zone from pronouns.cc: an IANA name, ""
// clearing it; either way the Rails name Danbooru and e621 keep is
// forgotten (spec/fields.md §3.0.4).
func setTimezone(p core.Patch, tz string) error {
	if tz == "" {
		p["timezone"], p["timezone_rails"] = nil, nil
		return nil
	}
	if tz == "Local" || strings.HasPrefix(tz, "/") || len(tz) > 64 {
		return badRequest("%q is not a valid timezone", tz)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return badRequest("%q is not a valid timezone", tz)
	}
	p["timezone"], p["timezone_rails"] = tz, nil
	return nil
}

// emptyUpdate reports whether up changes nothing (a PATCH of one's own
// name only, say).
func emptyUpdate(up core.Update) bool {
	return len(up.Fields) == 0 && up.Avatar == nil && up.Flags == nil
}
