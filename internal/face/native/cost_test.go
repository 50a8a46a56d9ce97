package native_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/facetest"
)

// TestQueryBudget: within the parser's limits, a filter of 50 distinct
// substring conditions is refused before it runs (400 naming the cap),
// with total=true too; the same condition written 50 times collapses into
// one and runs; a timed-out search is a 400 query timeout.
func TestQueryBudget(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		s.Signup("abcuser")
		var distinct, same []string
		for i := range 50 {
			distinct = append(distinct, fmt.Sprintf(`name contains "a%02d"`, i))
			same = append(same, `name contains "abc"`)
		}
		for _, total := range []string{"", "&total=true"} {
			p := s.Want(s.Do("GET", "/v1/users?filter="+url.QueryEscape(strings.Join(distinct, " || "))+total, "", nil), 400)
			if p["type"] != "urn:usersd:problem:invalid" || !strings.Contains(fmt.Sprint(p["errors"]), "at most 6") {
				t.Errorf("over budget: %v", p)
			}
			m := s.Want(s.Do("GET", "/v1/users?filter="+url.QueryEscape(strings.Join(same, " || "))+total, "", nil), 200)
			if us := m["users"].([]any); len(us) != 1 {
				t.Errorf("50 times the same condition: %v", m)
			}
		}
		// Six distinct patterns are within the budget.
		s.Want(s.Do("GET", "/v1/users?total=true&filter="+url.QueryEscape(strings.Join(distinct[:6], " || ")), "", nil), 200)

		slow := facetest.Start(t, b, "--query-timeout", "1ns")
		p := slow.Want(slow.Do("GET", "/v1/users?filter="+url.QueryEscape(`name contains "abc"`), "", nil), 400)
		if !strings.Contains(fmt.Sprint(p["detail"]), "took longer than 1ns") {
			t.Errorf("timeout: %v", p)
		}
		slow.Want(slow.Do("GET", "/v1/users/abcuser", "", nil), 200) // point reads have no list deadline
	})
}

// TestIntegerRange: integer filters beyond a column's range (level is a
// 32-bit column on PostgreSQL) answer as the numbers they are, the same
// on both backends; beyond 64 bits they are a 400; a cursor holding one is
// refused as a cursor.
func TestIntegerRange(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		s.Signup("member1")
		s.Admin("admin1", 50)
		for _, tc := range []struct {
			filter string
			want   int
		}{
			{"level > 99999999999", 0},
			{"level >= 99999999999", 0},
			{"level = 99999999999", 0},
			{"level < 99999999999", 2},
			{"level <= 99999999999", 2},
			{"level != 99999999999", 2},
			{"level > -99999999999", 2},
			{"level < -99999999999", 0},
			{"level in (20, 99999999999)", 1},
			{"level in (-99999999999, 99999999999)", 0},
			{"!(level = 99999999999)", 2},
			{"id < 9223372036854775807 && post_upload_count < 9223372036854775807", 2},
		} {
			if got := s.Total("", tc.filter); got != tc.want {
				t.Errorf("%s: total %d, want %d", tc.filter, got, tc.want)
			}
		}
		s.Want(s.Do("GET", "/v1/users?filter="+url.QueryEscape("id > 99999999999999999999"), "", nil), 400)
		cursor := base64.RawURLEncoding.EncodeToString([]byte(`{"o":"level,id","v":[99999999999,1]}`))
		s.Want(s.Do("GET", "/v1/users?sort=level&cursor="+cursor, "", nil), 400)
	})
}
