package answers

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"math"
)

// maxImageCells bounds how many cells' pictures the page embeds (size).
const maxImageCells = 6

// buildPictures shows conv1's filters and activation maps: for each model of
// each matrix, those of its best-trained seed (highest final test accuracy
// among the seeds that saved pictures), captioned with that accuracy. The
// pictures are the cells' PNG bytes; the render layer embeds them.
func buildPictures(b *builder) *Answer {
	a := &Answer{ID: "filters", Title: "conv1 filters and activation maps",
		Question: []string{"What did the first convolution learn? conv1's learned filters, and its activation maps for one test image per class, of the best-trained seed of each model (the highest final test accuracy among the seeds that saved pictures)."}}
	type pick struct {
		m          *Matrix
		name       string
		best       *Cell
		candidates int
	}
	var picks []*pick
	for _, m := range b.res.Matrices {
		by := map[string]*pick{}
		for _, c := range m.Cells {
			if len(c.Images) == 0 {
				continue
			}
			name := c.Label
			if c.ConfigOK {
				name = modelName(c.Config, cellProfile(c))
				if c.Label != c.Config.Model && c.Label != "" {
					name += " [" + plainLabel(c.Label) + "]"
				}
			}
			p := by[name]
			if p == nil {
				p = &pick{m: m, name: name}
				by[name] = p
				picks = append(picks, p)
			}
			p.candidates++
			if p.best == nil || betterTrained(c, p.best) {
				p.best = c
			}
		}
	}
	if len(picks) == 0 {
		a.Status = NotMeasured
		a.Text = append(a.Text, "No cell saved filters.png or activations.png yet — they are written by training runs of models with a conv1 (e.g. `alexbench run experiments/s8_1-alexnet.toml`).")
		return a
	}
	a.Status = Measured
	for i, p := range picks {
		if i == maxImageCells {
			a.Blocks = append(a.Blocks, Block{Note: fmt.Sprintf("%d more models saved pictures; they are in their cell folders.", len(picks)-maxImageCells)})
			break
		}
		c := p.best
		acc := "no final test accuracy"
		if c.Done() {
			acc = "test acc " + fmtAcc(finalTestAcc(c))
		}
		seed := ""
		if c.ConfigOK {
			seed = fmt.Sprintf(", seed %d", c.Config.Seed)
		}
		from := fmt.Sprintf("the best-trained of %s with pictures", plural(p.candidates, "seed", "seeds"))
		if p.candidates == 1 {
			from = "the only seed with pictures"
		}
		if atChance(c) {
			acc += " (near chance: this net has not learned, so its filters are close to their initialization)"
		}
		var ims []Image
		for _, im := range c.Images {
			pic := im.PNG
			if im.File == "filters.png" {
				pic = trimPNG(pic)
			}
			w, h := displaySize(pic)
			ims = append(ims, Image{Caption: im.Title, Title: im.File, PNG: pic, Width: w, Height: h})
		}
		heading := fmt.Sprintf("%s · %s%s — %s, %s", p.m.Name, p.name, seed, acc, from)
		a.Blocks = append(a.Blocks, Block{Heading: heading}, Block{Images: ims})
	}
	return a
}

// betterTrained tells whether cell a trained better than b: done before not
// done, then the higher final test accuracy, then the lower seed.
func betterTrained(a, b *Cell) bool {
	if a.Done() != b.Done() {
		return a.Done()
	}
	fa, fb := finalTestAcc(a), finalTestAcc(b)
	if math.IsNaN(fb) && !math.IsNaN(fa) || fa > fb {
		return true
	}
	if fa < fb || math.IsNaN(fa) {
		return false
	}
	return a.Seed() < b.Seed()
}

// trimPNG crops the all-black columns and rows at the right and bottom of a
// grayscale grid (an older filter grid laid 6 filters out in a 12-column
// strip); any other picture is returned as it is.
func trimPNG(b []byte) []byte {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return b
	}
	g, ok := img.(*image.Gray)
	if !ok {
		return b
	}
	r := g.Bounds()
	right, bottom := r.Min.X, r.Min.Y
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if g.GrayAt(x, y).Y != 0 {
				right, bottom = max(right, x+1), max(bottom, y+1)
			}
		}
	}
	right, bottom = min(r.Max.X, right+1), min(r.Max.Y, bottom+1) // keep the 1 px border
	if right >= r.Max.X && bottom >= r.Max.Y || right <= r.Min.X+1 || bottom <= r.Min.Y+1 {
		return b
	}
	var out bytes.Buffer
	if err := png.Encode(&out, g.SubImage(image.Rect(r.Min.X, r.Min.Y, right, bottom))); err != nil {
		return b
	}
	return out.Bytes()
}

// displaySize scales small pictures up by a whole factor (pixelated, so a
// 5×5 filter stays crisp) to about 320 px on their long side.
func displaySize(png []byte) (w, h int) {
	if len(png) < 24 {
		return 0, 0
	}
	// The IHDR chunk follows the 8-byte signature: length, "IHDR", width, height.
	w = int(binary.BigEndian.Uint32(png[16:20]))
	h = int(binary.BigEndian.Uint32(png[20:24]))
	if w <= 0 || h <= 0 || w > 1<<15 || h > 1<<15 {
		return 0, 0
	}
	zoom := max(1, min(8, 320/max(w, h)))
	return w * zoom, h * zoom
}
