// Package reports turns a results tree (results/<matrix>/<cell-key>/ folders,
// written by the harness, plus the per-layer profiles under results/profile/)
// into one self-contained, offline HTML file that answers each exercise of
// d2l's AlexNet chapter from the measurements.
//
// It only reads: Load gathers what the folders hold (partial, failed and
// half-written cells included) and Render writes the page. The page inlines
// echarts (from the pinned npm package) and embeds images as data: URIs, so it
// opens from disk or an e-mail attachment with no network. The same results
// always give a byte-identical file: everything is sorted, chart IDs are fixed,
// and the only dates shown come from the results themselves.
package reports
