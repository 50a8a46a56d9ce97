package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"usersd/internal/facetest"
)

// startServer runs "usersd serve" in this process, through run, on a random
// port until the test ends: the command's own tests check its wiring from
// the inside (flags, environment, shutdown), with the HTTP helpers every
// face's black-box tests use.
func startServer(t *testing.T, b facetest.Backend, extra ...string) *facetest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := facetest.NewLogBuffer()
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, b.Args...)
	// In-process servers share the test's heap, which no node's soft limit
	// fits (TestMemoryLimit checks the default in its own process).
	args = append(args, "--signup-addr-limit", facetest.NoSignupLimit, "--memory-limit", "0")
	args = append(args, extra...)
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, func(string) string { return "" }, io.Discard, log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server exited: %v", err)
		}
	})
	cli := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append(args, b.Args...), func(string) string { return "" }, &out, &errb)
		if err != nil {
			return out.String(), fmt.Errorf("%v: %s", err, errb.String())
		}
		return out.String(), nil
	}
	select {
	case addr := <-log.Addr():
		return facetest.Attach(t, "http://"+addr, b, log, cli)
	case err := <-done:
		t.Fatalf("server did not start: %v\n%s", err, log.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not start in time\n%s", log.String())
	}
	return nil
}
