// Package harness expands TOML experiment matrices into cells, runs them
// resumably into a results tree (results/<matrix>/<key>/), and reads that tree
// back for status, export, merge and compare.
package harness
