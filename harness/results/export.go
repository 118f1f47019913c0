package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"alexbench/harness/config"
	"alexbench/internal/num"
)

// ExportColumns are the flat columns of `alexbench export`, in order: the
// cell's identity, every config key, then how it ended and what it measured.
// "epochs" is the configured count, "epochs_done" how many finished;
// "backend" is the backend the cell ran on, and the config's backend key
// (usually "auto") is "backend_requested". peak_mib and steady_peak_mib come
// from the cell's memory summary (by memory_method: nvml-process,
// nvml-device-delta or rss), model_mib from the analytic memory model.
func ExportColumns() []string {
	cols := []string{"matrix", "key", "profile"}
	for _, k := range config.Keys() {
		if k == "backend" {
			k = "backend_requested"
		}
		cols = append(cols, k)
	}
	return append(cols,
		"outcome", "error", "epochs_done", "train_loss", "train_acc", "test_acc",
		"examples_per_sec", "epoch_seconds", "diverged_epoch",
		"step_ms", "first_step_seconds", "wall_seconds", "params",
		"backend", "device", "allocator", "xla_flags",
		"memory_method", "peak_mib", "steady_peak_mib", "model_mib",
		"started", "finished")
}

// ExportRow is one cell's values by column name.
type ExportRow map[string]any

// ExportRows reads every cell with a summary (any outcome) under root, sorted
// by matrix and key. Cells without one (in flight, corrupt) are skipped and
// named in skipped, as are cells whose config.toml cannot be read.
func ExportRows(root string) (rows []ExportRow, skipped []string, err error) {
	stored, err := ScanResults(root)
	if err != nil {
		return nil, nil, err
	}
	for _, sc := range stored {
		if sc.Summary == nil {
			why := sc.State
			if sc.Err != nil {
				why = sc.Err.Error()
			}
			skipped = append(skipped, fmt.Sprintf("%s/%s: %s", sc.Matrix, sc.Key, why))
			continue
		}
		cfg, err := ReadConfig(sc.Dir)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s/%s: %v", sc.Matrix, sc.Key, err))
			continue
		}
		metrics, err := ReadMetrics(sc.Dir)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s/%s: %v", sc.Matrix, sc.Key, err))
			continue
		}
		if probs := finishedFileProblems(sc.Dir, sc.Summary); len(probs) > 0 {
			skipped = append(skipped, fmt.Sprintf("%s/%s: %v", sc.Matrix, sc.Key, probs[0].Err))
			continue
		}
		s := sc.Summary
		row := ExportRow{"matrix": sc.Matrix, "key": sc.Key, "profile": s.Profile}
		for _, k := range config.Keys() {
			v, _ := cfg.Get(k)
			if k == "backend" {
				k = "backend_requested"
			}
			row[k] = v
		}
		f := s.Final
		var method any // null in JSON when nothing was sampled
		peak, steady := num.NaN(), num.NaN()
		if m := s.Memory; m != nil {
			method, peak, steady = m.Method, m.PeakMiB, m.SteadyPeakMiB
		}
		model := num.NaN()
		if s.MemoryModel != nil {
			model = num.Num(s.MemoryModel.TotalMiB)
		}
		// Measurements are num.Num: a diverged loss (NaN) is an empty CSV
		// field and null in JSON, never a 0 that reads as a perfect fit.
		for k, v := range map[string]any{
			"outcome": s.Outcome, "error": s.ErrorLine(), "epochs_done": len(metrics),
			"train_loss": num.Finite(f.TrainLoss), "train_acc": num.Finite(f.TrainAcc), "test_acc": num.Finite(f.TestAcc),
			"examples_per_sec": num.Finite(f.ExamplesPerSec), "epoch_seconds": num.Finite(f.EpochSeconds),
			"diverged_epoch": s.DivergedEpoch, "step_ms": num.Finite(s.StepMillis),
			"first_step_seconds": num.Finite(s.FirstStepSeconds), "wall_seconds": num.Finite(s.WallSeconds),
			"params": s.Params, "backend": s.Backend, "device": s.Device,
			"allocator": s.Allocator, "xla_flags": s.XLAFlags,
			"memory_method": method, "peak_mib": peak, "steady_peak_mib": steady, "model_mib": model,
			"started": s.Started.Format(time.RFC3339), "finished": s.Finished.Format(time.RFC3339),
		} {
			row[k] = v
		}
		rows = append(rows, row)
	}
	return rows, skipped, nil
}

// WriteCSV writes rows with a header line.
func WriteCSV(w io.Writer, rows []ExportRow) error {
	cols := ExportColumns()
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for _, row := range rows {
		for i, c := range cols {
			rec[i] = csvValue(row[c])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return csvValue(num.Finite(x))
	case num.Num:
		if !x.Valid() {
			return "" // missing or diverged: no number, which CSV spells as nothing
		}
		return strconv.FormatFloat(float64(x), 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// WriteJSONL writes one JSON object per row, keys in column order.
func WriteJSONL(w io.Writer, rows []ExportRow) error {
	cols := ExportColumns()
	var buf bytes.Buffer
	for _, row := range rows {
		buf.Reset()
		buf.WriteByte('{')
		for i, c := range cols {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(c)
			v, err := json.Marshal(row[c])
			if err != nil {
				return fmt.Errorf("column %s: %w", c, err)
			}
			buf.Write(k)
			buf.WriteByte(':')
			buf.Write(v)
		}
		buf.WriteString("}\n")
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}
