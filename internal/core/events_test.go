package core_test

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"usersd/internal/core"
)

// recordEvents keeps what the core reported.
type recordEvents struct {
	mu     sync.Mutex
	failed int
	limits []string
}

func (r *recordEvents) LoginFailed() { r.mu.Lock(); r.failed++; r.mu.Unlock() }
func (r *recordEvents) RateLimited(b string) {
	r.mu.Lock()
	r.limits = append(r.limits, b)
	r.mu.Unlock()
}

// TestEvents: wrong passwords and lock-outs are reported, by limit.
func TestEvents(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	ev := &recordEvents{}
	svc.Events = ev
	svc.AccountLimit = core.LoginLimit(core.LoginAccount, 2)
	svc.AddrLimit = core.LoginLimit(core.LoginAddr, 3)
	if _, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "evented", Password: "password-evented"}); err != nil {
		t.Fatal(err)
	}
	addr := netip.MustParseAddr("192.0.2.1")
	login := func(name, password string) core.Code {
		_, _, _, err := svc.Login(ctx, name, password, addr)
		return core.ErrorCode(err)
	}
	steps := []struct {
		name string
		want core.Code
	}{
		{"evented", core.Unauthenticated},
		{"evented", core.Unauthenticated},
		{"evented", core.RateLimited}, // the account's limit of 2
		{"nobody", core.Unauthenticated},
		{"nobody", core.RateLimited}, // the address's limit of 3
	}
	for i, s := range steps {
		if got := login(s.name, "wrong password"); got != s.want {
			t.Fatalf("step %d: %v, want %v", i, got, s.want)
		}
	}
	if ev.failed != 3 || !slices.Equal(ev.limits, []string{"account", "addr"}) {
		t.Errorf("failed %d, limits %v; want 3, [account addr]", ev.failed, ev.limits)
	}
	svc.Events = nil // the default observes nothing and does not fail
	if got := login("evented", "wrong password"); got != core.RateLimited {
		t.Errorf("without events: %v", got)
	}
}
