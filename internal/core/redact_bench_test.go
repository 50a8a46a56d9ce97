package core

import "testing"

// BenchmarkRedactInPlace is what listing costs per user for visibility:
// the records come fresh from the store, so they are redacted in place.
func BenchmarkRedactInPlace(b *testing.B) {
	mail, bio := "a@example.com", "hello"
	viewer := &User{ID: 2, Level: LevelMember}
	users := make([]User, 1024)
	for b.Loop() {
		for i := range users {
			users[i] = User{ID: 1, Name: "alice", Level: LevelMember, Email: &mail, Bio: &bio}
			NativeProfile.redact(viewer, &users[i])
		}
	}
}
