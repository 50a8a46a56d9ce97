package sqlstore

import (
	"context"
	"net/netip"
	"time"

	"usersd/internal/core"
)

const sessionColumns = "sessions.id_hash, sessions.user_id, sessions.kind, sessions.created_at, sessions.last_seen_at, sessions.expires_at, sessions.ip, sessions.user_agent, sessions.token_id"

func sessionTargets(s *core.Session) []any {
	return []any{&s.Hash, &s.UserID, &s.Kind, timeScanner{&s.CreatedAt}, timeScanner{&s.LastSeenAt}, timeScanner{&s.ExpiresAt}, ipScanner{&s.IP}, &s.UserAgent, &s.TokenID}
}

// CreateSession implements core.Store.
func (db *DB) CreateSession(ctx context.Context, s *core.Session) error {
	ph := db.F.Placeholder
	_, err := db.exec(ctx, "INSERT INTO sessions (id_hash, user_id, kind, created_at, last_seen_at, expires_at, ip, user_agent, token_id) VALUES ("+
		ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+", "+ph(5)+", "+ph(6)+", "+ph(7)+", "+ph(8)+", "+ph(9)+")",
		s.Hash, s.UserID, s.Kind, db.encode(s.CreatedAt), db.encode(s.LastSeenAt), db.encode(s.ExpiresAt), db.encode(s.IP), s.UserAgent, s.TokenID)
	return db.wrap("create session", err)
}

// FindSessionByHash implements core.Store.
func (db *DB) FindSessionByHash(ctx context.Context, hash []byte, now time.Time) (*core.Session, *core.User, error) {
	s, u := new(core.Session), new(core.User)
	dest := db.rowTargets(core.Users, u, sessionTargets(s))
	ph := db.F.Placeholder
	err := db.queryRow(ctx, "SELECT "+sessionColumns+", "+db.rowList(core.Users)+
		" FROM sessions JOIN users ON users.id = sessions.user_id WHERE sessions.id_hash = "+ph(1)+
		" AND sessions.expires_at > "+ph(2)+
		// A session a token opened lives while the token does.
		" AND (sessions.token_id IS NULL OR EXISTS (SELECT 1 FROM api_tokens WHERE api_tokens.id = sessions.token_id"+
		" AND api_tokens.revoked_at IS NULL AND (api_tokens.expires_at IS NULL OR api_tokens.expires_at > "+ph(3)+")))",
		hash, db.encode(now), db.encode(now)).Scan(dest...)
	if err != nil {
		return nil, nil, db.wrap("find session", notFoundAs(err, "Session not found."))
	}
	return s, u, nil
}

// FindSessions implements core.Store.
func (db *DB) FindSessions(ctx context.Context, userID int64, now time.Time) ([]*core.Session, error) {
	ph := db.F.Placeholder
	rows, err := db.rd().QueryContext(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE user_id = "+ph(1)+
		" AND expires_at > "+ph(2)+" ORDER BY created_at DESC", userID, db.encode(now))
	if err != nil {
		return nil, db.wrap("find sessions", err)
	}
	defer rows.Close()
	out := []*core.Session{}
	for rows.Next() {
		s := new(core.Session)
		if err := rows.Scan(sessionTargets(s)...); err != nil {
			return nil, db.wrap("find sessions", err)
		}
		out = append(out, s)
	}
	return out, db.wrap("find sessions", rows.Err())
}

// TouchSession implements core.Store.
func (db *DB) TouchSession(ctx context.Context, hash []byte, at, expires time.Time, ip netip.Addr) error {
	ph := db.F.Placeholder
	res, err := db.exec(ctx, "UPDATE sessions SET last_seen_at = "+ph(1)+", expires_at = "+ph(2)+", ip = coalesce("+ph(3)+", ip) WHERE id_hash = "+ph(4),
		db.encode(at), db.encode(expires), db.encode(ip), hash)
	if err == nil {
		err = notFoundAs(oneRow(res), "Session not found.")
	}
	return db.wrap("touch session", err)
}

// DeleteSession implements core.Store.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	res, err := db.exec(ctx, "DELETE FROM sessions WHERE id_hash = "+db.F.Placeholder(1), hash)
	if err == nil {
		err = notFoundAs(oneRow(res), "Session not found.")
	}
	return db.wrap("delete session", err)
}

// DeleteSessions implements core.Store.
func (db *DB) DeleteSessions(ctx context.Context, userID int64) error {
	_, err := db.exec(ctx, "DELETE FROM sessions WHERE user_id = "+db.F.Placeholder(1), userID)
	return db.wrap("delete sessions", err)
}

// SweepSessions implements core.Store; the expires_at index finds them.
func (db *DB) SweepSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := db.exec(ctx, "DELETE FROM sessions WHERE expires_at <= "+db.F.Placeholder(1), db.encode(now))
	if err != nil {
		return 0, db.wrap("sweep sessions", err)
	}
	n, err := res.RowsAffected()
	return int(n), db.wrap("sweep sessions", err)
}

// notFoundAs turns a no-rows error into NotFound with message msg.
func notFoundAs(err error, msg string) error {
	if err == errNoRows {
		return &core.Error{Code: core.NotFound, Message: msg}
	}
	return err
}
