package core

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// DefaultRenameCooldown is Danbooru's limit, one name change a week
// (UserNameChangeRequest#not_limited).
const DefaultRenameCooldown = 7 * 24 * time.Hour

// The rename rule: users rename their own account at most once per
// Service.RenameCooldown, counted from the account's last name change
// (whoever made it; a deletion's rename to user_<id> does not count).
// Admins and System rename anyone, themselves included, at any time. Every
// rename stays in the name history.

// renameLimited reports whether writing p to target is a rename the
// cooldown applies to.
func (s *Service) renameLimited(actor, target *User, p Patch) bool {
	name, ok := p["name"].(string)
	return ok && name != target.Name && s.RenameCooldown > 0 && actor != System && !isAdmin(actor)
}

// writeUpdate writes p to target through st (the store, or a transaction
// the caller holds); a rename under the cooldown is checked against the
// name history in the same transaction as the write.
func (s *Service) writeUpdate(ctx context.Context, st Store, actor, target *User, p Patch, meta UpdateMeta) (*User, error) {
	if !s.renameLimited(actor, target, p) {
		return s.updateBounded(ctx, st, actor, target, p, meta)
	}
	var u *User
	err := st.Tx(ctx, func(tx Store) error {
		// Writing the row first takes its lock (SQLite's writer holds the
		// whole database), so concurrent renames of one account queue and
		// each reads the history the one before it wrote.
		if _, err := tx.UpdateUser(ctx, target.ID, Patch{"updated_at": p["updated_at"]}, UpdateMeta{}); err != nil {
			return err
		}
		if err := s.checkRenameCooldown(ctx, tx, target.ID); err != nil {
			return err
		}
		var err error
		if u, err = tx.UpdateUser(ctx, target.ID, p, meta); err != nil {
			return err
		}
		if err := s.checkStoredBytes(target, u, p); err != nil {
			return err
		}
		return s.recordChange(ctx, tx, actor, target, u)
	})
	return u, err
}

// checkRenameCooldown refuses a rename within the cooldown of the last.
func (s *Service) checkRenameCooldown(ctx context.Context, st Store, id int64) error {
	hist, err := st.NameChanges(ctx, id)
	if err != nil {
		return err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].IsDeletion {
			continue
		}
		now := s.now()
		next := hist[i].ChangedAt.Add(s.RenameCooldown)
		if !now.Before(next) {
			return nil
		}
		every := humanDuration(s.RenameCooldown)
		return &Error{Code: Forbidden, Reason: ReasonRenameTooSoon,
			Message:    fmt.Sprintf("A name may be changed once every %s; the next change is possible after %s.", every, next.UTC().Format(time.RFC3339)),
			Fields:     map[string]string{"name": "was changed less than " + every + " ago"},
			RetryAfter: next.Sub(now)}
	}
	return nil
}

// humanDuration writes whole days as days ("7 days"), else as Go does.
func humanDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == day:
		return "day"
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + " days"
	}
	return d.String()
}
