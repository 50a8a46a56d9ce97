package ruby

import (
	"math"
	"strconv"
	"testing"
)

func TestToI(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"", 0},
		{"abc", 0},
		{"12", 12},
		{"  12", 12},
		{" 7", 7},
		{"\t\n-7", -7},
		{"+5", 5},
		{"-3x", -3},
		{"12abc", 12},
		{"1_000", 1000},
		{"1__0", 1},
		{"_1", 0},
		{"1_", 1},
		{"0x1A", 0},
		{"1.9", 1},
		{"- 1", 0},
		{"99999999999999999999", math.MaxInt64},
		{"-99999999999999999999", math.MinInt64},
		{"99999999999999999999999", math.MaxInt64},
		{"-99999999999999999999999", math.MinInt64},
		{"9223372036854775807", math.MaxInt64},
		{"9223372036854775808", math.MaxInt64},
		{"-9223372036854775808", math.MinInt64},
		{"-9223372036854775807", math.MinInt64 + 1},
	}
	for _, tt := range tests {
		if got := ToI(tt.in); got != tt.want {
			t.Errorf("ToI(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestInteger(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"5", 5, true},
		{" 12 ", 12, true},
		{"-5", -5, true},
		{"+5", 5, true},
		{"1_000", 1000, true},
		{"0x1A", 26, true},
		{"0b101", 5, true},
		{"0o17", 15, true},
		{"017", 15, true},
		{"0_7", 7, true},
		{"0_", 0, false},
		{"0d19", 19, true},
		{"0", 0, true},
		{"08", 0, false},
		{"1__0", 0, false},
		{"_1", 0, false},
		{"1_", 0, false},
		{"", 0, false},
		{"+", 0, false},
		{"abc", 0, false},
		{"12abc", 0, false},
		{"1.5", 0, false},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775808", math.MinInt64, true},
		{"-9223372036854775809", 0, false},
	}
	for _, tt := range tests {
		got, ok := Integer(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Integer(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzToI checks that ToI agrees with strconv on plain decimal numbers
// and that neither coercion panics.
func FuzzToI(f *testing.F) {
	for _, s := range []string{"", "12", "-7x", "1_0", "0x1f", "99999999999999999999", " +3 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := ToI(s)
		if want, err := strconv.ParseInt(s, 10, 64); err == nil && n != want {
			t.Fatalf("ToI(%q) = %d, strconv says %d", s, n, want)
		}
		Integer(s)
		if v, ok := Integer(strconv.FormatInt(n, 10)); !ok || v != n {
			t.Fatalf("Integer(%d) = %d, %v", n, v, ok)
		}
	})
}
