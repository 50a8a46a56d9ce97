package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/xid"

	"usersd/internal/core"
	"usersd/internal/query"
)

// NewMemberPatch returns the patch the service would write for a new
// member of user userID.
func NewMemberPatch(userID int64, name string, at time.Time) core.Patch {
	seq.Lock()
	seq.n++
	n := seq.n
	seq.Unlock()
	sid := make([]byte, 6)
	for i, k := 0, n; i < 6; i, k = i+1, k/26 {
		sid[5-i] = byte('a' + k%26)
	}
	return core.Patch{
		"user_id": userID, "name": name, "name_key": core.Fold(name),
		"xid": xid.NewWithTime(at).String(), "sid": string(sid),
		"created_at": at, "updated_at": at,
	}
}

// MustCreateMember creates a member with extra fields.
func MustCreateMember(tb testing.TB, s core.Store, userID int64, name string, extra core.Patch) *core.Member {
	tb.Helper()
	p := NewMemberPatch(userID, name, time.Now().UTC().Truncate(time.Microsecond))
	for k, v := range extra {
		p[k] = v
	}
	m, err := s.CreateMember(context.Background(), p)
	if err != nil {
		tb.Fatalf("create member %q: %v", name, err)
	}
	return m
}

func memberIDs(ms []*core.Member) []int64 {
	out := []int64{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func wantCode(t *testing.T, what string, err error, code core.Code, field string) {
	t.Helper()
	e := core.AsError(err)
	if core.ErrorCode(err) != code || (field != "" && e.Fields[field] == "") {
		t.Errorf("%s: err = %v (fields %v), want %v on %q", what, err, e.Fields, code, field)
	}
}

func testMembers(t *testing.T, s core.Store) {
	ctx := context.Background()
	owner := MustCreate(t, s, "owner", nil)
	other := MustCreate(t, s, "other", nil)
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	p := NewMemberPatch(owner.ID, "Ash", at)
	p["bio"] = "hello"
	p["links"] = json.RawMessage(`["https://a.example"]`)
	m, err := s.CreateMember(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID <= 0 || m.UserID != owner.ID || m.Name != "Ash" || m.NameKey != "ash" || m.Bio == nil || *m.Bio != "hello" ||
		string(m.Pronouns) != "[]" || m.Unlisted || !m.CreatedAt.Equal(at) || len(m.SID) != 6 {
		t.Fatalf("created %+v", m)
	}
	for name, find := range map[string]func() (*core.Member, error){
		"id":   func() (*core.Member, error) { return s.FindMemberByID(ctx, m.ID) },
		"xid":  func() (*core.Member, error) { return s.FindMemberByXID(ctx, m.XID) },
		"sid":  func() (*core.Member, error) { return s.FindMemberBySID(ctx, m.SID) },
		"name": func() (*core.Member, error) { return s.FindMemberByNameKey(ctx, owner.ID, "ash") },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("find by %s: %v", name, err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("find by %s (-created +found):\n%s", name, diff)
		}
	}
	if _, err := s.FindMemberByNameKey(ctx, other.ID, "ash"); core.ErrorCode(err) != core.NotFound {
		t.Errorf("another user's member by name: %v, want NotFound", err)
	}
	if _, err := s.FindMemberByID(ctx, m.ID+1000); core.ErrorCode(err) != core.NotFound {
		t.Errorf("missing member: %v, want NotFound", err)
	}

	// Uniqueness: name within a user (folded), sid and xid everywhere.
	MustCreateMember(t, s, other.ID, "ASH", nil) // another user may reuse the name
	dup := NewMemberPatch(owner.ID, "ASH", at)
	_, err = s.CreateMember(ctx, dup)
	wantCode(t, "same name, same user", err, core.Conflict, "name")
	dup = NewMemberPatch(owner.ID, "Birch", at)
	dup["sid"] = m.SID
	_, err = s.CreateMember(ctx, dup)
	wantCode(t, "same sid", err, core.Conflict, "sid")
	dup = NewMemberPatch(owner.ID, "Birch", at)
	dup["xid"] = m.XID
	_, err = s.CreateMember(ctx, dup)
	wantCode(t, "same xid", err, core.Conflict, "xid")
	bad := NewMemberPatch(owner.ID, "Birch", at)
	bad["level"] = int64(20)
	_, err = s.CreateMember(ctx, bad)
	wantCode(t, "a users field", err, core.Invalid, "level")
	_, err = s.CreateMember(ctx, NewMemberPatch(owner.ID+1000, "Birch", at))
	wantCode(t, "missing owner", err, core.Invalid, "")

	// Update, partial.
	later := at.Add(time.Hour)
	got, err := s.UpdateMember(ctx, m.ID, core.Patch{"name": "Ashley", "name_key": "ashley", "bio": nil, "unlisted": true, "updated_at": later})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ashley" || got.Bio != nil || !got.Unlisted || !got.UpdatedAt.Equal(later) || string(got.Links) == "[]" {
		t.Errorf("updated %+v", got)
	}
	_, err = s.UpdateMember(ctx, m.ID+1000, core.Patch{"bio": "x"})
	wantCode(t, "update missing", err, core.NotFound, "")
	_, err = s.UpdateMember(ctx, m.ID+1000, core.Patch{})
	wantCode(t, "empty update of missing", err, core.NotFound, "")
	b := MustCreateMember(t, s, owner.ID, "birch", nil)
	_, err = s.UpdateMember(ctx, b.ID, core.Patch{"name": "ASHLEY", "name_key": "ashley"})
	wantCode(t, "rename onto a taken name", err, core.Conflict, "name")

	// Delete.
	if err := s.DeleteMember(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindMemberByID(ctx, b.ID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("deleted member found: %v", err)
	}
	wantCode(t, "delete again", s.DeleteMember(ctx, b.ID), core.NotFound, "")
}

// testMemberList lists a user's members through the registry's filter,
// order and keyset machinery.
func testMemberList(t *testing.T, s core.Store) {
	ctx := context.Background()
	owner := MustCreate(t, s, "owner", nil)
	other := MustCreate(t, s, "other", nil)
	names := []string{"delta", "Alpha", "charlie", "Bravo", "echo", "Foxtrot"}
	var ms []*core.Member
	for i, n := range names {
		ms = append(ms, MustCreateMember(t, s, owner.ID, n, core.Patch{"unlisted": i%2 == 1}))
		MustCreateMember(t, s, other.ID, n, nil) // never in owner's lists
	}
	pick := func(is ...int) []int64 {
		out := []int64{}
		for _, i := range is {
			out = append(out, ms[i].ID)
		}
		return out
	}
	byName := []query.Order{{Field: "name"}, {Field: "id"}}
	for _, tt := range []struct {
		name   string
		filter query.Expr
		order  []query.Order
		want   []int64
	}{
		{"all by id", nil, nil, pick(0, 1, 2, 3, 4, 5)},
		{"by name, folded", nil, byName, pick(1, 3, 2, 0, 4, 5)},
		{"by name desc", nil, []query.Order{{Field: "name", Desc: true}, {Field: "id", Desc: true}}, pick(5, 4, 0, 2, 3, 1)},
		{"listed only, by name", &query.Cond{Field: "unlisted", Op: query.Eq, Value: false}, byName, pick(2, 0, 4)},
		{"name prefix folds", &query.Cond{Field: "name", Op: query.Prefix, Value: "B"}, byName, pick(3)},
		{"name contains", &query.Cond{Field: "name", Op: query.Contains, Value: "HA"}, byName, pick(1, 2)},
		{"sub-select on the owner", query.Sub{Field: "user_id", Filter: &query.Cond{Field: "name", Op: query.Eq, Value: "OWNER"}}, nil, pick(0, 1, 2, 3, 4, 5)},
	} {
		got, total, err := s.FindMembers(ctx, owner.ID, query.List{Filter: tt.filter, Order: tt.order, Limit: 100, Total: true})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, memberIDs(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if total != len(tt.want) {
			t.Errorf("%s: total %d, want %d", tt.name, total, len(tt.want))
		}
	}
	// Keyset pages of 2 by name walk the same sequence.
	var walked []*core.Member
	var after []any
	for range 5 {
		page, _, err := s.FindMembers(ctx, owner.ID, query.List{Order: byName, Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, page...)
		if len(page) < 2 {
			break
		}
		last := page[len(page)-1]
		after = []any{core.Members.SortValue(core.Members.ByName("name"), last), last.ID}
	}
	if diff := cmp.Diff(pick(1, 3, 2, 0, 4, 5), memberIDs(walked)); diff != "" {
		t.Errorf("keyset walk (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name string
		q    query.List
	}{
		{"users field", query.List{Filter: &query.Cond{Field: "level", Op: query.Eq, Value: int64(20)}, Limit: 10}},
		{"past name", query.List{Filter: &query.Cond{Field: query.PastName, Op: query.Eq, Value: "x"}, Limit: 10}},
		{"order by users field", query.List{Order: []query.Order{{Field: "email"}}, Limit: 10}},
	} {
		if _, _, err := s.FindMembers(ctx, owner.ID, tt.q); core.ErrorCode(err) != core.Invalid {
			t.Errorf("%s: %v, want Invalid", tt.name, err)
		}
	}
}
