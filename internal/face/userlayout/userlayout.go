// Package userlayout is how usersd's own interfaces group a user's
// fields: the native API's user object and the admin console's user page
// show the same groups in the same order.
package userlayout

// A Group is one object of the native user representation: its key in the
// user object ("" for the top level) and its registry fields in the order
// they are rendered.
type Group struct {
	Name   string
	About  string // the OpenAPI description of the group's object
	Fields []string
}

// Groups places every readable registry field in exactly one group; the
// order here is the order on the wire. Identity, standing and times stay at
// the top level; what the other systems keep per user is grouped by whom it
// belongs to. Settings that Danbooru and e621 share (e621 is a Danbooru
// fork) are under danbooru; e621 holds only what e621 alone has.
// native's TestLayoutCoversRegistry fails when a readable field is missing
// here.
var Groups = []Group{
	{"", "", []string{
		"id", "xid", "sid", "name", "display_name", "email", "first_name", "last_name",
		"level", "active", "banned", "deleted", "deleted_at", "inviter_id", "user_type",
		"requires_verification", "email_verified", "anonymized", "private_profile",
		"created_at", "updated_at", "last_login_at", "last_ip", "last_sid_reroll_at",
	}},
	{"profile", "What the user tells about themself, and their consents.", []string{
		"bio", "member_title", "links", "preferred_names", "pronouns", "profile_fields",
		"custom_preferences", "avatar", "timezone", "language", "date_of_birth", "gender", "phone",
		"email_allowed", "sms_allowed", "call_allowed",
		"attributes", "attributes_kwargs", "localized_attributes", "localized_attributes_kwargs",
	}},
	{"settings", "Settings every client may honour.", []string{
		"theme", "per_page", "list_private",
	}},
	{"counters", "Activity counts held for the host application; staff write them.", []string{
		"post_upload_count", "post_deleted_count", "post_active_count", "post_update_count",
		"note_update_count", "favorite_count", "comment_count", "forum_post_count",
		"wiki_page_version_count", "artist_version_count", "artist_commentary_version_count",
		"pool_version_count", "favorite_group_count", "appeal_count", "flag_count",
		"positive_feedback_count", "neutral_feedback_count", "negative_feedback_count",
		"feedback_score", "blip_count", "set_count", "unread_dmail_count", "upload_karma",
	}},
	{"danbooru", "Danbooru's settings, which e621 reads too.", []string{
		"receive_email_notifications", "new_post_navigation_layout", "enable_private_favorites",
		"show_deleted_children", "disable_categorized_saved_searches", "disable_tagged_filenames",
		"disable_mobile_gestures", "enable_safe_mode", "enable_desktop_mode", "disable_post_tooltips",
		"show_deleted_posts", "comment_threshold", "default_image_size", "favorite_tags",
		"blacklisted_tags", "custom_style", "last_forum_read_at",
	}},
	{"e621", "What only e621 keeps: its permission bits, artist profile and settings.", []string{
		"can_approve_posts", "can_upload_free", "no_flagging", "replacements_beta", "base_upload_limit",
		"artist_info", "avatar_post_id", "artist_tags",
		"blacklist_users", "description_collapsed_initially", "hide_comments", "show_hidden_comments",
		"show_post_statistics", "enable_keyboard_navigation", "enable_auto_complete",
		"disable_responsive_mode", "disable_user_dmails", "enable_compact_uploader",
		"forum_notification_dot", "dmail_filter_words", "recent_tags",
	}},
}
