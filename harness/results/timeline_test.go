package results

import (
	"alexbench/internal/stats"
	"math"
	"strings"
	"testing"
)

func TestParseTimeline(t *testing.T) {
	cases := []struct {
		name       string
		csv        string
		wantPanels []string // panel: series names
		wantX      string
		check      func(t *testing.T, tl *Timeline)
	}{
		{
			name: "nvml package header, with a gap and a total that is not plotted",
			csv: "t_s,device,mem_used_mib,mem_reserved_mib,proc_mib,util_gpu,util_mem,power_w,sm_clock_mhz,temp_c,mem_used_v2_mib,mem_total_mib\n" +
				"0.000,0,600,,0,0,0,90.5,1980,40,540,81559\n" +
				"0.100,0,1600,,1000,,12,300,1980,41,1540,81559\n",
			wantPanels: []string{"memory: device used, this process", "utilization: GPU busy, memory busy", "power: power"},
			wantX:      "time (s)",
			check: func(t *testing.T, tl *Timeline) {
				util := tl.Panels[1].Series[0]
				if len(util.X) != 1 || util.Y[0] != 0 {
					t.Errorf("GPU busy with a missing sample: %+v", util)
				}
				if p := tl.Panels[0].Series[1]; p.Y[1] != 1000 {
					t.Errorf("this process: %+v", p)
				}
			},
		},
		{
			name:       "two devices, bytes converted",
			csv:        "t_s,gpu,mem_used_bytes,power_mw\n0,0,1048576,100000\n0,1,2097152,200000\n1,0,1048576,100000\n",
			wantPanels: []string{"memory: mem_used_bytes (gpu 0), mem_used_bytes (gpu 1)", "power: power_mw (gpu 0), power_mw (gpu 1)"},
			wantX:      "time (s)",
			check: func(t *testing.T, tl *Timeline) {
				if y := tl.Panels[0].Series[1].Y[0]; y != 2 {
					t.Errorf("gpu 1 memory %v MiB, want 2", y)
				}
				if y := tl.Panels[1].Series[0].Y[0]; y != 100 {
					t.Errorf("gpu 0 power %v W, want 100", y)
				}
			},
		},
		{
			name:       "no time column plots by sample",
			csv:        "proc_mib\n1\n2\nERR\n4\n",
			wantPanels: []string{"memory: this process"},
			wantX:      "sample",
		},
		{
			name:       "header only",
			csv:        "t_s,proc_mib\n",
			wantPanels: nil,
			wantX:      "time (s)",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tl, err := ParseTimeline([]byte(c.csv))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range tl.Panels {
				var names []string
				for _, s := range p.Series {
					names = append(names, s.Name)
				}
				got = append(got, p.Title+": "+strings.Join(names, ", "))
			}
			if strings.Join(got, " | ") != strings.Join(c.wantPanels, " | ") {
				t.Errorf("panels\n got %q\nwant %q", got, c.wantPanels)
			}
			if tl.XName != c.wantX {
				t.Errorf("x axis %q, want %q", tl.XName, c.wantX)
			}
			if c.check != nil {
				c.check(t, tl)
			}
		})
	}
	if _, err := ParseTimeline(nil); err == nil {
		t.Error("an empty file parsed without error")
	}
}

func TestDownsampleKeepsPeaks(t *testing.T) {
	var x, y []float64
	for i := 0; i < 10000; i++ {
		x = append(x, float64(i))
		y = append(y, math.Sin(float64(i)/100))
	}
	y[5003] = 42 // a one-sample spike
	ox, oy := downsample(x, y, maxTimelinePoints, stats.Max)
	if len(ox) > maxTimelinePoints || len(ox) != len(oy) {
		t.Fatalf("%d/%d points, want ≤ %d", len(ox), len(oy), maxTimelinePoints)
	}
	if stats.Max(oy) != 42 {
		t.Errorf("the spike was lost: max %v", stats.Max(oy))
	}
	if ox[0] != 0 {
		t.Errorf("first x %v", ox[0])
	}
}
