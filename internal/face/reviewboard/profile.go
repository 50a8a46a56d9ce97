package reviewboard

import "usersd/internal/core"

// Profile is what Review Board shows to whom (spec §7,
// accounts/models.py is_user_profile_visible): e-mail address and names
// to signed-in viewers unless the profile is private, and then to the
// user and staff only; anonymous viewers never see them. Everyone may
// search names by prefix (user.py filters first_name and last_name for
// any caller).
var Profile = &core.Profile{
	Name: "reviewboard",
	Classes: [...]core.Audience{
		core.ReadAnon:  core.Everyone,
		core.ReadUser:  core.SignedInUnlessPrivate,
		core.ReadSelf:  core.SelfAndStaff,
		core.ReadNever: core.Nobody,
	},
	Fields: map[string]core.Audience{"email": core.SignedInUnlessPrivate},
	Search: map[string]core.SearchGrant{
		"first_name": {Audience: core.Everyone, Why: "user.py's ?q=&fullname=1 prefix-matches first_name for every caller, who may not be shown it"},
		"last_name":  {Audience: core.Everyone, Why: "user.py's ?q=&fullname=1 prefix-matches last_name for every caller, who may not be shown it"},
	},
	// Review Board deletes accounts outright; soft-deleted ones stay
	// out of lists and are found only by themselves and staff.
	Deleted: core.DeletedHidden,
	// Creating users is for superusers (level ≥ 50, fields.md §3.0.1)
	// and holders of auth.add_user (user.py create); changing others,
	// is_active included, for superusers and auth.change_user (update).
	Creates: &core.Grant{Level: core.LevelAdmin, Permission: "auth.add_user"},
	Updates: &core.Grant{Level: core.LevelAdmin, Permission: "auth.change_user"},
}
