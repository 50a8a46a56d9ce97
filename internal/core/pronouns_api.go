package core

// This file declares the core API the pronouns.cc face (and later faces)
// call for sub-entities: images, pride flags, members, short-id rerolls,
// linked accounts and named rate-limit buckets. Bodies live in the files
// named beside each declaration.

// Reasons of the sub-entity API, appended to the list in errors.go.
const (
	ReasonBadImage       = "bad_image"        // an upload that is not an acceptable image (Invalid)
	ReasonImageTooLarge  = "image_too_large"  // bytes or pixels past the limits, refused before decoding (Invalid)
	ReasonTooManyFlags   = "too_many_flags"   // Service.MaxFlags reached (Invalid)
	ReasonTooManyMembers = "too_many_members" // Service.MaxMembers reached (Invalid)
	ReasonListPrivate    = "list_private"     // a member list its owner keeps private (Forbidden)
	ReasonRerollTooSoon  = "reroll_too_soon"  // a short-id reroll within Service.RerollCooldown (Forbidden)
	ReasonBadStatus      = "bad_status"       // an entry status that is neither a standard one nor a custom preference (Invalid)
)

// NewFlag is the input of Face.CreateFlag.
type NewFlag struct {
	Image       string  // data URI of the picture (image_service.go)
	Name        string  // 1..100 characters
	Description *string // nil or "": none
}

// FlagUpdate is the input of Face.UpdateFlag; nil leaves a field alone and
// an empty Description clears it.
type FlagUpdate struct {
	Name        *string
	Description *string
}

// MemberInput is the input of Face.CreateMember and Face.UpdateMember.
type MemberInput struct {
	// Fields are keyed by Members registry names (name, display_name,
	// bio, links, preferred_names, pronouns, profile_fields, unlisted);
	// "" clears a nullable text.
	Fields Patch
	// Avatar is a data URI; "" removes the avatar; nil leaves it.
	Avatar *string
	// Flags are xids of the owner's flags in display order, replacing the
	// member's; nil leaves them.
	Flags *[]string
}

// LinkedAccount is an account at another site linked to a user
// (linked_accounts; pronouns.cc's discord, tumblr, google, fediverse).
type LinkedAccount struct {
	Provider       string // discord, tumblr, google or fediverse
	RemoteID       string
	RemoteUsername *string
	Instance       *string // fediverse only
}
