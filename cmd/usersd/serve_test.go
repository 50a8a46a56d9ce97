package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestE621LevelsFlag checks that a bad --e621-levels stops serve before
// it opens a store or listens.
func TestE621LevelsFlag(t *testing.T) {
	var stderr bytes.Buffer
	err := serve(context.Background(), []string{"--e621-levels", "1999", "--data", t.TempDir()}, func(string) string { return "" }, &stderr, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--e621-levels") {
		t.Fatalf("serve with a bad level table: %v, want an --e621-levels error", err)
	}
}
