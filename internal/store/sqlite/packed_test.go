package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
	"usersd/internal/store/sqlite"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

// tricky is text that JSON must escape, or that a careless unpacker would
// mangle: quotes, backslashes, control characters, a JSON-looking value,
// characters beyond the BMP (surrogate pairs when escaped), U+2028.
const tricky = "q\"uote \\back\\ /slash\n\t\r\b\f \x01\x1f {\"a\":1} [null] é 漢字 😀 \u2028\u2029 \\u0041"

// TestPackedRowsMatchColumns: with every field of a user set to values
// that stress the packing, a read through the packed select fills the
// record exactly as a read of the columns does: by id, in a page (both
// orders), and after an update.
func TestPackedRowsMatchColumns(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	flavor := *db.F
	flavor.PackRow = nil
	columns := &sqlstore.DB{R: db.R, W: db.W, F: &flavor}

	base := storetest.MustCreate(t, db, "packed_base", nil)
	set := 0
	for i, f := range core.Fields {
		if f.Generated || f.Name == "id" {
			continue
		}
		for _, v := range valuesFor(f, i) {
			if _, err := db.UpdateUser(ctx, base.ID, core.Patch{f.Name: v}, core.UpdateMeta{}); err == nil {
				set++
				break
			}
		}
	}
	if set < len(core.Fields)/2 {
		t.Fatalf("only %d of %d fields took a value", set, len(core.Fields))
	}
	u := storetest.MustCreate(t, db, "packed_two", core.Patch{"bio": tricky, "last_ip": netip.MustParseAddr("2001:db8::1")})
	storetest.MustCreate(t, db, "packed_null", nil)

	for _, id := range []int64{base.ID, u.ID, u.ID + 1} {
		got, err := db.FindUserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want, err := columns.FindUserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("user %d: packed read differs from the columns' read:\n%s", id, diff(got, want))
		}
	}
	for _, order := range [][]query.Order{nil, {{Field: "name"}}} {
		q := query.List{Limit: 10, Order: order}
		got, _, err := db.FindUsers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := columns.FindUsers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || !reflect.DeepEqual(got, want) {
			t.Errorf("page ordered by %v: packed read differs from the columns' read (%d vs %d rows)", order, len(got), len(want))
		}
	}
}

// valuesFor returns values to try for f, most demanding first: the
// schema's checks refuse some of them for some fields.
func valuesFor(f *core.Field, i int) []any {
	switch f.Kind {
	case core.KindInt:
		return []any{int64(-1) << 62, int64(1) << 40, int64(7), int64(1)}
	case core.KindBool:
		return []any{true}
	case core.KindText:
		return []any{tricky + fmt.Sprint(i), fmt.Sprintf("v%d", i), "en", "UTC"}
	case core.KindTime:
		return []any{time.Date(2031, 5, 6, 7, 8, 9, 123456000, time.UTC)}
	case core.KindDate:
		return []any{core.Date("1990-02-03")}
	case core.KindJSON:
		if f.Shape == '[' {
			return []any{json.RawMessage(`["` + "a\\\"b\\u00e9\\ud83d\\ude00" + `"]`), json.RawMessage(`[]`)}
		}
		return []any{json.RawMessage(`{"k":"v\\n"}`), json.RawMessage(`{}`)}
	case core.KindIP:
		return []any{netip.MustParseAddr("192.0.2.7")}
	}
	return nil
}

func diff(a, b *core.User) string {
	var out string
	for _, f := range core.Fields {
		if x, y := f.Value(a), f.Value(b); !reflect.DeepEqual(x, y) {
			out += fmt.Sprintf("%s: %#v vs %#v\n", f.Name, x, y)
		}
	}
	return out
}

// BenchmarkPackedRead compares the packed select with the columns' on
// the same seeded table, in one run:
//
//	go test -run '^$' -bench PackedRead ./internal/store/sqlite/
func BenchmarkPackedRead(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, testdb.SQLitePath(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	users := storetest.Seed(b, db, 5000)
	flavor := *db.F
	flavor.PackRow = nil
	columns := &sqlstore.DB{R: db.R, W: db.W, F: &flavor}
	for _, s := range []struct {
		name string
		db   *sqlstore.DB
	}{{"packed", db}, {"columns", columns}} {
		b.Run("GetByID/"+s.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				if _, err := s.db.FindUserByID(ctx, users[i%len(users)].ID); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("List20/"+s.name, func(b *testing.B) {
			for b.Loop() {
				if us, _, err := s.db.FindUsers(ctx, query.List{Limit: 21}); err != nil || len(us) != 21 {
					b.Fatal(len(us), err)
				}
			}
		})
	}
}
