// Package workflows holds no code: its test lints the GitHub Actions
// workflows (.github/workflows) with actionlint at a pinned version, so
// `make test` catches a broken CI or nightly file before GitHub does.
package workflows
