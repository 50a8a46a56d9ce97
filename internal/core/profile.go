package core

import "sync"

// Audience is who sees a field under a face's profile.
type Audience uint8

// Audiences, from widest to narrowest.
const (
	Everyone Audience = iota
	// SignedIn is any authenticated viewer.
	SignedIn
	// SignedInUnlessPrivate is any authenticated viewer, but on a private
	// profile only the user and staff.
	SignedInUnlessPrivate
	// SelfAndStaff is the user and moderators or above.
	SelfAndStaff
	// SelfAndAdmin is the user and admins who are not banned.
	SelfAndAdmin
	// SelfOnly is the user alone, staff excluded (Danbooru settings,
	// pronouns.cc owner-only fields).
	SelfOnly
	// StaffOnly is moderators or above, the user excluded (Danbooru's
	// last_ip_addr).
	StaffOnly
	// AdminOnly is admins who are not banned.
	AdminOnly
	// Nobody is no viewer.
	Nobody
)

// SearchGrant lets Audience search a field the profile hides from it,
// because the face's system does (Why names where upstream does so).
type SearchGrant struct {
	Audience Audience
	Why      string
}

// DeletedPolicy says where a face shows soft-deleted users.
type DeletedPolicy uint8

// Deleted policies.
const (
	// DeletedToStaff: gets find deleted users for themselves and staff;
	// lists show them only to staff who filter on deleted (the native API).
	DeletedToStaff DeletedPolicy = iota
	// DeletedShown: deleted users are found and listed like any other
	// (Danbooru, whose deletion renames the account).
	DeletedShown
	// DeletedHidden: lists never show deleted users; gets find them for
	// themselves and staff (e621).
	DeletedHidden
)

// Profile is a face's visibility over the field registry and its own
// account rules. The core applies it to every user the face is given,
// every filter and every sort, so a face cannot show what its system
// hides. Profiles are values declared once per face.
type Profile struct {
	// Name names the face in logs and errors.
	Name string
	// Classes gives the audience of each read class.
	Classes [ReadNever + 1]Audience
	// Fields overrides the audience of single fields.
	Fields map[string]Audience
	// Search lets an audience filter and sort on a field it is not shown
	// on every user, where the face's system deliberately allows it; by
	// default a field searches for whoever sees it on every user, since a
	// search on a hidden field reveals its value a comparison at a time.
	// Each grant says why, the face's doc.go lists it, and a deployer
	// drops them all with Service.UpstreamHiddenSearch off.
	Search map[string]SearchGrant
	// AnyField lets the face filter and sort on every field its viewer may
	// search, not only those the registry marks Filter or Sort: a face's
	// syntax names its own fields, and its searches are bounded by the
	// store's statement limits.
	AnyField bool
	// Readers may read users through the face at all (gets, lists,
	// groups, permissions); others are Forbidden. The zero value is
	// Everyone.
	Readers Audience
	// Deleted says where deleted users show.
	Deleted DeletedPolicy
	// MaxOffset replaces MaxOffset for faces whose system numbers pages
	// deeper.
	MaxOffset int
	// Deletion is what deleting an account does on this face; nil is a
	// plain soft delete.
	Deletion *Deletion
	// Defaults are written on sign-up for fields the sign-up does not name
	// (Danbooru's default tag blacklist).
	Defaults Patch

	viewsOnce  sync.Once
	viewsByRel *[relCount]view
	// SignupAnonymousOnly refuses sign-ups by signed-in callers, staff
	// included (Danbooru's and e621's sign-up form is for visitors).
	SignupAnonymousOnly bool
	// SelfEditsOnly lets users change only their own account through the
	// face's update route (Danbooru's settings); standing changes go
	// through SetLevel.
	SelfEditsOnly bool
	// StrictRank lets staff change the level of users strictly below them
	// only, owners included (Danbooru's UserPromotion); by default an
	// owner may act on another owner.
	StrictRank bool
	// BannedLocked refuses banned users' credentials on the face's API
	// (e621's blocked accounts); elsewhere a ban limits what users may do,
	// not who they are.
	BannedLocked bool
	// ReservedNames are words the face's routes read where a user's id
	// or name goes (/users/me); Formats are the extensions its router
	// splits off a path (users/x.json). A user made on one face shows on
	// all, so every face's words and formats are refused as names on
	// every face (names.go), look-alikes included.
	ReservedNames []string
	Formats       []string
	// MinPassword is the fewest characters a new password may have where
	// the face checks it against the profile (the native API and the
	// console; other faces word their systems' own rules).
	MinPassword int
	// Creates makes the face's create route an act of the grant's holders
	// (Review Board: superusers and auth.add_user; DRF: staff) instead of
	// a sign-up: anonymous callers are Unauthenticated, others Forbidden,
	// and sign-up being closed does not matter.
	Creates *Grant
	// Updates lets the grant's holders change accounts below staff as
	// staff would (Review Board's auth.change_user); nil leaves updates to
	// the core's rank rule.
	Updates *Grant
}

// Deletion describes a face's account deletion beyond the soft delete
// itself, which the core runs in one transaction with the name history
// and token revocations.
type Deletion struct {
	// Rename gives the account a new name; the old one stays in the name
	// history and comes back on restore when still free.
	Rename func(id int64) string
	// Reset is written over the account (settings back to defaults).
	Reset Patch
	// Forget removes the password and e-mail address and the login times.
	Forget bool
	// SelfNeedsPassword makes users confirm their own deletion with their
	// password.
	SelfNeedsPassword bool
	// StaffMayNotLeave refuses moderators and above deleting themselves.
	// (Banned users may not delete themselves on any face: standing.go.)
	StaffMayNotLeave bool
	// OthersBy is the lowest level that deletes other accounts, and
	// ProtectedFrom the level from which accounts cannot be deleted by
	// others at all (0: no protection).
	OthersBy      int
	ProtectedFrom int
}

// NativeProfile is the native API's: profiles (ReadUser) to signed-in
// viewers unless private, personal fields (ReadSelf) to the user and staff.
var NativeProfile = &Profile{
	Name:    "native",
	Classes: [...]Audience{ReadAnon: Everyone, ReadUser: SignedInUnlessPrivate, ReadSelf: SelfAndStaff, ReadNever: Nobody},
	// /v1/me is the caller; /v1/users/export is the export where
	// /v1/users/{id or name} would read a name.
	ReservedNames: []string{"me", "export"},
	MinPassword:   8,
}

// audience returns the audience of f under p.
func (p *Profile) audience(f *Field) Audience {
	if f.Read == ReadNever {
		return Nobody
	}
	if a, ok := p.Fields[f.Name]; ok {
		return a
	}
	return p.Classes[f.Read]
}

func isAdmin(u *User) bool { return u != nil && u.Level >= LevelAdmin && !u.Banned }

// relation is what visibility depends on: who the viewer is to the
// target, and whether the target's profile is private.
type relation uint8

const (
	relSignedIn relation = 1 << iota
	relSelf
	relStaff
	relAdmin
	relPrivate
	relCount = 1 << iota
)

func relate(viewer, target *User) relation {
	var r relation
	if viewer != nil {
		r |= relSignedIn
	}
	if isSelf(viewer, target) {
		r |= relSelf
	}
	if viewer.IsStaff() {
		r |= relStaff
	}
	if isAdmin(viewer) {
		r |= relAdmin
	}
	if target != nil && target.PrivateProfile {
		r |= relPrivate
	}
	return r
}

// sees is the audience rule: whether a viewer in relation r sees a field
// shown to audience a.
func (a Audience) sees(r relation) bool {
	self, staff := r&relSelf != 0, r&relStaff != 0
	switch a {
	case Everyone:
		return true
	case SignedIn:
		return r&relSignedIn != 0
	case SignedInUnlessPrivate:
		return r&relSignedIn != 0 && (r&relPrivate == 0 || self || staff)
	case SelfAndStaff:
		return self || staff
	case SelfAndAdmin:
		return self || r&relAdmin != 0
	case SelfOnly:
		return self
	case StaffOnly:
		return staff
	case AdminOnly:
		return r&relAdmin != 0
	}
	return false
}

// Sees reports whether viewer (nil: anonymous) sees field f of target
// under p.
func (p *Profile) Sees(f *Field, viewer, target *User) bool {
	if viewer == System {
		return f.Read != ReadNever
	}
	return p.audience(f).sees(relate(viewer, target))
}

// SearchesOn reports whether viewer may filter or sort on f under the
// profile as declared: only when f shows on every user, or a search grant
// names a wider audience. Faces ask Face.SearchesOn, which also honours
// the service's UpstreamHiddenSearch.
func (p *Profile) SearchesOn(f *Field, viewer *User) bool {
	return p.searchesOn(f, viewer, true)
}

// searchesOn is SearchesOn with the profile's search grants applied or
// not.
func (p *Profile) searchesOn(f *Field, viewer *User, grants bool) bool {
	if f.Read == ReadNever {
		return false
	}
	if viewer == System {
		return true
	}
	a := p.audience(f)
	if g, ok := p.Search[f.Name]; ok && grants {
		a = g.Audience
	}
	switch a {
	case Everyone:
		return true
	case SignedIn:
		return viewer != nil
	case SignedInUnlessPrivate, SelfAndStaff, StaffOnly:
		return viewer.IsStaff()
	case SelfAndAdmin, AdminOnly:
		return isAdmin(viewer)
	}
	return false
}

// deletedVisible reports whether viewer finds the deleted user target.
func (p *Profile) deletedVisible(viewer, target *User) bool {
	return p.Deleted == DeletedShown || canSeeDeleted(viewer, target)
}

// fieldMask is a set of registry positions.
type fieldMask [(maxFields + 63) / 64]uint64

// maxFields bounds the users registry; init panics past it.
const maxFields = 192

func (m *fieldMask) set(i int)      { m[i/64] |= 1 << (i % 64) }
func (m *fieldMask) has(i int) bool { return m[i/64]&(1<<(i%64)) != 0 }

// view is what one relation sees of the users registry under a profile:
// the fields shown, and those to zero.
type view struct {
	shown  fieldMask
	hidden []*Field
}

// views returns the profile's view for each relation, computed once: the
// profile's rules are fixed, so redaction is a copy and a few zeroings.
func (p *Profile) views() *[relCount]view {
	p.viewsOnce.Do(func() {
		p.viewsByRel = new([relCount]view)
		for r := range relation(relCount) {
			v := &p.viewsByRel[r]
			for _, f := range Fields {
				switch {
				case p.audience(f).sees(r):
					v.shown.set(f.idx)
				case f.Follows != "" && p.audience(FieldByName(f.Follows)).sees(r):
				default:
					v.hidden = append(v.hidden, f)
				}
			}
		}
	})
	return p.viewsByRel
}

// Redact returns a copy of u as viewer sees it under p: the fields p hides
// are zero and Shows reports them absent.
func (p *Profile) Redact(viewer, u *User) *User {
	if u == nil {
		return nil
	}
	c := *u
	return p.redact(viewer, &c)
}

// redact is Redact in place, for records the core has just read and
// hands on to no one else.
func (p *Profile) redact(viewer, u *User) *User {
	if viewer == System {
		u.PasswordHash = nil
		return u
	}
	v := &p.views()[relate(viewer, u)]
	if u.zone == nil {
		u.zone = u.Timezone
	}
	for _, f := range v.hidden {
		f.zero(u)
	}
	u.shown = &v.shown
	return u
}

// Shows reports whether the field named name may be rendered for u: false
// for fields the face's profile hides from the viewer u was redacted for,
// true for every readable field of an unredacted user.
func (u *User) Shows(name string) bool {
	f := FieldByName(name)
	return f != nil && u.ShowsField(f)
}

// ShowsField is Shows for f, a field of the users registry (core.Fields),
// without the look-up by name: renderers ask it for every field of every
// user they write.
func (u *User) ShowsField(f *Field) bool {
	if f.Read == ReadNever || f.user == nil { // f.user: a users field, whose idx counts
		return false
	}
	return u.shown == nil || u.shown.has(f.idx)
}
