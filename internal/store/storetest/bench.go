package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rs/xid"

	"usersd/internal/core"
	"usersd/internal/query"
	"usersd/internal/store/sqlstore"
)

// BenchUsers is the table size the read benchmarks run against.
const BenchUsers = 100_000

// Seeded is one user written by Seed.
type Seeded struct {
	ID      int64
	NameKey string
	Level   int64
}

// seedLevels weights the level column like a real user base: mostly
// members, few staff, so ordering by level has long runs of ties.
var seedLevels = []int64{10, 20, 20, 20, 20, 20, 20, 30, 31, 32, 35, 37, 40, 50, 60}

// seedRows is the rows per INSERT: 900 bind parameters, under every
// engine's limit.
const seedRows = 100

// Seed inserts n users named user%06d_<4 random letters> straight through
// db's write pool, bypassing CreateUser (one round trip and re-read per
// user) so that 100,000 rows take seconds. The triggers and indexes of the
// schema are maintained as for any insert. It returns the users in id order.
func Seed(tb testing.TB, db *sqlstore.DB, n int) []Seeded {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	const cols = 10
	for lo := 0; lo < n; {
		tx, err := db.W.BeginTx(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		// Commit every 100 statements: big enough to amortise the commit,
		// small enough not to build one huge transaction on PostgreSQL.
		for range 100 {
			if lo >= n {
				break
			}
			hi := min(lo+seedRows, n)
			var sb strings.Builder
			args := make([]any, 0, (hi-lo)*cols)
			sb.WriteString("INSERT INTO users (xid, sid, name, name_key, name_skeleton, level, post_upload_count, created_at, updated_at, last_sid_reroll_at) VALUES ")
			for i := lo; i < hi; i++ {
				if i > lo {
					sb.WriteString(", ")
				}
				sb.WriteString("(")
				for c := range cols {
					if c > 0 {
						sb.WriteString(", ")
					}
					sb.WriteString(db.F.Placeholder(len(args) + c + 1))
				}
				sb.WriteString(")")
				at := base.Add(time.Duration(i) * time.Minute)
				name := fmt.Sprintf("user%06d_%s", i, randLetters(rng, 4))
				args = append(args, xid.NewWithTime(at).String(), sid(i), name, core.Fold(name), core.NameSkeleton(name),
					seedLevels[rng.IntN(len(seedLevels))], int64(rng.IntN(500)),
					db.F.EncodeTime(at), db.F.EncodeTime(at), db.F.EncodeTime(at))
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				tx.Rollback()
				tb.Fatalf("seed users %d..%d: %v", lo, hi, err)
			}
			lo = hi
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
	// Bring PostgreSQL to the steady state autovacuum keeps: statistics for
	// the planner, and the GIN pending list merged (a bulk load leaves up to
	// gin_pending_list_limit of unsorted entries that every trigram search
	// reads linearly). The SQLite store never runs ANALYZE, so it is
	// measured as shipped.
	if db.F.Name == "postgres" {
		if _, err := db.W.ExecContext(ctx, "VACUUM ANALYZE users"); err != nil {
			tb.Fatal(err)
		}
	}
	rows, err := db.R.QueryContext(ctx, "SELECT id, name_key, level FROM users ORDER BY id")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := make([]Seeded, 0, n)
	for rows.Next() {
		var s Seeded
		if err := rows.Scan(&s.ID, &s.NameKey, &s.Level); err != nil {
			tb.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) != n {
		tb.Fatalf("seeded %d users, want %d", len(out), n)
	}
	tb.Logf("seeded %d users in %v", n, time.Since(start).Round(time.Millisecond))
	return out
}

func randLetters(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

// sid spells i in base 26 over a-z: unique for i < 26^5.
func sid(i int) string {
	b := make([]byte, 5)
	for k := 4; k >= 0; k, i = k-1, i/26 {
		b[k] = byte('a' + i%26)
	}
	return string(b)
}

// NameSubstring returns a random 3-letter substring of the random suffix
// of a seeded name: it matches a handful of rows, unlike the "user" prefix
// every name shares.
func NameSubstring(rng *rand.Rand, users []Seeded) string {
	for {
		k := users[rng.IntN(len(users))].NameKey
		suffix := k[strings.IndexByte(k, '_')+1:]
		s := suffix[rng.IntN(len(suffix)-2):][:3]
		if !strings.Contains("user", s) {
			return s
		}
	}
}

// Bench measures the read paths of a fresh, migrated store on BenchUsers
// users. The store is seeded once; every sub-benchmark reads the same table.
func Bench(b *testing.B, db *sqlstore.DB) {
	users := Seed(b, db, BenchUsers)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func() Seeded { return users[rng.IntN(len(users))] }
	byLevel := []query.Order{{Field: "level", Desc: true}, {Field: "id", Desc: true}}
	newest := []query.Order{{Field: "id", Desc: true}}
	live := &query.Cond{Field: "deleted", Op: query.Eq, Value: false}

	b.Run("GetByID", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.FindUserByID(ctx, pick().ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ExactName", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.FindUserByNameKey(ctx, pick().NameKey); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("List20Sorted", func(b *testing.B) {
		for b.Loop() {
			us, _, err := db.FindUsers(ctx, query.List{Order: byLevel, Limit: 21, Offset: rng.IntN(1001)})
			if err != nil || len(us) != 21 {
				b.Fatalf("got %d users: %v", len(us), err)
			}
		}
	})
	// Deep offset pages, the baseline keyset pages are measured against:
	// the database walks and drops every skipped row.
	b.Run("List20DeepOffset", func(b *testing.B) {
		for b.Loop() {
			us, _, err := db.FindUsers(ctx, query.List{Order: byLevel, Limit: 21, Offset: 50_000 + rng.IntN(core.MaxOffset-50_000)})
			if err != nil || len(us) == 0 {
				b.Fatalf("got %d users: %v", len(us), err)
			}
		}
	})
	// The keyset page starts after a random user anywhere in the table: its
	// cost should not depend on the depth, unlike an offset.
	b.Run("List20SortedKeyset", func(b *testing.B) {
		for b.Loop() {
			u := pick()
			_, _, err := db.FindUsers(ctx, query.List{Order: byLevel, Limit: 21, After: []any{u.Level, u.ID}})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SubstringName", func(b *testing.B) {
		for b.Loop() {
			s := NameSubstring(rng, users)
			us, _, err := db.FindUsers(ctx, query.List{Filter: &query.Cond{Field: "name", Op: query.Contains, Value: s}, Limit: 21})
			if err != nil || len(us) == 0 {
				b.Fatalf("contains %q: %d users: %v", s, len(us), err)
			}
		}
	})
	// Danbooru's and e621's search[name_matches]=*abc*: a wildcard pattern,
	// newest first, 20 a page.
	b.Run("NameMatchesWildcard", func(b *testing.B) {
		for b.Loop() {
			p := "*" + NameSubstring(rng, users) + "*"
			us, _, err := db.FindUsers(ctx, query.List{Filter: &query.Cond{Field: "name", Op: query.Like, Value: p}, Order: []query.Order{{Field: "id", Desc: true}}, Limit: 20})
			if err != nil || len(us) == 0 {
				b.Fatalf("like %q: %d users: %v", p, len(us), err)
			}
		}
	})
	// A fragment every seeded name holds ("user…"), newest first: the
	// page must stop at its 20th match, not collect them all.
	b.Run("SubstringNameCommon", func(b *testing.B) {
		for b.Loop() {
			us, _, err := db.FindUsers(ctx, query.List{Filter: query.And{&query.Cond{Field: "name", Op: query.Contains, Value: "ser"}, live}, Order: newest, Limit: 21})
			if err != nil || len(us) != 21 {
				b.Fatalf("got %d users: %v", len(us), err)
			}
		}
	})
	// The totals the faces ask for (issue 10's count workload): native
	// total=true by level, DRF's is_staff, Review Board's active users by
	// a 2-character name prefix (counts-only: a one-row page).
	for _, tc := range []struct {
		name   string
		filter func() query.Expr
		limit  int
	}{
		{"CountLevel", func() query.Expr {
			return query.And{&query.Cond{Field: "level", Op: query.Eq, Value: []int64{20, 20, 20, 30, 40, 10}[rng.IntN(6)]}, live}
		}, 21},
		{"CountStaff", func() query.Expr {
			op := []query.Op{query.Ge, query.Lt}[rng.IntN(2)]
			return query.And{&query.Cond{Field: "level", Op: op, Value: int64(core.LevelModerator)}, live}
		}, 20},
		{"CountNamePrefix", func() query.Expr {
			k := pick().NameKey
			return query.And{&query.Cond{Field: "active", Op: query.Eq, Value: true}, query.Or{&query.Cond{Field: "name", Op: query.Prefix, Value: k[:6]}}, live}
		}, 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				_, n, err := db.FindUsers(ctx, query.List{Filter: tc.filter(), Limit: tc.limit, Total: true})
				if err != nil || n <= 0 {
					b.Fatalf("total %d: %v", n, err)
				}
			}
		})
	}
	// The first page and a page half way in by cursor, newest first
	// (issue 10's deep-page workload): the same cost at any depth.
	b.Run("FirstPage", func(b *testing.B) {
		for b.Loop() {
			if us, _, err := db.FindUsers(ctx, query.List{Filter: live, Order: newest, Limit: 21}); err != nil || len(us) != 21 {
				b.Fatalf("got %d users: %v", len(us), err)
			}
		}
	})
	b.Run("DeepPageKeyset", func(b *testing.B) {
		mid := users[len(users)/2].ID
		for b.Loop() {
			after := mid - int64(rng.IntN(1000))
			if us, _, err := db.FindUsers(ctx, query.List{Filter: live, Order: newest, Limit: 21, After: []any{after}}); err != nil || len(us) != 21 {
				b.Fatalf("got %d users: %v", len(us), err)
			}
		}
	})
	// The same predicate written so that no index can answer it: the
	// difference to SubstringName is what the trigram index saves.
	scan := scanQuery(db.F)
	if s := NameSubstring(rng, users); fmt.Sprint(scanIDs(b, db, scan, s)) != fmt.Sprint(containsIDs(b, db, s)) {
		b.Fatalf("scan baseline and store disagree on %q", s)
	}
	b.Run("SubstringNameScan", func(b *testing.B) {
		dest := make([]any, len(core.Fields))
		for i := range dest {
			dest[i] = new(any)
		}
		for b.Loop() {
			rows, err := db.R.QueryContext(ctx, scan, scanArg(db.F, NameSubstring(rng, users)))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				// Decode every column, as the store does, so only the access path differs.
				if err := rows.Scan(dest...); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := rows.Close(); err != nil || n == 0 {
				b.Fatalf("scan: %d rows: %v", n, err)
			}
		}
	})
}

// scanQuery returns the unindexed substring search on name_key, ordered
// and limited like FindUsers: a LIKE with a leading wildcard on SQLite,
// and on PostgreSQL position(), which the trigram operator class does not
// support.
func scanQuery(f *sqlstore.Flavor) string {
	names := make([]string, len(core.Fields))
	for i, fl := range core.Fields {
		names[i] = "users." + fl.Name
	}
	cond := "users.name_key LIKE " + f.Placeholder(1)
	if f.Name == "postgres" {
		cond = "position(" + f.Placeholder(1) + " in users.name_key) > 0"
	}
	return "SELECT " + strings.Join(names, ", ") + " FROM users WHERE " + cond + " ORDER BY users.id LIMIT 21"
}

// scanArg is the bind value of scanQuery for the substring s (a plain
// lowercase word: nothing to escape).
func scanArg(f *sqlstore.Flavor, s string) string {
	if f.Name == "postgres" {
		return s
	}
	return "%" + s + "%"
}

func scanIDs(tb testing.TB, db *sqlstore.DB, q, s string) []int64 {
	rows, err := db.R.QueryContext(context.Background(), q, scanArg(db.F, s))
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	dest := make([]any, len(core.Fields))
	for i := range dest {
		dest[i] = new(any)
	}
	var id int64
	dest[0] = &id // id is the registry's first field
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			tb.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func containsIDs(tb testing.TB, db *sqlstore.DB, s string) []int64 {
	us, _, err := db.FindUsers(context.Background(), query.List{Filter: &query.Cond{Field: "name", Op: query.Contains, Value: s}, Limit: 21})
	if err != nil {
		tb.Fatal(err)
	}
	return ids(us)
}

// SubstringPlanQueries are the page requests whose plans must come from
// the trigram index: the native contains filter and Danbooru's and e621's
// name_matches=*s*, for a substring s of the seeded names.
func SubstringPlanQueries(s string) map[string]query.List {
	notDeleted := &query.Cond{Field: "deleted", Op: query.Eq, Value: false}
	newest := []query.Order{{Field: "id", Desc: true}}
	return map[string]query.List{
		"contains, id order":             {Filter: query.And{&query.Cond{Field: "name", Op: query.Contains, Value: s}, notDeleted}, Order: []query.Order{{Field: "id"}}, Limit: 21},
		"name_matches *s*, newest first": {Filter: &query.Cond{Field: "name", Op: query.Like, Value: "*" + s + "*"}, Order: newest, Limit: 20},
		"wildcard inside":                {Filter: &query.Cond{Field: "name", Op: query.Like, Value: "*" + s + "*" + s[:1] + "*"}, Order: newest, Limit: 20},
	}
}

// ListPlanQuery is the ordered page every native list runs: live users by
// level, newest first. It must walk ix_users_level, not sort every row (a
// flag filter on deleted can steer a planner to the flag's index).
var ListPlanQuery = query.List{
	Filter: &query.Cond{Field: "deleted", Op: query.Eq, Value: false},
	Order:  []query.Order{{Field: "level", Desc: true}, {Field: "id", Desc: true}},
	Limit:  21, Offset: 100,
}

// SpreadFlags gives the users Seed wrote a known mix of flags, for page
// walks that filter on them: every seventh id inactive, every third id
// allowing email. Callers derive the same sets from the ids.
func SpreadFlags(tb testing.TB, db *sqlstore.DB) {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.W.ExecContext(ctx, "UPDATE users SET active = (id % 7 <> 0), email_allowed = (id % 3 = 0) WHERE name LIKE 'user%'"); err != nil {
		tb.Fatal(err)
	}
	if db.F.Name == "postgres" {
		if _, err := db.W.ExecContext(ctx, "VACUUM ANALYZE users"); err != nil {
			tb.Fatal(err)
		}
	}
}

// SeedJoinedAt is when Seed's i-th user (in id order) joined and was last
// updated.
func SeedJoinedAt(i int) time.Time {
	return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
}

// DRFPagePlanQueries are the pages the DRF face's page walks ask for, as
// the core passes them to the store (the face's filter and sort, id as the
// tie-break, deleted users hidden, one page of 100 with its total): each
// must walk an index in order, not scan and sort the table. cut is a
// SeedJoinedAt time, lastID a seeded id.
func DRFPagePlanQueries(cut time.Time, lastID int64) map[string]query.List {
	notDeleted := &query.Cond{Field: "deleted", Op: query.Eq, Value: false}
	return map[string]query.List{
		"is_active=true&sort=username": {Filter: query.And{&query.Cond{Field: "active", Op: query.Eq, Value: true}, notDeleted},
			Order: []query.Order{{Field: "name"}, {Field: "id"}}, Limit: 100, Offset: 5000, Total: true},
		"modified_date__gte&sort=modified_date": {Filter: query.And{&query.Cond{Field: "updated_at", Op: query.Ge, Value: cut}, notDeleted},
			Order: []query.Order{{Field: "updated_at"}, {Field: "id"}}, Limit: 100, Offset: 1000, Total: true},
		"is_active=false&id__lt&sort=-id": {Filter: query.And{&query.Cond{Field: "active", Op: query.Eq, Value: false}, &query.Cond{Field: "id", Op: query.Lt, Value: lastID}, notDeleted},
			Order: []query.Order{{Field: "id", Desc: true}}, Limit: 100, Offset: 500, Total: true},
	}
}

// SpreadGroups puts the users Seed wrote into two groups, every fifth id
// in the first and every eleventh in the second, and returns the groups'
// ids.
func SpreadGroups(tb testing.TB, db *sqlstore.DB) []int64 {
	tb.Helper()
	ctx := context.Background()
	var out []int64
	for i, every := range []int{5, 11} {
		g, err := db.CreateGroup(ctx, fmt.Sprintf("spread%d", i))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, g.ID)
		if _, err := db.W.ExecContext(ctx, fmt.Sprintf("INSERT INTO user_groups (user_id, group_id) SELECT id, %d FROM users WHERE id %% %d = 0 AND name LIKE 'user%%'", g.ID, every)); err != nil {
			tb.Fatal(err)
		}
	}
	analyze := "ANALYZE"
	if db.F.Name == "postgres" {
		analyze = "VACUUM ANALYZE user_groups"
	}
	if _, err := db.W.ExecContext(ctx, analyze); err != nil {
		tb.Fatal(err)
	}
	return out
}

// DRFRelationPlanQueries are pages of the DRF face's groups filter (any
// of the groups, as the core passes it on): each must read user_groups and
// users through indexes, never the whole of either table.
func DRFRelationPlanQueries(groups []int64) map[string]query.List {
	notDeleted := &query.Cond{Field: "deleted", Op: query.Eq, Value: false}
	in := &query.Cond{Field: query.Groups, Op: query.In}
	for _, g := range groups {
		in.Values = append(in.Values, g)
	}
	one := &query.Cond{Field: query.Groups, Op: query.In, Values: []any{groups[len(groups)-1]}}
	return map[string]query.List{
		"groups=a&groups=b": {Filter: query.And{in, notDeleted}, Order: []query.Order{{Field: "id"}}, Limit: 100, Offset: 500, Total: true},
		"groups=b&sort=-id": {Filter: query.And{one, notDeleted}, Order: []query.Order{{Field: "id", Desc: true}}, Limit: 20, Total: true},
	}
}
