// Package storetest is the conformance suite every core.Store runs, so that
// the SQLite and PostgreSQL compilations of the same query agree.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rs/xid"

	"usersd/internal/core"
	"usersd/internal/query"
)

// Run exercises a store; open returns a fresh, migrated, empty store.
func Run(t *testing.T, open func(t *testing.T) core.Store) {
	t.Run("CreateAndFind", func(t *testing.T) { testCreateAndFind(t, open(t)) })
	t.Run("Conflicts", func(t *testing.T) { testConflicts(t, open(t)) })
	t.Run("InsertUsers", func(t *testing.T) { testInsertUsers(t, open(t)) })
	t.Run("ConcurrentCreate", func(t *testing.T) { testConcurrentCreate(t, open(t)) })
	t.Run("UpdateAndRename", func(t *testing.T) { testUpdate(t, open(t)) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, open(t)) })
	t.Run("OrderAndKeyset", func(t *testing.T) { testOrderAndKeyset(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open(t)) })
	t.Run("TokenLifecycle", func(t *testing.T) { testTokenLifecycle(t, open(t)) })
	t.Run("FaceFilters", func(t *testing.T) { testFaceFilters(t, open(t)) })
	t.Run("RelationAndJSONFilters", func(t *testing.T) { testRelationAndJSONFilters(t, open(t)) })
	t.Run("Tx", func(t *testing.T) { testTx(t, open(t)) })
	t.Run("Members", func(t *testing.T) { testMembers(t, open(t)) })
	t.Run("MemberList", func(t *testing.T) { testMemberList(t, open(t)) })
	t.Run("Images", func(t *testing.T) { testImages(t, open(t)) })
	t.Run("Flags", func(t *testing.T) { testFlags(t, open(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("Groups", func(t *testing.T) { testGroups(t, open(t)) })
	t.Run("LinkedAccounts", func(t *testing.T) { testLinkedAccounts(t, open(t)) })
	t.Run("ClaimReroll", func(t *testing.T) { testClaimReroll(t, open(t)) })
	t.Run("Totals", func(t *testing.T) { testTotals(t, open(t)) })
	t.Run("SubstringPages", func(t *testing.T) { testSubstringPages(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("CountAudit", func(t *testing.T) { testCountAudit(t, open(t)) })
	t.Run("Webhooks", func(t *testing.T) { testWebhooks(t, open(t)) })
	t.Run("WebhookClaims", func(t *testing.T) { testWebhookClaims(t, open(t)) })
}

var seq struct {
	sync.Mutex
	n int
}

// NewUserPatch returns the patch the service would write for a new user.
func NewUserPatch(name string, at time.Time) core.Patch {
	seq.Lock()
	seq.n++
	n := seq.n
	seq.Unlock()
	sid := make([]byte, 5)
	for i, k := 0, n; i < 5; i, k = i+1, k/26 {
		sid[4-i] = byte('a' + k%26)
	}
	return core.Patch{
		"name": name, "name_key": core.Fold(name),
		"xid": xid.NewWithTime(at).String(), "sid": string(sid),
		"created_at": at, "updated_at": at, "last_sid_reroll_at": at.Add(-time.Hour),
	}
}

// MustCreate creates a user with extra fields.
func MustCreate(tb testing.TB, s core.Store, name string, extra core.Patch) *core.User {
	tb.Helper()
	p := NewUserPatch(name, time.Now().UTC().Truncate(time.Microsecond))
	for k, v := range extra {
		p[k] = v
	}
	u, err := s.CreateUser(context.Background(), p)
	if err != nil {
		tb.Fatalf("create %q: %v", name, err)
	}
	return u
}

func testCreateAndFind(t *testing.T, s core.Store) {
	ctx := context.Background()
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	p := NewUserPatch("Alice", at)
	p["email"], p["email_key"] = "Alice@Example.com", "alice@example.com"
	p["links"] = json.RawMessage(`["https://a.example"]`)
	p["date_of_birth"] = core.Date("1990-02-03")
	p["password_hash"] = "$argon2id$x"
	u, err := s.CreateUser(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID <= 0 || u.Name != "Alice" || u.NameKey != "alice" || *u.Email != "Alice@Example.com" {
		t.Fatalf("created %+v", u)
	}
	// Column defaults of spec/fields.md.
	if u.Level != 20 || !u.Active || u.Banned || u.Deleted || u.PerPage != 20 || u.CommentThreshold != -8 ||
		u.BlacklistedTags != "guro\nscat\nfurry -rating:g" || !u.NewPostNavigationLayout || !u.ShowPostStatistics ||
		u.Theme != "auto" || u.UserType != "registered" || u.BaseUploadLimit != 10 || string(u.CustomPreferences) != "{}" {
		t.Errorf("defaults wrong: %+v", u)
	}
	if !u.CreatedAt.Equal(at) || !u.LastSIDRerollAt.Equal(at.Add(-time.Hour)) {
		t.Errorf("times: created %v reroll %v, want %v", u.CreatedAt, u.LastSIDRerollAt, at)
	}
	if u.DateOfBirth == nil || *u.DateOfBirth != "1990-02-03" {
		t.Errorf("date_of_birth = %v", u.DateOfBirth)
	}
	var links []string
	if err := json.Unmarshal(u.Links, &links); err != nil || !slices.Equal(links, []string{"https://a.example"}) {
		t.Errorf("links = %s", u.Links)
	}
	for name, find := range map[string]func() (*core.User, error){
		"id":    func() (*core.User, error) { return s.FindUserByID(ctx, u.ID) },
		"name":  func() (*core.User, error) { return s.FindUserByNameKey(ctx, "alice") },
		"email": func() (*core.User, error) { return s.FindUserByEmailKey(ctx, "alice@example.com") },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("find by %s: %v", name, err)
		}
		if diff := cmp.Diff(u, got, cmpopts.EquateComparable(netip.Addr{}), cmpopts.IgnoreUnexported(core.User{})); diff != "" {
			t.Errorf("find by %s (-created +found):\n%s", name, diff)
		}
	}
	if _, err := s.FindUserByID(ctx, u.ID+1000); core.ErrorCode(err) != core.NotFound {
		t.Errorf("missing id: err = %v, want NotFound", err)
	}
	if _, err := s.FindUserByNameKey(ctx, "nobody"); core.ErrorCode(err) != core.NotFound {
		t.Errorf("missing name: err = %v, want NotFound", err)
	}
}

func testConflicts(t *testing.T, s core.Store) {
	ctx := context.Background()
	MustCreate(t, s, "Bob", core.Patch{"email": "bob@example.com", "email_key": "bob@example.com"})
	for _, tt := range []struct {
		name  string
		extra core.Patch
		field string
	}{
		{"BOB", nil, "name"},
		{"bob2", core.Patch{"email": "BOB@example.com", "email_key": "bob@example.com"}, "email"},
	} {
		p := NewUserPatch(tt.name, time.Now().UTC())
		for k, v := range tt.extra {
			p[k] = v
		}
		_, err := s.CreateUser(ctx, p)
		e := core.AsError(err)
		if e.Code != core.Conflict || e.Fields[tt.field] == "" {
			t.Errorf("create %q: err = %v (fields %v), want Conflict on %s", tt.name, err, e.Fields, tt.field)
		}
	}
	// A check constraint is Invalid, never Internal.
	p := NewUserPatch("carol", time.Now().UTC())
	p["level"] = int64(7)
	if _, err := s.CreateUser(ctx, p); core.ErrorCode(err) != core.Invalid {
		t.Errorf("level 7: err = %v, want Invalid", err)
	}
}

func testConcurrentCreate(t *testing.T, s core.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.CreateUser(ctx, NewUserPatch("Same", time.Now().UTC()))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch core.ErrorCode(err) {
		case -1:
			ok++
		case core.Conflict:
		default:
			t.Errorf("concurrent create: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of 50 concurrent creates succeeded, want 1", ok)
	}
}

func testUpdate(t *testing.T, s core.Store) {
	ctx := context.Background()
	u := MustCreate(t, s, "dave", nil)
	admin := MustCreate(t, s, "admin", core.Patch{"level": int64(50)})
	at := time.Now().UTC().Truncate(time.Microsecond).Add(time.Second)
	got, err := s.UpdateUser(ctx, u.ID, core.Patch{"name": "Dave2", "name_key": "dave2", "bio": "hi", "updated_at": at, "post_upload_count": int64(5), "post_deleted_count": int64(2)}, core.UpdateMeta{By: &admin.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Dave2" || got.Bio == nil || *got.Bio != "hi" || !got.UpdatedAt.Equal(at) || got.PostActiveCount != 3 {
		t.Errorf("updated = %+v", got)
	}
	if _, err := s.UpdateUser(ctx, u.ID, core.Patch{"bio": nil}, core.UpdateMeta{}); err != nil {
		t.Fatal(err)
	}
	hist, err := s.NameChanges(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].OldName != "dave" || hist[0].NewName != "Dave2" || hist[0].ChangedByID == nil || *hist[0].ChangedByID != admin.ID {
		t.Errorf("history = %+v", hist)
	}
	if _, err := s.UpdateUser(ctx, u.ID, core.Patch{"name": "admin", "name_key": "admin"}, core.UpdateMeta{}); core.ErrorCode(err) != core.Conflict {
		t.Errorf("rename onto a taken name: %v, want Conflict", err)
	}
	if _, err := s.UpdateUser(ctx, 99999, core.Patch{"bio": "x"}, core.UpdateMeta{}); core.ErrorCode(err) != core.NotFound {
		t.Errorf("update missing: %v, want NotFound", err)
	}
	ip := netip.MustParseAddr("192.0.2.7")
	if err := s.TouchUser(ctx, u.ID, &at, ip); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindUserByID(ctx, u.ID)
	if got.LastIP != ip || got.LastLoginAt == nil || !got.LastLoginAt.Equal(at) {
		t.Errorf("touch: ip %v login %v", got.LastIP, got.LastLoginAt)
	}
}

// seed creates users n0..n9 with levels, e-mails and counters spread out.
func seed(t *testing.T, s core.Store) []*core.User {
	levels := []int64{10, 20, 20, 30, 40, 50, 20, 60, 31, 20}
	var us []*core.User
	for i := range 10 {
		extra := core.Patch{"level": levels[i], "post_upload_count": int64(i * 3 % 7)}
		if i%3 != 0 {
			e := fmt.Sprintf("N%d@Example.com", i)
			extra["email"], extra["email_key"] = e, core.Fold(e)
		}
		if i == 4 {
			extra["banned"] = true
		}
		name := fmt.Sprintf("n%d_%s", i, []string{"alpha", "Beta", "gamma", "delta", "ALPHAbet", "omega", "zeta", "eta", "theta", "iota"}[i])
		us = append(us, MustCreate(t, s, name, extra))
	}
	return us
}

func ids(us []*core.User) []int64 {
	out := []int64{}
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

func testFilters(t *testing.T, s core.Store) {
	ctx := context.Background()
	us := seed(t, s)
	for i, d := range map[int]core.Date{2: "1990-05-01", 3: "2001-01-01"} {
		if _, err := s.UpdateUser(ctx, us[i].ID, core.Patch{"date_of_birth": d}, core.UpdateMeta{}); err != nil {
			t.Fatal(err)
		}
	}
	lastIP := netip.MustParseAddr("2001:db8::5")
	if err := s.TouchUser(ctx, us[1].ID, nil, lastIP); err != nil {
		t.Fatal(err)
	}
	pick := func(is ...int) []int64 {
		out := []int64{}
		for _, i := range is {
			out = append(out, us[i].ID)
		}
		return out
	}
	cond := func(field string, op query.Op, v any) query.Expr {
		return &query.Cond{Field: field, Op: op, Value: v}
	}
	tests := []struct {
		name   string
		filter query.Expr
		want   []int64
	}{
		{"all", nil, pick(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"eq", cond("level", query.Eq, int64(20)), pick(1, 2, 6, 9)},
		{"ne", cond("level", query.Ne, int64(20)), pick(0, 3, 4, 5, 7, 8)},
		{"gt", cond("level", query.Gt, int64(31)), pick(4, 5, 7)},
		{"ge", cond("level", query.Ge, int64(31)), pick(4, 5, 7, 8)},
		{"lt", cond("level", query.Lt, int64(20)), pick(0)},
		{"le", cond("level", query.Le, int64(20)), pick(0, 1, 2, 6, 9)},
		{"in", &query.Cond{Field: "level", Op: query.In, Values: []any{int64(30), int64(60)}}, pick(3, 7)},
		{"bool", cond("banned", query.Eq, true), pick(4)},
		{"name eq folds", cond("name", query.Eq, "n1_beta"), pick(1)},
		{"name in", &query.Cond{Field: "name", Op: query.In, Values: []any{"n1_beta", "n2_gamma"}}, pick(1, 2)},
		{"prefix", cond("name", query.Prefix, "n1"), pick(1)},
		{"contains", cond("name", query.Contains, "alpha"), pick(0, 4)},
		{"contains mid", cond("name", query.Contains, "eta"), pick(1, 6, 7, 8)},
		{"like", cond("name", query.Like, "*a?e*"), pick(4)},
		{"like anchored", cond("name", query.Like, "n?_*a"), pick(0, 1, 2, 3, 5, 6, 7, 8, 9)},
		{"like literal star", cond("name", query.Like, `*\*`), nil},
		{"null", &query.Cond{Field: "email", Op: query.IsNull}, pick(0, 3, 6, 9)},
		{"not null", &query.Cond{Field: "email", Op: query.NotNull}, pick(1, 2, 4, 5, 7, 8)},
		{"email eq folds", cond("email", query.Eq, "n2@example.com"), pick(2)},
		{"email ne keeps null", cond("email", query.Ne, "n2@example.com"), pick(0, 1, 3, 4, 5, 6, 7, 8, 9)},
		{"and", query.And{cond("level", query.Eq, int64(20)), cond("post_upload_count", query.Gt, int64(3))}, pick(2, 6, 9)},
		{"or", query.Or{cond("level", query.Eq, int64(10)), cond("level", query.Eq, int64(60))}, pick(0, 7)},
		{"not", query.Not{X: cond("level", query.Le, int64(30))}, pick(4, 5, 7, 8)},
		{"empty in", &query.Cond{Field: "level", Op: query.In}, nil},
		{"date", cond("date_of_birth", query.Lt, core.Date("2000-01-01")), pick(2)},
		{"date range", query.And{cond("date_of_birth", query.Ge, core.Date("1990-05-01")), cond("date_of_birth", query.Le, core.Date("2001-01-01"))}, pick(2, 3)},
		{"ip", cond("last_ip", query.Eq, lastIP), pick(1)},
		{"ip null", &query.Cond{Field: "last_ip", Op: query.IsNull}, pick(0, 2, 3, 4, 5, 6, 7, 8, 9)},
		{"created_at", cond("created_at", query.Ge, us[5].CreatedAt), nil /* filled below */},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.FindUsers(ctx, query.List{Filter: tt.filter, Limit: 100, Total: true})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if tt.name == "created_at" {
				for _, u := range us {
					if !u.CreatedAt.Before(us[5].CreatedAt) {
						want = append(want, u.ID)
					}
				}
			}
			if want == nil {
				want = []int64{}
			}
			if diff := cmp.Diff(want, ids(got)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if total != len(want) {
				t.Errorf("total = %d, want %d", total, len(want))
			}
		})
	}
	// "contains mid" above: eta is in n1_beta, n7_eta, n8_theta, n6_zeta.
	if _, _, err := s.FindUsers(ctx, query.List{Filter: cond("password_hash2", query.Eq, "x"), Limit: 10}); core.ErrorCode(err) != core.Invalid {
		t.Errorf("unknown field: %v, want Invalid", err)
	}
}

func testOrderAndKeyset(t *testing.T, s core.Store) {
	ctx := context.Background()
	us := seed(t, s)
	for _, order := range [][]query.Order{
		{{Field: "id"}},
		{{Field: "id", Desc: true}},
		{{Field: "level", Desc: true}, {Field: "id", Desc: true}},
		{{Field: "level"}, {Field: "name", Desc: true}, {Field: "id"}},
		{{Field: "email"}, {Field: "id"}},
		{{Field: "email", Desc: true}, {Field: "id", Desc: true}},
		{{Field: "post_upload_count"}, {Field: "id", Desc: true}},
	} {
		t.Run(query.OrderString(order), func(t *testing.T) {
			all, _, err := s.FindUsers(ctx, query.List{Order: order, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != len(us) {
				t.Fatalf("got %d users", len(all))
			}
			checkSorted(t, order, all)
			// Walk it in pages of 3 by keyset and by offset: both must give the same sequence.
			var byKey, byOffset []*core.User
			var after []any
			for range 10 {
				page, _, err := s.FindUsers(ctx, query.List{Order: order, Limit: 3, After: after})
				if err != nil {
					t.Fatal(err)
				}
				byKey = append(byKey, page...)
				if len(page) < 3 {
					break
				}
				last := page[len(page)-1]
				after = nil
				for _, o := range order {
					after = append(after, core.SortValue(core.FieldByName(o.Field), last))
				}
			}
			for off := 0; off < 12; off += 3 {
				page, _, err := s.FindUsers(ctx, query.List{Order: order, Limit: 3, Offset: off})
				if err != nil {
					t.Fatal(err)
				}
				byOffset = append(byOffset, page...)
			}
			if diff := cmp.Diff(ids(all), ids(byKey)); diff != "" {
				t.Errorf("keyset walk (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(ids(all), ids(byOffset)); diff != "" {
				t.Errorf("offset walk (-want +got):\n%s", diff)
			}
		})
	}
}

// checkSorted verifies the order independently of the database, with NULLs
// last ascending and first descending.
func checkSorted(t *testing.T, order []query.Order, us []*core.User) {
	t.Helper()
	cmpVal := func(a, b any) int {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return 1
		case b == nil:
			return -1
		}
		switch x := a.(type) {
		case int64:
			y := b.(int64)
			return map[bool]int{true: -1, false: 1}[x < y] * map[bool]int{true: 0, false: 1}[x == y]
		case string:
			y := b.(string)
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
		t.Fatalf("unexpected %T", a)
		return 0
	}
	for i := 1; i < len(us); i++ {
		for _, o := range order {
			f := core.FieldByName(o.Field)
			c := cmpVal(core.SortValue(f, us[i-1]), core.SortValue(f, us[i]))
			if o.Desc {
				c = -c
				if core.SortValue(f, us[i-1]) == nil || core.SortValue(f, us[i]) == nil {
					c = -c * -1
				}
			}
			if c < 0 {
				break
			}
			if c > 0 {
				t.Fatalf("rows %d and %d out of order for %s", i-1, i, query.OrderString(order))
			}
		}
	}
}

func testTokens(t *testing.T, s core.Store) {
	ctx := context.Background()
	u := MustCreate(t, s, "tok", nil)
	other := MustCreate(t, s, "other", nil)
	now := time.Now().UTC().Truncate(time.Microsecond)
	tok := &core.Token{UserID: u.ID, Label: "ci", Kind: core.TokenAPI, Scope: core.ScopeWrite, CreatedAt: now}
	hash := core.HashSecret("secret-1")
	if err := s.CreateToken(ctx, tok, hash); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(ctx, &core.Token{UserID: u.ID, Kind: core.TokenAPI, Scope: core.ScopeRead, CreatedAt: now}, hash); core.ErrorCode(err) != core.Conflict {
		t.Errorf("duplicate secret hash: %v, want Conflict", err)
	}
	gt, gu, err := s.FindTokenByHash(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	if gt.ID != tok.ID || gt.Label != "ci" || gu.ID != u.ID || !gt.CreatedAt.Equal(now) {
		t.Errorf("found %+v for user %d", gt, gu.ID)
	}
	ip := netip.MustParseAddr("2001:db8::1")
	if err := s.TouchToken(ctx, tok.ID, now.Add(time.Minute), ip, nil); err != nil {
		t.Fatal(err)
	}
	ts, err := s.FindTokens(ctx, u.ID, now)
	if err != nil || len(ts) != 1 || ts[0].Uses != 1 || ts[0].LastUsedIP != ip || ts[0].LastUsedAt == nil {
		t.Fatalf("tokens = %+v, %v", ts, err)
	}
	if err := s.RevokeToken(ctx, other.ID, tok.ID, now); core.ErrorCode(err) != core.NotFound {
		t.Errorf("revoke another user's token: %v, want NotFound", err)
	}
	if err := s.RevokeToken(ctx, u.ID, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.FindTokenByHash(ctx, hash); core.ErrorCode(err) != core.NotFound {
		t.Errorf("revoked token found: %v", err)
	}
}

// testFaceFilters covers what the compatibility faces compile into beyond
// the native language: case-sensitive matching, regular expressions, past
// names, related-user sub-selects, about-text search, IP ranges, pinning.
func testFaceFilters(t *testing.T, s core.Store) {
	ctx := context.Background()
	root := MustCreate(t, s, "Root", core.Patch{"level": int64(60)})
	a := MustCreate(t, s, "Alpha_One", core.Patch{"inviter_id": root.ID, "bio": "I draw 100% Cats", "artist_info": "commissions open"})
	b := MustCreate(t, s, "beta", core.Patch{"inviter_id": a.ID, "bio": "dogs and CATS"})
	c := MustCreate(t, s, "Gamma", core.Patch{"inviter_id": a.ID})
	if _, err := s.UpdateUser(ctx, c.ID, core.Patch{"name": "Gamma2", "name_key": "gamma2"}, core.UpdateMeta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateUser(ctx, b.ID, core.Patch{"name": "Beta", "name_key": "beta"}, core.UpdateMeta{}); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchUser(ctx, b.ID, nil, netip.MustParseAddr("10.1.2.3")); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchUser(ctx, c.ID, nil, netip.MustParseAddr("10.2.0.1")); err != nil {
		t.Fatal(err)
	}
	cond := func(field string, op query.Op, v any) *query.Cond { return &query.Cond{Field: field, Op: op, Value: v} }
	cs := func(c *query.Cond) *query.Cond { c.CaseSensitive = true; return c }
	tests := []filterCase{
		{"case-sensitive eq", cs(cond("name", query.Eq, "Alpha_One")), []int64{a.ID}},
		{"case-sensitive eq misses", cs(cond("name", query.Eq, "alpha_one")), nil},
		{"case-sensitive like", cs(cond("name", query.Like, "*A")), nil},
		{"case-sensitive like hit", cs(cond("name", query.Like, "B*")), []int64{b.ID}},
		{"like with literal underscore", cond("name", query.Like, "alpha_*"), []int64{a.ID}},
		{"regex", cond("name", query.Regex, "^[A-Z][a-z]+[0-9]$"), []int64{c.ID}},
		{"past name", cond(query.PastName, query.Eq, "GAMMA"), []int64{c.ID}},
		{"past name like", cond(query.PastName, query.Like, "*a"), []int64{b.ID, c.ID}},
		{"past name in", &query.Cond{Field: query.PastName, Op: query.In, Values: []any{"beta", "nobody"}}, []int64{b.ID}},
		{"current or past", query.Or{cond("name", query.Eq, "gamma"), cond(query.PastName, query.Eq, "gamma")}, []int64{c.ID}},
		{"invited by", query.Sub{Field: "inviter_id", Filter: cond("name", query.Eq, "alpha_one")}, []int64{b.ID, c.ID}},
		{"invited by someone invited by root", query.Sub{Field: "inviter_id", Filter: query.Sub{Field: "inviter_id", Filter: cond("name", query.Eq, "root")}}, []int64{b.ID, c.ID}},
		{"invited by substring", query.Sub{Field: "inviter_id", Filter: cond("name", query.Contains, "pha")}, []int64{b.ID, c.ID}},
		{"about contains", cond("bio", query.Contains, "cats"), []int64{a.ID, b.ID}},
		{"about literal percent", cond("bio", query.Contains, "100%"), []int64{a.ID}},
		{"about wildcard", query.Or{cond("bio", query.Like, "*commission*"), cond("artist_info", query.Like, "*commission*")}, []int64{a.ID}},
		{"ip range", query.And{cond("last_ip", query.Ge, netip.MustParseAddr("10.1.0.0")), cond("last_ip", query.Le, netip.MustParseAddr("10.1.255.255"))}, []int64{b.ID}},
	}
	checkFilters(t, s, tests)
	if _, _, err := s.FindUsers(ctx, query.List{Filter: cond("name", query.Regex, "(unclosed"), Limit: 10}); core.ErrorCode(err) != core.Invalid {
		t.Errorf("bad regex: %v, want Invalid", err)
	}
	aa := MustCreate(t, s, "aardvark", nil)
	byName := []query.Order{{Field: "name", CaseSensitive: true}, {Field: "id"}}
	got, _, err := s.FindUsers(ctx, query.List{Order: byName, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{a.ID, b.ID, c.ID, root.ID, aa.ID}, ids(got)); diff != "" {
		t.Errorf("case-sensitive name order (-want +got):\n%s", diff)
	}
	after := []any{core.OrderValue(byName[0], got[2]), got[2].ID}
	if got, _, err = s.FindUsers(ctx, query.List{Order: byName, After: after, Limit: 100}); err != nil || len(got) != 2 || got[0].ID != root.ID {
		t.Errorf("case-sensitive keyset after %v: %v %v", after, ids(got), err)
	}
	if _, err := s.UpdateUser(ctx, aa.ID, core.Patch{"deleted": true}, core.UpdateMeta{}); err != nil {
		t.Fatal(err)
	}
	got, _, err = s.FindUsers(ctx, query.List{Filter: &query.Cond{Field: "deleted", Op: query.Eq, Value: false}, Order: []query.Order{{Field: "id", Desc: true}}, PinFirst: a.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{a.ID, c.ID, b.ID, root.ID}, ids(got)); diff != "" {
		t.Errorf("pin first (-want +got):\n%s", diff)
	}
}

// filterCase is a filter and the ids of the users it must find, in id
// order.
type filterCase struct {
	name   string
	filter query.Expr
	want   []int64
}

// checkFilters runs each case as one page of FindUsers.
func checkFilters(t *testing.T, s core.Store, tests []filterCase) {
	t.Helper()
	for _, tt := range tests {
		got, _, err := s.FindUsers(context.Background(), query.List{Filter: tt.filter, Limit: 100})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		want := tt.want
		if want == nil {
			want = []int64{}
		}
		if diff := cmp.Diff(want, ids(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
