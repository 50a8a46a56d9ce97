package core_test

import (
	"testing"

	"usersd/internal/core"
)

// BenchmarkFieldAccess measures the registry's accessors over every users
// field, which the store runs for each row it scans and the native face for
// each field it renders.
func BenchmarkFieldAccess(b *testing.B) {
	u := new(core.User)
	b.Run("Ptr", func(b *testing.B) {
		for b.Loop() {
			for _, f := range core.Fields {
				_ = f.Ptr(u)
			}
		}
	})
	b.Run("Value", func(b *testing.B) {
		for b.Loop() {
			for _, f := range core.Fields {
				_ = f.Value(u)
			}
		}
	})
}
