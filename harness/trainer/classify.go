package trainer

import "strings"

// oomMarks are how out-of-memory reads in the errors of XLA
// (RESOURCE_EXHAUSTED), CUDA, Go and the OS, lower-cased.
var oomMarks = []string{"out of memory", "resource_exhausted", "resource exhausted", "cannot allocate memory", "failed to allocate"}

// ClassifyError is the outcome of a run that err ended: OutcomeOOM when it
// reads as out of memory, else OutcomeFailed, with err's text. It is the one
// classifier: the trainer and the runner (for errors and panics from outside
// the train loop) both use it, so one error never gets two labels.
func ClassifyError(err error) (outcome, msg string) { return ClassifyText(err.Error()) }

// ClassifyText is ClassifyError for an error already turned into text (a
// Result's Error).
func ClassifyText(msg string) (outcome, text string) {
	low := strings.ToLower(msg)
	for _, m := range oomMarks {
		if strings.Contains(low, m) {
			return OutcomeOOM, msg
		}
	}
	return OutcomeFailed, msg
}
