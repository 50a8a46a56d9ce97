package core_test

import (
	"context"
	"fmt"
	"testing"

	"usersd/internal/core"
)

// BenchmarkUpdateUser times an admin's one-field update of a user on
// SQLite: the write, its checks and (with the audit log) its entry, in
// one transaction.
func BenchmarkUpdateUser(b *testing.B) {
	ctx := context.Background()
	svc, db := newService(&testing.T{})
	defer db.Close()
	admin, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "bench_admin", Fields: core.Patch{"level": int64(core.LevelAdmin)}})
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "bench_target"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := svc.UpdateUser(ctx, admin, u.ID, core.Update{Fields: core.Patch{"bio": fmt.Sprint("bio ", i)}}); err != nil {
			b.Fatal(err)
		}
	}
}
