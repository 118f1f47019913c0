// Package reports renders a results tree as one self-contained, offline HTML
// file that answers each exercise of d2l's AlexNet chapter from the
// measurements, and as answers.json, the same answers as values.
//
// The report has three layers, as benchstat does (read → tables → text):
//
//	reports/load     results/<matrix>/<cell>/ and results/profile/ → typed cells
//	reports/answers  cells → one typed Answer per section (no HTML, no charts)
//	reports          Answers → report.html (echarts) and answers.json
//
// This package is the last: Render (or RenderAnswers, for answers already
// built) lays each Answer out, draws its figures with go-echarts, embeds its
// pictures as data: URIs, and AnswersJSON writes what a nightly job can diff.
// The page inlines echarts (from the pinned npm package), so it opens from
// disk or an e-mail attachment with no network. The same results always give
// byte-identical files: everything is sorted, chart IDs are fixed, and the
// only dates shown come from the results themselves.
package reports
