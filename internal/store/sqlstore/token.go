package sqlstore

import (
	"context"
	"database/sql"
	"net/netip"
	"time"

	"usersd/internal/core"
)

const tokenColumns = "api_tokens.id, api_tokens.user_id, api_tokens.label, api_tokens.kind, api_tokens.scope, api_tokens.created_at, " +
	"api_tokens.last_used_at, api_tokens.last_used_ip, api_tokens.uses, api_tokens.expires_at, api_tokens.revoked_at"

func tokenTargets(t *core.Token) []any {
	return []any{&t.ID, &t.UserID, &t.Label, &t.Kind, &t.Scope, timeScanner{&t.CreatedAt},
		nullTimeScanner{&t.LastUsedAt}, ipScanner{&t.LastUsedIP}, &t.Uses, nullTimeScanner{&t.ExpiresAt}, nullTimeScanner{&t.RevokedAt}}
}

// CreateToken implements core.Store.
func (db *DB) CreateToken(ctx context.Context, t *core.Token, secretHash []byte) error {
	ph := db.F.Placeholder
	err := db.writeRow(ctx, []any{&t.ID}, "INSERT INTO api_tokens (user_id, label, secret_hash, kind, scope, created_at, expires_at) VALUES ("+
		ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+", "+ph(5)+", "+ph(6)+", "+ph(7)+") RETURNING id",
		t.UserID, t.Label, secretHash, t.Kind, t.Scope, db.encode(t.CreatedAt), db.encodeNullTime(t.ExpiresAt))
	return db.wrap("create token", err)
}

func (db *DB) encodeNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.encode(*t)
}

// FindTokenByHash implements core.Store.
func (db *DB) FindTokenByHash(ctx context.Context, secretHash []byte) (*core.Token, *core.User, error) {
	t, u := new(core.Token), new(core.User)
	dest := db.rowTargets(core.Users, u, tokenTargets(t))
	err := db.queryRow(ctx, "SELECT "+tokenColumns+", "+db.rowList(core.Users)+
		" FROM api_tokens JOIN users ON users.id = api_tokens.user_id WHERE api_tokens.secret_hash = "+db.F.Placeholder(1)+
		" AND api_tokens.revoked_at IS NULL", secretHash).Scan(dest...)
	if err != nil {
		return nil, nil, db.wrap("find token", err)
	}
	return t, u, nil
}

// FindTokens implements core.Store.
func (db *DB) FindTokens(ctx context.Context, userID int64, now time.Time) ([]*core.Token, error) {
	ph := db.F.Placeholder
	rows, err := db.rd().QueryContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE user_id = "+ph(1)+
		" AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > "+ph(2)+") ORDER BY id", userID, db.encode(now))
	if err != nil {
		return nil, db.wrap("find tokens", err)
	}
	defer rows.Close()
	var out []*core.Token
	for rows.Next() {
		t := new(core.Token)
		if err := rows.Scan(tokenTargets(t)...); err != nil {
			return nil, db.wrap("find tokens", err)
		}
		out = append(out, t)
	}
	return out, db.wrap("find tokens", rows.Err())
}

// RevokeToken implements core.Store.
func (db *DB) RevokeToken(ctx context.Context, userID, tokenID int64, at time.Time) error {
	ph := db.F.Placeholder
	res, err := db.exec(ctx, "UPDATE api_tokens SET revoked_at = "+ph(1)+" WHERE id = "+ph(2)+" AND user_id = "+ph(3)+
		" AND revoked_at IS NULL", db.encode(at), tokenID, userID)
	if err != nil {
		return db.wrap("revoke token", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return db.wrap("revoke token", err)
	} else if n == 0 {
		return &core.Error{Code: core.NotFound, Message: "Token not found."}
	}
	return nil
}

// RevokeTokens implements core.Store.
func (db *DB) RevokeTokens(ctx context.Context, userID int64, at time.Time) error {
	ph := db.F.Placeholder
	_, err := db.exec(ctx, "UPDATE api_tokens SET revoked_at = "+ph(1)+" WHERE user_id = "+ph(2)+" AND revoked_at IS NULL", db.encode(at), userID)
	return db.wrap("revoke tokens", err)
}

// RevokeTokensExcept implements core.Store.
func (db *DB) RevokeTokensExcept(ctx context.Context, userID, keepID int64, at time.Time) error {
	ph := db.F.Placeholder
	_, err := db.exec(ctx, "UPDATE api_tokens SET revoked_at = "+ph(1)+" WHERE user_id = "+ph(2)+" AND id <> "+ph(3)+
		" AND revoked_at IS NULL", db.encode(at), userID, keepID)
	return db.wrap("revoke tokens", err)
}

// TouchToken implements core.Store.
func (db *DB) TouchToken(ctx context.Context, tokenID int64, at time.Time, ip netip.Addr, expires *time.Time) error {
	ph := db.F.Placeholder
	_, err := db.exec(ctx, "UPDATE api_tokens SET last_used_at = "+ph(1)+", last_used_ip = coalesce("+ph(2)+", last_used_ip), uses = uses + 1, "+
		"expires_at = coalesce("+ph(3)+", expires_at) WHERE id = "+ph(4),
		db.encode(at), db.encode(ip), db.encodeNullTime(expires), tokenID)
	if err == sql.ErrNoRows {
		return nil
	}
	return db.wrap("touch token", err)
}

// LockUser implements core.Store. On PostgreSQL it takes the user row's
// lock (SELECT … FOR UPDATE, which distributed PostgreSQL-compatible
// engines also honour); SQLite's transaction already holds the database's
// only write lock from BEGIN IMMEDIATE on, so there the select only checks
// that the user exists.
func (db *DB) LockUser(ctx context.Context, id int64) error {
	var got int64
	err := db.rd().QueryRowContext(ctx, "SELECT id FROM users WHERE id = "+db.F.Placeholder(1)+db.F.LockRow, id).Scan(&got)
	return db.wrap("lock user", err)
}
