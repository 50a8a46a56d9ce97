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
	ids := f.relationsShown(viewer, users)
	gs, err := f.s.store.UserGroups(ctx, ids)
	return everyShown(gs, ids), err
}

// UserPermissions returns the direct permissions (not those through a
// group: DRF renders user_permissions alone) of each user the viewer may
// see them for, by user id, each list by permission id. Codes: Forbidden.
func (f *Face) UserPermissions(ctx context.Context, viewer *User, users []*User) (map[int64][]*Permission, error) {
	if err := f.MayRead(viewer); err != nil {
		return nil, err
	}
	ids := f.relationsShown(viewer, users)
	ps, err := f.s.store.UserPermissions(ctx, ids)
	return everyShown(ps, ids), err
}

// everyShown gives each shown user an entry, empty where the store found
// none, so that absent means hidden.
func everyShown[T any](m map[int64][]T, ids []int64) map[int64][]T {
	if m == nil {
		return nil
	}
	for _, id := range ids {
		if _, ok := m[id]; !ok {
			m[id] = []T{}
		}
	}
	return m
}

// relationsShown lists the ids of the users whose groups and permissions
// viewer may see.
func (f *Face) relationsShown(viewer *User, users []*User) []int64 {
	ids := make([]int64, 0, len(users))
	for _, u := range users {
		if u != nil && f.relationsVisible(viewer, u) {
			ids = append(ids, u.ID)
		}
	}
	return ids
}
