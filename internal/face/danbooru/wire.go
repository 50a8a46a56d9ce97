package danbooru

import (
	"math"
	"net/http"
	"regexp"
	"slices"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/face/railstz"
)

// This file renders users as Danbooru's serializers do (spec §6, §7):
// ActiveRecord's serializable_hash as filtered by UserPolicy#api_attributes,
// then to_json or to_xml.

// Values are doc values; a users column's XML type attribute comes from
// its column (see user), a method's from its Ruby class.

func optTime(p *time.Time) doc.Value {
	if p == nil || p.IsZero() {
		return doc.Null()
	}
	return doc.Time(*p)
}

// column describes one users column as Danbooru's table has it, in table
// order (db/structure.sql), with its XML type and its getter.
type column struct {
	name  string
	xtype string
	get   func(u *core.User) doc.Value
}

// danbooruEpoch is last_forum_read_at's default, 1960-01-01 00:00 in the
// application zone (US Eastern), shown for a user whose column is unset.
var danbooruEpoch = time.Date(1960, 1, 1, 0, 0, 0, 0, railstz.Location(nil))

var columns = []column{
	{"id", "integer", func(u *core.User) doc.Value {
		if u.ID == 0 {
			return doc.Null() // the anonymous pseudo-user
		}
		return doc.Int(u.ID)
	}},
	{"created_at", "dateTime", func(u *core.User) doc.Value { return doc.Time(u.CreatedAt) }},
	{"updated_at", "dateTime", func(u *core.User) doc.Value { return optTime(&u.UpdatedAt) }},
	{"name", "", func(u *core.User) doc.Value { return doc.String(u.Name) }},
	{"inviter_id", "integer", func(u *core.User) doc.Value {
		if u.InviterID == nil {
			return doc.Null()
		}
		return doc.Int(*u.InviterID)
	}},
	{"level", "integer", func(u *core.User) doc.Value { return doc.Int(int64(u.Level)) }},
	{"last_logged_in_at", "dateTime", func(u *core.User) doc.Value { return optTime(u.LastLoginAt) }},
	{"last_forum_read_at", "dateTime", func(u *core.User) doc.Value {
		if u.LastForumReadAt == nil {
			return doc.Time(danbooruEpoch)
		}
		return doc.Time(*u.LastForumReadAt)
	}},
	{"post_upload_count", "integer", func(u *core.User) doc.Value { return doc.Int(u.PostUploadCount) }},
	{"post_update_count", "integer", func(u *core.User) doc.Value { return doc.Int(u.PostUpdateCount) }},
	{"note_update_count", "integer", func(u *core.User) doc.Value { return doc.Int(u.NoteUpdateCount) }},
	{"favorite_count", "integer", func(u *core.User) doc.Value { return doc.Int(u.FavoriteCount) }},
	// Values other faces wrote are shown clamped to Danbooru's domain
	// (spec/fields.md §3.0.6).
	{"comment_threshold", "integer", func(u *core.User) doc.Value { return doc.Int(min(max(u.CommentThreshold, -100), 5)) }},
	{"default_image_size", "", func(u *core.User) doc.Value {
		if u.DefaultImageSize != "original" {
			return doc.String("large")
		}
		return doc.String("original")
	}},
	{"favorite_tags", "", func(u *core.User) doc.Value { return doc.StringOrNull(u.FavoriteTags) }},
	{"blacklisted_tags", "", func(u *core.User) doc.Value { return doc.String(u.BlacklistedTags) }},
	{"time_zone", "", func(u *core.User) doc.Value { return doc.String(railstz.Render(u.Timezone, u.TimezoneRails)) }},
	{"per_page", "integer", func(u *core.User) doc.Value { return doc.Int(min(max(u.PerPage, 1), 200)) }},
	{"custom_style", "", func(u *core.User) doc.Value { return doc.StringOrNull(u.CustomStyle) }},
	{"last_ip_addr", "inet", func(u *core.User) doc.Value {
		if !u.LastIP.IsValid() {
			return doc.Null()
		}
		return doc.String(u.LastIP.Unmap().String())
	}},
	// theme is an enum over an integer column: Rails' XML serializer
	// takes the column's type and the enum's label.
	{"theme", "integer", func(u *core.User) doc.Value { return doc.String(u.Theme) }},
	{"is_deleted", "boolean", func(u *core.User) doc.Value { return doc.Bool(u.Deleted) }},
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

// methods are the serialized values that are not columns.
var methods = map[string]func(u *core.User) doc.Value{
	"level_string": func(u *core.User) doc.Value {
		if s, ok := levelStrings[u.Level]; ok {
			return doc.String(s)
		}
		return doc.Null()
	},
	"is_banned":                          func(u *core.User) doc.Value { return doc.Bool(u.Banned) },
	"receive_email_notifications":        func(u *core.User) doc.Value { return doc.Bool(u.ReceiveEmailNotifications) },
	"new_post_navigation_layout":         func(u *core.User) doc.Value { return doc.Bool(u.NewPostNavigationLayout) },
	"enable_private_favorites":           func(u *core.User) doc.Value { return doc.Bool(u.EnablePrivateFavorites) },
	"show_deleted_children":              func(u *core.User) doc.Value { return doc.Bool(u.ShowDeletedChildren) },
	"disable_categorized_saved_searches": func(u *core.User) doc.Value { return doc.Bool(u.DisableCategorizedSavedSearches) },
	"disable_tagged_filenames":           func(u *core.User) doc.Value { return doc.Bool(u.DisableTaggedFilenames) },
	"disable_mobile_gestures":            func(u *core.User) doc.Value { return doc.Bool(u.DisableMobileGestures) },
	"enable_safe_mode":                   func(u *core.User) doc.Value { return doc.Bool(u.EnableSafeMode) },
	"enable_desktop_mode":                func(u *core.User) doc.Value { return doc.Bool(u.EnableDesktopMode) },
	"disable_post_tooltips":              func(u *core.User) doc.Value { return doc.Bool(u.DisablePostTooltips) },
	"requires_verification":              func(u *core.User) doc.Value { return doc.Bool(u.RequiresVerification) },
	"is_verified":                        func(u *core.User) doc.Value { return doc.Bool(u.EmailVerified) },
	"show_deleted_posts":                 func(u *core.User) doc.Value { return doc.Bool(u.ShowDeletedPosts) },
	"statement_timeout": func(u *core.User) doc.Value {
		switch {
		case u.Level >= core.LevelPlatinum:
			return doc.Int(9000)
		case u.Level == core.LevelGold:
			return doc.Int(6000)
		}
		return doc.Int(3000)
	},
	"favorite_group_limit": func(u *core.User) doc.Value {
		if u.Level >= core.LevelGold {
			return doc.Float(math.Inf(1))
		}
		return doc.Int(10)
	},
	"tag_query_limit": func(u *core.User) doc.Value {
		switch {
		case u.Level >= core.LevelPlatinum:
			return doc.Float(math.Inf(1))
		case u.Level == core.LevelGold:
			return doc.Int(6)
		}
		return doc.Int(2)
	},
	"max_saved_searches": func(u *core.User) doc.Value {
		switch {
		case u.Level >= core.LevelBuilder:
			return doc.Float(math.Inf(1))
		case u.Level >= core.LevelGold:
			return doc.Int(1000)
		}
		return doc.Int(250)
	},
	// The show-only counts (User#full_attributes).
	"wiki_page_version_count":         func(u *core.User) doc.Value { return doc.Int(u.WikiPageVersionCount) },
	"artist_version_count":            func(u *core.User) doc.Value { return doc.Int(u.ArtistVersionCount) },
	"artist_commentary_version_count": func(u *core.User) doc.Value { return doc.Int(u.ArtistCommentaryVersionCount) },
	"pool_version_count":              func(u *core.User) doc.Value { return doc.Int(u.PoolVersionCount) },
	"forum_post_count":                func(u *core.User) doc.Value { return doc.Int(u.ForumPostCount) },
	"comment_count":                   func(u *core.User) doc.Value { return doc.Int(u.CommentCount) },
	"favorite_group_count":            func(u *core.User) doc.Value { return doc.Int(u.FavoriteGroupCount) },
	"appeal_count":                    func(u *core.User) doc.Value { return doc.Int(u.AppealCount) },
	"flag_count":                      func(u *core.User) doc.Value { return doc.Int(u.FlagCount) },
	"positive_feedback_count":         func(u *core.User) doc.Value { return doc.Int(u.PositiveFeedbackCount) },
	"neutral_feedback_count":          func(u *core.User) doc.Value { return doc.Int(u.NeutralFeedbackCount) },
	"negative_feedback_count":         func(u *core.User) doc.Value { return doc.Int(u.NegativeFeedbackCount) },
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
	json     doc.JSON
	xml      doc.XML
}

func newRenderer(viewer *core.User) *renderer {
	var tz *string
	if viewer != nil {
		tz = viewer.Timezone
	}
	loc := railstz.Location(tz)
	return &renderer{viewer: viewer, loc: loc, inviters: map[int64]*core.User{},
		// Rails 8.1 leaves HTML characters unescaped (escape_json_responses off).
		json: doc.JSON{Time: func(t time.Time) string { return railstz.JSON(t, loc) }},
		xml:  doc.XML{Style: doc.Rails, Time: func(t time.Time) string { return railstz.XML(t, loc) }}}
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

// registryNames maps the attributes named otherwise in the registry.
var registryNames = map[string]string{"last_logged_in_at": "last_login_at", "last_ip_addr": "last_ip",
	"time_zone": "timezone", "is_deleted": "deleted", "is_banned": "banned", "is_verified": "email_verified"}

// shown reports whether the profile lets the viewer u was redacted for
// see attribute name: api_attributes decides what Danbooru renders, and
// the profile still bounds it, only= included.
func shown(u *core.User, name string) bool {
	if f, ok := registryNames[name]; ok {
		name = f
	}
	return core.FieldByName(name) == nil || u.Shows(name)
}

// user serializes u as the viewer sees it.
func (rd *renderer) user(u *core.User, opt userOptions) *doc.Object {
	o := doc.NewObject()
	visible := slices.DeleteFunc(rd.apiAttributes(u), func(n string) bool { return !shown(u, n) })
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
		switch {
		case !opt.nested:
			// ActiveRecord#to_xml types a column by its column type,
			// even when nil.
			v = v.Typed(col.xtype)
		case c == "last_ip_addr" && v.Kind() == doc.KindString:
			// Hash#to_xml (an included record) types by the Ruby class.
			v = v.Typed("Danbooru::IpAddress")
		}
		o.Add(c, v)
	}
	for _, m := range meths {
		o.Add(m, methods[m](u))
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
			o.Add("inviter", doc.Obj(rd.user(inv, sub)))
		case "bans":
			o.Add("bans", doc.Array()) // usersd keeps no ban records (fields.md Q1)
		}
	}
	return o
}

// wantsInviters reports whether an only= list asks for the inviter.
func wantsInviters(items []onlyItem) bool {
	return slices.ContainsFunc(items, func(it onlyItem) bool { return it.name == "inviter" })
}

// writeUser answers with one user in the request's format.
func writeUser(w http.ResponseWriter, rq *request, status int, rd *renderer, o *doc.Object) {
	switch rq.format {
	case "xml":
		writeBody(w, rq, status, contentXML, rd.xml.Document("user", doc.Obj(o)))
	case "json":
		writeBody(w, rq, status, contentJSON, rd.json.Marshal(doc.Obj(o)))
	default:
		writeHTMLPage(w, rq, status, "User", rd.json.Marshal(doc.Obj(o)))
	}
}

// writeUsers answers with a list of users in the request's format.
func writeUsers(w http.ResponseWriter, rq *request, rd *renderer, objs []*doc.Object) {
	list := make([]doc.Value, len(objs))
	for i, o := range objs {
		list[i] = doc.Obj(o)
	}
	switch rq.format {
	case "xml":
		writeBody(w, rq, http.StatusOK, contentXML, rd.xml.Document("users", doc.Array(list...)))
	case "json":
		writeBody(w, rq, http.StatusOK, contentJSON, rd.json.Marshal(doc.Array(list...)))
	default:
		writeHTMLPage(w, rq, http.StatusOK, "Users", rd.json.Marshal(doc.Array(list...)))
	}
}

// writeHTMLPage is the face's minimal HTML: the JSON document in a page.
// usersd serves the API, not Danbooru's site (see doc.go).
func writeHTMLPage(w http.ResponseWriter, rq *request, status int, title string, jsonBody []byte) {
	page := "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + title + " - usersd</title></head><body><pre>" +
		htmlEscape(string(jsonBody)) + "</pre></body></html>\n"
	writeBody(w, rq, status, contentHTML, []byte(page))
}
