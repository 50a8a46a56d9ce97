package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"usersd/internal/core"
	"usersd/internal/face/danbooru"
	"usersd/internal/face/drf"
	"usersd/internal/face/e621"
	"usersd/internal/face/pronouns"
	"usersd/internal/face/reviewboard"
)

// testGen is a generator with a fixed stand-in hash, so that tests do not
// pay for argon2id.
func testGen(users int, seed uint64) genConfig {
	return genConfig{users: users, seed: seed, hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}
}

func TestGenDeterministic(t *testing.T) {
	gen := func(c genConfig) []byte {
		var b bytes.Buffer
		if err := generate(&b, c); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b := gen(testGen(3000, 1)), gen(testGen(3000, 1))
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with one seed differ")
	}
	if bytes.Equal(a, gen(testGen(3000, 2))) {
		t.Fatal("seeds 1 and 2 give the same users")
	}
	// A line depends on its index alone: line 1234 made by itself is the
	// streamed one. (The count enters created_at, so it stays 3000.)
	lines := bytes.SplitAfter(a, []byte("\n"))
	if got := appendUser(nil, testGen(3000, 1), 1234); !bytes.Equal(got, lines[1234]) {
		t.Errorf("line 1234 alone:\n%s\nstreamed:\n%s", got, lines[1234])
	}
	if n := bytes.Count(a, []byte("\n")); n != 3000 {
		t.Errorf("%d lines, want 3000", n)
	}
}

// genUser is the part of a line the checks read.
type genUser struct {
	Name      string `json:"name"`
	Email     string `json:"email"`
	Level     int    `json:"level"`
	CreatedAt string `json:"created_at"`
	Hash      string `json:"password_hash"`
}

// TestGenValid checks every name with the core's name rule and the
// reserved words of every face, and that names, their confusable
// skeletons and e-mails are unique, over enough users to meet every
// script and shape gen makes.
func TestGenValid(t *testing.T) {
	const n = 40000
	var out bytes.Buffer
	if err := generate(&out, testGen(n, 3)); err != nil {
		t.Fatal(err)
	}
	var reserved []string
	for _, p := range []*core.Profile{core.NativeProfile, danbooru.Profile, e621.Profile, pronouns.Profile, reviewboard.Profile, drf.Profile} {
		reserved = append(reserved, p.ReservedNames...)
	}
	reservedSkel := map[string]bool{}
	for _, w := range append(reserved, core.CoreReservedNames...) {
		reservedSkel[core.NameSkeleton(w)] = true
	}
	levels := map[int]bool{10: true, 20: true, 30: true, 31: true, 32: true, 35: true, 37: true, 40: true, 50: true, 60: true}
	names, skels, emails := map[string]int{}, map[string]int{}, map[string]int{}
	scripts := map[string]int{}
	byLevel := map[int]int{}
	lastCreated := ""
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		var u genUser
		if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, sc.Bytes())
		}
		if norm, reason := core.NormalizeName(u.Name); reason != "" || norm != u.Name {
			t.Errorf("line %d: name %q: %q (normalized %q)", i+1, u.Name, reason, norm)
		}
		skel := core.NameSkeleton(u.Name)
		if reservedSkel[skel] {
			t.Errorf("line %d: name %q is a reserved word", i+1, u.Name)
		}
		for _, f := range core.CoreFormats {
			if strings.HasSuffix(strings.ToLower(u.Name), "."+f) {
				t.Errorf("line %d: name %q ends in a format", i+1, u.Name)
			}
		}
		if j, dup := names[core.Fold(u.Name)]; dup {
			t.Errorf("lines %d and %d: name %q twice", j, i+1, u.Name)
		}
		if j, dup := skels[skel]; dup {
			t.Errorf("lines %d and %d: names look alike (%q)", j, i+1, u.Name)
		}
		names[core.Fold(u.Name)], skels[skel] = i+1, i+1
		if u.Email != "" {
			if j, dup := emails[strings.ToLower(u.Email)]; dup || !strings.Contains(u.Email, "@") {
				t.Errorf("lines %d and %d: e-mail %q", j, i+1, u.Email)
			}
			emails[strings.ToLower(u.Email)] = i + 1
		}
		if !levels[u.Level] {
			t.Errorf("line %d: level %d", i+1, u.Level)
		}
		byLevel[u.Level]++
		if u.CreatedAt < lastCreated && i > 1 {
			t.Errorf("line %d: created_at %s before the previous line's %s", i+1, u.CreatedAt, lastCreated)
		}
		lastCreated = u.CreatedAt
		if !strings.HasPrefix(u.Hash, "$argon2id$") {
			t.Errorf("line %d: hash %q", i+1, u.Hash)
		}
		scripts[scriptOf(u.Name[:cutAt(u.Name, '_')])]++
	}
	if len(names) != n {
		t.Fatalf("%d names, want %d", len(names), n)
	}
	if names[core.Fold(AdminName)] != 1 || byLevel[core.LevelAdmin] < 1 {
		t.Errorf("line 1 is not %s at level 50", AdminName)
	}
	// Mostly Latin; some of every other script; mostly members, few staff.
	if scripts["Latin"] < n*7/10 {
		t.Errorf("Latin names: %d of %d", scripts["Latin"], n)
	}
	for _, s := range []string{"Cyrillic", "Greek", "CJK"} {
		if scripts[s] < n/50 {
			t.Errorf("%s names: %d of %d", s, scripts[s], n)
		}
	}
	if byLevel[20] < n*8/10 || byLevel[40]+byLevel[50] > n/50 || byLevel[40] == 0 {
		t.Errorf("levels: %v", byLevel)
	}
	if lastCreated < "2026" {
		t.Errorf("the newest user signed up at %s, want 2026", lastCreated)
	}
	t.Logf("scripts %v, levels %v", scripts, byLevel)
}

// scriptOf names the script of a name's stem by its first letter.
func scriptOf(s string) string {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r):
			return "Latin"
		case unicode.Is(unicode.Cyrillic, r):
			return "Cyrillic"
		case unicode.Is(unicode.Greek, r):
			return "Greek"
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			return "CJK"
		}
	}
	return "other"
}

func BenchmarkGen(b *testing.B) {
	c := testGen(b.N, 1)
	var buf []byte
	for i := range b.N {
		buf = appendUser(buf[:0], c, i)
	}
	b.SetBytes(int64(len(buf)))
}
