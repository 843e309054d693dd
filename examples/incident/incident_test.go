package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReplayShort replays the incident in a few seconds and checks the
// runtime page answers fewer 5xx than the naive one. The load balancer gives
// up before a degraded recommendations call can finish, so every naive page
// that waits on one fails, while the runtime page falls back within its budget.
func TestReplayShort(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the incident on loopback for a few seconds")
	}
	cfg := DefaultConfig()
	cfg.Healthy, cfg.Degraded, cfg.Recovered = 500*time.Millisecond, 1500*time.Millisecond, 500*time.Millisecond
	cfg.RPS = 40
	cfg.ClientTimeout = time.Second
	cfg.PoolSize = 8
	cfg.Bucket = 250 * time.Millisecond

	out := filepath.Join(t.TempDir(), "incident.svg")
	var buf bytes.Buffer
	runs, err := replay(context.Background(), &buf, cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + buf.String())

	if len(runs) != 2 || runs[0].name != "naive" || runs[1].name != "runtime" {
		t.Fatalf("runs = %v, want naive then runtime", runs)
	}
	naive, rt := runs[0], runs[1]
	for _, r := range runs {
		want := int(cfg.total() / (time.Second / time.Duration(cfg.RPS)))
		got := 0
		for _, p := range r.phases {
			got += p.requests
		}
		if got != want {
			t.Errorf("%s: %d requests recorded, want %d (same load for both runs)", r.name, got, want)
		}
	}
	if naive.phases[1].errors5xx == 0 {
		t.Errorf("naive page answered no 5xx while degraded: the replay shows no incident")
	}
	if rt.total5xx() >= naive.total5xx() {
		t.Errorf("runtime page: %d 5xx, naive page: %d; want fewer with the runtime", rt.total5xx(), naive.total5xx())
	}
	if rt.phases[1].degraded == 0 {
		t.Errorf("runtime page served no fallback while recommendations was degraded")
	}
	// Retried quotes carry one key per call: pricing never quotes twice.
	if rt.keyed == 0 || rt.duplicated != 0 {
		t.Errorf("runtime page: %d idempotency keys, %d quoted twice; want keys and no duplicates", rt.keyed, rt.duplicated)
	}
	// Recommendations is not critical: its open breaker degrades readiness
	// but never fails it.
	if ready := rt.phases[1].readyz; ready["degraded"] == 0 || ready["fail"] != 0 {
		t.Errorf("/readyz while recommendations was degraded: %v, want some degraded and no fail", ready)
	}

	for _, want := range []string{"degraded", "pool-full", "chart: " + out} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, svg, len(runs))
}

// checkSVG parses the chart and counts its data lines: two per run.
func checkSVG(t *testing.T, svg []byte, runs int) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	lines := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("chart is not well-formed XML: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			lines++
			for _, a := range se.Attr {
				if a.Name.Local == "points" && strings.Count(a.Value, ",") < 2 {
					t.Errorf("polyline with too few points: %q", a.Value)
				}
			}
		}
	}
	if lines != 2*runs {
		t.Errorf("chart has %d lines, want %d (p99 and 5xx rate per run)", lines, 2*runs)
	}
}

func TestQuantileAndWindow(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, ms(i))
	}
	if got := quantile(lat, 0.5); got != ms(50) {
		t.Errorf("p50 of 1..100ms = %v, want 50ms", got)
	}
	if got := quantile(lat, 0.99); got != ms(99) {
		t.Errorf("p99 of 1..100ms = %v, want 99ms", got)
	}
	if got := quantile(nil, 0.99); got != 0 {
		t.Errorf("p99 of nothing = %v, want 0", got)
	}

	r := &recorder{}
	r.add(sample{start: ms(10), latency: ms(5), status: 200})
	r.add(sample{start: ms(20), latency: ms(3000), status: 504})
	r.add(sample{start: ms(30), latency: ms(7), status: 200, degraded: true})
	r.add(sample{start: ms(200), latency: ms(1), status: 502})
	r.poolFull(ms(15))
	r.poolFull(ms(150))
	s := r.window(0, ms(100))
	if s.requests != 3 || s.errors5xx != 1 || s.degraded != 1 || s.poolFull != 1 || s.p99 != ms(3000) || s.p50 != ms(7) {
		t.Errorf("window [0,100ms) = %+v", s)
	}
}

func TestNiceCeil(t *testing.T) {
	for _, c := range []struct{ v, want float64 }{{3274, 4000}, {3000, 3000}, {120, 150}, {0, 1}, {9000, 10000}} {
		if got := niceCeil(c.v, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8); got != c.want {
			t.Errorf("niceCeil(%v) = %v, want %v", c.v, got, c.want)
		}
	}
	if got := tickStep(30); got != 5 {
		t.Errorf("tickStep(30s) = %v, want 5", got)
	}
}

func TestScaled(t *testing.T) {
	c := DefaultConfig().scaled(0.2)
	if c.total() != DefaultConfig().total()/5 {
		t.Errorf("scaled total = %v, want %v", c.total(), DefaultConfig().total()/5)
	}
}
