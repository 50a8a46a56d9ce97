package main

import (
	"bufio"
	"context"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
	"unicode/utf8"

	"usersd/internal/core"
)

// The generated users: line 0 is the bench's admin (AdminName, level 50),
// whose token run uses for the DRF face's staff-only reads; lines 1..N-1
// are ordinary users. Every user has the password BenchPassword, stored
// as one argon2id hash computed once, so seeding hashes nothing.
const (
	AdminName     = "bench_admin"
	BenchPassword = "bench-password-0"
)

// genConfig is what gen makes.
type genConfig struct {
	users int
	seed  uint64
	hash  string // the password hash every user shares
}

// newGenConfig computes the shared hash with the core's parameters, so
// that a login verifies it without a rehash.
func newGenConfig(users int, seed uint64) (genConfig, error) {
	h, err := core.NewHasher(core.DefaultArgon2).Hash(context.Background(), BenchPassword)
	return genConfig{users: users, seed: seed, hash: h}, err
}

// generate writes c.users users as JSONL in the native API's user
// representation, the import format. Each line depends on the seed and
// its index alone, so memory stays flat and a line can be made again
// without the ones before it.
func generate(w io.Writer, c genConfig) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	var buf []byte
	for i := range c.users {
		buf = appendUser(buf[:0], c, i)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Time span of sign-ups: sign-ups grow over the years, so created_at
// follows t = span·sqrt(i/N) (density rising linearly), in line order as
// ids are.
var (
	genEpoch = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	genSpan  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Sub(genEpoch)
)

// appendUser appends user i's line.
func appendUser(b []byte, c genConfig, i int) []byte {
	rng := rand.New(rand.NewPCG(c.seed, uint64(i)))
	name, latin := genName(rng, i)
	level := genLevel(rng)
	if i == 0 {
		name, latin, level = AdminName, "bench.admin", core.LevelAdmin
	}
	b = append(b, `{"name":`...)
	b = appendString(b, name)
	if rng.IntN(100) < 20 {
		b = append(b, `,"display_name":`...)
		b = appendString(b, capitalize(name[:cutAt(name, '_')]))
	}
	if i == 0 || rng.IntN(100) < 88 {
		b = append(b, `,"email":`...)
		b = appendString(b, latin+"."+strconv.FormatInt(int64(i), 36)+"@"+domains[rng.IntN(len(domains))])
	}
	if rng.IntN(100) < 30 {
		b = append(b, `,"first_name":`...)
		b = appendString(b, firstNames[rng.IntN(len(firstNames))])
		b = append(b, `,"last_name":`...)
		b = appendString(b, lastNames[rng.IntN(len(lastNames))])
	}
	b = append(b, `,"level":`...)
	b = strconv.AppendInt(b, int64(level), 10)
	frac := math.Sqrt((float64(i) + rng.Float64()) / float64(max(c.users, 1)))
	created := genEpoch.Add(time.Duration(frac * float64(genSpan))).Truncate(time.Microsecond)
	b = append(b, `,"created_at":"`...)
	b = created.AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
	b = append(b, `","password_hash":`...)
	b = appendString(b, c.hash)

	b = append(b, `,"profile":{"language":`...)
	b = appendString(b, languages[rng.IntN(len(languages))])
	if rng.IntN(100) < 35 {
		b = append(b, `,"bio":`...)
		b = appendString(b, genBio(rng))
	}
	if rng.IntN(100) < 30 {
		b = append(b, `,"timezone":`...)
		b = appendString(b, timezones[rng.IntN(len(timezones))])
	}
	if rng.IntN(100) < 10 {
		b = append(b, `,"links":[`...)
		b = appendString(b, "https://example.com/~"+latin)
		b = append(b, ']')
	}
	if rng.IntN(100) < 8 {
		b = append(b, `,"pronouns":[{"pronouns":`...)
		b = appendString(b, pronounSets[rng.IntN(len(pronounSets))])
		b = append(b, `,"display_text":null,"status":"favourite"}]`...)
	}
	b = append(b, `},"settings":{"theme":`...)
	b = appendString(b, themes[rng.IntN(len(themes))])
	b = append(b, `,"per_page":`...)
	b = strconv.AppendInt(b, int64(perPages[rng.IntN(len(perPages))]), 10)

	// Activity is heavy-tailed: most users never post, a few post a lot.
	b = append(b, `},"counters":{`...)
	active := rng.IntN(100) < 25
	for k, f := range counterFields {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, f.name...)
		b = append(b, `":`...)
		n := 0
		if active {
			n = int(rng.ExpFloat64() * f.mean)
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return append(b, "}}\n"...)
}

// counterFields are the counters gen fills, with the mean of an active
// user's count.
var counterFields = []struct {
	name string
	mean float64
}{
	{"post_upload_count", 120}, {"post_update_count", 400}, {"note_update_count", 10}, {"favorite_count", 900},
	{"comment_count", 40}, {"forum_post_count", 15}, {"wiki_page_version_count", 3},
}

// genLevel draws a level: nearly all members, a few of each higher
// level, very few staff.
func genLevel(rng *rand.Rand) int {
	switch x := rng.IntN(10000); {
	case x < 100:
		return core.LevelRestricted
	case x < 9000:
		return core.LevelMember
	case x < 9500:
		return core.LevelGold
	case x < 9750:
		return core.LevelPlatinum
	case x < 9850:
		return core.LevelBuilder
	case x < 9920:
		return core.LevelContributor
	case x < 9960:
		return core.LevelApprover
	case x < 9990:
		return core.LevelModerator
	}
	return core.LevelAdmin
}

// genName returns user i's name and an ASCII stem for the e-mail. The name
// is a stem in one script (mostly Latin; some Cyrillic, CJK, Greek) then
// "_" and i written in the digits 2-9: no stem holds "_" in its last
// word's place or those digits' skeletons, so the part after the last
// "_" is i's alone, and no two names (nor their confusable skeletons)
// collide, without remembering the names made.
func genName(rng *rand.Rand, i int) (string, string) {
	var stem []byte
	latin := latinWord(rng, 1+rng.IntN(3))
	switch x := rng.IntN(100); {
	case x < 78:
		stem = append(stem, latin...)
		if rng.IntN(100) < 25 {
			stem = append(stem, "_-."[rng.IntN(3)])
			stem = append(stem, latinWord(rng, 1+rng.IntN(3))...)
		}
		if rng.IntN(100) < 30 {
			stem = []byte(capitalize(string(stem)))
		}
		if rng.IntN(100) < 15 {
			stem = strconv.AppendInt(stem, int64(rng.IntN(100)), 10)
		}
	case x < 86:
		stem = syllables(stem, rng, cyrillicSyllables, 1+rng.IntN(4))
		if rng.IntN(100) < 50 {
			stem = []byte(capitalize(string(stem)))
		}
	case x < 94:
		for range 1 + rng.IntN(4) {
			stem = utf8.AppendRune(stem, cjk[rng.IntN(len(cjk))])
		}
	default:
		stem = syllables(stem, rng, greekSyllables, 1+rng.IntN(4))
	}
	stem = append(stem, '_')
	// i in base 8 with the digits 2-9: 0 and 1 look like O and l.
	var d [24]byte
	k := len(d)
	for n := i; ; n /= 8 {
		k--
		d[k] = byte('2' + n%8)
		if n < 8 {
			break
		}
	}
	return string(append(stem, d[k:]...)), latin
}

func latinWord(rng *rand.Rand, n int) string {
	return string(syllables(nil, rng, latinSyllables, n))
}

func syllables(b []byte, rng *rand.Rand, from []string, n int) []byte {
	for range n {
		b = append(b, from[rng.IntN(len(from))]...)
	}
	return b
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(upperOf(r)) + s[size:]
}

func upperOf(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z':
		return r - 32
	case r >= 'а' && r <= 'я':
		return r - 32
	}
	return r
}

// cutAt is the index of the last sep in s, or len(s).
func cutAt(s string, sep byte) int {
	for i := len(s) - 1; i > 0; i-- {
		if s[i] == sep {
			return i
		}
	}
	return len(s)
}

// genBio is a bio of 1 to 40 words.
func genBio(rng *rand.Rand) string {
	var b []byte
	for k := range 1 + int(rng.ExpFloat64()*10)%40 {
		if k > 0 {
			b = append(b, ' ')
		}
		b = append(b, bioWords[rng.IntN(len(bioWords))]...)
	}
	return string(b)
}

// appendString appends s as a JSON string. Generated text holds no
// control characters, so only '"' and '\' need escaping.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := range len(s) {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

var (
	latinSyllables = []string{"ka", "ri", "to", "mi", "an", "el", "or", "sa", "ne", "lu", "da", "ve", "ko", "ji", "ra", "ni",
		"shi", "tha", "mar", "len", "ro", "be", "ty", "lo", "wolf", "fox", "sky", "dra", "kon", "zu", "pi", "xe"}
	cyrillicSyllables = []string{"ка", "ри", "то", "ми", "ан", "ел", "ор", "ва", "на", "де", "ль", "ся", "жи", "бо", "ше", "юр", "ид", "ым"}
	greekSyllables    = []string{"κα", "λι", "το", "με", "ρο", "σα", "νι", "ου", "γε", "φι", "θε", "ψυ", "δη", "ωμ"}
	cjk               = []rune("山田太郎花子中村小林佐藤鈴木高橋伊渡辺陽翔結愛蓮大和美咲王李张刘陈杨黄赵周吴さくらはるかゆうきみなと")
	domains           = []string{"example.com", "example.org", "example.net", "mail.example.com", "users.example.org"}
	firstNames        = []string{"Anna", "Ben", "Chloé", "Dmitri", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Katya", "Liam", "Mei", "Nora", "Omar", "Priya"}
	lastNames         = []string{"Smith", "Müller", "Ivanova", "Tanaka", "García", "Rossi", "Kowalski", "Nguyen", "Dubois", "O'Brien", "Silva", "Kim"}
	languages         = []string{"", "", "", "en-us", "en-us", "en-gb", "de", "fr", "ja", "ru", "pt-br", "es", "zh-hans"}
	timezones         = []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/Moscow", "America/Sao_Paulo", "Australia/Sydney", "Europe/London"}
	pronounSets       = []string{"she/her", "he/him", "they/them", "it/its"}
	themes            = []string{"auto", "auto", "auto", "light", "dark"}
	perPages          = []int{20, 20, 20, 20, 40, 75, 100}
	bioWords          = []string{"artist", "hello", "I", "draw", "mostly", "landscapes", "and", "cats", "commissions", "open", "—", "Привет", "日本語", "ok", "see", "my", "gallery", "links", "below", "he/him", "she/her", "they/them", "tags", "welcome"}
)
