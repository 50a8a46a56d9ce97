package core

import (
	"context"
	"time"
)

// LinkedAccountStore persists the accounts at other sites linked to users
// (spec/fields.md §2.4). No face writes them; imports and the sign-in
// flows that link them do.
type LinkedAccountStore interface {
	// LinkedAccounts lists the user's linked accounts by provider.
	LinkedAccounts(ctx context.Context, userID int64) ([]LinkedAccount, error)
	// SetLinkedAccount links the user's account at a.Provider, replacing
	// the one linked there before; at is when. Codes: Conflict (field
	// "remote_id": another user links that remote account), Invalid (no
	// such user, an unknown provider, a value too long).
	SetLinkedAccount(ctx context.Context, userID int64, a LinkedAccount, at time.Time) error
}

// LinkedAccounts lists u's linked accounts to u alone: nil for anyone
// else, staff included, as pronouns.cc shows them to the owner only.
func (f *Face) LinkedAccounts(ctx context.Context, viewer, u *User) ([]LinkedAccount, error) {
	if !isSelf(viewer, u) {
		return nil, nil
	}
	return f.s.store.LinkedAccounts(ctx, u.ID)
}
