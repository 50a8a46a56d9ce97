package sqlstore

import (
	"database/sql"

	"usersd/internal/core"
)

var _ core.StorePools = (*DB)(nil)

// Kind implements core.StorePools: the flavor's name.
func (db *DB) Kind() string { return db.F.Name }

// Pools implements core.StorePools: SQLite's reader pool and single
// writer, or PostgreSQL's one pool for both (the names addPools gives
// their metrics).
func (db *DB) Pools() []core.PoolStats {
	stat := func(name string, p *sql.DB) core.PoolStats {
		s := p.Stats()
		return core.PoolStats{Name: name, Open: s.OpenConnections, InUse: s.InUse, Idle: s.Idle,
			MaxOpen: s.MaxOpenConnections, WaitCount: s.WaitCount, WaitDuration: s.WaitDuration}
	}
	if db.W == db.R {
		return []core.PoolStats{stat("readwrite", db.R)}
	}
	return []core.PoolStats{stat("read", db.R), stat("write", db.W)}
}
