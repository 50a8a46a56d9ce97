package e621

import (
	"maps"
	"slices"

	"usersd/internal/core"
)

// Profile is what e621ng shows to whom (UserPresenter, users_controller):
// settings and personal fields to the user alone, the last login time also
// to admins; admins search by e-mail address and last address, which they
// are not shown. Deleted users never list.
var Profile = &core.Profile{
	Name: "e621",
	Classes: [...]core.Audience{
		core.ReadAnon:  core.Everyone,
		core.ReadUser:  core.SignedInUnlessPrivate,
		core.ReadSelf:  core.SelfOnly,
		core.ReadNever: core.Nobody,
	},
	// is_verified (from requires_verification) is public on e621ng.
	Fields: map[string]core.Audience{"last_login_at": core.SelfAndAdmin, "requires_verification": core.Everyone},
	// e621ng searches fields it hides (doc.go; serve
	// --upstream-hidden-search=false drops these grants).
	Search: map[string]core.SearchGrant{
		"email":      {Audience: core.AdminOnly, Why: "users_controller permits search[email_matches] to admins, who are not shown addresses"},
		"last_ip":    {Audience: core.AdminOnly, Why: "users_controller permits search[ip_addr] to admins, who are not shown last_ip_addr"},
		"updated_at": {Audience: core.Everyone, Why: "permit_search_params permits search[updated_at] to every viewer; it is shown to the user alone"},
	},
	AnyField: true,
	Deleted:  core.DeletedHidden,
	// Sign-up is for visitors (users_controller: "You are already signed in").
	SignupAnonymousOnly: true,
	// A blocked account's keys stop working on e621ng's API.
	BannedLocked: true,
	// /users/me and /users/upload_limit, and e621ng's reserved words for
	// its other routes (B.10.2: home, settings); every format the router
	// knows.
	ReservedNames: []string{"me", "upload_limit", "home", "settings"},
	Formats:       append([]string{"json"}, slices.Sorted(maps.Keys(formatMIME))...),
}
