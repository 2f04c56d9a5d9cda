package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// versionFlagSet is the FlagSet runVersion parses and help describes.
func versionFlagSet() (*flag.FlagSet, struct{}) { return newFlags("version"), struct{}{} }

// runVersion prints the module version (or "(devel)" for a build from a
// checkout), the VCS revision when the build recorded it, the Go release
// and the target.
func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs, _ := versionFlagSet()
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
	return err
}

// versionLine is "simdnn VERSION [REVISION[+modified]] GO OS/ARCH".
func versionLine(info *debug.BuildInfo, ok bool) string {
	version, rev, modified := "(unknown)", "", false
	if ok {
		version = info.Main.Version
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	line := "simdnn " + version
	if rev != "" {
		line += " " + rev[:min(len(rev), 12)]
		if modified {
			line += "+modified"
		}
	}
	return fmt.Sprintf("%s %s %s/%s", line, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
