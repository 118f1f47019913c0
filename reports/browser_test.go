//go:build linux

package reports

import (
	"alexbench/reports/answers"
	"alexbench/reports/internal/fixture"
	"alexbench/reports/load"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The browser test opens a report built from the fixture tree in Debian's
// headless Chromium with the network blocked, and checks what a reader would
// see: no script errors, every chart drawn, every section there. It skips
// only when Chromium (or echarts) is missing and CI is unset; .ci/run
// installs both, so under CI=true a missing one fails.

func needTool(t *testing.T, what, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s: %s (CI must install it: see .ci/run)", what, why)
	}
	t.Skipf("%s: %s", what, why)
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// testOutDir is $ALEXBENCH_TEST_OUT/<test> when set (kept), else a temp dir.
func testOutDir(t *testing.T) string {
	if base := os.Getenv("ALEXBENCH_TEST_OUT"); base != "" {
		dir := filepath.Join(base, t.Name())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// blackhole is a local "proxy" every network request of the browser goes
// to (host names resolve to nothing, so it is the only way out); it answers
// nothing and records what was asked.
type blackhole struct {
	ln   net.Listener
	mu   sync.Mutex
	seen []string
}

func newBlackhole(t *testing.T) *blackhole {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				line, _ := bufio.NewReader(c).ReadString('\n')
				b.mu.Lock()
				b.seen = append(b.seen, strings.TrimSpace(line))
				b.mu.Unlock()
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return b
}

// isChromiumOwn tells Chromium's own background traffic (time sync, update
// checks, accounts), which its flags do not fully silence, from the page's.
func isChromiumOwn(requestLine string) bool {
	f := strings.Fields(requestLine)
	if len(f) < 2 {
		return false
	}
	host := f[1]
	if u, err := url.Parse(f[1]); err == nil && u.Host != "" {
		host = u.Host
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, suffix := range []string{".google.com", ".googleapis.com", ".gstatic.com", ".gvt1.com"} {
		if strings.HasSuffix("."+host, suffix) {
			return true
		}
	}
	return false
}

func (b *blackhole) requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.seen...)
}

// runChromium runs headless Chromium with the network blocked and returns
// stdout. It may run in a goroutine: errors come back, not through t.
func runChromium(t *testing.T, userDir, bin, proxy string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	base := []string{
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
		"--user-data-dir=" + userDir,
		"--proxy-server=http://" + proxy, "--proxy-bypass-list=<-loopback>",
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--hide-scrollbars", "--force-device-scale-factor=1",
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	// Chromium forks helpers: on timeout kill the whole process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	defer func() { t.Logf("chromium %s: %.1f s", args[len(args)-2], time.Since(start).Seconds()) }()
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("chromium %v: %v\nstderr (last 2000 bytes): %s", args, err, tail(stderr.Bytes(), 2000))
	}
	return stdout.Bytes(), nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// probeHead catches every error from the first script on; probeTail, after
// the charts had time to draw, measures the page and writes the result into
// the DOM, which --dump-dom prints.
const probeHead = `<script>
window.__probe = {errors: []};
window.addEventListener("error", function (e) {
  var where = e.target && (e.target.src || e.target.href);
  __probe.errors.push("error: " + (e.message || ("failed to load " + where)));
}, true);
window.addEventListener("unhandledrejection", function (e) { __probe.errors.push("unhandled rejection: " + e.reason); });
(function () {
  var orig = console.error;
  console.error = function () { __probe.errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); orig.apply(console, arguments); };
})();
</script>`

// probeLayout finds what a reader could not read in a drawn chart: text
// cut off at the canvas' edge, two texts drawn over each other (labels,
// axis titles and ticks, legend entries, titles: every text zrender drew, as
// the rotated rectangle it occupies), and legends that page their entries.
const probeLayout = `
function alexbenchTexts(chart) {
  var out = [];
  chart.getZr().storage.getDisplayList(true).forEach(function (el) {
    if (el.type !== "tspan" || el.invisible || !el.style || !el.style.text || el.style.opacity === 0) { return; }
    var r = el.getBoundingRect(), m = el.transform || [1, 0, 0, 1, 0, 0];
    var pts = [[r.x, r.y], [r.x + r.width, r.y], [r.x + r.width, r.y + r.height], [r.x, r.y + r.height]].map(function (p) {
      return [m[0] * p[0] + m[2] * p[1] + m[4], m[1] * p[0] + m[3] * p[1] + m[5]];
    });
    out.push({text: String(el.style.text), pts: pts});
  });
  return out;
}
function alexbenchSeparated(a, b) { // separating axis theorem on two convex quads, shrunk by 1 px
  function shrink(q) {
    var cx = 0, cy = 0; q.forEach(function (p) { cx += p[0] / 4; cy += p[1] / 4; });
    return q.map(function (p) {
      var dx = cx - p[0], dy = cy - p[1], d = Math.sqrt(dx * dx + dy * dy) || 1;
      return [p[0] + dx / d * 1.5, p[1] + dy / d * 1.5];
    });
  }
  var qs = [shrink(a), shrink(b)];
  for (var k = 0; k < 2; k++) {
    var q = qs[k];
    for (var i = 0; i < 4; i++) {
      var p1 = q[i], p2 = q[(i + 1) % 4], nx = p2[1] - p1[1], ny = p1[0] - p2[0];
      var minA = Infinity, maxA = -Infinity, minB = Infinity, maxB = -Infinity;
      qs[0].forEach(function (p) { var v = nx * p[0] + ny * p[1]; minA = Math.min(minA, v); maxA = Math.max(maxA, v); });
      qs[1].forEach(function (p) { var v = nx * p[0] + ny * p[1]; minB = Math.min(minB, v); maxB = Math.max(maxB, v); });
      if (maxA <= minB || maxB <= minA) { return true; }
    }
  }
  return false;
}
function alexbenchLayout(div, chart, problems) {
  var w = div.clientWidth, h = div.clientHeight, texts = alexbenchTexts(chart);
  texts.forEach(function (t) {
    t.pts.forEach(function (p) {
      if (p[0] < -1 || p[1] < -1 || p[0] > w + 1 || p[1] > h + 1) {
        if (!t.clipped) { problems.push(div.id + ": text cut off at the edge: " + JSON.stringify(t.text)); }
        t.clipped = true;
      }
    });
  });
  for (var i = 0; i < texts.length; i++) {
    for (var j = i + 1; j < texts.length; j++) {
      if (!alexbenchSeparated(texts[i].pts, texts[j].pts)) {
        problems.push(div.id + ": texts overlap: " + JSON.stringify(texts[i].text) + " and " + JSON.stringify(texts[j].text));
      }
    }
  }
  var opt = chart.getOption();
  (opt.legend || []).forEach(function (l) {
    if (l.type === "scroll") { problems.push(div.id + ": paged (scroll) legend"); }
  });
  return texts.length;
}
`

const probeTail = `<script>` + probeLayout + `
setTimeout(function () {
  var r = {errors: __probe.errors, charts: [], sections: [], images: [], resources: [], title: document.title, layout: [], rects: []};
  document.querySelectorAll("div.chart").forEach(function (div) {
    var c = {id: div.id, width: div.clientWidth, height: div.clientHeight, canvases: 0, pixels: 0, series: 0, points: 0};
    div.querySelectorAll("canvas").forEach(function (cv) {
      c.canvases++;
      var d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
      for (var i = 3; i < d.length; i += 4) { if (d[i] !== 0) { c.pixels++; } }
    });
    try {
      var inst = window.echarts && echarts.getInstanceByDom(div);
      var opt = inst && inst.getOption();
      ((opt && opt.series) || []).forEach(function (s) { c.series++; c.points += (s.data || []).length; });
      if (inst) { c.texts = alexbenchLayout(div, inst, r.layout); }
    } catch (e) {
      r.errors.push("probing chart " + div.id + ": " + e);
    }
    r.charts.push(c);
  });
  document.querySelectorAll("section").forEach(function (s) {
    r.sections.push(s.id);
    var b = s.getBoundingClientRect();
    r.rects.push({id: s.id, top: b.top + window.scrollY, height: b.height});
  });
  document.querySelectorAll("img").forEach(function (im) { r.images.push({w: im.naturalWidth, h: im.naturalHeight}); });
  performance.getEntriesByType("resource").forEach(function (e) { r.resources.push(e.name); });
  var pre = document.createElement("pre");
  pre.id = "alexbench-probe";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
}, 1000);
</script>`

// combinedTree is a real quick run of every matrix (testdata/README.md) plus
// the synthetic fixture, renamed synthetic-<matrix> with its exercise kept,
// for what a CPU run cannot show (OOM, NVML, profiles, hostile names).
func combinedTree(t *testing.T) string {
	t.Helper()
	root := fixture.WriteTree(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || name == "profile" {
			continue
		}
		dir := filepath.Join(root, name)
		if err := os.Rename(dir, filepath.Join(root, "synthetic-"+name)); err != nil {
			t.Fatal(err)
		}
	}
	// The real tree's matrices beside the synthetic ones; its E4 profiles
	// join the fixture's under their own names (both have an AlexNet b1).
	real := filepath.Join("testdata", "real-quick")
	entries, err = os.ReadDir(real)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "profile" {
			continue
		}
		if err := os.CopyFS(filepath.Join(root, e.Name()), os.DirFS(filepath.Join(real, e.Name()))); err != nil {
			t.Fatal(err)
		}
	}
	profiles, _ := filepath.Glob(filepath.Join(real, "profile", "*.json"))
	for _, p := range profiles {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fixture.WriteFile(t, filepath.Join(root, "profile", "real-quick-"+filepath.Base(p)), b)
	}
	return root
}

type probeResult struct {
	Errors []string `json:"errors"`
	Charts []struct {
		ID               string
		Width, Height    int
		Canvases, Pixels int
		Series, Points   int
	} `json:"charts"`
	Sections  []string             `json:"sections"`
	Images    []struct{ W, H int } `json:"images"`
	Resources []string             `json:"resources"`
	Title     string               `json:"title"`
	// Layout is every unreadable text the probe found (cut off, overlapping)
	// and every paged legend.
	Layout []string `json:"layout"`
	Rects  []struct {
		ID     string  `json:"id"`
		Top    float64 `json:"top"`
		Height float64 `json:"height"`
	} `json:"rects"`
}

func TestReportInBrowser(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		needTool(t, "chromium", "not installed (apt-get install chromium)")
	}
	ejs, err := FindECharts("")
	if err != nil {
		needTool(t, "echarts", err.Error())
	}
	src, version, err := LoadECharts(ejs)
	if err != nil {
		t.Fatal(err)
	}
	root := combinedTree(t)
	res, err := load.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	page, err := Render(res, Options{ECharts: src, EChartsVersion: version, Command: "alexbench report --results results"})
	if err != nil {
		t.Fatal(err)
	}
	out := testOutDir(t)
	reportPath := filepath.Join(out, "report.html")
	if err := WriteFile(reportPath, page); err != nil {
		t.Fatal(err)
	}

	// Statically: outside the inlined echarts source nothing names a URL, and
	// every src attribute is a data: URI.
	own := bytes.Replace(page, src, nil, 1)
	if m := regexp.MustCompile(`(?i)(https?:|ftp:|wss?:)//[^\s"'<)]*`).Find(own); m != nil {
		t.Errorf("report names a network URL: %s", m)
	}
	for _, m := range regexp.MustCompile(`(?i)\b(src|href)\s*=\s*"([^"#][^"]{0,40})`).FindAllSubmatch(own, -1) {
		if !bytes.HasPrefix(m[2], []byte("data:")) {
			t.Errorf("report loads %s=%q", m[1], m[2])
		}
	}

	probed := bytes.Replace(page, []byte("<head>"), []byte("<head>"+probeHead), 1)
	// The last </body> is the page's: echarts' source contains the string too.
	end := bytes.LastIndex(probed, []byte("</body>"))
	probed = append(probed[:end:end], append([]byte(probeTail), probed[end:]...)...)
	probePath := filepath.Join(t.TempDir(), "probe.html")
	if err := os.WriteFile(probePath, probed, 0o644); err != nil {
		t.Fatal(err)
	}
	hole := newBlackhole(t)
	// A screenshot of the top of the report, for people, taken meanwhile.
	shot := filepath.Join(out, "report.png")
	shotDone := make(chan error, 1)
	shotDir := t.TempDir()
	go func() {
		_, err := runChromium(t, shotDir, bin, hole.ln.Addr().String(), "--window-size=1280,2400", "--virtual-time-budget=5000", "--screenshot="+shot, "file://"+reportPath)
		shotDone <- err
	}()
	dom, err := runChromium(t, t.TempDir(), bin, hole.ln.Addr().String(), "--window-size=1280,1000", "--virtual-time-budget=8000", "--dump-dom", "file://"+probePath)
	if err != nil {
		<-shotDone
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<pre id="alexbench-probe">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe did not report (page never finished?); DOM tail: %s", tail(dom, 1500))
	}
	var r probeResult
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &r); err != nil {
		t.Fatalf("probe output: %v", err)
	}

	if len(r.Errors) > 0 {
		t.Errorf("page errors:\n%s", strings.Join(r.Errors, "\n"))
	}
	if len(r.Layout) > 0 {
		t.Errorf("%d unreadable chart texts:\n%s", len(r.Layout), strings.Join(r.Layout, "\n"))
	}
	if r.Title != "alexbench · AlexNet on Fashion-MNIST, measured" {
		t.Errorf("document title %q: a result string ran as script", r.Title)
	}
	wantCharts := strings.Count(string(page), `<div class="chart" id="`)
	if len(r.Charts) != wantCharts || wantCharts < 15 {
		t.Errorf("browser saw %d charts, page has %d", len(r.Charts), wantCharts)
	}
	for _, c := range r.Charts {
		if c.Canvases == 0 || c.Pixels < 2000 || c.Series == 0 || c.Points == 0 {
			t.Errorf("chart %s (%d×%d px) not drawn: %d canvases, %d pixels drawn, %d series, %d points",
				c.ID, c.Width, c.Height, c.Canvases, c.Pixels, c.Series, c.Points)
		}
	}
	have := map[string]bool{}
	for _, s := range r.Sections {
		have[s] = true
	}
	for _, a := range answers.Build(res) {
		if !have[a.ID] {
			t.Errorf("section %s (%s) missing in the browser", a.ID, a.Title)
		}
	}
	for _, id := range []string{"filters", "nvml", "other", "problems"} {
		if !have[id] {
			t.Errorf("section %s missing in the browser", id)
		}
	}
	if len(r.Images) == 0 {
		t.Error("no pictures in the page")
	}
	for i, im := range r.Images {
		if im.W == 0 || im.H == 0 {
			t.Errorf("picture %d did not decode (%d×%d)", i, im.W, im.H)
		}
	}
	if len(r.Resources) > 0 {
		t.Errorf("the page fetched resources: %v", r.Resources)
	}
	var pageReqs, background []string
	for _, req := range hole.requests() {
		if isChromiumOwn(req) {
			background = append(background, req)
		} else {
			pageReqs = append(pageReqs, req)
		}
	}
	if len(pageReqs) > 0 {
		t.Errorf("the page tried the network: %v", pageReqs)
	}
	if len(background) > 0 {
		t.Logf("Chromium's own background requests (blocked, ignored): %d", len(background))
	}

	if err := <-shotDone; err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2400 {
		t.Errorf("screenshot is %v, want 1280×2400", b)
	}
	shots := screenshotSections(t, bin, hole.ln.Addr().String(), page, out, r)
	t.Logf("report %s (%d bytes), screenshot %s, %d section screenshots in %s; %d charts drawn", reportPath, len(page), shot, shots, out, len(r.Charts))
}

// screenshotSections takes one screenshot per section (section-<id>.png in
// out), each of a copy of the page showing that section alone, as tall as
// the section measured in the probe at the same width: for people to look
// at every chart as a reader sees it (docs: the browser test keeps them with
// ALEXBENCH_TEST_OUT set).
func screenshotSections(t *testing.T, bin, proxy string, page []byte, out string, r probeResult) int {
	t.Helper()
	type job struct {
		id     string
		height int
	}
	var jobs []job
	for _, rc := range r.Rects {
		if rc.ID == "" || rc.Height <= 0 {
			continue
		}
		jobs = append(jobs, job{rc.ID, int(rc.Height) + 40})
	}
	errs := make(chan error, len(jobs))
	sem := make(chan struct{}, 3)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func(j job) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			style := fmt.Sprintf("<style>header.top,nav.toc,p.warn,footer,section:not(#%s){display:none !important}section#%s{margin:20px 0 !important}</style>", j.id, j.id)
			one := bytes.Replace(page, []byte("</head>"), []byte(style+"</head>"), 1)
			dir := t.TempDir()
			src := filepath.Join(dir, "section.html")
			if err := os.WriteFile(src, one, 0o644); err != nil {
				errs <- err
				return
			}
			png := filepath.Join(out, "section-"+j.id+".png")
			if _, err := runChromium(t, filepath.Join(dir, "profile"), bin, proxy, fmt.Sprintf("--window-size=1280,%d", min(j.height, 16000)),
				"--virtual-time-budget=5000", "--screenshot="+png, "file://"+src); err != nil {
				errs <- fmt.Errorf("section %s: %w", j.id, err)
			}
		}(j)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if want := len(load.Exercises); len(jobs) < want {
		t.Errorf("%d sections measured, want every one of the %d", len(jobs), want)
	}
	return len(jobs)
}
