package core

// This file declares the core API the pronouns.cc face (and later faces)
// call for sub-entities: images, pride flags, members, short-id rerolls,
// linked accounts and named rate-limit buckets. Bodies live in the files
// named beside each declaration.

import (
	"context"
	"errors"
)

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

var errNotImplemented = errors.New("not implemented")

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

// Image returns a stored image by hash for the media routes.
// Codes: NotFound. (image_service.go)
func (f *Face) Image(ctx context.Context, hash string) (*Image, error) {
	return nil, errNotImplemented
}

// Flags lists every pride flag the actor owns, shown or not, by id.
// Codes: Unauthenticated. (flag_service.go)
func (f *Face) Flags(ctx context.Context, actor *User) ([]*PrideFlag, error) {
	return nil, errNotImplemented
}

// CreateFlag uploads a pride flag for the actor.
// Codes: Unauthenticated, Invalid (ReasonTooManyFlags, ReasonBadImage,
// ReasonImageTooLarge, field problems). (flag_service.go)
func (f *Face) CreateFlag(ctx context.Context, actor *User, in NewFlag) (*PrideFlag, error) {
	return nil, errNotImplemented
}

// UpdateFlag renames or re-describes one of the actor's flags, by xid.
// Codes: Unauthenticated, NotFound (unknown or someone else's), Invalid.
func (f *Face) UpdateFlag(ctx context.Context, actor *User, xid string, in FlagUpdate) (*PrideFlag, error) {
	return nil, errNotImplemented
}

// DeleteFlag deletes one of the actor's flags, by xid, and takes it off
// every profile that showed it. Codes: Unauthenticated, NotFound.
func (f *Face) DeleteFlag(ctx context.Context, actor *User, xid string) error {
	return errNotImplemented
}

// ProfileFlags lists the flags shown on u's profile, in display order.
func (f *Face) ProfileFlags(ctx context.Context, viewer, u *User) ([]*PrideFlag, error) {
	return nil, errNotImplemented
}

// RerollSID gives the actor a new short id, at most once per
// Service.RerollCooldown, by one conditional update so that concurrent
// rerolls on any number of nodes cannot both succeed.
// Codes: Unauthenticated, Forbidden (ReasonRerollTooSoon). (reroll.go)
func (f *Face) RerollSID(ctx context.Context, actor *User) (*User, error) {
	return nil, errNotImplemented
}

// LinkedAccounts lists u's linked accounts to u alone (nil for others).
func (f *Face) LinkedAccounts(ctx context.Context, viewer, u *User) ([]LinkedAccount, error) {
	return nil, errNotImplemented
}

// Spend takes n units from key's bucket under l, for a face's own request
// limits (pronouns.cc's per-route buckets). The answer carries what
// rate-limit headers need; a refusal is Allowed false, not an error.
func (f *Face) Spend(ctx context.Context, l Limit, key string, n int) (RateResult, error) {
	return RateResult{}, errNotImplemented
}

// decodeImage checks a data URI upload (PNG, JPEG or WebP by content,
// bounded by s.Images before decoding) and re-encodes it for storage; the
// caller puts the result with Store.PutImage inside its transaction.
// Codes: Invalid (ReasonBadImage, ReasonImageTooLarge). (image_service.go)
func (s *Service) decodeImage(kind, dataURI string) (*Image, error) {
	return nil, reasonf(Invalid, ReasonBadImage, "image uploads are not built yet")
}

// checkEntries checks the profile entries in p (preferred_names, pronouns,
// profile_fields: shapes, lengths, statuses) against the custom
// preferences in effect after the write, prefs, and adds each problem to
// probs under its field name. Users and members share it. (entries.go)
func checkEntries(p Patch, prefs []byte, probs problems) {}
