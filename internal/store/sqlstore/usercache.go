package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/maypok86/otter/v2"

	"usersd/internal/core"
	"usersd/internal/query"
)

// DefaultUserCache is the memory, in bytes, a store keeps decoded users
// in, as weighed (a user may be up to 64 KiB, so the bound is bytes, not
// users): some three thousand typical users, which hold the pages everyone
// reads (the first pages of each order, a popular search). A full cache
// adds about twice its weight to the process, with Go's heap headroom; at
// a million users, 8 MiB gave lists the same speed as 32 MiB, which cost
// 75 MiB of RSS.
const DefaultUserCache = 8 << 20

// UserCache keeps users as they were read, by id, each with the row
// version it was read at. A page of users is then found by reading ids
// and versions alone, and only the users not held at the row's version are
// read whole. row_version grows with every update of the row, whoever makes
// it (migration 010), so a held user whose version is the row's is the
// row: nothing is served stale, on this node or after another node's
// write, and there is nothing to invalidate.
//
// Which users stay is otter's choice (W-TinyLFU: the often read over the
// recently read once), within a bound in bytes.
type UserCache struct {
	c            *otter.Cache[int64, cachedUser]
	hits, misses atomic.Uint64
}

type cachedUser struct {
	version int64
	size    uint32
	u       *core.User // never handed out, only copies of it
}

// NewUserCache returns a cache of about size bytes of users; nil (no
// cache) when size < 1.
func NewUserCache(size int64) *UserCache {
	if size < 1 {
		return nil
	}
	return &UserCache{c: otter.Must(&otter.Options[int64, cachedUser]{
		MaximumWeight: uint64(size),
		Weigher:       func(_ int64, e cachedUser) uint32 { return e.size },
	})}
}

// get returns a copy of user id as of version, or nil. A copy, because
// the core redacts the users it is given in place.
func (c *UserCache) get(id, version int64) *core.User {
	e, ok := c.c.GetIfPresent(id)
	if !ok || e.version != version {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	u := *e.u
	return &u
}

// put keeps u, read at version; it keeps its own copy.
func (c *UserCache) put(version int64, u *core.User) {
	cp := *u
	c.c.Set(u.ID, cachedUser{version, weigh(u), &cp})
}

// Len reports the users held.
func (c *UserCache) Len() int { return c.c.EstimatedSize() }

// Hits and Misses count the users pages found held, and not.
func (c *UserCache) Hits() uint64   { return c.hits.Load() }
func (c *UserCache) Misses() uint64 { return c.misses.Load() }

// Bytes reports the memory the users held take, as weighed.
func (c *UserCache) Bytes() uint64 { return c.c.WeightedSize() }

// weigh is about the memory u takes: the struct and the text it points to.
func weigh(u *core.User) uint32 {
	n := uintptr(unsafe.Sizeof(*u))
	for _, f := range core.Users.Fields {
		switch p := f.Ptr(u).(type) {
		case *string:
			n += uintptr(len(*p))
		case **string:
			if *p != nil {
				n += unsafe.Sizeof(**p) + uintptr(len(**p))
			}
		case *json.RawMessage:
			n += uintptr(len(*p))
		case *[]byte:
			n += uintptr(len(*p))
		default:
			n += 8 // a pointer's target, roughly
		}
	}
	return uint32(min(n, 1<<31))
}

// cachedUsers reports whether reads of users pages go through the cache:
// not inside a transaction, whose writes are not yet anyone's to see.
func (db *DB) cachedUsers() bool { return db.Users != nil && db.txn == nil }

// versionsSQL writes the statement of the page q of users that selects
// each user's id and row_version, in the page's order: pageSQL's, with a
// narrower select list. Where the page's keys are materialized first, the
// version is read from the page's rows alone, not with the keys: a key
// search that collects every match from indexes (an OR of prefixes) would
// otherwise read each match's row.
func (db *DB) versionsSQL(b *builder, q query.List) error {
	if db.F.MaterializePage {
		return db.materializedPage(b, q, "users.id, users.row_version")
	}
	keys, err := pageKeys(b, q, "users.id", "users.row_version")
	if err != nil {
		return err
	}
	return db.pageSelect(b, strings.Join(keys, ", "), q)
}

// afterVersions, when set (by tests), runs between cachedPage's two
// statements.
var afterVersions func()

// cachedPage reads the page q of users through the cache: the ids and
// versions of the page, then in one statement the users not held at those
// versions. ok is false when a user changed or went between the two
// statements; the caller then reads the page the usual way.
func (db *DB) cachedPage(r *reader, q query.List) (out []*core.User, ok bool, err error) {
	b := db.newBuilder(core.Users)
	if err := db.versionsSQL(b, q); err != nil {
		return nil, false, err
	}
	rows, err := r.query(b.sb.String(), b.args...)
	if err != nil {
		return nil, false, err
	}
	type slot struct{ id, version int64 }
	var page []slot
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, false, err
	}
	dest := make([]any, len(cols))
	var s slot
	dest[0], dest[1] = &s.id, &s.version
	for i := 2; i < len(dest); i++ {
		dest[i] = new(sql.RawBytes)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, false, err
		}
		page = append(page, s)
	}
	if err := rows.Close(); err != nil {
		return nil, false, err
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}

	if afterVersions != nil {
		afterVersions()
	}
	out = make([]*core.User, len(page))
	missing := map[int64]int{} // id → position in the page
	for i, s := range page {
		if out[i] = db.Users.get(s.id, s.version); out[i] == nil {
			missing[s.id] = i
		}
	}
	if len(missing) == 0 {
		return out, true, nil
	}

	b = db.newBuilder(core.Users)
	b.write("SELECT users.row_version, ", db.rowList(core.Users), " FROM users WHERE users.id IN (")
	sep := ""
	for id := range missing {
		b.write(sep, b.arg(id))
		sep = ", "
	}
	b.write(")")
	rows, err = r.query(b.sb.String(), b.args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	targets := make([]any, 1, 1+len(core.Users.Fields))
	var version int64
	targets[0] = &version
	for rows.Next() {
		u := new(core.User)
		if err := rows.Scan(db.rowTargets(core.Users, u, targets[:1])...); err != nil {
			return nil, false, err
		}
		i, ok := missing[u.ID]
		if !ok || page[i].version != version {
			return nil, false, nil // changed since the page was read
		}
		db.Users.put(version, u)
		out[i] = u
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	for _, u := range out {
		if u == nil {
			return nil, false, nil // gone since the page was read
		}
	}
	return out, true, nil
}
