package e621

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"usersd/internal/core"
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
	show  bool // GET /users/{id}.json, /users/me.json: the count block first
	self  bool // the viewer is the user
	admin bool // the viewer is an e621 Admin (and not the user)
	anon  bool // the anonymous pseudo-user of /users/me.json
}

// object writes one JSON object key by key, skipping repeated keys.
type object struct {
	b    *bytes.Buffer
	seen map[string]bool
}

func newObject(b *bytes.Buffer) *object {
	b.WriteByte('{')
	return &object{b: b, seen: map[string]bool{}}
}

func (o *object) close() { o.b.WriteByte('}') }

func (o *object) key(k string) bool {
	if o.seen[k] {
		return false
	}
	if len(o.seen) > 0 {
		o.b.WriteByte(',')
	}
	o.seen[k] = true
	o.b.WriteByte('"')
	o.b.WriteString(k)
	o.b.WriteString(`":`)
	return true
}

func (o *object) int(k string, v int64) {
	if o.key(k) {
		o.b.WriteString(strconv.FormatInt(v, 10))
	}
}

func (o *object) bool(k string, v bool) {
	if o.key(k) {
		o.b.WriteString(strconv.FormatBool(v))
	}
}

func (o *object) str(k, v string) {
	if o.key(k) {
		o.b.Write(jsonString(v))
	}
}

func (o *object) null(k string) {
	if o.key(k) {
		o.b.WriteString("null")
	}
}

func (o *object) strp(k string, v *string) {
	if v == nil {
		o.null(k)
		return
	}
	o.str(k, *v)
}

func (o *object) intp(k string, v *int64) {
	if v == nil {
		o.null(k)
		return
	}
	o.int(k, *v)
}

// time renders a timestamp as Rails does in JSON: milliseconds and the
// offset of the request's zone (B.7.5).
func (o *object) time(k string, t *time.Time, loc *time.Location) {
	if t == nil {
		o.null(k)
		return
	}
	o.str(k, railstz.JSON(*t, loc))
}

// appendUser renders u in e621ng's JSON for a viewer (B.7).
func (h *handler) appendUser(b *bytes.Buffer, u *core.User, v view, loc *time.Location) {
	o := newObject(b)
	defer o.close()
	if v.show {
		o.int("wiki_page_version_count", u.WikiPageVersionCount)
		o.int("artist_version_count", u.ArtistVersionCount)
		o.int("pool_version_count", u.PoolVersionCount)
		o.int("forum_post_count", u.ForumPostCount)
		o.int("comment_count", u.CommentCount)
		o.int("flag_count", u.FlagCount)
		o.int("favorite_count", u.FavoriteCount)
		o.int("positive_feedback_count", u.PositiveFeedbackCount)
		o.int("neutral_feedback_count", u.NeutralFeedbackCount)
		o.int("negative_feedback_count", u.NegativeFeedbackCount)
		o.int("upload_slots", uploadSlots(u))
		o.str("profile_about", deref(u.Bio))
		o.str("profile_artinfo", deref(u.ArtistInfo))
	}
	level := h.ng.render(u)
	levelString := h.ng.name(level)
	if v.anon {
		o.null("id")
		level, levelString = 0, h.ng.name(0)
	} else {
		o.int("id", u.ID)
	}
	o.time("created_at", &u.CreatedAt, loc)
	o.str("name", u.Name)
	o.int("level", int64(level))
	o.int("base_upload_limit", u.BaseUploadLimit)
	o.int("upload_karma", max(u.UploadKarma, 0))
	o.bool("upload_karma_free", u.UploadKarma >= karmaFreeThreshold)
	o.int("post_upload_count", u.PostUploadCount)
	o.int("post_update_count", u.PostUpdateCount)
	o.int("note_update_count", u.NoteUpdateCount)
	o.bool("is_banned", u.Banned)
	o.bool("can_approve_posts", u.CanApprovePosts)
	o.bool("can_upload_free", u.CanUploadFree)
	o.str("level_string", levelString)
	o.intp("avatar_id", u.AvatarPostID)
	o.bool("is_verified", !v.anon && !u.RequiresVerification && u.Level != core.LevelRestricted)
	o.bool("has_cropped_avatar", false)
	switch {
	case v.self:
		o.bool("blacklist_users", u.BlacklistUsers)
		o.bool("description_collapsed_initially", u.DescriptionCollapsedInitially)
		o.bool("hide_comments", u.HideComments)
		o.bool("show_hidden_comments", u.ShowHiddenComments)
		o.bool("show_post_statistics", u.ShowPostStatistics)
		o.bool("receive_email_notifications", u.ReceiveEmailNotifications)
		o.bool("enable_keyboard_navigation", u.EnableKeyboardNavigation)
		o.bool("enable_privacy_mode", u.EnablePrivateFavorites)
		o.bool("enable_auto_complete", u.EnableAutoComplete)
		o.bool("enable_safe_mode", u.EnableSafeMode)
		o.bool("disable_responsive_mode", u.DisableResponsiveMode)
		o.bool("no_flagging", u.NoFlagging)
		o.bool("disable_user_dmails", u.DisableUserDmails)
		o.bool("enable_compact_uploader", u.EnableCompactUploader)
		o.bool("replacements_beta", u.ReplacementsBeta)
		o.bool("forum_notification_dot", u.ForumNotificationDot)
		if v.anon {
			o.null("updated_at")
		} else {
			o.time("updated_at", &u.UpdatedAt, loc)
		}
		o.strp("email", u.Email)
		o.time("last_logged_in_at", u.LastLoginAt, loc)
		o.time("last_forum_read_at", u.LastForumReadAt, loc)
		if v.anon {
			o.null("recent_tags")
		} else {
			o.str("recent_tags", u.RecentTags)
		}
		o.int("comment_threshold", u.CommentThreshold)
		o.str("default_image_size", u.DefaultImageSize)
		o.strp("favorite_tags", u.FavoriteTags)
		o.str("blacklisted_tags", u.BlacklistedTags)
		o.str("time_zone", railstz.Render(u.Timezone, u.TimezoneRails))
		o.int("per_page", u.PerPage)
		o.strp("custom_style", u.CustomStyle)
		o.int("favorite_count", u.FavoriteCount)
		o.int("api_regen_multiplier", 1)
		o.int("api_burst_limit", apiBurstLimit(u))
		// The users endpoints skip e621ng's write throttle (users_controller
		// skip_before_action :api_check) and usersd serves no other e621
		// endpoint, so the bucket is always full.
		o.int("remaining_api_limit", apiBurstLimit(u))
		o.int("statement_timeout", 3000)
		o.int("favorite_limit", 100000)
		o.int("tag_query_limit", 40)
		o.bool("has_mail", u.UnreadDmailCount > 0)
		o.int("unread_dmail_count", u.UnreadDmailCount)
	case v.admin:
		o.time("last_logged_in_at", u.LastLoginAt, loc)
	}
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
