package sqlstore

import (
	"context"
	"errors"
	"time"

	"usersd/internal/core"
)

// LinkedAccounts implements core.Store.
func (db *DB) LinkedAccounts(ctx context.Context, userID int64) ([]core.LinkedAccount, error) {
	rows, err := db.rd().QueryContext(ctx, "SELECT provider, remote_id, remote_username, instance FROM linked_accounts WHERE user_id = "+
		db.F.Placeholder(1)+" ORDER BY provider", userID)
	if err != nil {
		return nil, db.wrap("linked accounts", err)
	}
	defer rows.Close()
	out := []core.LinkedAccount{}
	for rows.Next() {
		var a core.LinkedAccount
		if err := rows.Scan(&a.Provider, &a.RemoteID, &a.RemoteUsername, &a.Instance); err != nil {
			return nil, db.wrap("linked accounts", err)
		}
		out = append(out, a)
	}
	return out, db.wrap("linked accounts", rows.Err())
}

// SetLinkedAccount implements core.Store. The primary key (one account per
// provider) is the upsert's conflict target, so any unique violation left
// is the remote account's, linked to another user; both engines name it
// only by its index, so the field is set here.
func (db *DB) SetLinkedAccount(ctx context.Context, userID int64, a core.LinkedAccount, at time.Time) error {
	ph := db.F.Placeholder
	_, err := db.exec(ctx, "INSERT INTO linked_accounts (user_id, provider, remote_id, remote_username, instance, created_at) VALUES ("+
		ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+", "+ph(5)+", "+ph(6)+") ON CONFLICT (user_id, provider) DO UPDATE SET"+
		" remote_id = excluded.remote_id, remote_username = excluded.remote_username, instance = excluded.instance, created_at = excluded.created_at",
		userID, a.Provider, a.RemoteID, a.RemoteUsername, a.Instance, db.encode(at))
	err = db.wrap("set linked account", err)
	var e *core.Error
	if errors.As(err, &e) && e.Code == core.Conflict {
		return &core.Error{Code: core.Conflict, Message: "That account is linked to another user.",
			Fields: map[string]string{"remote_id": "is linked to another user"}, Err: err}
	}
	return err
}
