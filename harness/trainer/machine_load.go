package trainer

import (
	"math"
	"os"
	"strconv"
	"strings"
)

// A time measured while other work shares the cores is not this cell's
// speed: the report withholds timing verdicts from cells whose machine was
// busier than its cores. The trainer samples the 1-minute load average at
// the end of every epoch (the average over the minute the epoch ran) and
// keeps the largest.

// load1 is the 1-minute load average (/proc/loadavg's first field), NaN
// where the system has none to read.
func load1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return math.NaN()
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, err := strconv.ParseFloat(f, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}
