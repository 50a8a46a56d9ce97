package e621

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/face/railstz"
	"usersd/internal/face/ruby"
)

// The user[...] keys of create and update (users_controller.rb
// user_params, spec/e621.md B.8–B.9), how they map onto the canonical
// fields (spec/fields.md §3.3), and e621's validations in the order
// user.rb declares them, which is the order of the 422 body's keys.

// flagFields are the bit-flag settings users may write, by e621 name.
var flagFields = map[string]string{
	"description_collapsed_initially": "description_collapsed_initially",
	"hide_comments":                   "hide_comments",
	"receive_email_notifications":     "receive_email_notifications",
	"enable_keyboard_navigation":      "enable_keyboard_navigation",
	"enable_privacy_mode":             "enable_private_favorites",
	"disable_user_dmails":             "disable_user_dmails",
	"blacklist_users":                 "blacklist_users",
	"show_post_statistics":            "show_post_statistics",
	"show_hidden_comments":            "show_hidden_comments",
	"enable_auto_complete":            "enable_auto_complete",
	"enable_safe_mode":                "enable_safe_mode",
	"disable_responsive_mode":         "disable_responsive_mode",
	"forum_notification_dot":          "forum_notification_dot",
	"enable_compact_uploader":         "enable_compact_uploader",
}

// baseKeys are permitted on create and update.
var baseKeys = []string{
	"password", "old_password", "password_confirmation",
	"comment_threshold", "default_image_size", "favorite_tags", "blacklisted_tags",
	"time_zone", "per_page", "custom_style", "description_collapsed_initially", "hide_comments",
	"receive_email_notifications", "enable_keyboard_navigation",
	"enable_privacy_mode", "disable_user_dmails", "blacklist_users", "show_post_statistics",
	"show_hidden_comments", "enable_auto_complete", "enable_safe_mode", "disable_responsive_mode",
	"forum_notification_dot",
}

// permittedKeys lists the scalar keys the caller may send: Members (every
// signed-in, unbanned user) add the profile fields, uploaders with 10+
// uploads the compact uploader, and sign-up adds name and email.
func permittedKeys(caller *core.User, create bool) map[string]bool {
	keys := map[string]bool{}
	for _, k := range baseKeys {
		keys[k] = true
	}
	if caller != nil {
		keys["profile_about"], keys["profile_artinfo"], keys["avatar_id"] = true, true, true
	}
	if !create && caller != nil && caller.PostUploadCount >= 10 {
		keys["enable_compact_uploader"] = true
	}
	if create {
		keys["name"], keys["email"] = true, true
	}
	return keys
}

// permit is params.permit with unpermitted parameters raising: the 403
// message, or "". Keys of dmail_filter_attributes are checked first, as
// Rails filters nested hashes before it checks the top level; a
// non-scalar value for a scalar key is unpermitted.
func permit(user *param, keys map[string]bool) string {
	if d := user.get("dmail_filter_attributes"); d != nil && d.kind == 'h' {
		var bad []string
		for _, k := range d.keys {
			if (k != "id" && k != "words") || !d.hash[k].scalar() {
				bad = append(bad, k)
			}
		}
		if msg := unpermitted(bad); msg != "" {
			return msg
		}
	}
	var bad []string
	for _, k := range user.keys {
		if k == "dmail_filter_attributes" {
			continue
		}
		if !keys[k] || !user.hash[k].scalar() {
			bad = append(bad, k)
		}
	}
	return unpermitted(bad)
}

// userInput reads the permitted user hash.
type userInput struct{ *param }

// text returns a key's value and whether it was sent (nil reads as "").
func (in userInput) text(k string) (string, bool) {
	v := in.get(k)
	if v == nil {
		return "", false
	}
	return v.value(), true
}

// checkConfirmation is Rails' confirmation validator: a password
// confirmation that was sent (and is not null) must equal the password,
// an absent password included. It returns the confirmation.
func (in userInput) checkConfirmation(errs *fieldErrors) string {
	c := in.get("password_confirmation")
	if c == nil || c.kind == 'n' {
		return ""
	}
	p := in.get("password")
	if p == nil || p.kind == 'n' || p.value() != c.value() {
		errs.add("password_confirmation", "doesn't match Password")
	}
	return c.value()
}

// intCast is ActiveModel's integer cast of a string: "" is nil, anything
// else to_i.
func intCast(s string) (int64, bool) {
	if strings.TrimSpace(s) == "" {
		return 0, false
	}
	return ruby.ToI(s), true
}

var integerRE = regexp.MustCompile(`^[+-]?\d+$`)

// flagValue is HasBitFlags' setter: true iff the text contains "t", "1"
// or "y" (case-sensitive: "on" and "True" are false).
func flagValue(s string) bool { return strings.ContainsAny(s, "t1y") }

func tooLong(n int) string {
	return "is too long (maximum is " + strconv.Itoa(n) + " characters)"
}

// maxFavoriteTagsChars is the store's limit on favorite_tags.
const maxFavoriteTagsChars = 100000

// validateSettings checks and maps the settings keys into p, adding
// failures to errs in user.rb's validation order; passwords validates the
// password keys at their place in that order.
func (in userInput) validateSettings(caller *core.User, p core.Patch, errs *fieldErrors, passwords func()) {
	if v, ok := in.text("default_image_size"); ok {
		switch v {
		case "large", "fit", "fitv", "original":
			p["default_image_size"] = v
		default:
			errs.add("default_image_size", "is not included in the list")
		}
	}
	if v, ok := in.text("per_page"); ok {
		n, ok := intCast(v)
		if !ok || n < 1 || n > maxLimit {
			errs.add("per_page", "is not included in the list")
		} else {
			p["per_page"] = n
		}
	}
	if v, ok := in.text("comment_threshold"); ok {
		n, present := intCast(v)
		raw := strings.TrimSpace(v)
		switch {
		case !present:
			errs.add("comment_threshold", "can't be blank")
			errs.add("comment_threshold", "is not a number")
		case !integerRE.MatchString(raw) && isNumber(raw):
			errs.add("comment_threshold", "must be an integer")
		case !integerRE.MatchString(raw):
			errs.add("comment_threshold", "is not a number")
		case n >= 50000:
			errs.add("comment_threshold", "must be less than 50000")
		case n <= -50000:
			errs.add("comment_threshold", "must be greater than -50000")
		default:
			p["comment_threshold"] = n
		}
	}
	passwords()
	if v, ok := in.text("blacklisted_tags"); ok {
		v = strings.ReplaceAll(v, "\r\n", "\n")
		if utf8.RuneCountInString(v) > 150000 {
			errs.add("blacklisted_tags", tooLong(150000))
		} else {
			p["blacklisted_tags"] = v
		}
	}
	if v, ok := in.text("favorite_tags"); ok {
		tags := uniqueFields(v)
		joined := strings.Join(tags, " ")
		switch {
		case len(tags) > 200:
			errs.add("favorite_tags", "has too many tags (maximum is 200)")
		case utf8.RuneCountInString(joined) > maxFavoriteTagsChars:
			errs.add("favorite_tags", tooLong(maxFavoriteTagsChars))
		case joined == "":
			p["favorite_tags"] = nil
		default:
			p["favorite_tags"] = joined
		}
	}
	if v, ok := in.text("custom_style"); ok {
		switch {
		case utf8.RuneCountInString(v) > 500000:
			errs.add("custom_style", tooLong(500000))
		case v == "":
			p["custom_style"] = nil
		default:
			p["custom_style"] = v
		}
	}
	for _, f := range [...]struct{ key, field string }{{"profile_about", "bio"}, {"profile_artinfo", "artist_info"}} {
		if v, ok := in.text(f.key); ok {
			v = strings.ReplaceAll(v, "\r\n", "\n")
			switch {
			case utf8.RuneCountInString(v) > 50000:
				errs.add(f.key, tooLong(50000))
			case v == "":
				p[f.field] = nil
			default:
				p[f.field] = v
			}
		}
	}
	if v, ok := in.text("time_zone"); ok {
		// e621 validates against Rails zone names only.
		if iana, rails, ok := railstz.Parse(v, false); ok {
			p["timezone"], p["timezone_rails"] = iana, *rails
		} else {
			errs.add("time_zone", "is not included in the list")
		}
	}
	// Settings without validations.
	for key, field := range flagFields {
		if v, ok := in.text(key); ok {
			p[field] = flagValue(v)
		}
	}
	if caller.IsStaff() {
		if _, ok := p["disable_user_dmails"]; ok {
			p["disable_user_dmails"] = false // staff cannot disable dmails
		}
	}
	if v, ok := in.text("avatar_id"); ok {
		// A post id; anything that is not one is cleared silently, as
		// e621ng blanks avatars of nonexistent posts.
		if n, ok := intCast(v); ok && n > 0 {
			p["avatar_post_id"] = n
		} else {
			p["avatar_post_id"] = nil
		}
	}
	if d := in.get("dmail_filter_attributes"); d != nil && d.kind == 'h' {
		if w := d.get("words"); w != nil {
			words := w.value()
			if utf8.RuneCountInString(words) > 10000 {
				errs.add("dmail_filter.words", tooLong(10000))
			} else {
				p["dmail_filter_words"] = words
			}
		}
	}
}

var numberRE = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// isNumber is Rails' numericality parse of a raw value.
func isNumber(s string) bool { return numberRE.MatchString(s) }

// uniqueFields splits tags on white space, dropping repeats.
func uniqueFields(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.Fields(s) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// Name rules of e621ng's UserNameValidator (B.10.2), all reported together.
var (
	nameCharsRE     = regexp.MustCompile(`^[a-zA-Z0-9\-_~']+$`)
	nameStartRE     = regexp.MustCompile(`^[_\-~']`)
	nameRepeatRE    = regexp.MustCompile(`__|--|~~|''`)
	nameDigitsRE    = regexp.MustCompile(`^[0-9]+$`)
	reservedNames   = []string{"me", "home", "settings"}
	staffNameTokens = []string{"system", "automod", "admin", "moderator", "_mod", "mod_", "janitor", "staff", "support"}
)

// checkName validates a new account's name.
func (h *handler) checkName(r *http.Request, name string, errs *fieldErrors) {
	if strings.TrimSpace(name) == "" {
		errs.add("name", "can't be blank")
		return
	}
	if !nameDigitsRE.MatchString(name) {
		if _, err := h.svc.GetUserByName(r.Context(), core.System, normalizeName(name)); err == nil {
			errs.add("name", "already exists")
		}
	}
	if n := utf8.RuneCountInString(name); n < 2 || n > 20 {
		errs.add("name", "must be 2 to 20 characters long")
	}
	if !nameCharsRE.MatchString(name) {
		errs.add("name", "must contain only alphanumeric characters, hyphens, apostrophes, tildes and underscores")
	}
	if nameStartRE.MatchString(name) {
		errs.add("name", "must not begin with a special character")
	}
	if nameRepeatRE.MatchString(name) {
		errs.add("name", "must not contain consecutive special characters")
	}
	if strings.HasPrefix(name, "_") || strings.HasSuffix(name, "_") {
		errs.add("name", "cannot begin or end with an underscore")
	}
	if nameDigitsRE.MatchString(name) {
		errs.add("name", "cannot consist of numbers only")
	}
	lower := strings.ToLower(name)
	// usersd also reserves user_<digits>, the name account deletion gives
	// (spec/fields.md Q9).
	if contains(reservedNames, lower) || core.CheckName(name) == "is reserved" {
		errs.add("name", "cannot be one of the reserved words")
	}
	var staff []string
	for _, t := range staffNameTokens {
		if strings.Contains(lower, t) {
			staff = append(staff, t)
		}
	}
	if len(staff) > 0 {
		errs.add("name", `cannot contain "`+strings.Join(staff, ", ")+`"`)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// checkPassword is user.rb's length and password_is_secure validations.
func (h *handler) checkPassword(password, name, email string, errs *fieldErrors) {
	if utf8.RuneCountInString(password) < 8 {
		errs.add("password", "is too short (minimum is 8 characters)")
	}
	if len(password) > core.MaxPasswordBytes {
		errs.add("password", "is too long (maximum is "+strconv.Itoa(core.MaxPasswordBytes)+" bytes)")
		return
	}
	if insecure, warning := weakPassword(password, name, email); insecure {
		if warning != "" {
			errs.add("password", "is insecure: "+warning)
		} else {
			errs.add("password", "is insecure")
		}
	}
}
