package sqlstore

import "testing"

type nopScanner struct{}

func (nopScanner) Scan(...any) error { return nil }

// BenchmarkScanUser measures what scanning a users row costs on top of the
// driver: a scan target for every registry field.
func BenchmarkScanUser(b *testing.B) {
	for b.Loop() {
		if _, err := scanUser(nopScanner{}); err != nil {
			b.Fatal(err)
		}
	}
}
