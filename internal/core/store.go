package core

import (
	"context"
	"net/netip"
	"time"

	"usersd/internal/query"
)

// Store is plain persistence; every rule lives in Service. Stores return
// *Error with NotFound for missing rows and Conflict (Fields naming the
// field) for unique violations, never (nil, nil).
type Store interface {
	MemberStore
	ImageStore
	FlagStore
	SessionStore
	GroupStore
	LinkedAccountStore
	AuditStore
	WebhookStore

	// CreateUser inserts a user from p, with database defaults for fields p
	// does not name, and returns the stored row.
	CreateUser(ctx context.Context, p Patch) (*User, error)
	// InsertUser is CreateUser without the row read back, for imports:
	// it returns the new id.
	InsertUser(ctx context.Context, p Patch) (int64, error)
	// InsertUsers inserts users in order, several to a statement; a field
	// a patch does not name takes its default, as in InsertUser. It
	// returns how many it inserted: with an error, the first n stay and
	// none of the rest is written.
	InsertUsers(ctx context.Context, ps []Patch) (n int, err error)
	// BulkLoad readies the store for a run of InsertUsers transactions
	// from this process (an import), outside any transaction; done, called
	// when the run ends, undoes it, and may then build what the run put
	// off (indexes of a table that was empty): its error means the users
	// are written but the store could not finish, and a restart will.
	// Other processes' use of the database is unaffected.
	BulkLoad(ctx context.Context) (done func() error, err error)
	// UserIDBy returns the id of the user whose column ("id", "name_key",
	// "email_key" or "sid") equals v. Codes: NotFound.
	UserIDBy(ctx context.Context, column string, v any) (int64, error)
	// SyncUserIDs makes the id generator follow ids written by
	// InsertUser and CreateUser (a PostgreSQL identity sequence does not).
	SyncUserIDs(ctx context.Context) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByNameKey looks a user up by folded name.
	FindUserByNameKey(ctx context.Context, key string) (*User, error)
	// FindUserByEmailKey looks a user up by folded e-mail address.
	FindUserByEmailKey(ctx context.Context, key string) (*User, error)
	// FindUsers returns one page and, when q.Total is set, the number of
	// rows matching q.Filter (else -1). It fetches at most q.Limit rows.
	// Under a ctx deadline the database stops the read when it passes;
	// if only the count is cut short, the page is returned with total -1.
	FindUsers(ctx context.Context, q query.List) ([]*User, int, error)
	// UpdateUser writes p to the user and returns the stored row. A changed
	// name is recorded in the name history as meta describes.
	UpdateUser(ctx context.Context, id int64, p Patch, meta UpdateMeta) (*User, error)
	// TouchUser records login bookkeeping without bumping updated_at; a nil
	// lastLogin or invalid ip leaves that column alone.
	TouchUser(ctx context.Context, id int64, lastLogin *time.Time, ip netip.Addr) error
	// NameChanges lists a user's renames, oldest first.
	NameChanges(ctx context.Context, userID int64) ([]NameChange, error)

	CreateToken(ctx context.Context, t *Token, secretHash []byte) error
	// FindTokenByHash returns an unrevoked token (expired or not) and its user.
	FindTokenByHash(ctx context.Context, secretHash []byte) (*Token, *User, error)
	// FindTokens lists the user's live tokens (unrevoked, unexpired at now), oldest first.
	FindTokens(ctx context.Context, userID int64, now time.Time) ([]*Token, error)
	RevokeToken(ctx context.Context, userID, tokenID int64, at time.Time) error
	// RevokeTokens revokes every token of the user.
	RevokeTokens(ctx context.Context, userID int64, at time.Time) error
	// RevokeTokensExcept revokes every token of the user but keepID.
	RevokeTokensExcept(ctx context.Context, userID, keepID int64, at time.Time) error
	// TouchToken records a use at at (and ip when valid); a non-nil expires
	// moves the token's expiry there.
	TouchToken(ctx context.Context, tokenID int64, at time.Time, ip netip.Addr, expires *time.Time) error
	// LockUser, inside a Tx, makes other transactions that lock the same
	// user wait until this one ends, so that a count and the insert it
	// allows cannot interleave with another's. Codes: NotFound.
	LockUser(ctx context.Context, id int64) error

	// ClaimReroll sets the user's last_sid_reroll_at to at if it is at or
	// before notAfter, by one conditional update, and reports whether it
	// did: of concurrent claims on any number of nodes, one wins.
	// Codes: NotFound.
	ClaimReroll(ctx context.Context, userID int64, at, notAfter time.Time) (bool, error)

	// Tx runs fn with a Store bound to one database transaction: it
	// commits when fn returns nil and rolls back when fn returns an error
	// or panics. Reads through tx see fn's writes. The store may run fn
	// again when the database asks to retry the transaction, so fn must
	// have no effects but through tx. Tx on a tx Store runs fn inside the
	// same transaction (its error undoes fn's writes only).
	Tx(ctx context.Context, fn func(tx Store) error) error

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// UpdateMeta describes an update for the name history.
type UpdateMeta struct {
	By       *int64 // author; nil = the system
	Deletion bool   // a rename made by deleting the account (user_<id>)
}

// NameChange is one entry of a user's name history.
type NameChange struct {
	ID          int64
	UserID      int64
	OldName     string
	NewName     string
	ChangedAt   time.Time
	ChangedByID *int64
	IsDeletion  bool
}
