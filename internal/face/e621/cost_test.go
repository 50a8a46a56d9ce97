package e621_test

import (
	"encoding/json"
	"strings"
	"testing"

	"usersd/internal/facetest"
)

func e6CostList(t *testing.T, r facetest.Response) []any {
	t.Helper()
	var out []any
	if r.Status != 200 || json.Unmarshal(r.Body, &out) != nil {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
	return out
}

// TestSearchBudget: an about_me search of seven words is 14 substring
// conditions (bio or artist info), over the core's budget of 6: 422 shape
// 2 before it runs; a search the database deadline stops is 500 shape 2
// "The database timed out running your query." (B.11).
func TestSearchBudget(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		s.Signup("member_one")
		r := s.Do("GET", "/e621/users.json?search[about_me]=one+two+three+four+five+six+seven", "", nil)
		if r.Status != 422 || !strings.Contains(string(r.Body), `"success": false`) || !strings.Contains(string(r.Body), "at most 6") {
			t.Errorf("over budget: %d %s", r.Status, r.Body)
		}
		e6CostList(t, s.Do("GET", "/e621/users.json?search[about_me]=one+two+three", "", nil))

		nb := facetest.SQLite(t)
		if b.Name != "sqlite" {
			nb = facetest.Postgres(t)
		}
		slow := facetest.Start(t, nb, "--query-timeout", "1ns")
		r = slow.Do("GET", "/e621/users.json?search[name_matches]=*abc*", "", nil)
		if want := "{\n  \"success\": false,\n  \"message\": \"The database timed out running your query.\",\n  \"code\": null\n}\n"; r.Status != 500 || string(r.Body) != want {
			t.Errorf("timeout: %d %s", r.Status, r.Body)
		}
	})
}

// TestSearchIntegerRange: level searches beyond 32 bits answer as the
// numbers they are on both backends, on e621ng and the legacy API.
func TestSearchIntegerRange(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		s.Signup("member_one")
		s.Signup("member_two")
		for _, tc := range []struct {
			path string
			want int
		}{
			{"/e621/users.json?search[min_level]=99999999999", 0},
			{"/e621/users.json?search[max_level]=99999999999", 2},
			{"/e621/users.json?search[level]=99999999999", 0},
			{"/e621/users.json?search[level]=<99999999999", 2},
			{"/e621/users.json?search[id]=99999999999999999999", 0},
			{"/e621/users.json?search[avatar_id]=99999999999999999999", 0},
			{"/e621/user/index.json?level=99999999999", 0},
			{"/e621/user/index.json?id=99999999999999999999", 0},
		} {
			if got := e6CostList(t, s.Do("GET", tc.path, "", nil)); len(got) != tc.want {
				t.Errorf("%s: %d users, want %d", tc.path, len(got), tc.want)
			}
		}
	})
}
