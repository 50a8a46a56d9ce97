package core

import "strings"

// Events observes the core's decisions on logins, for metrics and alerts.
// Methods must be quick and cannot fail; a nil Service.Events observes
// nothing.
type Events interface {
	// LoginFailed is a login refused for a wrong name or password.
	LoginFailed()
	// RateLimited is a login refused by a failed-login limiter; bucket
	// names the limit: "account" or "addr".
	RateLimited(bucket string)
}

// events returns s.Events, or an observer that ignores everything.
func (s *Service) events() Events {
	if s.Events == nil {
		return noEvents{}
	}
	return s.Events
}

type noEvents struct{}

func (noEvents) LoginFailed()       {}
func (noEvents) RateLimited(string) {}

// limitBucket names the limit a limiter key belongs to, from the prefix
// Login gives it.
func limitBucket(key string) string {
	switch {
	case strings.HasPrefix(key, "acct:"):
		return "account"
	case strings.HasPrefix(key, "addr:"):
		return "addr"
	}
	return "other"
}
