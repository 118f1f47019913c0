// Command alexbench trains, sweeps, profiles and reports d2l's AlexNet chapter
// on Fashion-MNIST. Run `alexbench help` for the subcommands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"alexbench/internal/switches"
)

// command is one subcommand. Each lives in its own cmd_<name>.go file and
// registers itself from init, so adding one never touches this file.
type command struct {
	name    string
	summary string
	run     func(args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string) error) {
	commands[name] = command{name, summary, run}
}

// exitError carries a specific exit status (e.g. compare's 1 on regression).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usage() {
	fmt.Fprintf(os.Stderr, "usage: alexbench <command> [flags]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(os.Stderr, "\nRun `alexbench <command> -h` for its flags.\n")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "alexbench: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	for _, w := range switches.Current().Warnings() {
		fmt.Fprintln(os.Stderr, "alexbench:", w)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "alexbench %s: %v\n", cmd.name, err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

// newFlagSet makes a subcommand's flag set whose errors come back as values
// (flag.ContinueOnError), so main prints them once, with the command's name.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("alexbench "+name, flag.ContinueOnError)
	return fs
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments (`alexbench run a.toml b.toml --profile quick`), which
// the flag package alone stops at the first positional. It returns the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	// What the flag package prints while parsing is held back: -h shows the
	// usage, but a bad flag gets one line that suggests the nearest one, not
	// a screen of flags after which the error scrolled away.
	out := fs.Output()
	var held strings.Builder
	fs.SetOutput(&held)
	defer fs.SetOutput(out)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(out, held.String())
				return nil, err
			}
			return nil, unknownFlag(fs, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
