package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/tracebench/tracebench/event"
	"github.com/tracebench/tracebench/results"
)

// OverheadPlots returns one plot per target: added ns per event (95% CI
// whiskers) per backend and mode, grouped by event. Under emulation the
// plotted quantity is the relative slowdown, since absolute times are
// artefacts of the emulator.
func OverheadPlots(r *results.Run) []*plot.Plot {
	var out []*plot.Plot
	for _, t := range r.Targets {
		out = append(out, overheadPlot(r, t))
	}
	return out
}

func overheadPlot(r *results.Run, t results.Target) *plot.Plot {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Added cost per event — %s (Linux %s, %s)", t.Name, t.Host.KernelRelease, t.Host.Arch)
	p.Y.Label.Text = "added ns per event (95% CI)"
	if t.Host.Emulated {
		p.Title.Text += ", emulated"
		p.Y.Label.Text = "slowdown, % (95% CI; absolute times are emulation artefacts)"
	}
	p.X.Label.Text = "event (dashed ring: effect not resolved)"
	p.Legend.Top = true
	p.Add(plotter.NewGrid())

	type series struct{ backend, mode string }
	bySeries := map[series]map[event.Event]*results.Effect{}
	for _, c := range r.Cells {
		if c.Target != t.Name || c.Status != results.OK || c.Overhead == nil {
			continue
		}
		k := series{c.Backend, c.Mode}
		if bySeries[k] == nil {
			bySeries[k] = map[event.Event]*results.Effect{}
		}
		bySeries[k][c.Event] = c.Overhead
	}
	keys := make([]series, 0, len(bySeries))
	for k := range bySeries {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].backend != keys[j].backend {
			return keys[i].backend < keys[j].backend
		}
		return keys[i].mode < keys[j].mode
	})
	n := max(len(keys), 1)
	width := 0.8 / float64(n)
	for i, k := range keys {
		b := &ciBars{x: -0.4 + width*(float64(i)+0.5), width: width * 0.9, color: plotutil.Color(i)}
		for _, ev := range event.All {
			e, ok := bySeries[k][ev]
			if !ok {
				b.values = append(b.values, ciValue{})
				continue
			}
			v := ciValue{y: e.AddedNs, lo: e.CILowNs, hi: e.CIHighNs, resolved: e.Resolved, present: true}
			if t.Host.Emulated {
				v.y, v.lo, v.hi = 100*(e.Ratio-1), 100*(e.RatioCILow-1), 100*(e.RatioCIHigh-1)
			}
			b.values = append(b.values, v)
		}
		p.Add(b)
		p.Legend.Add(k.backend+" "+k.mode, b)
	}
	p.NominalX(event.Names()...)
	return p
}

// SaveOverheadChart writes the overhead plots, one panel per target
// stacked vertically, as dir/overhead.svg and dir/overhead.png.
func SaveOverheadChart(r *results.Run, dir string) ([]string, error) {
	plots := OverheadPlots(r)
	if len(plots) == 0 {
		return nil, fmt.Errorf("no targets in run %s", r.RunID)
	}
	w, h := 22*vg.Centimeter, vg.Length(len(plots))*11*vg.Centimeter
	var paths []string
	for _, f := range []struct {
		ext    string
		canvas func() vg.CanvasWriterTo
	}{
		{"svg", func() vg.CanvasWriterTo { return vgsvg.New(w, h) }},
		{"png", func() vg.CanvasWriterTo {
			return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(150))}
		}},
	} {
		cv := f.canvas()
		dc := draw.New(cv)
		tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Centimeter}
		grid := make([][]*plot.Plot, len(plots))
		for i, p := range plots {
			grid[i] = []*plot.Plot{p}
		}
		canvases := plot.Align(grid, tiles, dc)
		for i, p := range plots {
			p.Draw(canvases[i][0])
		}
		path := filepath.Join(dir, "overhead."+f.ext)
		if err := writeTo(path, cv); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func writeTo(path string, w vg.CanvasWriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
