// Package load reads a results tree into typed values: each matrix folder
// (results/<matrix>/, with its matrix.json) and its cells (config.toml,
// summary.json, metrics.jsonl, nvml.csv, pictures), and the per-layer
// profiles under results/profile/. It is the first of the report's three
// layers (load → answers → render) and knows nothing of exercises' wording
// or of HTML.
//
// Load never fails on what a folder holds: a partial, failed, half-written
// or damaged cell is loaded as far as it can be and every file that could not
// be read is named in Results.Problems, relative to the results folder, so a
// copied tree reports the same. Cells are labelled by their matrix's axes
// (matrix.json's, else the config keys that differ between cells) and sorted
// by those values, so the same tree always loads in the same order.
package load
