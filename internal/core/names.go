package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/secure/bidirule"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// The name rule: every create, rename and restore of a user name, on
// every face and from the CLI, goes through NormalizeName (characters and
// the core's reserved forms) and Service.nameProblem (the reserved words
// of every face the service serves), and stores the result with its
// confusable skeleton, whose unique index keeps look-alikes apart.

// nameProfile is RFC 8265's UsernameCasePreserved (width mapping, NFC, the
// IdentifierClass of RFC 8264, the Bidi Rule of RFC 5893) without '/',
// which no face can carry in a path. Case is preserved because names are
// shown as their owners typed them; name_key folds them for matching.
// IdentifierClass admits every name a face's own rules allow (Danbooru's
// letters of any script with _ . -, e621's ASCII, Django's \w.@+-); the
// native API formerly also took symbols and emoji (★, 😀), which no face
// allows and which now are refused for new names.
var nameProfile = precis.NewRestrictedProfile(precis.UsernameCasePreserved, runes.Predicate(func(r rune) bool { return r == '/' }))

// maxStackedMarks bounds combining marks on one base character: no
// script needs more, and longer stacks draw over neighbouring text.
const maxStackedMarks = 4

// Name refusals, as field reasons (the face names the field).
const (
	reasonNameSpace      = "may not contain white space, control characters or '/'"
	reasonNameInvisible  = "may not contain invisible or direction-control characters"
	reasonNameUnassigned = "may not contain unassigned, private-use or noncharacter code points"
	reasonNameMarkFirst  = "may not start with a combining mark"
	reasonNameMarkStack  = "may not stack more than 4 combining marks on one character"
	reasonNameBidi       = "may not mix right-to-left and left-to-right text this way (RFC 5893)"
	reasonNameReserved   = "is reserved"
	reasonNameDigits     = "may not be a number"
	reasonNameNumberLike = "may not look like a number"
	reasonNameLookalike  = "looks like an existing name"
)

// NormalizeName returns the form of a requested name that the store
// keeps (PRECIS UsernameCasePreserved: NFC, full- and half-width forms
// mapped), or a client-safe reason it is refused. It applies the rules
// that hold on every deployment; Service adds the reserved words of the
// faces it serves.
func NormalizeName(s string) (string, string) {
	if r := checkText(s, 1, 150); r != "" {
		return "", r
	}
	if r := nameChars(s); r != "" {
		return "", r
	}
	if allDigits(width.Fold.String(s)) {
		return "", reasonNameDigits // before PRECIS, whose Bidi Rule refuses some digits
	}
	out, err := nameProfile.String(s)
	if err != nil {
		if r := outsideClass(s); r != "" {
			return "", r
		}
		if errors.Is(err, bidirule.ErrInvalid) {
			return "", reasonNameBidi
		}
		return "", "is not a valid user name (RFC 8265)"
	}
	if r := checkText(out, 1, 150); r != "" {
		return "", r
	}
	if r := reservedForm(out); r != "" {
		return "", r
	}
	return out, ""
}

// nameChars names the first kind of character in s that a name may not
// hold, before PRECIS runs, so that the reason says which.
func nameChars(s string) string {
	marks := 0
	for i, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == '/':
			return reasonNameSpace
		case invisible(r):
			return reasonNameInvisible
		case !assigned(r) || noncharacter(r) || unicode.Is(unicode.Co, r):
			return reasonNameUnassigned
		case unicode.Is(unicode.M, r) && i == 0:
			return reasonNameMarkFirst
		case unicode.Is(unicode.M, r):
			if marks++; marks > maxStackedMarks {
				return reasonNameMarkStack
			}
			continue
		}
		marks = 0
	}
	return ""
}

// outsideClass names the first character of s, once width-mapped, that
// PRECIS's IdentifierClass does not admit anywhere, for the reason of a
// refusal; characters it admits in context only (Arabic-Indic digits,
// the middle dot of Catalan) are not named.
func outsideClass(s string) string {
	allowed := nameProfile.Allowed()
	for _, r := range width.Fold.String(s) {
		switch {
		case allowed.Contains(r), precisContextual(r):
		case norm.NFKC.String(string(r)) != string(r):
			return fmt.Sprintf("may not contain %s, a compatibility form of %q: write that instead", showRune(r), norm.NFKC.String(string(r)))
		default:
			return fmt.Sprintf("may not contain %s: a name is letters, digits, combining marks and ASCII punctuation", showRune(r))
		}
	}
	return ""
}

// precisContextual reports whether r is one of RFC 5892's CONTEXTO
// characters, which PRECIS admits where their context allows.
func precisContextual(r rune) bool {
	switch {
	case r == 0x00B7, r == 0x0375, r == 0x05F3, r == 0x05F4, r == 0x30FB,
		r >= 0x0660 && r <= 0x0669, r >= 0x06F0 && r <= 0x06F9:
		return true
	}
	return false
}

// allDigits reports whether s is digits only (of any script).
func allDigits(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsDigit(r) })
}

// showRune names a character for a message: its code point, and the
// character itself when it is visible on its own.
func showRune(r rune) string {
	if unicode.IsGraphic(r) && !unicode.Is(unicode.M, r) {
		return fmt.Sprintf("%q (U+%04X)", r, r)
	}
	return fmt.Sprintf("U+%04X", r)
}

// invisible reports whether r draws nothing or steers the direction of
// other text: Unicode's Default_Ignorable_Code_Point (soft hyphen, zero
// width space, joiners, bidi embeddings, overrides, isolates and marks,
// variation selectors, tags) and the Hangul fillers.
func invisible(r rune) bool {
	switch {
	case r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0:
		return true
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r),
		unicode.Is(unicode.Variation_Selector, r),
		unicode.Is(unicode.Bidi_Control, r),
		unicode.Is(unicode.Join_Control, r),
		unicode.Is(unicode.Cf, r):
		return true
	}
	return false
}

// assigned reports whether r has a general category other than Cn.
func assigned(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z,
		unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// noncharacter reports whether r is one of Unicode's 66 noncharacters
// (U+FDD0..U+FDEF and the last two code points of every plane, among them
// U+FFFE and U+FFFF, which XML 1.0 forbids).
func noncharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE
}

// skeleton is the form that look-alike names share: the confusable
// skeleton (Unicode TS #39 §4) of the full case folding (ß → ss) of the
// NFKC form. Two names with one skeleton render alike in common fonts
// (Cyrillic а and Latin a, 1 and l, rn and m).
func skeleton(name string) string {
	return confusables.Skeleton(cases.Fold().String(norm.NFKC.String(name)))
}

// maxSkeletonBytes bounds a stored skeleton: PostgreSQL's B-tree takes
// entries of about 2.7 kB at most, and the skeleton of a 150-character
// Hangul name (each syllable decomposed and mapped) reaches 3 kB.
const maxSkeletonBytes = 512

// NameSkeleton is the key the store keeps unique (name_skeleton): the
// name's skeleton, or for a long one its SHA-256, so that look-alike
// names cannot both exist.
func NameSkeleton(name string) string {
	sk := skeleton(name)
	if len(sk) > maxSkeletonBytes {
		sum := sha256.Sum256([]byte(sk))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	return sk
}

var (
	deletedPrefix = skeleton("user_")
	// digitSkeletons are the skeletons of 0…9 (0 → O, 1 → l).
	digitSkeletons = skeleton("0123456789")
)

// numberLike reports whether a skeleton is that of a string of digits.
func numberLike(skel string) bool {
	return skel != "" && strings.Trim(skel, digitSkeletons) == ""
}

// CoreReservedNames are refused on every deployment: words that stand
// for the caller in routes (/users/me, pronouns.cc's @me).
var CoreReservedNames = []string{"me", "@me"}

// CoreFormats are the format extensions every face's router splits off a
// path's last segment (users/x.json), so a name ending in one could not
// be shown by name.
var CoreFormats = []string{"json", "xml", "js", "html", "htm", "atom", "rss", "csv", "txt"}

// reservedForm names what makes a normalized name reserved on every
// deployment: all digits (ids), look-alikes of numbers and of the
// user_<digits> names deletion gives, the core's words and formats.
func reservedForm(name string) string {
	if reservedName.MatchString(name) {
		return reasonNameReserved
	}
	if allDigits(name) {
		return reasonNameDigits
	}
	skel := skeleton(name)
	if numberLike(skel) {
		return reasonNameNumberLike
	}
	if rest, ok := strings.CutPrefix(skel, deletedPrefix); ok && numberLike(rest) {
		return reasonNameReserved
	}
	return reservedWord(skel, coreWords)
}

// wordSet is a set of reserved words and format extensions by skeleton.
type wordSet struct {
	words   map[string]bool
	formats map[string]string // skeleton of ".ext" → ext
}

func newWordSet(words, formats []string) wordSet {
	ws := wordSet{words: map[string]bool{}, formats: map[string]string{}}
	ws.add(words, formats)
	return ws
}

func (ws wordSet) add(words, formats []string) {
	for _, w := range words {
		ws.words[skeleton(w)] = true
	}
	for _, f := range formats {
		ws.formats[skeleton("."+f)] = f
	}
}

var coreWords = newWordSet(CoreReservedNames, CoreFormats)

// reservedWord names why a name with skeleton skel is one of ws's words
// or ends in one of its formats, or "".
func reservedWord(skel string, ws wordSet) string {
	if ws.words[skel] {
		return reasonNameReserved
	}
	for suffix, ext := range ws.formats {
		if strings.HasSuffix(skel, suffix) {
			return "may not end in ." + ext + ", which routes read as a format"
		}
	}
	return ""
}

// IsDeletionName reports whether name has the form user_<digits> that
// the core gives accounts a face's deletion renames.
func IsDeletionName(name string) bool { return reservedName.MatchString(name) }

// CheckName applies the name rule that holds on every deployment (see
// NormalizeName) and returns a client-safe reason, or "".
func CheckName(s string) string {
	_, r := NormalizeName(s)
	return r
}

// nameRules holds the reserved words and formats of every profile the
// service has been bound to: a user made on one face shows on all.
type nameRules struct {
	mu       sync.RWMutex
	profiles []*Profile
	set      wordSet
}

// bind adds a profile's reserved words.
func (n *nameRules) bind(p *Profile) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if slices.Contains(n.profiles, p) {
		return
	}
	if n.set.words == nil {
		n.set = newWordSet(NativeProfile.ReservedNames, NativeProfile.Formats)
	}
	n.profiles = append(n.profiles, p)
	n.set.add(p.ReservedNames, p.Formats)
}

// reserved names why a normalized name is a reserved word or ends in a
// format of a bound profile (the native API's always), or "".
func (n *nameRules) reserved(name string) string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	set := n.set
	if set.words == nil {
		set = newWordSet(NativeProfile.ReservedNames, NativeProfile.Formats)
	}
	return reservedWord(skeleton(name), set)
}

// nameProblem applies the whole name rule for this service to a
// requested name: NormalizeName, then the reserved words and formats of
// every face bound to it.
func (s *Service) nameProblem(name string) string {
	out, r := NormalizeName(name)
	if r != "" {
		return r
	}
	return s.names.reserved(out)
}

// checkRename adds the service's reserved words to the checks of a
// rename in p (the field registry has applied NormalizeName already).
func (s *Service) checkRename(p Patch, probs problems) {
	if name, ok := p["name"].(string); ok {
		if r := s.nameProblem(name); r != "" {
			probs.add("name", r)
		}
	}
}

// setName writes a name, its folded key and its skeleton into p. The name
// is normalized where the profile takes it; names the core gives itself
// (user_<id> on deletion) are stored as they are.
func setName(p Patch, name string) {
	if n, err := nameProfile.String(name); err == nil {
		name = n
	}
	p["name"], p["name_key"], p["name_skeleton"] = name, Fold(name), NameSkeleton(name)
}

// dropName takes a name out of p again.
func dropName(p Patch) {
	delete(p, "name")
	delete(p, "name_key")
	delete(p, "name_skeleton")
}

// nameConflict turns a store conflict on the name written in p, or on its
// skeleton, into the error a taken name gets on every face (409,
// name_taken), and returns other errors as they are. The database may
// report either index of a name that is taken outright; that one is
// "already taken", a mere look-alike "looks like an existing name".
func (s *Service) nameConflict(ctx context.Context, err error, p Patch) error {
	var e *Error
	if !errors.As(err, &e) || e.Code != Conflict {
		return err
	}
	switch {
	case e.Fields["name"] != "":
		return nameTaken()
	case e.Fields["name_skeleton"] != "":
		if key, ok := p["name_key"].(string); ok {
			if _, ferr := s.store.FindUserByNameKey(ctx, key); ferr == nil {
				return nameTaken()
			}
		}
		return &Error{Code: Conflict, Reason: ReasonNameTaken, Message: "Name looks like an existing name.",
			Fields: map[string]string{"name": reasonNameLookalike}}
	}
	return err
}

// isSkeletonConflict reports whether err is a conflict on the skeleton
// alone.
func isSkeletonConflict(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == Conflict && e.Fields["name_skeleton"] != ""
}

// findUserByName looks a user up by name in any case and, failing that,
// by the name's normalized form: names are stored normalized, so a
// decomposed or full-width spelling finds its user, while rows older
// than the rule are still found as stored.
func findUserByName(ctx context.Context, st Store, name string) (*User, error) {
	u, err := st.FindUserByNameKey(ctx, Fold(name))
	if ErrorCode(err) == NotFound {
		if n, nerr := nameProfile.String(name); nerr == nil && n != name {
			return st.FindUserByNameKey(ctx, Fold(n))
		}
	}
	return u, err
}
