package trainer

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// The filter grid is as wide as the filters need: LeNet's 6 conv1 filters are
// one row of 6, AlexNet's 96 eight rows of 12.
func TestFilterGridSizedToFilters(t *testing.T) {
	for _, tc := range []struct{ k, c, cols, rows int }{{5, 6, 6, 1}, {11, 96, 12, 8}, {11, 24, 12, 2}, {3, 1, 1, 1}} {
		w := tensors.FromFlatDataAndDimensions(make([]float32, tc.k*tc.k*tc.c), tc.k, tc.k, 1, tc.c)
		b := filterGrid(w).Bounds()
		cell := tc.k*filterZoom + 2
		if b.Dx() != tc.cols*cell || b.Dy() != tc.rows*cell {
			t.Errorf("%d filters of %d×%d: grid %d×%d px, want %d×%d cells of %d px", tc.c, tc.k, tc.k, b.Dx(), b.Dy(), tc.cols, tc.rows, cell)
		}
	}
}
