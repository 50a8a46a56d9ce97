package core

import (
	"context"
	"strings"
)

// Grant names who may take an action through a face beyond the core's
// own rule: callers at Level or above, or holders of Permission, a Django
// app_label.codename such as Review Board's "auth.add_user" (directly or
// through a group, as Django's has_perm). Banned callers hold no grant.
type Grant struct {
	Level      int
	Permission string
}

// holds reports whether actor holds g.
func (s *Service) holds(ctx context.Context, g *Grant, actor *User) (bool, error) {
	switch {
	case actor == System:
		return true, nil
	case actor == nil || actor.Banned || !actor.CanAuthenticate():
		return false, nil
	case g.Level > 0 && actor.Level >= g.Level:
		return true, nil
	case g.Permission == "":
		return false, nil
	}
	app, code, _ := strings.Cut(g.Permission, ".")
	return s.store.HasPermission(ctx, actor.ID, app, code)
}

// mayCreate applies a face's Creates grant: creating an account there is
// an act of a signed-in holder, never a sign-up.
func (s *Service) mayCreate(ctx context.Context, g *Grant, actor *User) error {
	if actor == nil {
		return authRequired()
	}
	ok, err := s.holds(ctx, g, actor)
	switch {
	case err != nil:
		return err
	case !ok:
		return reasonf(Forbidden, ReasonNoGrant, "You may not create users.")
	}
	return nil
}

// grantedUpdater is the actor a face's Updates grant makes of a holder
// changing another account below staff: an actor at the grant's level
// (staff at least), for this update alone, so the field rules (CanWrite)
// let them write what that level may. Levels stay with the core's rank
// rule: an update naming one gets no lift, nor does one of a staff
// account.
func (s *Service) grantedUpdater(ctx context.Context, g *Grant, actor, target *User, in Patch) (*User, error) {
	if g == nil || actor == nil || actor == System || isSelf(actor, target) || target.Level >= LevelStaff {
		return actor, nil
	}
	if _, ok := in["level"]; ok {
		return actor, nil
	}
	lift := max(g.Level, LevelStaff)
	if actor.Level >= lift {
		return actor, nil
	}
	ok, err := s.holds(ctx, g, actor)
	if err != nil || !ok {
		return actor, err
	}
	lifted := *actor
	lifted.Level = lift
	return &lifted, nil
}
