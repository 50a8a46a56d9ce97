package core

import (
	"context"
	"net/netip"
	"time"

	"usersd/internal/query"
)

// Face is the core as one face sees it: every user it returns is redacted
// by the face's profile for the viewer, every filter and sort is checked
// against the profile, and the face's own account rules (deletion,
// sign-up defaults) run here. Faces hold a Face, never a Service, so they
// cannot reach the store, the hasher or the limiters.
type Face struct {
	s *Service
	p *Profile
}

// Face binds the service to a face's profile.
// Its reserved words join those every name is checked against.
func (s *Service) Face(p *Profile) *Face {
	s.names.bind(p)
	return &Face{s: s, p: p}
}

// in returns ctx naming the face as the origin of what the call changes
// (the audit log's face), unless a caller such as the console already
// named itself.
func (f *Face) in(ctx context.Context) context.Context {
	if OriginOf(ctx).Face != "" {
		return ctx
	}
	return WithOrigin(ctx, Origin{Face: f.p.Name})
}

// Profile returns the face's profile.
func (f *Face) Profile() *Profile { return f.p }

// Now returns the service's clock.
func (f *Face) Now() time.Time { return f.s.Now() }

// View redacts a user the face built itself (a pseudo-user) as the
// profile shows it to viewer.
func (f *Face) View(viewer, u *User) *User { return f.p.Redact(viewer, u) }

// one redacts a record the core has just read from the store.
func (f *Face) one(viewer, u *User, err error) (*User, error) {
	if err != nil {
		return nil, err
	}
	return f.p.redact(viewer, u), nil
}

// GetUser is Service.GetUser under the face's profile.
func (f *Face) GetUser(ctx context.Context, viewer *User, ref string) (*User, error) {
	if err := f.MayRead(viewer); err != nil {
		return nil, err
	}
	u, err := f.s.getUser(ctx, f.p, viewer, ref)
	return f.one(viewer, u, err)
}

// GetUserByID is Service.GetUserByID under the face's profile.
func (f *Face) GetUserByID(ctx context.Context, viewer *User, id int64) (*User, error) {
	if err := f.MayRead(viewer); err != nil {
		return nil, err
	}
	u, err := f.s.getUserByID(ctx, f.p, viewer, id)
	return f.one(viewer, u, err)
}

// GetUserByName is Service.GetUserByName under the face's profile.
func (f *Face) GetUserByName(ctx context.Context, viewer *User, name string) (*User, error) {
	if err := f.MayRead(viewer); err != nil {
		return nil, err
	}
	u, err := f.s.getUserByName(ctx, f.p, viewer, name)
	return f.one(viewer, u, err)
}

// ListUsers returns one page of users under the face's profile.
// Codes: Invalid, Forbidden.
func (f *Face) ListUsers(ctx context.Context, viewer *User, in ListRequest) (*Page, error) {
	if err := f.MayRead(viewer); err != nil {
		return nil, err
	}
	return f.s.listUsers(ctx, f.p, viewer, in)
}

// CreateUser is Service.CreateUser with the profile's sign-up defaults.
func (f *Face) CreateUser(ctx context.Context, actor *User, in NewUser) (*User, error) {
	ctx = f.in(ctx)
	u, err := f.s.createUser(ctx, f.p, actor, in)
	if err != nil {
		return nil, err
	}
	viewer := actor
	if viewer == nil || !viewer.IsStaff() {
		viewer = u // a sign-up sees its own account
	}
	return f.p.Redact(viewer, u), nil
}

// UpdateUser is Service.UpdateUser under the face's profile.
func (f *Face) UpdateUser(ctx context.Context, actor *User, id int64, in Update) (*User, error) {
	ctx = f.in(ctx)
	u, err := f.s.updateUser(ctx, f.p, actor, id, in)
	return f.one(actor, u, err)
}

// SetLevel is Service.SetLevel under the face's profile.
func (f *Face) SetLevel(ctx context.Context, actor *User, id int64, level int) (*User, error) {
	ctx = f.in(ctx)
	u, err := f.s.setLevel(ctx, f.p, actor, id, level)
	return f.one(actor, u, err)
}

// DeleteUser deletes an account as the profile's Deletion says; password
// confirms a user's own deletion where the face asks for it, throttled as
// a login from addr is.
// Codes: Unauthenticated, NotFound, Forbidden (with a Reason), RateLimited.
func (f *Face) DeleteUser(ctx context.Context, actor *User, id int64, password string, addr netip.Addr) error {
	ctx = f.in(ctx)
	return f.s.deleteUser(ctx, f.p, actor, id, password, addr)
}

// RestoreUser is Service.RestoreUser under the face's profile.
func (f *Face) RestoreUser(ctx context.Context, actor *User, id int64) (*User, error) {
	ctx = f.in(ctx)
	u, err := f.s.restoreUser(ctx, f.p, actor, id)
	return f.one(actor, u, err)
}

// NameHistory is Service.NameHistory under the face's profile.
func (f *Face) NameHistory(ctx context.Context, viewer *User, id int64) ([]NameChange, error) {
	return f.s.nameHistory(ctx, f.p, viewer, id)
}

// Login is Service.Login; the user comes back as they see themselves.
func (f *Face) Login(ctx context.Context, ident, password string, addr netip.Addr) (string, *Token, *User, error) {
	ctx = f.in(ctx)
	secret, t, u, err := f.s.Login(ctx, ident, password, addr)
	if err != nil {
		return "", nil, nil, err
	}
	return secret, t, f.p.Redact(u, u), nil
}

// CheckPassword is Service.CheckPassword; the user comes back as they see
// themselves.
func (f *Face) CheckPassword(ctx context.Context, ident, password string, addr netip.Addr) (*User, error) {
	ctx = f.in(ctx)
	u, err := f.s.CheckPassword(ctx, ident, password, addr)
	if err != nil {
		return nil, err
	}
	return f.p.Redact(u, u), nil
}

// Authenticate is Service.Authenticate under the profile's ban rule; the
// caller comes back as they see themselves.
func (f *Face) Authenticate(ctx context.Context, secret string, addr netip.Addr) (*User, *Token, error) {
	return f.caller(f.s.Authenticate(ctx, secret, addr))
}

// AuthenticateKey is Service.AuthenticateKey under the profile's ban
// rule; the caller comes back as they see themselves.
func (f *Face) AuthenticateKey(ctx context.Context, login, key string, addr netip.Addr) (*User, *Token, error) {
	return f.caller(f.s.AuthenticateKey(ctx, login, key, addr))
}

func (f *Face) caller(u *User, t *Token, err error) (*User, *Token, error) {
	switch {
	case err != nil:
		return nil, nil, err
	case f.p.BannedLocked && u.Banned:
		return nil, nil, reasonf(Unauthenticated, ReasonUserBanned, "This account is banned.")
	}
	return f.p.redact(u, u), t, nil
}

// CreateToken is Service.CreateToken.
func (f *Face) CreateToken(ctx context.Context, actor *User, userID int64, label, scope string) (string, *Token, error) {
	ctx = f.in(ctx)
	return f.s.CreateToken(ctx, actor, userID, label, scope)
}

// CreateTokenWith is Service.CreateTokenWith.
func (f *Face) CreateTokenWith(ctx context.Context, actor *User, userID int64, in NewToken) (string, *Token, error) {
	ctx = f.in(ctx)
	return f.s.CreateTokenWith(ctx, actor, userID, in)
}

// ListTokens is Service.ListTokens.
func (f *Face) ListTokens(ctx context.Context, actor *User, userID int64) ([]*Token, error) {
	return f.s.ListTokens(ctx, actor, userID)
}

// RevokeToken is Service.RevokeToken.
func (f *Face) RevokeToken(ctx context.Context, actor *User, userID, tokenID int64) error {
	ctx = f.in(ctx)
	return f.s.RevokeToken(ctx, actor, userID, tokenID)
}

// SearchesOn reports whether viewer may filter or sort on the field
// named name on this face: the profile's rule, with its search grants
// only while the service keeps upstream hidden searches.
func (f *Face) SearchesOn(name string, viewer *User) bool {
	fd := FieldByName(name)
	return fd != nil && f.p.searchesOn(fd, viewer, f.s.UpstreamHiddenSearch)
}

// Signup reports whether anonymous sign-up is open.
func (f *Face) Signup() bool { return f.s.Signup }

// Import is Service.Import: the actor must be an admin, and one import
// runs at a time.
func (f *Face) Import(ctx context.Context, actor *User, r RecordReader, opt ImportOptions) (ImportSummary, error) {
	ctx = f.in(ctx)
	return f.s.Import(ctx, actor, r, opt)
}

// ExportUsers is Service.ExportUsers: the actor must be an admin, and the
// filter is the native API's. Users come unredacted, as an admin's
// export has them (no password hash unless ExportsHashes).
func (f *Face) ExportUsers(ctx context.Context, actor *User, filter query.Expr, fn func(*User) error) error {
	return f.s.ExportUsers(ctx, actor, filter, fn)
}

// CheckExport is Service.CheckExport under ExportUsers' rules.
func (f *Face) CheckExport(ctx context.Context, actor *User, filter query.Expr) error {
	return f.s.CheckExport(ctx, actor, filter)
}

// ListAudit is Service.ListAudit.
func (f *Face) ListAudit(ctx context.Context, actor *User, in AuditRequest) (*AuditPage, error) {
	return f.s.ListAudit(ctx, actor, in)
}

// ExportAudit is Service.ExportAudit.
func (f *Face) ExportAudit(ctx context.Context, actor *User, filter query.Expr, fn func(*AuditEntry) error) error {
	return f.s.ExportAudit(ctx, actor, filter, fn)
}
