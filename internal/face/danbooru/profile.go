package danbooru

import (
	"fmt"
	"maps"
	"slices"

	"usersd/internal/core"
)

// Profile is what Danbooru shows to whom and its account rules, which the
// core applies (UserPolicy#api_attributes, UserDeletion, spec §6, §12):
// settings and personal fields to the user alone, last_ip_addr to staff
// alone; deleted users stay found and listed under their deletion name.
var Profile = &core.Profile{
	Name: "danbooru",
	Classes: [...]core.Audience{
		core.ReadAnon:  core.Everyone,
		core.ReadUser:  core.SignedInUnlessPrivate,
		core.ReadSelf:  core.SelfOnly,
		core.ReadNever: core.Nobody,
	},
	// favorite_count is shown to the user alone (UserPolicy#api_attributes).
	Fields: map[string]core.Audience{"last_ip": core.StaffOnly, "favorite_count": core.SelfOnly},
	// Upstream searches two fields it shows to the user alone, for anyone
	// (doc.go; serve --upstream-hidden-search=false drops both).
	Search: map[string]core.SearchGrant{
		"updated_at":     {Audience: core.Everyone, Why: "User.search passes updated_at to search_attributes for every viewer (spec §4.2)"},
		"favorite_count": {Audience: core.Everyone, Why: "User.search passes favorite_count to search_attributes for every viewer (spec §4.2, §14.14)"},
	},
	AnyField: true,
	Deleted:  core.DeletedShown,
	Deletion: &core.Deletion{
		Rename:            deletedName,
		Reset:             settingDefaults,
		Forget:            true,
		SelfNeedsPassword: true,
		StaffMayNotLeave:  true,
		OthersBy:          core.LevelOwner,
		ProtectedFrom:     core.LevelGold,
	},
	Defaults:            core.Patch{"blacklisted_tags": defaultBlacklist},
	SignupAnonymousOnly: true,
	SelfEditsOnly:       true,
	StrictRank:          true,
	// Words upstream routes read beside /users/{id} (spec §1: new,
	// deactivate, custom_style) and the caller's own pages (/profile,
	// /settings); every extension the router splits off a path.
	ReservedNames: []string{"new", "deactivate", "custom_style", "profile", "settings"},
	Formats:       slices.Sorted(maps.Keys(mimeTypes)),
}

// deletedName is the name UserDeletion#rename gives: user_<id>.
func deletedName(id int64) string { return fmt.Sprintf("user_%d", id) }

// settingDefaults are what UserDeletion#reset_settings leaves: the
// column defaults with every preference bit off.
var settingDefaults = core.Patch{
	"receive_email_notifications": false, "new_post_navigation_layout": false, "enable_private_favorites": false,
	"show_deleted_children": false, "disable_categorized_saved_searches": false, "disable_tagged_filenames": false,
	"disable_mobile_gestures": false, "enable_safe_mode": false, "enable_desktop_mode": false,
	"disable_post_tooltips": false, "show_deleted_posts": false,
	"per_page": int64(20), "comment_threshold": int64(-8), "default_image_size": "large", "favorite_tags": nil,
	"blacklisted_tags": defaultBlacklist, "custom_style": nil, "theme": "auto",
	"timezone": nil, "timezone_rails": nil,
}
