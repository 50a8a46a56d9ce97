package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// buildVersion and buildRevision may be set at link time, for builds the go
// command cannot stamp (-buildvcs=false, or a linked git worktree, whose
// .git file it does not recognise: golang/go#58218):
//
//	go build -ldflags "-X main.buildRevision=$(git rev-parse HEAD)" ./cmd/usersd
//
// They take precedence over what the go command stamped.
var (
	buildVersion  string
	buildRevision string
)

func versionCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "Print the module version, the VCS revision the binary was built from, and the Go toolchain.")
	if err := parseFlags(fs, args, getenv, stdout, stderr); err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	_, err := io.WriteString(stdout, versionText(bi, buildVersion, buildRevision))
	return err
}

// versionText describes a build. The go command stamps the module version
// and the vcs.* settings when it builds from a checkout with -buildvcs on
// (the default for "go build" and "go install"); "go run", "go test" and
// -buildvcs=false leave them out, and a "go install module@version" build
// has the version but no revision. Each absence is said, not left blank.
// version and revision, when set, are the link-time values.
func versionText(bi *debug.BuildInfo, version, revision string) string {
	if bi == nil {
		bi = &debug.BuildInfo{}
	}
	var b strings.Builder
	v := bi.Main.Version
	switch {
	case version != "":
		v = version
	case v == "":
		v = "(devel)"
	}
	fmt.Fprintf(&b, "usersd %s\n", v)
	s := map[string]string{}
	for _, kv := range bi.Settings {
		s[kv.Key] = kv.Value
	}
	if revision != "" {
		s = map[string]string{"vcs.revision": revision} // time and state are the stamp's, not this revision's
	}
	switch rev := s["vcs.revision"]; {
	case rev == "":
		fmt.Fprintf(&b, "revision unknown (not stamped: go run, -buildvcs=false, a linked git worktree, or no checkout)\n")
	default:
		line := "revision " + rev
		if t := s["vcs.time"]; t != "" {
			line += " committed " + t
		}
		switch s["vcs.modified"] {
		case "true":
			line += ", with uncommitted changes"
		case "false":
			line += ", clean"
		}
		fmt.Fprintln(&b, line)
	}
	goVersion := bi.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	fmt.Fprintf(&b, "built with %s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
