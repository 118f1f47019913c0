// Package harness expands TOML experiment matrices into cells, runs them
// resumably into a results tree (results/<matrix>/<key>/), and reads that tree
// back for status, export, merge and compare.
//
// # Matrix files
//
//	name = "e5-lenet"            # required; the results folder
//	description = "…"            # required
//	exercise = "E5"              # optional: the exercise it answers
//	seeds = 3                    # optional: repeat every cell with seed 1..3
//
//	[fixed]                      # config keys set in every cell
//	model = "lenet"
//
//	[axes]                       # config keys with lists: the cartesian product
//	activation = ["sigmoid", "relu"]
//	pool = ["avg", "max"]
//
//	[[exclude]]                  # drop combinations matching all of an entry (axes only)
//	activation = "sigmoid"
//	pool = "max"
//
//	[[include]]                  # add values, or cells, as GitHub Actions does
//	activation = "relu"
//	dropout = 0.5
//
//	[profile.quick]              # overrides for one profile (quick or full):
//	epochs = 3                   #   a scalar replaces [fixed] (or the default),
//	train_limit = 3072           #   a list replaces the axis of that name,
//	                             #   include/exclude/seeds replace the matrix's own
//
// Every key in [fixed], [axes], include, exclude and the profiles is a config
// key (harness/config). A cell's config is config.Default(model), then
// [fixed], then the profile's scalars, then its axis values, then include
// additions, then the seed; it must pass Config.Validate and build (models.Build)
// in both profiles, or the whole file is refused with one error,
// `file:line: key "axes.lr[3]": message`, and nothing runs.
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
// The runner holds a flock on <results>/.alexbench.lock (with its PID inside)
// while it runs; the kernel drops it when the process dies, so a killed run's
// lock is taken over. Shards of one sweep (--shard i/n) share the tree: each
// holds that lock shared plus .alexbench.lock.shard-i-of-n exclusively.
package harness
