// Package answers turns a loaded results tree into one typed Answer per
// section of the report: d2l's question, the answer in plain words, every
// comparison behind it (effect, 95 % CI, test, Holm-corrected p, n and
// verdict), tables, figures described as data, and the runs that diverged
// or never learned, with their likely cause. It is
// the middle of the report's three layers (load → answers → render) and
// never draws anything: it imports no HTML or chart package.
//
// # Sections
//
// sectionList (sections.go) is the page, keyed by d2l 1.0's numbering of the
// chapter's exercises; each exercise's builder lives in the file named by its
// number (ex7.go answers exercise 7, s8_1.go the chapter's own result). A
// matrix feeds the section whose number its exercise key names.
//
// # Evidence
//
// Every estimate and comparison goes through evidence.go: sample (and
// describe) read every finished run through value, so runs that diverged or
// ended near chance enter every accuracy estimate with the accuracy they
// ended at (they are outcomes, not missing data; outcomes.go counts them as
// a rate per configuration and names their cause); a family records each comparison
// in the Answer and Holm-corrects it with the others of its section; a
// verdict is higher or lower (significant), equivalent (a TOST shows the
// difference inside ±1 point of accuracy or ±10 % of a ratio), undecided
// (neither; stated with the smallest difference the design could have
// found), withheld (a timing measured while the machine was busier than
// its cores) or not_enough_runs (fewer than three runs a side). Times and
// speeds are the median steady-state step, compared unpaired (Welch, on the
// log scale): a seed has nothing to do with speed. Every
// comparison is printed with its difference and 95 % CI. Numbers are
// formatted by format.go alone.
package answers
