// Package k8s holds the Kubernetes manifests (YAML, beside this test) and the
// test that parses them, checks the fields a sweep relies on, and runs each
// container's command line against a stand-in alexbench, once per index.
package k8s

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type doc = map[string]any

// get walks a dotted path of map keys ("spec.template.spec"); a number
// indexes a list.
func get(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func load(t *testing.T) map[string][]doc {
	t.Helper()
	files, _ := filepath.Glob("*.yaml")
	if len(files) == 0 {
		t.Fatal("no manifests")
	}
	out := map[string][]doc{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("\t")) {
			t.Errorf("%s: a tab (YAML indents with spaces)", f)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var d doc
			err := dec.Decode(&d)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if d != nil {
				out[f] = append(out[f], d)
			}
		}
	}
	return out
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

func TestManifests(t *testing.T) {
	docs := load(t)
	want := map[string]string{ // file → kind
		"pvc.yaml": "PersistentVolumeClaim", "job-claim.yaml": "Job", "job-shard.yaml": "Job",
		"report-job.yaml": "Job", "merge-job.yaml": "Job",
	}
	for f, kind := range want {
		if len(docs[f]) != 1 || get(docs[f][0], "kind") != kind {
			t.Fatalf("%s: want one %s", f, kind)
		}
	}
	for f, ds := range docs {
		for _, d := range ds {
			name, _ := get(d, "metadata.name").(string)
			if !dnsLabel.MatchString(name) {
				t.Errorf("%s: metadata.name %q is not a DNS label", f, name)
			}
			wantAPI := map[string]string{"Job": "batch/v1", "PersistentVolumeClaim": "v1"}[get(d, "kind").(string)]
			if get(d, "apiVersion") != wantAPI {
				t.Errorf("%s: apiVersion %v, want %s", f, get(d, "apiVersion"), wantAPI)
			}
		}
	}

	pvc := docs["pvc.yaml"][0]
	claim := get(pvc, "metadata.name")
	if modes := fmt.Sprint(get(pvc, "spec.accessModes")); modes != "[ReadWriteMany]" {
		t.Errorf("pvc.yaml: accessModes %s, want [ReadWriteMany] (pods on many nodes share the tree)", modes)
	}
	if get(pvc, "spec.resources.requests.storage") == nil {
		t.Error("pvc.yaml: no storage request")
	}

	image := ""
	for _, f := range []string{"job-claim.yaml", "job-shard.yaml", "report-job.yaml", "merge-job.yaml"} {
		job := docs[f][0]
		pod := get(job, "spec.template.spec")
		indexed := f == "job-claim.yaml" || f == "job-shard.yaml"
		if rp := get(pod, "restartPolicy"); rp != "Never" {
			t.Errorf("%s: restartPolicy %v, want Never (backoffLimitPerIndex needs it; failed pods stay for their logs)", f, rp)
		}
		cs, _ := get(pod, "containers").([]any)
		if len(cs) != 1 {
			t.Fatalf("%s: %d containers, want 1", f, len(cs))
		}
		c := cs[0]
		img, _ := get(c, "image").(string)
		if image == "" {
			image = img
		} else if img != image {
			t.Errorf("%s: image %q, the others %q", f, img, image)
		}
		var gpus any
		if lim, ok := get(c, "resources.limits").(map[string]any); ok {
			gpus = lim["nvidia.com/gpu"]
		}
		if indexed {
			if m := get(job, "spec.completionMode"); m != "Indexed" {
				t.Errorf("%s: completionMode %v, want Indexed", f, m)
			}
			n, p := get(job, "spec.completions"), get(job, "spec.parallelism")
			if nn, ok := n.(int); !ok || nn < 1 || n != p {
				t.Errorf("%s: completions %v, parallelism %v: want equal, ≥ 1 (every index at once, one GPU each)", f, n, p)
			}
			if b, ok := get(job, "spec.backoffLimitPerIndex").(int); !ok || b < 1 {
				t.Errorf("%s: backoffLimitPerIndex %v, want ≥ 1", f, get(job, "spec.backoffLimitPerIndex"))
			}
			if gpus != 1 {
				t.Errorf("%s: nvidia.com/gpu limit %v, want 1 per pod", f, gpus)
			}
		} else if gpus != nil {
			t.Errorf("%s: asks for GPUs (%v); it only renders", f, gpus)
		}
		// The results volume: the shared PVC, mounted at /results.
		if cn := get(pod, "volumes.0.persistentVolumeClaim.claimName"); cn != claim {
			t.Errorf("%s: volume claims %v, want %v", f, cn, claim)
		}
		if get(c, "volumeMounts.0.name") != get(pod, "volumes.0.name") || get(c, "volumeMounts.0.mountPath") != "/results" {
			t.Errorf("%s: the results volume is not mounted at /results", f)
		}
	}
}

// Every container's command, run with a stand-in alexbench on PATH (once per
// index, with JOB_COMPLETION_INDEX set), calls alexbench as intended.
func TestManifestCommands(t *testing.T) {
	docs := load(t)
	matrices, _ := filepath.Glob("../../experiments/[es]*[0-9]*-*.toml")
	for i := range matrices {
		matrices[i] = "experiments/" + filepath.Base(matrices[i])
	}
	sort.Strings(matrices)
	all := strings.Join(matrices, " ")
	calls := func(f string, index int) []string {
		t.Helper()
		c := get(docs[f][0], "spec.template.spec.containers.0")
		var argv []string
		for _, key := range []string{"command", "args"} {
			list, _ := get(c, key).([]any)
			for _, a := range list {
				argv = append(argv, fmt.Sprint(a))
			}
		}
		dir := t.TempDir()
		log := filepath.Join(dir, "calls")
		os.WriteFile(filepath.Join(dir, "alexbench"), []byte("#!/bin/sh\necho \"$*\" >> \"$CALLS\"\n"), 0o755)
		if argv[0] == "alexbench" {
			argv[0] = filepath.Join(dir, "alexbench")
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "CALLS="+log)
		if index >= 0 {
			cmd.Env = append(cmd.Env, fmt.Sprintf("JOB_COMPLETION_INDEX=%d", index))
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", f, err, out)
		}
		b, _ := os.ReadFile(log)
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	check := func(f string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s calls\n%s\nwant\n%s", f, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	n := get(docs["job-claim.yaml"][0], "spec.completions").(int)
	for k := 0; k < n; k++ {
		check("job-claim.yaml", calls("job-claim.yaml", k), "run "+all+" --results /results --profile full")
	}
	n = get(docs["job-shard.yaml"][0], "spec.completions").(int)
	for k := 0; k < n; k++ {
		check("job-shard.yaml", calls("job-shard.yaml", k),
			fmt.Sprintf("run %s --profile full --shard %d/%d --results /results/shards/shard-%d", all, k+1, n, k+1))
	}
	check("report-job.yaml", calls("report-job.yaml", -1),
		"status --results /results", "report --results /results -o /results/report.html")
	// (No /results here, so the shell leaves the glob as it is.)
	check("merge-job.yaml", calls("merge-job.yaml", -1),
		"merge /results/shards/shard-* --into /results/merged",
		"status --results /results/merged", "report --results /results/merged -o /results/merged/report.html")
}
