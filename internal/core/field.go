package core

import (
	"encoding/json"
	"net/netip"
	"time"
)

// Kind is the neutral storage type of a field (spec/fields.md §0.1).
type Kind int

// Field kinds. Values of each kind travel as: Int int64, Bool bool, Text
// string, Time time.Time, Date Date, JSON json.RawMessage, IP netip.Addr;
// nil is NULL.
const (
	KindInt Kind = iota
	KindBool
	KindText
	KindTime
	KindDate
	KindJSON
	KindIP
)

// ReadClass says who may read a field (spec/fields.md §0.2).
type ReadClass int

// Read classes.
const (
	ReadAnon  ReadClass = iota // everyone
	ReadUser                   // any authenticated caller (self only if the profile is private)
	ReadSelf                   // the user and staff
	ReadNever                  // nobody
)

// WriteClass is a set of writer kinds; the core itself (system) may write
// every stored field.
type WriteClass uint8

// Write classes.
const (
	WriteSelf   WriteClass = 1 << iota // the user themself
	WriteStaff                         // level >= 40 on a user of lower level
	WriteAdmin                         // level >= 50 on a user of lower level
	WriteSystem WriteClass = 0         // only the core
)

// Field describes one column of a table once, in its entity's registry
// (Users, Members, Flags); filtering, ordering, visibility, validation and
// rendering all read it.
type Field struct {
	Name      string
	Kind      Kind
	Null      bool
	Min, Max  int      // text: code points; int: value range; JSON: items
	Enum      []string // allowed text values
	Filter    bool     // native API may filter on it (it has an index)
	Sort      bool     // native API may order by it (it has an index)
	Key       string   // folded column that case-insensitive matching, sorting and uniqueness use
	Trigram   bool     // substring search is backed by a trigram index on Key
	Read      ReadClass
	Write     WriteClass
	Generated bool   // computed by the database; never written
	Shape     byte   // JSON: '[' array or '{' object
	Items     string // JSON arrays: "text" for arrays of strings
	ItemMax   int    // JSON text items: max code points

	// Byte bounds (limits.go): MaxBytes of UTF-8 for text, of compact
	// JSON for JSON values; ItemMaxBytes of each JSON array item or object
	// member value. Dates lie in DateMin..DateMax ("" = the kind's range;
	// DateMax "today" = not in the future).
	MaxBytes, ItemMaxBytes int
	DateMin, DateMax       Date

	// Follows names the field whose visibility this never-shown field
	// shares: faces read it to render that field (timezone_rails beside
	// timezone), so redaction keeps it where that field shows.
	Follows string

	// ptr is the accessor as written in the registry, func(*T) any for the
	// registry's record type T; get is the same, taking the record as any.
	// user is ptr for the users registry, called directly: wrapping it in
	// get costs a second indirect call per field, which is a few percent of
	// a scanned row.
	ptr  any
	get  func(any) any
	user func(*User) any
	idx  int // position in Fields (users only)
	// isKey marks the folded key column of another field (its Key).
	isKey bool
}

// Ptr returns a pointer to the field's Go value in rec, a record of the
// field's registry (*User for Users, *Member for Members, …).
func (f *Field) Ptr(rec any) any {
	if u, ok := rec.(*User); ok && f.user != nil {
		return f.user(u)
	}
	return f.get(rec)
}

// Value returns the field's value in rec in the kind's canonical Go type,
// nil for NULL.
func (f *Field) Value(rec any) any {
	switch p := f.Ptr(rec).(type) {
	case *int64:
		return *p
	case *int:
		return int64(*p)
	case **int64:
		if *p == nil {
			return nil
		}
		return **p
	case *bool:
		return *p
	case *string:
		return *p
	case **string:
		if *p == nil {
			return nil
		}
		return **p
	case *time.Time:
		return *p
	case **time.Time:
		if *p == nil {
			return nil
		}
		return **p
	case **Date:
		if *p == nil {
			return nil
		}
		return **p
	case *json.RawMessage:
		return *p
	case *netip.Addr:
		if !p.IsValid() {
			return nil
		}
		return *p
	}
	panic("core: field " + f.Name + " has an unsupported Go type")
}

// zero sets the field in u to its zero value (NULL for nullable fields).
func (f *Field) zero(u *User) {
	switch p := f.Ptr(u).(type) {
	case *int64:
		*p = 0
	case *int:
		*p = 0
	case **int64:
		*p = nil
	case *bool:
		*p = false
	case *string:
		*p = ""
	case **string:
		*p = nil
	case *time.Time:
		*p = time.Time{}
	case **time.Time:
		*p = nil
	case **Date:
		*p = nil
	case *json.RawMessage:
		*p = nil
	case *netip.Addr:
		*p = netip.Addr{}
	default:
		panic("core: field " + f.Name + " has an unsupported Go type")
	}
}

// Settable reports whether any caller may write the field through an API.
func (f *Field) Settable() bool { return f.Write != WriteSystem && !f.Generated }

// Fields lists every column of the users table in table order
// (Users.Fields).
var Fields []*Field

// FieldByName returns the users registry entry named name, or nil
// (Users.ByName).
func FieldByName(name string) *Field { return Users.ByName(name) }

var levelEnum = []string{"10", "20", "30", "31", "32", "35", "37", "40", "50", "60"}

func init() {
	self, staff, admin, system := WriteSelf, WriteStaff, WriteAdmin, WriteSystem
	selfAdmin := self | admin
	text := func(name string, min, max int, null bool, read ReadClass, write WriteClass, ptr func(*User) any) *Field {
		return &Field{Name: name, Kind: KindText, Min: min, Max: max, Null: null, Read: read, Write: write, ptr: ptr}
	}
	boolean := func(name string, read ReadClass, write WriteClass, filter bool, ptr func(*User) any) *Field {
		return &Field{Name: name, Kind: KindBool, Read: read, Write: write, Filter: filter, ptr: ptr}
	}
	counter := func(name string, filter, sort bool, ptr func(*User) any) *Field {
		return &Field{Name: name, Kind: KindInt, Min: 0, Max: 1<<62 - 1, Read: ReadAnon, Write: staff, Filter: filter, Sort: sort, ptr: ptr}
	}
	setting := func(name string, ptr func(*User) any) *Field { return boolean(name, ReadSelf, self, false, ptr) }
	jsonList := func(name string, max int, items string, itemMax int, write WriteClass, ptr func(*User) any) *Field {
		return &Field{Name: name, Kind: KindJSON, Shape: '[', Max: max, Items: items, ItemMax: itemMax, Read: ReadAnon, Write: write, ptr: ptr}
	}
	jsonObject := func(name string, max int, read ReadClass, write WriteClass, ptr func(*User) any) *Field {
		return &Field{Name: name, Kind: KindJSON, Shape: '{', Max: max, Read: read, Write: write, ptr: ptr}
	}
	timeField := func(name string, null bool, read ReadClass, write WriteClass, filter bool, ptr func(*User) any) *Field {
		return &Field{Name: name, Kind: KindTime, Null: null, Read: read, Write: write, Filter: filter, Sort: filter, ptr: ptr}
	}
	withKey := func(f *Field, key string, filter, sort, trigram bool) *Field {
		f.Key, f.Filter, f.Sort, f.Trigram = key, filter, sort, trigram
		return f
	}
	filtered := func(f *Field) *Field { f.Filter = true; return f }
	// trigram: substring search on the field is index-backed (ix_users_about),
	// for faces; the native API does not filter on it.
	trigram := func(f *Field) *Field { f.Trigram = true; return f }
	enum := func(f *Field, values ...string) *Field { f.Enum = values; return f }
	follows := func(f *Field, name string) *Field { f.Follows = name; return f }

	Fields = []*Field{
		// Identity (§1.1).
		{Name: "id", Kind: KindInt, Min: 1, Max: 1<<63 - 1, Read: ReadAnon, Write: system, Filter: true, Sort: true, ptr: func(u *User) any { return &u.ID }},
		filtered(text("xid", 20, 20, false, ReadAnon, system, func(u *User) any { return &u.XID })),
		filtered(text("sid", 5, 5, false, ReadAnon, system, func(u *User) any { return &u.SID })),
		withKey(text("name", 1, 150, false, ReadAnon, selfAdmin, func(u *User) any { return &u.Name }), "name_key", true, true, true),
		text("name_key", 1, 150, false, ReadNever, system, func(u *User) any { return &u.NameKey }),
		// The confusable skeleton (names.go); NULL where an older row's
		// skeleton collides with another's (reported, not changed).
		text("name_skeleton", 1, 512, true, ReadNever, system, func(u *User) any { return &u.NameSkeleton }),
		withKey(text("email", 3, 254, true, ReadSelf, selfAdmin, func(u *User) any { return &u.Email }), "email_key", true, true, false),
		text("email_key", 3, 254, true, ReadNever, system, func(u *User) any { return &u.EmailKey }),
		withKey(text("first_name", 0, 150, false, ReadUser, selfAdmin, func(u *User) any { return &u.FirstName }), "first_name_key", true, true, false),
		text("first_name_key", 0, 150, false, ReadNever, system, func(u *User) any { return &u.FirstNameKey }),
		withKey(text("last_name", 0, 150, false, ReadUser, selfAdmin, func(u *User) any { return &u.LastName }), "last_name_key", true, true, false),
		text("last_name_key", 0, 150, false, ReadNever, system, func(u *User) any { return &u.LastNameKey }),
		text("display_name", 1, 100, true, ReadAnon, selfAdmin, func(u *User) any { return &u.DisplayName }),

		// Standing (§1.2).
		{Name: "level", Kind: KindInt, Min: 10, Max: 60, Enum: levelEnum, Read: ReadAnon, Write: staff, Filter: true, Sort: true, ptr: func(u *User) any { return &u.Level }},
		boolean("active", ReadAnon, staff, true, func(u *User) any { return &u.Active }),
		boolean("banned", ReadAnon, staff, true, func(u *User) any { return &u.Banned }),
		// deleted and deleted_at change only through the delete and restore actions.
		boolean("deleted", ReadAnon, system, true, func(u *User) any { return &u.Deleted }),
		timeField("deleted_at", true, ReadSelf, system, false, func(u *User) any { return &u.DeletedAt }),
		boolean("requires_verification", ReadSelf, staff, false, func(u *User) any { return &u.RequiresVerification }),
		boolean("email_verified", ReadSelf, admin, false, func(u *User) any { return &u.EmailVerified }),
		{Name: "inviter_id", Kind: KindInt, Null: true, Min: 1, Max: 1<<63 - 1, Read: ReadAnon, Write: staff, Filter: true, ptr: func(u *User) any { return &u.InviterID }},
		boolean("anonymized", ReadSelf, admin, true, func(u *User) any { return &u.Anonymized }),
		filtered(enum(text("user_type", 1, 16, false, ReadSelf, admin, func(u *User) any { return &u.UserType }), "guest", "registered")),
		boolean("can_approve_posts", ReadAnon, staff, true, func(u *User) any { return &u.CanApprovePosts }),
		boolean("can_upload_free", ReadAnon, staff, true, func(u *User) any { return &u.CanUploadFree }),
		boolean("no_flagging", ReadSelf, staff, false, func(u *User) any { return &u.NoFlagging }),
		boolean("replacements_beta", ReadSelf, staff, false, func(u *User) any { return &u.ReplacementsBeta }),
		{Name: "base_upload_limit", Kind: KindInt, Min: 0, Max: 1<<31 - 1, Read: ReadAnon, Write: staff, ptr: func(u *User) any { return &u.BaseUploadLimit }},
		boolean("private_profile", ReadSelf, self, false, func(u *User) any { return &u.PrivateProfile }),
		boolean("list_private", ReadSelf, self, false, func(u *User) any { return &u.ListPrivate }),

		// Profile (§1.3).
		trigram(text("bio", 1, 50000, true, ReadAnon, selfAdmin, func(u *User) any { return &u.Bio })),
		trigram(text("artist_info", 1, 50000, true, ReadAnon, selfAdmin, func(u *User) any { return &u.ArtistInfo })),
		text("member_title", 1, 150, true, ReadAnon, selfAdmin, func(u *User) any { return &u.MemberTitle }),
		jsonList("links", 25, "text", 256, selfAdmin, func(u *User) any { return &u.Links }),
		jsonList("preferred_names", 100, "", 0, selfAdmin, func(u *User) any { return &u.PreferredNames }),
		jsonList("pronouns", 100, "", 0, selfAdmin, func(u *User) any { return &u.Pronouns }),
		jsonList("profile_fields", 25, "", 0, selfAdmin, func(u *User) any { return &u.ProfileFields }),
		jsonObject("custom_preferences", 25, ReadAnon, selfAdmin, func(u *User) any { return &u.CustomPreferences }),
		text("avatar", 64, 64, true, ReadAnon, selfAdmin, func(u *User) any { return &u.Avatar }),
		{Name: "avatar_post_id", Kind: KindInt, Null: true, Min: 1, Max: 1<<63 - 1, Read: ReadAnon, Write: selfAdmin, ptr: func(u *User) any { return &u.AvatarPostID }},
		jsonList("artist_tags", 1000, "text", 100, staff, func(u *User) any { return &u.ArtistTags }),
		text("timezone", 1, 64, true, ReadSelf, self, func(u *User) any { return &u.Timezone }),
		// Written by the Danbooru and e621 faces beside timezone; never shown.
		follows(text("timezone_rails", 1, 64, true, ReadNever, self, func(u *User) any { return &u.TimezoneRails }), "timezone"),
		filtered(text("language", 0, 35, false, ReadSelf, selfAdmin, func(u *User) any { return &u.Language })),
		{Name: "date_of_birth", Kind: KindDate, Null: true, Read: ReadSelf, Write: selfAdmin, Filter: true, Sort: true, ptr: func(u *User) any { return &u.DateOfBirth }},
		filtered(enum(text("gender", 1, 16, true, ReadSelf, selfAdmin, func(u *User) any { return &u.Gender }), "male", "female")),
		filtered(text("phone", 1, 32, true, ReadSelf, selfAdmin, func(u *User) any { return &u.Phone })),
		boolean("email_allowed", ReadSelf, selfAdmin, true, func(u *User) any { return &u.EmailAllowed }),
		boolean("sms_allowed", ReadSelf, selfAdmin, true, func(u *User) any { return &u.SMSAllowed }),
		boolean("call_allowed", ReadSelf, selfAdmin, true, func(u *User) any { return &u.CallAllowed }),
		jsonObject("attributes", 1000, ReadSelf, admin, func(u *User) any { return &u.Attributes }),
		jsonObject("attributes_kwargs", 1000, ReadSelf, admin, func(u *User) any { return &u.AttributesKwargs }),
		jsonObject("localized_attributes", 1000, ReadSelf, admin, func(u *User) any { return &u.LocalizedAttributes }),
		jsonObject("localized_attributes_kwargs", 1000, ReadSelf, admin, func(u *User) any { return &u.LocalizedAttributesKwargs }),

		// Settings: Danbooru preference bits (§1.4).
		setting("receive_email_notifications", func(u *User) any { return &u.ReceiveEmailNotifications }),
		setting("new_post_navigation_layout", func(u *User) any { return &u.NewPostNavigationLayout }),
		setting("enable_private_favorites", func(u *User) any { return &u.EnablePrivateFavorites }),
		setting("show_deleted_children", func(u *User) any { return &u.ShowDeletedChildren }),
		setting("disable_categorized_saved_searches", func(u *User) any { return &u.DisableCategorizedSavedSearches }),
		setting("disable_tagged_filenames", func(u *User) any { return &u.DisableTaggedFilenames }),
		setting("disable_mobile_gestures", func(u *User) any { return &u.DisableMobileGestures }),
		setting("enable_safe_mode", func(u *User) any { return &u.EnableSafeMode }),
		setting("enable_desktop_mode", func(u *User) any { return &u.EnableDesktopMode }),
		setting("disable_post_tooltips", func(u *User) any { return &u.DisablePostTooltips }),
		setting("show_deleted_posts", func(u *User) any { return &u.ShowDeletedPosts }),

		// Settings: plain.
		{Name: "per_page", Kind: KindInt, Min: 1, Max: 320, Read: ReadSelf, Write: self, ptr: func(u *User) any { return &u.PerPage }},
		{Name: "comment_threshold", Kind: KindInt, Min: -49999, Max: 49999, Read: ReadSelf, Write: self, ptr: func(u *User) any { return &u.CommentThreshold }},
		enum(text("default_image_size", 1, 16, false, ReadSelf, self, func(u *User) any { return &u.DefaultImageSize }), "large", "original", "fit", "fitv"),
		text("favorite_tags", 1, 100000, true, ReadSelf, self, func(u *User) any { return &u.FavoriteTags }),
		text("blacklisted_tags", 0, 150000, false, ReadSelf, self, func(u *User) any { return &u.BlacklistedTags }),
		text("custom_style", 1, 500000, true, ReadSelf, self, func(u *User) any { return &u.CustomStyle }),
		enum(text("theme", 1, 8, false, ReadSelf, self, func(u *User) any { return &u.Theme }), "auto", "light", "dark"),

		// Settings: e621.
		setting("blacklist_users", func(u *User) any { return &u.BlacklistUsers }),
		setting("description_collapsed_initially", func(u *User) any { return &u.DescriptionCollapsedInitially }),
		setting("hide_comments", func(u *User) any { return &u.HideComments }),
		setting("show_hidden_comments", func(u *User) any { return &u.ShowHiddenComments }),
		setting("show_post_statistics", func(u *User) any { return &u.ShowPostStatistics }),
		setting("enable_keyboard_navigation", func(u *User) any { return &u.EnableKeyboardNavigation }),
		setting("enable_auto_complete", func(u *User) any { return &u.EnableAutoComplete }),
		setting("disable_responsive_mode", func(u *User) any { return &u.DisableResponsiveMode }),
		setting("disable_user_dmails", func(u *User) any { return &u.DisableUserDmails }),
		setting("enable_compact_uploader", func(u *User) any { return &u.EnableCompactUploader }),
		setting("forum_notification_dot", func(u *User) any { return &u.ForumNotificationDot }),
		text("dmail_filter_words", 0, 10000, false, ReadSelf, self, func(u *User) any { return &u.DmailFilterWords }),
		text("recent_tags", 0, 10000, false, ReadSelf, staff, func(u *User) any { return &u.RecentTags }),

		// Counters (§1.5).
		counter("post_upload_count", true, true, func(u *User) any { return &u.PostUploadCount }),
		counter("post_deleted_count", false, true, func(u *User) any { return &u.PostDeletedCount }),
		{Name: "post_active_count", Kind: KindInt, Read: ReadAnon, Generated: true, Sort: true, ptr: func(u *User) any { return &u.PostActiveCount }},
		counter("post_update_count", true, true, func(u *User) any { return &u.PostUpdateCount }),
		counter("note_update_count", true, true, func(u *User) any { return &u.NoteUpdateCount }),
		counter("favorite_count", true, true, func(u *User) any { return &u.FavoriteCount }),
		counter("comment_count", true, false, func(u *User) any { return &u.CommentCount }),
		counter("forum_post_count", true, false, func(u *User) any { return &u.ForumPostCount }),
		counter("wiki_page_version_count", true, false, func(u *User) any { return &u.WikiPageVersionCount }),
		counter("artist_version_count", true, false, func(u *User) any { return &u.ArtistVersionCount }),
		counter("artist_commentary_version_count", true, false, func(u *User) any { return &u.ArtistCommentaryVersionCount }),
		counter("pool_version_count", false, false, func(u *User) any { return &u.PoolVersionCount }),
		counter("favorite_group_count", false, false, func(u *User) any { return &u.FavoriteGroupCount }),
		counter("appeal_count", true, false, func(u *User) any { return &u.AppealCount }),
		counter("flag_count", false, false, func(u *User) any { return &u.FlagCount }),
		counter("positive_feedback_count", false, false, func(u *User) any { return &u.PositiveFeedbackCount }),
		counter("neutral_feedback_count", false, false, func(u *User) any { return &u.NeutralFeedbackCount }),
		counter("negative_feedback_count", false, false, func(u *User) any { return &u.NegativeFeedbackCount }),
		{Name: "feedback_score", Kind: KindInt, Read: ReadAnon, Generated: true, Sort: true, ptr: func(u *User) any { return &u.FeedbackScore }},
		counter("blip_count", false, false, func(u *User) any { return &u.BlipCount }),
		counter("set_count", false, false, func(u *User) any { return &u.SetCount }),
		{Name: "unread_dmail_count", Kind: KindInt, Min: 0, Max: 1<<62 - 1, Read: ReadSelf, Write: staff, ptr: func(u *User) any { return &u.UnreadDmailCount }},
		{Name: "upload_karma", Kind: KindInt, Min: -(1 << 62), Max: 1<<62 - 1, Read: ReadAnon, Write: staff, Sort: true, ptr: func(u *User) any { return &u.UploadKarma }},

		// Times (§1.6).
		timeField("created_at", false, ReadAnon, system, true, func(u *User) any { return &u.CreatedAt }),
		timeField("updated_at", false, ReadSelf, system, true, func(u *User) any { return &u.UpdatedAt }),
		timeField("last_login_at", true, ReadSelf, system, true, func(u *User) any { return &u.LastLoginAt }),
		{Name: "last_ip", Kind: KindIP, Null: true, Read: ReadSelf, Write: system, Filter: true, ptr: func(u *User) any { return &u.LastIP }},
		timeField("last_forum_read_at", true, ReadSelf, staff, false, func(u *User) any { return &u.LastForumReadAt }),
		timeField("last_sid_reroll_at", false, ReadSelf, system, false, func(u *User) any { return &u.LastSIDRerollAt }),

		// Credentials (§1.7).
		text("password_hash", 1, 512, true, ReadNever, system, func(u *User) any { return &u.PasswordHash }),
	}
	if len(Fields) > maxFields {
		panic("core: more fields than maxFields")
	}
	for i, f := range Fields {
		f.idx = i
	}
	Users = newEntity[User]("user", "users", Fields)
}
