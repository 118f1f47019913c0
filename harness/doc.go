// Package harness runs experiment matrices: it sits on top of the packages
// that each do one job and wires them together.
//
//	harness/config   the one Config type, its defaults, cell key and Resolve
//	harness/cellspec a cell resolved once: config, key, layers, compute and
//	                 memory model, passed whole to every step below
//	harness/cost     what a cell costs: compute, memory and the time estimate
//	harness/matrix   experiments/*.toml → cells (each a cellspec), shards, profiles
//	harness/results  a cell's files and the results tree: the one reader and
//	                 writer, lock, status, export, merge
//	harness/compare  results trees and baselines compared (the nightly)
//	harness/trainer  the train loop of one cell
//	harness          Runner (a sweep, resumable) and TrainCell (one cell, the
//	                 path `alexbench train` takes too), the Trainer interface
//	                 and BackendTrainer, the real one (backend + dataset,
//	                 opened once per sweep), and the sampler
//
// Runner plans a sweep from the results tree (what is done, what failed,
// what another shard owns), locks the tree, and runs each cell through
// TrainCell, writing its folder with harness/results.
package harness
