package core

import "context"

// Group is a Django auth group (DRF `groups`; spec/fields.md §2.5).
type Group struct {
	ID   int64
	Name string
}

// Permission is a Django auth permission: app_label.codename, as
// "auth.add_user", which Review Board checks for user creation and
// updates.
type Permission struct {
	ID       int64
	AppLabel string
	Codename string
	Name     string // human-readable: "Can add user"
}

// Key is the permission as Django's has_perm names it: app_label.codename.
func (p *Permission) Key() string { return p.AppLabel + "." + p.Codename }

// GroupStore persists groups, permissions and who holds them. A user has a
// permission if it is theirs directly or through one of their groups
// (Django's has_perm); DRF renders only the direct ones.
type GroupStore interface {
	// CreateGroup stores a group. Codes: Conflict on the name; Invalid.
	CreateGroup(ctx context.Context, name string) (*Group, error)
	FindGroupByID(ctx context.Context, id int64) (*Group, error)
	// FindGroups lists every group by id.
	FindGroups(ctx context.Context) ([]*Group, error)
	// RenameGroup renames a group. Codes: NotFound, Conflict, Invalid.
	RenameGroup(ctx context.Context, id int64, name string) (*Group, error)
	// DeleteGroup deletes a group; its members and permissions lose it.
	DeleteGroup(ctx context.Context, id int64) error

	// CreatePermission stores p and sets its ID. Codes: Conflict on
	// (app_label, codename), Fields naming "codename"; Invalid.
	CreatePermission(ctx context.Context, p *Permission) error
	// FindPermissions lists every permission by id.
	FindPermissions(ctx context.Context) ([]*Permission, error)
	// FindGroupIDs returns those of ids that name a group.
	FindGroupIDs(ctx context.Context, ids []int64) ([]int64, error)
	// FindPermissionIDs returns those of ids that name a permission.
	FindPermissionIDs(ctx context.Context, ids []int64) ([]int64, error)
	// FindPermission looks one up by app label and codename. Codes: NotFound.
	FindPermission(ctx context.Context, appLabel, codename string) (*Permission, error)

	// UserGroups lists the groups of each user, by id, in one read (a
	// page of users costs one query); users without groups are absent.
	UserGroups(ctx context.Context, userIDs []int64) (map[int64][]*Group, error)
	// SetUserGroups replaces a user's groups. Codes: Invalid (field
	// "groups") if an id names no group.
	SetUserGroups(ctx context.Context, userID int64, groupIDs []int64) error
	// UserPermissions lists the direct permissions of each user, by id,
	// in one read; users without any are absent.
	UserPermissions(ctx context.Context, userIDs []int64) (map[int64][]*Permission, error)
	// SetUserPermissions replaces a user's direct permissions. Codes:
	// Invalid (field "user_permissions").
	SetUserPermissions(ctx context.Context, userID int64, permissionIDs []int64) error
	// GroupPermissions lists a group's permissions by id.
	GroupPermissions(ctx context.Context, groupID int64) ([]*Permission, error)
	// SetGroupPermissions replaces a group's permissions. Codes: NotFound
	// for a missing group; Invalid (field "permissions").
	SetGroupPermissions(ctx context.Context, groupID int64, permissionIDs []int64) error
	// EffectivePermissions lists the permissions a user has, directly or
	// through a group, by id, each once.
	EffectivePermissions(ctx context.Context, userID int64) ([]*Permission, error)
	// HasPermission reports whether a user has app_label.codename,
	// directly or through a group.
	HasPermission(ctx context.Context, userID int64, appLabel, codename string) (bool, error)
}
