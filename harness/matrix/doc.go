// Package matrix turns experiments/*.toml files into cells: it checks a
// matrix file, expands its axes, include and exclude entries, seeds and
// profiles into fully resolved configs (harness/config) with their keys, and
// says which shard of a sweep owns a cell. It reads no results and runs
// nothing.
//
// # Matrix files
//
//	name = "ex7-lenet"           # required; the results folder
//	description = "…"            # required
//	exercise = "7"               # optional: d2l's number of the exercise it answers
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
//	seeds = 5                    # optional: this entry's cells get seeds 1..5
//	                             #   instead of the matrix's seeds = n
//
//	[profile.quick]              # overrides for one profile (quick, cpu or full):
//	epochs = 3                   #   a scalar replaces [fixed] (or the default),
//	train_limit = 3072           #   a list replaces the axis of that name,
//	                             #   include/exclude/seeds replace the matrix's own
//
// Every key in [fixed], [axes], include, exclude and the profiles is a config
// key (harness/config). A cell's config is config.Resolve's: the model's
// defaults, then [fixed], then the profile's scalars, then its axis values,
// then include additions, then the seed, then the defaults that follow other
// knobs for the keys the cell did not set (config.Derive: LeNet's lr follows
// its activation, 0.9 for sigmoid, 0.1 for ReLU), validated. Its layers must
// build (cellspec.New, which resolves the cell once: Cell carries the spec)
// in both profiles, or the whole file is refused with one error,
// `file:line: key "axes.lr[3]": message`, and nothing runs.
package matrix
