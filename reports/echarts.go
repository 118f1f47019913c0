package reports

import (
	"alexbench/internal/switches"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// EChartsEnv names an echarts.min.js to use instead of searching for one
// (read once, with every other switch, by internal/switches).
const EChartsEnv = switches.EChartsVar

const echartsRel = "node_modules/echarts/dist/echarts.min.js"

// FindECharts locates echarts.min.js: the explicit path if given, else
// the EChartsEnv variable, else node_modules/echarts/dist/echarts.min.js in the
// current folder or any folder above it, else next to or above the running
// executable (bin/alexbench in the repo). The error says how to install it.
func FindECharts(explicit string) (string, error) {
	if explicit == "" {
		explicit = switches.Current().ECharts
	}
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("echarts: %w", err)
		}
		return explicit, nil
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil && (len(starts) == 0 || filepath.Dir(exe) != starts[0]) {
		starts = append(starts, filepath.Dir(exe))
	}
	var tried []string
	for _, dir := range starts {
		for {
			p := filepath.Join(dir, echartsRel)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			tried = append(tried, p)
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("echarts.min.js not found (looked for %s from %v upwards): run `make js` (npm ci) in the alexbench repository, or point %s or --echarts at an echarts.min.js",
		echartsRel, starts, EChartsEnv)
}

// LoadECharts reads echarts.min.js and its version from the package.json two
// folders up (node_modules/echarts/package.json), when there is one.
func LoadECharts(path string) (src []byte, version string, err error) {
	src, err = os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("reading echarts: %w", err)
	}
	if len(src) < 1000 {
		return nil, "", fmt.Errorf("reading echarts: %s is only %d bytes, not echarts.min.js (rerun `make js`)", path, len(src))
	}
	version = "(version unknown)"
	pkg := filepath.Join(filepath.Dir(filepath.Dir(path)), "package.json")
	if data, err := os.ReadFile(pkg); err == nil {
		var p struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		}
		if json.Unmarshal(data, &p) == nil && p.Name == "echarts" && p.Version != "" {
			version = p.Version
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("reading %s: %w", pkg, err)
	}
	return src, version, nil
}
