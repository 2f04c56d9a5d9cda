package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"

	"github.com/simdnn/simdnn"
)

// infoJSON is `info -json`'s output.
type infoJSON struct {
	CPU             string   `json:"cpu"`
	Vendor          string   `json:"vendor"`
	LogicalCores    int      `json:"logical_cores"`
	Features        []string `json:"features"`
	Implementations []string `json:"implementations"`
	Chosen          string   `json:"chosen"`
	Env             string   `json:"simdnn_impl,omitempty"`
	BF16Native      bool     `json:"bf16_native"` // the chosen implementation has bf16 instructions (-precision bf16)
	Go              string   `json:"go"`
}

// infoFlagSet is the FlagSet runInfo parses and help describes.
func infoFlagSet() (*flag.FlagSet, *bool) {
	fs := newFlags("info")
	return fs, fs.Bool("json", false, "write one JSON object instead of text")
}

func runInfo(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, jsonOut := infoFlagSet()
	if err := parse(fs, args); err != nil {
		return err
	}
	env := os.Getenv("SIMDNN_IMPL")
	r := infoJSON{CPU: cpuid.CPU.BrandName, Vendor: cpuid.CPU.VendorString, LogicalCores: runtime.NumCPU(),
		Features: cpuid.CPU.FeatureSet(), Implementations: simdnn.Impls(), Chosen: simdnn.Impl(), Env: env,
		BF16Native: simdnn.ActiveKernels().BF16Native(),
		Go:         runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if r.CPU == "" {
		r.CPU = "unknown"
	}
	if *jsonOut {
		return json.NewEncoder(stdout).Encode(r)
	}
	chosen := r.Chosen + " (the best this CPU runs)"
	if env != "" {
		chosen = fmt.Sprintf("%s (SIMDNN_IMPL=%s", r.Chosen, env)
		if err := simdnn.EnvError(); err != nil {
			chosen += ": " + err.Error()
		}
		chosen += ")"
	}
	bf16 := "on the float32 tiles of " + r.Chosen + " (no bf16 instructions here)"
	switch {
	case r.Chosen == "generic":
		bf16 = "the reference kernels, in Go"
	case r.BF16Native:
		bf16 = "native (" + r.Chosen + " with AVX512_BF16)"
	}
	_, err := fmt.Fprintf(stdout, "cpu:             %s (%s, %d logical cores)\nfeatures:        %s\nimplementations: %s\nchosen:          %s\nbf16:            %s\ngo:              %s\n",
		r.CPU, r.Vendor, r.LogicalCores, wrap(r.Features, 17, 80), strings.Join(r.Implementations, ", "), chosen, bf16, r.Go)
	return err
}

// wrap joins words with spaces into lines of at most width columns,
// continuation lines indented by indent.
func wrap(words []string, indent, width int) string {
	var b strings.Builder
	col := indent
	for i, w := range words {
		if i > 0 && col+1+len(w) > width {
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = indent
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
