package core

// Members: profiles a user owns (pronouns.cc, spec/pronouns.md §7.3,
// §8.5, §8.6, §9; spec/fields.md §2.6).
//
// Who sees what:
//   - Members of a deleted user are NotFound to everyone.
//   - The owner sees every member. Everyone else, staff included (the
//     pronouns.cc API gives administrators nothing extra), sees the listed
//     ones, and none when the owner keeps the list private: an empty list
//     inside a profile, Forbidden (ReasonListPrivate) on the list itself.
//   - Unlisted means left out of lists, not secret: a member is found by
//     its xid or by name by anyone who asks for it.
//
// Who changes what: the owner alone (and System). pronouns.cc refuses
// everyone else ("can only edit your own members", 3004) and its
// administrators have no power over members there, so the Members
// registry's WriteAdmin bit grants nothing through these methods. A
// banned owner is refused as on their own profile (standing.go).
//
// Lists are in creation order (id): pronouns.cc's documentation names no
// order for member lists.

import (
	"context"
	"errors"
	"fmt"

	"github.com/rs/xid"

	"usersd/internal/query"
)

func memberNotFound() *Error { return Errorf(NotFound, "Member not found.") }

func memberNotYours() *Error {
	return reasonf(Forbidden, ReasonNotYours, "You may change only your own members.")
}

func memberNameTaken() *Error {
	return &Error{Code: Conflict, Reason: ReasonNameTaken, Message: "A member with this name already exists.",
		Fields: map[string]string{"name": "is already taken"}}
}

// ownsMembers reports whether viewer sees and changes owner's members as
// their owner.
func ownsMembers(viewer, owner *User) bool { return viewer == System || isSelf(viewer, owner) }

// memberOwner reads a member's user from st; a deleted (or missing) user
// hides their members. Faces hand the core users redacted for a viewer,
// which may hide list_private, so the owner is always read afresh.
func memberOwner(ctx context.Context, st Store, id int64) (*User, error) {
	u, err := st.FindUserByID(ctx, id)
	if ErrorCode(err) == NotFound || (err == nil && u.Deleted) {
		return nil, memberNotFound()
	}
	return u, err
}

// memberByXID finds a member by xid; a ref that is no xid is NotFound.
func memberByXID(ctx context.Context, st Store, ref string) (*Member, error) {
	if _, err := xid.FromString(ref); err != nil {
		return nil, memberNotFound()
	}
	m, err := st.FindMemberByXID(ctx, ref)
	if ErrorCode(err) == NotFound {
		return nil, memberNotFound()
	}
	return m, err
}

// listMembers returns the owner's members by id: every one, or the listed
// ones only.
func (s *Service) listMembers(ctx context.Context, ownerID int64, all bool) ([]*Member, error) {
	q := query.List{Limit: query.MaxLimit}
	if !all {
		q.Filter = &query.Cond{Field: "unlisted", Op: query.Eq, Value: false}
	}
	out := []*Member{}
	for {
		page, _, err := s.store.FindMembers(ctx, ownerID, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < q.Limit {
			return out, nil
		}
		q.After = []any{page[len(page)-1].ID}
	}
}

// visibleMembers lists what viewer sees of u's members; private reports
// a list its owner hides from viewer.
func (s *Service) visibleMembers(ctx context.Context, viewer, u *User) (ms []*Member, private bool, err error) {
	if u == nil {
		return nil, false, userNotFound()
	}
	owner, err := memberOwner(ctx, s.store, u.ID)
	if err != nil {
		return nil, false, err
	}
	own := ownsMembers(viewer, owner)
	if !own && owner.ListPrivate {
		return []*Member{}, true, nil
	}
	ms, err = s.listMembers(ctx, owner.ID, own)
	return ms, false, err
}

// ProfileMembers lists the members shown inside u's profile: every member
// for u themselves, the listed ones for others, none for others when u
// keeps the list private.
func (f *Face) ProfileMembers(ctx context.Context, viewer, u *User) ([]*Member, error) {
	ms, _, err := f.s.visibleMembers(ctx, viewer, u)
	return ms, err
}

// Members lists u's members for the member list route: as ProfileMembers,
// but a private list is Forbidden (ReasonListPrivate) to others.
func (f *Face) Members(ctx context.Context, viewer, u *User) ([]*Member, error) {
	ms, private, err := f.s.visibleMembers(ctx, viewer, u)
	if private {
		return nil, reasonf(Forbidden, ReasonListPrivate, "This user's member list is private.")
	}
	return ms, err
}

// UserMember finds one of u's members by xid or, failing that, by name
// (case-insensitive). Unlisted members are found by anyone who asks for
// them. Codes: NotFound.
func (f *Face) UserMember(ctx context.Context, viewer, u *User, ref string) (*Member, error) {
	if u == nil {
		return nil, memberNotFound()
	}
	owner, err := memberOwner(ctx, f.s.store, u.ID)
	if err != nil {
		return nil, err
	}
	m, err := memberByXID(ctx, f.s.store, ref)
	switch {
	case err == nil && m.UserID == owner.ID:
		return m, nil
	case err != nil && ErrorCode(err) != NotFound:
		return nil, err
	}
	if !possibleName(ref) {
		return nil, memberNotFound()
	}
	m, err = f.s.store.FindMemberByNameKey(ctx, owner.ID, Fold(ref))
	if ErrorCode(err) == NotFound {
		return nil, memberNotFound()
	}
	return m, err
}

// Member finds a member by xid, with its owner as viewer sees them.
// Members of deleted users are NotFound. Codes: NotFound.
func (f *Face) Member(ctx context.Context, viewer *User, ref string) (*Member, *User, error) {
	m, err := memberByXID(ctx, f.s.store, ref)
	if err != nil {
		return nil, nil, err
	}
	owner, err := memberOwner(ctx, f.s.store, m.UserID)
	if err != nil {
		return nil, nil, err
	}
	return m, f.p.redact(viewer, owner), nil
}

// MemberFlags returns the flags shown on each member's profile, in
// display order; members without flags are absent from the map.
func (f *Face) MemberFlags(ctx context.Context, members []*Member) (map[int64][]*PrideFlag, error) {
	if len(members) == 0 {
		return map[int64][]*PrideFlag{}, nil
	}
	ids := make([]int64, len(members))
	for i, m := range members {
		ids[i] = m.ID
	}
	return f.s.store.MemberFlags(ctx, ids)
}

// memberWrite is a checked MemberInput: the patch of fields, the avatar
// to store and the flags to show.
type memberWrite struct {
	p     Patch
	img   *Image   // nil: no new picture (p["avatar"] may still clear it)
	flags []string // flag xids; nil: unchanged
}

// checkMemberInput checks in as written by actor to a member of owner,
// decoding the avatar only once every field has passed.
func (s *Service) checkMemberInput(actor, owner *User, in MemberInput, create bool) (*memberWrite, error) {
	fields := make(Patch, len(in.Fields))
	for k, v := range in.Fields {
		if f := Members.ByName(k); f != nil && f.Kind == KindText && f.Null && v == "" {
			v = nil // "" clears a nullable text
		}
		fields[k] = v
	}
	w := &memberWrite{p: Patch{}}
	probs := problems{}
	if _, ok := fields["avatar"]; ok {
		// An avatar is an upload (in.Avatar), never a hash a client names.
		probs.add("avatar", "is set by uploading an image")
		delete(fields, "avatar")
	}
	if err := s.checkEntityFields(Members, actor, owner, fields, w.p, probs); err != nil {
		return nil, err
	}
	if _, ok := fields["name"]; create && !ok {
		probs.add("name", "is required")
	}
	checkEntries(w.p, owner.CustomPreferences, probs)
	if in.Flags != nil {
		w.flags = *in.Flags
		if w.flags == nil {
			w.flags = []string{}
		}
		if r := checkFlagXIDs(w.flags, s.maxFlags()); r != "" {
			probs.add("flags", r)
		}
	}
	if err := probs.err(); err != nil {
		return nil, err
	}
	if name, ok := w.p["name"].(string); ok {
		w.p["name_key"] = Fold(name)
	}
	if in.Avatar != nil {
		w.p["avatar"] = nil
		if *in.Avatar != "" {
			img, err := s.decodeImage(ImageAvatar, *in.Avatar)
			if err != nil {
				return nil, err
			}
			w.img = img
			w.p["avatar"] = img.Hash
		}
	}
	return w, nil
}

// checkFlagXIDs checks a list of flag xids before any is looked up: at
// most max, each shaped as an xid, none twice (resolveFlags then checks
// the owner's flags in the write's transaction).
func checkFlagXIDs(xids []string, max int) string {
	if max > 0 && len(xids) > max {
		return fmt.Sprintf("must have at most %d items", max)
	}
	seen := make(map[string]int, len(xids))
	for i, x := range xids {
		if !IsXID(x) {
			return fmt.Sprintf("item %d is not one of the owner's flags", i+1)
		}
		if j, dup := seen[x]; dup {
			return fmt.Sprintf("item %d repeats item %d", i+1, j+1)
		}
		seen[x] = i
	}
	return ""
}

// putMemberAvatar stores the avatar of w in tx, before the member row
// refers to it.
func putMemberAvatar(ctx context.Context, tx Store, w *memberWrite) error {
	if w.img == nil {
		return nil
	}
	_, err := tx.PutImage(ctx, w.img)
	return err
}

// isConflictOn reports whether err is a store Conflict on one of fields.
func isConflictOn(err error, fields ...string) bool {
	var e *Error
	if !errors.As(err, &e) || e.Code != Conflict {
		return false
	}
	for _, f := range fields {
		if e.Fields[f] != "" {
			return true
		}
	}
	return false
}

// memberConflict turns a store conflict on the member's name into the
// error a taken name gets.
func memberConflict(err error) error {
	if isConflictOn(err, "name", "name_key") {
		return memberNameTaken()
	}
	return err
}

// sidAttempts bounds the draws of a fresh short id: 26^6 ids make a
// second collision all but impossible.
const sidAttempts = 8

// CreateMember creates a member owned by the actor.
// Codes: Unauthenticated, Invalid (ReasonTooManyMembers, field
// problems, ReasonBadImage), Conflict (name taken among the owner's).
func (f *Face) CreateMember(ctx context.Context, actor *User, in MemberInput) (*Member, error) {
	ctx = f.in(ctx)
	return f.s.createMember(ctx, actor, in)
}

func (s *Service) createMember(ctx context.Context, actor *User, in MemberInput) (*Member, error) {
	switch {
	case actor == nil:
		return nil, authRequired()
	case actor == System:
		return nil, Errorf(Invalid, "Members belong to users; System owns none.")
	}
	owner, err := memberOwner(ctx, s.store, actor.ID)
	if err != nil {
		return nil, err
	}
	if err := standing(actor, ActUpdate, owner); err != nil {
		return nil, err
	}
	w, err := s.checkMemberInput(actor, owner, in, true)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := w.p
	p["user_id"], p["created_at"], p["updated_at"] = owner.ID, now, now
	var m *Member
	err = s.store.Tx(ctx, func(tx Store) (err error) {
		// The lock makes the count and the insert one step for this owner.
		if err := tx.LockUser(ctx, owner.ID); err != nil {
			return err
		}
		if s.MaxMembers > 0 {
			_, n, ferr := tx.FindMembers(ctx, owner.ID, query.List{Limit: 1, Total: true})
			if ferr != nil {
				return ferr
			}
			if n < 0 || n >= s.MaxMembers {
				return reasonf(Invalid, ReasonTooManyMembers, "A user may have at most %d members.", s.MaxMembers)
			}
		}
		var ids []int64
		if w.flags != nil {
			if ids, err = s.resolveFlags(ctx, tx, owner.ID, w.flags); err != nil {
				return err
			}
		}
		if err := putMemberAvatar(ctx, tx, w); err != nil {
			return err
		}
		for attempt := 1; ; attempt++ {
			p["xid"], p["sid"] = xid.NewWithTime(now).String(), randomSID(6)
			m, err = tx.CreateMember(ctx, p)
			if attempt < sidAttempts && isConflictOn(err, "sid", "xid") {
				continue
			}
			if err != nil {
				return memberConflict(err)
			}
			break
		}
		if len(ids) > 0 {
			if err := tx.SetMemberFlags(ctx, m.ID, ids); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, s.audit(ctx, AuditMemberCreated, actor, owner, tagDiff(diffRecords(Members, nil, m), "member_id", m.ID)))
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// memberForWrite finds a member by xid for a change by actor: NotFound
// for unknown members and those of deleted users, then the standing
// rule, then Forbidden for anyone but the owner.
func (s *Service) memberForWrite(ctx context.Context, actor *User, ref string) (*Member, *User, error) {
	if actor == nil {
		return nil, nil, authRequired()
	}
	m, err := memberByXID(ctx, s.store, ref)
	if err != nil {
		return nil, nil, err
	}
	owner, err := memberOwner(ctx, s.store, m.UserID)
	if err != nil {
		return nil, nil, err
	}
	if err := standing(actor, ActUpdate, owner); err != nil {
		return nil, nil, err
	}
	if !ownsMembers(actor, owner) {
		return nil, nil, memberNotYours()
	}
	return m, owner, nil
}

// UpdateMember changes a member by xid, all or nothing.
// Codes: Unauthenticated, NotFound, Forbidden (ReasonNotYours), Invalid,
// Conflict.
func (f *Face) UpdateMember(ctx context.Context, actor *User, ref string, in MemberInput) (*Member, error) {
	ctx = f.in(ctx)
	return f.s.updateMember(ctx, actor, ref, in)
}

func (s *Service) updateMember(ctx context.Context, actor *User, ref string, in MemberInput) (*Member, error) {
	m, owner, err := s.memberForWrite(ctx, actor, ref)
	if err != nil {
		return nil, err
	}
	w, err := s.checkMemberInput(actor, owner, in, false)
	if err != nil {
		return nil, err
	}
	if len(w.p) == 0 && w.flags == nil {
		return m, nil
	}
	p := w.p
	p["updated_at"] = s.now()
	var out *Member
	err = s.store.Tx(ctx, func(tx Store) error {
		var ids []int64
		if w.flags != nil {
			var err error
			if ids, err = s.resolveFlags(ctx, tx, owner.ID, w.flags); err != nil {
				return err
			}
		}
		if err := putMemberAvatar(ctx, tx, w); err != nil {
			return err
		}
		got, err := tx.UpdateMember(ctx, m.ID, p)
		if err != nil {
			return memberConflict(err)
		}
		if w.flags != nil {
			if err := tx.SetMemberFlags(ctx, m.ID, ids); err != nil {
				return err
			}
		}
		out = got
		diff := diffRecords(Members, m, got)
		if w.flags != nil {
			diff = tagDiff(diff, "flags", map[string]bool{"changed": true})
		}
		return tx.AppendAudit(ctx, s.audit(ctx, AuditMemberUpdated, actor, owner, tagDiff(diff, "member_id", m.ID)))
	})
	if ErrorCode(err) == NotFound {
		return nil, memberNotFound() // deleted meanwhile
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteMember deletes a member by xid.
// Codes: Unauthenticated, NotFound, Forbidden (ReasonNotYours).
func (f *Face) DeleteMember(ctx context.Context, actor *User, ref string) error {
	ctx = f.in(ctx)
	m, owner, err := f.s.memberForWrite(ctx, actor, ref)
	if err != nil {
		return err
	}
	err = f.s.store.Tx(ctx, func(tx Store) error {
		if err := tx.DeleteMember(ctx, m.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, f.s.audit(ctx, AuditMemberDeleted, actor, owner, eventDiff("member_id", m.ID, "name", m.Name)))
	})
	if ErrorCode(err) == NotFound {
		return memberNotFound()
	}
	return err
}

// RerollMemberSID gives a member a new short id under the owner's reroll
// cooldown. Codes: Unauthenticated, NotFound, Forbidden (ReasonNotYours,
// ReasonRerollTooSoon).
func (f *Face) RerollMemberSID(ctx context.Context, actor *User, ref string) (*Member, error) {
	ctx = f.in(ctx)
	return f.s.rerollMemberSID(ctx, actor, ref)
}

func (s *Service) rerollMemberSID(ctx context.Context, actor *User, ref string) (*Member, error) {
	m, owner, err := s.memberForWrite(ctx, actor, ref)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out *Member
	err = s.store.Tx(ctx, func(tx Store) error {
		// The owner's cooldown, shared with their own reroll: of
		// concurrent claims one wins, and a lost claim writes nothing.
		if err := s.claimReroll(ctx, tx, owner.ID, now); err != nil {
			return err
		}
		err := withNewSID(6, func(sid string) error {
			var err error
			out, err = tx.UpdateMember(ctx, m.ID, Patch{"sid": sid, "updated_at": now})
			return err
		})
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(ctx, AuditMemberUpdated, actor, owner, tagDiff(diffRecords(Members, m, out), "member_id", m.ID)))
	})
	if ErrorCode(err) == NotFound {
		return nil, memberNotFound() // deleted meanwhile
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}
