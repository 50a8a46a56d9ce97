package e621

import (
	"bytes"
	"encoding/json"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/face/railstz"
)

// e621ng hides every column of a user and emits only method attributes
// (user.rb ApiMethods), in this order (spec/e621.md B.7):
//
//  1. show and me only: the full_attributes counts and profile texts, first,
//     because the controller's methods precede the model's;
//  2. everyone: the public block;
//  3. the user themself: settings and limits; an Admin viewing someone
//     else gets last_logged_in_at instead.
//
// A key named twice keeps its first position (favorite_count on show).

// view says which blocks a rendering includes.
type view struct {
	show bool // GET /users/{id}.json, /users/me.json: the count block first
	self bool // the viewer is the user
	anon bool // the anonymous pseudo-user of /users/me.json
}

// ngJSON is e621ng's to_json: HTML characters escaped.
var ngJSON = doc.JSON{EscapeHTML: true}

// appendUser renders u in e621ng's JSON for a viewer (B.7), timestamps
// with milliseconds and the offset of the request's zone (B.7.5).
func (h *handler) appendUser(b *bytes.Buffer, u *core.User, v view, loc *time.Location) {
	enc := ngJSON
	enc.Time = func(t time.Time) string { return railstz.JSON(t, loc) }
	b.Write(enc.Marshal(doc.Obj(h.userDoc(u, v))))
}

// userDoc is u's e621ng attributes for a viewer (B.7).
func (h *handler) userDoc(u *core.User, v view) *doc.Object {
	o := doc.NewObject()
	if v.show {
		o.Add("wiki_page_version_count", doc.Int(u.WikiPageVersionCount))
		o.Add("artist_version_count", doc.Int(u.ArtistVersionCount))
		o.Add("pool_version_count", doc.Int(u.PoolVersionCount))
		o.Add("forum_post_count", doc.Int(u.ForumPostCount))
		o.Add("comment_count", doc.Int(u.CommentCount))
		o.Add("flag_count", doc.Int(u.FlagCount))
		o.Add("favorite_count", doc.Int(u.FavoriteCount))
		o.Add("positive_feedback_count", doc.Int(u.PositiveFeedbackCount))
		o.Add("neutral_feedback_count", doc.Int(u.NeutralFeedbackCount))
		o.Add("negative_feedback_count", doc.Int(u.NegativeFeedbackCount))
		o.Add("upload_slots", doc.Int(uploadSlots(u)))
		o.Add("profile_about", doc.String(deref(u.Bio)))
		o.Add("profile_artinfo", doc.String(deref(u.ArtistInfo)))
	}
	level := h.ng.render(u)
	levelString := h.ng.name(level)
	if v.anon {
		o.Add("id", doc.Null())
		level, levelString = 0, h.ng.name(0)
	} else {
		o.Add("id", doc.Int(u.ID))
	}
	o.Add("created_at", doc.TimeOrNull(&u.CreatedAt))
	o.Add("name", doc.String(u.Name))
	o.Add("level", doc.Int(int64(level)))
	o.Add("base_upload_limit", doc.Int(u.BaseUploadLimit))
	o.Add("upload_karma", doc.Int(max(u.UploadKarma, 0)))
	o.Add("upload_karma_free", doc.Bool(u.UploadKarma >= karmaFreeThreshold))
	o.Add("post_upload_count", doc.Int(u.PostUploadCount))
	o.Add("post_update_count", doc.Int(u.PostUpdateCount))
	o.Add("note_update_count", doc.Int(u.NoteUpdateCount))
	o.Add("is_banned", doc.Bool(u.Banned))
	o.Add("can_approve_posts", doc.Bool(u.CanApprovePosts))
	o.Add("can_upload_free", doc.Bool(u.CanUploadFree))
	o.Add("level_string", doc.String(levelString))
	o.Add("avatar_id", doc.IntOrNull(u.AvatarPostID))
	o.Add("is_verified", doc.Bool(!v.anon && !u.RequiresVerification && u.Level != core.LevelRestricted))
	o.Add("has_cropped_avatar", doc.Bool(false))
	switch {
	case v.self:
		o.Add("blacklist_users", doc.Bool(u.BlacklistUsers))
		o.Add("description_collapsed_initially", doc.Bool(u.DescriptionCollapsedInitially))
		o.Add("hide_comments", doc.Bool(u.HideComments))
		o.Add("show_hidden_comments", doc.Bool(u.ShowHiddenComments))
		o.Add("show_post_statistics", doc.Bool(u.ShowPostStatistics))
		o.Add("receive_email_notifications", doc.Bool(u.ReceiveEmailNotifications))
		o.Add("enable_keyboard_navigation", doc.Bool(u.EnableKeyboardNavigation))
		o.Add("enable_privacy_mode", doc.Bool(u.EnablePrivateFavorites))
		o.Add("enable_auto_complete", doc.Bool(u.EnableAutoComplete))
		o.Add("enable_safe_mode", doc.Bool(u.EnableSafeMode))
		o.Add("disable_responsive_mode", doc.Bool(u.DisableResponsiveMode))
		o.Add("no_flagging", doc.Bool(u.NoFlagging))
		o.Add("disable_user_dmails", doc.Bool(u.DisableUserDmails))
		o.Add("enable_compact_uploader", doc.Bool(u.EnableCompactUploader))
		o.Add("replacements_beta", doc.Bool(u.ReplacementsBeta))
		o.Add("forum_notification_dot", doc.Bool(u.ForumNotificationDot))
		if v.anon {
			o.Add("updated_at", doc.Null())
		} else {
			o.Add("updated_at", doc.TimeOrNull(&u.UpdatedAt))
		}
		o.Add("email", doc.StringOrNull(u.Email))
		o.Add("last_logged_in_at", doc.TimeOrNull(u.LastLoginAt))
		o.Add("last_forum_read_at", doc.TimeOrNull(u.LastForumReadAt))
		if v.anon {
			o.Add("recent_tags", doc.Null())
		} else {
			o.Add("recent_tags", doc.String(u.RecentTags))
		}
		o.Add("comment_threshold", doc.Int(u.CommentThreshold))
		o.Add("default_image_size", doc.String(u.DefaultImageSize))
		o.Add("favorite_tags", doc.StringOrNull(u.FavoriteTags))
		o.Add("blacklisted_tags", doc.String(u.BlacklistedTags))
		o.Add("time_zone", doc.String(railstz.Render(u.Timezone, u.TimezoneRails)))
		o.Add("per_page", doc.Int(u.PerPage))
		o.Add("custom_style", doc.StringOrNull(u.CustomStyle))
		o.Add("favorite_count", doc.Int(u.FavoriteCount))
		o.Add("api_regen_multiplier", doc.Int(1))
		o.Add("api_burst_limit", doc.Int(apiBurstLimit(u)))
		// The users endpoints skip e621ng's write throttle (users_controller
		// skip_before_action :api_check) and usersd serves no other e621
		// endpoint, so the bucket is always full.
		o.Add("remaining_api_limit", doc.Int(apiBurstLimit(u)))
		o.Add("statement_timeout", doc.Int(3000))
		o.Add("favorite_limit", doc.Int(100000))
		o.Add("tag_query_limit", doc.Int(40))
		o.Add("has_mail", doc.Bool(u.UnreadDmailCount > 0))
		o.Add("unread_dmail_count", doc.Int(u.UnreadDmailCount))
	case u.Shows("last_login_at"): // to admins, by the profile
		o.Add("last_logged_in_at", doc.TimeOrNull(u.LastLoginAt))
	}
	return o
}

// anonymousUser is the pseudo-user e621ng's /users/me.json renders for an
// anonymous caller (User.anonymous: a new record with the column
// defaults of db/structure.sql, not the sign-up values).
func anonymousUser(now time.Time) *core.User {
	return &core.User{
		Name:             "Anonymous",
		CreatedAt:        now,
		BaseUploadLimit:  10,
		PerPage:          75,
		CommentThreshold: -2,
		DefaultImageSize: "large",
		BlacklistedTags:  "spoilers\nguro\nscat\nfurry -rating:s",
	}
}

// uploadSlots is e621ng's upload_slots with no pending uploads:
// clamp(base + approved/10 − deleted/4, 0, 50) (spec/fields.md §3.3).
func uploadSlots(u *core.User) int64 {
	s := u.BaseUploadLimit + u.PostActiveCount/10 - u.PostDeletedCount/4
	return max(min(s, 50), 0)
}

// apiBurstLimit is 120 for Former Staff and above (canonical Approver+),
// 90 for Privileged and above, else 60; Blocked users get 60.
func apiBurstLimit(u *core.User) int64 {
	switch {
	case u.Banned:
		return 60
	case u.Level >= core.LevelApprover:
		return 120
	case u.Level >= core.LevelGold:
		return 90
	}
	return 60
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// artistTags decodes the stored artist_tags array; anything unreadable is
// no tags.
func artistTags(raw json.RawMessage) []string {
	var tags []string
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &tags); err != nil {
			return nil
		}
	}
	return tags
}
