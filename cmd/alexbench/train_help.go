package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"alexbench/harness/config"
	"alexbench/internal/suggest"
	"alexbench/models"
)

// trainUsage is `train --help`: a synopsis, an example, then every config
// key's flag with its allowed values and default (from config's one key
// table), then the flags that are not config keys.
func trainUsage(fs *flag.FlagSet) func() {
	return func() {
		w := fs.Output()
		fmt.Fprint(w, "usage: alexbench train [--model NAME] [--KEY VALUE]... [--data DIR] [--json] [--artifacts DIR] [--yes]\n\n"+
			"Trains one model, exactly as one cell of a matrix, and prints d2l's final line.\n"+
			"Every config key is a flag; what is not given comes from the model's d2l recipe.\n\n"+
			"example:\n  alexbench train --model lenet --epochs 1 --train-limit 2000 --backend go\n"+
			"  alexbench train --model alexnet --resize 224 --batch 128 --lr 0.01   # d2l's run (a GPU)\n\n"+
			"config keys (also TOML matrix axes):\n")
		for _, key := range config.Keys() {
			h := config.Help(key)
			name := "--" + strings.ReplaceAll(key, "_", "-")
			fmt.Fprintf(w, "  %-16s %s\n", name, h.Values)
			fmt.Fprintf(w, "  %-16s %s; default %s\n", "", h.What, config.DefaultText(key))
		}
		fmt.Fprint(w, "\nother flags:\n")
		fs.VisitAll(func(f *flag.Flag) {
			if _, isConfig := f.Value.(*configFlag); isConfig {
				return
			}
			def := ""
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				def = " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(w, "  --%-14s %s%s\n", f.Name, f.Usage, def)
		})
	}
}

// strayArgs refuses positional arguments (train takes none): `train lenet`
// meant --model lenet, `--normalize maybe` a bool flag's =value.
func strayArgs(fs *flag.FlagSet, args, pos []string) error {
	if len(pos) == 0 {
		return nil
	}
	p := pos[0]
	hint := ""
	for i, a := range args {
		if a != p || i == 0 {
			continue
		}
		name := strings.TrimLeft(args[i-1], "-")
		if f := fs.Lookup(name); f != nil && strings.HasPrefix(args[i-1], "-") && !strings.Contains(name, "=") {
			if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
				if _, err := strconv.ParseBool(p); err == nil {
					hint = fmt.Sprintf(" (--%s is a switch: write --%s=%s)", name, name, p)
				} else {
					hint = fmt.Sprintf(" (--%s is a switch: write --%s, --%s=true or --%s=false)", name, name, name, name)
				}
			}
		}
		break
	}
	if hint == "" {
		n := suggest.Nearest(p, models.Names())
		if contains(models.Names(), p) {
			n = p
		}
		if n != "" {
			hint = fmt.Sprintf(" (did you mean --model %s?)", n)
		}
	}
	return fmt.Errorf("unexpected argument %q: train takes only flags%s; see alexbench train -h", p, hint)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// withSuggestion adds the nearest valid value to a bad flag value's error
// ("--activation: … (did you mean relu?)").
func withSuggestion(fs *flag.FlagSet, err error) error {
	var ke *config.KeyError
	key := ""
	if errors.As(err, &ke) {
		key = ke.Key
	} else if strings.HasPrefix(err.Error(), "--model: ") {
		key = "model"
	}
	if key == "" {
		return err
	}
	choices := config.Help(key).Choices
	f := fs.Lookup(strings.ReplaceAll(key, "_", "-"))
	if len(choices) == 0 || f == nil {
		return err
	}
	if hint := suggest.DidYouMean(f.Value.String(), choices, ""); hint != "" {
		return fmt.Errorf("%w%s", err, hint)
	}
	return err
}

// checkArtifactsDir makes sure --artifacts can be written before a run that
// would only find out at its end: it creates the folder and a probe file.
func checkArtifactsDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--artifacts %s: cannot create the folder: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".alexbench-probe-*")
	if err != nil {
		return fmt.Errorf("--artifacts %s: cannot write there: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// unknownFlag rewrites the flag package's "flag provided but not defined: -x"
// into one line that suggests the nearest flag the command has.
func unknownFlag(fs *flag.FlagSet, err error) error {
	const prefix = "flag provided but not defined: -"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return err
	}
	name := strings.TrimLeft(strings.TrimPrefix(msg, prefix), "-")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	cmd := strings.TrimPrefix(fs.Name(), "alexbench ")
	return fmt.Errorf("unknown flag --%s%s; see alexbench %s -h", name, suggest.DidYouMean(name, names, "--"), cmd)
}
