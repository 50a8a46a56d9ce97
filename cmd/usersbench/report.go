package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"
)

// writeMarkdown prints a compare run as rows of BENCHMARKS.md's tables,
// one column of figures: "| get | native | 0.202 (0.159–0.230) [101 ms] |",
// the median ratio to the ceiling (min–max over the rounds) and usersd's
// p99, with the errors in bold when there were any; then the peak RSS
// and, when this run seeded, the seed time.
func writeMarkdown(w io.Writer, rep *report) {
	var peak int64 = -1
	for _, r := range rep.rows {
		fmt.Fprintf(w, "| %s | %s | %s |\n", r.workload, r.face, r.cell())
		peak = max(peak, r.peakRSS)
	}
	rss := ""
	if peak >= 0 {
		rss = fmt.Sprintf("%.1f", float64(peak)/(1<<20))
	}
	fmt.Fprintf(w, "| peak RSS (MiB) | | %s |\n", rss)
	if rep.seedTime > 0 {
		fmt.Fprintf(w, "| seed time | — | %s |\n", sig3(rep.seedTime))
	}
}

// cell is a row's figures in BENCHMARKS.md's cell format.
func (r *compareRow) cell() string {
	s := "—"
	if len(r.ratios) > 0 {
		s = fmt.Sprintf("%.3f (%.3f–%.3f) [%s]", median(r.ratios), slices.Min(r.ratios), slices.Max(r.ratios), sig3(r.latency.Quantile(0.99)))
	}
	if r.errors > 0 {
		s += fmt.Sprintf(" **%d errors**", r.errors)
	}
	return s
}

// sig3 writes d with three significant digits and a spaced unit, as the
// tables do: 101 ms, 82.9 ms, 1.15 s, 640 µs.
func sig3(d time.Duration) string {
	v, unit := float64(d)/float64(time.Microsecond), "µs"
	if v >= 999.5 {
		v, unit = v/1000, "ms"
	}
	if v >= 999.5 && unit == "ms" {
		v, unit = v/1000, "s"
	}
	prec := 0
	switch {
	case v < 9.995:
		prec = 2
	case v < 99.95:
		prec = 1
	}
	return strconv.FormatFloat(v, 'f', prec, 64) + " " + unit
}

// jsonReport is the machine-readable form of a compare run: every figure
// by round, for tables and plots made later.
type jsonReport struct {
	Users        int       `json:"users"`
	Store        string    `json:"store"` // sqlite or postgres
	Conns        int       `json:"conns"`
	Duration     string    `json:"duration"` // per measurement
	Rounds       int       `json:"rounds"`
	SeedSeconds  float64   `json:"seed_seconds,omitempty"`
	PeakRSSBytes int64     `json:"peak_rss_bytes"`
	Rows         []jsonRow `json:"rows"`
}

type jsonRow struct {
	Workload     string    `json:"workload"`
	Face         string    `json:"face"`
	Ratio        float64   `json:"ratio"` // median over the rounds
	Ratios       []float64 `json:"ratios"`
	UsersdRPS    []float64 `json:"usersd_rps"`
	CeilingRPS   []float64 `json:"ceiling_rps"`
	P50ms        float64   `json:"p50_ms"`
	P99ms        float64   `json:"p99_ms"`
	P999ms       float64   `json:"p999_ms"`
	Errors       int       `json:"errors"`
	FirstError   string    `json:"first_error,omitempty"`
	PeakRSSBytes int64     `json:"peak_rss_bytes"`       // usersd's VmHWM after this row; -1 unknown
	HashRates    []float64 `json:"hash_rates,omitempty"` // login: the bare hasher's verifications per second
	MarkdownCell string    `json:"markdown_cell"`        // as --markdown prints it
}

func writeJSON(path string, cfg compareConfig, rep *report) error {
	store := "sqlite"
	if cfg.store.db != "" {
		store = "postgres"
	}
	out := jsonReport{Users: cfg.users, Store: store, Conns: cfg.loop.Conns, Duration: cfg.loop.Duration.String(),
		Rounds: cfg.rounds, SeedSeconds: rep.seedTime.Seconds(), PeakRSSBytes: -1, Rows: []jsonRow{}}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	for _, r := range rep.rows {
		jr := jsonRow{Workload: r.workload, Face: r.face, Ratios: r.ratios, UsersdRPS: r.usersd, CeilingRPS: r.ceil,
			P50ms: ms(r.latency.Quantile(0.5)), P99ms: ms(r.latency.Quantile(0.99)), P999ms: ms(r.latency.Quantile(0.999)),
			Errors: r.errors, FirstError: r.firstErr, PeakRSSBytes: r.peakRSS, HashRates: r.hashRates, MarkdownCell: r.cell()}
		if len(r.ratios) > 0 {
			jr.Ratio = median(r.ratios)
		}
		out.PeakRSSBytes = max(out.PeakRSSBytes, r.peakRSS)
		out.Rows = append(out.Rows, jr)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
