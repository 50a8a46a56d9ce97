package pronouns

import "usersd/internal/core"

// Profile is what pronouns.cc shows to whom (spec/pronouns.md §7, §9;
// spec/fields.md §3.4): the public profile to everyone, the owner-only
// keys of §7.2 (created_at, timezone, list_private, last_sid_reroll,
// linked accounts) to the user alone — administrators get nothing extra
// (§9). Deleted users are found by nobody (the face answers 2001 for
// them even where the core would show them to staff).
var Profile = &core.Profile{
	Name: "pronouns",
	Classes: [...]core.Audience{
		core.ReadAnon:  core.Everyone,
		core.ReadUser:  core.SelfOnly,
		core.ReadSelf:  core.SelfOnly,
		core.ReadNever: core.Nobody,
	},
	// created_at is public in the registry; pronouns.cc sends it to the
	// owner only (it can be read off the xid anyway).
	Fields:  map[string]core.Audience{"created_at": core.SelfOnly},
	Deleted: core.DeletedHidden,
	// /users/@me is the caller; "@" is outside every name charset, but
	// the word is refused on every face all the same.
	ReservedNames: []string{"@me"},
}

// ownerView reports whether u was redacted for u themself: the profile
// shows last_sid_reroll_at to the owner alone, so the owner-only keys of
// §7.2 follow it.
func ownerView(u *core.User) bool { return u.Shows("last_sid_reroll_at") }
