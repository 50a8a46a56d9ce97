package core

import (
	"context"
	"regexp"
	"sync"
	"time"

	"usersd/internal/query"
)

// xidPattern is the shape of an xid as rs/xid prints it: 20 characters
// of base32hex in lower case.
var xidPattern = regexp.MustCompile(`^[0-9a-v]{20}$`)

// GetUserByXID finds a user by xid (pronouns.cc's id) under the face's
// profile; a ref that is not xid-shaped finds nobody. Deleted users are
// found as the profile's Deleted policy says. Codes: NotFound.
func (f *Face) GetUserByXID(ctx context.Context, viewer *User, xid string) (*User, error) {
	if !xidPattern.MatchString(xid) {
		return nil, userNotFound()
	}
	// The unique index ux_users_xid serves this one-row read.
	us, _, err := f.s.store.FindUsers(ctx, query.List{Filter: query.Cond{Field: "xid", Op: query.Eq, Value: xid}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(us) == 0 || us[0].Deleted && !f.p.deletedVisible(viewer, us[0]) {
		return nil, userNotFound()
	}
	return f.p.redact(viewer, us[0]), nil
}

// UTCOffset is the offset east of UTC, in seconds, of the user's time
// zone at t, whether or not the face's profile showed the viewer the zone
// itself: pronouns.cc shows everyone the offset (utc_offset) and the
// zone to the user alone. ok is false when the user has no zone.
func (u *User) UTCOffset(t time.Time) (secs int, ok bool) {
	zone := u.Timezone
	if u.zone != nil {
		zone = u.zone
	}
	if zone == nil {
		return 0, false
	}
	loc, err := loadZone(*zone)
	if err != nil {
		return 0, false
	}
	_, secs = t.In(loc).Zone()
	return secs, true
}

// zones caches loaded time zones: time.LoadLocation reads and parses the
// zone file on every call, and the names stored are tz database names
// (checked on write), so the cache stays as small as the database.
var zones sync.Map // string → *time.Location

func loadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, l)
	return l, nil
}
