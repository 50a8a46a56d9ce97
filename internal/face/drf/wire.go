package drf

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/face/paging"
	"usersd/internal/httpx"
)

// page is {count, next, previous, results}.
func (h *handler) page(r *http.Request, pg *core.Page, rels relations, links paging.Links) doc.Value {
	o := doc.NewObject()
	o.Add("count", doc.Int(int64(pg.Total)))
	o.Add("next", link(links.Next))
	o.Add("previous", link(links.Previous))
	items := make([]doc.Value, len(pg.Users))
	for i, u := range pg.Users {
		items[i] = h.user(r, u, rels)
	}
	o.Add("results", doc.Array(items...))
	return doc.Obj(o)
}

func link(s string) doc.Value {
	if s == "" {
		return doc.Null()
	}
	return doc.String(s)
}

// stamp is DRF's DateTimeField.to_representation: isoformat(), "Z" for
// UTC, microseconds only when non-zero.
func stamp(t time.Time) doc.Value {
	t = t.UTC().Truncate(time.Microsecond)
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return doc.String(s + "Z")
}

func stampOrNull(t *time.Time) doc.Value {
	if t == nil {
		return doc.Null()
	}
	return stamp(*t)
}

// object is a JSON object column: {} when empty or hidden.
func object(raw []byte) doc.Value {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return doc.Raw([]byte("{}"))
	}
	return doc.Raw(raw)
}

// user is one user as the seed lists its fields (spec/drf.md §5.1,
// spec/fields.md §3.6), keys sorted as DRF's example shows them. Fields
// the profile hides from the viewer come out empty: "" or null, false,
// {} or [].
func (h *handler) user(r *http.Request, u *core.User, rels relations) doc.Value {
	o := doc.NewObject()
	o.Add("attributes", object(u.Attributes))
	o.Add("attributes_kwargs", object(u.AttributesKwargs))
	avatar := doc.Null()
	if u.Avatar != nil && *u.Avatar != "" && u.XID != "" {
		base := httpx.AbsoluteURL(r, "")
		base = base[:len(base)-len(httpx.MountPrefix(r.Context()))]
		avatar = doc.String(base + h.media + "/users/" + u.XID + "/" + *u.Avatar + ".webp")
	}
	o.Add("avatar", avatar)
	o.Add("call_allowed", doc.Bool(u.CallAllowed))
	o.Add("date_joined", stamp(u.CreatedAt))
	dob := doc.Null()
	if u.DateOfBirth != nil {
		dob = doc.String(string(*u.DateOfBirth))
	}
	o.Add("date_of_birth", dob)
	email := ""
	if u.Email != nil {
		email = *u.Email
	}
	o.Add("email", doc.String(email))
	o.Add("email_allowed", doc.Bool(u.EmailAllowed))
	o.Add("first_name", doc.String(u.FirstName))
	o.Add("gender", doc.StringOrNull(u.Gender))
	groups := []doc.Value{}
	for _, g := range rels.groups[u.ID] {
		groups = append(groups, doc.Int(g.ID))
	}
	o.Add("groups", doc.Array(groups...))
	o.Add("id", doc.Int(u.ID))
	o.Add("is_active", doc.Bool(u.Active && !u.Deleted))
	o.Add("is_anonymized", doc.Bool(u.Anonymized))
	o.Add("is_staff", doc.Bool(u.Level >= core.LevelModerator))
	o.Add("is_superuser", doc.Bool(u.Level >= core.LevelAdmin))
	o.Add("language_code", doc.String(u.Language))
	o.Add("last_login", stampOrNull(u.LastLoginAt))
	o.Add("last_name", doc.String(u.LastName))
	o.Add("localized_attributes", object(u.LocalizedAttributes))
	o.Add("localized_attributes_kwargs", object(u.LocalizedAttributesKwargs))
	o.Add("modified_date", stamp(u.UpdatedAt))
	o.Add("phone", doc.StringOrNull(u.Phone))
	o.Add("pk", doc.Int(u.ID))
	o.Add("sms_allowed", doc.Bool(u.SMSAllowed))
	perms := []doc.Value{}
	for _, p := range rels.perms[u.ID] {
		perms = append(perms, doc.Int(p.ID))
	}
	o.Add("user_permissions", doc.Array(perms...))
	o.Add("user_type", doc.String(u.UserType))
	o.Add("username", doc.String(u.Name))
	return doc.Obj(o)
}
