package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"usersd/internal/core"
)

// CreateGroup implements core.Store.
func (db *DB) CreateGroup(ctx context.Context, name string) (*core.Group, error) {
	g := &core.Group{Name: name}
	err := db.writeRow(ctx, []any{&g.ID}, "INSERT INTO groups (name) VALUES ("+db.F.Placeholder(1)+") RETURNING id", name)
	if err != nil {
		return nil, db.wrap("create group", err)
	}
	return g, nil
}

// FindGroupByID implements core.Store.
func (db *DB) FindGroupByID(ctx context.Context, id int64) (*core.Group, error) {
	g := new(core.Group)
	err := db.queryRow(ctx, "SELECT id, name FROM groups WHERE id = "+db.F.Placeholder(1), id).Scan(&g.ID, &g.Name)
	if err != nil {
		return nil, db.wrap("find group", notFoundAs(err, "Group not found."))
	}
	return g, nil
}

// FindGroups implements core.Store.
func (db *DB) FindGroups(ctx context.Context) ([]*core.Group, error) {
	return db.groups(ctx, "SELECT id, name FROM groups ORDER BY id")
}

func (db *DB) groups(ctx context.Context, query string, args ...any) ([]*core.Group, error) {
	rows, err := db.rd().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, db.wrap("find groups", err)
	}
	defer rows.Close()
	out := []*core.Group{}
	for rows.Next() {
		g := new(core.Group)
		if err := rows.Scan(&g.ID, &g.Name); err != nil {
			return nil, db.wrap("find groups", err)
		}
		out = append(out, g)
	}
	return out, db.wrap("find groups", rows.Err())
}

// RenameGroup implements core.Store.
func (db *DB) RenameGroup(ctx context.Context, id int64, name string) (*core.Group, error) {
	ph := db.F.Placeholder
	res, err := db.exec(ctx, "UPDATE groups SET name = "+ph(1)+" WHERE id = "+ph(2), name, id)
	if err == nil {
		err = notFoundAs(oneRow(res), "Group not found.")
	}
	if err != nil {
		return nil, db.wrap("rename group", err)
	}
	return &core.Group{ID: id, Name: name}, nil
}

// DeleteGroup implements core.Store; user_groups and group_permissions
// rows go with it (ON DELETE CASCADE).
func (db *DB) DeleteGroup(ctx context.Context, id int64) error {
	res, err := db.exec(ctx, "DELETE FROM groups WHERE id = "+db.F.Placeholder(1), id)
	if err == nil {
		err = notFoundAs(oneRow(res), "Group not found.")
	}
	return db.wrap("delete group", err)
}

// CreatePermission implements core.Store.
func (db *DB) CreatePermission(ctx context.Context, p *core.Permission) error {
	ph := db.F.Placeholder
	err := db.writeRow(ctx, []any{&p.ID}, "INSERT INTO permissions (app_label, codename, name) VALUES ("+ph(1)+", "+ph(2)+", "+ph(3)+") RETURNING id",
		p.AppLabel, p.Codename, p.Name)
	return db.wrap("create permission", err)
}

const permissionColumns = "permissions.id, permissions.app_label, permissions.codename, permissions.name"

func (db *DB) permissions(ctx context.Context, query string, args ...any) ([]*core.Permission, error) {
	rows, err := db.rd().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, db.wrap("find permissions", err)
	}
	defer rows.Close()
	out := []*core.Permission{}
	for rows.Next() {
		p := new(core.Permission)
		if err := rows.Scan(&p.ID, &p.AppLabel, &p.Codename, &p.Name); err != nil {
			return nil, db.wrap("find permissions", err)
		}
		out = append(out, p)
	}
	return out, db.wrap("find permissions", rows.Err())
}

// FindPermissions implements core.Store.
func (db *DB) FindPermissions(ctx context.Context) ([]*core.Permission, error) {
	return db.permissions(ctx, "SELECT "+permissionColumns+" FROM permissions ORDER BY id")
}

// FindPermission implements core.Store.
func (db *DB) FindPermission(ctx context.Context, appLabel, codename string) (*core.Permission, error) {
	ph := db.F.Placeholder
	p := new(core.Permission)
	err := db.queryRow(ctx, "SELECT "+permissionColumns+" FROM permissions WHERE app_label = "+ph(1)+" AND codename = "+ph(2), appLabel, codename).
		Scan(&p.ID, &p.AppLabel, &p.Codename, &p.Name)
	if err != nil {
		return nil, db.wrap("find permission", notFoundAs(err, "Permission not found."))
	}
	return p, nil
}

// UserGroups implements core.Store.
func (db *DB) UserGroups(ctx context.Context, userIDs []int64) (map[int64][]*core.Group, error) {
	out := map[int64][]*core.Group{}
	err := db.perUser(ctx, "find groups", "SELECT user_groups.user_id, groups.id, groups.name FROM user_groups JOIN groups ON groups.id = user_groups.group_id"+
		" WHERE user_groups.user_id IN (%s) ORDER BY user_groups.user_id, groups.id", userIDs, func(rows *sql.Rows) error {
		var uid int64
		g := new(core.Group)
		if err := rows.Scan(&uid, &g.ID, &g.Name); err != nil {
			return err
		}
		out[uid] = append(out[uid], g)
		return nil
	})
	return out, err
}

// UserPermissions implements core.Store.
func (db *DB) UserPermissions(ctx context.Context, userIDs []int64) (map[int64][]*core.Permission, error) {
	out := map[int64][]*core.Permission{}
	err := db.perUser(ctx, "find permissions", "SELECT user_permissions.user_id, "+permissionColumns+" FROM user_permissions JOIN permissions ON permissions.id = user_permissions.permission_id"+
		" WHERE user_permissions.user_id IN (%s) ORDER BY user_permissions.user_id, permissions.id", userIDs, func(rows *sql.Rows) error {
		var uid int64
		p := new(core.Permission)
		if err := rows.Scan(&uid, &p.ID, &p.AppLabel, &p.Codename, &p.Name); err != nil {
			return err
		}
		out[uid] = append(out[uid], p)
		return nil
	})
	return out, err
}

// perUser runs query, its %s filled with one placeholder per id (of users,
// or of groups and permissions for existingIDs), and calls scan on each
// row.
func (db *DB) perUser(ctx context.Context, op, query string, userIDs []int64, scan func(*sql.Rows) error) error {
	if len(userIDs) == 0 {
		return nil
	}
	ph := make([]string, len(userIDs))
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		ph[i], args[i] = db.F.Placeholder(i+1), id
	}
	rows, err := db.rd().QueryContext(ctx, fmt.Sprintf(query, strings.Join(ph, ", ")), args...)
	if err != nil {
		return db.wrap(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return db.wrap(op, err)
		}
	}
	return db.wrap(op, rows.Err())
}

// GroupPermissions implements core.Store.
func (db *DB) GroupPermissions(ctx context.Context, groupID int64) ([]*core.Permission, error) {
	return db.permissions(ctx, "SELECT "+permissionColumns+" FROM group_permissions JOIN permissions ON permissions.id = group_permissions.permission_id"+
		" WHERE group_permissions.group_id = "+db.F.Placeholder(1)+" ORDER BY permissions.id", groupID)
}

// EffectivePermissions implements core.Store.
func (db *DB) EffectivePermissions(ctx context.Context, userID int64) ([]*core.Permission, error) {
	ph := db.F.Placeholder
	return db.permissions(ctx, "SELECT "+permissionColumns+" FROM permissions WHERE id IN ("+
		"SELECT permission_id FROM user_permissions WHERE user_id = "+ph(1)+
		" UNION SELECT group_permissions.permission_id FROM user_groups JOIN group_permissions ON group_permissions.group_id = user_groups.group_id"+
		" WHERE user_groups.user_id = "+ph(2)+") ORDER BY id", userID, userID)
}

// HasPermission implements core.Store.
func (db *DB) HasPermission(ctx context.Context, userID int64, appLabel, codename string) (bool, error) {
	p, err := db.FindPermission(ctx, appLabel, codename)
	if core.ErrorCode(err) == core.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ph := db.F.Placeholder
	var n int
	err = db.queryRow(ctx, "SELECT count(*) FROM user_permissions WHERE user_id = "+ph(1)+" AND permission_id = "+ph(2), userID, p.ID).Scan(&n)
	if err == nil && n == 0 {
		err = db.queryRow(ctx, "SELECT count(*) FROM user_groups JOIN group_permissions ON group_permissions.group_id = user_groups.group_id"+
			" WHERE user_groups.user_id = "+ph(1)+" AND group_permissions.permission_id = "+ph(2), userID, p.ID).Scan(&n)
	}
	return n > 0, db.wrap("has permission", err)
}

// SetUserGroups implements core.Store.
func (db *DB) SetUserGroups(ctx context.Context, userID int64, groupIDs []int64) error {
	return db.setLinks(ctx, "set user groups", "groups", userID, groupIDs,
		"DELETE FROM user_groups WHERE user_id = ", "INSERT INTO user_groups (user_id, group_id) SELECT ")
}

// SetUserPermissions implements core.Store.
func (db *DB) SetUserPermissions(ctx context.Context, userID int64, permissionIDs []int64) error {
	return db.setLinks(ctx, "set user permissions", "user_permissions", userID, permissionIDs,
		"DELETE FROM user_permissions WHERE user_id = ", "INSERT INTO user_permissions (user_id, permission_id) SELECT ")
}

// SetGroupPermissions implements core.Store.
func (db *DB) SetGroupPermissions(ctx context.Context, groupID int64, permissionIDs []int64) error {
	if _, err := db.FindGroupByID(ctx, groupID); err != nil {
		return err
	}
	return db.setLinks(ctx, "set group permissions", "permissions", groupID, permissionIDs,
		"DELETE FROM group_permissions WHERE group_id = ", "INSERT INTO group_permissions (group_id, permission_id) SELECT ")
}

// setLinks replaces the link rows of owner in one transaction. Each row is
// inserted from the linked row (SELECT owner, id FROM groups|permissions
// WHERE id = …), so an id that names nothing inserts nothing and is
// reported on field, as Django's "Select a valid choice".
func (db *DB) setLinks(ctx context.Context, op, field string, owner int64, ids []int64, clear, insert string) error {
	target := "permissions"
	if field == "groups" {
		target = "groups"
	}
	ph := db.F.Placeholder
	return db.tx(ctx, op, func(c conn) error {
		if _, err := c.ExecContext(ctx, clear+ph(1), owner); err != nil {
			return err
		}
		seen := make(map[int64]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				continue // a set: duplicates collapse, as in Django
			}
			seen[id] = true
			res, err := c.ExecContext(ctx, insert+"CAST("+ph(1)+" AS BIGINT), id FROM "+target+" WHERE id = "+ph(2), owner, id)
			if err != nil {
				return err
			}
			if oneRow(res) != nil {
				return &core.Error{Code: core.Invalid, Message: "Select a valid choice.", Fields: map[string]string{field: strconv.FormatInt(id, 10) + " is not one of the available choices"}}
			}
		}
		return nil
	})
}

// FindGroupIDs implements core.Store.
func (db *DB) FindGroupIDs(ctx context.Context, ids []int64) ([]int64, error) {
	return db.existingIDs(ctx, "find groups", "SELECT id FROM groups WHERE id IN (%s)", ids)
}

// FindPermissionIDs implements core.Store.
func (db *DB) FindPermissionIDs(ctx context.Context, ids []int64) ([]int64, error) {
	return db.existingIDs(ctx, "find permissions", "SELECT id FROM permissions WHERE id IN (%s)", ids)
}

func (db *DB) existingIDs(ctx context.Context, op, query string, ids []int64) ([]int64, error) {
	out := []int64{}
	err := db.perUser(ctx, op, query, ids, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	})
	return out, err
}
