package results

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"alexbench/harness/matrix"
	"alexbench/harness/trainer"
)

// MatrixStatus counts one matrix's cells of one profile by state.
type MatrixStatus struct {
	Matrix  string
	Profile string // "-" for cells no run recorded in matrix.json (and without a summary to tell)
	Cells   int
	Counts  map[string]int // state → cells: the four outcomes, in-flight, corrupt, pending
	Corrupt []string       // why each corrupt summary is corrupt
	// Unreadable: the matrix.json that could not be read; its cells are then
	// counted by their summaries' profiles, and its pending ones are unknown.
	Unreadable string
	// Interrupted: the in-flight cells a signal stopped, and when (the
	// others are running now, or their runner was killed).
	Interrupted []string
}

// Status reads a results tree: per matrix and profile, how many of the cells
// the last run planned (matrix.json) are done, diverged, oom, failed, in
// flight, corrupt or still pending. Cell folders no plan lists are counted
// under their summary's profile.
func Status(root string) ([]MatrixStatus, error) {
	stored, err := ScanResults(root)
	if err != nil {
		return nil, err
	}
	byMatrix := map[string]map[string]StoredCell{}
	var names []string
	for _, sc := range stored {
		if byMatrix[sc.Matrix] == nil {
			byMatrix[sc.Matrix] = map[string]StoredCell{}
			names = append(names, sc.Matrix)
		}
		byMatrix[sc.Matrix][sc.Key] = sc
	}
	// Matrices planned but with no cell folder yet.
	if recs, err := listMatrixRecords(root); err == nil {
		for _, n := range recs {
			if byMatrix[n] == nil {
				byMatrix[n] = map[string]StoredCell{}
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)

	var out []MatrixStatus
	for _, name := range names {
		cells := byMatrix[name]
		rec, err := ReadMatrixRecord(root, name)
		unreadable := ""
		if err != nil {
			// One damaged plan must not hide the whole tree: name it, and
			// count its cells as if it had none.
			unreadable, rec = err.Error(), nil
		}
		first := len(out)
		seen := map[string]bool{}
		if rec != nil {
			for _, profile := range sortedProfiles(rec.Profiles) {
				st := MatrixStatus{Matrix: name, Profile: profile, Counts: map[string]int{}}
				for _, cr := range rec.Profiles[profile] {
					st.Cells++
					seen[cr.Key] = true
					sc, ok := cells[cr.Key]
					if !ok {
						st.Counts[StatePending]++
						continue
					}
					st.add(sc)
				}
				out = append(out, st)
			}
		}
		extra := map[string]*MatrixStatus{}
		for _, key := range sortedCellKeys(cells) {
			if seen[key] {
				continue
			}
			sc := cells[key]
			profile := "-"
			if sc.Summary != nil {
				profile = sc.Summary.Profile
			}
			st := extra[profile]
			if st == nil {
				st = &MatrixStatus{Matrix: name, Profile: profile, Counts: map[string]int{}}
				extra[profile] = st
			}
			st.Cells++
			st.add(sc)
		}
		for _, p := range sortedProfiles(extra) {
			out = append(out, *extra[p])
		}
		if unreadable != "" {
			if first == len(out) {
				out = append(out, MatrixStatus{Matrix: name, Profile: "-", Counts: map[string]int{}})
			}
			out[first].Unreadable = unreadable
		}
	}
	return out, nil
}

func (st *MatrixStatus) add(sc StoredCell) {
	st.Counts[sc.State]++
	if sc.State == StateCorrupt {
		st.Corrupt = append(st.Corrupt, fmt.Sprintf("%s/%s: %v", sc.Matrix, sc.Key, sc.Err))
	}
	if sc.State == StateInFlight {
		if in, _ := ReadInterrupted(sc.Dir); in != nil {
			st.Interrupted = append(st.Interrupted, fmt.Sprintf("%s/%s: %s", sc.Matrix, sc.Key, in))
		}
	}
}

// StatusColumns are the states a status table shows, in order.
var StatusColumns = []string{trainer.OutcomeDone, trainer.OutcomeDiverged, trainer.OutcomeOOM, trainer.OutcomeFailed,
	StateInFlight, StateCorrupt, StatePending}

// WriteStatus prints the status table, then one line per corrupt summary.
func WriteStatus(w io.Writer, sts []MatrixStatus) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "MATRIX\tPROFILE\tCELLS")
	for _, c := range StatusColumns {
		fmt.Fprintf(tw, "\t%s", c)
	}
	fmt.Fprintln(tw, "\t")
	for _, st := range sts {
		fmt.Fprintf(tw, "%s\t%s\t%d", st.Matrix, st.Profile, st.Cells)
		for _, c := range StatusColumns {
			fmt.Fprintf(tw, "\t%d", st.Counts[c])
		}
		fmt.Fprintln(tw, "\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, st := range sts {
		if st.Unreadable != "" {
			fmt.Fprintf(w, "unreadable plan (%s counted without it, pending cells unknown): %s\n", st.Matrix, st.Unreadable)
		}
		for _, c := range st.Corrupt {
			fmt.Fprintf(w, "corrupt (will be rerun): %s\n", c)
		}
		for _, c := range st.Interrupted {
			fmt.Fprintf(w, "interrupted (will be rerun): %s\n", c)
		}
	}
	return nil
}

func listMatrixRecords(root string) ([]string, error) {
	entries, err := readDirNames(root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range entries {
		if !matrix.ValidName(n) {
			continue
		}
		if rec, err := ReadMatrixRecord(root, n); err == nil && rec != nil {
			out = append(out, n)
		}
	}
	return out, nil
}

func sortedProfiles[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedCellKeys(m map[string]StoredCell) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
