package reports

import (
	"alexbench/reports/internal/fixture"
	"alexbench/reports/load"
	"path/filepath"
	"testing"
)

// maxReportBytes is the budget for a report of every matrix.
const maxReportBytes = 5 << 20

// TestReportSizeBudget renders a tree larger than a quick run of every
// matrix (150 cells of 30 epochs, each with pictures and a 10-minute NVML
// timeline at 100 ms) with the real echarts, and checks the page stays under
// the budget.
func TestReportSizeBudget(t *testing.T) {
	ejs, err := FindECharts("")
	if err != nil {
		needTool(t, "echarts", err.Error())
	}
	src, _, err := LoadECharts(ejs)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "results")
	matrices := []string{"e0-alexnet", "e1-epochs", "e2-simplify", "e2-28x28", "e3-batch-size", "e5-lenet"}
	for i := 0; i < 150; i++ {
		c := fixture.Cell{Matrix: matrices[i%len(matrices)], Outcome: "done", Skill: 0.8, EpochSeconds: 3, MemMiB: 1000, Images: true, NVMLRows: 6000,
			Config: fixture.QuickConfig(t, "lenet", map[string]any{"epochs": 30, "seed": int64(i), "lr": 0.1 + float64(i%7)/10})}
		fixture.WriteCell(t, root, i, c)
	}
	res, err := load.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	page, err := Render(res, Options{ECharts: src})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report of 150 cells: %.2f MB (echarts %.2f MB)", float64(len(page))/1e6, float64(len(src))/1e6)
	if len(page) > maxReportBytes {
		t.Errorf("report is %d bytes, budget %d", len(page), maxReportBytes)
	}
}
