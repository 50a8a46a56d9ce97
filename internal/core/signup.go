package core

import (
	"context"
	"net/netip"
	"time"
)

// SignupAddr names the bucket of anonymous sign-ups per client address.
const SignupAddr = "signup-addr"

// DefaultSignupsPerAddr is how many accounts one address (IPv6: one /64)
// may sign up per SignupPeriod: a household or an office behind one
// address signs up a few, a script thousands.
const DefaultSignupsPerAddr = 20

// SignupPeriod is the period over which sign-ups are counted.
const SignupPeriod = time.Hour

// SignupAddrLimit allows n sign-ups from one address at once, refilling
// to n over SignupPeriod.
func SignupAddrLimit(n int) Limit {
	return Limit{Name: SignupAddr, Rate: n, Period: SignupPeriod, Burst: n}
}

// throttleSignup spends n units (0: peeks) of the sign-up bucket of addr,
// and answers RateLimited when they are not there. Creates by staff and
// by the CLI never come here.
func (s *Service) throttleSignup(ctx context.Context, addr netip.Addr, n int) error {
	if s.SignupLimit == (Limit{}) {
		return nil
	}
	r, err := s.Limiter.Allow(ctx, s.SignupLimit, addrKey(addr), n)
	if err != nil {
		return err
	}
	if !r.Allowed {
		return &Error{Code: RateLimited, Reason: ReasonTooManySignups, Message: "Too many sign-ups from this address; try again later.", RetryAfter: r.RetryAfter}
	}
	return nil
}
