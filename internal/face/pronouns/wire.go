package pronouns

import (
	"encoding/json"
	"slices"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
)

// Mapping (spec/fields.md §3.4), wire key → canonical:
//
//	id                  xid
//	sid, name, display_name, bio, member_title, avatar, links,
//	custom_preferences  same
//	names               preferred_names
//	pronouns            pronouns
//	fields              profile_fields
//	flags               Face.ProfileFlags: {id: xid, hash, name, description}
//	members             Face.ProfileMembers, partial shape (§7.3)
//	badges              1 if level ≥ 50 else 0 (§3.0.1)
//	utc_offset          User.UTCOffset of timezone, now (§3.0.4)
//	owner only (§7.2, keys absent for others):
//	created_at          created_at
//	timezone            timezone
//	is_admin            level ≥ 50
//	list_private        list_private
//	last_sid_reroll     last_sid_reroll_at
//	discord…fediverse_instance  Face.LinkedAccounts (remote_id,
//	                    remote_username, instance); null when unlinked

const contentJSON = "application/json"

// wireJSON is chi's render.JSON: Go's encoding/json with HTML escaping,
// times in RFC 3339 with nanoseconds.
var wireJSON = doc.JSON{EscapeHTML: true}

// fieldEntry is a names[] or fields[].entries[] item.
type fieldEntry struct {
	Value  string `json:"value"`
	Status string `json:"status"`
}

// pronounEntry is a pronouns[] item.
type pronounEntry struct {
	Pronouns    string  `json:"pronouns"`
	DisplayText *string `json:"display_text"`
	Status      string  `json:"status"`
}

// field is a fields[] item.
type field struct {
	Name    string       `json:"name"`
	Entries []fieldEntry `json:"entries"`
}

// customPreference is a custom_preferences value.
type customPreference struct {
	Icon      string `json:"icon"`
	Tooltip   string `json:"tooltip"`
	Size      string `json:"size"`
	Muted     bool   `json:"muted"`
	Favourite bool   `json:"favourite"`
}

// Stored JSON columns are decoded and rendered again, so that the wire
// keeps pronouns.cc's key order and shapes whichever face wrote them; a
// column that does not decode renders as empty.

func linksValue(raw json.RawMessage) doc.Value {
	var links []string
	json.Unmarshal(raw, &links)
	vs := make([]doc.Value, len(links))
	for i, l := range links {
		vs[i] = doc.String(l)
	}
	return doc.Array(vs...)
}

func fieldEntryValue(e fieldEntry) doc.Value {
	o := doc.NewObject()
	o.Add("value", doc.String(e.Value))
	o.Add("status", doc.String(e.Status))
	return doc.Obj(o)
}

func namesValue(raw json.RawMessage) doc.Value {
	var es []fieldEntry
	json.Unmarshal(raw, &es)
	vs := make([]doc.Value, len(es))
	for i, e := range es {
		vs[i] = fieldEntryValue(e)
	}
	return doc.Array(vs...)
}

func pronounsValue(raw json.RawMessage) doc.Value {
	var es []pronounEntry
	json.Unmarshal(raw, &es)
	vs := make([]doc.Value, len(es))
	for i, e := range es {
		o := doc.NewObject()
		o.Add("pronouns", doc.String(e.Pronouns))
		o.Add("display_text", doc.StringOrNull(e.DisplayText))
		o.Add("status", doc.String(e.Status))
		vs[i] = doc.Obj(o)
	}
	return doc.Array(vs...)
}

func fieldsValue(raw json.RawMessage) doc.Value {
	var fs []field
	json.Unmarshal(raw, &fs)
	vs := make([]doc.Value, len(fs))
	for i, f := range fs {
		es := make([]doc.Value, len(f.Entries))
		for j, e := range f.Entries {
			es[j] = fieldEntryValue(e)
		}
		o := doc.NewObject()
		o.Add("name", doc.String(f.Name))
		o.Add("entries", doc.Array(es...))
		vs[i] = doc.Obj(o)
	}
	return doc.Array(vs...)
}

func customPreferencesValue(raw json.RawMessage) doc.Value {
	var m map[string]customPreference
	json.Unmarshal(raw, &m)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	o := doc.NewObject()
	for _, k := range keys {
		o.Add(k, customPreferenceValue(m[k]))
	}
	return doc.Obj(o)
}

func customPreferenceValue(p customPreference) doc.Value {
	o := doc.NewObject()
	o.Add("icon", doc.String(p.Icon))
	o.Add("tooltip", doc.String(p.Tooltip))
	o.Add("size", doc.String(p.Size))
	o.Add("muted", doc.Bool(p.Muted))
	o.Add("favourite", doc.Bool(p.Favourite))
	return doc.Obj(o)
}

// flagValue is a pride flag (§7.6).
func flagValue(f *core.PrideFlag) doc.Value {
	o := doc.NewObject()
	o.Add("id", doc.String(f.XID))
	o.Add("hash", doc.String(f.Hash))
	o.Add("name", doc.String(f.Name))
	o.Add("description", doc.StringOrNull(f.Description))
	return doc.Obj(o)
}

func flagsValue(fs []*core.PrideFlag) doc.Value {
	vs := make([]doc.Value, len(fs))
	for i, f := range fs {
		vs[i] = flagValue(f)
	}
	return doc.Array(vs...)
}

// userView is what a user object is rendered from.
type userView struct {
	user    *core.User // redacted for the viewer
	flags   []*core.PrideFlag
	members []*core.Member
	linked  []core.LinkedAccount
	now     time.Time
}

// badges is pronouns.cc's badge bitmask: bit 0 marks administrators.
func badges(u *core.User) int64 {
	if u.Level >= core.LevelAdmin {
		return 1
	}
	return 0
}

// userValue is the user object (§7.1), with the owner-only keys (§7.2)
// when the profile showed the viewer the owner's fields.
func userValue(v userView) doc.Value {
	u := v.user
	o := doc.NewObject()
	o.Add("id", doc.String(u.XID))
	o.Add("sid", doc.String(u.SID))
	o.Add("name", doc.String(u.Name))
	o.Add("display_name", doc.StringOrNull(u.DisplayName))
	o.Add("bio", doc.StringOrNull(u.Bio))
	o.Add("member_title", doc.StringOrNull(u.MemberTitle))
	o.Add("avatar", doc.StringOrNull(u.Avatar))
	o.Add("links", linksValue(u.Links))
	o.Add("names", namesValue(u.PreferredNames))
	o.Add("pronouns", pronounsValue(u.Pronouns))
	o.Add("fields", fieldsValue(u.ProfileFields))
	o.Add("flags", flagsValue(v.flags))
	ms := make([]doc.Value, len(v.members))
	for i, m := range v.members {
		ms[i] = partialMemberValue(m)
	}
	o.Add("members", doc.Array(ms...))
	o.Add("badges", doc.Int(badges(u)))
	if secs, ok := u.UTCOffset(v.now); ok {
		o.Add("utc_offset", doc.Int(int64(secs)))
	} else {
		o.Add("utc_offset", doc.Null())
	}
	o.Add("custom_preferences", customPreferencesValue(u.CustomPreferences))
	if !ownerView(u) {
		return doc.Obj(o)
	}
	o.Add("created_at", doc.Time(u.CreatedAt))
	o.Add("timezone", doc.StringOrNull(u.Timezone))
	o.Add("is_admin", doc.Bool(u.Level >= core.LevelAdmin))
	o.Add("list_private", doc.Bool(u.ListPrivate))
	o.Add("last_sid_reroll", doc.Time(u.LastSIDRerollAt))
	for _, provider := range []string{"discord", "tumblr", "google", "fediverse"} {
		var acct *core.LinkedAccount
		for i := range v.linked {
			if v.linked[i].Provider == provider {
				acct = &v.linked[i]
			}
		}
		if acct == nil {
			o.Add(provider, doc.Null())
			o.Add(provider+"_username", doc.Null())
		} else {
			o.Add(provider, doc.String(acct.RemoteID))
			o.Add(provider+"_username", doc.StringOrNull(acct.RemoteUsername))
		}
		if provider == "fediverse" {
			if acct == nil {
				o.Add("fediverse_instance", doc.Null())
			} else {
				o.Add("fediverse_instance", doc.StringOrNull(acct.Instance))
			}
		}
	}
	return doc.Obj(o)
}

// memberHead adds the keys every member shape starts with (§7.3).
func memberHead(o *doc.Object, m *core.Member) {
	o.Add("id", doc.String(m.XID))
	o.Add("sid", doc.String(m.SID))
	o.Add("name", doc.String(m.Name))
	o.Add("display_name", doc.StringOrNull(m.DisplayName))
	o.Add("bio", doc.StringOrNull(m.Bio))
	o.Add("avatar", doc.StringOrNull(m.Avatar))
	o.Add("links", linksValue(m.Links))
	o.Add("names", namesValue(m.PreferredNames))
	o.Add("pronouns", pronounsValue(m.Pronouns))
}

// partialMemberValue is a member inside user.members (§7.3).
func partialMemberValue(m *core.Member) doc.Value {
	o := doc.NewObject()
	memberHead(o, m)
	return doc.Obj(o)
}

// listMemberValue is a member of GET /users/{ref}/members: the partial
// shape with its flags (§8.6), and unlisted for the owner.
func listMemberValue(m *core.Member, flags []*core.PrideFlag, owner bool) doc.Value {
	o := doc.NewObject()
	memberHead(o, m)
	o.Add("flags", flagsValue(flags))
	if owner {
		o.Add("unlisted", doc.Bool(m.Unlisted))
	}
	return doc.Obj(o)
}

// memberValue is the full member (GET /members/{id}): the partial shape,
// fields, flags, the owner as a partial user, and unlisted for the
// owner.
func memberValue(m *core.Member, flags []*core.PrideFlag, u *core.User, owner bool) doc.Value {
	o := doc.NewObject()
	memberHead(o, m)
	o.Add("fields", fieldsValue(m.ProfileFields))
	o.Add("flags", flagsValue(flags))
	pu := doc.NewObject()
	pu.Add("id", doc.String(u.XID))
	pu.Add("name", doc.String(u.Name))
	pu.Add("display_name", doc.StringOrNull(u.DisplayName))
	pu.Add("avatar", doc.StringOrNull(u.Avatar))
	pu.Add("custom_preferences", customPreferencesValue(u.CustomPreferences))
	o.Add("user", doc.Obj(pu))
	if owner {
		o.Add("unlisted", doc.Bool(m.Unlisted))
	}
	return doc.Obj(o)
}
