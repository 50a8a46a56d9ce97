package core

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/rs/xid"
)

// Service holds every rule of the user store; stores serve it. Faces see
// it only through a Face, bound to their profile; the store and the hasher
// are reachable from nowhere else.
type Service struct {
	store  Store
	hasher *Hasher
	Now    func() time.Time
	// Limiter holds the rate-limit buckets: in-process by default, Redis
	// when nodes must share them.
	Limiter RateLimiter
	// AccountLimit and AddrLimit throttle failed logins per account and per
	// client address.
	AccountLimit Limit
	AddrLimit    Limit
	// SignupLimit throttles anonymous sign-ups per client address
	// (signup.go); a zero Limit turns the throttle off.
	SignupLimit Limit
	// MaxUserBytes bounds a whole serialized user (limits.go); 0 is
	// DefaultMaxUserBytes.
	MaxUserBytes int
	// Signup allows anonymous callers to create accounts.
	Signup bool
	// MaxTokens caps the live tokens of each kind one user holds: API
	// tokens past it are refused, login tokens past it rotate out the
	// oldest (credentials.go).
	MaxTokens int
	Log       *slog.Logger
	Events    Events // optional observer of login failures and lock-outs (events.go)

	// RenameCooldown is how long users wait between renames of their own
	// account (rename.go); 0 lets them rename at will. Admins and System
	// rename freely.
	RenameCooldown time.Duration
	// UpstreamHiddenSearch keeps the searches on hidden fields that faces'
	// systems allow (Profile.Search); off, those fields search like any
	// other hidden field.
	UpstreamHiddenSearch bool
	// Budget bounds the cost of list requests (budget.go).
	Budget    Budget
	expensive slots
	// importing is held by the one import running (import.go).
	importing atomic.Bool

	names nameRules // reserved words of the faces bound (names.go)
	// LoginTTL is how long a login token lives unused: each use moves
	// its expiry this far ahead (0: login tokens never expire).
	LoginTTL time.Duration
	// APITokenTTL is the lifetime of an API token created without one (0:
	// none); APITokenMaxTTL the longest any may live (0: no bound).
	APITokenTTL, APITokenMaxTTL time.Duration
	// SessionTTL is how long a cookie session lives unused: each use
	// moves its expiry this far ahead (session_service.go); 0 is
	// DefaultSessionTTL.
	SessionTTL time.Duration

	// Sub-entities (pronouns_api.go): the most pride flags and members
	// one user owns, and how often a user may reroll short ids.
	MaxFlags, MaxMembers int
	RerollCooldown       time.Duration
	// Images bounds uploads (image_service.go).
	Images ImageLimits
	// AuditRetention is how long audit entries are kept; Sweep deletes
	// older ones (0: kept forever).
	AuditRetention time.Duration
}

// ImageLimits bound an image upload before and after decoding.
type ImageLimits struct {
	// MaxBytes bounds the decoded file, checked before decoding.
	MaxBytes int
	// MaxPixels bounds width × height as the file's header claims them,
	// checked before the pixels are decompressed.
	MaxPixels int
	// Size is the side of the square the upload is re-encoded to, at most.
	Size int
}

// Sub-entity defaults (pronouns.cc's own limits).
const (
	DefaultMaxFlags       = 500
	DefaultMaxMembers     = 500
	DefaultRerollCooldown = time.Hour
)

// DefaultImageLimits: 1.5 MB files (a 2 MB request body holds about that
// much base64), 4096 × 4096 pixels (a 16-megapixel decode holds 64 MB of
// RGBA; a 36-megapixel JPEG took 2 s and 190 MB), 512 px squares
// (pronouns.cc's).
var DefaultImageLimits = ImageLimits{MaxBytes: 1536 << 10, MaxPixels: 4096 * 4096, Size: 512}

// NewService returns a Service with production defaults: argon2id at OWASP's
// parameters, at most 5 failed logins per account and 50 per address per
// 15 minutes, sign-up open to 20 accounts per address per hour, users of
// at most 64 KiB.
func NewService(store Store) *Service {
	return &Service{
		store:        store,
		hasher:       NewHasher(DefaultArgon2),
		Now:          time.Now,
		Limiter:      NewMemoryRateLimiter(DefaultMemoryKeys),
		AccountLimit: LoginLimit(LoginAccount, 5),
		AddrLimit:    LoginLimit(LoginAddr, 50),
		SignupLimit:  SignupAddrLimit(DefaultSignupsPerAddr),
		MaxUserBytes: DefaultMaxUserBytes,
		Signup:       true,
		MaxTokens:    100,
		LoginTTL:     DefaultLoginTTL,
		SessionTTL:   DefaultSessionTTL,
		Log:          slog.Default(),

		RenameCooldown:       DefaultRenameCooldown,
		UpstreamHiddenSearch: true,
		Budget:               DefaultBudget(),

		MaxFlags:       DefaultMaxFlags,
		MaxMembers:     DefaultMaxMembers,
		RerollCooldown: DefaultRerollCooldown,
		Images:         DefaultImageLimits,
	}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// NewUser is the input of CreateUser.
type NewUser struct {
	Name     string
	Password string     // "" creates a user without password login (staff and System only)
	Fields   Patch      // further fields, each checked against the writer's rights
	Addr     netip.Addr // the signing-up client, recorded as last_ip when valid
	LoggedIn bool       // the sign-up also logs the user in (sets last_login_at)
}

// HashMemory is the most memory password hashing may hold at once.
func (s *Service) HashMemory() int64 { return s.hasher.Memory() }

// CreateUser creates a user. actor nil is an anonymous sign-up.
// Codes: Invalid, Forbidden, Conflict.
func (s *Service) CreateUser(ctx context.Context, actor *User, in NewUser) (*User, error) {
	return s.createUser(ctx, NativeProfile, actor, in)
}

// siteDefaults are written on every create that names none of them, so a
// column default of one site's never shows on another (the database
// default of blacklisted_tags is Danbooru's list).
var siteDefaults = Patch{"blacklisted_tags": ""}

func (s *Service) createUser(ctx context.Context, prof *Profile, actor *User, in NewUser) (*User, error) {
	if err := s.may(ctx, prof, actor, ActSignup, nil); err != nil {
		return nil, err
	}
	if actor != System && !actor.IsStaff() {
		// A signed-in member creating an account is a sign-up, or, on a
		// face that grants creates, writes what a sign-up may.
		actor = nil
	}
	if actor == nil && prof.Creates == nil {
		if err := s.throttleSignup(ctx, in.Addr, 0); err != nil {
			return nil, err
		}
	}
	target := &User{Level: LevelMember}
	if lv, ok := in.Fields["level"].(int64); ok {
		target.Level = int(lv)
	}
	p := Patch{}
	probs := problems{}
	if r := s.nameProblem(in.Name); r != "" {
		probs.add("name", r)
	}
	p["name"] = in.Name
	if err := s.checkFields(actor, target, in.Fields, p, probs); err != nil {
		return nil, err
	}
	checkEntries(p, nil, probs)
	switch {
	case len(in.Password) > MaxPasswordBytes:
		probs.add("password", fmt.Sprintf("must be at most %d bytes", MaxPasswordBytes))
	case in.Password == "" && !actor.IsStaff() && prof.Creates == nil:
		// Staff, and holders of a face's create grant, may make an
		// account without a password: no one logs in to it by password
		// until one is set.
		probs.add("password", "is required")
	}
	if err := probs.err(); err != nil {
		return nil, err
	}
	for _, defaults := range []Patch{prof.Defaults, siteDefaults} {
		for k, v := range defaults {
			if _, named := p[k]; !named {
				p[k] = v
			}
		}
	}
	deriveKeys(p)
	if err := s.checkUserBytes(nil, p, in.Fields); err != nil {
		return nil, err
	}
	// Fail fast before hashing; the unique index still decides races.
	if _, err := s.store.FindUserByNameKey(ctx, p["name_key"].(string)); err == nil {
		return nil, nameTaken()
	} else if ErrorCode(err) != NotFound {
		return nil, err
	}
	if actor == nil {
		// Spent only by sign-ups that pass every check, just before the
		// costly hash.
		if err := s.throttleSignup(ctx, in.Addr, 1); err != nil {
			return nil, err
		}
	}
	if in.Password != "" {
		h, err := s.hasher.Hash(ctx, in.Password)
		if err != nil {
			return nil, err
		}
		p["password_hash"] = h
	}
	now := s.now()
	if in.Addr.IsValid() {
		p["last_ip"] = in.Addr.Unmap()
	}
	if in.LoggedIn {
		p["last_login_at"] = now
	}
	p["xid"] = xid.NewWithTime(now).String()
	p["created_at"] = now
	p["updated_at"] = now
	p["last_sid_reroll_at"] = now.Add(-time.Hour)
	var u *User
	err := withNewSID(5, func(sid string) error {
		p["sid"] = sid
		return s.store.Tx(ctx, func(tx Store) error {
			var err error
			if u, err = tx.CreateUser(ctx, p); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, s.audit(ctx, AuditUserCreated, actor, u, diffRecords(Users, nil, u)))
		})
	})
	if err != nil {
		return nil, s.nameConflict(ctx, err, p)
	}
	return u, nil
}

func nameTaken() *Error {
	return &Error{Code: Conflict, Reason: ReasonNameTaken, Message: "Name is already taken.", Fields: map[string]string{"name": "is already taken"}}
}

// checkFields validates fields the actor asked to write into p, adding
// problems to probs; a field the actor may not write is Forbidden.
func (s *Service) checkFields(actor, target *User, in Patch, p Patch, probs problems) error {
	return s.checkEntityFields(Users, actor, target, in, p, probs)
}

// checkEntityFields is checkFields for a record of registry e that target
// owns (the user themself, or a member's user): each value is checked
// against e and the actor's right to write it over target.
func (s *Service) checkEntityFields(e *Entity, actor, target *User, in Patch, p Patch, probs problems) error {
	denied := problems{}
	for name, v := range in {
		f := e.ByName(name)
		switch {
		case f == nil:
			probs.add(name, "is not a field")
			continue
		case !f.Settable():
			probs.add(name, "is read-only")
			continue
		}
		if r := f.CheckAt(v, s.now()); r != "" {
			probs.add(name, r)
			continue
		}
		if !CanWrite(f, actor, target, v) {
			denied.add(name, "you may not change this field")
			continue
		}
		p[name] = v
	}
	if len(denied) > 0 && len(probs) == 0 {
		return &Error{Code: Forbidden, Reason: ReasonFieldDenied, Message: "You may not change these fields.", Fields: denied}
	}
	return nil
}

// deriveKeys sets the folded key of every keyed field present in p, and
// forgets the Rails zone name when a zone is written without one.
func deriveKeys(p Patch) {
	if _, ok := p["timezone"]; ok {
		if _, rails := p["timezone_rails"]; !rails {
			p["timezone_rails"] = nil
		}
	}
	if name, ok := p["name"].(string); ok {
		setName(p, name)
	}
	for _, name := range [...]string{"email", "first_name", "last_name"} {
		v, ok := p[name]
		if !ok {
			continue
		}
		key := FieldByName(name).Key
		if s, ok := v.(string); ok {
			p[key] = Fold(s)
		} else {
			p[key] = nil
		}
	}
}

const sidLetters = "abcdefghijklmnopqrstuvwxyz"

func randomSID(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(sidLetters)))
	for i := range b {
		k, _ := rand.Int(rand.Reader, max)
		b[i] = sidLetters[k.Int64()]
	}
	return string(b)
}

// GetUser finds a user by id or, failing that, by name (case-insensitive).
// Deleted users are NotFound except to themselves and staff.
// Codes: NotFound.
func (s *Service) GetUser(ctx context.Context, viewer *User, ref string) (*User, error) {
	return s.getUser(ctx, NativeProfile, viewer, ref)
}

func (s *Service) getUser(ctx context.Context, p *Profile, viewer *User, ref string) (*User, error) {
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil && id > 0 {
		u, err := s.getUserByID(ctx, p, viewer, id)
		if ErrorCode(err) != NotFound {
			return u, err
		}
	}
	return s.getUserByName(ctx, p, viewer, ref)
}

func userNotFound() *Error { return Errorf(NotFound, "User not found.") }

// possibleName reports whether s could be a stored name, sparing the
// database look-ups that cannot match (and PostgreSQL text NUL bytes).
func possibleName(s string) bool {
	return s != "" && len(s) <= 600 && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// GetUserByName is GetUser by name only (case-insensitive), for names that
// look like numbers.
// Codes: NotFound.
func (s *Service) GetUserByName(ctx context.Context, viewer *User, name string) (*User, error) {
	return s.getUserByName(ctx, NativeProfile, viewer, name)
}

func (s *Service) getUserByName(ctx context.Context, p *Profile, viewer *User, name string) (*User, error) {
	if !possibleName(name) {
		return nil, userNotFound()
	}
	u, err := findUserByName(ctx, s.store, name)
	if err != nil {
		return nil, err
	}
	if u.Deleted && !p.deletedVisible(viewer, u) {
		return nil, userNotFound()
	}
	return u, nil
}

// GetUserByID is GetUser for a numeric id only.
func (s *Service) GetUserByID(ctx context.Context, viewer *User, id int64) (*User, error) {
	return s.getUserByID(ctx, NativeProfile, viewer, id)
}

func (s *Service) getUserByID(ctx context.Context, p *Profile, viewer *User, id int64) (*User, error) {
	u, err := s.store.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Deleted && !p.deletedVisible(viewer, u) {
		return nil, userNotFound()
	}
	return u, nil
}

// Update is the input of UpdateUser.
type Update struct {
	Fields          Patch
	Password        *string // new password
	CurrentPassword *string // required when users change their own password
	// Addr is the client's address, whose failed-check limit a wrong
	// CurrentPassword spends as a failed login does.
	Addr netip.Addr
	// Token is the one the actor made the request with: a change of one's
	// own password revokes every other token of the user, not this one.
	Token *Token
	// Avatar is a data URI of a new avatar (image_service.go); "" removes
	// the avatar; nil leaves it. Decoded before the transaction, written
	// in it.
	Avatar *string
	// Flags are xids of the user's own pride flags in display order,
	// replacing the profile's; nil leaves them. Written in the update's
	// transaction.
	Flags *[]string
	// DryRun runs every check and writes nothing: the answer is the
	// user unchanged, or the error the update would get (a face that
	// reports all of a request's problems at once asks with the values
	// it has not refused itself).
	DryRun bool
}

// UpdateUser applies a partial update. Every named field must be writable by
// the actor, or nothing changes. Renames are recorded in the name history.
// Codes: Unauthenticated, NotFound, Invalid, Forbidden, Conflict.
func (s *Service) UpdateUser(ctx context.Context, actor *User, id int64, in Update) (*User, error) {
	return s.updateUser(ctx, NativeProfile, actor, id, in)
}

func authRequired() *Error {
	return reasonf(Unauthenticated, ReasonAuthRequired, "Authentication required.")
}

func (s *Service) updateUser(ctx context.Context, prof *Profile, actor *User, id int64, in Update) (*User, error) {
	if actor == nil {
		return nil, authRequired()
	}
	target, err := s.getUserByID(ctx, prof, actor, id)
	if err != nil {
		return nil, err
	}
	if err := standing(actor, ActUpdate, target); err != nil {
		return nil, err
	}
	if prof.SelfEditsOnly && actor != System && !isSelf(actor, target) {
		return nil, s.may(ctx, prof, actor, ActUpdate, target)
	}
	if actor, err = s.grantedUpdater(ctx, prof.Updates, actor, target, in.Fields); err != nil {
		return nil, err
	}
	return s.applyUpdate(ctx, actor, target, in)
}

// applyUpdate writes an update the actor's rights over each field allow:
// every check first, then the avatar decoded, then one transaction.
func (s *Service) applyUpdate(ctx context.Context, actor, target *User, in Update) (*User, error) {
	p := Patch{}
	probs := problems{}
	if err := s.checkFields(actor, target, in.Fields, p, probs); err != nil {
		return nil, err
	}
	if err := s.checkPictures(actor, target, in, probs); err != nil {
		return nil, err
	}
	checkEntries(p, target.CustomPreferences, probs)
	s.checkRename(p, probs)
	if in.Password != nil {
		if err := s.checkNewPassword(ctx, actor, target, in, p, probs); err != nil {
			return nil, err
		}
	}
	if err := probs.err(); err != nil {
		return nil, err
	}
	if in.DryRun || len(p) == 0 && in.Avatar == nil && in.Flags == nil {
		return target, nil
	}
	now := s.now()
	var img *Image
	if in.Avatar != nil {
		p["avatar"] = nil
		if *in.Avatar != "" {
			var err error
			if img, err = s.decodeUpload(ImageAvatar, "avatar", *in.Avatar, now); err != nil {
				return nil, err
			}
			p["avatar"] = img.Hash
		}
	}
	deriveKeys(p)
	p["updated_at"] = now
	var meta UpdateMeta
	if actor != System {
		meta.By = &actor.ID
	}
	if err := s.checkUserBytes(target, p, in.Fields); err != nil {
		return nil, err
	}
	u, err := s.saveUpdate(ctx, actor, target, in, p, meta, img)
	if err != nil {
		return nil, s.nameConflict(ctx, err, p)
	}
	return u, nil
}

// saveUpdate writes an update: the users row (writeUpdate: renames keep
// their cooldown) and, in the same transaction, what goes with it — the
// avatar's image, the profile's flags, and for a new password the user's
// tokens revoked and sessions ended: all of them when someone else set it,
// all but the token that made the change when the user changed their own.
// A plain update is one statement's transaction.
func (s *Service) saveUpdate(ctx context.Context, actor, target *User, in Update, p Patch, meta UpdateMeta, img *Image) (*User, error) {
	_, pw := p["password_hash"]
	if !pw && img == nil && in.Flags == nil {
		return s.writeUpdate(ctx, s.store, actor, target, p, meta)
	}
	var keep int64
	if isSelf(actor, target) && in.Token != nil && in.Token.UserID == target.ID {
		keep = in.Token.ID
	}
	var u *User
	err := s.store.Tx(ctx, func(tx Store) error {
		var flags []int64
		if in.Flags != nil {
			var err error
			if flags, err = s.resolveFlags(ctx, tx, target.ID, *in.Flags); err != nil {
				return err
			}
		}
		if img != nil {
			if _, err := tx.PutImage(ctx, img); err != nil {
				return err
			}
		}
		var err error
		if u, err = s.writeUpdate(ctx, tx, actor, target, p, meta); err != nil {
			return err
		}
		if in.Flags != nil {
			if err := tx.SetUserFlags(ctx, target.ID, flags); err != nil {
				return err
			}
		}
		if pw {
			if err := tx.RevokeTokensExcept(ctx, target.ID, keep, p["updated_at"].(time.Time)); err != nil {
				return err
			}
			return tx.DeleteSessions(ctx, target.ID)
		}
		return nil
	})
	return u, err
}

// checkPictures checks an update's avatar upload and profile flags, which
// are no field of in.Fields, against the actor's rights: both are written
// by the user and admins, as the profile's fields are.
func (s *Service) checkPictures(actor, target *User, in Update, probs problems) error {
	denied := problems{}
	if in.Avatar != nil {
		if _, both := in.Fields["avatar"]; both {
			probs.add("avatar", "is given both as an upload and as an image hash")
		} else if !CanWrite(FieldByName("avatar"), actor, target, nil) {
			denied.add("avatar", "you may not change this field")
		}
	}
	if in.Flags != nil {
		if !CanWrite(profileFlags, actor, target, nil) {
			denied.add("flags", "you may not change this field")
		} else if r := checkFlagXIDs(*in.Flags, s.maxFlags()); r != "" {
			probs.add("flags", r)
		}
	}
	if len(denied) > 0 && len(probs) == 0 {
		return &Error{Code: Forbidden, Reason: ReasonFieldDenied, Message: "You may not change these fields.", Fields: denied}
	}
	return nil
}

// decodeUpload decodes an image upload for field (decodeImage), naming the
// field in a refusal, and dates it at now.
// Codes: Invalid (ReasonBadImage, ReasonImageTooLarge).
func (s *Service) decodeUpload(kind, field, dataURI string, now time.Time) (*Image, error) {
	img, err := s.decodeImage(kind, dataURI)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == Invalid {
			// decodeImage names the problem under the kind; move it to
			// the field the caller wrote.
			c := *e
			reason := e.Fields[kind]
			if reason == "" {
				reason = "is not a PNG, JPEG or WebP image"
				if e.Reason == ReasonImageTooLarge {
					reason = "is too large"
				}
			}
			c.Fields = map[string]string{field: reason}
			return nil, &c
		}
		return nil, err
	}
	img.CreatedAt = now
	return img, nil
}

func (s *Service) checkNewPassword(ctx context.Context, actor, target *User, in Update, p Patch, probs problems) error {
	pw := *in.Password
	switch {
	case pw == "":
		probs.add("password", "may not be empty")
		return nil
	case len(pw) > MaxPasswordBytes:
		probs.add("password", fmt.Sprintf("must be at most %d bytes", MaxPasswordBytes))
		return nil
	}
	switch {
	case isSelf(actor, target):
		if target.PasswordHash != nil {
			if in.CurrentPassword == nil {
				probs.add("current_password", "is required to change the password")
				return nil
			}
			err := s.confirmPassword(ctx, target, *in.CurrentPassword, in.Addr)
			if ErrorCode(err) == Unauthenticated {
				return &Error{Code: Invalid, Reason: ReasonPasswordIncorrect, Message: "Invalid input.",
					Fields: map[string]string{"current_password": "is incorrect"}}
			}
			if err != nil {
				return err
			}
		}
	case actor == System || (actor.Level >= LevelAdmin && outranks(actor, target)):
	default:
		return &Error{Code: Forbidden, Reason: ReasonFieldDenied, Message: "You may not change this password.", Fields: map[string]string{"password": "you may not change this field"}}
	}
	h, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	p["password_hash"] = h
	return nil
}

// DeleteUser soft-deletes a user: the row, name and e-mail stay, login stops.
// Codes: Unauthenticated, NotFound, Forbidden.
func (s *Service) DeleteUser(ctx context.Context, actor *User, id int64) error {
	return s.deleteUser(ctx, NativeProfile, actor, id, "", netip.Addr{})
}

// RestoreUser undoes a soft delete, giving back the name a face's deletion
// took when nobody has taken it since. Admins only.
// Codes: Unauthenticated, NotFound, Forbidden.
func (s *Service) RestoreUser(ctx context.Context, actor *User, id int64) (*User, error) {
	return s.restoreUser(ctx, NativeProfile, actor, id)
}

func (s *Service) restoreUser(ctx context.Context, prof *Profile, actor *User, id int64) (*User, error) {
	if actor == nil {
		return nil, authRequired()
	}
	target, err := s.getUserByID(ctx, prof, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.may(ctx, prof, actor, ActRestore, target); err != nil {
		return nil, err
	}
	if !target.Deleted {
		return target, nil
	}
	var meta UpdateMeta
	if actor != System {
		meta.By = &actor.ID
	}
	var u *User
	err = s.store.Tx(ctx, func(tx Store) error {
		p := Patch{"deleted": false, "deleted_at": nil, "updated_at": s.now()}
		if err := s.restoreName(ctx, tx, target, p); err != nil {
			return err
		}
		// Tokens that outlived the deletion (deleted before deletions
		// revoked them, or minted since by the CLI) stay dead.
		if err := tx.RevokeTokens(ctx, id, p["updated_at"].(time.Time)); err != nil {
			return err
		}
		var err error
		u, err = tx.UpdateUser(ctx, id, p, meta)
		if ErrorCode(err) == Conflict {
			// The old name (or a look-alike) was taken meanwhile: restore
			// under the deletion name.
			dropName(p)
			u, err = tx.UpdateUser(ctx, id, p, meta)
		}
		if err != nil {
			return err
		}
		return s.recordChange(ctx, tx, actor, target, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetLevel sets a user's level as the actor (System from the CLI): staff
// only, never their own, only on users below them and only to a level
// below their own.
// Codes: Unauthenticated, NotFound, Invalid, Forbidden.
func (s *Service) SetLevel(ctx context.Context, actor *User, id int64, level int) (*User, error) {
	return s.setLevel(ctx, NativeProfile, actor, id, level)
}

func (s *Service) setLevel(ctx context.Context, prof *Profile, actor *User, id int64, level int) (*User, error) {
	if actor == nil {
		return nil, authRequired()
	}
	target, err := s.getUserByID(ctx, prof, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.may(ctx, prof, actor, ActSetLevel, target); err != nil {
		return nil, err
	}
	if actor != System && level >= actor.Level {
		return nil, levelDenied(ReasonLevelTooHigh)
	}
	if !ValidLevel(level) {
		return nil, FieldError("level", "is not a level")
	}
	return s.applyUpdate(ctx, actor, target, Update{Fields: Patch{"level": int64(level)}})
}

// NameHistory lists a user's past names, visible where the user is.
func (s *Service) NameHistory(ctx context.Context, viewer *User, id int64) ([]NameChange, error) {
	return s.nameHistory(ctx, NativeProfile, viewer, id)
}

func (s *Service) nameHistory(ctx context.Context, prof *Profile, viewer *User, id int64) ([]NameChange, error) {
	if _, err := s.getUserByID(ctx, prof, viewer, id); err != nil {
		return nil, err
	}
	return s.store.NameChanges(ctx, id)
}

// addrKey groups IPv6 clients by /64, since one host usually holds a whole
// /64 and could otherwise rotate past the limit.
func addrKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + a.String()
}
