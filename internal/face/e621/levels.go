package e621

import (
	"fmt"
	"slices"

	"usersd/internal/core"
	"usersd/internal/query"
)

// LevelTable chooses the e621ng level numbers the face renders and filters
// by (spec/e621.md B.4). e621ng renumbered its levels in June 2026; most
// clients still expect the classic numbers.
type LevelTable int

// Level tables.
const (
	// TableClassic is e621ng's numbering of 2019 to May 2026: Privileged 30,
	// Former Staff 34, Janitor 35, Moderator 40, Admin 50.
	TableClassic LevelTable = iota
	// Table2026 is the numbering since June 2026: Former Staff 40, Staff 50,
	// Janitor 60, Moderator 70, Admin 80.
	Table2026
)

// DefaultLevelTable is the table an Options without Levels serves.
const DefaultLevelTable = TableClassic

// ParseLevelTable reads a table's name as the --e621-levels flag gives
// it: "classic" or "2026".
func ParseLevelTable(s string) (LevelTable, error) {
	switch s {
	case "classic":
		return TableClassic, nil
	case "2026":
		return Table2026, nil
	}
	return 0, fmt.Errorf("e621 level table %q: want classic or 2026", s)
}

// blocked is e621's level of banned users, in every table. The canonical
// banned flag wins over the level (spec/fields.md §3.0.3).
const blocked = 10

// levelRows is spec/fields.md §3.0.3: how each canonical level (Danbooru's
// scale) renders in the legacy v1 API and in the two e621ng tables.
// Nothing renders as legacy 34 (Former Staff), classic 34 (Former Staff),
// or 2026 40 (Former Staff) and 50 (Staff); filters on those match nothing.
var levelRows = [...]struct{ canonical, legacy, classic, y2026 int }{
	{core.LevelRestricted, 0, 20, 20}, // unverified: Member with is_verified false on e621ng
	{core.LevelMember, 20, 20, 20},
	{core.LevelGold, 30, 30, 30},
	{core.LevelPlatinum, 30, 30, 30},
	{core.LevelBuilder, 33, 30, 30},
	{core.LevelContributor, 33, 30, 30},
	{core.LevelApprover, 35, 35, 60},
	{core.LevelModerator, 40, 40, 70},
	{core.LevelAdmin, 50, 50, 80},
	{core.LevelOwner, 50, 50, 80},
}

// levelNames are each table's level_string values; a number missing here
// renders as "" (e621ng User.level_string).
var (
	legacyNames = map[int]string{0: "Unactivated", 10: "Blocked", 20: "Member", 30: "Privileged", 33: "Contributor",
		34: "Former Staff", 35: "Janitor", 40: "Mod", 50: "Admin"}
	classicNames = map[int]string{0: "Anonymous", 10: "Blocked", 20: "Member", 30: "Privileged", 34: "Former Staff",
		35: "Janitor", 40: "Moderator", 50: "Admin"}
	names2026 = map[int]string{0: "Anonymous", 10: "Blocked", 20: "Member", 30: "Privileged", 40: "Former Staff",
		50: "Staff", 60: "Janitor", 70: "Moderator", 80: "Admin"}
)

// levels is one e621 level table: how canonical levels render, and how a
// condition on the rendered number compiles into a filter.
type levels struct {
	column func(canonical int) (int, bool)
	names  map[int]string
}

func tableColumn(pick func(legacy, classic, y2026 int) int) func(int) (int, bool) {
	return func(canonical int) (int, bool) {
		for _, r := range levelRows {
			if r.canonical == canonical {
				return pick(r.legacy, r.classic, r.y2026), true
			}
		}
		return 0, false
	}
}

var (
	legacyLevels  = levels{tableColumn(func(l, _, _ int) int { return l }), legacyNames}
	classicLevels = levels{tableColumn(func(_, c, _ int) int { return c }), classicNames}
	levels2026    = levels{tableColumn(func(_, _, y int) int { return y }), names2026}
)

func levelsOf(t LevelTable) levels {
	if t == Table2026 {
		return levels2026
	}
	return classicLevels
}

// render returns the e621 level of u. A canonical level outside the table
// (never stored) renders as Member.
func (l levels) render(u *core.User) int {
	if u.Banned {
		return blocked
	}
	if n, ok := l.column(u.Level); ok {
		return n
	}
	n, _ := l.column(core.LevelMember)
	return n
}

// name is the level_string of an e621 level number; "" when unmapped.
func (l levels) name(n int) string { return l.names[n] }

// filter compiles a predicate on the rendered level into a filter on the
// canonical fields: (banned AND p(10)) OR (NOT banned AND level IN {L :
// p(render(L))}) over the ten canonical levels (spec/fields.md §3.0.3).
// A predicate nothing satisfies compiles to an empty Or, which matches no
// row.
func (l levels) filter(p func(int) bool) query.Expr {
	var in []any
	for _, r := range levelRows {
		if n, _ := l.column(r.canonical); p(n) {
			in = append(in, int64(r.canonical))
		}
	}
	or := query.Or{}
	if p(blocked) {
		or = append(or, &query.Cond{Field: "banned", Op: query.Eq, Value: true})
	}
	switch {
	case len(in) == len(levelRows):
		or = append(or, &query.Cond{Field: "banned", Op: query.Eq, Value: false})
	case len(in) > 0:
		or = append(or, query.And{
			&query.Cond{Field: "banned", Op: query.Eq, Value: false},
			&query.Cond{Field: "level", Op: query.In, Values: in},
		})
	}
	if len(or) == 2 && slices.ContainsFunc(or, isBannedFalse) && len(in) == len(levelRows) {
		return nil // every user matches
	}
	if len(or) == 1 {
		return or[0]
	}
	return or
}

func isBannedFalse(e query.Expr) bool {
	c, ok := e.(*query.Cond)
	return ok && c.Field == "banned" && c.Value == false
}
