package core

import (
	"encoding/json"
	"net/netip"
	"time"
)

// Levels on Danbooru's scale (spec/fields.md §1.2). Anonymous (0) is never
// stored.
const (
	LevelAnonymous   = 0
	LevelRestricted  = 10
	LevelMember      = 20
	LevelGold        = 30
	LevelPlatinum    = 31
	LevelBuilder     = 32
	LevelContributor = 35
	LevelApprover    = 37
	LevelModerator   = 40
	LevelAdmin       = 50
	LevelOwner       = 60

	// LevelStaff is the lowest staff level on every face.
	LevelStaff = LevelModerator
)

// Levels lists every level a user may hold, ascending.
var Levels = []int{10, 20, 30, 31, 32, 35, 37, 40, 50, 60}

// ValidLevel reports whether l is a storable level.
func ValidLevel(l int) bool {
	for _, v := range Levels {
		if v == l {
			return true
		}
	}
	return false
}

// Date is a calendar date in the form YYYY-MM-DD.
type Date string

// User is the canonical user record (spec/fields.md §1). Every column of the
// users table has a field here and an entry in the field registry.
type User struct {
	// Identity.
	ID           int64
	XID          string
	SID          string
	Name         string
	NameKey      string
	NameSkeleton *string
	Email        *string
	EmailKey     *string
	FirstName    string
	FirstNameKey string
	LastName     string
	LastNameKey  string
	DisplayName  *string

	// Standing.
	Level                int
	Active               bool
	Banned               bool
	Deleted              bool
	DeletedAt            *time.Time
	RequiresVerification bool
	EmailVerified        bool
	InviterID            *int64
	Anonymized           bool
	UserType             string
	CanApprovePosts      bool
	CanUploadFree        bool
	NoFlagging           bool
	ReplacementsBeta     bool
	BaseUploadLimit      int64
	PrivateProfile       bool
	ListPrivate          bool

	// Profile.
	Bio                       *string
	ArtistInfo                *string
	MemberTitle               *string
	Links                     json.RawMessage
	PreferredNames            json.RawMessage
	Pronouns                  json.RawMessage
	ProfileFields             json.RawMessage
	CustomPreferences         json.RawMessage
	Avatar                    *string
	AvatarPostID              *int64
	ArtistTags                json.RawMessage
	Timezone                  *string
	TimezoneRails             *string
	Language                  string
	DateOfBirth               *Date
	Gender                    *string
	Phone                     *string
	EmailAllowed              bool
	SMSAllowed                bool
	CallAllowed               bool
	Attributes                json.RawMessage
	AttributesKwargs          json.RawMessage
	LocalizedAttributes       json.RawMessage
	LocalizedAttributesKwargs json.RawMessage

	// Settings: Danbooru preference bits.
	ReceiveEmailNotifications       bool
	NewPostNavigationLayout         bool
	EnablePrivateFavorites          bool
	ShowDeletedChildren             bool
	DisableCategorizedSavedSearches bool
	DisableTaggedFilenames          bool
	DisableMobileGestures           bool
	EnableSafeMode                  bool
	EnableDesktopMode               bool
	DisablePostTooltips             bool
	ShowDeletedPosts                bool

	// Settings: plain.
	PerPage          int64
	CommentThreshold int64
	DefaultImageSize string
	FavoriteTags     *string
	BlacklistedTags  string
	CustomStyle      *string
	Theme            string

	// Settings: e621.
	BlacklistUsers                bool
	DescriptionCollapsedInitially bool
	HideComments                  bool
	ShowHiddenComments            bool
	ShowPostStatistics            bool
	EnableKeyboardNavigation      bool
	EnableAutoComplete            bool
	DisableResponsiveMode         bool
	DisableUserDmails             bool
	EnableCompactUploader         bool
	ForumNotificationDot          bool
	DmailFilterWords              string
	RecentTags                    string

	// Counters.
	PostUploadCount              int64
	PostDeletedCount             int64
	PostActiveCount              int64 // generated
	PostUpdateCount              int64
	NoteUpdateCount              int64
	FavoriteCount                int64
	CommentCount                 int64
	ForumPostCount               int64
	WikiPageVersionCount         int64
	ArtistVersionCount           int64
	ArtistCommentaryVersionCount int64
	PoolVersionCount             int64
	FavoriteGroupCount           int64
	AppealCount                  int64
	FlagCount                    int64
	PositiveFeedbackCount        int64
	NeutralFeedbackCount         int64
	NegativeFeedbackCount        int64
	FeedbackScore                int64 // generated
	BlipCount                    int64
	SetCount                     int64
	UnreadDmailCount             int64
	UploadKarma                  int64

	// Times.
	CreatedAt       time.Time
	UpdatedAt       time.Time
	LastLoginAt     *time.Time
	LastIP          netip.Addr // zero = unset
	LastForumReadAt *time.Time
	LastSIDRerollAt time.Time

	// Credentials.
	PasswordHash *string

	// shown is the set of fields a face's profile lets the viewer see; nil
	// for a record the core has not redacted.
	shown *fieldMask
	// zone is the time zone as stored, kept when redaction hides
	// Timezone so that UTCOffset still answers.
	zone *string
}

// IsStaff reports whether the user holds staff powers: a moderator or
// above who is not banned (a ban takes staff powers away; standing.go).
func (u *User) IsStaff() bool { return u != nil && u.Level >= LevelStaff && !u.Banned }

// CanAuthenticate reports whether the account may log in or use tokens.
func (u *User) CanAuthenticate() bool { return u.Active && !u.Deleted }
