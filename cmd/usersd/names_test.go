package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// TestNamesReport: rows from before the skeleton column get their
// skeletons at migrate time, the earlier of two look-alikes keeps it, and
// the later one is left as it is and reported: by migrate and serve at
// start, and by "names check", which also lists names the rule refuses.
func TestNamesReport(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		ctx := context.Background()
		noEnv := func(string) string { return "" }
		cmd := func(args ...string) (string, string, error) {
			var out, errb bytes.Buffer
			err := run(ctx, append(args, b.Args...), noEnv, &out, &errb)
			return out.String(), errb.String(), err
		}
		db := b.Open(t)
		svc := core.NewService(db)
		mk := func(name string) int64 {
			u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		first, second, star, plain := mk("first"), mk("second"), mk("star"), mk("plain")
		// As the rows were before migration 004 (and before the rule).
		ph := db.F.Placeholder
		for id, name := range map[int64]string{first: "аdmin", second: "Admin", star: "star★", plain: "plain"} {
			if _, err := db.W.ExecContext(ctx, "UPDATE users SET name = "+ph(1)+", name_key = "+ph(2)+", name_skeleton = NULL WHERE id = "+ph(3),
				name, core.Fold(name), id); err != nil {
				t.Fatal(err)
			}
		}
		skeletons := func() map[int64]any {
			t.Helper()
			out := map[int64]any{}
			rows, err := db.R.QueryContext(ctx, "SELECT id, name_skeleton FROM users")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var sk *string
				if err := rows.Scan(&id, &sk); err != nil {
					t.Fatal(err)
				}
				out[id] = nil
				if sk != nil {
					out[id] = *sk
				}
			}
			return out
		}

		out, logged, err := cmd("migrate")
		if err != nil {
			t.Fatalf("migrate: %v\n%s", err, logged)
		}
		wantLog := fmt.Sprintf(`id=%d name=Admin looks_like_id=%d looks_like=аdmin`, second, first)
		if !strings.Contains(logged, "name looks like an earlier user's") || !strings.Contains(logged, wantLog) || !strings.Contains(out, "schema at version") {
			t.Errorf("migrate printed %q, logged\n%s\nwant a warning with %s", out, logged, wantLog)
		}
		sk := skeletons()
		if sk[first] != core.NameSkeleton("admin") || sk[second] != nil || sk[star] != core.NameSkeleton("star★") || sk[plain] != "plain" {
			t.Errorf("skeletons after migrate: %v", sk)
		}
		for id, want := range map[int64]string{first: "аdmin", second: "Admin", star: "star★"} {
			if u, err := db.FindUserByID(ctx, id); err != nil || u.Name != want {
				t.Errorf("user %d: %v %v, want %q unchanged", id, u, err, want)
			}
		}

		// The server says so at start too.
		s := startServer(t, b)
		if !strings.Contains(s.WaitLog(wantLog), wantLog) {
			t.Errorf("serve did not report the look-alike:\n%s", s.Log())
		}

		out, _, err = cmd("names", "check")
		for _, line := range []string{
			fmt.Sprintf("lookalike\tid %d\t\"Admin\"\tlooks like id %d\t\"аdmin\"\n", second, first),
			fmt.Sprintf("rule\tid %d\t\"star★\"\tmay not contain '★' (U+2605): a name is letters, digits, combining marks and ASCII punctuation\n", star),
		} {
			if !strings.Contains(out, line) {
				t.Errorf("names check printed\n%s\nwant the line %q", out, line)
			}
		}
		if err == nil || !strings.Contains(err.Error(), "1 look-alike names, 1 names outside the name rule") {
			t.Errorf("names check: %v", err)
		}

		// Once an operator renames them, the report is clean.
		for id, name := range map[int64]string{second: "admin2", star: "star"} {
			if _, err := svc.UpdateUser(ctx, core.System, id, core.Update{Fields: core.Patch{"name": name}}); err != nil {
				t.Fatal(err)
			}
		}
		if out, _, err = cmd("names", "check"); err != nil || !strings.Contains(out, "every name is unique by skeleton") {
			t.Errorf("names check after renames: %q %v", out, err)
		}
		if sk := skeletons(); sk[second] != "adrnin2" {
			t.Errorf("renamed user's skeleton = %v", sk[second])
		}
	})
}
