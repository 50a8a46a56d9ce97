package core

import (
	"context"
	"fmt"

	"github.com/rs/xid"
)

// The flag rules: a user uploads at most Service.MaxFlags pride flags and
// changes only their own (an admin has no power over someone else's
// flags: they are the owner's uploads, not their profile); a banned user
// changes none. Anyone reads the flags a profile shows; the whole
// collection only its owner.

// profileFlags is the write class of a profile's flags, which are no
// column: the user and admins, as the profile's fields.
var profileFlags = &Field{Name: "flags", Write: WriteSelf | WriteAdmin}

func (s *Service) maxFlags() int {
	if s.MaxFlags <= 0 {
		return DefaultMaxFlags
	}
	return s.MaxFlags
}

func flagNotFound() *Error { return Errorf(NotFound, "Flag not found.") }

// IsXID reports whether s has the shape of an xid (20 of [0-9a-v]), the
// ids of users, members and flags on pronouns.cc: a look-up by anything
// else cannot match.
func IsXID(s string) bool {
	if len(s) != 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'v') {
			return false
		}
	}
	return true
}

// resolveFlags turns xids of the owner's flags into their ids, in order,
// reading through st (the caller's transaction). A flag that is not the
// owner's, or is named twice, is Invalid on field "flags".
func (s *Service) resolveFlags(ctx context.Context, st Store, ownerID int64, xids []string) ([]int64, error) {
	ids := make([]int64, 0, len(xids))
	if len(xids) == 0 {
		return ids, nil
	}
	own, err := st.FindFlags(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	byXID := make(map[string]int64, len(own))
	for _, f := range own {
		byXID[f.XID] = f.ID
	}
	seen := make(map[string]int, len(xids))
	for i, x := range xids {
		id, ok := byXID[x]
		if !ok {
			return nil, FieldError("flags", fmt.Sprintf("item %d is not one of the owner's flags", i+1))
		}
		if j, dup := seen[x]; dup {
			return nil, FieldError("flags", fmt.Sprintf("item %d repeats item %d", i+1, j+1))
		}
		seen[x] = i
		ids = append(ids, id)
	}
	return ids, nil
}

// Flags lists every pride flag the actor owns, shown or not, by id.
// Codes: Unauthenticated.
func (f *Face) Flags(ctx context.Context, actor *User) ([]*PrideFlag, error) {
	if actor == nil || actor == System {
		return nil, authRequired()
	}
	return f.s.store.FindFlags(ctx, actor.ID)
}

// CreateFlag uploads a pride flag for the actor. The count and the insert
// share one transaction under the user's lock, so concurrent uploads
// cannot pass Service.MaxFlags.
// Codes: Unauthenticated, Forbidden (ReasonUserBanned), Invalid
// (ReasonTooManyFlags, ReasonBadImage, ReasonImageTooLarge, field
// problems on name, description and image).
func (f *Face) CreateFlag(ctx context.Context, actor *User, in NewFlag) (*PrideFlag, error) {
	ctx = f.in(ctx)
	s := f.s
	if actor == nil || actor == System {
		return nil, authRequired()
	}
	if err := standing(actor, ActUpdate, actor); err != nil {
		return nil, err
	}
	p := Patch{"name": in.Name, "description": nil}
	if in.Description != nil && *in.Description != "" {
		p["description"] = *in.Description
	}
	probs := problems{}
	checkFlagFields(p, probs)
	if in.Image == "" {
		probs.add("image", "is required")
	}
	if err := probs.err(); err != nil {
		return nil, err
	}
	// Refuse a user at the limit before the costly decoding; the count in
	// the transaction decides races.
	if err := s.checkFlagCount(ctx, s.store, actor.ID); err != nil {
		return nil, err
	}
	now := s.now()
	img, err := s.decodeUpload(ImageFlag, "image", in.Image, now)
	if err != nil {
		return nil, err
	}
	p["xid"] = xid.NewWithTime(now).String()
	p["user_id"] = actor.ID
	p["hash"] = img.Hash
	p["created_at"] = now
	var fl *PrideFlag
	err = s.store.Tx(ctx, func(tx Store) error {
		if err := tx.LockUser(ctx, actor.ID); err != nil {
			return err
		}
		if err := s.checkFlagCount(ctx, tx, actor.ID); err != nil {
			return err
		}
		if _, err := tx.PutImage(ctx, img); err != nil {
			return err
		}
		var err error
		if fl, err = tx.CreateFlag(ctx, p); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(ctx, AuditFlagCreated, actor, actor, tagDiff(diffRecords(Flags, nil, fl), "flag_id", fl.ID)))
	})
	if err != nil {
		return nil, err
	}
	return fl, nil
}

func (s *Service) checkFlagCount(ctx context.Context, st Store, userID int64) error {
	own, err := st.FindFlags(ctx, userID)
	if err != nil {
		return err
	}
	if len(own) >= s.maxFlags() {
		return reasonf(Invalid, ReasonTooManyFlags, "A user may have at most %d pride flags.", s.maxFlags())
	}
	return nil
}

// checkFlagFields checks the name and description in p against the flags
// registry.
func checkFlagFields(p Patch, probs problems) {
	for _, name := range [...]string{"name", "description"} {
		if v, ok := p[name]; ok {
			if r := Flags.ByName(name).Check(v); r != "" {
				probs.add(name, r)
			}
		}
	}
}

// ownFlag finds one of the actor's flags by xid for a change: someone
// else's is NotFound, as a missing one is.
func (s *Service) ownFlag(ctx context.Context, actor *User, ref string) (*PrideFlag, error) {
	if actor == nil || actor == System {
		return nil, authRequired()
	}
	if err := standing(actor, ActUpdate, actor); err != nil {
		return nil, err
	}
	if !IsXID(ref) {
		return nil, flagNotFound()
	}
	fl, err := s.store.FindFlagByXID(ctx, ref)
	switch {
	case ErrorCode(err) == NotFound:
		return nil, flagNotFound()
	case err != nil:
		return nil, err
	case fl.UserID != actor.ID:
		return nil, flagNotFound()
	}
	return fl, nil
}

// UpdateFlag renames or re-describes one of the actor's flags, by xid.
// Codes: Unauthenticated, Forbidden (ReasonUserBanned), NotFound (unknown
// or someone else's), Invalid.
func (f *Face) UpdateFlag(ctx context.Context, actor *User, ref string, in FlagUpdate) (*PrideFlag, error) {
	ctx = f.in(ctx)
	fl, err := f.s.ownFlag(ctx, actor, ref)
	if err != nil {
		return nil, err
	}
	p := Patch{}
	if in.Name != nil {
		p["name"] = *in.Name
	}
	if in.Description != nil {
		p["description"] = nil
		if *in.Description != "" {
			p["description"] = *in.Description
		}
	}
	probs := problems{}
	checkFlagFields(p, probs)
	if err := probs.err(); err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return fl, nil
	}
	before := fl
	err = f.s.store.Tx(ctx, func(tx Store) error {
		var err error
		if fl, err = tx.UpdateFlag(ctx, before.ID, p); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, f.s.audit(ctx, AuditFlagUpdated, actor, actor, tagDiff(diffRecords(Flags, before, fl), "flag_id", fl.ID)))
	})
	if ErrorCode(err) == NotFound {
		return nil, flagNotFound() // deleted meanwhile
	}
	if err != nil {
		return nil, err
	}
	return fl, nil
}

// DeleteFlag deletes one of the actor's flags, by xid, and takes it off
// every profile that showed it (the store's cascade).
// Codes: Unauthenticated, Forbidden (ReasonUserBanned), NotFound.
func (f *Face) DeleteFlag(ctx context.Context, actor *User, ref string) error {
	ctx = f.in(ctx)
	fl, err := f.s.ownFlag(ctx, actor, ref)
	if err != nil {
		return err
	}
	err = f.s.store.Tx(ctx, func(tx Store) error {
		if err := tx.DeleteFlag(ctx, fl.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, f.s.audit(ctx, AuditFlagDeleted, actor, actor, eventDiff("flag_id", fl.ID, "name", fl.Name)))
	})
	if ErrorCode(err) == NotFound {
		return flagNotFound()
	}
	return err
}

// ProfileFlags lists the flags shown on u's profile, in display order.
// Flags are public: whoever may see u sees them (u comes from one of the
// face's look-ups, which applied the deletion rules).
func (f *Face) ProfileFlags(ctx context.Context, viewer, u *User) ([]*PrideFlag, error) {
	if u == nil {
		return nil, userNotFound()
	}
	return f.s.store.UserFlags(ctx, u.ID)
}
