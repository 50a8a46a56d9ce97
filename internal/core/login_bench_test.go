package core_test

import (
	"context"
	"net/netip"
	"testing"

	"usersd/internal/core"
)

// BenchmarkLogin times a password login on SQLite with the default
// argon2id parameters: the hash, the token and the login.succeeded
// entry, one login at a time.
func BenchmarkLogin(b *testing.B) {
	ctx := context.Background()
	svc, db := newService(&testing.T{})
	defer db.Close()
	if _, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "bench_login", Password: "bench password"}); err != nil {
		b.Fatal(err)
	}
	addr := netip.MustParseAddr("192.0.2.1")
	for b.Loop() {
		if _, _, _, err := svc.Login(ctx, "bench_login", "bench password", addr); err != nil {
			b.Fatal(err)
		}
	}
}
