package matrix

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"alexbench/harness/cellspec"
	"alexbench/harness/config"
	"alexbench/internal/regfile"
)

// Matrix is one experiments/*.toml file, checked and expanded into cells for
// every profile. Loading fails, with one Error, if any cell of any
// profile would be invalid: a matrix either runs whole or not at all.
type Matrix struct {
	File        string
	Name        string // the results folder name: results/<Name>/<key>/
	Description string
	Exercise    string   // d2l's exercise number ("7", "5.1", "s8.1"); empty for matrices that answer none (benchmarks)
	Axes        []string // axis keys in file order
	cells       map[string][]Cell
}

// Cells returns the matrix's cells for profile, in run order.
func (m *Matrix) Cells(profile string) []Cell { return m.cells[profile] }

// Subset is a copy of m that plans only cells, in profile: a run of a few
// cells of a matrix, recorded under the matrix's own name.
func (m *Matrix) Subset(profile string, cells []Cell) *Matrix {
	c := *m
	c.cells = map[string][]Cell{profile: cells}
	return &c
}

// Cell is one fully resolved configuration of a matrix. Its Spec (config,
// key, layers, compute, memory model) is resolved once, when the matrix is
// loaded, and every later step reads it from here.
type Cell struct {
	Matrix  string
	Profile string
	*cellspec.Spec
	// Params are the values that set this cell apart within its matrix (axis
	// values, include additions, seed), in a stable order, for listings.
	Params []Param
}

// Param is one key = value of a cell's label.
type Param struct {
	Key   string
	Value any
}

// Label is the cell's params as "k=v k=v" (or "(fixed)" for a one-cell matrix).
func (c Cell) Label() string {
	if len(c.Params) == 0 {
		return "(fixed)"
	}
	parts := make([]string, len(c.Params))
	for i, p := range c.Params {
		parts[i] = fmt.Sprintf("%s=%v", p.Key, p.Value)
	}
	return strings.Join(parts, " ")
}

// matrixFile is the TOML layout. The map-typed parts are checked by hand: their
// keys are config keys, which toml cannot know.
type matrixFile struct {
	Name        string           `toml:"name"`
	Description string           `toml:"description"`
	Exercise    string           `toml:"exercise"`
	Seeds       int              `toml:"seeds"`
	Fixed       map[string]any   `toml:"fixed"`
	Axes        map[string]any   `toml:"axes"`
	Include     []map[string]any `toml:"include"`
	Exclude     []map[string]any `toml:"exclude"`
	Profile     map[string]any   `toml:"profile"`
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// Exercises are the keys a matrix's exercise may take, in the report's
// order: d2l 1.0's numbers for the chapter's exercises, and "s8.1" for the
// chapter's own result (§8.1).
var Exercises = []string{"s8.1", "1.1", "1.2", "1.3", "2", "3", "4", "5.1", "5.2", "6", "7", "8"}

// LegacyExercises maps the harness's older exercise names, which results
// trees written before the keys were d2l's numbers still hold, onto those
// numbers: E0 was §8.1, E1 exercise 4, E2.1/E2.2 exercise 5.1/5.2, E3
// exercise 6, E4 exercise 1, E5 exercise 7; E6–E8, E1.1–E1.3 and E5.1/E5.2
// already meant d2l's own numbers.
var LegacyExercises = map[string]string{
	"E0": "s8.1", "E1": "4", "E2.1": "5.1", "E2.2": "5.2", "E3": "6", "E4": "1.1", "E5": "7",
	"E6": "6", "E7": "7", "E8": "8", "E1.1": "1.1", "E1.2": "1.2", "E1.3": "1.3", "E5.1": "5.1", "E5.2": "5.2",
}

// isExercise tells whether key is one of Exercises.
func isExercise(key string) bool {
	for _, e := range Exercises {
		if e == key {
			return true
		}
	}
	return false
}

const maxSeeds = 100

// ValidName tells whether name can be a matrix's name, and so a folder of a
// results tree.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// Load reads, checks and expands one matrix file. Only a regular file of at
// most maxFileBytes is read: a FIFO named on the command line would block the
// read forever, and a huge file cost seconds and gigabytes to refuse.
func Load(path string) (*Matrix, error) {
	src, err := regfile.ReadFile(path, maxFileBytes)
	if err != nil {
		var tl *regfile.TooLargeError
		if errors.As(err, &tl) {
			return nil, &Error{File: path, Msg: fmt.Sprintf("%d bytes: a matrix file may have at most %d", tl.Size, tl.Limit)}
		}
		return nil, fmt.Errorf("reading matrix: %w", err)
	}
	return Parse(path, src)
}

// LoadAll loads every file and checks that no two share a name (they
// would share a results folder).
func LoadAll(paths []string) ([]*Matrix, error) {
	var ms []*Matrix
	byName := map[string]string{}
	for _, p := range paths {
		m, err := Load(p)
		if err != nil {
			return nil, err
		}
		if other, dup := byName[m.Name]; dup {
			return nil, &Error{File: p, Line: indexLines(readOrEmpty(p)).line("name"), Key: "name",
				Msg: fmt.Sprintf("%q is also the name of %s (names are results folders and must differ)", m.Name, other)}
		}
		byName[m.Name] = p
		ms = append(ms, m)
	}
	return ms, nil
}

func readOrEmpty(path string) string {
	b, _ := regfile.ReadFile(path, maxFileBytes)
	return string(b)
}

// Parse checks and expands a matrix from its text; file names it in errors.
func Parse(file string, src []byte) (*Matrix, error) {
	if err := precheck(file, src); err != nil {
		return nil, err
	}
	var mf matrixFile
	md, err := toml.Decode(string(src), &mf)
	if err != nil {
		return nil, decodeError(file, src, err)
	}
	p := &parser{file: file, lines: indexLines(string(src)), md: md}
	if err := p.checkTableTypes(); err != nil {
		return nil, err
	}
	spec, err := p.spec(&mf)
	if err != nil {
		return nil, err
	}
	m := &Matrix{File: file, Name: mf.Name, Description: mf.Description, Exercise: mf.Exercise,
		cells: map[string][]Cell{}}
	for _, a := range spec.axes {
		m.Axes = append(m.Axes, a.key)
	}
	used := map[string]bool{} // exclude rules that removed something, in any profile
	for _, profile := range Profiles {
		cells, err := p.expand(m.Name, profile, spec.forProfile(profile), used)
		if err != nil {
			return nil, err
		}
		m.cells[profile] = cells
	}
	for _, list := range spec.excludeLists() {
		for _, r := range list {
			if !used[r.src] {
				return nil, p.errAt(r.src, "matches no cell in any profile (a typo in a value?)")
			}
		}
	}
	return m, nil
}

// parser carries what every error needs: the file and where its keys are.
type parser struct {
	file  string
	lines lineIndex
	md    toml.MetaData
}

func (p *parser) errAt(path string, format string, args ...any) *Error {
	return &Error{File: p.file, Line: p.lines.line(path), Key: displayKey(path), Msg: fmt.Sprintf(format, args...)}
}

// assign is one key = value from the file, with where it came from.
type assign struct {
	key   string
	value any
	src   string // index path: "fixed.lr", "axes.dropout.1", "include.0.model"
}

type axis struct {
	key    string
	values []assign
	src    string
}

// rule is one include or exclude entry.
type rule struct {
	values   []assign // sorted by key
	src      string
	seeds    int    // an include entry's own seeds = n (0: the matrix's)
	seedsSrc string // where that seeds = n is
}

// spec is the checked file; profileSpec one profile's overrides.
type spec struct {
	fixed    []assign
	axes     []axis
	include  []rule
	exclude  []rule
	seeds    int
	seedsSrc string
	profiles map[string]profileSpec
}

type profileSpec struct {
	fixed    []assign        // scalars: override [fixed] and defaults
	axes     map[string]axis // lists: replace the axis of that name
	include  []rule
	exclude  []rule
	hasInc   bool
	hasExc   bool
	seeds    int
	seedsSrc string
}

// resolved is what expand works on for one profile.
type resolved struct {
	profile  string
	fixed    []assign
	axes     []axis
	include  []rule
	exclude  []rule
	seeds    int
	seedsSrc string
}

func (s *spec) forProfile(profile string) resolved {
	ps := s.profiles[profile]
	r := resolved{profile: profile, fixed: append(append([]assign{}, s.fixed...), ps.fixed...),
		include: s.include, exclude: s.exclude, seeds: s.seeds, seedsSrc: s.seedsSrc}
	for _, a := range s.axes {
		if o, ok := ps.axes[a.key]; ok {
			a = o
		}
		r.axes = append(r.axes, a)
	}
	if ps.hasInc {
		r.include = ps.include
	}
	if ps.hasExc {
		r.exclude = ps.exclude
	}
	if ps.seeds > 0 {
		r.seeds, r.seedsSrc = ps.seeds, ps.seedsSrc
	}
	return r
}

func (s *spec) excludeLists() [][]rule {
	lists := [][]rule{s.exclude}
	for _, profile := range Profiles {
		if ps := s.profiles[profile]; ps.hasExc {
			lists = append(lists, ps.exclude)
		}
	}
	return lists
}

var topKeys = []string{"name", "description", "exercise", "seeds", "fixed", "axes", "include", "exclude", "profile"}

func (p *parser) spec(mf *matrixFile) (*spec, error) {
	for _, k := range p.md.Undecoded() {
		switch k[0] {
		case "fixed", "axes", "include", "exclude", "profile":
			continue // map-typed: checked below
		}
		return nil, p.errAt(k.String(), "unknown matrix key (known: %s)", strings.Join(topKeys, ", "))
	}
	switch {
	case mf.Name == "":
		return nil, p.errAt("name", "missing: every matrix needs a name (its results folder)")
	case !nameRE.MatchString(mf.Name):
		return nil, p.errAt("name", "%q: use lower-case letters, digits, '.', '_' and '-' (it names a folder)", mf.Name)
	case strings.TrimSpace(mf.Description) == "":
		return nil, p.errAt("description", "missing: say what the matrix measures")
	case mf.Exercise != "" && !isExercise(mf.Exercise):
		if k, ok := LegacyExercises[mf.Exercise]; ok {
			return nil, p.errAt("exercise", "%q is the harness's older name: write d2l's number, exercise = %q", mf.Exercise, k)
		}
		return nil, p.errAt("exercise", "%q: want d2l 1.0's exercise number, one of %s", mf.Exercise, strings.Join(Exercises, ", "))
	}
	s := &spec{profiles: map[string]profileSpec{}}
	if p.md.IsDefined("seeds") {
		if mf.Seeds < 1 || mf.Seeds > maxSeeds {
			return nil, p.errAt("seeds", "%d: must be 1..%d", mf.Seeds, maxSeeds)
		}
		s.seeds, s.seedsSrc = mf.Seeds, "seeds"
	}
	var err error
	if s.fixed, err = p.scalars("fixed", mf.Fixed); err != nil {
		return nil, err
	}
	fixed := map[string]bool{}
	for _, a := range s.fixed {
		fixed[a.key] = true
	}
	if fixed["seed"] && s.seeds > 0 {
		return nil, p.errAt("fixed.seed", "seeds = n and [fixed] seed both set the seed; keep one")
	}
	for _, key := range p.childKeys("axes") {
		src := "axes." + key
		if fixed[key] {
			return nil, p.errAt(src, "is both in [fixed] and an axis; keep one")
		}
		ax, err := p.axis(key, src, mf.Axes[key])
		if err != nil {
			return nil, err
		}
		s.axes = append(s.axes, ax)
	}
	isAxis := map[string]bool{}
	for _, a := range s.axes {
		isAxis[a.key] = true
	}
	if isAxis["seed"] && s.seeds > 0 {
		return nil, p.errAt("seeds", "seeds = n and a seed axis both set the seed; keep one")
	}
	if s.include, err = p.rules("include", mf.Include); err != nil {
		return nil, err
	}
	if s.exclude, err = p.rules("exclude", mf.Exclude); err != nil {
		return nil, err
	}
	for name, v := range mf.Profile {
		src := "profile." + name
		if !KnownProfile(name) {
			return nil, p.errAt(src, "unknown profile (known: quick, cpu, full)")
		}
		table, ok := v.(map[string]any)
		if !ok {
			return nil, p.errAt(src, "want a table of overrides, got %s", tomlType(v))
		}
		ps, err := p.profile(src, table, isAxis, s)
		if err != nil {
			return nil, err
		}
		s.profiles[name] = ps
	}
	return s, nil
}

// childKeys lists the keys directly under table, in file order.
func (p *parser) childKeys(table string) []string {
	var keys []string
	seen := map[string]bool{}
	for _, k := range p.md.Keys() {
		if len(k) == 2 && k[0] == table && !seen[k[1]] {
			seen[k[1]] = true
			keys = append(keys, k[1])
		}
	}
	return keys
}

// scalars checks a table of config keys with single values, sorted by key.
func (p *parser) scalars(table string, m map[string]any) ([]assign, error) {
	var out []assign
	for _, key := range sortedKeys(m) {
		src := table + "." + key
		if err := p.checkValue(key, src, m[key]); err != nil {
			return nil, err
		}
		out = append(out, assign{key, m[key], src})
	}
	return out, nil
}

func (p *parser) axis(key, src string, v any) (axis, error) {
	if !config.IsKey(key) {
		return axis{}, p.errAt(src, "not a config key (known: %s)", strings.Join(config.Keys(), ", "))
	}
	list, ok := v.([]any)
	if !ok {
		return axis{}, p.errAt(src, "an axis is a list of values, got %s (a single value belongs in [fixed])", tomlType(v))
	}
	if len(list) == 0 {
		return axis{}, p.errAt(src, "empty axis: give at least one value")
	}
	ax := axis{key: key, src: src}
	for i, x := range list {
		esrc := fmt.Sprintf("%s.%d", src, i)
		if err := p.checkValue(key, esrc, x); err != nil {
			return axis{}, err
		}
		for _, prev := range ax.values {
			if sameValue(prev.value, x) {
				return axis{}, p.errAt(esrc, "duplicate value %v", x)
			}
		}
		ax.values = append(ax.values, assign{key, x, esrc})
	}
	return ax, nil
}

func (p *parser) rules(table string, entries []map[string]any) ([]rule, error) {
	include := lastPart(table) == "include"
	var out []rule
	for i, e := range entries {
		src := fmt.Sprintf("%s.%d", table, i)
		if len(e) == 0 {
			return nil, p.errAt(src, "empty %s entry", lastPart(table))
		}
		r := rule{src: src}
		// An include entry may repeat its cells with seeds of its own: a
		// configuration whose comparison needs more seeds than the others
		// gets them without running every other configuration as often.
		if v, ok := e["seeds"]; ok && include {
			ssrc := src + ".seeds"
			n, ok := v.(int64)
			if !ok || n < 1 || n > maxSeeds {
				return nil, p.errAt(ssrc, "%v: want an integer 1..%d", v, maxSeeds)
			}
			r.seeds, r.seedsSrc = int(n), ssrc
			rest := map[string]any{}
			for k, v := range e {
				if k != "seeds" {
					rest[k] = v
				}
			}
			if len(rest) == 0 {
				return nil, p.errAt(src, "an include entry with only seeds = n names no cells")
			}
			e = rest
		}
		vals, err := p.scalars(src, e)
		if err != nil {
			return nil, err
		}
		r.values = vals
		out = append(out, r)
	}
	return out, nil
}

func (p *parser) profile(src string, table map[string]any, isAxis map[string]bool, s *spec) (profileSpec, error) {
	ps := profileSpec{axes: map[string]axis{}}
	for _, key := range sortedKeys(table) {
		v, ksrc := table[key], src+"."+key
		switch key {
		case "include", "exclude":
			entries, ok := asTables(v)
			if !ok {
				return ps, p.errAt(ksrc, "want a list of tables ([[%s.%s]]), got %s", src, key, tomlType(v))
			}
			rules, err := p.rules(ksrc, entries)
			if err != nil {
				return ps, err
			}
			if key == "include" {
				ps.include, ps.hasInc = rules, true
			} else {
				ps.exclude, ps.hasExc = rules, true
			}
			continue
		case "seeds":
			n, ok := v.(int64)
			if !ok || n < 1 || n > maxSeeds {
				return ps, p.errAt(ksrc, "%v: want an integer 1..%d", v, maxSeeds)
			}
			if isAxis["seed"] {
				return ps, p.errAt(ksrc, "seeds = n and a seed axis both set the seed; keep one")
			}
			ps.seeds, ps.seedsSrc = int(n), ksrc
			continue
		}
		if list, isList := v.([]any); isList {
			if !config.IsKey(key) {
				return ps, p.errAt(ksrc, "not a config key (known: %s)", strings.Join(config.Keys(), ", "))
			}
			if !isAxis[key] {
				return ps, p.errAt(ksrc, "a list replaces an axis, but %q is not one of [axes]", key)
			}
			ax, err := p.axis(key, ksrc, list)
			if err != nil {
				return ps, err
			}
			ps.axes[key] = ax
			continue
		}
		if isAxis[key] {
			return ps, p.errAt(ksrc, "%q is an axis: give a list to replace its values", key)
		}
		if err := p.checkValue(key, ksrc, v); err != nil {
			return ps, err
		}
		ps.fixed = append(ps.fixed, assign{key, v, ksrc})
	}
	return ps, nil
}

// checkValue checks that key is a config key and v has its type. Strings are
// refused for number and bool keys: config.Set would parse them (for command
// lines), but in TOML `lr = "0.1"` is a mistake worth naming.
func (p *parser) checkValue(key, src string, v any) error {
	if !config.IsKey(key) {
		return p.errAt(src, "not a config key (known: %s)", strings.Join(config.Keys(), ", "))
	}
	var zero config.Config
	want, _ := zero.Get(key)
	_, wantString := want.(string)
	if _, isString := v.(string); isString != wantString {
		return p.errAt(src, "want %s, got %s %v", goTypeName(want), tomlType(v), v)
	}
	if err := zero.Set(key, v); err != nil {
		return p.errAt(src, "%v", unwrapKeyErr(err))
	}
	return nil
}

func unwrapKeyErr(err error) error {
	if ke, ok := err.(*config.KeyError); ok {
		return ke.Err
	}
	return err
}

func goTypeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "true or false"
	case int, int64:
		return "an integer"
	case float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a bool"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func asTables(v any) ([]map[string]any, bool) {
	switch x := v.(type) {
	case []map[string]any:
		return x, true
	case []any:
		out := make([]map[string]any, len(x))
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func lastPart(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

// sameValue compares TOML values, treating 1 and 1.0 as equal.
func sameValue(a, b any) bool {
	if x, ok := toFloat(a); ok {
		y, ok := toFloat(b)
		return ok && x == y
	}
	return a == b
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}
