package sqlstore

import (
	"context"
	"strconv"

	"usersd/internal/core"
)

// CreateFlag implements core.Store.
func (db *DB) CreateFlag(ctx context.Context, p core.Patch) (*core.PrideFlag, error) {
	var f *core.PrideFlag
	err := db.tx(ctx, "create flag", func(c conn) error {
		id, err := db.insertRecord(ctx, c, core.Flags, p)
		if err != nil {
			return err
		}
		f, err = findRecord[core.PrideFlag](ctx, db, c, core.Flags, "id = "+db.F.Placeholder(1), id)
		return err
	})
	return f, err
}

// FindFlagByID implements core.Store.
func (db *DB) FindFlagByID(ctx context.Context, id int64) (*core.PrideFlag, error) {
	f, err := findRecord[core.PrideFlag](ctx, db, nil, core.Flags, "id = "+db.F.Placeholder(1), id)
	return f, db.wrap("find flag", err)
}

// FindFlagByXID implements core.Store.
func (db *DB) FindFlagByXID(ctx context.Context, xid string) (*core.PrideFlag, error) {
	f, err := findRecord[core.PrideFlag](ctx, db, nil, core.Flags, "xid = "+db.F.Placeholder(1), xid)
	return f, db.wrap("find flag", err)
}

// FindFlags implements core.Store.
func (db *DB) FindFlags(ctx context.Context, userID int64) ([]*core.PrideFlag, error) {
	return db.flags(ctx, "find flags", "SELECT "+columnsOf(core.Flags)+" FROM pride_flags WHERE user_id = "+db.F.Placeholder(1)+" ORDER BY id", userID)
}

// flags runs a query selecting columnsOf(core.Flags).
func (db *DB) flags(ctx context.Context, op, query string, args ...any) ([]*core.PrideFlag, error) {
	rows, err := db.rd().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, db.wrap(op, err)
	}
	defer rows.Close()
	out := []*core.PrideFlag{}
	for rows.Next() {
		f, err := scanRecord[core.PrideFlag](core.Flags, rows)
		if err != nil {
			return nil, db.wrap(op, err)
		}
		out = append(out, f)
	}
	return out, db.wrap(op, rows.Err())
}

// UpdateFlag implements core.Store.
func (db *DB) UpdateFlag(ctx context.Context, id int64, p core.Patch) (*core.PrideFlag, error) {
	var f *core.PrideFlag
	err := db.tx(ctx, "update flag", func(c conn) error {
		if err := db.updateRecord(ctx, c, core.Flags, id, p); err != nil {
			return notFound(err, core.Flags)
		}
		var err error
		f, err = findRecord[core.PrideFlag](ctx, db, c, core.Flags, "id = "+db.F.Placeholder(1), id)
		return err
	})
	return f, err
}

// DeleteFlag implements core.Store. The profiles' rows go with it (ON
// DELETE CASCADE); positions keep their gaps, which only order.
func (db *DB) DeleteFlag(ctx context.Context, id int64) error {
	return db.deleteByID(ctx, "delete flag", core.Flags, id)
}

// UserFlags implements core.Store.
func (db *DB) UserFlags(ctx context.Context, userID int64) ([]*core.PrideFlag, error) {
	return db.flags(ctx, "user flags", "SELECT "+columnsOf(core.Flags)+" FROM user_pride_flags JOIN pride_flags ON pride_flags.id = user_pride_flags.flag_id"+
		" WHERE user_pride_flags.user_id = "+db.F.Placeholder(1)+" ORDER BY user_pride_flags.position", userID)
}

// MemberFlags implements core.Store.
func (db *DB) MemberFlags(ctx context.Context, memberIDs []int64) (map[int64][]*core.PrideFlag, error) {
	out := map[int64][]*core.PrideFlag{}
	if len(memberIDs) == 0 {
		return out, nil
	}
	if len(memberIDs) > MaxArgs {
		return nil, errTooComplex
	}
	b := db.newBuilder(core.Flags)
	b.write("SELECT member_pride_flags.member_id, ", columnsOf(core.Flags), " FROM member_pride_flags JOIN pride_flags ON pride_flags.id = member_pride_flags.flag_id",
		" WHERE member_pride_flags.member_id IN (")
	for i, id := range memberIDs {
		if i > 0 {
			b.write(", ")
		}
		b.write(b.arg(id))
	}
	b.write(") ORDER BY member_pride_flags.member_id, member_pride_flags.position")
	rows, err := db.rd().QueryContext(ctx, b.sb.String(), b.args...)
	if err != nil {
		return nil, db.wrap("member flags", err)
	}
	defer rows.Close()
	for rows.Next() {
		f := new(core.PrideFlag)
		var memberID int64
		dest := []any{&memberID}
		for _, fl := range core.Flags.Fields {
			dest = append(dest, scanTarget(fl, f))
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, db.wrap("member flags", err)
		}
		out[memberID] = append(out[memberID], f)
	}
	return out, db.wrap("member flags", rows.Err())
}

// SetUserFlags implements core.Store. Each row is inserted from the flag
// row itself, filtered by owner, so a flag that is missing or someone
// else's inserts nothing and is reported.
func (db *DB) SetUserFlags(ctx context.Context, userID int64, flagIDs []int64) error {
	ph := db.F.Placeholder
	return db.setFlags(ctx, "set user flags", flagIDs,
		"DELETE FROM user_pride_flags WHERE user_id = "+ph(1), userID,
		"INSERT INTO user_pride_flags (user_id, flag_id, position) SELECT user_id, id, CAST("+ph(1)+" AS INTEGER)"+
			" FROM pride_flags WHERE id = "+ph(2)+" AND user_id = "+ph(3))
}

// SetMemberFlags implements core.Store, as SetUserFlags with the member's
// user as the owner.
func (db *DB) SetMemberFlags(ctx context.Context, memberID int64, flagIDs []int64) error {
	ph := db.F.Placeholder
	if _, err := db.FindMemberByID(ctx, memberID); err != nil {
		return err
	}
	return db.setFlags(ctx, "set member flags", flagIDs,
		"DELETE FROM member_pride_flags WHERE member_id = "+ph(1), memberID,
		"INSERT INTO member_pride_flags (member_id, flag_id, position) SELECT members.id, pride_flags.id, CAST("+ph(1)+" AS INTEGER)"+
			" FROM pride_flags JOIN members ON members.user_id = pride_flags.user_id WHERE pride_flags.id = "+ph(2)+" AND members.id = "+ph(3))
}

func (db *DB) setFlags(ctx context.Context, op string, flagIDs []int64, clear string, owner int64, insert string) error {
	seen := make(map[int64]bool, len(flagIDs))
	for _, id := range flagIDs {
		if seen[id] {
			return &core.Error{Code: core.Invalid, Message: "A flag is named twice.", Fields: map[string]string{"flags": "names a flag twice"}}
		}
		seen[id] = true
	}
	return db.tx(ctx, op, func(c conn) error {
		if _, err := c.ExecContext(ctx, clear, owner); err != nil {
			return err
		}
		for pos, id := range flagIDs {
			res, err := c.ExecContext(ctx, insert, pos, id, owner)
			if err != nil {
				return err
			}
			if oneRow(res) != nil {
				return &core.Error{Code: core.Invalid, Message: "Unknown flag.", Fields: map[string]string{"flags": "flag " + strconv.FormatInt(id, 10) + " is not one of yours"}}
			}
		}
		return nil
	})
}
