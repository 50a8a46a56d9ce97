package sqlstore

// AfterVersions makes f run between a cached page's two statements, until
// the returned func restores the hook.
func AfterVersions(f func()) (restore func()) {
	prev := afterVersions
	afterVersions = f
	return func() { afterVersions = prev }
}
