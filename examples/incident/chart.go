package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Chart geometry: two stacked panels sharing the time axis.
const (
	chartW, chartH  = 960, 580
	marginL, margin = 70, 20
	panelH          = 200
	panelGap        = 60
	top1            = 70
	top2            = top1 + panelH + panelGap
	legendY         = 48
)

var runColors = map[string]string{"naive": "#d62728", "runtime": "#1f77b4"}

// writeChart draws p99 latency and 5xx rate over time for every run, with
// the degraded phase shaded, as a self-contained SVG.
func writeChart(w io.Writer, cfg Config, runs []result) error {
	var b strings.Builder
	total := cfg.total().Seconds()
	plotW := float64(chartW - marginL - margin)
	x := func(t time.Duration) float64 { return marginL + t.Seconds()/total*plotW }

	maxP99 := cfg.ClientTimeout
	for _, r := range runs {
		for _, p := range r.points {
			maxP99 = max(maxP99, p.p99)
		}
	}
	latTop := niceCeil(float64(maxP99.Milliseconds()), 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold">Recommendations slows from %v to %v: naive page vs resilvet runtime (%d req/s)</text>`+"\n",
		marginL, cfg.FastLatency, cfg.SlowLatency, cfg.RPS)

	for _, top := range []int{top1, top2} {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#fde7c8"/>`+"\n",
			x(cfg.Healthy), top, x(cfg.Healthy+cfg.Degraded)-x(cfg.Healthy), panelH)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#a0522d">recommendations degraded</text>`+"\n",
		(x(cfg.Healthy)+x(cfg.Healthy+cfg.Degraded))/2, top1+14)

	axis(&b, top1, latTop, "p99 latency (ms)", func(v float64) string { return fmt.Sprintf("%.0f", v) })
	axis(&b, top2, 100, "5xx rate (%)", func(v float64) string { return fmt.Sprintf("%.0f", v) })
	for t := 0.0; t <= total+1e-9; t += tickStep(total) {
		px := marginL + t/total*plotW
		for _, top := range []int{top1, top2} {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888"/>`+"\n", px, top+panelH, px, top+panelH+4)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%.0fs</text>`+"\n", px, top2+panelH+18, t)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">time since start of run</text>`+"\n", marginL+plotW/2, top2+panelH+38)

	for i, r := range runs {
		color := runColors[r.name]
		if color == "" {
			color = "#555"
		}
		var lat, errs []string
		for _, p := range r.points {
			if p.requests == 0 {
				continue
			}
			mid := x(p.at + cfg.Bucket/2)
			lat = append(lat, fmt.Sprintf("%.1f,%.1f", mid, yOf(top1, float64(p.p99.Milliseconds()), latTop)))
			errs = append(errs, fmt.Sprintf("%.1f,%.1f", mid, yOf(top2, p.errorRate*100, 100)))
		}
		for _, pts := range [][]string{lat, errs} {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(pts, " "))
		}
		lx := marginL + i*260
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`, lx, legendY-4, lx+24, legendY-4, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s: %d 5xx in total</text>`+"\n", lx+30, legendY, r.name, r.total5xx())
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func yOf(top int, v, vmax float64) float64 {
	return float64(top+panelH) - min(v/vmax, 1)*panelH
}

// axis draws a panel's frame, horizontal grid and y labels.
func axis(b *strings.Builder, top int, vmax float64, label string, format func(float64) string) {
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n",
		marginL, top, chartW-marginL-margin, panelH)
	for i := 0; i <= 4; i++ {
		v := vmax * float64(i) / 4
		y := yOf(top, v, vmax)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", marginL, y, chartW-margin, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", marginL-6, y+4, format(v))
	}
	fmt.Fprintf(b, `<text transform="translate(%d,%d) rotate(-90)" text-anchor="middle">%s</text>`+"\n",
		18, top+panelH/2, label)
}

// niceCeil rounds v up to one of steps (ascending, in [1, 10)) times a
// power of ten.
func niceCeil(v float64, steps ...float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range steps {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func tickStep(total float64) float64 { return niceCeil(total/10, 1, 2, 5) }
