package sqlstore

import (
	"context"
	"fmt"

	"usersd/internal/core"
)

// NameCollision is a user whose name looks like an earlier user's: both
// names have one skeleton (core.NameSkeleton), which only the earlier row
// holds. Such pairs predate the skeleton column; neither name is changed,
// and an operator decides (usersd names check lists them).
type NameCollision struct {
	ID         int64
	Name       string
	HolderID   int64
	HolderName string
}

// backfillBatch is how many rows one backfill transaction updates.
const backfillBatch = 500

// BackfillNameSkeletons gives every row without a name skeleton its
// skeleton, in id order, so that of two look-alikes the earlier keeps the
// skeleton; a row whose skeleton another row holds is left NULL (see
// NameCollisions). Migrate runs it after the SQL migrations, so rows
// written before migration 004, or by an older node during an upgrade,
// get theirs at the next start. It returns how many rows it set.
func (db *DB) BackfillNameSkeletons(ctx context.Context) (int, error) {
	set := 0
	after := int64(0)
	for {
		rows, err := db.nullSkeletons(ctx, after, backfillBatch)
		if err != nil {
			return set, err
		}
		if len(rows) == 0 {
			return set, nil
		}
		after = rows[len(rows)-1].ID
		err = db.Tx(ctx, func(tx core.Store) error {
			t := tx.(*DB)
			for _, r := range rows {
				// Each row in its own savepoint: a collision undoes only that
				// row's update and leaves the transaction usable.
				res, err := t.exec(ctx, "UPDATE users SET name_skeleton = "+db.F.Placeholder(1)+", row_version = row_version + 1 WHERE id = "+db.F.Placeholder(2)+" AND name_skeleton IS NULL",
					core.NameSkeleton(r.Name), r.ID)
				if core.ErrorCode(db.wrap("backfill", err)) == core.Conflict {
					continue
				}
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n > 0 {
					set++
				}
			}
			return nil
		})
		if err != nil {
			return set, fmt.Errorf("backfill name skeletons: %w", err)
		}
	}
}

type idName struct {
	ID   int64
	Name string
}

// nullSkeletons lists up to n rows after id without a skeleton, by id.
func (db *DB) nullSkeletons(ctx context.Context, after int64, n int) ([]idName, error) {
	ph := db.F.Placeholder
	rows, err := db.rd().QueryContext(ctx, "SELECT id, name FROM users WHERE name_skeleton IS NULL AND id > "+ph(1)+" ORDER BY id LIMIT "+ph(2), after, n)
	if err != nil {
		return nil, db.wrap("name skeletons", err)
	}
	defer rows.Close()
	var out []idName
	for rows.Next() {
		var r idName
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, db.wrap("name skeletons", err)
		}
		out = append(out, r)
	}
	return out, db.wrap("name skeletons", rows.Err())
}

// NameCollisions lists the rows without a skeleton whose skeleton another
// row holds, with that row, by id.
func (db *DB) NameCollisions(ctx context.Context) ([]NameCollision, error) {
	var out []NameCollision
	after := int64(0)
	for {
		rows, err := db.nullSkeletons(ctx, after, backfillBatch)
		if err != nil || len(rows) == 0 {
			return out, err
		}
		after = rows[len(rows)-1].ID
		for _, r := range rows {
			c := NameCollision{ID: r.ID, Name: r.Name}
			err := db.rd().QueryRowContext(ctx, "SELECT id, name FROM users WHERE name_skeleton = "+db.F.Placeholder(1), core.NameSkeleton(r.Name)).
				Scan(&c.HolderID, &c.HolderName)
			switch err := db.wrap("name collisions", err); {
			case core.ErrorCode(err) == core.NotFound:
				// Freed since (the holder was renamed): the next backfill sets it.
			case err != nil:
				return nil, err
			default:
				out = append(out, c)
			}
		}
	}
}

// NameProblem is a stored name that the name rule now refuses (made
// before the rule): it stays as it is, and is reported.
type NameProblem struct {
	ID     int64
	Name   string
	Reason string
}

// NameProblems lists the stored names that core.CheckName refuses, by id;
// deletion names (user_<digits>) are the core's own and not listed.
func (db *DB) NameProblems(ctx context.Context) ([]NameProblem, error) {
	var out []NameProblem
	after := int64(0)
	ph := db.F.Placeholder
	for {
		rows, err := db.rd().QueryContext(ctx, "SELECT id, name FROM users WHERE id > "+ph(1)+" ORDER BY id LIMIT "+ph(2), after, 1000)
		if err != nil {
			return nil, db.wrap("name problems", err)
		}
		n := 0
		for rows.Next() {
			var r idName
			if err := rows.Scan(&r.ID, &r.Name); err != nil {
				rows.Close()
				return nil, db.wrap("name problems", err)
			}
			n++
			after = r.ID
			if reason := core.CheckName(r.Name); reason != "" && !core.IsDeletionName(r.Name) {
				out = append(out, NameProblem{ID: r.ID, Name: r.Name, Reason: reason})
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, db.wrap("name problems", err)
		}
		if n == 0 {
			return out, nil
		}
	}
}
