//go:build legacy

package reports

import (
	"strings"
)

// The page's sections, in the order and numbering of d2l 1.0's §8.1
// ("Deep Convolutional Neural Networks (AlexNet)") exercises, after the
// chapter's own result. Each section's HTML id is d2l-ex-N (sub-exercises
// d2l-ex-1-3, d2l-ex-5-1, …) so a reader can link to it; the harness's older
// names (E0–E5) stay in the titles as cross-references, and their old ids
// (e0, e2-1, …) as extra anchors.
//
// # Adding to the page
//
// A new section is one entry in sectionList below: its number, title, d2l's
// question, the matrix exercise keys that feed it (see exercise.go) and what
// to run when nothing is measured. Its builder can live in a file of its own:
// leave Build nil here and register it from that file with
//
//	func init() { contribute("8", []string{"E8"}, buildOverfit) }
//
// contribute also adds to an existing section (the inference half of 1.3, the
// augmentation half of 7): contributed builders run after the section's own,
// in registration order, and receive every matrix of the section's keys and
// theirs. A builder appends to s.Answer and s.Blocks and, for sections with no
// matrices (profiles), sets s.Status; for matrix sections the status and the
// list of cells come from the matrices. Answers must follow the statistics
// rules of evidence.go (a comparison is stated only with its test; fewer than
// three runs a side states no direction).
type sectionSpec struct {
	// Num is d2l's exercise number ("1.1", "4"); "" for the chapter's result.
	Num string
	// ID overrides the anchor d2l-ex-<Num with dots as dashes>.
	ID string
	// Xref is the harness's older name, shown in the title ("E4.1").
	Xref  string
	Title string
	// Question is d2l 1.0's exercise text.
	Question []string
	// Keys are the matrix exercise keys whose matrices the section answers.
	Keys []string
	// Run is what to run when nothing is measured.
	Run string
	// Aliases are extra anchors (older ids, a parent exercise's id).
	Aliases []string
	// Profiles marks a section answered from results/profile/*.json rather
	// than from matrices: its builder sets the status.
	Profiles bool
	Build    buildFunc
}

type buildFunc func(b *builder, s *section, ms []*Matrix)

// sectionList is the page, top to bottom.
var sectionList = []*sectionSpec{
	{ID: "d2l-8-1", Xref: "E0", Title: "§8.1 · d2l's AlexNet, reproduced", Keys: []string{"E0"},
		Run: "alexbench run experiments/e0-alexnet.toml", Aliases: []string{"e0"},
		Question: []string{"Does AlexNet, trained with d2l's recipe (SGD, lr 0.01, batch 128, 10 epochs, 224×224 inputs), reach d2l's published numbers on Fashion-MNIST? Curves are the mean over seeds with a band of ±1 sd."},
		Build:    buildE0},
	{Num: "1.1", Xref: "E4.1", Title: "Memory footprint: convolutions vs fully connected layers", Profiles: true,
		Run: "alexbench profile alexnet --batch 128", Aliases: []string{"d2l-ex-1", "e4"},
		Question: []string{"d2l exercise 1: Following up on the discussion above, analyze the computational properties of AlexNet. 1.1: Compute the memory footprint for convolutions and fully connected layers, respectively. Which one dominates?"},
		Build:    buildEx11},
	{Num: "1.2", Xref: "E4.2", Title: "Computational cost: convolutions vs fully connected layers", Profiles: true,
		Run:      "alexbench profile alexnet --batch 128",
		Question: []string{"d2l exercise 1.2: Calculate the computational cost for the convolutions and the fully connected layers."},
		Build:    buildEx12},
	{Num: "1.3", Xref: "E4.3", Title: "Memory bandwidth, latency and size; training vs inference", Profiles: true,
		Run:      "alexbench profile alexnet --batch 128 (and --batch 1, 32, 512)",
		Question: []string{"d2l exercise 1.3: How does the memory (read and write bandwidth, latency, size) affect computation? Is there any difference in its effects for training and inference?"},
		Build:    buildEx13},
	{Num: "2", Title: "A chip designer's trade-off: compute vs memory bandwidth", Profiles: true,
		Run:      "alexbench profile alexnet --batch 128 (and --batch 1)",
		Question: []string{"d2l exercise 2: You are a chip designer and need to trade off computation and memory bandwidth. For example, a faster chip requires more power and possibly a larger chip area. More memory bandwidth requires more pins and control logic, thus also more area. How do you optimize?"}},
	{Num: "3", Title: "Why engineers no longer benchmark on AlexNet", Profiles: true,
		Run:      "alexbench profile alexnet --batch 128 and alexbench run experiments/e2-28x28.toml",
		Question: []string{"d2l exercise 3: Why do engineers no longer report performance benchmarks on AlexNet?"}},
	{Num: "4", Xref: "E1", Title: "More epochs: AlexNet vs LeNet", Keys: []string{"E1"},
		Run: "alexbench run experiments/e1-epochs.toml", Aliases: []string{"e1"},
		Question: []string{"d2l exercise 4: Try increasing the number of epochs when training AlexNet. Compared with LeNet, how do the results differ? Why?"},
		Build:    buildE1},
	{Num: "5.1", Xref: "E2.1", Title: "Simplify AlexNet", Keys: []string{"E2.1", "E5.1"},
		Run: "alexbench run experiments/e2-simplify.toml", Aliases: []string{"d2l-ex-5", "e2-1"},
		Question: []string{"d2l exercise 5: AlexNet may be too complex for the Fashion-MNIST dataset, in particular due to the low resolution of the initial images. 5.1: Try simplifying the model to make the training faster, while ensuring that the accuracy does not drop significantly."},
		Build:    buildE21},
	{Num: "5.2", Xref: "E2.2", Title: "A better model for 28×28 images", Keys: []string{"E2.2", "E5.2"},
		Run: "alexbench run experiments/e2-28x28.toml", Aliases: []string{"e2-2"},
		Question: []string{"d2l exercise 5.2: Design a better model that works directly on 28×28 images."},
		Build:    buildE22},
	{Num: "6", Xref: "E3", Title: "Batch size: throughput, accuracy, memory", Keys: []string{"E3", "E6"},
		Run: "alexbench run experiments/e3-batch-size.toml", Aliases: []string{"e3"},
		Question: []string{"d2l exercise 6: Modify the batch size, and observe the changes in throughput (images/s), accuracy, and GPU memory."},
		Build:    buildE3},
	{Num: "7", Xref: "E5", Title: "LeNet-5 with dropout and ReLU; preprocessing", Keys: []string{"E5"},
		Run: "alexbench run experiments/e5-lenet.toml", Aliases: []string{"e5"},
		Question: []string{"d2l exercise 7: Apply dropout and ReLU to LeNet-5. Does it improve? Can you improve things further by preprocessing to take advantage of the invariances inherent in the images?"},
		Build:    buildE5},
	{Num: "8", Title: "Make AlexNet overfit; break its training", Keys: []string{"E8"},
		Run:      "alexbench run experiments/e8-overfit.toml",
		Question: []string{"d2l exercise 8: Can you make AlexNet overfit? Which feature do you need to remove or change to break training?"}},
}

// contribution is a builder another file adds to a section.
type contribution struct {
	keys  []string
	build buildFunc
}

var contributions = map[string][]contribution{}

// contribute registers build for the section numbered num (from an init
// function), answering the matrices of keys besides the section's own.
func contribute(num string, keys []string, build buildFunc) {
	if findSection(num) == nil {
		panic("reports: contribute to unknown section " + num)
	}
	contributions[num] = append(contributions[num], contribution{keys, build})
}

func findSection(num string) *sectionSpec {
	for _, s := range sectionList {
		if s.Num == num {
			return s
		}
	}
	return nil
}

// anchor is the section's HTML id.
func (s *sectionSpec) anchor() string {
	if s.ID != "" {
		return s.ID
	}
	return "d2l-ex-" + strings.ReplaceAll(s.Num, ".", "-")
}

// heading is "Exercise 1.1 · Memory footprint … (E4.1)".
func (s *sectionSpec) heading() string {
	t := s.Title
	if s.Num != "" {
		t = "Exercise " + s.Num + " · " + t
	}
	if s.Xref != "" {
		t += " (" + s.Xref + ")"
	}
	return t
}

// allKeys are the section's keys and its contributions'.
func (s *sectionSpec) allKeys() []string {
	keys := append([]string(nil), s.Keys...)
	if s.Num != "" {
		for _, c := range contributions[s.Num] {
			keys = append(keys, c.keys...)
		}
	}
	return keys
}

func hasKey(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// matricesOf filters ms to those whose exercise is one of keys.
func matricesOf(ms []*Matrix, keys []string) []*Matrix {
	var out []*Matrix
	for _, m := range ms {
		if hasKey(keys, m.Exercise) {
			out = append(out, m)
		}
	}
	return out
}

// buildSection assembles one section: its own builder on its own keys'
// matrices, then every contribution on the section's and its own.
func buildSection(b *builder, spec *sectionSpec, all []*Matrix) *section {
	s := &section{ID: spec.anchor(), Title: spec.heading(), Question: spec.Question, Aliases: spec.Aliases}
	ms := matricesOf(all, spec.allKeys())
	var contribs []contribution
	if spec.Num != "" {
		contribs = contributions[spec.Num]
	}
	if !spec.Profiles {
		s.Status = statusOf(ms)
	}
	switch {
	case spec.Build == nil && len(contribs) == 0:
		s.Status = "not measured"
		s.Answer = append(s.Answer, notMeasured(spec, ms))
	case !spec.Profiles && s.Status == "not measured":
		s.Answer = append(s.Answer, notMeasured(spec, ms))
	default:
		if spec.Build != nil {
			spec.Build(b, s, matricesOf(all, spec.Keys))
		}
		for _, c := range contribs {
			c.build(b, s, matricesOf(all, append(append([]string(nil), spec.Keys...), c.keys...)))
		}
	}
	if len(ms) > 0 || !spec.Profiles {
		s.Blocks = append(s.Blocks, cellsBlock(ms))
	}
	return s
}
