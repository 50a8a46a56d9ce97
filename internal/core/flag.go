package core

import (
	"context"
	"time"
)

// PrideFlag is a pride flag a user uploaded (spec/fields.md §2.7). A user
// owns flags; their profile, and each of their members' profiles, shows an
// ordered selection of them.
type PrideFlag struct {
	ID          int64
	XID         string
	UserID      int64
	Hash        string // image hash
	Name        string
	Description *string
	CreatedAt   time.Time
}

// Flags is the registry of the pride_flags table.
var Flags *Entity

func init() {
	selfAdmin := WriteSelf | WriteAdmin
	Flags = newEntity[PrideFlag]("flag", "pride_flags", []*Field{
		{Name: "id", Kind: KindInt, Min: 1, Max: 1<<63 - 1, Read: ReadAnon, Write: WriteSystem, Filter: true, Sort: true, ptr: func(f *PrideFlag) any { return &f.ID }},
		{Name: "xid", Kind: KindText, Min: 20, Max: 20, Read: ReadAnon, Write: WriteSystem, Filter: true, ptr: func(f *PrideFlag) any { return &f.XID }},
		{Name: "user_id", Kind: KindInt, Min: 1, Max: 1<<63 - 1, Read: ReadAnon, Write: WriteSystem, Filter: true, ptr: func(f *PrideFlag) any { return &f.UserID }},
		{Name: "hash", Kind: KindText, Min: 64, Max: 64, Read: ReadAnon, Write: WriteSystem, ptr: func(f *PrideFlag) any { return &f.Hash }},
		{Name: "name", Kind: KindText, Min: 1, Max: 100, Read: ReadAnon, Write: selfAdmin, ptr: func(f *PrideFlag) any { return &f.Name }},
		{Name: "description", Kind: KindText, Min: 1, Max: 500, Null: true, Read: ReadAnon, Write: selfAdmin, ptr: func(f *PrideFlag) any { return &f.Description }},
		{Name: "created_at", Kind: KindTime, Read: ReadAnon, Write: WriteSystem, ptr: func(f *PrideFlag) any { return &f.CreatedAt }},
	})
}

// FlagStore persists pride flags and the profiles that show them.
// Patches are keyed by Flags registry names.
type FlagStore interface {
	// CreateFlag inserts a flag from p (xid, user_id, hash, name and
	// created_at required; the image must exist) and returns it.
	// Codes: Conflict on xid; Invalid.
	CreateFlag(ctx context.Context, p Patch) (*PrideFlag, error)
	FindFlagByID(ctx context.Context, id int64) (*PrideFlag, error)
	FindFlagByXID(ctx context.Context, xid string) (*PrideFlag, error)
	// FindFlags lists every flag a user owns, shown or not, by id.
	FindFlags(ctx context.Context, userID int64) ([]*PrideFlag, error)
	// UpdateFlag writes p (name, description) and returns the stored row.
	UpdateFlag(ctx context.Context, id int64, p Patch) (*PrideFlag, error)
	// DeleteFlag deletes a flag and removes it from every profile.
	DeleteFlag(ctx context.Context, id int64) error

	// UserFlags lists the flags on a user's profile in display order.
	UserFlags(ctx context.Context, userID int64) ([]*PrideFlag, error)
	// SetUserFlags replaces the flags on a user's profile with flagIDs, in
	// that order. Codes: Invalid (field "flags") if a flag is not the
	// user's own or is named twice.
	SetUserFlags(ctx context.Context, userID int64, flagIDs []int64) error
	// MemberFlags returns the flags on each of the members' profiles in
	// display order; members without flags are absent from the map.
	MemberFlags(ctx context.Context, memberIDs []int64) (map[int64][]*PrideFlag, error)
	// SetMemberFlags replaces the flags on a member's profile, as
	// SetUserFlags; the flags must be the member's user's own.
	// Codes: NotFound for a missing member; Invalid.
	SetMemberFlags(ctx context.Context, memberID int64, flagIDs []int64) error
}
