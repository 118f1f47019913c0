package data

// resizeWeights returns the out×in matrix R (row-major) of bilinear resampling
// from in to out pixels along one axis, times scale: resizing an image X is then
// R_h·X·R_wᵀ, exact for bilinear because bilinear is separable and linear.
//
// The weights are computed the way PIL's bilinear resample does (which is what
// torchvision's transforms.Resize calls on d2l's PIL images): pixel centers at
// i+0.5, a triangle filter whose support widens by in/out when shrinking
// (antialiasing), and weights renormalized where the filter leaves the image.
// On upsampling that is exactly bilinear with half-pixel centers,
// align_corners=False and edge clamping, like torch's F.interpolate. Unlike PIL,
// the result is not rounded back to uint8.
func resizeWeights(in, out int, scale float64) []float64 {
	r := make([]float64, out*in)
	ratio := float64(in) / float64(out)
	filterScale := max(ratio, 1)
	support := filterScale // the triangle filter's support is 1 pixel
	for i := range out {
		center := (float64(i) + 0.5) * ratio
		// int() truncates toward zero, like PIL's (int) casts.
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), in)
		row := r[i*in : (i+1)*in]
		total := 0.0
		for x := lo; x < hi; x++ {
			w := triangle((float64(x) - center + 0.5) / filterScale)
			row[x] = w
			total += w
		}
		if total != 0 {
			for x := lo; x < hi; x++ {
				row[x] *= scale / total
			}
		}
	}
	return r
}

func triangle(x float64) float64 {
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return 1 - x
	}
	return 0
}
