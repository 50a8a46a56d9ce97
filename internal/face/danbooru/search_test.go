package danbooru

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/railstz"
	"usersd/internal/query"
)

// testCompiler compiles with a fake database: count reports n rows for
// any filter, lookup knows one user, "miku" (id 7).
func testCompiler(viewer *core.User, n int) *compiler {
	return &compiler{
		ctx:    context.Background(),
		viewer: viewer,
		now:    time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC),
		loc:    railstz.Location(nil),
		count:  func(context.Context, query.Expr, int) (int, error) { return n, nil },
		lookup: func(_ context.Context, key string) (*core.User, error) {
			if key == "miku" {
				return &core.User{ID: 7, Name: "Miku"}, nil
			}
			return nil, nil
		},
	}
}

func compileQuery(t *testing.T, c *compiler, raw string) (*compiled, error) {
	t.Helper()
	p, err := parseQuery(raw)
	if err != nil {
		t.Fatalf("parseQuery(%q): %v", raw, err)
	}
	s := p.sub("search")
	if s == nil {
		s = newParams()
	}
	return c.compile(s)
}

func TestCompileSearch(t *testing.T) {
	member := &core.User{ID: 3, Level: 20}
	mod := &core.User{ID: 4, Level: 40}
	tests := []struct {
		name   string
		viewer *core.User
		count  int
		query  string
		want   string
	}{
		{"name is name_matches", nil, 0, "search[name]=Hatsune Miku", `name = "hatsune_miku"`},
		{"name wildcard", nil, 0, "search[name]=miku*", `name like "miku*"`},
		{"name wins over name_matches", nil, 0, "search[name_matches]=a&search[name]=b", `name = "b"`},
		{"percent and underscore are literal", nil, 0, "search[name_matches]=a%25_b", `name = "a%_b"`},
		{"escaped star", nil, 0, `search[name_matches]=a\*b*`, `name like "a\\*b*"`},
		// Answered from the trigram index (internal/store/*/plan_test.go).
		{"substring wildcard", nil, 0, "search[name_matches]=*abc*", `name like "*abc*"`},
		{"name_eq", nil, 0, "search[name_eq]=Miku", `name (case-sensitive) = "Miku"`},
		{"name_not_eq", nil, 0, "search[name_not_eq]=Miku", `name (case-sensitive) != "Miku"`},
		{"name_like", nil, 0, "search[name_like]=Mi*", `name (case-sensitive) like "Mi*"`},
		{"name_ilike", nil, 0, "search[name_ilike]=mi*", `name like "mi*"`},
		{"name_not_ilike", nil, 0, "search[name_not_ilike]=mi*", `!name like "mi*"`},
		{"name_regex", nil, 0, "search[name_regex]=^M", `name regex "^M"`},
		{"name_not_regex", nil, 0, "search[name_not_regex]=^M", `!name regex "^M"`},
		{"name_array", nil, 0, "search[name_array][]=A&search[name_array][]=b", `name (case-sensitive) in ("A", "b")`},
		{"name_comma", nil, 0, "search[name_comma]=A,b", `name (case-sensitive) in ("A", "b")`},
		{"name_space", nil, 0, "search[name_space]=A b", `name (case-sensitive) in ("A", "b")`},
		{"name_lower_comma", nil, 0, "search[name_lower_comma]=A,B", `name in ("a", "b")`},
		{"name_present", nil, 0, "search[name_present]=yes", `name (case-sensitive) != ""`},
		{"name_present ignored", nil, 0, "search[name_present]=maybe", ``},
		{"any_name_matches anonymous", nil, 0, "search[any_name_matches]=Old Name", `name = "old_name" || NOTHING`},
		{"any_name_matches member", member, 0, "search[any_name_matches]=x", `name = "x" || (past_name = "x" && deleted = false)`},
		{"any_name_matches staff", mod, 0, "search[any_name_matches]=x", `name = "x" || past_name = "x"`},
		{"name_or_past current holder", member, 1, "search[name_or_past_name_matches]=x", `name = "x"`},
		{"name_or_past past names", member, 0, "search[name_or_past_name_matches]=x", `past_name = "x" && deleted = false`},
		{"min and max level", nil, 0, "search[min_level]=30&search[max_level]=abc", `level >= 30 && level <= 0`},
		{"is_banned", nil, 0, "search[is_banned]=no", `banned = false`},
		{"is_banned maybe is ignored", nil, 0, "search[is_banned]=maybe", ``},
		{"is_deleted", nil, 0, "search[is_deleted]=t", `deleted = true`},
		{"level list", nil, 0, "search[level]=20,30", `level in (20, 30)`},
		{"id_not keeps the rest", nil, 0, "search[id_not]=5", `!id = 5`},
		{"id_not of garbage is everything", nil, 0, "search[id_not]=abc", `!NOTHING`},
		{"id_gt casts like Rails", nil, 0, "search[id_gt]=12abc", `id > 12`},
		{"id_gt of garbage is nothing", nil, 0, "search[id_gt]=abc", `NOTHING`},
		{"favorite_count by anyone", nil, 0, "search[favorite_count]=>5", `favorite_count > 5`},
		{"inviter_id", nil, 0, "search[inviter_id]=any", `inviter_id is not null`},
		{"inviter_id_not", nil, 0, "search[inviter_id_not]=5", `!(inviter_id = 5 && inviter_id is not null)`},
		{"inviter_id_not_eq excludes nulls", nil, 0, "search[inviter_id_not_eq]=5", `inviter_id != 5 && inviter_id is not null`},
		{"inviter_name found", nil, 0, "search[inviter_name]=MIKU", `inviter_id = 7`},
		{"inviter_name unknown", nil, 0, "search[inviter_name]=nobody", `inviter_id is null`},
		{"inviter_name wildcard", nil, 0, "search[inviter_name]=mi*", `inviter_id in users(name like "mi*")`},
		{"has_inviter", nil, 0, "search[has_inviter]=false", `inviter_id is null`},
		{"inviter nested", nil, 0, "search[inviter][level]=40&search[inviter][name]=boss", `inviter_id in users(level = 40 && name = "boss")`},
		{"has_posts", nil, 0, "search[has_posts]=true", `post_upload_count > 0`},
		{"has_comments false", nil, 0, "search[has_comments]=no", `comment_count = 0`},
		{"has_note_versions", nil, 0, "search[has_note_versions]=1", `note_update_count > 0`},
		{"has_bans", nil, 0, "search[has_bans]=y", `banned = true`},
		{"unknown associations are ignored", nil, 0, "search[has_feedback]=true&search[posts][rating]=e&search[bogus]=1", ``},
		{"custom without ids is nothing", nil, 0, "search[order]=custom", `NOTHING`},
		{"custom with a range is nothing", nil, 0, "search[order]=custom&search[id]=1..5", `(id >= 1 && id <= 5) && NOTHING`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := compileQuery(t, testCompiler(tt.viewer, tt.count), tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if got := show(c.filter); got != tt.want {
				t.Errorf("%s:\n got %s\nwant %s", tt.query, got, tt.want)
			}
		})
	}
}

func TestCompileOrder(t *testing.T) {
	tests := []struct {
		query  string
		order  string
		custom []int64
	}{
		{"", "", nil},
		{"search[order]=name", "name,-id", nil},
		{"search[order]=post_upload_count", "-post_upload_count,-id", nil},
		{"search[order]=post_update_count", "-post_update_count,-id", nil},
		{"search[order]=note_count", "-note_update_count,-id", nil},
		{"search[order]=bogus", "", nil},
		{"search[order]=custom&search[id]=5,1,3", "", []int64{5, 1, 3}},
		{"search[order]=custom&search[id]=5", "", []int64{5}},
	}
	for _, tt := range tests {
		c, err := compileQuery(t, testCompiler(nil, 0), tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := query.OrderString(c.order); got != tt.order {
			t.Errorf("%s: order %s, want %s", tt.query, got, tt.order)
		}
		if len(c.custom) != len(tt.custom) {
			t.Errorf("%s: custom %v, want %v", tt.query, c.custom, tt.custom)
		}
	}
	c, _ := compileQuery(t, testCompiler(nil, 0), "search[current_user_first]=true")
	if c.pin {
		t.Error("current_user_first pins for anonymous")
	}
	c, _ = compileQuery(t, testCompiler(&core.User{ID: 1}, 0), "search[current_user_first]=true")
	if !c.pin {
		t.Error("current_user_first does not pin")
	}
}

func TestCompileErrors(t *testing.T) {
	for _, raw := range []string{
		"search[is_deleted]=maybe",
		"search" + repeat("[inviter]", 9) + "[id]=1",
	} {
		_, err := compileQuery(t, testCompiler(nil, 0), raw)
		var ae *apiError
		if !errors.As(err, &ae) || ae.status != 422 || ae.class != "ArgumentError" {
			t.Errorf("%s: err = %v, want a 422 ArgumentError", raw, err)
		}
	}
	if _, err := compileQuery(t, testCompiler(nil, 0), "search"+repeat("[inviter]", 8)+"[id]=1"); err != nil {
		t.Errorf("depth 10 refused: %v", err)
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// show renders a filter with "nothing" (an empty Or) spelled NOTHING.
func show(e query.Expr) string {
	var mark func(query.Expr) query.Expr
	mark = func(e query.Expr) query.Expr {
		switch x := e.(type) {
		case query.And:
			out := query.And{}
			for _, y := range x {
				out = append(out, mark(y))
			}
			return out
		case query.Or:
			if len(x) == 0 {
				return &query.Cond{Field: "NOTHING", Op: query.IsNull}
			}
			out := query.Or{}
			for _, y := range x {
				out = append(out, mark(y))
			}
			return out
		case query.Not:
			return query.Not{X: mark(x.X)}
		case query.Sub:
			return query.Sub{Field: x.Field, Filter: mark(x.Filter)}
		}
		return e
	}
	return strings.ReplaceAll(query.String(mark(e)), "NOTHING is null", "NOTHING")
}
