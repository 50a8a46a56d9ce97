package danbooru_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/facetest"
)

// TestSearchBudget: a search with more pattern conditions than the core's
// budget (6) is 422 before it runs; a search the database deadline stops
// is upstream's 500 ActiveRecord::QueryCanceled.
func TestSearchBudget(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("abc_one", nil)
		// Seven distinct patterns, one a regular expression.
		keys := []string{"name_matches", "name_like", "name_ilike", "name_not_like", "name_not_ilike", "name_regex", "name_not_regex"}
		search := func(keys []string) string {
			q := url.Values{}
			for i, k := range keys {
				q.Set("search["+k+"]", fmt.Sprintf("*ab%d*", i))
				if strings.HasSuffix(k, "regex") {
					q.Set("search["+k+"]", fmt.Sprintf("ab%d", i))
				}
			}
			return "/users.json?" + q.Encode()
		}
		r := f.get(search(keys))
		if r.Status != 422 || !strings.Contains(string(r.Body), `"error":"ArgumentError"`) || !strings.Contains(string(r.Body), "at most 6") {
			t.Errorf("over budget: %d %s", r.Status, r.Body)
		}
		f.status(f.get(search(keys[:6])), 200)

		slow := danSetup(t, fresh(t, b), "--query-timeout", "1ns")
		f.expect(slow.get("/users.json?search[name_matches]=*abc*"), 500, danError("ActiveRecord::QueryCanceled", "The database timed out running your query."))
	})
}

// TestSearchIntegerRange: level is a 32-bit column on PostgreSQL; a level
// or counter search beyond a column's range answers as the number it is,
// the same on both backends, never a 500.
func TestSearchIntegerRange(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("member_one", nil)
		for _, tc := range []struct {
			search string
			want   int
		}{
			{"search[level]=99999999999", 0},
			{"search[level]=>99999999999", 0},
			{"search[level]=<99999999999", 2},
			{"search[level]=20,99999999999", 1},
			{"search[level]=10..99999999999", 2},
			{"search[level_gt]=99999999999", 0},
			{"search[level_lteq]=99999999999", 2},
			{"search[level_not_eq]=99999999999", 2},
			{"search[level_lt]=-99999999999", 0},
			{"search[id]=99999999999999999999", 0},
			{"search[post_upload_count]=99999999999999999999", 0},
			{"search[post_upload_count]=<9223372036854775807", 2},
		} {
			if got := f.list(f.get("/users.json?" + tc.search)); len(got) != tc.want {
				t.Errorf("%s: %d users, want %d", tc.search, len(got), tc.want)
			}
		}
	})
}

// fresh returns a new, empty database of b's kind.
func fresh(t *testing.T, b facetest.Backend) facetest.Backend {
	if b.Name == "sqlite" {
		return facetest.SQLite(t)
	}
	return facetest.Postgres(t)
}
