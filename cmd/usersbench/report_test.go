package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSig3(t *testing.T) {
	for d, want := range map[time.Duration]string{
		101 * time.Millisecond:       "101 ms",
		82900 * time.Microsecond:     "82.9 ms",
		1150 * time.Millisecond:      "1.15 s",
		640 * time.Microsecond:       "640 µs",
		5 * time.Microsecond:         "5.00 µs",
		999600 * time.Microsecond:    "1.00 s",
		1999 * time.Microsecond:      "2.00 ms",
		12345 * time.Millisecond:     "12.3 s",
		100 * time.Millisecond:       "100 ms",
		99960 * time.Microsecond:     "100 ms",
		9996 * time.Microsecond:      "10.0 ms",
		time.Duration(0):             "0.00 µs",
		1500*time.Millisecond + 4999: "1.50 s",
	} {
		if got := sig3(d); got != want {
			t.Errorf("sig3(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestMarkdown: rows in BENCHMARKS.md's table format, errors in bold.
func TestMarkdown(t *testing.T) {
	ok := compareRow{workload: "get", face: "native", ratios: []float64{0.230, 0.202, 0.159}, peakRSS: 200 << 20}
	ok.latency.Record(101 * time.Millisecond)
	bad := compareRow{workload: "list", face: "drf", ratios: []float64{0.003, 0.002, 0.0025}, errors: 138, peakRSS: 212 << 20}
	bad.latency.Record(1150 * time.Millisecond)
	none := compareRow{workload: "login", face: "drf", errors: 3, peakRSS: -1}
	rep := &report{rows: []compareRow{ok, bad, none}, seedTime: 41200 * time.Millisecond}
	var b strings.Builder
	writeMarkdown(&b, rep)
	want := `| get | native | 0.202 (0.159–0.230) [101 ms] |
| list | drf | 0.003 (0.002–0.003) [1.15 s] **138 errors** |
| login | drf | — **3 errors** |
| peak RSS (MiB) | | 212.0 |
| seed time | — | 41.2 s |
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}

	path := filepath.Join(t.TempDir(), "r.json")
	if err := writeJSON(path, compareConfig{users: 10, rounds: 3}, rep); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got jsonReport
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 3 || got.Rows[0].Ratio != 0.202 || got.Rows[1].Errors != 138 || got.PeakRSSBytes != 212<<20 ||
		got.Store != "sqlite" || got.Rows[0].MarkdownCell != "0.202 (0.159–0.230) [101 ms]" || got.Rows[0].P99ms != 101 {
		t.Errorf("JSON report: %s", raw)
	}
}
