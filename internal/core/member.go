package core

import (
	"context"
	"encoding/json"
	"time"

	"usersd/internal/query"
)

// Member is a pronouns.cc member: a profile owned by a user
// (spec/fields.md §2.6). Its pride flags are an association
// (MemberFlags), not a column.
type Member struct {
	ID             int64
	XID            string
	SID            string // 6 letters a-z, unique across members
	UserID         int64
	Name           string
	NameKey        string // fold(Name); unique per user
	DisplayName    *string
	Bio            *string
	Avatar         *string // image hash
	Links          json.RawMessage
	PreferredNames json.RawMessage
	Pronouns       json.RawMessage
	ProfileFields  json.RawMessage
	Unlisted       bool // hidden from member lists but the owner's
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Members is the registry of the members table. A user's members are few
// (a face setting caps them), so every listing is a range of the
// (user_id, id) index and the filterable and sortable fields need no index
// of their own.
var Members *Entity

func init() {
	selfAdmin := WriteSelf | WriteAdmin
	type ptr = func(*Member) any
	text := func(name string, min, max int, null bool, p ptr) *Field {
		return &Field{Name: name, Kind: KindText, Min: min, Max: max, Null: null, Read: ReadAnon, Write: selfAdmin, ptr: p}
	}
	jsonList := func(name string, max int, items string, itemMax int, p ptr) *Field {
		return &Field{Name: name, Kind: KindJSON, Shape: '[', Max: max, Items: items, ItemMax: itemMax, Read: ReadAnon, Write: selfAdmin, ptr: p}
	}
	Members = newEntity[Member]("member", "members", []*Field{
		{Name: "id", Kind: KindInt, Min: 1, Max: 1<<63 - 1, Read: ReadAnon, Write: WriteSystem, Filter: true, Sort: true, ptr: func(m *Member) any { return &m.ID }},
		{Name: "xid", Kind: KindText, Min: 20, Max: 20, Read: ReadAnon, Write: WriteSystem, Filter: true, ptr: func(m *Member) any { return &m.XID }},
		{Name: "sid", Kind: KindText, Min: 6, Max: 6, Read: ReadAnon, Write: WriteSystem, Filter: true, ptr: func(m *Member) any { return &m.SID }},
		{Name: "user_id", Kind: KindInt, Min: 1, Max: 1<<63 - 1, Read: ReadAnon, Write: WriteSystem, Filter: true, ptr: func(m *Member) any { return &m.UserID }},
		{Name: "name", Kind: KindText, Min: 1, Max: 100, Read: ReadAnon, Write: selfAdmin, Key: "name_key", Filter: true, Sort: true, ptr: func(m *Member) any { return &m.Name }},
		{Name: "name_key", Kind: KindText, Min: 1, Max: 100, Read: ReadNever, Write: WriteSystem, ptr: func(m *Member) any { return &m.NameKey }},
		text("display_name", 1, 100, true, func(m *Member) any { return &m.DisplayName }),
		text("bio", 1, 1000, true, func(m *Member) any { return &m.Bio }),
		text("avatar", 64, 64, true, func(m *Member) any { return &m.Avatar }),
		jsonList("links", 25, "text", 256, func(m *Member) any { return &m.Links }),
		jsonList("preferred_names", 100, "", 0, func(m *Member) any { return &m.PreferredNames }),
		jsonList("pronouns", 100, "", 0, func(m *Member) any { return &m.Pronouns }),
		jsonList("profile_fields", 25, "", 0, func(m *Member) any { return &m.ProfileFields }),
		{Name: "unlisted", Kind: KindBool, Read: ReadAnon, Write: selfAdmin, Filter: true, ptr: func(m *Member) any { return &m.Unlisted }},
		{Name: "created_at", Kind: KindTime, Read: ReadAnon, Write: WriteSystem, Filter: true, Sort: true, ptr: func(m *Member) any { return &m.CreatedAt }},
		{Name: "updated_at", Kind: KindTime, Read: ReadAnon, Write: WriteSystem, Filter: true, Sort: true, ptr: func(m *Member) any { return &m.UpdatedAt }},
	})
}

// MemberStore persists members. Patches are keyed by Members registry
// names; a name the registry lacks is Invalid.
type MemberStore interface {
	// CreateMember inserts a member from p (user_id, xid, sid, name,
	// name_key, created_at and updated_at are required) and returns the
	// stored row. Codes: Conflict on xid, sid or name (per user); Invalid.
	CreateMember(ctx context.Context, p Patch) (*Member, error)
	FindMemberByID(ctx context.Context, id int64) (*Member, error)
	FindMemberByXID(ctx context.Context, xid string) (*Member, error)
	FindMemberBySID(ctx context.Context, sid string) (*Member, error)
	// FindMemberByNameKey looks a member up by folded name within a user.
	FindMemberByNameKey(ctx context.Context, userID int64, key string) (*Member, error)
	// FindMembers returns one page of a user's members matching q (fields
	// of the Members registry) and, when q.Total is set, their number.
	FindMembers(ctx context.Context, userID int64, q query.List) ([]*Member, int, error)
	// UpdateMember writes p and returns the stored row.
	UpdateMember(ctx context.Context, id int64, p Patch) (*Member, error)
	// DeleteMember deletes a member and its flag associations.
	DeleteMember(ctx context.Context, id int64) error
}
