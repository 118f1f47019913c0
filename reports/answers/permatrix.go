package answers

import "fmt"

// perMatrix answers each matrix on its own (configurations of two matrices
// were not run to be compared), prefixing the text with the matrix's folder
// when there are several; id tells the matrices' figures apart.
func perMatrix(a *Answer, ms []*Matrix, one func(a *Answer, m *Matrix, prefix, id string)) {
	for i, m := range ms {
		prefix := ""
		if len(ms) > 1 {
			prefix = m.Folder + ": "
		}
		one(a, m, prefix, fmt.Sprint(i))
	}
}
