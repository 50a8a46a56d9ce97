package core

import "context"

// MayRead refuses viewers outside the profile's Readers (spec/fields.md
// §5 Q2: the DRF face is staff-only by default).
func (f *Face) MayRead(viewer *User) error {
	if viewer == System || f.p.Readers.sees(relate(viewer, nil)) {
		return nil
	}
	if viewer == nil {
		return reasonf(Unauthenticated, ReasonAuthRequired, "Authentication required.")
	}
	return Errorf(Forbidden, "You may not read users here.")
}

// relationsVisible reports whether viewer sees target's groups and direct
// permissions: as the profile shows its self-readable fields (§2.5: read
// self, and staff where the profile shows those fields to staff).
func (f *Face) relationsVisible(viewer, target *User) bool {
	if viewer == System {
		return true
	}
	return f.p.Classes[ReadSelf].sees(relate(viewer, target))
}

// UserGroups returns the groups of each user the viewer may see them for,
// by user id, each list by group id; users the viewer may not see them
// for are absent. Codes: Forbidden (outside the profile's Readers).
func (f *Face) UserGroups(ctx context.Context, viewer *User, users []*User) (map[int64][]*Group, error) {
	if err := f.MayRead(viewer); err != nil {
		return nil, err
	}
	out := make(map[int64][]*Group, len(users))
	for _, u := range users {
		if u == nil || !f.relationsVisible(viewer, u) {
			continue
		}
		gs, err := f.s.store.UserGroups(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out[u.ID] = gs
	}
	return out, nil
}

// UserPermissions returns the direct permissions (not those through a
// group: DRF renders user_permissions alone) of each user the viewer may
// see them for, by user id, each list by permission id. Codes: Forbidden.
func (f *Face) UserPermissions(ctx context.Context, viewer *User, users []*User) (map[int64][]*Permission, error) {
	if err := f.MayRead(viewer); err != nil {
		return nil, err
	}
	out := make(map[int64][]*Permission, len(users))
	for _, u := range users {
		if u == nil || !f.relationsVisible(viewer, u) {
			continue
		}
		ps, err := f.s.store.UserPermissions(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out[u.ID] = ps
	}
	return out, nil
}
