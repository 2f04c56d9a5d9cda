package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// The help is generated from each command's FlagSet (command.flags): a
// flag's name, meaning and default are written once, where it is
// registered, and the synopsis and the flag list are read from there.

// required ends the usage text of a flag the command cannot do without;
// the synopsis shows such a flag outside brackets.
const required = " (required)"

// describeDefault makes the help show text as flag name's default. It is
// for defaults chosen when the command runs (all cores, the best kernels
// this CPU runs): the help names the choice, the same on every machine,
// rather than the value it takes on this one. The value the flag holds
// until set is unchanged.
func describeDefault(fs *flag.FlagSet, name, text string) {
	fs.Lookup(name).DefValue = text
}

// shownDefault is the default help shows for f, "" for none: an empty
// string and a false bool go without.
func shownDefault(f *flag.Flag) string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() && f.DefValue == "false" {
		return ""
	}
	return f.DefValue
}

// synopsis is the command's usage line after prefix, such as
// "simdnn train [-batch 1024] ... [-threads int]", wrapped at 80 columns
// under its first flag. A flag shows its default when it is a value (one
// that describeDefault describes shows its type instead), a bool flag
// shows alone, and required flags come first, unbracketed.
func synopsis(name, prefix string) string {
	c := commands[name]
	var req, opt []string
	c.flags().VisitAll(func(f *flag.Flag) {
		typ, _ := flag.UnquoteUsage(f)
		w := "-" + f.Name
		switch def := shownDefault(f); {
		case typ == "": // a bool flag
		case def != "" && def == f.Value.String():
			w += " " + def
		default:
			w += " " + typ
		}
		if strings.HasSuffix(f.Usage, required) {
			req = append(req, w)
		} else {
			opt = append(opt, "["+w+"]")
		}
	})
	words := append(req, opt...)
	if c.args != "" {
		words = append(words, c.args)
	}
	head := prefix + "simdnn " + name
	if len(words) == 0 {
		return head
	}
	head += " "
	return head + wrap(words, len([]rune(head)), 80)
}

// commandHelp writes `simdnn help name` and `simdnn name -h`: the
// synopsis, what the command does, and each flag with its meaning and
// default.
func commandHelp(w io.Writer, name string) {
	fmt.Fprintf(w, "%s\n\n%s\n", synopsis(name, "Usage: "), indent(commands[name].doc, "  "))
	fs := commands[name].flags()
	if !hasFlags(fs) {
		return
	}
	fmt.Fprint(w, "\nFlags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if typ != "" {
			line += " " + typ
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if def := shownDefault(f); def != "" {
			line += " (default " + def + ")"
		}
		fmt.Fprintln(w, line)
	})
}

// unknownCommand writes the one line that rejects a command name.
func unknownCommand(w io.Writer, name string) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "simdnn: unknown command %q; the commands are %s and help\n", name, strings.Join(names, ", "))
}

// indent puts prefix before each line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// hasFlags reports whether fs defines any flag.
func hasFlags(fs *flag.FlagSet) bool {
	any := false
	fs.VisitAll(func(*flag.Flag) { any = true })
	return any
}
