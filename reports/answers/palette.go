package answers

// palette is echarts' default, so a series given a colour here matches the
// series the renderer colours itself.
var palette = []string{"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"}

// seriesColor is the palette's i-th colour, wrapping around.
func seriesColor(i int) string { return palette[i%len(palette)] }

// whiskerColor draws 95 % CI whiskers over coloured bars.
const whiskerColor = "#333"
