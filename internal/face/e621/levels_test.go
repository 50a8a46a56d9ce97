package e621

import (
	"testing"

	"usersd/internal/core"
	"usersd/internal/query"
)

func TestLevelRender(t *testing.T) {
	tests := []struct {
		canonical              int
		banned                 bool
		legacy, classic, y2026 int
		classicName, name2026  string
	}{
		{10, false, 0, 20, 20, "Member", "Member"},
		{20, false, 20, 20, 20, "Member", "Member"},
		{30, false, 30, 30, 30, "Privileged", "Privileged"},
		{31, false, 30, 30, 30, "Privileged", "Privileged"},
		{32, false, 33, 30, 30, "Privileged", "Privileged"},
		{35, false, 33, 30, 30, "Privileged", "Privileged"},
		{37, false, 35, 35, 60, "Janitor", "Janitor"},
		{40, false, 40, 40, 70, "Moderator", "Moderator"},
		{50, false, 50, 50, 80, "Admin", "Admin"},
		{60, false, 50, 50, 80, "Admin", "Admin"},
		{50, true, 10, 10, 10, "Blocked", "Blocked"}, // banned wins over the level
		{20, true, 10, 10, 10, "Blocked", "Blocked"},
	}
	for _, tt := range tests {
		u := &core.User{Level: tt.canonical, Banned: tt.banned}
		if got := legacyLevels.render(u); got != tt.legacy {
			t.Errorf("legacy(%d, banned %v) = %d, want %d", tt.canonical, tt.banned, got, tt.legacy)
		}
		if got := classicLevels.render(u); got != tt.classic || classicLevels.name(got) != tt.classicName {
			t.Errorf("classic(%d, banned %v) = %d %q, want %d %q", tt.canonical, tt.banned, got, classicLevels.name(got), tt.classic, tt.classicName)
		}
		if got := levels2026.render(u); got != tt.y2026 || levels2026.name(got) != tt.name2026 {
			t.Errorf("2026(%d, banned %v) = %d %q, want %d %q", tt.canonical, tt.banned, got, levels2026.name(got), tt.y2026, tt.name2026)
		}
	}
	// level_string is "" for a number the table lacks (Part D 23).
	for _, n := range []int{33, 60, 80} {
		if got := classicLevels.name(n); got != "" {
			t.Errorf("classic name(%d) = %q, want \"\"", n, got)
		}
	}
	if got := levels2026.name(35); got != "" {
		t.Errorf("2026 name(35) = %q", got)
	}
	if levelsOf(Table2026).render(&core.User{Level: 40}) != 70 || levelsOf(TableClassic).render(&core.User{Level: 40}) != 40 {
		t.Error("levelsOf picks the wrong table")
	}
	if DefaultLevelTable != TableClassic {
		t.Error("the default table must be classic")
	}
}

// TestLevelFilter: a filter on the rendered e621 level compiles to
// (banned AND p(10)) OR (NOT banned AND level IN {L : p(render(L))}).
func TestLevelFilter(t *testing.T) {
	eq := func(n int) func(int) bool { return func(l int) bool { return l == n } }
	ge := func(n int) func(int) bool { return func(l int) bool { return l >= n } }
	tests := []struct {
		name string
		l    levels
		p    func(int) bool
		want string
	}{
		{"legacy 0 (unactivated)", legacyLevels, eq(0), "banned = false && level in (10)"},
		{"legacy 33 (contributor)", legacyLevels, eq(33), "banned = false && level in (32, 35)"},
		{"legacy 34 (nothing)", legacyLevels, eq(34), ""},
		{"legacy 10 (blocked)", legacyLevels, eq(10), "banned = true"},
		{"classic 20", classicLevels, eq(20), "banned = false && level in (10, 20)"},
		{"classic 30", classicLevels, eq(30), "banned = false && level in (30, 31, 32, 35)"},
		{"classic >= 30", classicLevels, ge(30), "banned = false && level in (30, 31, 32, 35, 37, 40, 50, 60)"},
		{"classic >= 10 (everyone: no filter)", classicLevels, ge(10), ""},
		{"classic >= 0", classicLevels, ge(0), ""},
		{"classic >= 20", classicLevels, ge(20), "banned = false"},
		{"2026 70", levels2026, eq(70), "banned = false && level in (40)"},
		{"2026 >= 60", levels2026, ge(60), "banned = false && level in (37, 40, 50, 60)"},
		{"2026 50 (staff: nothing)", levels2026, eq(50), ""},
		{"2026 <= 10", levels2026, func(l int) bool { return l <= 10 }, "banned = true"},
	}
	for _, tt := range tests {
		if got := query.String(tt.l.filter(tt.p)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	if f := classicLevels.filter(eq(34)); f == nil {
		t.Error("a level nothing renders must match nothing, not everything")
	}
	if f := classicLevels.filter(ge(0)); f != nil {
		t.Errorf("every level: %#v, want no filter", f)
	}
}

func TestAPILimits(t *testing.T) {
	tests := []struct {
		u     core.User
		burst int64
		slots int64
	}{
		{core.User{Level: 20, BaseUploadLimit: 10}, 60, 10},
		{core.User{Level: 30, BaseUploadLimit: 10, PostActiveCount: 25, PostDeletedCount: 9}, 90, 10},
		{core.User{Level: 37, BaseUploadLimit: 10, PostActiveCount: 1000}, 120, 50},
		{core.User{Level: 50, Banned: true, BaseUploadLimit: 1, PostDeletedCount: 40}, 60, 0},
	}
	for _, tt := range tests {
		if got := apiBurstLimit(&tt.u); got != tt.burst {
			t.Errorf("apiBurstLimit(%+v) = %d, want %d", tt.u, got, tt.burst)
		}
		if got := uploadSlots(&tt.u); got != tt.slots {
			t.Errorf("uploadSlots(%+v) = %d, want %d", tt.u, got, tt.slots)
		}
	}
}
