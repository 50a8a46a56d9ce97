package danbooru

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/railstz"
)

// This file renders users as Danbooru's serializers do (spec §6, §7):
// ActiveRecord's serializable_hash as filtered by UserPolicy#api_attributes,
// then to_json or to_xml.

// valueKind is the Ruby type of a serialized value.
type valueKind uint8

const (
	vNull valueKind = iota
	vInt
	vBool
	vString
	vTime
	vInf // Float::INFINITY: JSON null, XML <x type="float">Infinity</x>
	vIP  // a Danbooru::IpAddress: a string in JSON
	vObject
	vArray
)

type value struct {
	kind valueKind
	i    int64
	b    bool
	s    string
	t    time.Time
	obj  *object
	arr  []*object
	// xtype is the XML type attribute of a column value, which XML keeps
	// even for nil; "" for string columns and for methods, whose type
	// comes from the value.
	xtype string
	// column marks a users column (typed by its column type in XML).
	column bool
}

type field struct {
	key string
	v   value
}

// object is one serialized hash in key order.
type object struct {
	fields []field
	// nested objects are rendered by Hash#to_xml, which types every value
	// by its Ruby class (nil carries no type).
	nested bool
}

func (o *object) add(key string, v value) { o.fields = append(o.fields, field{key, v}) }

func null() value                 { return value{kind: vNull} }
func intValue(n int64) value      { return value{kind: vInt, i: n} }
func boolValue(b bool) value      { return value{kind: vBool, b: b} }
func stringValue(s string) value  { return value{kind: vString, s: s} }
func timeValue(t time.Time) value { return value{kind: vTime, t: t} }

func optString(p *string) value {
	if p == nil {
		return null()
	}
	return stringValue(*p)
}

func optTime(p *time.Time) value {
	if p == nil || p.IsZero() {
		return null()
	}
	return timeValue(*p)
}

// column describes one users column as Danbooru's table has it, in table
// order (db/structure.sql), with its XML type and its getter.
type column struct {
	name  string
	xtype string
	get   func(u *core.User) value
}

// danbooruEpoch is last_forum_read_at's default, 1960-01-01 00:00 in the
// application zone (US Eastern), shown for a user whose column is unset.
var danbooruEpoch = time.Date(1960, 1, 1, 0, 0, 0, 0, railstz.Location(nil))

var columns = []column{
	{"id", "integer", func(u *core.User) value {
		if u.ID == 0 {
			return null() // the anonymous pseudo-user
		}
		return intValue(u.ID)
	}},
	{"created_at", "dateTime", func(u *core.User) value { return timeValue(u.CreatedAt) }},
	{"updated_at", "dateTime", func(u *core.User) value { return optTime(&u.UpdatedAt) }},
	{"name", "", func(u *core.User) value { return stringValue(u.Name) }},
	{"inviter_id", "integer", func(u *core.User) value {
		if u.InviterID == nil {
			return null()
		}
		return intValue(*u.InviterID)
	}},
	{"level", "integer", func(u *core.User) value { return intValue(int64(u.Level)) }},
	{"last_logged_in_at", "dateTime", func(u *core.User) value { return optTime(u.LastLoginAt) }},
	{"last_forum_read_at", "dateTime", func(u *core.User) value {
		if u.LastForumReadAt == nil {
			return timeValue(danbooruEpoch)
		}
		return timeValue(*u.LastForumReadAt)
	}},
	{"post_upload_count", "integer", func(u *core.User) value { return intValue(u.PostUploadCount) }},
	{"post_update_count", "integer", func(u *core.User) value { return intValue(u.PostUpdateCount) }},
	{"note_update_count", "integer", func(u *core.User) value { return intValue(u.NoteUpdateCount) }},
	{"favorite_count", "integer", func(u *core.User) value { return intValue(u.FavoriteCount) }},
	// Values other faces wrote are shown clamped to Danbooru's domain
	// (spec/fields.md §3.0.6).
	{"comment_threshold", "integer", func(u *core.User) value { return intValue(min(max(u.CommentThreshold, -100), 5)) }},
	{"default_image_size", "", func(u *core.User) value {
		if u.DefaultImageSize != "original" {
			return stringValue("large")
		}
		return stringValue("original")
	}},
	{"favorite_tags", "", func(u *core.User) value { return optString(u.FavoriteTags) }},
	{"blacklisted_tags", "", func(u *core.User) value { return stringValue(u.BlacklistedTags) }},
	{"time_zone", "", func(u *core.User) value { return stringValue(railstz.Render(u.Timezone, u.TimezoneRails)) }},
	{"per_page", "integer", func(u *core.User) value { return intValue(min(max(u.PerPage, 1), 200)) }},
	{"custom_style", "", func(u *core.User) value { return optString(u.CustomStyle) }},
	{"last_ip_addr", "inet", func(u *core.User) value {
		if !u.LastIP.IsValid() {
			return null()
		}
		return value{kind: vIP, s: u.LastIP.Unmap().String()}
	}},
	// theme is an enum over an integer column: Rails' XML serializer
	// takes the column's type and the enum's label.
	{"theme", "integer", func(u *core.User) value { return stringValue(u.Theme) }},
	{"is_deleted", "boolean", func(u *core.User) value { return boolValue(u.Deleted) }},
}

var columnByName = func() map[string]*column {
	m := map[string]*column{}
	for i := range columns {
		m[columns[i].name] = &columns[i]
	}
	return m
}()

// levelStrings is User.level_hash (spec §3.1).
var levelStrings = map[int]string{
	10: "Restricted", 20: "Member", 30: "Gold", 31: "Platinum", 32: "Builder",
	35: "Contributor", 37: "Approver", 40: "Moderator", 50: "Admin", 60: "Owner",
}

func infinity() value { return value{kind: vInf} }

// methods are the serialized values that are not columns.
var methods = map[string]func(u *core.User) value{
	"level_string": func(u *core.User) value {
		if s, ok := levelStrings[u.Level]; ok {
			return stringValue(s)
		}
		return null()
	},
	"is_banned":                          func(u *core.User) value { return boolValue(u.Banned) },
	"receive_email_notifications":        func(u *core.User) value { return boolValue(u.ReceiveEmailNotifications) },
	"new_post_navigation_layout":         func(u *core.User) value { return boolValue(u.NewPostNavigationLayout) },
	"enable_private_favorites":           func(u *core.User) value { return boolValue(u.EnablePrivateFavorites) },
	"show_deleted_children":              func(u *core.User) value { return boolValue(u.ShowDeletedChildren) },
	"disable_categorized_saved_searches": func(u *core.User) value { return boolValue(u.DisableCategorizedSavedSearches) },
	"disable_tagged_filenames":           func(u *core.User) value { return boolValue(u.DisableTaggedFilenames) },
	"disable_mobile_gestures":            func(u *core.User) value { return boolValue(u.DisableMobileGestures) },
	"enable_safe_mode":                   func(u *core.User) value { return boolValue(u.EnableSafeMode) },
	"enable_desktop_mode":                func(u *core.User) value { return boolValue(u.EnableDesktopMode) },
	"disable_post_tooltips":              func(u *core.User) value { return boolValue(u.DisablePostTooltips) },
	"requires_verification":              func(u *core.User) value { return boolValue(u.RequiresVerification) },
	"is_verified":                        func(u *core.User) value { return boolValue(u.EmailVerified) },
	"show_deleted_posts":                 func(u *core.User) value { return boolValue(u.ShowDeletedPosts) },
	"statement_timeout": func(u *core.User) value {
		switch {
		case u.Level >= core.LevelPlatinum:
			return intValue(9000)
		case u.Level == core.LevelGold:
			return intValue(6000)
		}
		return intValue(3000)
	},
	"favorite_group_limit": func(u *core.User) value {
		if u.Level >= core.LevelGold {
			return infinity()
		}
		return intValue(10)
	},
	"tag_query_limit": func(u *core.User) value {
		switch {
		case u.Level >= core.LevelPlatinum:
			return infinity()
		case u.Level == core.LevelGold:
			return intValue(6)
		}
		return intValue(2)
	},
	"max_saved_searches": func(u *core.User) value {
		switch {
		case u.Level >= core.LevelBuilder:
			return infinity()
		case u.Level >= core.LevelGold:
			return intValue(1000)
		}
		return intValue(250)
	},
	// The show-only counts (User#full_attributes).
	"wiki_page_version_count":         func(u *core.User) value { return intValue(u.WikiPageVersionCount) },
	"artist_version_count":            func(u *core.User) value { return intValue(u.ArtistVersionCount) },
	"artist_commentary_version_count": func(u *core.User) value { return intValue(u.ArtistCommentaryVersionCount) },
	"pool_version_count":              func(u *core.User) value { return intValue(u.PoolVersionCount) },
	"forum_post_count":                func(u *core.User) value { return intValue(u.ForumPostCount) },
	"comment_count":                   func(u *core.User) value { return intValue(u.CommentCount) },
	"favorite_group_count":            func(u *core.User) value { return intValue(u.FavoriteGroupCount) },
	"appeal_count":                    func(u *core.User) value { return intValue(u.AppealCount) },
	"flag_count":                      func(u *core.User) value { return intValue(u.FlagCount) },
	"positive_feedback_count":         func(u *core.User) value { return intValue(u.PositiveFeedbackCount) },
	"neutral_feedback_count":          func(u *core.User) value { return intValue(u.NeutralFeedbackCount) },
	"negative_feedback_count":         func(u *core.User) value { return intValue(u.NegativeFeedbackCount) },
}

// fullAttributes are the counts show and /profile add (User#full_attributes).
var fullAttributes = []string{
	"wiki_page_version_count", "artist_version_count", "artist_commentary_version_count", "pool_version_count",
	"forum_post_count", "comment_count", "favorite_group_count", "appeal_count", "flag_count",
	"positive_feedback_count", "neutral_feedback_count", "negative_feedback_count",
}

// activeBooleans is User::ACTIVE_BOOLEAN_ATTRIBUTES in bit order.
var activeBooleans = []string{
	"is_banned", "receive_email_notifications", "new_post_navigation_layout", "enable_private_favorites",
	"show_deleted_children", "disable_categorized_saved_searches", "disable_tagged_filenames",
	"disable_mobile_gestures", "enable_safe_mode", "enable_desktop_mode", "disable_post_tooltips",
	"requires_verification", "is_verified", "show_deleted_posts",
}

// renderer serializes users for one viewer.
type renderer struct {
	viewer   *core.User // nil: anonymous
	loc      *time.Location
	inviters map[int64]*core.User // for only=inviter
}

func newRenderer(viewer *core.User) *renderer {
	var tz *string
	if viewer != nil {
		tz = viewer.Timezone
	}
	return &renderer{viewer: viewer, loc: railstz.Location(tz), inviters: map[int64]*core.User{}}
}

// isSelf is UserPolicy's record.id == user.id; the anonymous pseudo-user
// (id 0) is "self" to an anonymous viewer, as nil == nil upstream.
func (rd *renderer) isSelf(u *core.User) bool {
	if rd.viewer == nil {
		return u.ID == 0
	}
	return rd.viewer.ID == u.ID
}

// apiAttributes is UserPolicy#api_attributes for the viewer on u.
func (rd *renderer) apiAttributes(u *core.User) []string {
	a := []string{"id", "created_at", "name", "inviter_id", "level", "level_string",
		"post_upload_count", "post_update_count", "note_update_count", "is_banned", "is_deleted"}
	if rd.isSelf(u) {
		a = append(a, activeBooleans...)
		a = append(a, "updated_at", "last_logged_in_at", "last_forum_read_at", "comment_threshold",
			"default_image_size", "favorite_tags", "blacklisted_tags", "time_zone", "per_page", "custom_style",
			"favorite_count", "statement_timeout", "favorite_group_limit", "tag_query_limit", "max_saved_searches", "theme")
	}
	if rd.viewer.IsStaff() {
		a = append(a, "last_ip_addr")
	}
	return a
}

// partition splits attribute names into columns (in table order) and
// methods (in the order given), without duplicates.
func partition(names []string) (cols []string, meths []string) {
	want := map[string]bool{}
	for _, n := range names {
		if columnByName[n] != nil {
			want[n] = true
		} else if !slices.Contains(meths, n) {
			meths = append(meths, n)
		}
	}
	for _, c := range columns {
		if want[c.name] {
			cols = append(cols, c.name)
		}
	}
	return cols, meths
}

// onlyItem is one entry of an only= list: a field name, or an include
// with an optional nested list.
type onlyItem struct {
	name   string
	sub    []onlyItem
	hasSub bool
}

var onlyItemRE = regexp.MustCompile(`(\w+)\[(.+?)\]$`)

// parseOnly reads an only= value (ParameterBuilder.split_only_string):
// commas separate items except inside brackets.
func parseOnly(s string) []onlyItem { return parseOnlyDepth(s, 0) }

// maxOnlyDepth bounds bracket nesting; only one level of includes is ever
// rendered, and deeper lists would only cost time.
const maxOnlyDepth = 4

func parseOnlyDepth(s string, depth int) []onlyItem {
	var out []onlyItem
	for _, part := range splitOnly(s) {
		it := onlyItem{name: part}
		if m := onlyItemRE.FindStringSubmatch(part); m != nil {
			it = onlyItem{name: m[1], hasSub: true}
			if depth < maxOnlyDepth {
				it.sub = parseOnlyDepth(m[2], depth+1)
			}
		}
		out = append(out, it)
	}
	return out
}

func splitOnly(s string) []string {
	var out []string
	level, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',':
			if level == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		case '[':
			level++
		case ']':
			level--
		}
	}
	return append(out, s[start:])
}

// userOptions say what one serialization includes.
type userOptions struct {
	show    bool       // add the full_attributes counts (show, /profile)
	only    []onlyItem // only= items
	hasOnly bool
	nested  bool // an included record (no further inviter include)
}

// user serializes u as the viewer sees it.
func (rd *renderer) user(u *core.User, opt userOptions) *object {
	o := &object{nested: opt.nested}
	visible := rd.apiAttributes(u)
	var cols, meths []string
	type include struct {
		name string
		sub  []onlyItem
		has  bool
	}
	var includes []include
	if !opt.hasOnly {
		cols, meths = partition(visible)
		if opt.show {
			meths = append(meths, fullAttributes...)
		}
	} else {
		visibleSet := map[string]bool{}
		for _, n := range visible {
			visibleSet[n] = true
		}
		var names []string
		for _, it := range opt.only {
			switch {
			case it.name == "inviter" && !opt.nested:
				if !slices.ContainsFunc(includes, func(i include) bool { return i.name == "inviter" }) {
					includes = append(includes, include{"inviter", it.sub, it.hasSub})
				}
			case it.name == "bans":
				if !slices.ContainsFunc(includes, func(i include) bool { return i.name == "bans" }) {
					includes = append(includes, include{name: "bans"})
				}
			case visibleSet[it.name]:
				names = append(names, it.name)
			}
		}
		cols, meths = partition(names)
	}
	for _, c := range cols {
		col := columnByName[c]
		v := col.get(u)
		v.xtype, v.column = col.xtype, true
		o.add(c, v)
	}
	for _, m := range meths {
		o.add(m, methods[m](u))
	}
	for _, inc := range includes {
		switch inc.name {
		case "inviter":
			if u.InviterID == nil {
				continue
			}
			inv := rd.inviters[*u.InviterID]
			if inv == nil {
				continue
			}
			sub := userOptions{nested: true}
			if inc.has {
				sub.only, sub.hasOnly = inc.sub, true
			}
			o.add("inviter", value{kind: vObject, obj: rd.user(inv, sub)})
		case "bans":
			o.add("bans", value{kind: vArray}) // usersd keeps no ban records (fields.md Q1)
		}
	}
	return o
}

// wantsInviters reports whether an only= list asks for the inviter.
func wantsInviters(items []onlyItem) bool {
	return slices.ContainsFunc(items, func(it onlyItem) bool { return it.name == "inviter" })
}

// appendJSON writes o as Rails' to_json does (no spaces, no HTML escaping).
func (rd *renderer) appendJSON(b *bytes.Buffer, o *object) {
	b.WriteByte('{')
	for i, f := range o.fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonString(f.key))
		b.WriteByte(':')
		rd.appendJSONValue(b, f.v)
	}
	b.WriteByte('}')
}

func (rd *renderer) appendJSONValue(b *bytes.Buffer, v value) {
	switch v.kind {
	case vNull, vInf:
		b.WriteString("null")
	case vInt:
		b.WriteString(strconv.FormatInt(v.i, 10))
	case vBool:
		b.WriteString(strconv.FormatBool(v.b))
	case vString, vIP:
		b.WriteString(jsonString(v.s))
	case vTime:
		b.WriteString(`"` + railstz.JSON(v.t, rd.loc) + `"`)
	case vObject:
		rd.appendJSON(b, v.obj)
	case vArray:
		b.WriteByte('[')
		for i, o := range v.arr {
			if i > 0 {
				b.WriteByte(',')
			}
			rd.appendJSON(b, o)
		}
		b.WriteByte(']')
	}
}

// writeXML writes o as an element named root.
func (rd *renderer) writeXML(x *xmlWriter, root string, o *object) {
	x.open(root, nil)
	for _, f := range o.fields {
		rd.writeXMLValue(x, dasherize(f.key), f.v, o.nested)
	}
	x.close(root)
}

func (rd *renderer) writeXMLValue(x *xmlWriter, key string, v value, nested bool) {
	typ := v.xtype
	if nested || !v.column {
		// Hash#to_xml and method attributes: the type is the value's class.
		typ = ""
		switch v.kind {
		case vInt:
			typ = "integer"
		case vBool:
			typ = "boolean"
		case vTime:
			typ = "dateTime"
		case vInf:
			typ = "float"
		case vIP:
			if nested {
				typ = "Danbooru::IpAddress"
			}
		}
	}
	var as []xmlAttr
	if typ != "" {
		as = attrs("type", typ)
	}
	switch v.kind {
	case vNull:
		x.empty(key, append(as, xmlAttr{"nil", "true"}))
	case vInt:
		x.leaf(key, as, strconv.FormatInt(v.i, 10))
	case vBool:
		x.leaf(key, as, strconv.FormatBool(v.b))
	case vString, vIP:
		x.leaf(key, as, v.s)
	case vTime:
		x.leaf(key, as, railstz.XML(v.t, rd.loc))
	case vInf:
		x.leaf(key, as, "Infinity")
	case vObject:
		rd.writeXML(x, key, v.obj)
	case vArray:
		if len(v.arr) == 0 {
			x.empty(key, attrs("type", "array"))
			return
		}
		x.open(key, attrs("type", "array"))
		for _, o := range v.arr {
			rd.writeXML(x, singular(key), o)
		}
		x.close(key)
	}
}

func singular(key string) string {
	if len(key) > 1 && key[len(key)-1] == 's' {
		return key[:len(key)-1]
	}
	return key
}

// writeUser answers with one user in the request's format.
func writeUser(w http.ResponseWriter, rq *request, status int, rd *renderer, o *object) {
	switch rq.format {
	case "xml":
		x := newXMLWriter()
		rd.writeXML(x, "user", o)
		writeBody(w, rq, status, contentXML, x.bytes())
	case "json":
		var b bytes.Buffer
		rd.appendJSON(&b, o)
		writeBody(w, rq, status, contentJSON, b.Bytes())
	default:
		var b bytes.Buffer
		rd.appendJSON(&b, o)
		writeHTMLPage(w, rq, status, "User", b.Bytes())
	}
}

// writeUsers answers with a list of users in the request's format.
func writeUsers(w http.ResponseWriter, rq *request, rd *renderer, objs []*object) {
	switch rq.format {
	case "xml":
		x := newXMLWriter()
		if len(objs) == 0 {
			x.empty("users", attrs("type", "array"))
		} else {
			x.open("users", attrs("type", "array"))
			for _, o := range objs {
				rd.writeXML(x, "user", o)
			}
			x.close("users")
		}
		writeBody(w, rq, http.StatusOK, contentXML, x.bytes())
	default:
		var b bytes.Buffer
		b.WriteByte('[')
		for i, o := range objs {
			if i > 0 {
				b.WriteByte(',')
			}
			rd.appendJSON(&b, o)
		}
		b.WriteByte(']')
		if rq.format == "json" {
			writeBody(w, rq, http.StatusOK, contentJSON, b.Bytes())
			return
		}
		writeHTMLPage(w, rq, http.StatusOK, "Users", b.Bytes())
	}
}

// writeHTMLPage is the face's minimal HTML: the JSON document in a page.
// usersd serves the API, not Danbooru's site (see doc.go).
func writeHTMLPage(w http.ResponseWriter, rq *request, status int, title string, jsonBody []byte) {
	page := "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + title + " - usersd</title></head><body><pre>" +
		htmlEscape(string(jsonBody)) + "</pre></body></html>\n"
	writeBody(w, rq, status, contentHTML, []byte(page))
}
