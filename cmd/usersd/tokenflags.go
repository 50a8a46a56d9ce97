package main

import (
	"flag"
	"fmt"
	"time"

	"usersd/internal/core"
)

// tokenFlags are serve's token lifetime and cap flags.
type tokenFlags struct {
	loginTTL, apiTTL, apiMaxTTL time.Duration
	maxTokens                   int
}

func (tf *tokenFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&tf.loginTTL, "login-token-ttl", core.DefaultLoginTTL, "how long a login token lives unused (each use extends it); 0 never expires")
	fs.DurationVar(&tf.apiTTL, "api-token-ttl", 0, "lifetime of an API token created without expires_in/expires_at; 0 none")
	fs.DurationVar(&tf.apiMaxTTL, "api-token-max-ttl", 0, "longest lifetime of any new API token; 0 no bound")
	fs.IntVar(&tf.maxTokens, "max-tokens", 100, "live API tokens per user (and login tokens, the oldest rotated out)")
}

// check refuses values that would make tokens unusable or contradict
// each other.
func (tf *tokenFlags) check() error {
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"--login-token-ttl", tf.loginTTL}, {"--api-token-ttl", tf.apiTTL}, {"--api-token-max-ttl", tf.apiMaxTTL}} {
		if d.v < 0 {
			return fmt.Errorf("%s %v: must not be negative (0 means no expiry)", d.flag, d.v)
		}
		if d.v > 0 && d.v < time.Second {
			return fmt.Errorf("%s %v: must be at least 1s (or 0 for no expiry)", d.flag, d.v)
		}
	}
	if tf.apiMaxTTL > 0 && tf.apiTTL > tf.apiMaxTTL {
		return fmt.Errorf("--api-token-ttl %v is longer than --api-token-max-ttl %v", tf.apiTTL, tf.apiMaxTTL)
	}
	if tf.maxTokens < 1 {
		return fmt.Errorf("--max-tokens %d: must be at least 1", tf.maxTokens)
	}
	return nil
}

func (tf *tokenFlags) apply(svc *core.Service) {
	svc.LoginTTL, svc.APITokenTTL, svc.APITokenMaxTTL = tf.loginTTL, tf.apiTTL, tf.apiMaxTTL
	svc.MaxTokens = tf.maxTokens
}
