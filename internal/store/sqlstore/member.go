package sqlstore

import (
	"context"

	"usersd/internal/core"
	"usersd/internal/query"
)

// CreateMember implements core.Store.
func (db *DB) CreateMember(ctx context.Context, p core.Patch) (*core.Member, error) {
	var m *core.Member
	err := db.tx(ctx, "create member", func(c conn) error {
		id, err := db.insertRecord(ctx, c, core.Members, p)
		if err != nil {
			return err
		}
		m, err = findRecord[core.Member](ctx, db, c, core.Members, "id = "+db.F.Placeholder(1), id)
		return err
	})
	return m, err
}

func (db *DB) findMember(ctx context.Context, cond string, args ...any) (*core.Member, error) {
	m, err := findRecord[core.Member](ctx, db, nil, core.Members, cond, args...)
	return m, db.wrap("find member", err)
}

// FindMemberByID implements core.Store.
func (db *DB) FindMemberByID(ctx context.Context, id int64) (*core.Member, error) {
	return db.findMember(ctx, "id = "+db.F.Placeholder(1), id)
}

// FindMemberByXID implements core.Store.
func (db *DB) FindMemberByXID(ctx context.Context, xid string) (*core.Member, error) {
	return db.findMember(ctx, "xid = "+db.F.Placeholder(1), xid)
}

// FindMemberBySID implements core.Store.
func (db *DB) FindMemberBySID(ctx context.Context, sid string) (*core.Member, error) {
	return db.findMember(ctx, "sid = "+db.F.Placeholder(1), sid)
}

// FindMemberByNameKey implements core.Store.
func (db *DB) FindMemberByNameKey(ctx context.Context, userID int64, key string) (*core.Member, error) {
	ph := db.F.Placeholder
	return db.findMember(ctx, "user_id = "+ph(1)+" AND name_key = "+ph(2), userID, key)
}

// FindMembers implements core.Store. The scope user_id = userID leads, so
// the (user_id, id) index bounds every listing to one user's members.
func (db *DB) FindMembers(ctx context.Context, userID int64, q query.List) ([]*core.Member, int, error) {
	scope := &query.Cond{Field: "user_id", Op: query.Eq, Value: userID}
	return findPage[core.Member](ctx, db, "find members", core.Members, scope, q)
}

// UpdateMember implements core.Store.
func (db *DB) UpdateMember(ctx context.Context, id int64, p core.Patch) (*core.Member, error) {
	var m *core.Member
	err := db.tx(ctx, "update member", func(c conn) error {
		if err := db.updateRecord(ctx, c, core.Members, id, p); err != nil {
			return notFound(err, core.Members)
		}
		var err error
		m, err = findRecord[core.Member](ctx, db, c, core.Members, "id = "+db.F.Placeholder(1), id)
		return err
	})
	return m, err
}

// DeleteMember implements core.Store. Its flag associations go with it
// (ON DELETE CASCADE).
func (db *DB) DeleteMember(ctx context.Context, id int64) error {
	return db.deleteByID(ctx, "delete member", core.Members, id)
}

// deleteByID deletes row id of e's table; a missing row is NotFound.
func (db *DB) deleteByID(ctx context.Context, op string, e *core.Entity, id int64) error {
	res, err := db.exec(ctx, "DELETE FROM "+e.Table+" WHERE id = "+db.F.Placeholder(1), id)
	if err == nil {
		err = notFound(oneRow(res), e)
	}
	return db.wrap(op, err)
}
