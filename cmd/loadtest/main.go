// Command loadtest drives a running usersd over loopback HTTP and reports
// throughput and latency percentiles per scenario, each as a ratio to the
// first scenario measured in the same run (the machine's speed drifts;
// ratios hold). Every run is bounded in requests and in time, and it
// refuses any address that is not loopback.
//
//	loadtest -url http://127.0.0.1:8080 -token $ADMIN_TOKEN -seed 2000 \
//	    -requests 3000 -duration 30s -concurrency 8 \
//	    -scenarios native-get,native-name,native-list,native-search,danbooru-search,e621-search
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}
