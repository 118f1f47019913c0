// Package results is the one definition of a results tree and a cell's files:
// what each file holds (Summary, the metrics lines, config.toml, nvml.csv,
// pictures, matrix.json), the one reader of a cell (ReadCell, and
// ReadSummary / ReadMetrics / ReadConfig for the parts) and the one writer
// (WriteConfig, WriteMetrics, WriteSummary), plus what works on whole trees:
// the lock, status, export and merge. Numbers that may be missing or diverged
// are NaN in Go and null in the files (internal/num).
//
// # Results tree
//
// A cell's folder is <results>/<matrix>/<Config.Key(profile)>/ with
// config.toml, metrics.jsonl (one line per epoch, rewritten after each), the
// trainer's and sampler's files, and summary.json, written last. Every file is
// written to a temp file and renamed. A folder with summary.json is finished
// (done, diverged, oom or failed); one without is unfinished and is cleared and
// rerun; a summary that cannot be read is reported and rerun. Finished results
// are never deleted: --force and --retry-failed move the old folder to
// <matrix>/.replaced/<key>-<UTC time>/ first. <matrix>/matrix.json records each
// profile's planned cells, for status and reports.
//
// Runners sharing a tree hold a shared flock on <results>/.alexbench.lock;
// merge holds it exclusively (with its PID inside), so it never copies into a
// tree a runner on the same host writes. What keeps runners — on one host or
// many — from running a cell twice is the per-cell claim in
// <results>/.claims/<key>/ (ClaimDir, package harness/claim) and
// the fenced writer (stage.go): a run writes its cell in a staging folder of
// its own, <matrix>/.staging/<claim token>/<key>/, and publishes it whole,
// summary inside, with one rename that fails onto a published folder — so a
// runner stalled past its claim's timeout never writes into a published
// cell, and a published folder never changes. A staged cell is in flight; a
// run stopped by a signal leaves interrupted.json in its staging folder.
package results
