package drf

import "usersd/internal/core"

// Profile is what the DRF face shows to whom (spec/drf.md §3,
// spec/fields.md §3.6, §5 Q2): staff only read users (Readers), and see
// every field; the user's own private fields show to themselves and
// staff. Deleted users are never listed, and the face answers 404 for
// them on the detail route too (DRF's queryset would not hold them).
var Profile = &core.Profile{
	Name: "drf",
	Classes: [...]core.Audience{
		core.ReadAnon:  core.Everyone,
		core.ReadUser:  core.SignedIn,
		core.ReadSelf:  core.SelfAndStaff,
		core.ReadNever: core.Nobody,
	},
	Readers:  core.StaffOnly,
	AnyField: true,
	Deleted:  core.DeletedHidden,
	// POST /users/ is an act of staff, as DRF's IsAdminUser (is_staff).
	Creates: &core.Grant{Level: core.LevelStaff},
	// Sorts and filters name only the fields of the seed; every one is
	// shown to staff, who alone read here.
}

// OpenProfile is Profile for deployments that let every signed-in user
// read (Options.AllUsers, spec/drf.md §3 as written): members see others'
// public fields and their own private ones.
var OpenProfile = &core.Profile{
	Name:     "drf",
	Classes:  Profile.Classes,
	Readers:  core.SignedIn,
	AnyField: true,
	Deleted:  core.DeletedHidden,
	Creates:  Profile.Creates,
}
