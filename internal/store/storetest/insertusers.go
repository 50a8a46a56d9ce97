package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"usersd/internal/core"
)

// testInsertUsers: InsertUsers under BulkLoad writes rows that name
// different fields in order, each lacking field taking the default a
// CreateUser gives; a failing row stops it with the rows before its
// statement written and counted, and none after.
func testInsertUsers(t *testing.T, s core.Store) {
	ctx := context.Background()
	done, err := s.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	at := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	shaped := func(i int) core.Patch {
		p := NewUserPatch(fmt.Sprintf("bulk%d", i), at.Add(time.Duration(i)*time.Second))
		if i%2 == 0 {
			p["email"], p["email_key"] = fmt.Sprintf("b%d@example.com", i), fmt.Sprintf("b%d@example.com", i)
		}
		if i%3 == 0 {
			p["bio"] = "hello"
			p["level"] = int64(30)
		}
		if i%5 == 0 {
			p["links"] = json.RawMessage(`["https://b.example"]`)
			p["blacklisted_tags"] = ""
		}
		return p
	}
	const total = 300
	var ps []core.Patch
	for i := range total {
		ps = append(ps, shaped(i))
	}
	var n int
	err = s.Tx(ctx, func(tx core.Store) error {
		var err error
		n, err = tx.InsertUsers(ctx, ps)
		return err
	})
	if err != nil || n != total {
		t.Fatalf("insert: %d, %v", n, err)
	}
	var prev int64
	for i := range total {
		u, err := s.FindUserByNameKey(ctx, fmt.Sprintf("bulk%d", i))
		if err != nil {
			t.Fatalf("bulk%d: %v", i, err)
		}
		if u.ID <= prev {
			t.Errorf("bulk%d: id %d after %d, want input order", i, u.ID, prev)
		}
		prev = u.ID
		if (i%2 == 0) != (u.Email != nil) || (i%3 == 0) != (u.Bio != nil) || (i%3 == 0) != (u.Level == 30) {
			t.Errorf("bulk%d: email %v bio %v level %d", i, u.Email, u.Bio, u.Level)
		}
	}

	// A row that names few fields stores what CreateUser stores.
	ref, err := s.CreateUser(ctx, NewUserPatch("ref", at))
	if err != nil {
		t.Fatal(err)
	}
	var k int
	if err := s.Tx(ctx, func(tx core.Store) error {
		var err error
		k, err = tx.InsertUsers(ctx, []core.Patch{shaped(1000), NewUserPatch("plain", at)})
		return err
	}); err != nil || k != 2 {
		t.Fatalf("insert: %d, %v", k, err)
	}
	got, err := s.FindUserByNameKey(ctx, "plain")
	if err != nil {
		t.Fatal(err)
	}
	got.ID, got.XID, got.SID, got.Name, got.NameKey = ref.ID, ref.XID, ref.SID, ref.Name, ref.NameKey
	if diff := cmp.Diff(ref, got, cmpopts.EquateComparable(netip.Addr{}), cmpopts.IgnoreUnexported(core.User{})); diff != "" {
		t.Errorf("InsertUsers vs CreateUser (-created +inserted):\n%s", diff)
	}

	// A duplicate name far into the rows: the statements before it stay.
	ps = ps[:0]
	for i := range total {
		ps = append(ps, shaped(2000+i))
	}
	ps[250]["name"], ps[250]["name_key"] = "bulk7", "bulk7"
	err = s.Tx(ctx, func(tx core.Store) error {
		n, err = tx.InsertUsers(ctx, ps)
		if core.ErrorCode(err) != core.Conflict {
			return fmt.Errorf("insert with a duplicate: %d, %v; want a conflict", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n > 250 {
		t.Fatalf("%d rows reported written, past the duplicate at 250", n)
	}
	for i := range total {
		if i == 250 {
			continue
		}
		_, err := s.FindUserByNameKey(ctx, fmt.Sprintf("bulk%d", 2000+i))
		if stored := err == nil; stored != (i < n) {
			t.Errorf("row %d of %d written: stored %v (%v)", i, n, stored, err)
		}
	}
}
