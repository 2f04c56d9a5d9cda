package main

import (
	"flag"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helpFlags splits a command's help into its synopsis and its flag
// entries by name, each entry the flag's lines joined.
func helpFlags(t *testing.T, help string) (synopsis string, entries map[string]string) {
	head, list, ok := strings.Cut(help, "\nFlags:\n")
	if !ok {
		// A command without flags has no list.
		synopsis, _, _ = strings.Cut(help, "\n\n")
		return synopsis, map[string]string{}
	}
	synopsis, _, _ = strings.Cut(head, "\n\n")
	synopsis = strings.Join(strings.Fields(synopsis), " ")
	entries = map[string]string{}
	var name string
	for _, line := range strings.Split(strings.TrimSuffix(list, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			name, _, _ = strings.Cut(rest, " ")
			require.NotContains(t, entries, name, "flag listed twice")
			entries[name] = line
			continue
		}
		require.NotEmpty(t, name, "flag list starts with %q", line)
		entries[name] += "\n" + line
	}
	return synopsis, entries
}

// TestHelpShowsEveryFlagWithItsDefault checks, for every command, that
// `help <command>` and `<command> -h` list each flag its FlagSet
// registers, once, with its usage and the default the command runs with
// when the flag is not given, and that the synopsis shows that default.
func TestHelpShowsEveryFlagWithItsDefault(t *testing.T) {
	// The defaults chosen when a command runs, which help names rather
	// than showing this machine's value.
	described := map[string]string{
		"train -threads": "all cores, at most 1024",
		"bench -threads": "1 and all cores, at most 1024",
		"bench -impl":    "all of them",
		"-impl":          "$SIMDNN_IMPL, else the best this CPU runs",
		"-data":          "$SIMDNN_MNIST, else fetched through the Go module proxy",
	}
	for name, c := range commands {
		t.Run(name, func(t *testing.T) {
			code, help, errOut := runCLI("help", name)
			require.Equal(t, 0, code, errOut)
			code, out, dashH := runCLI(name, "-h")
			require.Equal(t, 0, code)
			assert.Empty(t, out, "-h writes to stderr")
			assert.Equal(t, help, dashH, "help %s and %s -h", name, name)
			synopsis, entries := helpFlags(t, help)
			assert.True(t, strings.HasPrefix(synopsis, "Usage: simdnn "+name), synopsis)

			fs := c.flags()
			require.NoError(t, fs.Parse(nil))
			var names []string
			fs.VisitAll(func(f *flag.Flag) {
				names = append(names, f.Name)
				e, ok := entries[f.Name]
				if !assert.True(t, ok, "-%s missing from help %s", f.Name, name) {
					return
				}
				_, usage := flag.UnquoteUsage(f)
				assert.Contains(t, e, usage)
				assert.LessOrEqual(t, strings.Count(e, "default"), 1, "a default shown twice: %q", e)
				actual := f.Value.String() // what the command runs with
				text, ok := described[name+" -"+f.Name]
				if !ok {
					text, ok = described["-"+f.Name]
				}
				switch {
				case ok:
					assert.True(t, strings.HasSuffix(e, " (default "+text+")"), "-%s: %q", f.Name, e)
					assert.Contains(t, synopsis, "-"+f.Name)
					if actual != "" {
						assert.NotContains(t, e, "(default "+actual+")", "-%s shows this machine's default", f.Name)
					}
				case actual == "" || actual == "false":
					assert.NotContains(t, e, "default", "-%s has no default to show", f.Name)
					assert.Contains(t, synopsis, "-"+f.Name)
				default:
					assert.Equal(t, actual, f.DefValue, "-%s", f.Name)
					assert.True(t, strings.HasSuffix(e, " (default "+actual+")"), "-%s: %q", f.Name, e)
					assert.Contains(t, synopsis, "[-"+f.Name+" "+actual+"]")
				}
			})
			sort.Strings(names)
			var listed []string
			for n := range entries {
				listed = append(listed, n)
			}
			sort.Strings(listed)
			assert.Equal(t, names, listed, "help lists exactly the flags of %s", name)
			assert.NotContains(t, c.doc, "(default", "the prose leaves the defaults to the flags")
		})
	}
}

// TestHelpSameOnEveryCoreCount checks that the help of train does not
// depend on the core count, while -threads' default follows it.
func TestHelpSameOnEveryCoreCount(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var helps []string
	for _, procs := range []int{1, 3, 8} {
		runtime.GOMAXPROCS(procs)
		fs, o := trainFlagSet()
		require.NoError(t, fs.Parse(nil))
		assert.Equal(t, procs, o.threads, "-threads' default is all cores")
		code, help, _ := runCLI("help", "train")
		require.Equal(t, 0, code)
		helps = append(helps, help)
	}
	assert.Equal(t, helps[0], helps[1])
	assert.Equal(t, helps[0], helps[2])
}

// TestUnknownCommand checks that an unknown command, run or asked about,
// fails with one line naming it and the commands.
func TestUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"foo"}, {"help", "foo"}, {"-help", "foo"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
			assert.Contains(t, errOut, `unknown command "foo"`)
			for name := range commands {
				assert.Contains(t, errOut, name)
			}
		})
	}
}

// TestBenchShortSettings checks that every setting -short names, and
// its help shows, is a value its flag takes.
func TestBenchShortSettings(t *testing.T) {
	fs, _ := benchFlagSet()
	for _, s := range benchShort() {
		assert.NoError(t, fs.Set(s.flag, s.value), "-%s %s", s.flag, s.value)
	}
}

// TestVersion: one line naming the module's version, the Go release and
// the target, exit 0; a stray argument is a usage error.
func TestVersion(t *testing.T) {
	code, out, errOut := runCLI("version")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^simdnn \S+( [0-9a-f]{1,12}(\+modified)?)? `+regexp.QuoteMeta(runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)+"\n$", out)
	code, _, errOut = runCLI("version", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "unexpected arguments: extra")

	info := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}
	assert.Equal(t, "simdnn v1.2.3 0123456789ab+modified "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH, versionLine(info, true))
	assert.Equal(t, "simdnn (unknown) "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH, versionLine(nil, false))
}
