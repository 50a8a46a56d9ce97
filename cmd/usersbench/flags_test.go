package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRefusals: load goes to loopback only, and a run is bounded.
func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--target", "http://192.0.2.1:8080"}, "not loopback"},
		{[]string{"run", "--target", "http://[2001:db8::1]:8080"}, "not loopback"},
		{[]string{"run", "--target", "https://127.0.0.1:8443"}, "plain http only"},
		{[]string{"run", "--conns", "0"}, "--conns"},
		{[]string{"run", "--conns", "5000"}, "--conns"},
		{[]string{"run", "--duration", "0s"}, "--duration"},
		{[]string{"run", "--duration", "2h"}, "--duration"},
		{[]string{"run", "--requests", "-1"}, "--requests"},
		{[]string{"run", "--workload", "nosuch"}, "no workload"},
		{[]string{"compare", "--rounds", "0"}, "--rounds"},
		{[]string{"gen", "--users", "0"}, "--users"},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		err := run(context.Background(), tc.args, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want one naming %q", tc.args, err, tc.want)
		}
	}
}

// TestSelectOps: every workload is on the native API, and "all" takes
// every face of every workload.
func TestSelectOps(t *testing.T) {
	all, err := selectOps("all", "all")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, wl := range workloads {
		n += len(wl.faces)
		if wl.faces[0].face != "native" {
			t.Errorf("%s: first face %s, want native", wl.name, wl.faces[0].face)
		}
	}
	if len(all) != n {
		t.Errorf("all: %d, want %d", len(all), n)
	}
	two, err := selectOps("get,search", "native,e621")
	if err != nil || len(two) != 4 {
		t.Errorf("get,search on native,e621: %d ops, %v; want 4", len(two), err)
	}
}
