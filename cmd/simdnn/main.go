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
	// args names the positional arguments after the flags, for the
	// synopsis; "" for none.
	args string
	// doc says what the command does, for help; the flags, their meaning
	// and their defaults come from flags.
	doc string
	// flags builds the FlagSet run parses; help describes the same one.
	flags func() *flag.FlagSet
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"train": {
		summary: "train a network on MNIST and report test accuracy",
		doc: `Trains 784 → hidden… → 10 on MNIST, one line per epoch on stderr (or JSON
lines on stdout with -json), then the test loss and accuracy. On a
terminal a progress bar shows within epochs that take over a second.
Ctrl-C stops after the current batch, writes -out, -history and -plot
(when an epoch is complete), and exits 130.`,
		flags: flagsOf(trainFlagSet), run: runTrain,
	},
	"eval": {
		summary: "test loss, accuracy, confusion matrix, precision and recall of a saved model",
		doc: `Loads a saved model and prints its test loss and accuracy (the same
figures train printed), the confusion matrix and each class's precision
and recall.`,
		flags: flagsOf(evalFlagSet), run: runEval,
	},
	"predict": {
		summary: "classify test-set images or PNG/JPEG files with a saved model",
		args:    "[INPUT ...]",
		doc: `Classifies each INPUT — a test-set index, or a PNG/JPEG file (made
grayscale and fitted to 28×28 as MNIST's digits were: see -fit) — and
prints the true class (when known), the predicted one and the ten
probabilities. Without inputs it takes test images 0 to 8. Flags come
before the inputs.`,
		flags: flagsOf(predictFlagSet), run: runPredict,
	},
	"samples": {
		summary: "draw a 4×4 grid of MNIST images with their labels into a PNG",
		doc:     `Draws 16 MNIST images, 4×4, each titled with its label.`,
		flags:   flagsOf(samplesFlagSet), run: runSamples,
	},
	"bench": {
		summary: "measure epochs/s and kernel GFLOP/s for every implementation (synthetic data)",
		doc: `Trains each network on synthetic MNIST-shaped data (no download) with
each implementation and thread count, and times each dense kernel call the
trainer makes; prints tables, then the same figures in Go's benchmark
format for benchstat.`,
		flags: flagsOf(benchFlagSet), run: runBench,
	},
	"info": {
		summary: "the CPU, its features, the kernel implementations and the one chosen",
		doc: `The CPU's brand name and features, the kernel implementations this CPU
runs, and the one chosen (SIMDNN_IMPL overrides the choice).`,
		flags: flagsOf(infoFlagSet), run: runInfo,
	},
	"version": {
		summary: "the simdnn version, its source revision and the Go release it was built with",
		doc: `Prints the module version ("(devel)" when built from a checkout), the
source revision when the build recorded one, the Go release and the
target.`,
		flags: flagsOf(versionFlagSet), run: runVersion,
	},
}

// flagsOf turns a command's FlagSet builder into command.flags, dropping
// the values the set binds.
func flagsOf[T any](build func() (*flag.FlagSet, T)) func() *flag.FlagSet {
	return func() *flag.FlagSet {
		fs, _ := build()
		return fs
	}
}

// usageError marks an error as the user's: bad flags or arguments.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once, as without simdnn's handler
	}()
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
		if len(args) == 1 || args[1] == "help" {
			usage(stdout)
			return exitOK
		}
		if _, ok := commands[args[1]]; !ok {
			unknownCommand(stderr, args[1])
			return exitUsage
		}
		commandHelp(stdout, args[1])
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		unknownCommand(stderr, name)
		return exitUsage
	}
	return exitCode(stderr, name, c.run(ctx, args[1:], stdout, stderr))
}

// exitCode turns what command name returned into the exit code, writing
// the error (or, for -h, the command's help) to stderr.
func exitCode(stderr io.Writer, name string, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		commandHelp(stderr, name)
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
		fmt.Fprintf(w, "\n%s\n%s\n", synopsis(n, ""), indent(commands[n].doc, "  "))
	}
	fmt.Fprintln(w, "\nExit codes: 0 success, 1 failure, 2 usage error, 130 interrupted.")
}

// newFlags makes the FlagSet of a command. Parse errors come back as
// usage errors and -h as flag.ErrHelp, which run answers with the
// command's help; the set itself prints nothing.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("simdnn "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args into fs; extra positional arguments are an error.
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
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return usageError{err}
	}
	return err
}
