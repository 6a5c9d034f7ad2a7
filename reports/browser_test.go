package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chromium finds Debian's chromium (CI installs it: apt-get install -y
// --no-install-recommends chromium).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (apt-get install -y --no-install-recommends chromium): the report is not checked in a browser")
	return ""
}

// headless runs chromium on a page with a fresh profile and no network
// activity of its own, and returns its stdout and stderr.
func headless(t *testing.T, bin string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0", "--hide-scrollbars"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.Bytes())
	}
	return out.Bytes(), errb.Bytes()
}

// The check appended to a copy of the page: it records script errors and
// measures every chart as laid out by the browser.
const (
	errorHook = `<script>window.tbErrors=[];addEventListener("error",function(e){tbErrors.push(String(e.message||e.type))});</script>`
	measure   = `<script>(function(){var out=[];document.querySelectorAll("section.chart").forEach(function(s){
var svg=s.querySelector("svg"),r=svg?svg.getBoundingClientRect():{width:0,height:0};
out.push({id:s.id,width:r.width,height:r.height,paths:svg?svg.querySelectorAll("path").length:0,texts:svg?svg.querySelectorAll("text").length:0});});
var pre=document.createElement("pre");pre.id="tb-check";pre.textContent=JSON.stringify({errors:tbErrors,charts:out});document.body.appendChild(pre);})();</script>`
)

type layout struct {
	Errors []string
	Charts []struct {
		ID            string
		Width, Height float64
		Paths, Texts  int
	}
}

// The report opened in a real browser: no script errors, every chart laid
// out with a real size and its marks, and a screenshot that is not blank.
func TestReportInBrowser(t *testing.T) {
	bin := chromium(t)
	_, _, files := matrixReport(t)
	dir := t.TempDir()
	page, err := os.ReadFile(files.HTML)
	if err != nil {
		t.Fatal(err)
	}
	checked := strings.Replace(string(page), "<head>", "<head>"+errorHook, 1)
	checked = strings.Replace(checked, "</body>", measure+"</body>", 1)
	check := filepath.Join(dir, "check.html")
	if err := os.WriteFile(check, []byte(checked), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, stderr := headless(t, bin, "--window-size=1280,1000", "--dump-dom", "file://"+check)
	if bytes.Contains(stderr, []byte("Uncaught")) {
		t.Errorf("console errors:\n%s", stderr)
	}
	doc, err := html.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatal(err)
	}
	var l layout
	if err := json.Unmarshal([]byte(textOf(byID(t, doc, "tb-check"))), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Errors) > 0 {
		t.Errorf("script errors: %q", l.Errors)
	}
	if len(l.Charts) != len(chartNames) {
		t.Errorf("%d charts laid out, want %d", len(l.Charts), len(chartNames))
	}
	for _, c := range l.Charts {
		if c.Width < 600 || c.Height < 150 || c.Paths < 10 || c.Texts < 10 {
			t.Errorf("%s: laid out %.0f×%.0f px with %d paths and %d texts: empty or collapsed", c.ID, c.Width, c.Height, c.Paths, c.Texts)
		}
	}

	shot := filepath.Join(dir, "report.png")
	headless(t, bin, "--window-size=1280,2600", "--screenshot="+shot, "file://"+files.HTML)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if share := nonWhite(img); share < 0.05 {
		t.Errorf("screenshot %.1f%% non-white: blank page", 100*share)
	}
	if n := pixelsOf(img, palette[0]); n < 500 {
		t.Errorf("screenshot has %d pixels of the first series' colour: charts not drawn", n)
	}
	if keep := os.Getenv("TRACEBENCH_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(keep, b, 0o644); err != nil {
			t.Error(err)
		}
		t.Logf("screenshot: %s", keep)
	}
}

// pixelsOf counts the pixels of img that are c.
func pixelsOf(img image.Image, c interface{ RGBA() (r, g, b, a uint32) }) int {
	cr, cg, cb, _ := c.RGBA()
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 == cr>>8 && g>>8 == cg>>8 && bl>>8 == cb>>8 {
				n++
			}
		}
	}
	return n
}
