package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

// ceilingEnv names the file of the body a ceiling process serves: a
// usersbench started with it set is the bare net/http server compare
// measures usersd against, not the tool.
const ceilingEnv = "USERSBENCH_CEILING_BODY"

// serveCeiling answers every request with the same JSON user (body read
// from the file named by ceilingEnv), after draining the request's body:
// what a Go HTTP server does at the least for a request. It prints its
// address on stdout and serves until killed.
func serveCeiling(stdout io.Writer) error {
	body, err := os.ReadFile(os.Getenv(ceilingEnv))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, ln.Addr())
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
}
