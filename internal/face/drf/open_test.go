package drf_test

import (
	"context"
	"fmt"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// TestAllUsers: with --drf-all-users every signed-in user reads (spec/drf.md
// §3 as written); others' private fields come out empty, their own do
// not, and filters on fields a member is not shown are 403.
func TestAllUsers(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b, "/drf", "--drf-all-users")
		f.user("me", core.Patch{"email": "me@example.com", "email_key": "me@example.com", "phone": "+1555"})
		f.user("you", core.Patch{"email": "you@example.com", "email_key": "you@example.com", "phone": "+1666"})
		g, err := f.db.CreateGroup(context.Background(), "g")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"me", "you"} {
			if err := f.db.SetUserGroups(context.Background(), f.ids[n], []int64{g.ID}); err != nil {
				t.Fatal(err)
			}
		}
		p := f.page(f.get("/users/", "me"))
		if p.Count != 2 {
			t.Fatalf("count %d", p.Count)
		}
		for _, u := range p.Results {
			own := u["username"] == "me"
			groups, _ := u["groups"].([]any)
			if own != (u["email"] != "") || own != (u["phone"] != nil) || own != (len(groups) == 1) {
				t.Errorf("%v sees %v: email %v phone %v groups %v", "me", u["username"], u["email"], u["phone"], u["groups"])
			}
		}
		if r := f.get(fmt.Sprintf("/users/%d/", f.ids["you"]), "me"); r.Status != 200 {
			t.Errorf("detail: %d %s", r.Status, r.Body)
		}
		f.want(f.get("/users/?email=you@example.com", "me"), 403, `{"detail":"You do not have permission to perform this action."}`)
		f.want(f.get("/users/", ""), 401, `{"detail":"Authentication credentials were not provided."}`)
	})
}
