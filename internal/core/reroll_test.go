package core_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/store/storetest"
)

var userSID = regexp.MustCompile(`^[a-z]{5}$`)

func TestRerollSID(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		face := svc.Face(core.NativeProfile)
		u := storetest.MustCreate(t, db, "roller", core.Patch{"password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"})
		clock := time.Now().UTC().Truncate(time.Microsecond) // after the user's last reroll, an hour before its creation
		svc.Now = func() time.Time { return clock }

		// A new user may reroll at once.
		got, err := face.RerollSID(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if got.SID == u.SID || !userSID.MatchString(got.SID) {
			t.Errorf("sid %q → %q, want a new 5-letter one", u.SID, got.SID)
		}
		if !got.LastSIDRerollAt.Equal(clock) || !got.UpdatedAt.Equal(clock) {
			t.Errorf("last reroll %v, updated %v; want both %v", got.LastSIDRerollAt, got.UpdatedAt, clock)
		}
		if got.PasswordHash != nil {
			t.Error("the rerolled user comes back with its password hash")
		}
		if stored, _ := db.FindUserByID(ctx, u.ID); stored.SID != got.SID {
			t.Errorf("stored sid %q, returned %q", stored.SID, got.SID)
		}

		// Then once per cooldown, counted from the last reroll.
		_, err = face.RerollSID(ctx, u)
		wantProblem(t, "at once again", err, core.Forbidden, core.ReasonRerollTooSoon, "", "")
		if ra := core.AsError(err).RetryAfter; ra != time.Hour {
			t.Errorf("retry after %v, want 1h", ra)
		}
		clock = clock.Add(59 * time.Minute)
		_, err = face.RerollSID(ctx, u)
		if ra := core.AsError(err).RetryAfter; core.ErrorReason(err) != core.ReasonRerollTooSoon || ra != time.Minute {
			t.Errorf("after 59 minutes: %v, retry after %v; want 1m", err, ra)
		}
		if stored, _ := db.FindUserByID(ctx, u.ID); stored.SID != got.SID {
			t.Errorf("refused reroll changed the sid to %q", stored.SID)
		}
		clock = clock.Add(time.Minute)
		if again, err := face.RerollSID(ctx, u); err != nil || again.SID == got.SID {
			t.Errorf("after the cooldown: %v, %v", again, err)
		}

		svc.RerollCooldown = 10 * time.Minute
		clock = clock.Add(10 * time.Minute)
		if _, err := face.RerollSID(ctx, u); err != nil {
			t.Errorf("after a shorter cooldown: %v", err)
		}

		_, err = face.RerollSID(ctx, nil)
		wantProblem(t, "anonymous", err, core.Unauthenticated, "", "", "")
		banned := storetest.MustCreate(t, db, "banned", core.Patch{"banned": true})
		_, err = face.RerollSID(ctx, banned)
		wantProblem(t, "banned", err, core.Forbidden, core.ReasonUserBanned, "", "")
	})
}

// TestRerollConcurrent: of concurrent rerolls of one user, one wins.
func TestRerollConcurrent(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		face := svc.Face(core.NativeProfile)
		u := storetest.MustCreate(t, db, "racer", nil)
		const racers = 8
		var wg sync.WaitGroup
		sids := make(chan string, racers)
		for range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := face.RerollSID(ctx, u)
				switch {
				case err == nil:
					sids <- got.SID
				case core.ErrorReason(err) != core.ReasonRerollTooSoon:
					t.Errorf("racer: %v", err)
				}
			}()
		}
		wg.Wait()
		close(sids)
		var won []string
		for s := range sids {
			won = append(won, s)
		}
		if len(won) != 1 {
			t.Fatalf("%d of %d rerolls won (%v), want 1", len(won), racers, won)
		}
		if stored, _ := db.FindUserByID(ctx, u.ID); stored.SID != won[0] {
			t.Errorf("stored sid %q, the winner's %q", stored.SID, won[0])
		}
	})
}

func TestLinkedAccountsVisibility(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		face := svc.Face(core.NativeProfile)
		u := storetest.MustCreate(t, db, "linked", nil)
		other := storetest.MustCreate(t, db, "other", nil)
		admin := storetest.MustCreate(t, db, "admin", core.Patch{"level": int64(core.LevelOwner)})
		a := core.LinkedAccount{Provider: "tumblr", RemoteID: "t1", RemoteUsername: ptr("ash")}
		if err := db.SetLinkedAccount(ctx, u.ID, a, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, err := face.LinkedAccounts(ctx, u, u); err != nil || len(got) != 1 || got[0].RemoteID != "t1" || *got[0].RemoteUsername != "ash" {
			t.Errorf("own: %+v, %v", got, err)
		}
		for what, viewer := range map[string]*core.User{"anonymous": nil, "another user": other, "the owner": admin} {
			if got, err := face.LinkedAccounts(ctx, viewer, u); err != nil || got != nil {
				t.Errorf("%s sees %+v, %v; want nil", what, got, err)
			}
		}
	})
}

func TestSpend(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	face := svc.Face(core.NativeProfile)
	l := core.Limit{Name: "patch-me", Rate: 10, Period: time.Minute, Burst: 10}
	r, err := face.Spend(ctx, l, "user:1", 10)
	if err != nil || !r.Allowed || r.Remaining != 0 || r.Limit != l {
		t.Fatalf("spend the burst: %+v, %v", r, err)
	}
	r, err = face.Spend(ctx, l, "user:1", 1)
	if err != nil || r.Allowed || r.RetryAfter <= 0 || r.RetryAfter > 6*time.Second {
		t.Errorf("one more: %+v, %v; want refused, retry within 6s", r, err)
	}
	if r, err := face.Spend(ctx, l, "user:2", 1); err != nil || !r.Allowed || r.Remaining != 9 {
		t.Errorf("another key: %+v, %v", r, err)
	}
	other := l
	other.Name = "get-users"
	if r, err := face.Spend(ctx, other, "user:1", 1); err != nil || !r.Allowed {
		t.Errorf("another bucket of the same key: %+v, %v", r, err)
	}
	for what, c := range map[string]struct {
		l core.Limit
		n int
	}{
		"no name":      {core.Limit{Rate: 1, Period: time.Second, Burst: 1}, 1},
		"colon":        {core.Limit{Name: "a:b", Rate: 1, Period: time.Second, Burst: 1}, 1},
		"zero rate":    {core.Limit{Name: "z", Period: time.Second, Burst: 1}, 1},
		"past burst":   {l, 11},
		"negative n":   {l, -1},
		"zero period":  {core.Limit{Name: "p", Rate: 1, Burst: 1}, 1},
		"zero burst":   {core.Limit{Name: "b", Rate: 1, Period: time.Second}, 1},
		"tiny refills": {core.Limit{Name: "t", Rate: 1 << 30, Period: time.Second, Burst: 1}, 1},
	} {
		if _, err := face.Spend(ctx, c.l, "k", c.n); core.ErrorCode(err) != core.Internal {
			t.Errorf("%s: %v, want Internal", what, err)
		}
	}
}
