package main

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

// FuzzFlags parses arbitrary command lines with every command's flag set.
// Whatever the arguments, parsing returns nil, flag.ErrHelp or a usage
// error (exit 2), and never panics. For train, a command line that parses
// gives hidden widths in 1..65536 and a config that either is refused as
// a usage error or passes net.Config.Validate, the check Train runs.
// Arguments are separated by NUL bytes in the fuzzed string.
func FuzzFlags(f *testing.F) {
	for _, s := range []string{
		"", "-h", "-epochs\x005", "-lr\x00NaN", "-lr\x00-0", "-lr\x001e39", "-hidden\x00128,64",
		"-hidden\x00,", "-hidden\x000", "-hidden\x0065537", "-threads\x000", "-threads\x00-1",
		"-val-split\x001", "-val-split\x000.1\x00-patience\x003", "-momentum\x000.9", "-batch\x000",
		"-seed\x0018446744073709551615", "-seed\x00-1", "--epochs=3", "-epochs", "-nosuch", "input.png\x00-impl\x00avx2",
		"-json=false\x00-plot\x00x.png\x00-history\x00h.csv", "-impl\x00NEON", "-model\x00m.safetensors\x00-n\x0016",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		if line == "" {
			args = nil
		}
		for name, c := range commands {
			err := parseArgs(c.flags(), args)
			if err != nil && !errors.Is(err, flag.ErrHelp) && !errors.As(err, new(usageError)) {
				t.Fatalf("%s %q: %T %v is neither help nor a usage error", name, args, err, err)
			}
		}
		fs, o := trainFlagSet()
		if parse(fs, args) != nil {
			return
		}
		hidden, err := parseHidden(o.hidden)
		if err != nil {
			return
		}
		for _, h := range hidden {
			if h < 1 || h > 1<<16 {
				t.Fatalf("%q: hidden width %d", args, h)
			}
		}
		cfg, err := o.config(fs)
		if err != nil {
			if !errors.As(err, new(usageError)) {
				t.Fatalf("%q: config error %T %v is not a usage error", args, err, err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("%q: the CLI accepted a config Train refuses: %v", args, err)
		}
	})
}
