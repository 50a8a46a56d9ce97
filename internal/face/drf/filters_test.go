package drf_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// TestRelationFilters: edge case 14 (spec/drf.md §7): groups and
// user_permissions take repeated keys with OR semantics, each user once,
// and every value must name a row (Django's ModelMultipleChoiceField
// messages); edge case 15: they apply on the detail route too.
func TestRelationFilters(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b, "/drf")
		f.staff("staff")
		for _, n := range []string{"ann", "bob", "cid", "dee"} {
			f.user(n, nil)
		}
		ctx := context.Background()
		g1, err := f.db.CreateGroup(ctx, "buyers")
		if err != nil {
			t.Fatal(err)
		}
		g2, err := f.db.CreateGroup(ctx, "sellers")
		if err != nil {
			t.Fatal(err)
		}
		g3, err := f.db.CreateGroup(ctx, "empty")
		if err != nil {
			t.Fatal(err)
		}
		view, err := f.db.FindPermission(ctx, "auth", "view_user")
		if err != nil {
			t.Fatal(err)
		}
		add, err := f.db.FindPermission(ctx, "auth", "add_user")
		if err != nil {
			t.Fatal(err)
		}
		set := func(name string, groups, perms []int64) {
			if err := f.db.SetUserGroups(ctx, f.ids[name], groups); err != nil {
				t.Fatal(err)
			}
			if err := f.db.SetUserPermissions(ctx, f.ids[name], perms); err != nil {
				t.Fatal(err)
			}
		}
		set("ann", []int64{g1.ID, g2.ID}, []int64{view.ID})
		set("bob", []int64{g1.ID}, nil)
		set("cid", []int64{g2.ID}, []int64{view.ID, add.ID})
		// dee has add_user only through a group: not a direct permission.
		if err := f.db.SetGroupPermissions(ctx, g3.ID, []int64{add.ID}); err != nil {
			t.Fatal(err)
		}
		set("dee", []int64{g3.ID}, nil)
		missing := g3.ID + 1000
		q := func(k string, vs ...any) string {
			v := url.Values{}
			for _, x := range vs {
				v.Add(k, fmt.Sprint(x))
			}
			return v.Encode()
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{q("groups", g1.ID), []string{"ann", "bob"}},
			{q("groups", g1.ID, g2.ID), []string{"ann", "bob", "cid"}}, // OR, ann once
			{q("groups", g1.ID, g1.ID), []string{"ann", "bob"}},
			{q("groups", g2.ID) + "&username=cid", []string{"cid"}},
			{q("groups", g2.ID) + "&" + q("user_permissions", add.ID), []string{"cid"}},
			{q("user_permissions", add.ID), []string{"cid"}}, // direct only: not dee
			{q("user_permissions", view.ID, add.ID) + "&sort=-id", []string{"cid", "ann"}},
			{q("groups", g3.ID) + "&is_active=false", nil},
		} {
			p := f.page(f.get("/users/?"+c.query, "staff"))
			if got := names(p); !slices.Equal(got, c.want) || p.Count != len(c.want) {
				t.Errorf("%s: %v (count %d), want %v", c.query, got, p.Count, c.want)
			}
		}
		for _, c := range []struct{ query, body string }{
			{"groups=abc", `{"groups":["“abc” is not a valid value."]}`},
			{"groups=", `{"groups":["“” is not a valid value."]}`},
			{q("groups", g1.ID, ""), `{"groups":["“” is not a valid value."]}`},
			{"groups=1.0", `{"groups":["“1.0” is not a valid value."]}`},
			{q("groups", missing), fmt.Sprintf(`{"groups":["Select a valid choice. %d is not one of the available choices."]}`, missing)},
			{q("groups", g1.ID, missing), fmt.Sprintf(`{"groups":["Select a valid choice. %d is not one of the available choices."]}`, missing)},
			// int() reads them, but only the id's own spelling is a choice.
			{q("groups", fmt.Sprintf("+%d", g1.ID)), fmt.Sprintf(`{"groups":["Select a valid choice. +%d is not one of the available choices."]}`, g1.ID)},
			{q("groups", "99999999999999999999"), `{"groups":["Select a valid choice. 99999999999999999999 is not one of the available choices."]}`},
			// A bad value beats an unknown id.
			{q("groups", missing, "x"), `{"groups":["“x” is not a valid value."]}`},
			{q("user_permissions", missing) + "&id__gt=abc", fmt.Sprintf(`{"id__gt":["Enter a number."],"user_permissions":["Select a valid choice. %d is not one of the available choices."]}`, missing)},
		} {
			f.want(f.get("/users/?"+c.query, "staff"), 400, c.body)
		}
		ann := fmt.Sprintf("/users/%d/", f.ids["ann"])
		if r := f.get(ann+"?"+q("groups", g2.ID, g3.ID), "staff"); r.Status != 200 {
			t.Errorf("detail in group: %d %s", r.Status, r.Body)
		}
		f.want(f.get(ann+"?"+q("groups", g3.ID), "staff"), 404, `{"detail":"Not found."}`)
		f.want(f.get(ann+"?groups=abc", "staff"), 400, `{"groups":["“abc” is not a valid value."]}`)
	})
}

// TestRelationFiltersHidden: with --drf-all-users a member is not shown
// others' groups and permissions, so filtering on them is 403 (as any
// filter on a hidden field), before ids are checked.
func TestRelationFiltersHidden(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b, "/drf", "--drf-all-users")
		f.user("me", nil)
		forbidden := `{"detail":"You do not have permission to perform this action."}`
		for _, q := range []string{"groups=1", "user_permissions=999", "groups=1&groups=2", `attributes={"a":1}`} {
			f.want(f.get("/users/?"+url.PathEscape(q), "me"), 403, forbidden)
		}
		f.want(f.get("/users/?groups=abc", "me"), 400, `{"groups":["“abc” is not a valid value."]}`)
		f.want(f.get("/users/?groups=1&id=x", "me"), 400, `{"id":["Enter a number."]}`)
	})
}

// TestAttributeFilters: the four JSON filters match users whose object
// contains the given one (jsonb @>), alike on both stores.
func TestAttributeFilters(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b, "/drf")
		f.staff("staff")
		obj := func(s string) json.RawMessage { return json.RawMessage(s) }
		f.user("ann", core.Patch{
			"attributes":        obj(`{"color":"red","size":42,"vip":true,"note":null,"tags":["a","b",{"k":1}],"addr":{"city":"Oslo","zip":"0150","geo":{"lat":59.9}}}`),
			"attributes_kwargs": obj(`{"x":1.5}`),
		})
		f.user("bob", core.Patch{
			"attributes":           obj(`{"color":"blue","size":42.0,"vip":false,"tags":["b"],"addr":{"city":"Bergen"}}`),
			"localized_attributes": obj(`{"name":{"tr":"Kırmızı","en":"Red"}}`),
		})
		f.user("cid", core.Patch{"localized_attributes_kwargs": obj(`{"n":[1,[2,3]]}`)})
		for _, c := range []struct {
			query string
			want  []string
		}{
			{`attributes={"color":"red"}`, []string{"ann"}},
			{`attributes={"size":42}`, []string{"ann", "bob"}}, // 42 = 42.0
			{`attributes={"size":42.0,"vip":false}`, []string{"bob"}},
			{`attributes={"vip":true}`, []string{"ann"}},
			{`attributes={"note":null}`, []string{"ann"}},
			{`attributes={"color":"green"}`, nil},
			{`attributes={"size":"42"}`, nil}, // types differ
			{`attributes={"tags":["b"]}`, []string{"ann", "bob"}},
			{`attributes={"tags":["b","a"]}`, []string{"ann"}},
			{`attributes={"tags":[{"k":1}]}`, []string{"ann"}},
			{`attributes={"tags":[]}`, []string{"ann", "bob"}},
			{`attributes={"tags":"b"}`, nil}, // an array does not contain a scalar below the top
			{`attributes={"addr":{"city":"Oslo"}}`, []string{"ann"}},
			{`attributes={"addr":{"geo":{"lat":59.9}}}`, []string{"ann"}},
			{`attributes={"addr":{}}`, []string{"ann", "bob"}},
			{`attributes={"addr":{"city":"Oslo","zip":"x"}}`, nil},
			{`attributes_kwargs={"x":1.5}`, []string{"ann"}},
			{`localized_attributes={"name":{"tr":"Kırmızı"}}`, []string{"bob"}},
			{`localized_attributes_kwargs={"n":[[3]]}`, []string{"cid"}},
			{`localized_attributes_kwargs={"n":[3]}`, nil},
			{`attributes={"color":"red"}&username=bob`, nil},
			{`attributes=`, []string{"staff", "ann", "bob", "cid"}},
			{`attributes={}`, []string{"staff", "ann", "bob", "cid"}},
			{`attributes=null`, []string{"staff", "ann", "bob", "cid"}},
		} {
			p := f.page(f.get("/users/?"+url.PathEscape(c.query), "staff"))
			if got := names(p); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.query, got, c.want)
			}
		}
		for _, c := range []struct{ query, body string }{
			{`attributes={"a":`, `{"attributes":["Enter a valid JSON."]}`},
			{`attributes=red`, `{"attributes":["Enter a valid JSON."]}`},
			{`attributes=%20`, `{"attributes":["Enter a valid JSON."]}`},
			{`localized_attributes_kwargs=[1]`, `{"localized_attributes_kwargs":["Enter a valid JSON."]}`},
			{`attributes_kwargs=5&localized_attributes={x}`, `{"attributes_kwargs":["Enter a valid JSON."],"localized_attributes":["Enter a valid JSON."]}`},
		} {
			f.want(f.get("/users/?"+c.query, "staff"), 400, c.body)
		}
		ann := fmt.Sprintf("/users/%d/", f.ids["ann"])
		f.want(f.get(ann+"?"+url.PathEscape(`attributes={"color":"blue"}`), "staff"), 404, `{"detail":"Not found."}`)
		if r := f.get(ann+"?"+url.PathEscape(`attributes={"color":"red"}`), "staff"); r.Status != 200 {
			t.Errorf("detail: %d %s", r.Status, r.Body)
		}
	})
}
