package trainer

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"alexbench/data"
	"alexbench/internal/atomicfile"
	"alexbench/models/nn"
)

// Pictures the report embeds: conv1's learned filters (d2l's AlexNet
// exercise) and, for the first test image of each class, the first conv
// block's activation maps.
const (
	FiltersPNG     = "filters.png"
	ActivationsPNG = "activations.png"
	mapsPerClass   = 8
	filterZoom     = 4
)

func writeArtifacts(r *run, dir string) error {
	first := r.model.Layers[0]
	if first.Kind() != "conv" {
		return nil
	}
	v := r.mctx.GetVariableByScopeAndName("/model/"+first.Name(), "weights")
	if v == nil || !v.HasValue() {
		return fmt.Errorf("no weights for %s", first.Name())
	}
	w := v.MustValue() // [K, K, 1, C]
	if err := writePNG(filepath.Join(dir, FiltersPNG), filterGrid(w)); err != nil {
		return err
	}
	maps, err := r.activationMaps()
	if err != nil {
		return err
	}
	defer maps.FinalizeAll()
	return writePNG(filepath.Join(dir, ActivationsPNG), mapsGrid(maps))
}

// activationMaps runs the layers up to the first activation on the first test
// image of each class: [classes, H, W, C].
func (r *run) activationMaps() (*tensors.Tensor, error) {
	upto := 1
	for i, l := range r.model.Layers {
		if l.Kind() == "relu" || l.Kind() == "sigmoid" {
			upto = i + 1
			break
		}
	}
	var idx []int32
	seen := map[uint8]bool{}
	for i, y := range r.test.Labels {
		if !seen[y] {
			seen[y] = true
			idx = append(idx, int32(i))
		}
	}
	sortByLabel(idx, r.test.Labels)
	layers := r.model.Layers[:upto]
	e, err := context.NewExec(r.opts.Backend, r.mctx.Reuse(), func(ctx *context.Context, images, labels, ix *Node) *Node {
		ctx.SetTraining(images.Graph(), false)
		x, _ := data.Batch(images, labels, ix, r.pipe)
		return ConvertDType(nn.Sequential(ctx.In("model"), layers, x), dtypes.Float32)
	})
	if err != nil {
		return nil, err
	}
	defer e.Finalize()
	it := tensors.FromFlatDataAndDimensions(idx, len(idx))
	defer it.FinalizeAll()
	out, err := e.Exec(r.testX, r.testY, it)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func sortByLabel(idx []int32, labels []uint8) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && labels[idx[j]] < labels[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

// filterGrid lays out C filters of K×K (one input channel), each scaled to its
// own min..max, up to 12 per row (a net with fewer filters gets a row of just
// its own: LeNet's 6 are one row of 6), zoomed for visibility.
func filterGrid(w *tensors.Tensor) image.Image {
	d := w.Shape().Dimensions
	k, cin, c := d[0], d[2], d[3]
	vals := toFloat64(w)
	cols := max(1, min(12, c))
	rows := (c + cols - 1) / cols
	cell := k*filterZoom + 2
	img := image.NewGray(image.Rect(0, 0, cols*cell, rows*cell))
	for f := 0; f < c; f++ {
		at := func(y, x int) float64 { return vals[((y*k+x)*cin+0)*c+f] }
		lo, hi := math.Inf(1), math.Inf(-1)
		for y := 0; y < k; y++ {
			for x := 0; x < k; x++ {
				lo, hi = math.Min(lo, at(y, x)), math.Max(hi, at(y, x))
			}
		}
		ox, oy := (f%cols)*cell+1, (f/cols)*cell+1
		for y := 0; y < k*filterZoom; y++ {
			for x := 0; x < k*filterZoom; x++ {
				img.SetGray(ox+x, oy+y, color.Gray{gray(at(y/filterZoom, x/filterZoom), lo, hi)})
			}
		}
	}
	return img
}

// mapsGrid shows, per class (row), the first channels' activation maps.
func mapsGrid(m *tensors.Tensor) image.Image {
	d := m.Shape().Dimensions
	n, h, wd, c := d[0], d[1], d[2], d[3]
	vals := toFloat64(m)
	per := min(mapsPerClass, c)
	zoom := max(1, 56/h)
	cell := wd*zoom + 2
	img := image.NewGray(image.Rect(0, 0, per*cell, n*(h*zoom+2)))
	for i := 0; i < n; i++ {
		for ch := 0; ch < per; ch++ {
			at := func(y, x int) float64 { return vals[((i*h+y)*wd+x)*c+ch] }
			lo, hi := math.Inf(1), math.Inf(-1)
			for y := 0; y < h; y++ {
				for x := 0; x < wd; x++ {
					lo, hi = math.Min(lo, at(y, x)), math.Max(hi, at(y, x))
				}
			}
			ox, oy := ch*cell+1, i*(h*zoom+2)+1
			for y := 0; y < h*zoom; y++ {
				for x := 0; x < wd*zoom; x++ {
					img.SetGray(ox+x, oy+y, color.Gray{gray(at(y/zoom, x/zoom), lo, hi)})
				}
			}
		}
	}
	return img
}

func gray(v, lo, hi float64) uint8 {
	if hi <= lo {
		return 128
	}
	return uint8(255 * (v - lo) / (hi - lo))
}

func toFloat64(t *tensors.Tensor) []float64 {
	out := make([]float64, t.Size())
	switch t.DType() {
	case dtypes.Float32:
		for i, v := range tensors.MustCopyFlatData[float32](t) {
			out[i] = float64(v)
		}
	case dtypes.Float64:
		copy(out, tensors.MustCopyFlatData[float64](t))
	}
	return out
}

// writePNG writes atomically (see atomicfile).
func writePNG(path string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes())
}
