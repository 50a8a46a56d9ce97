package core

// System is the actor of the CLI and of the core's own bookkeeping: it may
// do everything. Compare by identity.
var System = &User{Level: LevelOwner + 1, Active: true}

func isSelf(actor, target *User) bool {
	return actor != nil && target != nil && actor != System && actor.ID != 0 && actor.ID == target.ID
}

// outranks reports whether actor may act on target as staff: a higher
// level, never on themselves (spec/fields.md §0.2). The owner level may act
// on other owners.
func outranks(actor, target *User) bool {
	if actor == System {
		return true
	}
	if actor == nil || isSelf(actor, target) {
		return false
	}
	return target.Level < actor.Level || actor.Level == LevelOwner
}

// CanWrite reports whether actor may set field f of target to v. target is
// the prospective user on create (ID 0).
func CanWrite(f *Field, actor, target *User, v any) bool {
	if !f.Settable() {
		return false
	}
	if actor == System {
		return true
	}
	// On create (target.ID 0) the creator, whom the core has let create,
	// writes what the new user could write of their own, as a sign-up
	// does: staff creating an account give it an e-mail address too.
	if f.Write&WriteSelf != 0 && (isSelf(actor, target) || target.ID == 0) {
		return true
	}
	if actor == nil {
		return false
	}
	staffOK := f.Write&WriteStaff != 0 && actor.Level >= LevelStaff && outranks(actor, target)
	adminOK := f.Write&WriteAdmin != 0 && actor.Level >= LevelAdmin && (outranks(actor, target) || isSelf(actor, target))
	if !staffOK && !adminOK {
		return false
	}
	if f.Name == "level" {
		// A level may only be set below the writer's own (danbooru §13).
		n, _ := v.(int64)
		return n < int64(actor.Level)
	}
	return true
}

// canDelete: the user themself or an admin over them.
func canDelete(actor, target *User) bool {
	return actor == System || isSelf(actor, target) || (actor != nil && actor.Level >= LevelAdmin && outranks(actor, target))
}

// canSeeDeleted: deleted users are visible to themselves and to staff only.
func canSeeDeleted(viewer, target *User) bool {
	return viewer == System || isSelf(viewer, target) || viewer.IsStaff()
}
