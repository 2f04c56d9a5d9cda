// Command simdnn trains and benchmarks small dense networks on MNIST with
// the simdnn kernels.
//
// Usage:
//
//	simdnn <command> [flags]
//
// Run `simdnn help` for the commands and `simdnn <command> -h` for their
// flags. Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// command is one subcommand: it parses args with its own FlagSet and
// writes results to stdout, human-readable progress to stderr.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"train":   {"train a network on MNIST and report test accuracy", runTrain},
	"eval":    {"test loss, accuracy, confusion matrix, precision and recall of a saved model", runEval},
	"predict": {"classify test-set images or PNG/JPEG files with a saved model", runPredict},
	"samples": {"draw a 4×4 grid of MNIST images with their labels into a PNG", runSamples},
	"bench":   {"measure epochs/s and kernel GFLOP/s for every implementation (synthetic data)", runBench},
	"info":    {"the CPU, its features, the kernel implementations and the one chosen", runInfo},
}

// usageError marks an error as the user's: bad flags or arguments.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				_ = c.run(ctx, []string{"-h"}, stdout, stdout)
				return exitOK
			}
		}
		usage(stdout)
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "simdnn: unknown command %q\n", name)
		usage(stderr)
		return exitUsage
	}
	err := c.run(ctx, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "simdnn %s: %v\n", name, err)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "simdnn %s: interrupted\n", name)
		return 130
	default:
		fmt.Fprintf(stderr, "simdnn %s: %v\n", name, err)
		return exitFailure
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "simdnn trains small dense networks on MNIST with hand-written SIMD kernels.")
	fmt.Fprintln(w, "\nUsage: simdnn <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "  help     this text; `simdnn help <command>` shows a command's flags")
	for _, n := range names {
		if d, ok := commandDocs[n]; ok {
			fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(d))
		}
	}
	fmt.Fprintln(w, "\nExit codes: 0 success, 1 failure, 2 usage error, 130 interrupted.")
}

// newFlags makes a FlagSet for a command that reports parse errors as
// usage errors and writes -h output to w.
func newFlags(name string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("simdnn "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	return fs
}

// parse parses args into fs; extra positional arguments are an error.
// -h prints the flags to fs's output.
func parse(fs *flag.FlagSet, args []string) error {
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}

// parseArgs is parse for commands that take positional arguments after
// their flags (fs.Args()).
func parseArgs(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(out, "Usage of %s:\n", fs.Name())
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return usageError{err}
	}
	return nil
}
