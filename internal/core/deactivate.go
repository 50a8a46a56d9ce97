package core

import (
	"context"
	"net/netip"
)

// deleteUser soft-deletes a user as the face's profile says: a plain soft
// delete (the row, name and e-mail stay, login stops), or the face's
// deletion, which may rename the account, forget its password, e-mail and
// login times, reset its settings and revoke its tokens. password confirms
// a user's own deletion where the face asks for it, checked as a login's
// password is (throttled per account and addr). Every deletion revokes
// the user's tokens, so that a restore does not revive them.
// Codes: Unauthenticated, NotFound, Forbidden, RateLimited.
func (s *Service) deleteUser(ctx context.Context, prof *Profile, actor *User, id int64, password string, addr netip.Addr) error {
	if actor == nil {
		return authRequired()
	}
	target, err := s.getUserByID(ctx, prof, actor, id)
	if err != nil {
		return err
	}
	if err := s.may(ctx, prof, actor, ActDelete, target); err != nil {
		return err
	}
	d := prof.Deletion
	if d == nil {
		if target.Deleted {
			return nil
		}
		now := s.now()
		return s.store.Tx(ctx, func(tx Store) error {
			u, err := tx.UpdateUser(ctx, id, Patch{"deleted": true, "deleted_at": now, "updated_at": now}, UpdateMeta{})
			if err != nil {
				return err
			}
			if err := tx.RevokeTokens(ctx, id, now); err != nil {
				return err
			}
			if err := tx.DeleteSessions(ctx, id); err != nil {
				return err
			}
			return s.recordChange(ctx, tx, actor, target, u)
		})
	}
	if d.SelfNeedsPassword && isSelf(actor, target) {
		err := s.confirmPassword(ctx, target, password, addr)
		if ErrorCode(err) == Unauthenticated {
			return reasonf(Forbidden, ReasonPasswordIncorrect, "Password is incorrect.")
		}
		if err != nil {
			return err
		}
	}
	now := s.now()
	p := Patch{"deleted": true, "deleted_at": now, "updated_at": now}
	if d.Forget {
		for _, k := range [...]string{"password_hash", "email", "email_key", "last_login_at", "last_forum_read_at"} {
			p[k] = nil
		}
	}
	for k, v := range d.Reset {
		p[k] = v
	}
	if d.Rename != nil {
		setName(p, d.Rename(id))
	}
	meta := UpdateMeta{Deletion: d.Rename != nil}
	if actor != System {
		meta.By = &actor.ID
	}
	// The rename, its name history, the revocations and the end of every
	// session commit together or not at all.
	return s.store.Tx(ctx, func(tx Store) error {
		u, err := tx.UpdateUser(ctx, id, p, meta)
		if isSkeletonConflict(err) {
			// An older name, kept from before skeletons, looks like the
			// deletion name: the deletion goes ahead without a skeleton (the
			// name rule keeps new look-alikes of user_<digits> out).
			p["name_skeleton"] = nil
			u, err = tx.UpdateUser(ctx, id, p, meta)
		}
		if err != nil {
			return err
		}
		if err := tx.RevokeTokens(ctx, id, now); err != nil {
			return err
		}
		if err := tx.DeleteSessions(ctx, id); err != nil {
			return err
		}
		return s.recordChange(ctx, tx, actor, target, u)
	})
}

// mayDelete applies a face's deletion rules but the password.
func (s *Service) mayDelete(d *Deletion, actor, target *User) error {
	if isSelf(actor, target) {
		switch {
		case d.StaffMayNotLeave && target.IsStaff():
			return reasonf(Forbidden, ReasonStaffMayNotLeave, "Staff cannot delete their account.")
		}
		return nil
	}
	switch {
	case actor.Level < max(d.OthersBy, LevelAdmin) || !outranks(actor, target):
		return reasonf(Forbidden, ReasonOutranked, "You may not delete this user.")
	case d.ProtectedFrom > 0 && target.Level >= d.ProtectedFrom:
		return reasonf(Forbidden, ReasonProtected, "You cannot delete a privileged account.")
	}
	return nil
}

// restoreName gives a user renamed by a face's deletion their last name
// back, if nobody has taken it since and it still meets the name rule.
func (s *Service) restoreName(ctx context.Context, st Store, u *User, p Patch) error {
	hist, err := st.NameChanges(ctx, u.ID)
	if err != nil || len(hist) == 0 {
		return err
	}
	last := hist[len(hist)-1]
	if !last.IsDeletion || last.NewName != u.Name {
		return nil
	}
	if s.nameProblem(last.OldName) != "" {
		return nil
	}
	if _, err := st.FindUserByNameKey(ctx, Fold(last.OldName)); ErrorCode(err) == NotFound {
		setName(p, last.OldName)
	}
	return nil
}
